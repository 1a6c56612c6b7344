import type {
	IDataObject,
	JsonObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { credentialTypeFor, graphRoot, isAppOnly } from './credentials';
import { GraphHttpError, networkErrorMessage, toNodeApiError, toNodeOperationError, type GraphFailure } from './errors';
import { acquire, pause } from './gate';
import { DEFAULT_RETRY_POLICY, getDelay, isRetryStatus, type RetryPolicy } from './retry';
import { assertGraphUrl, assertNoDotSegments, type InvalidInputError, mailboxPrefix, scopePath } from './url';

/** Every n8n context that can talk to Graph: node items, hooks, webhooks, list searches. */
export type GraphContext =
	| IExecuteSingleFunctions
	| IExecuteFunctions
	| IHookFunctions
	| IWebhookFunctions
	| ITriggerFunctions
	| ILoadOptionsFunctions;

/** Where requests go and as whom; resolved once per item. */
export interface GraphTarget {
	credentialType: string;
	/** `{Base URL}/v1.0` */
	root: string;
	/** `/me` or `/users/{encoded id}` */
	mailboxPrefix: string;
	/** Concurrency/throttling gate: one per credential and mailbox. */
	gateKey: string;
	itemIndex?: number;
	/** The item's Request Options → Timeout (ms), for requests that do not set their own. */
	timeoutMs?: number;
}

export async function resolveTarget(
	ctx: GraphContext,
	params: { authentication: string; mailbox?: string; itemIndex?: number; timeoutMs?: number },
): Promise<GraphTarget> {
	const credentialType = credentialTypeFor(params.authentication || 'oAuth2');
	const credentials = await ctx.getCredentials(credentialType);
	let prefix: string;
	try {
		prefix = mailboxPrefix({
			appOnly: isAppOnly(credentialType),
			mailbox: params.mailbox,
			credentialUserId: credentials.userId as string | undefined,
		});
	} catch (error) {
		throw toNodeOperationError(ctx.getNode(), error as InvalidInputError, params.itemIndex);
	}
	const credentialId = ctx.getNode().credentials?.[credentialType]?.id ?? credentialType;
	return {
		credentialType,
		root: graphRoot(credentials),
		mailboxPrefix: prefix,
		gateKey: `${credentialId}|${prefix === '/me' ? 'me' : prefix}`,
		itemIndex: params.itemIndex,
		timeoutMs: params.timeoutMs,
	};
}

/** Absolute URL for a Graph path (`/me/...` is scoped to the mailbox); absolute URLs must stay on Graph's host. */
export function graphUrl(target: GraphTarget, pathOrUrl: string): string {
	assertNoDotSegments(pathOrUrl);
	if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
		assertGraphUrl(pathOrUrl, target.root);
		return pathOrUrl;
	}
	const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`;
	return `${target.root}${scopePath(path, target.mailboxPrefix)}`;
}

/** graphUrl, with a refused URL reported as bad input on the item. */
export function checkedGraphUrl(ctx: GraphContext, target: GraphTarget, pathOrUrl: string): string {
	try {
		return graphUrl(target, pathOrUrl);
	} catch (error) {
		throw toNodeOperationError(ctx.getNode(), error as InvalidInputError, target.itemIndex);
	}
}

export interface AttemptResult<T> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
	value: T;
}

/** A 2xx answer whose body is not what it claims (malformed or cut-off JSON). */
export class MalformedResponseError extends Error {}

const refreshes = new Map<string, { running?: Promise<void>; finishedAt: number }>();

/**
 * One token refresh per credential at a time: concurrent 401s share it, and a request that
 * started before the last refresh finished just retries with the new token.
 */
async function refreshTokenOnce(ctx: GraphContext, target: GraphTarget, attemptStartedAt: number): Promise<void> {
	const key = target.gateKey.split('|')[0];
	const state = refreshes.get(key) ?? { finishedAt: 0 };
	refreshes.set(key, state);
	if (state.running) return await state.running;
	if (state.finishedAt > attemptStartedAt) return;
	state.running = (async () => {
		try {
			await ctx.helpers.refreshOAuth2Token.call(ctx as IExecuteFunctions, target.credentialType);
		} finally {
			state.finishedAt = Date.now();
			state.running = undefined;
		}
	})();
	return await state.running;
}

function isCancelled(ctx: GraphContext): boolean {
	return 'getExecutionCancelSignal' in ctx && ctx.getExecutionCancelSignal?.()?.aborted === true;
}

/**
 * The single retry loop every Graph request goes through: mailbox gate, Retry-After,
 * backoff, one token refresh on 401, and error mapping.
 */
/** Messages of an answer that was cut off, when no error code comes with them. */
const CUT_OFF_ANSWER = /stream has been aborted|socket hang up|premature close|aborted/i;

/** Error codes of a request that got no usable answer (n8n wraps them in a NodeApiError as httpCode). */
const NETWORK_ERROR_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/;

/** What went wrong in an attempt: Graph answered with an error, the answer was lost, or stop now. */
function classifyFailure(ctx: GraphContext, error: unknown): 'graph' | 'lost' | 'fatal' {
	if (error instanceof GraphHttpError) return 'graph';
	if (isCancelled(ctx)) return 'fatal';
	// The token endpoint refused the credential: repeating cannot help (and a wrong secret is not a lost answer).
	if (isTokenEndpointRefusal(error)) return 'fatal';
	if (error instanceof MalformedResponseError) return 'lost';
	// n8n-core wraps network failures (reset, timeout, cut-off body) in its own NodeApiError.
	if (NETWORK_ERROR_CODE.test(String((error as { httpCode?: unknown }).httpCode ?? ''))) return 'lost';
	// Newer n8n (2.41, Node 24) reports a body cut short as "stream has been aborted", with no code.
	if (CUT_OFF_ANSWER.test(String((error as Error | undefined)?.message ?? ''))) return 'lost';
	const name = (error as Error | undefined)?.name;
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return 'fatal';
	if (name === 'NodeApiError' || name === 'NodeOperationError') return 'fatal';
	return 'lost';
}

export interface AttemptInfo {
	/** The previous attempt's answer was lost: it may have been carried out already. */
	afterLostResponse: boolean;
}

export async function withGraphPolicy<T>(
	ctx: GraphContext,
	target: GraphTarget,
	attempt: (info: AttemptInfo) => Promise<AttemptResult<T>>,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
	let refreshed = false;
	let afterLostResponse = false;
	for (let retries = 0; ; ) {
		const startedAt = Date.now();
		const release = policy.gated ? await acquire(target.gateKey) : () => undefined;
		let failure: GraphFailure | undefined;
		let lostResponse: unknown;
		let fatal: unknown;
		try {
			const result = await withDeadline(attempt({ afterLostResponse }), policy.timeoutMs);
			if (result.statusCode < 300) return result.value;
			failure = { statusCode: result.statusCode, headers: result.headers, body: result.body };
		} catch (error) {
			const kind = classifyFailure(ctx, error);
			if (kind === 'graph') failure = (error as GraphHttpError).failure;
			else if (kind === 'lost') lostResponse = error;
			else fatal = error;
		} finally {
			release();
		}
		if (fatal !== undefined) throw isTokenEndpointRefusal(fatal) ? tokenEndpointError(ctx, target, fatal) : fatal;
		if (failure && failure.statusCode < 400) throw new GraphRedirect(failure);
		afterLostResponse = lostResponse !== undefined;

		if (lostResponse !== undefined) {
			if (policy.idempotent && retries < policy.maxRetries) {
				retries++;
				await sleep(getDelay(retries, policy));
				continue;
			}
			throw lostResponseError(ctx, target, lostResponse, policy);
		}
		const status = failure!.statusCode;
		if (status === 401 && !refreshed) {
			refreshed = true;
			try {
				await withDeadline(refreshTokenOnce(ctx, target, startedAt), policy.timeoutMs, 'the token endpoint');
			} catch (error) {
				throw isTokenEndpointRefusal(error) ? tokenEndpointError(ctx, target, error) : lostResponseError(ctx, target, error, { ...policy, idempotent: false }, 'token');
			}
			continue;
		}
		if (isRetryStatus(status, policy) && retries < policy.maxRetries) {
			retries++;
			const delay = getDelay(retries, policy, failure!.headers);
			if (status === 429 || status === 503) pause(target.gateKey, Date.now() + delay);
			else await sleep(delay);
			continue;
		}
		throw toNodeApiError(ctx.getNode(), failure!, target.itemIndex);
	}
}

function lostResponseError(
	ctx: GraphContext,
	target: GraphTarget,
	error: unknown,
	policy: RetryPolicy,
	stage: 'graph' | 'token' = 'graph',
): NodeApiError {
	const reason = error instanceof MalformedResponseError || error instanceof DeadlineError ? error.message : networkErrorMessage(error);
	const message =
		stage === 'token'
			? `Could not renew the Microsoft access token (${reason}). Nothing was sent to Microsoft Graph with it; check the credential's token URL and try again.`
			: policy.idempotent
				? `No usable answer from Microsoft Graph after ${policy.maxRetries + 1} attempts (${reason})`
				: `The connection to Microsoft Graph failed before an answer arrived (${reason}). The request may have been carried out (a message may have been sent): check before running it again.`;
	const lost = new NodeApiError(ctx.getNode(), { message: reason }, { message, itemIndex: target.itemIndex, httpCode: 'none' });
	// NodeApiError replaces messages that mention ECONNRESET & co. with a generic text: keep ours.
	lost.message = message;
	return lost;
}

