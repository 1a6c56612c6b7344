/**
 * What the trigger keeps in n8n (the workflow's static data for this node), so it survives restarts
 * and works with separate webhook processes. n8n saves it after the hook or webhook call that
 * changed it; concurrent webhook calls are last-write-wins (n8n-facts §8), so only small, rarely
 * changing facts live here. The clientState itself is never stored (n8n copies static data into
 * every execution): only its hash and the nonce it is derived from (subscription/clientState.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import type { DuplicateMemory } from './delivery/dedupe';
import { hashClientState } from './subscription/clientState';
import type { TriggerContext } from './common';

export interface SubscriptionRecord {
	subscriptionId: string;
	/** sha256 of the clientState (checks deliveries). */
	clientStateHash: string;
	/** What the clientState is derived from, with the credential's client secret. */
	clientStateNonce: string;
	/** ISO, as Graph answered it. */
	expirationDateTime: string;
	/** ISO (Graph's clock) of the create or last renewal: with the expiry it gives the lifetime. */
	renewedAt: string;
	resource: string;
	changeType: string;
}

const RECORD_FIELDS: Array<keyof SubscriptionRecord> = [
	'subscriptionId',
	'clientStateHash',
	'clientStateNonce',
	'expirationDateTime',
	'renewedAt',
	'resource',
	'changeType',
];
const MEMORY_FIELD = 'recentNotifications';
const FLAGGED_FIELD = 'flaggedMessages';
/** Flagged messages already reported (Mail Flagged): kept this long at most, and at most this many. */
const FLAGGED_MEMORY_MS = 90 * 24 * 60 * 60_000;
const MAX_FLAGGED = 1000;

export function staticDataOf(ctx: TriggerContext): IDataObject {
	const data = ctx.getWorkflowStaticData('node');
	// Static data of earlier versions held the clientState itself: keep only its hash.
	if (typeof data.clientState === 'string') {
		if (data.clientState !== '') data.clientStateHash = hashClientState(data.clientState);
		delete data.clientState;
	}
	return data;
}

/** The stored subscription, or undefined when any field is missing (never activated, or cleared). */
export function storedSubscription(data: IDataObject): SubscriptionRecord | undefined {
	// The nonce may be missing (static data of earlier versions): a replacement then gets a new secret.
	const required = RECORD_FIELDS.filter((field) => field !== 'clientStateNonce');
	if (required.some((field) => typeof data[field] !== 'string' || data[field] === '')) return undefined;
	return Object.fromEntries(RECORD_FIELDS.map((field) => [field, data[field] ?? ''])) as unknown as SubscriptionRecord;
}

/** The clientState's hash and nonce alone (kept while a replacement subscription is being created). */
export function storedClientStateHash(data: IDataObject): { clientStateHash: string; clientStateNonce?: string } | undefined {
	if (typeof data.clientStateHash !== 'string' || data.clientStateHash === '') return undefined;
	return { clientStateHash: data.clientStateHash, clientStateNonce: typeof data.clientStateNonce === 'string' ? data.clientStateNonce : undefined };
}

/** Writes only changed fields: an unchanged static data object is not saved by n8n at all. */
export function storeSubscription(data: IDataObject, record: SubscriptionRecord): void {
	for (const field of RECORD_FIELDS) {
		if (data[field] !== record[field]) data[field] = record[field];
	}
}

export function clearSubscription(data: IDataObject): void {
	for (const field of [...RECORD_FIELDS, MEMORY_FIELD, FLAGGED_FIELD, 'clientState']) {
		if (field in data) delete data[field];
	}
}

export function duplicateMemory(data: IDataObject): DuplicateMemory | undefined {
	const memory = data[MEMORY_FIELD];
	return memory && typeof memory === 'object' && !Array.isArray(memory) ? (memory as DuplicateMemory) : undefined;
}

/** Replaces the memory as a whole (n8n only notices assignments to the stored object). */
export function storeDuplicateMemory(data: IDataObject, memory: DuplicateMemory): void {
	const before = duplicateMemory(data) ?? {};
	const same = Object.keys(before).length === Object.keys(memory).length && Object.entries(memory).every(([k, v]) => before[k] === v);
	if (!same) data[MEMORY_FIELD] = { ...memory };
}

/** The Mail Flagged memory: message ID → until when it counts as reported. Changes are written back at once. */
export function flagMemory(data: IDataObject, now = Date.now()): { ids: Record<string, number>; remember: (id: string) => void; forget: (id: string) => void } {
	const stored = data[FLAGGED_FIELD];
	const ids: Record<string, number> = {};
	if (stored && typeof stored === 'object' && !Array.isArray(stored)) {
		for (const [id, until] of Object.entries(stored as Record<string, unknown>)) if (typeof until === 'number' && until > now) ids[id] = until;
	}
	const save = () => {
		const kept = Object.entries(ids)
			.sort((a, b) => b[1] - a[1])
			.slice(0, MAX_FLAGGED);
		// n8n only notices assignments to the stored object.
		data[FLAGGED_FIELD] = Object.fromEntries(kept);
	};
	return {
		ids,
		remember: (id) => {
			ids[id] = now + FLAGGED_MEMORY_MS;
			save();
		},
		forget: (id) => {
			delete ids[id];
			save();
		},
	};
}
