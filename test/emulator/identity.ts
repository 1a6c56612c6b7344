/**
 * An emulated Microsoft identity platform (v2.0 endpoints) for one tenant and its app:
 * an authorize page with one button per user (authorization code flow), and a token endpoint for
 * authorization_code, refresh_token and client_credentials grants with Entra ID's error shapes.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_DELEGATED_SCOPES, headerValue, type EmulatorCoreImpl } from './core';
import { CODE_LIFETIME_MS, REFRESH_TOKEN_LIFETIME_MS, signingKeysOf } from './tokens';
import type { EmulatorClient, EmulatorCore, EmulatorUser, GraphRequest, Reply } from './types';

export const TENANT_ID = 'b6f5c7d3-2a41-4e8b-9c0d-7e1f3a5b9d20';
export const TENANT_DOMAIN = 'contoso.onmicrosoft.com';
export const DEFAULT_CLIENT: EmulatorClient = {
	clientId: '11111111-2222-3333-4444-555555555555',
	clientSecret: 'emulator-secret',
	tenant: TENANT_ID,
};

const GRAPH_RESOURCE = 'https://graph.microsoft.com/';
/** Scopes Entra ID never lists in a token response's `scope`. */
const HIDDEN_RESPONSE_SCOPES = new Set(['offline_access']);

// ---- Entra ID error replies ------------------------------------------------------------------

