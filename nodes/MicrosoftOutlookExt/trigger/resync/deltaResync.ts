/**
 * Lossless resync with delta query (version 2 of the trigger). A delta link per watched folder or
 * calendar is kept in static data. When notifications may have been lost — a `missed` lifecycle event,
 * a subscription that had to be created again, every start of n8n (it may have been down longer than
 * Graph retries) — the changes since that link are read and every one that no notification delivered
 * is output once, with `source: "resync"`. The link then moves to the end of what was read.
 *
 * Bounds and choices:
 * - The first link (baseline) is taken at activation from messages received from then on
 *   (`$filter=receivedDateTime ge …`, which Microsoft documents for message delta), so an Inbox of
 *   50,000 messages costs one request, not 500. Its consequence: a resync sees changes to messages
 *   received after the activation, not to older ones. Calendars use a window of 30 days back and
 *   365 days ahead (calendarView delta needs one); primary calendar only when "All Calendars".
 *   Contacts: delta exists per contact folder only (contact-delta.md: no `/me/contacts/delta` in v1.0)
 *   and takes no filter, so the baseline reads the whole folder once (100 contacts a request).
 * - At most `maxResyncItems` items per resync; the rest are counted in a final `resync` summary item.
 * - An expired link (410 SyncStateNotFound / resyncRequired) falls back to a full read of what
 *   changed since the last sync (mail received since then; events and contacts modified since then), logged.
 * - "Delivered" = the item and change key of every change a notification started a run for since the
 *   last sync (bounded); anything else the delta shows is new to the workflow.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { describeFailure, graphCall, graphNow, httpStatusOf, settle } from '../../shared/graph';
import type { GraphContext } from '../../shared/transport/request';
import { assertNewPage } from '../../shared/transport/request';
import { changeKey, checkDuplicates, duplicateScope, memoryMs } from '../delivery/dedupe';
import { LOG_PREFIX, LruMap } from '../common';
import { duplicateMemory, storeDuplicateMemory } from '../staticData';
import { matchesGraphFilter } from '../config/filters';
import { itemsOf, type Change, type ItemContext } from '../delivery/items';
import type { TriggerSettings } from '../config/settings';

const PAGE_SIZE = 100;
/** The reason hooks/triggerFunction.ts gives for the resync at n8n start. */
export const START_REASON = 'n8n started';
const MAX_DELIVERED = 2000;
const DAY_MS = 24 * 60 * 60_000;
const WINDOW_BACK_MS = 30 * DAY_MS;
const WINDOW_AHEAD_MS = 365 * DAY_MS;

const LINK = 'deltaLink';
const LINK_RESOURCE = 'deltaResource';
const SYNCED_AT = 'deltaSyncedAt';
const DELIVERED = 'deliveredSinceSync';
const FIELDS = [LINK, LINK_RESOURCE, SYNCED_AT, DELIVERED];

interface DeltaState {
	/** Missing when tracking started but the first link could not be read: a full read since `syncedAt` replaces it. */
	link?: string;
	syncedAt: number;
}

/**
 * Graph's time now, down to the whole second: Graph gives receivedDateTime and createdDateTime in whole
 * seconds, so a mail received later in the same second would otherwise fail `receivedDateTime ge` (and
 * count as an update): lost from every later delta round.
 */
function syncTime(settings: TriggerSettings): number {
	return Math.floor(graphNow(settings.target.root) / 1000) * 1000;
}

/** The stored tracking state, if it belongs to what the node watches now. */
function stateFor(data: IDataObject, settings: TriggerSettings): DeltaState | undefined {
	if (data[LINK_RESOURCE] !== settings.resource) return undefined;
	const syncedAt = Date.parse(String(data[SYNCED_AT]));
	if (typeof data[LINK] === 'string') return { link: data[LINK], syncedAt: Number.isFinite(syncedAt) ? syncedAt : 0 };
	return Number.isFinite(syncedAt) ? { syncedAt } : undefined;
}

/**
 * `link` undefined: nothing could be tracked yet (an empty default Contacts folder); the next resync reads from `syncedAt`.
 * `seenAtSync`: the changes this round read that carry the sync's own second. A full read after an expired link
 * asks for everything from that second on, so it reads them again; kept here (not in the duplicate memory, which a
 * re-created subscription clears), they are not output twice.
 */
