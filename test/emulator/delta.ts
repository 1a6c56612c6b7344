/**
 * Delta query (change tracking) shared by messages in a mail folder (delta-messages.ts) and
 * calendarView (delta-events.ts): the per-mailbox change log, sync-state tokens (`$skiptoken` inside
 * a round, `$deltatoken` between rounds), paging, expiry and the `/_emulator/delta/...` control routes.
 *
 * How a round works here: its first request fixes the list of item ids the round will report (the
 * whole collection for an initial sync, the ids changed since the previous round's log position for
 * an incremental one) and the log position the round starts at. Pages then render those ids from the
 * mailbox as it is when the page is served; the last page hands out a deltaLink whose token resumes
 * from the round's start position, so a change made while a round is being paged shows up again in
 * the next round (Graph documents such replays as possible). Every id is listed once per round.
 *
 * Tokens are opaque random strings; the query options of the first request are kept server-side
 * with the token, so nextLink and deltaLink carry nothing but the token, as Graph's links do.
 */
import { randomBytes } from 'node:crypto';
import type { MailboxState } from './mail-store';
import type { EmulatorCore, GraphRequest, Reply } from './types';

export type DeltaKind = 'message' | 'event' | 'contact';
/** `in`: the item entered the container (created, moved in); `out`: it left (deleted, moved out); `touch`: edited in place. */
export type ChangeOp = 'in' | 'out' | 'touch';

interface LogEntry {
	seq: number;
	kind: DeltaKind;
	id: string;
	/** Folder id (messages) or calendar id (events) the change happened in. */
	container: string;
	op: ChangeOp;
}

/** One id a round reports. `firstOp` is set in incremental rounds: the first change since the previous round. */
export interface PlannedEntry {
	id: string;
	firstOp?: ChangeOp;
}

/** The state a `$skiptoken` or `$deltatoken` stands for. */
export interface SyncRecord<Q = unknown> {
	kind: DeltaKind;
	/** What the token tracks: a folder id, or `calendar:{id}`; a token never works for another resource. */
	resource: string;
	issuedAt: number;
	/** Log position the round (skip) or the next round (delta) starts after. */
	baseSeq: number;
	/** The first request's query options, decoded (resource-specific). */
	query: Q;
	/** The URL a full resync starts from (sent as `Location` with a `resyncRequired` 410). */
	restartUrl: string;
	/** `$skiptoken` only: the rest of the round. */
	round?: { entries: PlannedEntry[]; offset: number };
	/** Set by the control route. */
	invalidated?: 'expired' | 'reset';
}

interface DeltaMailbox {
	seq: number;
	log: LogEntry[];
	tokens: Map<string, SyncRecord>;
}

const MODULE = 'delta';
/**
 * Graph documents no fixed lifetime for Outlook delta tokens (message, mailFolder, event...): it
 * depends on an internal token cache, and old tokens are dropped when the cache is full. Seven days
 * is the figure the same page gives for directory and education objects; it is the emulator's default.
 */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Graph's default page size for message delta (observed; the docs only mention `Prefer: odata.maxpagesize`). */
export const DEFAULT_PAGE_SIZE = 10;
const GRAPH_METADATA = 'https://graph.microsoft.com/v1.0/$metadata';

const settings = new WeakMap<EmulatorCore, { retentionMs: number }>();
const registered = new WeakSet<EmulatorCore>();

function retentionMs(core: EmulatorCore): number {
	return settings.get(core)?.retentionMs ?? DEFAULT_RETENTION_MS;
}

export function deltaBox(core: EmulatorCore, userId: string): DeltaMailbox {
	return core.moduleState<DeltaMailbox>(userId, MODULE, () => ({ seq: 0, log: [], tokens: new Map() }));
}

/** Appends to the log, but only while some token could ask for it (an idle mailbox keeps no history). */
export function record(box: DeltaMailbox, kind: DeltaKind, id: string, container: string, op: ChangeOp): void {
	if (box.tokens.size === 0) return;
	box.seq += 1;
	box.log.push({ seq: box.seq, kind, id, container, op });
}

/**
 * Hooks the mail store's change observer (every insert, removal and edit, including bulk seeds that
 * emit no change events). The observer looks the delta state up on each call, so a reset (which
 * replaces both states) cannot leave it writing into a stale log.
 */
