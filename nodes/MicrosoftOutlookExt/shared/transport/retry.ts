/** Retry policy, after the Graph SDK's RetryHandler: Retry-After first, else capped exponential backoff. */
import { headerValue } from './headers';

export const RETRY_STATUS_CODES = [429, 503, 504];

/** Longest single wait we accept (seconds), even if Graph asks for more. */
export const MAX_DELAY_SECONDS = 180;

export interface RetryPolicy {
	/** Retries after the first attempt. */
	maxRetries: number;
	/** Backoff base when Graph gives no Retry-After. */
	delayMs: number;
	exponential: boolean;
	/** Raw Request's "Retry On All Errors": also 4xx (except 401, handled by refresh). */
	retryOnAllErrors: boolean;
	/** Whether repeating the request is harmless. Non-idempotent requests never retry a lost response. */
	idempotent: boolean;
	/** How long one attempt may wait for an answer (ms). */
	timeoutMs: number;
	/** The attempt takes a mailbox slot itself (false when a JSON batch holds the slots for it). */
	gated: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 6,
	delayMs: 1000,
	exponential: true,
	retryOnAllErrors: false,
	idempotent: true,
	timeoutMs: 120_000,
	gated: true,
};

/**
 * Whether a status may be retried. 429 and 503 mean Graph did not process the request, so even a
 * send is safe to repeat; 500/504 may have been processed, so only idempotent requests repeat them.
 */
export function isRetryStatus(status: number, policy: RetryPolicy): boolean {
	if (status === 429 || status === 503) return true;
	if (status >= 500) return policy.idempotent;
	return policy.retryOnAllErrors && status >= 400 && status !== 401 && policy.idempotent;
}

/** Retry-After as milliseconds: seconds (may be fractional, e.g. "2.128") or an HTTP date. */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()): number | undefined {
	const value = headerValue(headers, 'retry-after');
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delay before retry number `attempt` (1-based). */
export function getDelay(attempt: number, policy: RetryPolicy, headers?: Record<string, unknown>): number {
	const fromHeader = retryAfterMs(headers);
	const backoff = policy.exponential ? policy.delayMs * 2 ** (attempt - 1) : policy.delayMs;
	return Math.min(fromHeader ?? backoff, MAX_DELAY_SECONDS * 1000);
}