/** No answer within the request timeout (Graph, or the token endpoint n8n asks first). */
export class DeadlineError extends Error {}

/**
 * n8n's own timeout covers the Graph request, but not the token request n8n makes before it
 * (client credentials) or a refresh: a token endpoint that never answers would hang the item.
 */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what = 'Microsoft Graph or the token endpoint'): Promise<T> {
	// A little after n8n's own request timeout, so a plain Graph timeout keeps n8n's wording. The
	// signal's timer is unref'd and needs no clearing (n8n-workflow 2.41 has no sleepWithAbort).
	const signal = AbortSignal.timeout(timeoutMs + 1000);
	const deadline = new Promise<never>((_resolve, reject) => {
		signal.addEventListener('abort', () => reject(new DeadlineError(`no answer from ${what} within ${Math.round(timeoutMs / 1000)} s`)), {
			once: true,
		});
	});
	// When the work wins, the later rejection must not surface as unhandled.
	deadline.catch(() => undefined);
	return await Promise.race([work, deadline]);
}

/** Lets a redirect through as a value (the caller decides where to go); every other error stays an error. */
export function redirectOrThrow(error: unknown): GraphRedirect {
	if (error instanceof GraphRedirect) return error;
	throw error;
}

/** A 3xx answer: followed only where the token may go (see redirectTarget). */
export class GraphRedirect extends Error {
	constructor(readonly failure: GraphFailure) {
		super(`Microsoft Graph answered ${failure.statusCode} (redirect)`);
	}
}