/** Entra ID's timestamp format in error bodies: "2024-05-01 10:00:00Z". */
function aadTimestamp(epochMs: number): string {
	return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function aadError(core: EmulatorCoreImpl, status: number, error: string, code: number, description: string): Reply {
	const timestamp = aadTimestamp(core.now());
	const traceId = randomUUID();
	const correlationId = randomUUID();
	return {
		status,
		headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
		body: {
			error,
			error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
			error_codes: [code],
			timestamp,
			trace_id: traceId,
			correlation_id: correlationId,
			error_uri: `${core.url}/error?code=${code}`,
		},
	};
}

function missingParameter(core: EmulatorCoreImpl, name: string): Reply {
	return aadError(core, 400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
}

function unknownApplication(clientId: string, tenant: string): string {
	return (
		`Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the ` +
		'application has not been installed by the administrator of the tenant or consented to by any user in the tenant. ' +
		'You may have sent your authentication request to the wrong tenant.'
	);
}

// ---- helpers ---------------------------------------------------------------------------------

function isKnownTenant(core: EmulatorCoreImpl, tenant: string): boolean {
	const t = tenant.toLowerCase();
	return ['common', 'organizations', core.tenantId.toLowerCase(), core.tenantDomain.toLowerCase()].includes(t);
}

function unknownTenantDescription(tenant: string): string {
	return `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`;
}

function formParams(req: GraphRequest): URLSearchParams {
	return new URLSearchParams(req.rawBody.toString('utf8'));
}

/**
 * Client credentials from HTTP Basic or the body. RFC 6749 §2.3.1 form-encodes id and secret in
 * Basic, but many clients (n8n's client-oauth2 among them) send them raw, so both readings count.
 */
function clientCredentials(req: GraphRequest, form: URLSearchParams): { clientId?: string; secrets: string[] } {
	const header = headerValue(req.headers, 'authorization');
	const basic = header ? /^Basic\s+(.+)$/i.exec(header.trim()) : null;
	if (basic) {
		const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		const formDecode = (s: string) => {
			try {
				return decodeURIComponent(s.replace(/\+/g, ' '));
			} catch {
				return s;
			}
		};
		if (colon >= 0) {
			const rawSecret = decoded.slice(colon + 1);
			return { clientId: formDecode(decoded.slice(0, colon)), secrets: rawSecret ? [rawSecret, formDecode(rawSecret)] : [] };
		}
	}
	const secret = form.get('client_secret');
	return { clientId: form.get('client_id') ?? undefined, secrets: secret ? [secret] : [] };
}

/** `https://graph.microsoft.com/Mail.Read` → `Mail.Read`; `.default` expands to what the app was granted. */
function normalizeDelegatedScopes(scope: string | null | undefined): string[] {
	const requested = (scope ?? '').split(/\s+/).filter(Boolean);
	const scopes = new Set<string>();
	for (const s of requested) {
		const short = s.toLowerCase().startsWith(GRAPH_RESOURCE) ? s.slice(GRAPH_RESOURCE.length) : s;
		if (short === '.default') DEFAULT_DELEGATED_SCOPES.forEach((d) => scopes.add(d));
		else scopes.add(short);
	}
	if (scopes.size === 0) DEFAULT_DELEGATED_SCOPES.forEach((d) => scopes.add(d));
	return [...scopes];
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function appendQuery(url: string, params: Record<string, string | undefined>): string {
	const parts = Object.entries(params)
		.filter((entry): entry is [string, string] => entry[1] !== undefined)
		.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
	const [base, hash] = url.split('#', 2);
	return `${base}${base.includes('?') ? '&' : '?'}${parts.join('&')}${hash !== undefined ? `#${hash}` : ''}`;
}

function isAbsoluteHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}

function redirect(location: string): Reply {
	return { status: 302, headers: { Location: location, 'Cache-Control': 'no-store, no-cache' }, body: '' };
}

// ---- the authorize page ----------------------------------------------------------------------

interface AuthorizeRequest {
	tenant: string;
	clientId: string;
	redirectUri: string;
	responseType: string;
	scope: string;
	state?: string;
	loginHint?: string;
	prompt?: string;
}

function htmlPage(status: number, title: string, inner: string): Reply {
	const html =
		'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>' +
		escapeHtml(title) +
		'</title><style>body{font-family:Segoe UI,Arial,sans-serif;max-width:34rem;margin:3rem auto;color:#1b1b1b}' +
		'button{display:block;width:100%;margin:.4rem 0;padding:.7rem;font-size:1rem;text-align:left;cursor:pointer}' +
		'.error{color:#a80000}code{background:#f3f3f3;padding:0 .2rem}</style></head><body>' +
		inner +
		'</body></html>';
	return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store, no-cache' }, body: html };
}

function errorPage(status: number, code: number, message: string): Reply {
	return htmlPage(
		status,
		'Sign in to your account',
		`<h1>Emulated Microsoft sign-in</h1><p class="error" id="error">AADSTS${code}: ${escapeHtml(message)}</p>`,
	);
}

function consentPage(core: EmulatorCoreImpl, path: string, auth: AuthorizeRequest): Reply {
	const hidden = (name: string, value: string | undefined) =>
		value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
	const hint = auth.loginHint?.toLowerCase();
	const users = core.signInUsers();
	users.sort((a, b) => Number(b.userPrincipalName.toLowerCase() === hint) - Number(a.userPrincipalName.toLowerCase() === hint));
	const buttons = users
		.map(
			(u: EmulatorUser) =>
				`<button type="submit" name="user_id" value="${escapeHtml(u.id)}" data-upn="${escapeHtml(u.userPrincipalName)}">` +
				`${escapeHtml(u.displayName)} &lt;${escapeHtml(u.userPrincipalName)}&gt;</button>`,
		)
		.join('');
	const scopes = auth.scope
		.split(/\s+/)
		.filter(Boolean)
		.map((s) => `<li><code>${escapeHtml(s)}</code></li>`)
		.join('');
	return htmlPage(
		200,
		'Sign in to your account',
		'<h1>Emulated Microsoft sign-in</h1>' +
			`<p>Application <code id="client-id">${escapeHtml(auth.clientId)}</code> asks for:</p><ul id="scopes">${scopes}</ul>` +
			`<form method="post" action="${escapeHtml(path)}">` +
			hidden('client_id', auth.clientId) +
			hidden('redirect_uri', auth.redirectUri) +
			hidden('response_type', auth.responseType) +
			hidden('scope', auth.scope) +
			hidden('state', auth.state) +
			`<p>Sign in as:</p>${buttons}` +
			'<button type="submit" name="cancel" value="1">Cancel</button></form>',
	);
}

/** Validates an authorize request; returns an error page/redirect, or undefined when fine. */
function checkAuthorize(core: EmulatorCoreImpl, auth: AuthorizeRequest): Reply | undefined {
	if (!isKnownTenant(core, auth.tenant)) return errorPage(400, 90002, unknownTenantDescription(auth.tenant));
	if (!auth.clientId) return errorPage(400, 900144, "The request body must contain the following parameter: 'client_id'.");
	if (!core.findClient(auth.clientId)) return errorPage(400, 700016, unknownApplication(auth.clientId, auth.tenant));
	if (!auth.redirectUri || !isAbsoluteHttpUrl(auth.redirectUri)) {
		return errorPage(400, 50011, `The redirect URI '${auth.redirectUri}' specified in the request does not match the redirect URIs configured for the application '${auth.clientId}'.`);
	}
	if (auth.responseType !== 'code') {
		return redirect(
			appendQuery(auth.redirectUri, {
				error: 'unsupported_response_type',
				error_description: `AADSTS700054: response_type '${auth.responseType}' is not enabled for the application.`,
				state: auth.state,
			}),
		);
	}
	return undefined;
}

function issueCodeRedirect(core: EmulatorCoreImpl, auth: AuthorizeRequest, user: EmulatorUser): Reply {
	const code = core.tokens.issueCode({
		clientId: auth.clientId,
		userId: user.id,
		redirectUri: auth.redirectUri,
		scopes: normalizeDelegatedScopes(auth.scope),
		expiresAt: core.now() + CODE_LIFETIME_MS,
	});
	return redirect(appendQuery(auth.redirectUri, { code: code.code, state: auth.state, session_state: randomUUID() }));
}

function authorizeFromParams(tenant: string, get: (name: string) => string | null): AuthorizeRequest {
	return {
		tenant,
		clientId: get('client_id') ?? '',
		redirectUri: get('redirect_uri') ?? '',
		responseType: get('response_type') ?? '',
		scope: get('scope') ?? '',
		state: get('state') ?? undefined,
		loginHint: get('login_hint') ?? undefined,
		prompt: get('prompt') ?? undefined,
	};
}

function handleAuthorizeGet(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const auth = authorizeFromParams(req.params.tenant, (name) => req.query[name] ?? null);
	const problem = checkAuthorize(core, auth);
	if (problem) return problem;
	if (auth.prompt === 'none') {
		const hinted = auth.loginHint ? core.findUser(auth.loginHint) : undefined;
		if (hinted && !core.sharedMailboxIds.has(hinted.id)) return issueCodeRedirect(core, auth, hinted);
		return redirect(
			appendQuery(auth.redirectUri, {
				error: 'login_required',
				error_description: 'AADSTS50058: A silent sign-in request was sent but no user is signed in.',
				state: auth.state,
			}),
		);
	}
	return consentPage(core, req.path, auth);
}

function handleAuthorizePost(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const form = formParams(req);
	const auth = authorizeFromParams(req.params.tenant, (name) => form.get(name));
	const problem = checkAuthorize(core, auth);
	if (problem) return problem;
	if (form.get('cancel')) {
		return redirect(
			appendQuery(auth.redirectUri, {
				error: 'access_denied',
				error_description: 'AADSTS65004: User declined to consent to access the app.',
				state: auth.state,
			}),
		);
	}
	const user = core.findUser(form.get('user_id') ?? '');
	if (!user || core.sharedMailboxIds.has(user.id)) return errorPage(400, 50034, 'The user account does not exist in the directory.');
	return issueCodeRedirect(core, auth, user);
}

// ---- the token endpoint ----------------------------------------------------------------------

function tokenResponse(
	core: EmulatorCoreImpl,
	grant: { clientId: string; userId?: string; scopes: string[] },
): Record<string, unknown> {
	const lifetime = core.options.tokenLifetimeSeconds;
	const appOnly = grant.userId === undefined;
	const access = core.tokens.issueAccessToken({
		clientId: grant.clientId,
		userId: grant.userId,
		appOnly,
		scopes: grant.scopes,
		expiresAt: core.now() + lifetime * 1000,
	});
	const body: Record<string, unknown> = { token_type: 'Bearer' };
	if (!appOnly) body.scope = grant.scopes.filter((s) => !HIDDEN_RESPONSE_SCOPES.has(s)).join(' ');
	body.expires_in = lifetime;
	body.ext_expires_in = lifetime;
	body.access_token = access.accessToken;
	if (!appOnly) {
		body.refresh_token = core.tokens.issueRefreshToken({
			clientId: grant.clientId,
			userId: grant.userId as string,
			scopes: grant.scopes,
			expiresAt: core.now() + REFRESH_TOKEN_LIFETIME_MS,
		}).refreshToken;
	}
	return body;
}

function redeemAuthorizationCode(core: EmulatorCoreImpl, form: URLSearchParams, client: EmulatorClient): Reply {
	const value = form.get('code');
	if (!value) return missingParameter(core, 'code');
	const code = core.tokens.redeemCode(value, core.now());
	if (code === 'used') {
		return aadError(core, 400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
	}
	if (code === 'expired') {
		return aadError(core, 400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
	}
	if (code === 'unknown') return aadError(core, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
	if (code.clientId.toLowerCase() !== client.clientId.toLowerCase()) {
		return aadError(core, 400, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid. The code was issued to a different client.");
	}
	const redirectUri = form.get('redirect_uri');
	if (redirectUri !== null && redirectUri !== code.redirectUri) {
		return aadError(core, 400, 'invalid_grant', 50148, 'The redirect_uri does not match the one used in the authorization request.');
	}
	return { status: 200, body: tokenResponse(core, { clientId: client.clientId, userId: code.userId, scopes: code.scopes }) };
}

function redeemRefreshToken(core: EmulatorCoreImpl, form: URLSearchParams, client: EmulatorClient): Reply {
	const value = form.get('refresh_token');
	if (!value) return missingParameter(core, 'refresh_token');
	const token = core.tokens.redeemRefreshToken(value, core.now());
	if (token === 'expired' || token === 'rotated') {
		return aadError(core, 400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued on a previous date and was inactive for too long.');
	}
	if (token === 'unknown') return aadError(core, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
	if (token.clientId.toLowerCase() !== client.clientId.toLowerCase()) {
		return aadError(core, 400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed. The refresh token was issued to a different client.');
	}
	const requested = form.get('scope');
	const scopes = requested ? normalizeDelegatedScopes(requested) : token.scopes;
	return { status: 200, body: tokenResponse(core, { clientId: client.clientId, userId: token.userId, scopes }) };
}

function clientCredentialsGrant(core: EmulatorCoreImpl, form: URLSearchParams, client: EmulatorClient): Reply {
	const scope = form.get('scope');
	if (!scope) return missingParameter(core, 'scope');
	const scopes = scope.split(/\s+/).filter(Boolean);
	if (scopes.length === 0 || !scopes.every((s) => s.endsWith('/.default'))) {
		return aadError(
			core,
			400,
			'invalid_scope',
			1002012,
			`The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
		);
	}
	return { status: 200, body: tokenResponse(core, { clientId: client.clientId, scopes }) };
}

function handleToken(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const tenant = req.params.tenant;
	if (!isKnownTenant(core, tenant)) return aadError(core, 400, 'invalid_request', 90002, unknownTenantDescription(tenant));
	const form = formParams(req);
	const grantType = form.get('grant_type');
	if (!grantType) return missingParameter(core, 'grant_type');
	const { clientId, secrets } = clientCredentials(req, form);
	if (!clientId) return missingParameter(core, 'client_id');
	const client = core.findClient(clientId);
	if (!client) return aadError(core, 400, 'unauthorized_client', 700016, unknownApplication(clientId, tenant));
	if (secrets.length === 0) {
		return aadError(core, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
	}
	if (!secrets.includes(client.clientSecret)) {
		return aadError(
			core,
			401,
			'invalid_client',
			7000215,
			`Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
		);
	}
	switch (grantType) {
		case 'authorization_code':
			return redeemAuthorizationCode(core, form, client);
		case 'refresh_token':
			return redeemRefreshToken(core, form, client);
		case 'client_credentials':
			return clientCredentialsGrant(core, form, client);
		default:
			return aadError(core, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
	}
}

function openIdConfiguration(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const tenant = req.params.tenant;
	if (!isKnownTenant(core, tenant)) return aadError(core, 400, 'invalid_tenant', 90002, unknownTenantDescription(tenant));
	const base = `${core.url}/${encodeURIComponent(tenant)}`;
	return {
		status: 200,
		body: {
			token_endpoint: `${base}/oauth2/v2.0/token`,
			authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
			jwks_uri: `${base}/discovery/v2.0/keys`,
			issuer: `${core.url}/${core.tenantId}/v2.0`,
			response_types_supported: ['code'],
			grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
			token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
			scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
			tenant_region_scope: 'NA',
		},
	};
}

/**
 * The v1 OpenID configuration (`/common/.well-known/openid-configuration` on login.microsoftonline.com), where
 * receivers of rich change notifications find the keys that sign Graph's validationTokens (via `jwks_uri`).
 * Issuer as Entra ID writes it: a `{tenantid}` placeholder for common/organizations, else the tenant's own.
 */
function openIdConfigurationV1(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const tenant = req.params.tenant;
	if (!isKnownTenant(core, tenant)) return aadError(core, 400, 'invalid_tenant', 90002, unknownTenantDescription(tenant));
	const multiTenant = ['common', 'organizations'].includes(tenant.toLowerCase());
	return {
		status: 200,
		body: {
			jwks_uri: `${core.url}/${encodeURIComponent(tenant)}/discovery/keys`,
			issuer: `https://sts.windows.net/${multiTenant ? '{tenantid}' : core.tenantId}/`,
			response_types_supported: ['code'],
			subject_types_supported: ['pairwise'],
			id_token_signing_alg_values_supported: ['RS256'],
			tenant_region_scope: 'NA',
		},
	};
}

/** The signing keys (JWKS); v1 and v2.0 paths list the same keys, as Entra ID's do. */
function signingKeys(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const tenant = req.params.tenant;
	if (!isKnownTenant(core, tenant)) return aadError(core, 400, 'invalid_tenant', 90002, unknownTenantDescription(tenant));
	return { status: 200, body: signingKeysOf(core).jwks() };
}

/** Registers the tenant, the default app and the identity endpoints. */
export function register(coreApi: EmulatorCore): void {
	const core = coreApi as EmulatorCoreImpl;
	core.tenantId = TENANT_ID;
	core.tenantDomain = TENANT_DOMAIN;
	if (!core.findClient(DEFAULT_CLIENT.clientId)) core.clients.push({ ...DEFAULT_CLIENT });
	core.identityRoute('GET', '/:tenant/oauth2/v2.0/authorize', (req) => handleAuthorizeGet(core, req));
	core.identityRoute('POST', '/:tenant/oauth2/v2.0/authorize', (req) => handleAuthorizePost(core, req));
	core.identityRoute('POST', '/:tenant/oauth2/v2.0/token', (req) => handleToken(core, req));
	core.identityRoute('GET', '/:tenant/v2.0/.well-known/openid-configuration', (req) => openIdConfiguration(core, req));
	core.identityRoute('GET', '/:tenant/.well-known/openid-configuration', (req) => openIdConfigurationV1(core, req));
	core.identityRoute('GET', '/:tenant/discovery/keys', (req) => signingKeys(core, req));
	core.identityRoute('GET', '/:tenant/discovery/v2.0/keys', (req) => signingKeys(core, req));
}
