import { sleep } from 'n8n-workflow';

/**
 * Outlook allows 4 concurrent requests per app and mailbox, but n8n starts every input item's
 * request at once. A gate per (credential, mailbox) keeps at most `limit` in flight and shares
 * throttling pauses: when Graph says "Retry-After", every request for that mailbox waits.
 * Gates live in this process; with several n8n workers the limit applies per worker.
 */
export const MAILBOX_CONCURRENCY = 4;

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

/** Waits for a slot (and for any throttling pause), returns the release function. */
export async function acquire(key: string, limit = MAILBOX_CONCURRENCY): Promise<() => void> {
	const gate = gateFor(key);
	if (gate.active >= limit) {
		await new Promise<void>((resolve) => gate.waiting.push(resolve));
	} else {
		gate.active++;
	}
	// The slot is ours (handed over directly on release). Honour a pause set by a throttled sibling.
	for (let wait = gate.pausedUntil - Date.now(); wait > 0; wait = gate.pausedUntil - Date.now()) {
		await sleep(wait);
	}
	let released = false;
	return () => {
		if (released) return;
		released = true;
		const next = gate.waiting.shift();
		if (next) next();
		else gate.active--;
		if (gate.active === 0 && gate.waiting.length === 0 && gate.pausedUntil < Date.now()) gates.delete(key);
	};
}

/** Graph throttled this mailbox: hold every request for it until `until` (epoch ms). */
export function pause(key: string, until: number): void {
	const gate = gateFor(key);
	gate.pausedUntil = Math.max(gate.pausedUntil, until);
}