const MAX_REDIRECTS = 5;

/**
 * Where to go after a redirect: only to the credential's Base URL origin (the token goes along),
 * GET/HEAD after any 3xx, other methods only after 307/308 (which keep method and body). A
 * redirect anywhere else is an error: the token and the request are not sent there, and its
 * answer is never taken for Graph's.
 */
export function redirectTarget(
	ctx: GraphContext,
	target: GraphTarget,
	method: string,
	fromUrl: string,
	redirect: GraphRedirect,
	hops: number,
): string {
	const { statusCode, headers } = redirect.failure;
	const location = headerOf(headers, 'location');
	const next = location && URL.canParse(location, fromUrl) ? new URL(location, fromUrl).toString() : undefined;
	const sameOrigin = next !== undefined && new URL(next).origin === new URL(target.root).origin;
	const methodKept = method === 'GET' || method === 'HEAD' || statusCode === 307 || statusCode === 308;
	if (next && sameOrigin && methodKept && hops < MAX_REDIRECTS) {
		assertNoDotSegments(next);
		return next;
	}
	const where = next ? new URL(next).origin : 'no valid Location';
	const why = !next
		? 'the answer names no valid address'
		: !sameOrigin
			? `the Microsoft token only goes to ${new URL(target.root).origin} (the credential's Base URL)`
			: !methodKept
				? `a ${method} is not turned into another request`
				: `more than ${MAX_REDIRECTS} redirects`;
	const message = `Microsoft Graph answered ${method} with a redirect (HTTP ${statusCode}) to ${where}; not followed: ${why}`;
	const error = new NodeApiError(ctx.getNode(), { message } as JsonObject, {
		message,
		description: 'Graph does not redirect API calls; a proxy or a wrong Base URL in the credential usually causes this.',
		httpCode: String(statusCode),
		itemIndex: target.itemIndex,
	});
	error.message = message;
	throw error;
}

function headerOf(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
	const value = key ? headers![key] : undefined;
	return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
}

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
function isTokenEndpointRefusal(error: unknown): boolean {
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
function tokenEndpointError(ctx: GraphContext, target: GraphTarget, error: unknown): NodeApiError {
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

export interface GraphRequestOptions {
	method: IHttpRequestMethods;
	/** `/me/...` path (scoped to the mailbox), another Graph path, or an absolute Graph URL (nextLink). */
	url: string;
	qs?: IDataObject;
	body?: IHttpRequestOptions['body'];
	headers?: IDataObject;
	/** Binary download (e.g. MIME `$value`). */
	binary?: boolean;
	timeout?: number;
	/** Sending JSON? (default true unless body is a Buffer / FormData). */
	json?: boolean;
}

export interface GraphResponse<T = any> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: T;
}

function contentTypeOf(headers: Record<string, unknown>): string {
	const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === 'content-type');
	return key ? String(headers[key]) : '';
}

