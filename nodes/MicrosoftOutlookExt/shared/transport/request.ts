/**
 * Programmatic Graph requests (list searches, hooks, follow-up requests): graphApiRequest and
 * graphApiRequestAllItems. The transport's other parts live in their own files and are re-exported
 * here, so `shared/transport/request` stays the one import for callers.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { deadlineAfter, type Deadline } from './deadline';
import { assertNewPage } from './paging';
import { withGraphPolicy } from './policy';
import { GraphRedirect, NO_REDIRECTS, redirectOrThrow, redirectTarget } from './redirects';
import { assertParsedJson, parseErrorBody } from './responseBody';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { checkedGraphUrl, type GraphContext, type GraphTarget } from './target';

export { DeadlineError } from './deadline';
export { assertNewPage } from './paging';
export { withGraphPolicy, type AttemptInfo, type AttemptResult } from './policy';
export { GraphRedirect, NO_REDIRECTS, redirectOrThrow, redirectTarget } from './redirects';
export { assertParsedJson, MalformedResponseError, parseErrorBody } from './responseBody';
export { checkedGraphUrl, graphUrl, resolveTarget, type GraphContext, type GraphTarget } from './target';

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
	const policyHere = { ...DEFAULT_RETRY_POLICY, idempotent, timeoutMs: timeout, ...policy };
	// One deadline for the request, its attempts and the redirects it follows.
	const deadline = deadlineAfter(policyHere.timeoutMs);
	for (let hops = 0; ; hops++) {
		const outcome = await graphAttempts<T>(ctx, target, { ...request, url, qs }, policyHere, deadline).catch(redirectOrThrow);
		if (!(outcome instanceof GraphRedirect)) return outcome;
		url = redirectTarget(ctx, target, request.method, url, outcome, hops);
		qs = undefined;
	}
}

async function graphAttempts<T>(
	ctx: GraphContext,
	target: GraphTarget,
	request: GraphRequestOptions,
	policy: RetryPolicy,
	deadline: Deadline,
): Promise<GraphResponse<T>> {
	return await withGraphPolicy(
		ctx,
		target,
		async ({ afterLostResponse, timeoutMs }) => {
			const options: IHttpRequestOptions = {
				method: request.method,
				url: request.url,
				qs: request.qs,
				body: request.body,
				headers: { ...(request.headers ?? {}) },
				json: request.json ?? !request.binary,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: timeoutMs,
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
		deadline,
	);
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
