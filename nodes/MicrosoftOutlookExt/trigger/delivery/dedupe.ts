/**
 * Duplicate change notifications. Within one POST the check is exact. Across POSTs two memories are
 * used: one in this process (concurrent POSTs handled by the same n8n process see each other's
 * entries at once) and one in the workflow's static data (other processes, e.g. separate webhook
 * processes in queue mode, see it once n8n has saved it). n8n saves static data last-write-wins
 * after each request, so concurrent POSTs on different processes can still both get through.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_DUPLICATE_WINDOW_SECONDS = 10;
/** An item is created or deleted once: those notifications are remembered at least this long. */
export const ONCE_ONLY_MEMORY_MS = 10 * 60_000;
/** Bounds the static data written on every delivery. */
export const MAX_REMEMBERED = 500;

/** Remembered notification keys → until when (ms) a repeat counts as a duplicate. */
export type DuplicateMemory = Record<string, number>;

/** Key of "this change of this item": change type + item ID (the resource path when there is no ID). */
export function notificationKey(changeType: string, resourceId: string): string {
	return createHash('sha256').update(`${changeType}\n${resourceId}`).digest('base64url').slice(0, 22);
}

/**
 * "This change of this item": change type, item ID and the item's change key (`@odata.etag`), which
 * Graph repeats in a re-sent notification (and a delta query shows for the same state) but which
 * differs for the next change of the same item.
 */
export function changeKey(changeType: string, itemId: string, etag: unknown): string {
	return notificationKey(changeType, typeof etag === 'string' && etag !== '' ? `${itemId}\n${etag}` : itemId);
}

/** The memory's scope: one trigger node of one workflow (the same in its webhook and its trigger()). */
export function duplicateScope(ctx: { getWorkflow(): { id?: string }; getNode(): { name: string } }): string {
	return `${String(ctx.getWorkflow().id)}|${ctx.getNode().name}`;
}

/** How long a notification of this change type is remembered, for a window in seconds (0 = not at all). */
export function memoryMs(changeType: string, windowSeconds: number): number {
	if (windowSeconds <= 0) return 0;
	const window = windowSeconds * 1000;
	return changeType === 'updated' ? window : Math.max(window, ONCE_ONLY_MEMORY_MS);
}

/** The first occurrence of every key, in order. */
export function firstOfEachKey<T>(entries: T[], keyOf: (entry: T) => string): T[] {
	const seen = new Set<string>();
	return entries.filter((entry) => {
		const key = keyOf(entry);
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** The memory without expired entries and, over the cap, without the soonest-expiring ones. */
export function prunedMemory(memory: DuplicateMemory | undefined, now: number): DuplicateMemory {
	const live = Object.entries(memory ?? {}).filter(([, until]) => typeof until === 'number' && until > now);
	live.sort((a, b) => b[1] - a[1]);
	return Object.fromEntries(live.slice(0, MAX_REMEMBERED));
}

/**
 * Splits keys into fresh and already remembered, and returns the memory with the fresh ones added
 * (`ttlMs` per key; keys with a ttl of 0 are never remembered).
 */
export function rememberFresh(
	memory: DuplicateMemory | undefined,
	entries: Array<{ key: string; ttlMs: number }>,
	now: number,
): { fresh: boolean[]; memory: DuplicateMemory } {
	const next = prunedMemory(memory, now);
	const fresh = entries.map(({ key, ttlMs }) => {
		if (next[key] !== undefined) return false;
		if (ttlMs > 0) next[key] = now + ttlMs;
		return true;
	});
	return { fresh, memory: prunedMemory(next, now) };
}

/** Per webhook URL (one per trigger node): the memory of this process. A cache, lost on restart by design. */
const processMemories = new Map<string, DuplicateMemory>();

/**
 * Checks and records keys against both memories in one synchronous step (no await in between, so
 * concurrent requests in this process cannot interleave). Returns which entries are fresh and the
 * merged memory to save in static data.
 */
export function checkDuplicates(
	scope: string,
	stored: DuplicateMemory | undefined,
	entries: Array<{ key: string; ttlMs: number }>,
	now: number,
): { fresh: boolean[]; memory: DuplicateMemory } {
	const merged = { ...prunedMemory(stored, now), ...prunedMemory(processMemories.get(scope), now) };
	const result = rememberFresh(merged, entries, now);
	if (Object.keys(result.memory).length > 0) processMemories.set(scope, result.memory);
	else processMemories.delete(scope);
	// Forget memories of triggers that have been quiet for longer than anything is remembered.
	for (const [other, memory] of processMemories) {
		if (other !== scope && Object.values(memory).every((until) => until <= now)) processMemories.delete(other);
	}
	return result;
}
