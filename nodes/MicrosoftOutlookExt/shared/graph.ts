/**
 * Graph calls that need Graph's clock (subscriptions: the trigger and the subscription client), and
 * reading the transport's NodeApiError. Graph's clock: Subscription expirations are judged by Graph's
 * clock, so expirations are computed from the `Date` header of Graph's latest answer rather than
 * from this host's clock (a host clock a few minutes fast would otherwise ask for more than the
 * maximum lifetime). Without a Date header the local clock is used.
 */
import type { IDataObject } from 'n8n-workflow';

import { headerValue } from './transport/headers';
import { graphApiRequest, type GraphContext, type GraphRequestOptions, type GraphResponse, type GraphTarget } from './transport/request';

/** Graph root → (Graph's clock − local clock) in ms, from the latest answer. A cache, not state. */
const clockOffsets = new Map<string, number>();
/** Graph roots are a handful (one per Base URL); the cap only guards against a runaway. */
const MAX_CLOCK_OFFSETS = 100;

export function noteGraphDate(root: string, headers: Record<string, unknown> | undefined, localNow = Date.now()): void {
	const date = Date.parse(headerValue(headers, 'date') ?? '');
	if (!Number.isFinite(date)) return;
	clockOffsets.delete(root);
	clockOffsets.set(root, date - localNow);
	if (clockOffsets.size > MAX_CLOCK_OFFSETS) clockOffsets.delete(clockOffsets.keys().next().value as string);
}

/** Graph's current time (ms) as last seen from `root`; the local clock before any answer. */
export function graphNow(root: string, localNow = Date.now()): number {
	return localNow + (clockOffsets.get(root) ?? 0);
}

/** graphApiRequest (retry policy, token refresh, error mapping) + Graph's clock. */
export async function graphCall<T = IDataObject>(
	ctx: GraphContext,
	target: GraphTarget,
	request: GraphRequestOptions,
): Promise<GraphResponse<T>> {
	const response = await graphApiRequest<T>(ctx, target, request);
	noteGraphDate(target.root, response.headers);
	return response;
}

/** The transport's NodeApiError carries Graph's HTTP status as a string. */
export function httpStatusOf(error: unknown): number | undefined {
	const code = Number((error as { httpCode?: unknown } | undefined)?.httpCode);
	return Number.isInteger(code) ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
	return httpStatusOf(error) === 404;
}

/** Graph's code, message and request-id from the transport's NodeApiError (none of them secret). */
export function graphErrorParts(error: unknown): { code: string; requestId: string; graphMessage: string } {
	const e = (error ?? {}) as { errorResponse?: Record<string, unknown>; message?: unknown };
	const response = e.errorResponse ?? {};
	return {
		code: typeof response.code === 'string' ? response.code : 'unknown',
		requestId: typeof response.requestId === 'string' ? response.requestId : 'none',
		graphMessage: typeof response.message === 'string' ? response.message : String(e.message ?? ''),
	};
}

/** A short, secret-free description of a failure for n8n's log. */
export function describeFailure(error: unknown): string {
	const status = httpStatusOf(error);
	const { code, requestId } = graphErrorParts(error);
	const message = String((error as { message?: unknown } | undefined)?.message ?? error).slice(0, 300);
	return status ? `${message} (HTTP ${status}, code: ${code}, request-id: ${requestId})` : message;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise's outcome as a value, so callers decide per error without rethrowing from a catch. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	try {
		return { ok: true, value: await promise };
	} catch (error) {
		return { ok: false, error };
	}
}
