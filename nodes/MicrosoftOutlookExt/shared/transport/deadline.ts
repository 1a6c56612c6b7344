/**
 * The item's deadline: Request Options → Timeout bounds everything one request of an item does —
 * waiting for a mailbox slot, every attempt, the waits between them and the token requests n8n
 * makes before them — not each attempt on its own.
 */

/** No answer within the item's Timeout (Graph, or the token endpoint n8n asks first). */
export class DeadlineError extends Error {}

/** The item's Timeout passed before its request left (waiting for a mailbox slot or in a batch queue): nothing was sent. */
export class NotSentError extends DeadlineError {}

export interface Deadline {
	/** Epoch ms by which the work must be over. */
	at: number;
	/** The Timeout it was made from (ms), for messages. */
	timeoutMs: number;
}

export function deadlineAfter(timeoutMs: number, now = Date.now()): Deadline {
	return { at: now + timeoutMs, timeoutMs };
}

/** Milliseconds left, at least 1 (n8n treats a timeout of 0 as "none"). */
export function remainingMs(deadline: Deadline, now = Date.now()): number {
	return Math.max(1, deadline.at - now);
}

export function isPast(deadline: Deadline, now = Date.now()): boolean {
	return now >= deadline.at;
}

export function deadlineError(deadline: Deadline, what = 'Microsoft Graph or the token endpoint'): DeadlineError {
	return new DeadlineError(`no answer from ${what} within ${Math.round(deadline.timeoutMs / 1000)} s`);
}

/** Grace after the deadline so a plain Graph timeout keeps n8n's own wording (its timer fires first). */
const GRACE_MS = 1000;

/**
 * `work`, or a DeadlineError once the deadline (plus a little grace) has passed. n8n's own timeout
 * covers the Graph request, but not the token request n8n makes before it (client credentials) or a
 * refresh: a token endpoint that never answers would hang the item.
 */
export async function withDeadline<T>(work: Promise<T>, deadline: Deadline, what?: string): Promise<T> {
	// The signal's timer is unref'd and needs no clearing (n8n-workflow 2.41 has no sleepWithAbort).
	const signal = AbortSignal.timeout(remainingMs(deadline) + GRACE_MS);
	const expired = new Promise<never>((_resolve, reject) => {
		signal.addEventListener('abort', () => reject(deadlineError(deadline, what)), { once: true });
	});
	// When the work wins, the later rejection must not surface as unhandled.
	expired.catch(() => undefined);
	return await Promise.race([work, expired]);
}

/**
 * A signal that aborts exactly at the deadline, its reason a NotSentError: for work waiting on the
 * item's behalf (a mailbox slot, a place in a batch), which is then dropped before it is sent.
 */
export function notSentSignal(deadline: Deadline, waitingFor: string): AbortSignal {
	const controller = new AbortController();
	// AbortSignal.timeout's timer is unref'd (it never keeps n8n alive) and needs no clearing.
	AbortSignal.timeout(remainingMs(deadline)).addEventListener(
		'abort',
		() => {
			const seconds = Math.round(deadline.timeoutMs / 1000);
			controller.abort(new NotSentError(`the Timeout of ${seconds} s passed while waiting for ${waitingFor}; nothing was sent`));
		},
		{ once: true },
	);
	return controller.signal;
}