function store(data: IDataObject, settings: TriggerSettings, link: string | undefined, syncedAt: number, seenAtSync: string[] = []): void {
	if (link === undefined) delete data[LINK];
	else data[LINK] = link;
	data[LINK_RESOURCE] = settings.resource;
	data[SYNCED_AT] = new Date(syncedAt).toISOString();
	data[DELIVERED] = seenAtSync.slice(-MAX_DELIVERED);
}

/** When a change happened, as far as a full read's lower bound sees it: mail by its arrival, the rest by their last change. */
function changedAt(settings: TriggerSettings, item: IDataObject): number {
	return Date.parse(String((settings.watch === 'messages' ? item.receivedDateTime : item.lastModifiedDateTime) ?? ''));
}

export function clearResyncState(data: IDataObject): void {
	for (const field of FIELDS) if (field in data) delete data[field];
}

function deliveredKey(id: string, etag: unknown): string {
	return `${id}|${typeof etag === 'string' ? etag : ''}`;
}

/** Called for every change a notification started a run for (delivery/webhook.ts). */
export function rememberDelivered(data: IDataObject, changes: Array<{ id: string; etag: unknown; changeType: string }>): void {
	if (changes.length === 0 || typeof data[LINK] !== 'string') return;
	const known = Array.isArray(data[DELIVERED]) ? (data[DELIVERED] as string[]) : [];
	const added = changes.map((c) => (c.changeType === 'deleted' ? `${c.id}|deleted` : deliveredKey(c.id, c.etag)));
	// A new array: n8n only notices assignments to the stored object.
	data[DELIVERED] = [...known, ...added].slice(-MAX_DELIVERED);
}

/** The default Contacts folder's ID per mailbox, per process: it never changes. Bounded: one per watched mailbox. */
const defaultContactFolders = new LruMap<string, string>(100);

/**
 * The default Contacts folder's ID, or undefined while it holds no contact. The v1.0 docs name no
 * well-known name for contact folders (mail folders have "inbox"; `contactFolders/contacts` is not
 * documented), and List contactFolders is ambiguous (its text says the folders *in* the default folder,
 * its example lists the "Contacts" folder itself). What is documented: `/me/contacts` lists the default
 * folder's contacts, and each contact's `parentFolderId` is its folder.
 */
async function defaultContactFolderId(ctx: GraphContext, settings: TriggerSettings): Promise<string | undefined> {
	const key = `${settings.target.root}|${settings.target.mailboxPrefix}`;
	const known = defaultContactFolders.get(key);
	if (known) return known;
	const { body } = await graphCall<IDataObject>(ctx, settings.target, { method: 'GET', url: '/me/contacts', qs: { $top: 1, $select: 'parentFolderId' } });
	const first = ((body.value as IDataObject[] | undefined) ?? [])[0];
	const id = typeof first?.parentFolderId === 'string' && first.parentFolderId !== '' ? first.parentFolderId : undefined;
	if (id) defaultContactFolders.set(key, id);
	return id;
}

/** Where delta query reads what is watched; undefined = nothing to read yet (an empty default Contacts folder). */
async function deltaPathOf(ctx: GraphContext, settings: TriggerSettings): Promise<string | undefined> {
	if (settings.deltaPath) return settings.deltaPath;
	const folderId = await defaultContactFolderId(ctx, settings);
	return folderId === undefined ? undefined : `/me/contactFolders/${encodeURIComponent(folderId)}/contacts/delta`;
}

/** The first request of a delta round: messages received since `since`, the calendar window around it, or the whole contact folder. */
function startRequest(settings: TriggerSettings, path: string, since: number, now: number): { url: string; qs?: IDataObject } {
	if (settings.watch === 'messages') return { url: path, qs: { $filter: `receivedDateTime ge ${new Date(since).toISOString()}` } };
	// contact-delta.md documents $select only: no filter can narrow the first read.
	if (settings.watch === 'contacts') return { url: path };
	return {
		url: path,
		qs: { startDateTime: new Date(Math.min(since, now) - WINDOW_BACK_MS).toISOString(), endDateTime: new Date(now + WINDOW_AHEAD_MS).toISOString() },
	};
}

