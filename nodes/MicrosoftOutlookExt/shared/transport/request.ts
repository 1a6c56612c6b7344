import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { credentialTypeFor, graphRoot, isAppOnly } from './credentials';
import { GraphHttpError, networkErrorMessage, toNodeApiError, toNodeOperationError, type GraphFailure } from './errors';
import { acquire, pause } from './gate';
import { DEFAULT_RETRY_POLICY, getDelay, isRetryStatus, type RetryPolicy } from './retry';
import { assertGraphUrl, type InvalidInputError, mailboxPrefix, scopePath } from './url';

/** Every n8n context that can talk to Graph: node items, hooks, webhooks, list searches. */
export type GraphContext =
	| IExecuteSingleFunctions
	| IExecuteFunctions
	| IHookFunctions
	| IWebhookFunctions
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
}

export async function resolveTarget(
	ctx: GraphContext,
	params: { authentication: string; mailbox?: string; itemIndex?: number },
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
	};
}

/** Absolute URL for a Graph path (`/me/...` is scoped to the mailbox); absolute URLs must stay on Graph's host. */
export function graphUrl(target: GraphTarget, pathOrUrl: string): string {
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
/** Error codes of a request that got no usable answer (n8n wraps them in a NodeApiError as httpCode). */
const NETWORK_ERROR_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/;

/** What went wrong in an attempt: Graph answered with an error, the answer was lost, or stop now. */
function classifyFailure(ctx: GraphContext, error: unknown): 'graph' | 'lost' | 'fatal' {
	if (error instanceof GraphHttpError) return 'graph';
	if (isCancelled(ctx)) return 'fatal';
	if (error instanceof MalformedResponseError) return 'lost';
	// n8n-core wraps network failures (reset, timeout, cut-off body) in its own NodeApiError.
	if (NETWORK_ERROR_CODE.test(String((error as { httpCode?: unknown }).httpCode ?? ''))) return 'lost';
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
		const release = await acquire(target.gateKey);
		let failure: GraphFailure | undefined;
		let lostResponse: unknown;
		let fatal: unknown;
		try {
			const result = await attempt({ afterLostResponse });
			if (result.statusCode < 400) return result.value;
			failure = { statusCode: result.statusCode, headers: result.headers, body: result.body };
		} catch (error) {
			const kind = classifyFailure(ctx, error);
			if (kind === 'graph') failure = (error as GraphHttpError).failure;
			else if (kind === 'lost') lostResponse = error;
			else fatal = error;
		} finally {
			release();
		}
		if (fatal !== undefined) throw fatal;
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
			await refreshTokenOnce(ctx, target, startedAt);
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

function lostResponseError(ctx: GraphContext, target: GraphTarget, error: unknown, policy: RetryPolicy): NodeApiError {
	const reason = error instanceof MalformedResponseError ? error.message : networkErrorMessage(error);
	const message = policy.idempotent
		? `No usable answer from Microsoft Graph after ${policy.maxRetries + 1} attempts (${reason})`
		: `The connection to Microsoft Graph failed before an answer arrived (${reason}). The request may have been carried out (a message may have been sent): check before running it again.`;
	const lost = new NodeApiError(ctx.getNode(), { message: reason }, { message, itemIndex: target.itemIndex, httpCode: 'none' });
	// NodeApiError replaces messages that mention ECONNRESET & co. with a generic text: keep ours.
	lost.message = message;
	return lost;
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
	const url = checkedGraphUrl(ctx, target, request.url);
	const idempotent = request.method !== 'POST';
	return await withGraphPolicy(
		ctx,
		target,
		async ({ afterLostResponse }) => {
			const options: IHttpRequestOptions = {
				method: request.method,
				url,
				qs: request.qs,
				body: request.body,
				headers: { ...(request.headers ?? {}) },
				json: request.json ?? !request.binary,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: request.timeout ?? 120_000,
			};
			if (request.binary) options.encoding = 'arraybuffer';
			const response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx as IExecuteFunctions,
				target.credentialType,
				options,
			)) as GraphResponse;
			let body = response.body;
			if (request.binary && response.statusCode >= 400) body = parseErrorBody(body);
			if (!request.binary) assertParsedJson(response.statusCode, response.headers, body);
			if (request.method === 'DELETE' && afterLostResponse && response.statusCode === 404) {
				// The lost attempt did delete it: that is the outcome asked for.
				return { statusCode: 204, headers: response.headers, body: undefined, value: { ...response, statusCode: 204, body: undefined } };
			}
			return { statusCode: response.statusCode, headers: response.headers, body, value: { ...response, body } };
		},
		{ ...DEFAULT_RETRY_POLICY, idempotent, ...policy },
	);
}

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
