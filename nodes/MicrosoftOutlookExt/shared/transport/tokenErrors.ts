/** The token endpoint refusing a credential: recognised in n8n's errors and reported in Microsoft's words. */
import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { GraphContext, GraphTarget } from './target';

/** The OAuth error texts n8n's OAuth client puts in place of the token endpoint's `error` code. */
const OAUTH_ERROR_TEXTS: Array<[string, RegExp]> = [
	['invalid_request', /The request is missing a required parameter/],
	['invalid_client', /Client authentication failed/],
	['invalid_grant', /The provided authorization grant|needs to be reconnected/],
	['unauthorized_client', /The client is not authorized/],
	['unsupported_grant_type', /The authorization grant type is not supported/],
	['invalid_scope', /The requested scope is invalid/],
	['access_denied', /The resource owner or authorization server denied/],
];

interface TokenRefusal {
	code?: string;
	httpCode?: unknown;
	body?: { error?: unknown; error_description?: unknown };
	message?: string;
}

/**
 * n8n's OAuth client throws `EAUTH` errors for an OAuth error answer (400/401) of the token endpoint;
 * n8n 2.41 rewords them ("Failed to acquire OAuth2 access token: …", "… needs to be reconnected").
 */
export function isTokenEndpointRefusal(error: unknown): boolean {
	const e = (error ?? {}) as TokenRefusal;
	if (e.code === 'EAUTH' || e.httpCode === 'EAUTH') return true;
	const text = String(e.message ?? '');
	return /^Failed to acquire OAuth2 access token|needs to be reconnected/.test(text);
}

/**
 * The token endpoint's own words. A refresh hands us its answer (`error`, `error_description`,
 * e.g. AADSTS7000215); on the first client-credentials token n8n keeps only a generic text,
 * from which the OAuth error code is recovered.
 */
export function tokenEndpointError(ctx: GraphContext, target: GraphTarget, error: unknown): NodeApiError {
	const e = error as TokenRefusal;
	const text = String(e.message ?? '');
	const code =
		typeof e.body?.error === 'string' ? e.body.error : (OAUTH_ERROR_TEXTS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'oauth_error');
	const detail = typeof e.body?.error_description === 'string' ? e.body.error_description : text;
	const message = `Microsoft sign-in refused the credential [${code}]`;
	const advice =
		code === 'invalid_client'
			? 'Check Client ID and Client Secret in the credential (Entra ID → App registrations → Certificates & secrets; a secret expires).'
			: code === 'invalid_grant'
				? 'The sign-in has expired or was revoked: open the credential and connect it again.'
				: 'Check the credential (tenant, client ID, secret, scopes).';
	const refused = new NodeApiError(ctx.getNode(), { code, message: detail } as JsonObject, {
		message,
		description: `${detail.split('\r\n')[0]} — ${advice} Not retried: the same credential would be refused again.`,
		httpCode: 'EAUTH',
		itemIndex: target.itemIndex,
	});
	refused.message = message;
	return refused;
}
