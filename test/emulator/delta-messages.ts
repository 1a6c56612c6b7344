/**
 * `GET /me/mailFolders/{id | well-known name}/messages/delta` (and `/users/{id|upn}/...`): delta query
 * for the messages of one mail folder (api-reference/v1.0/api/message-delta.md,
 * concepts/delta-query-messages.md). Rounds, tokens and paging live in delta.ts.
 *
 * Query options, all given on the first request of the first round and kept with the token:
 * - `$select` (id, `@odata.etag` and `@odata.type` always stay), `$expand=attachments`;
 * - `changeType=created|updated|deleted`: later rounds report only that kind of change; the first round
 *   is still a full sync (the docs' example 2 shows it returning every message);
 * - `$filter=receivedDateTime ge|gt {date}` (the only form the docs allow; at most 5,000 messages then);
 * - `$orderby=receivedDateTime desc` (the only form allowed; the emulator always answers newest first);
 * - `$top`: the docs list it as supported without saying what it does. Reports say Graph keeps its page
 *   size (10) and stops the initial sync after `$top` messages (microsoftgraph/microsoft-graph-docs#6006,
 *   msgraph-sdk-java#536, bkaankose/Wino-Mail#716), so here it caps the initial round, not the page;
 * - `$search` is refused, as the docs say it is not supported.
 * Page size: `Prefer: odata.maxpagesize=N`, default 10 (observed; not in the docs).
 */
import { attachmentJson, MailInputError, preferredBodyType, withBodyType } from './mail-messages';
import { mailHandler, requireFolder } from './mail-routes';
import { sortedMessages, type MailboxState, type MailFolder, type StoredMessage } from './mail-store';
import { queryOption, selectFields } from './odata';
import {
	changesSince,
	continueRound,
	deltaBox,
	isReply,
	linkSegment,
	lookupToken,
	mailboxBase,
	observeMailbox,
	registerDeltaCore,
	removedEntry,
	roundStart,
	startRound,
	stateTokens,
	type PlannedEntry,
	type RoundContext,
} from './delta';
import type { EmulatorCore, GraphRequest, Reply } from './types';

type ChangeType = 'created' | 'updated' | 'deleted';

interface MessageDeltaQuery {
	select?: string;
	expandAttachments: boolean;
	changeType?: ChangeType;
	top?: number;
	received?: { op: 'ge' | 'gt'; ms: number };
}

/** concepts/delta-query-messages.md: "Applying $filter in a delta query returns only up to 5,000 messages." */
const FILTERED_LIMIT = 5000;

export function registerMessageDelta(core: EmulatorCore): void {
	registerDeltaCore(core);
	core.mailboxRoute(
		'GET',
		'/mailFolders/:folderId/messages/delta',
		mailHandler(core, (req, state) => messageDelta(core, req, state)),
	);
}

function badRequest(message: string): MailInputError {
	return new MailInputError(400, 'BadRequest', message);
}

function parseQuery(req: GraphRequest): MessageDeltaQuery {
	const query = req.query;
	if (queryOption(query, '$search') !== undefined) throw badRequest("The query parameter '$search' is not supported in a delta query on messages.");
	const orderBy = queryOption(query, '$orderby');
	if (orderBy !== undefined && !/^\s*receivedDateTime\s+desc\s*$/i.test(orderBy)) {
		throw badRequest("Only '$orderby=receivedDateTime desc' is supported in a delta query on messages.");
	}
	const result: MessageDeltaQuery = {
		select: queryOption(query, '$select'),
		expandAttachments: /(^|,)\s*attachments\b/i.test(queryOption(query, '$expand') ?? ''),
	};
	const changeType = queryOption(query, 'changeType');
	if (changeType !== undefined) {
		const lower = changeType.trim().toLowerCase();
		if (lower !== 'created' && lower !== 'updated' && lower !== 'deleted') {
			throw badRequest(`The value '${changeType}' of 'changeType' is not valid; use created, updated or deleted.`);
		}
		result.changeType = lower;
	}
	const top = queryOption(query, '$top');
	if (top !== undefined) {
		const n = Number(top);
		if (!/^\s*\d+\s*$/.test(top) || n < 1) throw badRequest(`Invalid value '${top}' for $top query option found.`);
		result.top = n;
	}
	const filter = queryOption(query, '$filter');
	if (filter !== undefined) {
		const match = /^\s*receivedDateTime\s+(ge|gt)\s+'?([0-9T:.+\-Z]+)'?\s*$/i.exec(filter);
		const ms = match ? Date.parse(/(Z|[+-]\d\d:\d\d)$/i.test(match[2]) ? match[2] : `${match[2]}Z`) : NaN;
		if (!match || Number.isNaN(ms)) {
			throw badRequest("Only '$filter=receivedDateTime ge {value}' or 'receivedDateTime gt {value}' is supported in a delta query on messages.");
		}
		result.received = { op: match[1].toLowerCase() as 'ge' | 'gt', ms };
	}
	return result;
}

