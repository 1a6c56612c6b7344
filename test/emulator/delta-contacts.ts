/**
 * `GET /me/contactFolders/{id}/contacts/delta` (and `/users/{id|upn}/...`): delta query for the contacts
 * of one contact folder (api-reference/v1.0/api/contact-delta.md). Rounds, tokens, paging and expiry are
 * the ones messages use (delta.ts).
 *
 * - v1.0 documents the per-folder path only; there is no `/me/contacts/delta` in the reference, so the
 *   emulator serves none (it answers as Get Contact does for the id "delta": 404).
 * - The folder id may be the default Contacts folder's own id (a contact's `parentFolderId`) or a folder
 *   from List contactFolders. The docs name no well-known name (such as "contacts") for contact folders,
 *   so none is accepted here.
 * - The only query option documented is `$select` (the id always comes back). The docs say nothing of
 *   `$filter`, `$orderby`, `$search`, `$expand` or `$top`; the emulator refuses them with 400 so a client
 *   notices it relies on something undocumented.
 * - Deleted contacts come back as `@removed` entries (reason `deleted`), the shape Graph's message and
 *   event delta pages show; the contact page shows no example of one.
 * - Page size: `Prefer: odata.maxpagesize=N` (documented on this page), default 10 as for messages.
 */
import { withFaults } from './calendar';
import { GraphFault, itemNotFound, mailboxUser } from './calendar-model';
import { contactsState, type ContactRecord, type ContactsState } from './contacts';
import { queryOption, selectFields } from './odata';
import {
	changesSince,
	continueRound,
	deltaBox,
	isReply,
	linkSegment,
	lookupToken,
	mailboxBase,
	record,
	registerDeltaCore,
	removedEntry,
	roundStart,
	startRound,
	stateTokens,
	type ChangeOp,
	type PlannedEntry,
	type RoundContext,
} from './delta';
import type { EmulatorCore, GraphRequest, Reply } from './types';

interface ContactDeltaQuery {
	select?: string;
}

const UNDOCUMENTED_OPTIONS = ['$filter', '$orderby', '$search', '$expand', '$top'];

export function register(core: EmulatorCore): void {
	registerDeltaCore(core);
	// contacts.ts emits a change event for every create, update and delete: the log hears them here.
	core.onChange((event) => {
		if (event.kind !== 'contact') return;
		const op: ChangeOp = event.changeType === 'created' ? 'in' : event.changeType === 'deleted' ? 'out' : 'touch';
		record(deltaBox(core, event.userId), 'contact', event.id, event.containerId, op);
	});
	core.mailboxRoute(
		'GET',
		'/contactFolders/:folderId/contacts/delta',
		withFaults(core, (req) => contactDelta(core, req)),
	);
}

/** The folder the path names: the default Contacts folder (its id) or one of its folders; else 404 as Graph answers. */
function folderIdOf(state: ContactsState, id: string): string {
	if (id === state.rootFolderId || state.folders.some((folder) => folder.id === id)) return id;
	throw itemNotFound();
}

function parseQuery(req: GraphRequest): ContactDeltaQuery {
	for (const option of UNDOCUMENTED_OPTIONS) {
		if (queryOption(req.query, option) !== undefined) {
			throw new GraphFault(400, 'BadRequest', `The query parameter '${option}' is not supported in a delta query on contacts.`);
		}
	}
	return { select: queryOption(req.query, '$select') };
}

function restartUrl(linkBase: string, q: ContactDeltaQuery): string {
	return `${linkBase}?${q.select ? `$select=${encodeURIComponent(q.select)}&` : ''}$deltatoken=`;
}

function contactDelta(core: EmulatorCore, req: GraphRequest): Reply {
	const user = mailboxUser(req);
	const state = contactsState(core, user.id);
	const folderId = folderIdOf(state, req.params.folderId);
	const box = deltaBox(core, user.id);
	const linkBase = `${mailboxBase(core, req)}/contactFolders('${linkSegment(folderId)}')/contacts/delta`;
	const tokens = stateTokens(req);
	const context = (query: ContactDeltaQuery, restart: string): RoundContext<ContactDeltaQuery> => ({
		core,
		req,
		box,
		kind: 'contact',
		resource: `contacts:${folderId}`,
		linkBase,
		restartUrl: restart,
		query,
		render: (entry) => renderEntry(state, folderId, query, entry),
	});

	if (tokens.skip !== undefined) {
		const rec = lookupToken<ContactDeltaQuery>(core, req, box, tokens.skip, 'contact', `contacts:${folderId}`, 'skip');
		if (isReply(rec)) return rec;
		return continueRound(context(rec.query, rec.restartUrl), rec);
	}
	if (tokens.delta !== undefined) {
		const rec = lookupToken<ContactDeltaQuery>(core, req, box, tokens.delta, 'contact', `contacts:${folderId}`, 'delta');
		if (isReply(rec)) return rec;
		const roundSeq = roundStart(box);
		return startRound(context(rec.query, rec.restartUrl), changesSince(box, 'contact', folderId, rec.baseSeq), roundSeq);
	}
	const query = parseQuery(req);
	const roundSeq = roundStart(box);
	const entries = [...state.contacts.values()].filter((contact) => contact.parentFolderId === folderId).map((contact) => ({ id: contact.id }));
	return startRound(context(query, restartUrl(linkBase, query)), entries, roundSeq);
}

function renderEntry(state: ContactsState, folderId: string, q: ContactDeltaQuery, entry: PlannedEntry): Record<string, unknown> | undefined {
	const contact = state.contacts.get(entry.id);
	if (contact && contact.parentFolderId === folderId) return renderContact(contact, q);
	// Initial round: deleted after the round was planned (reported next round). Later rounds: created and
	// deleted again since the last round, so the client never saw it.
	if (entry.firstOp === undefined || entry.firstOp === 'in') return undefined;
	return removedEntry('contact', entry.id);
}

function renderContact(contact: ContactRecord, q: ContactDeltaQuery): Record<string, unknown> {
	// As Get Contact shows it: the change key is also the etag.
	const whole = { '@odata.etag': `W/"${String(contact.changeKey)}"`, ...contact };
	return { '@odata.type': '#microsoft.graph.contact', ...selectFields(whole, q.select) };
}
