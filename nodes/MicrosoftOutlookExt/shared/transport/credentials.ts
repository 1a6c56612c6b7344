import type { ICredentialDataDecryptedObject, INodeProperties } from 'n8n-workflow';

/** Each `authentication` parameter value and the credential type it selects. */
const METHODS = [
	{ method: 'oAuth2', label: 'OAuth2 (Authorization Code)', type: 'microsoftOutlookExtOAuth2Api' },
	{ method: 'oAuth2Deprecated', label: 'OAuth2 (Deprecated)', type: 'microsoftOutlookExtDeprecatedOAuth2Api' },
	{ method: 'clientCredentials', label: 'OAuth2 Client Credentials', type: 'microsoftOutlookExtClientCredentialsOAuth2Api' },
];

export const CLIENT_CREDENTIALS_TYPE = METHODS[2].type;

export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: METHODS.map(({ method, label }) => ({ name: label, value: method })),
	default: 'oAuth2',
};

/** Credential entries for a node description: one per method, gated by `authentication`. */
export const nodeCredentials = METHODS.map(({ method, type }) => ({
	name: type,
	required: true,
	displayOptions: { show: { authentication: [method] } },
}));

export function credentialTypeFor(method: string): string {
	const entry = METHODS.find((m) => m.method === method);
	if (!entry) throw new Error(`Unknown authentication method "${method}"`);
	return entry.type;
}

export function isAppOnly(credentialType: string): boolean {
	return credentialType === CLIENT_CREDENTIALS_TYPE;
}

/** `https://graph.microsoft.com` → `https://graph.microsoft.com/v1.0` (trailing slashes ignored). */
export function graphRoot(credentials: ICredentialDataDecryptedObject): string {
	const base = String(credentials.graphApiBaseUrl || 'https://graph.microsoft.com').replace(/\/+$/, '');
	return `${base}/v1.0`;
}
