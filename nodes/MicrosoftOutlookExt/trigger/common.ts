/**
 * What every part of the trigger shares: its log prefix, the n8n contexts it runs in, what it watches and
 * the error a bad parameter gives. No imports from the trigger's own files, so nothing here closes a cycle.
 */
import type { IHookFunctions, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const LOG_PREFIX = 'Microsoft Outlook Ext Trigger:';

/** The n8n contexts the trigger runs in: webhook hooks, the webhook itself, and trigger(). */
export type TriggerContext = IHookFunctions | IWebhookFunctions | ITriggerFunctions;

/** Where subscriptions are managed: n8n's webhook hooks and the webhook itself (both know the webhook URL). */
export type SubscriberContext = IHookFunctions | IWebhookFunctions;

export type Watch = 'messages' | 'events' | 'contacts';

/** A parameter that cannot be used: what is wrong (message) and how to fix it (description). */
export function settingsError(ctx: TriggerContext, message: string, description: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { description });
}

/** A Map that keeps at most `limit` entries, forgetting the least recently used: for per-process caches. */
export class LruMap<K, V> {
	private readonly entries = new Map<K, V>();

	constructor(private readonly limit: number) {}

	get(key: K): V | undefined {
		const value = this.entries.get(key);
		if (value === undefined) return undefined;
		// Re-inserted: Map keeps insertion order, so the first key is the least recently used.
		this.entries.delete(key);
		this.entries.set(key, value);
		return value;
	}

	set(key: K, value: V): void {
		this.entries.delete(key);
		this.entries.set(key, value);
		while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as K);
	}

	delete(key: K): void {
		this.entries.delete(key);
	}

	clear(): void {
		this.entries.clear();
	}

	get size(): number {
		return this.entries.size;
	}
}