export function observeMailbox(core: EmulatorCore, state: MailboxState): void {
	if (state.changeObserver) return;
	state.changeObserver = (id, folderId, op) => {
		// A move edits the item after it left its folder and before it enters the next one: not an edit in either.
		if (op === 'touch' && !state.folders.get(folderId)?.messageIds.has(id)) return;
		record(deltaBox(core, state.userId), 'message', id, folderId, op);
	};
}

/** Registers what both resources share (control routes, the event change listener); once per core. */
export function registerDeltaCore(core: EmulatorCore): void {
	if (registered.has(core)) return;
	registered.add(core);
	settings.set(core, { retentionMs: DEFAULT_RETENTION_MS });
	// Calendar changes reach the log through the change events calendar-events.ts emits (seeding is silent there).
	core.onChange((event) => {
		if (event.kind !== 'event') return;
		const op: ChangeOp = event.changeType === 'created' ? 'in' : event.changeType === 'deleted' ? 'out' : 'touch';
		record(deltaBox(core, event.userId), 'event', event.id, event.containerId, op);
	});
	core.onReset(() => settings.set(core, { retentionMs: DEFAULT_RETENTION_MS }));
	registerControlRoutes(core);
}

// ---------------------------------------------------------------------------------------------
// Tokens

function newToken(): string {
	return randomBytes(30).toString('base64url');
}

/** Forgets tokens past the retention and the log entries no remaining token can ask for. */
function prune(core: EmulatorCore, box: DeltaMailbox): void {
	const cutoff = core.now() - retentionMs(core);
	let minSeq = Infinity;
	for (const [token, rec] of box.tokens) {
		if (rec.issuedAt <= cutoff) box.tokens.delete(token);
		else if (!rec.invalidated) minSeq = Math.min(minSeq, rec.baseSeq);
	}
	if (minSeq === Infinity) {
		box.log.length = 0;
		return;
	}
	let drop = 0;
	while (drop < box.log.length && box.log[drop].seq <= minSeq) drop++;
	if (drop > 0) box.log.splice(0, drop);
}

/** `$skiptoken` / `$deltatoken` of the request (case-insensitive names; an empty value counts as absent). */
export function stateTokens(req: GraphRequest): { skip?: string; delta?: string } {
	const result: { skip?: string; delta?: string } = {};
	for (const [key, value] of Object.entries(req.query)) {
		const name = key.toLowerCase();
		if (value === '') continue;
		if (name === '$skiptoken' || name === 'skiptoken') result.skip = value;
		else if (name === '$deltatoken' || name === 'deltatoken') result.delta = value;
	}
	return result;
}

/**
 * Our wording. Real Outlook answers an expired token with 410 and code `SyncStateNotFound`
 * (PascalCase, as reported in microsoftgraph/microsoft-graph-docs#2350 and #2162); the error table in
 * concepts/errors.md spells it `syncStateNotFound` and delta-query-overview.md only says "a 40X-series
 * error with error codes such as syncStateNotFound". Clients should compare codes case-insensitively.
 */
const SYNC_STATE_NOT_FOUND = 'SyncStateNotFound';
const RESYNC_REQUIRED = 'resyncRequired';

function gone(core: EmulatorCore, req: GraphRequest, rec: SyncRecord | undefined): Reply {
	if (rec?.invalidated === 'reset') {
		// delta-query-overview.md "Synchronization reset": 410 plus a Location header holding the initial
		// request with an empty $deltatoken; the code is the one errors.md gives for "reset the sync state".
		return core.graphError(
			410,
			RESYNC_REQUIRED,
			'The delta token is no longer valid; start a full synchronization from the URL in the Location header.',
			req,
			{ Location: rec.restartUrl },
		);
	}
	return core.graphError(
		410,
		SYNC_STATE_NOT_FOUND,
		'The sync state for this delta or skip token was not found: it expired or was never issued. Synchronize again from the start.',
		req,
	);
}

/** Resolves a token for a resource, or the 410 Graph answers for an unknown, expired or foreign one. */
export function lookupToken<Q>(
	core: EmulatorCore,
	req: GraphRequest,
	box: DeltaMailbox,
	token: string,
	kind: DeltaKind,
	resource: string,
	type: 'skip' | 'delta',
): SyncRecord<Q> | Reply {
	const rec = box.tokens.get(token);
	const mine = rec && rec.kind === kind && rec.resource === resource ? rec : undefined;
	const stale = !!rec && rec.issuedAt <= core.now() - retentionMs(core);
	if (!mine || stale || mine.invalidated || (type === 'skip') !== !!mine.round) return gone(core, req, stale ? undefined : mine);
	return mine as SyncRecord<Q>;
}

