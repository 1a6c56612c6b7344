import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { DELEGATED_SCOPES, delegatedTest, graphApiBaseUrl, hiddenOAuth2Fields } from './shared';

/** OAuth2 authorization code flow (delegated): the node acts as the signed-in user. */
export class MicrosoftOutlookExtOAuth2Api implements ICredentialType {
	name = 'microsoftOutlookExtOAuth2Api';

	displayName = 'Microsoft Outlook Ext OAuth2 API';

	extends = ['oAuth2Api'];

	icon = { light: 'file:../icons/outlook.svg', dark: 'file:../icons/outlook.dark.svg' } as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-microsoft-outlook-ext#credentials';

	properties: INodeProperties[] = [
		{
			displayName:
				'In Microsoft Entra ID, register an app, add this credential\'s OAuth Redirect URL as a "Web" redirect URI, create a client secret, and grant the delegated permissions in Scopes (offline_access keeps the connection alive).',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		graphApiBaseUrl,
		{
			displayName: 'Tenant URL',
			name: 'tenantUrl',
			type: 'string',
			default: 'login.microsoftonline.com/common',
			required: true,
			description:
				'Sign-in host and tenant: login.microsoftonline.com/common (any account), /organizations, /consumers, or /<tenant ID or domain>. The authorize and token URLs are derived from it. A full http(s):// URL is used as given (local emulator).',
		},
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default:
				'={{ ($self["tenantUrl"].startsWith("http") ? "" : "https://") + $self["tenantUrl"].replace(/\\/+$/, "") }}/oauth2/v2.0/authorize',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default:
				'={{ ($self["tenantUrl"].startsWith("http") ? "" : "https://") + $self["tenantUrl"].replace(/\\/+$/, "") }}/oauth2/v2.0/token',
		},
		{
			displayName: 'Scopes',
			name: 'scope',
			type: 'string',
			default: DELEGATED_SCOPES,
			description: 'Space-separated delegated permissions; keep offline_access so n8n can refresh the token',
		},
		...hiddenOAuth2Fields,
	];

	test: ICredentialTestRequest = delegatedTest;
}
