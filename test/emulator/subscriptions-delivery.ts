/**
 * Delivery of change and lifecycle notifications: batching per URL, the 3-second answer rule,
 * exponential-backoff retries, and the in-order delivery log tests read.
 */
import type { EmulatorCore } from './types';
import { postTo } from './subscriptions-http';
import { notificationPayload } from './subscriptions-rich';
import { type DeliveryLogEntry, type SubscriptionsState, isLive, stateOf } from './subscriptions-state';

type Kind = DeliveryLogEntry['kind'];
type Item = Record<string, unknown>;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** POSTs on their way (or waiting to be retried), per emulator and URL: see deliveriesInProgress(). */
const inFlight = new WeakMap<SubscriptionsState, Map<string, number>>();

function countInFlight(state: SubscriptionsState, url: string, delta: number): void {
	const counts = inFlight.get(state) ?? new Map<string, number>();
	inFlight.set(state, counts);
	counts.set(url, (counts.get(url) ?? 0) + delta);
}

/**
 * Notifications for `url` that are still queued in a batch, on their way or waiting for a retry. At 0,
 * Graph has nothing more to send there and every answer is in the log: what tests wait for before they
 * check that a change started no run (no fixed sleep).
 */
export function deliveriesInProgress(core: EmulatorCore, url: string): number {
	const state = stateOf(core);
	const queued = [...state.batches.values()].filter((batch) => batch.url === url).length;
	return queued + (inFlight.get(state)?.get(url) ?? 0);
}

/**
 * Queues one notification item for `url`. Items for the same URL that arrive within the batch window
 * go out together in one `{"value":[...]}` POST, as Graph does. Never blocks the caller.
 */
export function enqueueDelivery(core: EmulatorCore, kind: Kind, url: string, item: Item): void {
	const state = stateOf(core);
	const key = `${kind} ${url}`;
	const pending = state.batches.get(key);
	if (pending) {
		pending.items.push(item);
		return;
	}
	const timer = setTimeout(() => {
		state.batches.delete(key);
		void deliver(core, state, kind, url, batch.items, 1, state.generation);
	}, state.config.batchWindowMs);
	timer.unref();
	const batch = { kind, url, items: [item], timer };
	state.batches.set(key, batch);
}

/** Sends right away (no batching) and resolves with the first attempt's log entry; retries continue in the background. */
export function deliverNow(core: EmulatorCore, kind: Kind, url: string, items: Item[]): Promise<DeliveryLogEntry> {
	const state = stateOf(core);
	return deliver(core, state, kind, url, items, 1, state.generation);
}

async function deliver(
	core: EmulatorCore,
	state: SubscriptionsState,
	kind: Kind,
	url: string,
	items: Item[],
	attempt: number,
	generation: number,
): Promise<DeliveryLogEntry> {
	// An expired subscription is deleted by Graph, and its pending change notifications with it (a retry of a
	// notification queued before n8n went down does not arrive days later, after the clock moved).
	if (kind === 'notification') {
		items = items.filter((item) => {
			const subscription = state.subscriptions.get(String(item.subscriptionId));
			return subscription !== undefined && isLive(subscription, core.now());
		});
		if (items.length === 0) return { kind, subscriptionId: '', subscriptionIds: [], url, payload: { value: [] }, attempt, status: null, durationMs: 0, at: core.now(), delivered: false };
	}
	// Rich items add `validationTokens` (signed per attempt) and may be tampered with (subscriptions-rich.ts).
	const payload = notificationPayload(core, items);
	const at = core.now();
	countInFlight(state, url, 1);
	const result = await postTo(url, JSON.stringify(payload), JSON_CONTENT_TYPE, state.config.deliveryTimeoutMs).finally(() => countInFlight(state, url, -1));
	const delivered = result.status !== null && result.status >= 200 && result.status < 300;
	const subscriptionIds = [...new Set(items.map((item) => String(item.subscriptionId)))];
	const entry: DeliveryLogEntry = {
		kind,
		subscriptionId: subscriptionIds[0],
		subscriptionIds,
		url,
		payload,
		attempt,
		status: result.status,
		...(result.failure ? { failure: result.failure } : {}),
		durationMs: result.durationMs,
		at,
		delivered,
	};
	// A reset while the POST was in flight means this delivery belongs to a world that no longer exists.
	if (generation !== state.generation) return entry;
	state.log.push(entry);
	state.events.emit('entry', entry);
	if (!delivered && attempt < state.config.maxAttempts) scheduleRetry(core, state, kind, url, items, attempt, generation);
	return entry;
}

function scheduleRetry(
	core: EmulatorCore,
	state: SubscriptionsState,
	kind: Kind,
	url: string,
	items: Item[],
	attempt: number,
	generation: number,
): void {
	const delayMs = state.config.retryBaseMs * 2 ** (attempt - 1);
	countInFlight(state, url, 1);
	const timer = setTimeout(() => {
		countInFlight(state, url, -1);
		if (generation === state.generation) void deliver(core, state, kind, url, items, attempt + 1, generation);
	}, delayMs);
	timer.unref();
}

/** A copy of the delivery log, oldest first: one entry per POST attempt. */
export function deliveryLog(core: EmulatorCore): DeliveryLogEntry[] {
	return [...stateOf(core).log];
}

export function clearDeliveryLog(core: EmulatorCore): void {
	stateOf(core).log.length = 0;
}

export interface WaitFilter {
	kind?: Kind;
	/** Count failed attempts too (default: only delivered ones). */
	includeFailed?: boolean;
	subscriptionId?: string;
}

/**
 * Resolves with the matching log entries once there are at least `n` of them (by default: successful
 * deliveries of any kind); rejects after `timeoutMs` with how many were seen.
 */
export function waitForDeliveries(
	core: EmulatorCore,
	n: number,
	timeoutMs = 5000,
	filter: WaitFilter = {},
): Promise<DeliveryLogEntry[]> {
	const state = stateOf(core);
	const matching = () => state.log.filter((entry) => matches(entry, filter));
	return new Promise((resolve, reject) => {
		const check = () => {
			const found = matching();
			if (found.length < n) return;
			cleanup();
			resolve(found);
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(new Error(`waitForDeliveries: expected ${n} deliveries within ${timeoutMs} ms, saw ${matching().length}`));
		}, timeoutMs);
		const cleanup = () => {
			clearTimeout(timer);
			state.events.off('entry', check);
		};
		state.events.on('entry', check);
		check();
	});
}

function matches(entry: DeliveryLogEntry, filter: WaitFilter): boolean {
	if (!filter.includeFailed && !entry.delivered) return false;
	if (filter.kind && entry.kind !== filter.kind) return false;
	if (filter.subscriptionId && !entry.subscriptionIds.includes(filter.subscriptionId)) return false;
	return true;
}