export function isReply(value: unknown): value is Reply {
	return !!value && typeof value === 'object' && 'status' in value && typeof (value as Reply).status === 'number';
}

// ---------------------------------------------------------------------------------------------
// Rounds

/** The ids changed in `container` since `baseSeq`, each once, in the order of their latest change. */
export function changesSince(box: DeltaMailbox, kind: DeltaKind, container: string, baseSeq: number): PlannedEntry[] {
	let lo = 0;
	let hi = box.log.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (box.log[mid].seq <= baseSeq) lo = mid + 1;
		else hi = mid;
	}
	const byId = new Map<string, { firstOp: ChangeOp; last: number }>();
	for (let i = lo; i < box.log.length; i++) {
		const entry = box.log[i];
		if (entry.kind !== kind || entry.container !== container) continue;
		const seen = byId.get(entry.id);
		if (seen) seen.last = entry.seq;
		else byId.set(entry.id, { firstOp: entry.op, last: entry.seq });
	}
	return [...byId.entries()].sort((a, b) => a[1].last - b[1].last).map(([id, info]) => ({ id, firstOp: info.firstOp }));
}

/** `Prefer: odata.maxpagesize=N` (other preferences in the same header are fine). */
export function maxPageSize(req: GraphRequest): number {
	const raw = req.headers.prefer;
	const header = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
	const match = /odata\.maxpagesize\s*=\s*"?(\d+)"?/i.exec(header);
	const size = match ? Number(match[1]) : NaN;
	return Number.isInteger(size) && size > 0 ? size : DEFAULT_PAGE_SIZE;
}

export interface RoundContext<Q> {
	core: EmulatorCore;
	req: GraphRequest;
	box: DeltaMailbox;
	kind: DeltaKind;
	resource: string;
	/** Absolute URL of the delta function, without a query (nextLink/deltaLink get `?$skiptoken=`/`?$deltatoken=`). */
	linkBase: string;
	restartUrl: string;
	query: Q;
	/** The item as the page shows it, an `@removed` entry, or undefined to leave it out. */
	render: (entry: PlannedEntry) => Record<string, unknown> | undefined;
	headers?: Record<string, string>;
}

/** The log position a round planned now starts at. Call before planning, so no change slips between. */
export function roundStart(box: DeltaMailbox): number {
	return box.seq;
}

export function startRound<Q>(ctx: RoundContext<Q>, entries: PlannedEntry[], roundSeq: number): Reply {
	prune(ctx.core, ctx.box);
	return servePage(ctx, entries, 0, roundSeq);
}

export function continueRound<Q>(ctx: RoundContext<Q>, rec: SyncRecord<Q>): Reply {
	prune(ctx.core, ctx.box);
	const round = rec.round as NonNullable<SyncRecord['round']>;
	return servePage(ctx, round.entries, round.offset, rec.baseSeq);
}

function servePage<Q>(ctx: RoundContext<Q>, entries: PlannedEntry[], offset: number, roundSeq: number): Reply {
	const size = maxPageSize(ctx.req);
	const value: Record<string, unknown>[] = [];
	let next = offset;
	while (next < entries.length && value.length < size) {
		const item = ctx.render(entries[next]);
		next += 1;
		if (item) value.push(item);
	}
	const token = newToken();
	const rec: SyncRecord<Q> = {
		kind: ctx.kind,
		resource: ctx.resource,
		issuedAt: ctx.core.now(),
		baseSeq: roundSeq,
		query: ctx.query,
		restartUrl: ctx.restartUrl,
	};
	const body: Record<string, unknown> = { '@odata.context': `${GRAPH_METADATA}#Collection(${ctx.kind})` };
	if (next < entries.length) {
		rec.round = { entries, offset: next };
		body['@odata.nextLink'] = `${ctx.linkBase}?$skiptoken=${token}`;
	} else {
		body['@odata.deltaLink'] = `${ctx.linkBase}?$deltatoken=${token}`;
	}
	ctx.box.tokens.set(token, rec as SyncRecord);
	body.value = value;
	return { status: 200, headers: ctx.headers, body };
}

