/**
 * withGraphPolicy: the single retry loop every Graph request goes through — mailbox gate,
 * Retry-After and backoff, one token refresh on 401, the item's deadline, and error mapping.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { deadlineAfter, DeadlineError, type Deadline, isPast, NotSentError, notSentSignal, remainingMs, withDeadline } from './deadline';
import { GraphHttpError, networkErrorMessage, toNodeApiError, type GraphFailure } from './errors';
import { acquire, pause } from './gate';
import { GraphRedirect } from './redirects';
import { MalformedResponseError } from './responseBody';
import { DEFAULT_RETRY_POLICY, getDelay, isRetryStatus, type RetryPolicy } from './retry';
import { credentialKeyOf, type GraphContext, type GraphTarget } from './target';
import { isTokenEndpointRefusal, tokenEndpointError } from './tokenErrors';

export interface AttemptResult<T> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
	value: T;
}

export interface AttemptInfo {
	/** The previous attempt's answer was lost: it may have been carried out already. */
	afterLostResponse: boolean;
	/** What is left of the item's Timeout (ms): the attempt's own request timeout. */
	timeoutMs: number;
	/** The item's deadline (work queued for the item, e.g. a batch member, is dropped when it passes). */
	deadline: Deadline;
}

/** How many token refreshes are remembered at most (one per credential; a cache, not state). */
const MAX_REMEMBERED_REFRESHES = 1000;
const refreshes = new Map<string, { running?: Promise<void>; finishedAt: number }>();

/**
 * One token refresh per credential at a time: concurrent 401s share it, and a request that
 * started before the last refresh finished just retries with the new token.
 */
async function refreshTokenOnce(ctx: GraphContext, target: GraphTarget, attemptStartedAt: number): Promise<void> {
	const key = credentialKeyOf(target);
	const state = refreshes.get(key) ?? { finishedAt: 0 };
	if (!refreshes.has(key) && refreshes.size >= MAX_REMEMBERED_REFRESHES) {
		const oldest = [...refreshes].find(([, entry]) => !entry.running);
		if (oldest) refreshes.delete(oldest[0]);
	}
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

/** Messages of an answer that was cut off, when no error code comes with them. */
const CUT_OFF_ANSWER = /stream has been aborted|socket hang up|premature close|aborted/i;

/** Error codes of a request that got no usable answer (n8n wraps them in a NodeApiError as httpCode). */
const NETWORK_ERROR_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/;

/** What went wrong in an attempt: Graph answered with an error, the answer was lost, nothing was sent, or stop now. */
function classifyFailure(ctx: GraphContext, error: unknown): 'graph' | 'lost' | 'notSent' | 'fatal' {
	if (error instanceof GraphHttpError) return 'graph';
	if (error instanceof NotSentError) return 'notSent';
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

/**
 * Runs `attempt` until it succeeds or the policy gives up. Request Options → Timeout bounds the
 * whole loop (`deadline`, by default `policy.timeoutMs` from now): waiting for a slot, every
 * attempt, the waits between them and the token requests. A caller that makes several requests for
 * one item (pages, redirects) passes the item's deadline to each.
 */
export async function withGraphPolicy<T>(
	ctx: GraphContext,
	target: GraphTarget,
	attempt: (info: AttemptInfo) => Promise<AttemptResult<T>>,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
	deadline: Deadline = deadlineAfter(policy.timeoutMs),
): Promise<T> {
	let refreshed = false;
	let afterLostResponse = false;
	for (let attempts = 1, retries = 0; ; attempts++) {
		const startedAt = Date.now();
		let failure: GraphFailure | undefined;
		let lostResponse: unknown;
		let fatal: unknown;
		let release = () => undefined as void;
		try {
			if (policy.gated) release = await acquire(target.gateKey, undefined, notSentSignal(deadline, 'a free mailbox slot'));
			const info = { afterLostResponse, timeoutMs: remainingMs(deadline), deadline };
			const result = await withDeadline(attempt(info), deadline);
			if (result.statusCode < 300) return result.value;
			failure = { statusCode: result.statusCode, headers: result.headers, body: result.body };
		} catch (error) {
			const kind = classifyFailure(ctx, error);
			if (kind === 'graph') failure = (error as GraphHttpError).failure;
			else if (kind === 'lost') lostResponse = error;
			else if (kind === 'notSent') throw notSentError(ctx, target, error as NotSentError);
			else fatal = error;
		} finally {
			release();
		}
		if (fatal !== undefined) throw isTokenEndpointRefusal(fatal) ? tokenEndpointError(ctx, target, fatal) : fatal;
		if (failure && failure.statusCode < 400) throw new GraphRedirect(failure);
		afterLostResponse = lostResponse !== undefined;

		if (lostResponse !== undefined) {
			const delay = getDelay(retries + 1, policy);
			if (policy.idempotent && retries < policy.maxRetries && !isPast(deadline, Date.now() + delay)) {
				retries++;
				await sleep(delay);
				continue;
			}
			throw lostResponseError(ctx, target, lostResponse, policy, attempts);
		}
		const status = failure!.statusCode;
		if (status === 401 && !refreshed && !isPast(deadline)) {
			refreshed = true;
			try {
				await withDeadline(refreshTokenOnce(ctx, target, startedAt), deadline, 'the token endpoint');
			} catch (error) {
				throw isTokenEndpointRefusal(error)
					? tokenEndpointError(ctx, target, error)
					: lostResponseError(ctx, target, error, { ...policy, idempotent: false }, attempts, 'token');
			}
			continue;
		}
		if (isRetryStatus(status, policy) && retries < policy.maxRetries) {
			const delay = getDelay(retries + 1, policy, failure!.headers);
			// A wait that would end after the item's deadline is not started: Graph's answer is the result.
			if (!isPast(deadline, Date.now() + delay)) {
				retries++;
				if (status === 429 || status === 503) pause(target.gateKey, Date.now() + delay);
				else await sleep(delay);
				continue;
			}
		}
		throw toNodeApiError(ctx.getNode(), failure!, target.itemIndex);
	}
}

/** The item's Timeout passed before its request was sent (slot or batch queue): safe to run again. */
function notSentError(ctx: GraphContext, target: GraphTarget, error: NotSentError): NodeApiError {
	const message = `Not sent to Microsoft Graph: ${error.message}`;
	const notSent = new NodeApiError(ctx.getNode(), { message: error.message }, { message, itemIndex: target.itemIndex, httpCode: 'none' });
	notSent.message = message;
	return notSent;
}

function lostResponseError(
	ctx: GraphContext,
	target: GraphTarget,
	error: unknown,
	policy: RetryPolicy,
	attempts: number,
	stage: 'graph' | 'token' = 'graph',
): NodeApiError {
	const reason = error instanceof MalformedResponseError || error instanceof DeadlineError ? error.message : networkErrorMessage(error);
	const message =
		stage === 'token'
			? `Could not renew the Microsoft access token (${reason}). Nothing was sent to Microsoft Graph with it; check the credential's token URL and try again.`
			: policy.idempotent
				? `No usable answer from Microsoft Graph after ${attempts} attempt${attempts === 1 ? '' : 's'} (${reason})`
				: `The connection to Microsoft Graph failed before an answer arrived (${reason}). The request may have been carried out (a message may have been sent): check before running it again.`;
	const lost = new NodeApiError(ctx.getNode(), { message: reason }, { message, itemIndex: target.itemIndex, httpCode: 'none' });
	// NodeApiError replaces messages that mention ECONNRESET & co. with a generic text: keep ours.
	lost.message = message;
	return lost;
}
