import { sleep } from 'n8n-workflow';

/**
 * Outlook allows 4 concurrent requests per app and mailbox, but n8n starts every input item's
 * request at once. A gate per (credential, mailbox) keeps at most `limit` in flight and shares
 * throttling pauses: when Graph says "Retry-After", every request for that mailbox waits.
 * Gates live in this process; with several n8n workers the limit applies per worker.
 *
 * Who holds a slot is decided by `slotHolder` below, and nowhere else.
 */
export const MAILBOX_CONCURRENCY = 4;

/**
 * Who takes the mailbox slot for one request of an item:
 * - 'attempt': an unbatched request holds a slot for each attempt (policy.ts, `gated`);
 * - 'batch': a batched request travels in a serial batch, which holds one slot for all its members (batch.ts pump);
 * - 'send': batching was on but this request cannot travel in a batch (binary, large body): the
 *   attempt took no slot, so the send takes one (batch.ts withBatchedHelper).
 */
export function slotHolder(batching: boolean, batchable = true): 'attempt' | 'batch' | 'send' {
	if (!batching) return 'attempt';
	return batchable ? 'batch' : 'send';
}

interface Gate {
	active: number;
	waiting: Array<() => void>;
	pausedUntil: number;
}

const gates = new Map<string, Gate>();

function gateFor(key: string): Gate {
	let gate = gates.get(key);
	if (!gate) {
		gate = { active: 0, waiting: [], pausedUntil: 0 };
		gates.set(key, gate);
	}
	return gate;
}

/** Waits for `ms` or until `signal` aborts, whichever comes first. */
async function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (!signal) return await sleep(ms);
	// Not AbortSignal.any with AbortSignal.timeout: Node holds the timeout signal weakly there, and the wait may never end.
	let onAbort = () => undefined as void;
	const aborted = new Promise<void>((resolve) => {
		onAbort = resolve;
		signal.addEventListener('abort', onAbort, { once: true });
	});
	await Promise.race([sleep(ms), aborted]);
	signal.removeEventListener('abort', onAbort);
}

/**
 * Waits for a slot (and for any throttling pause), returns the release function. When `signal`
 * aborts first (the item's deadline), the wait ends with the signal's reason and no slot is kept.
 */
export async function acquire(key: string, limit = MAILBOX_CONCURRENCY, signal?: AbortSignal): Promise<() => void> {
	if (signal?.aborted) throw signal.reason;
	const gate = gateFor(key);
	if (gate.active >= limit) {
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				const index = gate.waiting.indexOf(handOver);
				if (index < 0) return;
				gate.waiting.splice(index, 1);
				reject(signal!.reason);
			};
			const handOver = () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			gate.waiting.push(handOver);
		});
	} else {
		gate.active++;
	}
	let released = false;
	const release = () => {
		if (released) return;
		released = true;
		const next = gate.waiting.shift();
		if (next) next();
		else gate.active--;
		if (gate.active === 0 && gate.waiting.length === 0 && gate.pausedUntil < Date.now()) gates.delete(key);
	};
	// The slot is ours (handed over directly on release). Honour a pause set by a throttled sibling.
	for (let wait = gate.pausedUntil - Date.now(); wait > 0; wait = gate.pausedUntil - Date.now()) {
		await waitOrAbort(wait, signal);
		if (signal?.aborted) {
			release();
			throw signal.reason;
		}
	}
	return release;
}

/** Graph throttled this mailbox: hold every request for it until `until` (epoch ms). */
export function pause(key: string, until: number): void {
	const gate = gateFor(key);
	gate.pausedUntil = Math.max(gate.pausedUntil, until);
}