/** The `@removed` entry Graph's examples show for messages and events. */
export function removedEntry(kind: DeltaKind, id: string): Record<string, unknown> {
	return { '@odata.type': `#microsoft.graph.${kind}`, id, '@removed': { reason: 'deleted' } };
}

/** An id inside `name('...')` or a path segment: Exchange ids are url-safe, anything else is escaped. */
export function linkSegment(id: string): string {
	return id.replace(/[^A-Za-z0-9._~=-]/g, (c) => encodeURIComponent(c));
}

/** The absolute Graph URL of this request's mailbox (`{emulator}/v1.0/me` or `/users/{id|upn}` as received). */
export function mailboxBase(core: EmulatorCore, req: GraphRequest): string {
	return `${core.url}/v1.0${req.mailboxPrefix ?? '/me'}`;
}

// ---------------------------------------------------------------------------------------------
// Control routes

function controlError(status: number, message: string): Reply {
	return { status, body: { error: { code: 'BadRequest', message } } };
}

function objectBody(req: GraphRequest): Record<string, unknown> {
	return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

/**
 * Invalidates every delta/skip token of one mailbox (or of all mailboxes without `userId`), so the
 * next request with one of them gets a 410 and the client must start a full synchronization.
 * Returns how many tokens were invalidated.
 */
export function expireDeltaTokens(core: EmulatorCore, userId?: string, reason: 'expired' | 'reset' = 'expired'): number {
	const users = userId === undefined ? [...core.users.values()] : [core.findUser(userId)].filter((u) => u !== undefined);
	let count = 0;
	for (const user of users) {
		const box = deltaBox(core, user.id);
		for (const rec of box.tokens.values()) {
			if (rec.invalidated) continue;
			rec.invalidated = reason;
			count += 1;
		}
		prune(core, box);
	}
	return count;
}

function registerControlRoutes(core: EmulatorCore): void {
	/** `POST /_emulator/delta/expire {userId?, reason?: "expired"|"reset"}` → `{expired: n}`. */
	core.controlRoute('POST', '/_emulator/delta/expire', (req) => {
		const body = objectBody(req);
		const userId = body.userId ?? body.user;
		if (userId !== undefined && (typeof userId !== 'string' || !core.findUser(userId))) {
			return controlError(400, `Unknown user '${String(userId)}'.`);
		}
		const reason = body.reason ?? 'expired';
		if (reason !== 'expired' && reason !== 'reset') return controlError(400, "'reason' must be 'expired' or 'reset'.");
		return { status: 200, body: { expired: expireDeltaTokens(core, userId as string | undefined, reason) } };
	});
	core.controlRoute('GET', '/_emulator/delta/config', () => ({ status: 200, body: { retentionMs: retentionMs(core) } }));
	/** `POST /_emulator/delta/config {retentionMs | retentionMinutes | retentionDays}`: how long tokens stay valid. */
	core.controlRoute('POST', '/_emulator/delta/config', (req) => {
		const body = objectBody(req);
		const ms =
			body.retentionMs !== undefined
				? Number(body.retentionMs)
				: body.retentionMinutes !== undefined
					? Number(body.retentionMinutes) * 60_000
					: body.retentionDays !== undefined
						? Number(body.retentionDays) * 86_400_000
						: NaN;
		if (!Number.isFinite(ms) || ms <= 0) {
			return controlError(400, 'Send {"retentionMs": n}, {"retentionMinutes": n} or {"retentionDays": n} with n > 0.');
		}
		settings.set(core, { retentionMs: ms });
		return { status: 200, body: { retentionMs: ms } };
	});
	/** `GET /_emulator/delta?userId=` → how many tokens and log entries a mailbox holds (for tests). */
	core.controlRoute('GET', '/_emulator/delta', (req) => {
		const user = core.findUser(String(req.query.userId ?? ''));
		if (!user) return controlError(400, `Unknown user '${String(req.query.userId ?? '')}'.`);
		const box = deltaBox(core, user.id);
		prune(core, box);
		const valid = [...box.tokens.values()].filter((rec) => !rec.invalidated).length;
		return { status: 200, body: { tokens: box.tokens.size, validTokens: valid, logEntries: box.log.length } };
	});
}