interface DeltaRound {
	items: IDataObject[];
	/** Undefined only for a folder that cannot be read yet (see deltaPathOf). */
	deltaLink: string | undefined;
}

/** A first round from `since`: nothing to read when the watched folder cannot be found yet. */
async function readFrom(ctx: GraphContext, settings: TriggerSettings, since: number, now: number): Promise<DeltaRound> {
	const path = await deltaPathOf(ctx, settings);
	if (path === undefined) return { items: [], deltaLink: undefined };
	return await readRound(ctx, settings, startRequest(settings, path, since, now));
}

/** Follows nextLinks to the deltaLink; a link seen twice ends with the transport's error. */
async function readRound(ctx: GraphContext, settings: TriggerSettings, first: { url: string; qs?: IDataObject }): Promise<DeltaRound> {
	const items = new Map<string, IDataObject>();
	const followed = new Set<string>();
	const headers = { Prefer: `odata.maxpagesize=${PAGE_SIZE}` };
	let request: { url: string; qs?: IDataObject } = first;
	for (;;) {
		const page = (await graphCall<IDataObject>(ctx, settings.target, { method: 'GET', url: request.url, qs: request.qs, headers })).body;
		// One entry per item per round: the latest state wins.
		for (const item of (page.value as IDataObject[] | undefined) ?? []) if (typeof item.id === 'string') items.set(item.id, item);
		const next = page['@odata.nextLink'];
		if (typeof next === 'string') {
			assertNewPage(ctx, settings.target, followed, next);
			request = { url: next };
			continue;
		}
		const deltaLink = page['@odata.deltaLink'];
		if (typeof deltaLink !== 'string') throw new Error('Microsoft Graph ended a delta round without @odata.deltaLink');
		return { items: [...items.values()], deltaLink };
	}
}

/**
 * Takes the first link (no output): called when a subscription is created and no tracking exists.
 * The start time is kept even when the read fails, so the next resync reads everything since then.
 */
export async function ensureBaseline(ctx: GraphContext, settings: TriggerSettings, data: IDataObject): Promise<void> {
	if (!settings.resync || stateFor(data, settings)) return;
	const now = syncTime(settings);
	data[LINK_RESOURCE] = settings.resource;
	data[SYNCED_AT] = new Date(now).toISOString();
	const round = await settle(readFrom(ctx, settings, now, now));
	if (!round.ok) {
		ctx.logger.warn(`${LOG_PREFIX} could not start change tracking (delta query); the next resync reads everything since ${new Date(now).toISOString()}: ${describeFailure(round.error)}`);
		return;
	}
	store(data, settings, round.value.deltaLink, now);
}

function isExpiredLink(error: unknown): boolean {
	const status = httpStatusOf(error);
	return status === 410 || (status === 400 && /syncStateInvalid/i.test(String((error as { message?: unknown }).message ?? '')));
}

function changeTypeOf(item: IDataObject, syncedAt: number): 'created' | 'updated' | 'deleted' {
	if (item['@removed'] !== undefined) return 'deleted';
	const created = Date.parse(String(item.createdDateTime ?? ''));
	return Number.isFinite(created) && created >= syncedAt ? 'created' : 'updated';
}

export interface ResyncResult {
	items: INodeExecutionData[];
	/** Changes left out over the bound (also reported in the summary item). */
	skipped: number;
}

/** Items built at once (each may need a fetch): live deliveries build theirs in parallel too. */
const CHUNK = 10;

/**
 * Reads what changed since the stored link and returns one item per change no notification
 * delivered, built by the same pipeline as live ones (delivery/items.ts): a resync's item for a
 * change is the item its notification would have given, plus `source: "resync"`.
 */
