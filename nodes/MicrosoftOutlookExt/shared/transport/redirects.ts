/** 3xx answers: n8n never follows them; the transport follows only those that keep the token on Graph. */
import type { JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { GraphFailure } from './errors';
import { headerValue } from './headers';
import type { GraphContext, GraphTarget } from './target';
import { assertNoDotSegments } from './url';

/**
 * n8n follows redirects and, by default, sends the Authorization header along to any host: every
 * request stops at a 3xx instead, and the transport decides (redirectTarget).
 */
export const NO_REDIRECTS = { disableFollowRedirect: true, sendCredentialsOnCrossOriginRedirect: false } as const;

const MAX_REDIRECTS = 5;

/** A 3xx answer: followed only where the token may go (see redirectTarget). */
export class GraphRedirect extends Error {
	constructor(readonly failure: GraphFailure) {
		super(`Microsoft Graph answered ${failure.statusCode} (redirect)`);
	}
}

/** Lets a redirect through as a value (the caller decides where to go); every other error stays an error. */
export function redirectOrThrow(error: unknown): GraphRedirect {
	if (error instanceof GraphRedirect) return error;
	throw error;
}

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
	const location = headerValue(headers, 'location');
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
