/**
 * State of the subscriptions module: the subscriptions themselves (they belong to apps, not to one
 * mailbox, so they live per emulator rather than in `core.moduleState`), the tunable limits and the
 * delivery log.
 */
import { EventEmitter } from 'node:events';
import type { EmulatorCore } from './types';
import type { ResourceKind } from './subscriptions-resource';

export type ChangeTypeName = 'created' | 'updated' | 'deleted';
export type LifecycleEventName = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface StoredSubscription {
	id: string;
	/** As given by the client (echoed back). */
	resource: string;
	changeType: string;
	changeTypes: Set<ChangeTypeName>;
	clientState: string | null;
	notificationUrl: string;
	lifecycleNotificationUrl: string | null;
	latestSupportedTlsVersion: string;
	applicationId: string;
	creatorId: string;
	/** Delegated creator (the token's user); undefined for app-only subscriptions. */
	createdByUserId?: string;
	/** The mailbox whose changes are watched. */
	mailboxUserId: string;
	kind: ResourceKind;
	/** Resolved folder id (messages) or calendar id (events); undefined = whole mailbox. */
	containerId?: string;
	/** Emulator-clock ms. */
	expiresAt: number;
	/** Start of the current expiry period (creation or last renewal), for the "1/4 of lifetime" rule. */
	periodStart: number;
	/** `expiresAt` for which a reauthorizationRequired was already sent (one per expiry period). */
	reauthorizationSentFor?: number;
	/** Last POST /reauthorize (emulator-clock ms), for debugging. */
	reauthorizedAt?: number;
}

export interface SubscriptionsConfig {
	/** Maximum lifetime in minutes (Outlook today: 10,080; older tenants: 4,230). */
	maxMinutes: number;
	/** Shorter requested lifetimes are raised to this. */
	minMinutes: number;
	maxPerMailbox: number;
	/** Subscriber must answer a validation request within this. */
	validationTimeoutMs: number;
	/** Subscriber must answer a notification within this. */
	deliveryTimeoutMs: number;
	/** First retry delay; doubles with each attempt. */
	retryBaseMs: number;
	/** Attempts per notification POST before it is dropped. */
	maxAttempts: number;
	/** Changes for the same URL within this window go out in one POST. */
	batchWindowMs: number;
	/**
	 * Test control: this many upcoming change notifications are lost (never sent), as when Graph gives up
	 * on a delivery; counts down. Graph then sends a `missed` lifecycle event (send it with the control route).
	 */
	loseNextChangeNotifications: number;
	/**
	 * Test control: the answer to a successful create waits this long after the subscription is live (a slow
	 * way back). Graph delivers from the moment the subscription exists, so the subscriber may get
	 * notifications before it has the create answer.
	 */
	createdReplyDelayMs: number;
}

export const DEFAULT_CONFIG: Readonly<SubscriptionsConfig> = Object.freeze({
	maxMinutes: 10080,
	minMinutes: 45,
	maxPerMailbox: 1000,
	validationTimeoutMs: 10_000,
	deliveryTimeoutMs: 3_000,
	retryBaseMs: 500,
	maxAttempts: 6,
	batchWindowMs: 25,
	loseNextChangeNotifications: 0,
	createdReplyDelayMs: 0,
});

export interface DeliveryLogEntry {
	kind: 'notification' | 'lifecycle';
	/** The first subscription in the payload (a batch may carry several). */
	subscriptionId: string;
	subscriptionIds: string[];
	url: string;
	payload: { value: Array<Record<string, unknown>> };
	/** 1 for the first try, 2 for the first retry, ... */
	attempt: number;
	/** Receiver's HTTP status, or null when it did not answer in time / could not be reached. */
	status: number | null;
	failure?: 'timeout' | 'network';
	durationMs: number;
	/** Emulator-clock ms when the attempt started. */
	at: number;
	delivered: boolean;
}

export interface SubscriptionsState {
	subscriptions: Map<string, StoredSubscription>;
	config: SubscriptionsConfig;
	log: DeliveryLogEntry[];
	/** Fires 'entry' for every log entry, so waiters need no polling. */
	events: EventEmitter;
	/** Bumped on reset so in-flight retries of the previous generation stop quietly. */
	generation: number;
	/** Pending batches keyed by kind + URL. */
	batches: Map<string, PendingBatch>;
}

export interface PendingBatch {
	kind: DeliveryLogEntry['kind'];
	url: string;
	items: Array<Record<string, unknown>>;
	timer: NodeJS.Timeout;
}

const states = new WeakMap<EmulatorCore, SubscriptionsState>();

export function stateOf(core: EmulatorCore): SubscriptionsState {
	let state = states.get(core);
	if (!state) {
		const events = new EventEmitter();
		events.setMaxListeners(0);
		state = {
			subscriptions: new Map(),
			config: { ...DEFAULT_CONFIG },
			log: [],
			events,
			generation: 0,
			batches: new Map(),
		};
		states.set(core, state);
	}
	return state;
}

/** Forget subscriptions, pending batches and the log, and restore the default limits (as the core does for its own). */
export function clearState(state: SubscriptionsState): void {
	state.config = { ...DEFAULT_CONFIG };
	state.generation++;
	for (const batch of state.batches.values()) clearTimeout(batch.timer);
	state.batches.clear();
	state.subscriptions.clear();
	state.log.length = 0;
}

/** Applies the numeric fields of `patch` that are valid; returns the names of the invalid ones. */
export function applyConfig(config: SubscriptionsConfig, patch: Record<string, unknown>): string[] {
	const invalid: string[] = [];
	for (const [key, value] of Object.entries(patch)) {
		if (!(key in DEFAULT_CONFIG)) {
			invalid.push(key);
			continue;
		}
		const minimum = key === 'maxAttempts' || key === 'maxPerMailbox' ? 1 : 0;
		if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
			invalid.push(key);
			continue;
		}
		config[key as keyof SubscriptionsConfig] = value;
	}
	return invalid;
}

export function isLive(subscription: StoredSubscription, now: number): boolean {
	return now < subscription.expiresAt;
}

/** Drops expired subscriptions. Graph removes them without telling anyone. */
export function sweepExpired(state: SubscriptionsState, now: number): void {
	for (const [id, subscription] of state.subscriptions) {
		if (!isLive(subscription, now)) state.subscriptions.delete(id);
	}
}