function passesFilter(message: StoredMessage, q: MessageDeltaQuery): boolean {
	if (!q.received) return true;
	const received = Date.parse(message.json.receivedDateTime);
	return q.received.op === 'ge' ? received >= q.received.ms : received > q.received.ms;
}

/** The URL a client restarts from after a reset: the first request's options, an empty `$deltatoken`. */
function restartUrl(linkBase: string, req: GraphRequest): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(req.query)) {
		const lower = key.toLowerCase();
		if (lower !== '$skiptoken' && lower !== '$deltatoken' && lower !== 'skiptoken' && lower !== 'deltatoken') params.append(key, value);
	}
	const options = params.toString().replace(/%24/g, '$');
	return `${linkBase}?${options ? `${options}&` : ''}$deltatoken=`;
}

function messageDelta(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const folder = requireFolder(state, req.params.folderId);
	observeMailbox(core, state);
	const box = deltaBox(core, state.userId);
	const linkBase = `${mailboxBase(core, req)}/mailFolders('${linkSegment(folder.id)}')/messages/delta`;
	const tokens = stateTokens(req);
	const bodyType = preferredBodyType(req.headers);
	const context = (query: MessageDeltaQuery, restart: string): RoundContext<MessageDeltaQuery> => ({
		core,
		req,
		box,
		kind: 'message',
		resource: folder.id,
		linkBase,
		restartUrl: restart,
		query,
		render: (entry) => renderEntry(state, folder, query, bodyType, entry),
		headers: bodyType ? { 'Preference-Applied': `outlook.body-content-type="${bodyType}"` } : undefined,
	});

	if (tokens.skip !== undefined) {
		const rec = lookupToken<MessageDeltaQuery>(core, req, box, tokens.skip, 'message', folder.id, 'skip');
		if (isReply(rec)) return rec;
		return continueRound(context(rec.query, rec.restartUrl), rec);
	}
	if (tokens.delta !== undefined) {
		const rec = lookupToken<MessageDeltaQuery>(core, req, box, tokens.delta, 'message', folder.id, 'delta');
		if (isReply(rec)) return rec;
		const roundSeq = roundStart(box);
		return startRound(context(rec.query, rec.restartUrl), changesSince(box, 'message', folder.id, rec.baseSeq), roundSeq);
	}
	const query = parseQuery(req);
	const roundSeq = roundStart(box);
	return startRound(context(query, restartUrl(linkBase, req)), initialEntries(state, folder, query), roundSeq);
}

/** Every message of the folder, newest first, within `$filter` and `$top`. */
function initialEntries(state: MailboxState, folder: MailFolder, q: MessageDeltaQuery): PlannedEntry[] {
	let items = sortedMessages(state, folder);
	if (q.received) {
		const filtered = [];
		for (const json of items) {
			const stored = state.messages.get(json.id);
			if (stored && passesFilter(stored, q)) filtered.push(json);
			if (filtered.length >= FILTERED_LIMIT) break;
		}
		items = filtered;
	}
	if (q.top !== undefined && items.length > q.top) items = items.slice(0, q.top);
	return items.map((json) => ({ id: json.id }));
}

function renderEntry(
	state: MailboxState,
	folder: MailFolder,
	q: MessageDeltaQuery,
	bodyType: 'text' | 'html' | undefined,
	entry: PlannedEntry,
): Record<string, unknown> | undefined {
	const message = state.messages.get(entry.id);
	const present = !!message && folder.messageIds.has(entry.id);
	if (entry.firstOp === undefined) {
		// Initial round: a message that left the folder after the round was planned shows up as removed next round.
		return present && message ? renderMessage(message, q, bodyType) : undefined;
	}
	if (present && message) {
		const changeType: ChangeType = entry.firstOp === 'in' ? 'created' : 'updated';
		if (q.changeType && q.changeType !== changeType) return undefined;
		if (!passesFilter(message, q)) return undefined;
		return renderMessage(message, q, bodyType);
	}
	// Arrived and left again since the last round: the client never saw it.
	if (entry.firstOp === 'in') return undefined;
	if (q.changeType && q.changeType !== 'deleted') return undefined;
	return removedEntry('message', entry.id);
}

function renderMessage(message: StoredMessage, q: MessageDeltaQuery, bodyType: 'text' | 'html' | undefined): Record<string, unknown> {
	let item = withBodyType(selectFields(message.json, q.select), bodyType);
	if (q.expandAttachments) item = { ...item, attachments: message.attachments.map((a) => attachmentJson(a)) };
	return { '@odata.type': '#microsoft.graph.message', ...item };
}