/** A JSON response that did not parse arrives as a string: refuse it instead of emitting garbage. */
export function assertParsedJson(statusCode: number, headers: Record<string, unknown>, body: unknown): void {
	if (statusCode < 400 && typeof body === 'string' && body.length > 0 && contentTypeOf(headers).includes('json')) {
		throw new MalformedResponseError('the response body is not valid JSON');
	}
}

/** Programmatic Graph request (list searches, hooks, follow-up requests) through the shared policy. */
export async function graphApiRequest<T = any>(
	ctx: GraphContext,
	target: GraphTarget,
	request: GraphRequestOptions,
	policy?: Partial<RetryPolicy>,
): Promise<GraphResponse<T>> {
	let url = checkedGraphUrl(ctx, target, request.url);
	let qs = request.qs;
	const idempotent = request.method !== 'POST';
	const timeout = request.timeout ?? target.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs;
	for (let hops = 0; ; hops++) {
		const policyHere = { ...DEFAULT_RETRY_POLICY, idempotent, timeoutMs: timeout, ...policy };
		const outcome = await graphAttempts<T>(ctx, target, { ...request, url, qs, timeout }, policyHere).catch(redirectOrThrow);
		if (!(outcome instanceof GraphRedirect)) return outcome;
		url = redirectTarget(ctx, target, request.method, url, outcome, hops);
		qs = undefined;
	}
}

async function graphAttempts<T>(ctx: GraphContext, target: GraphTarget, request: GraphRequestOptions, policy: RetryPolicy): Promise<GraphResponse<T>> {
	return await withGraphPolicy(
		ctx,
		target,
		async ({ afterLostResponse }) => {
			const options: IHttpRequestOptions = {
				method: request.method,
				url: request.url,
				qs: request.qs,
				body: request.body,
				headers: { ...(request.headers ?? {}) },
				json: request.json ?? !request.binary,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: request.timeout,
				...NO_REDIRECTS,
			};
			if (request.binary) options.encoding = 'arraybuffer';
			const response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx as IExecuteFunctions,
				target.credentialType,
				options,
			)) as GraphResponse;
			let body = response.body;
			if (request.binary && response.statusCode >= 300) body = parseErrorBody(body);
			if (!request.binary) assertParsedJson(response.statusCode, response.headers, body);
			if (request.method === 'DELETE' && afterLostResponse && response.statusCode === 404) {
				// The lost attempt did delete it: that is the outcome asked for.
				return { statusCode: 204, headers: response.headers, body: undefined, value: { ...response, statusCode: 204, body: undefined } };
			}
			return { statusCode: response.statusCode, headers: response.headers, body, value: { ...response, body } };
		},
		policy,
	);
}

/**
 * n8n follows redirects and, by default, sends the Authorization header along to any host: every
 * request stops at a 3xx instead, and the transport decides (redirectTarget).
 */
export const NO_REDIRECTS = { disableFollowRedirect: true, sendCredentialsOnCrossOriginRedirect: false } as const;

/** Error bodies of binary requests arrive as bytes; Graph's error envelope is still JSON inside. */
export function parseErrorBody(body: unknown): unknown {
	if (!Buffer.isBuffer(body) && !(body instanceof ArrayBuffer)) return body;
	const text = Buffer.from(body as Buffer).toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/** Follows `@odata.nextLink` verbatim (it already carries the query) until the last page. */
export async function graphApiRequestAllItems<T = IDataObject>(
	ctx: GraphContext,
	target: GraphTarget,
	request: GraphRequestOptions,
	maxItems = Infinity,
): Promise<T[]> {
	const items: T[] = [];
	const followed = new Set<string>();
	let next: GraphRequestOptions | undefined = request;
	while (next && items.length < maxItems) {
		const page: GraphResponse<{ value?: T[]; '@odata.nextLink'?: string }> = await graphApiRequest(ctx, target, next);
		items.push(...(page.body.value ?? []));
		const nextLink: string | undefined = page.body['@odata.nextLink'];
		if (nextLink) assertNewPage(ctx, target, followed, nextLink);
		next = nextLink ? { method: 'GET', url: nextLink, headers: request.headers } : undefined;
	}
	return items.slice(0, maxItems);
}

/** A next-page link seen before would make Fetch All loop and return duplicates: stop with an error. */
export function assertNewPage(ctx: GraphContext, target: GraphTarget, followed: Set<string>, nextLink: string): void {
	if (followed.has(nextLink)) {
		const message = 'Microsoft Graph sent the same next page link (@odata.nextLink) twice; stopped so no item is returned twice';
		const error = new NodeApiError(ctx.getNode(), { message }, { message, itemIndex: target.itemIndex, httpCode: 'none' });
		error.message = message;
		throw error;
	}
	followed.add(nextLink);
}