export async function resync(ctx: ItemContext, settings: TriggerSettings, data: IDataObject, reason: string): Promise<ResyncResult> {
	const state = settings.resync ? stateFor(data, settings) : undefined;
	if (!state) {
		if (settings.resync && reason !== START_REASON) {
			ctx.logger.warn(`${LOG_PREFIX} resync (${reason}): change tracking had not started for this trigger; it starts now (earlier changes cannot be read)`);
		}
		await ensureBaseline(ctx, settings, data);
		return { items: [], skipped: 0 };
	}
	const now = syncTime(settings);
	let round = state.link ? await settle(readRound(ctx, settings, { url: state.link })) : undefined;
	if (!round || (!round.ok && isExpiredLink(round.error))) {
		const why = round ? `the delta link expired (${describeFailure(round.error)})` : 'no delta link was stored';
		ctx.logger.warn(`${LOG_PREFIX} ${why}; full resync of what changed since ${new Date(state.syncedAt).toISOString()}`);
		round = await settle(readFrom(ctx, settings, state.syncedAt, now));
		if (round.ok && settings.watch !== 'messages') {
			// A full calendar window or contact folder: only items modified since the last sync are changes.
			const changed = round.value.items.filter((item) => changedAt(settings, item) >= state.syncedAt || item['@removed']);
			round = { ok: true, value: { ...round.value, items: changed } };
		}
	}
	if (!round.ok) throw round.error;

	const delivered = new Set(Array.isArray(data[DELIVERED]) ? (data[DELIVERED] as string[]) : []);
	const wanted = new Set(settings.changeType.split(','));
	const candidates = round.value.items
		.map((item) => ({ item, id: String(item.id), changeType: changeTypeOf(item, state.syncedAt) }))
		.filter(({ item, id, changeType }) => wanted.has(changeType) && !delivered.has(changeType === 'deleted' ? `${id}|deleted` : deliveredKey(id, item['@odata.etag'])))
		// Graph applies the subscription's $filter before it notifies; delta does not, so it is applied here.
		.filter(({ item, changeType }) => changeType === 'deleted' || matchesGraphFilter(settings.graphFilter, item));
	// The duplicate memories the webhook uses: a notification Graph re-sends while (or after) this resync
	// runs is then a repeat of what the resync output, and the other way round.
	const entries = candidates.map(({ item, id, changeType }) => ({
		key: changeKey(changeType, id, changeType === 'deleted' ? undefined : item['@odata.etag']),
		ttlMs: memoryMs(changeType, Math.max(settings.duplicateWindowSeconds, 1)),
	}));
	const remembered = checkDuplicates(duplicateScope(ctx), duplicateMemory(data), entries, Date.now());
	storeDuplicateMemory(data, remembered.memory);
	const changes: Change[] = candidates
		.filter((_, index) => remembered.fresh[index])
		.map(({ id, changeType }) => ({ changeType, id, notification: { changeType, resourceId: id }, source: 'resync' }));
	// Built a chunk at a time until Max Resync Items is reached; the rest are counted, not fetched.
	const items: INodeExecutionData[] = [];
	let built = 0;
	while (built < changes.length && items.length < settings.maxResyncItems) {
		const chunk = changes.slice(built, built + Math.min(CHUNK, settings.maxResyncItems - items.length));
		built += chunk.length;
		for (const item of await itemsOf(ctx, settings, data, chunk)) if (item) items.push(item);
	}
	const seenAtSync = round.value.items
		.filter((item) => item['@removed'] === undefined && changedAt(settings, item) >= now)
		.map((item) => deliveredKey(String(item.id), item['@odata.etag']));
	store(data, settings, round.value.deltaLink, now, seenAtSync);
	const skipped = changes.length - built;
	if (skipped > 0) {
		items.push({
			json: {
				source: 'resync',
				resync: 'truncated',
				skipped,
				message: `${skipped} more change(s) were found by the resync than Max Resync Items allows; they are not output. Raise the option, or read the folder with the action node.`,
			},
		});
	}
	// Every resync a delivery asked for is logged (also when it found nothing); the one at each start only when it found something.
	if (items.length > 0 || round.value.items.length > 0 || reason !== START_REASON) {
		ctx.logger.info(`${LOG_PREFIX} resync (${reason}): ${round.value.items.length} change(s) read, ${changes.length} not delivered by notifications, ${skipped} over the limit`);
	}
	return { items, skipped };
}
