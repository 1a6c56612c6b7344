/**
 * Graph routes for mail folders, messages and small attachments (all relative to a mailbox:
 * `/me/...` and `/users/{id|upn}/...`).
 */
import { listResponse, selectFields } from './odata';
import {
	addFolder,
	childFolders,
	findFolder,
	findMessage,
	folderJson,
	folderNameTaken,
	folderSubtree,
	insertMessage,
	isSameOrDescendant,
	mailboxOf,
	newFolderId,
	removeMessage,
	ROOT_FOLDER,
	setRead,
	sortedMessages,
	touchMessage,
	wellKnownFolder,
	webLinkFor,
	newMessageId,
	type MailboxState,
	type MailFolder,
	type MessageJson,
	type StoredMessage,
} from './mail-store';
import {
	applyMessagePatch,
	createStoredMessage,
	draftInitFromBody,
	internetHeadersOf,
	MailInputError,
	MAX_REQUEST_BYTES,
	messageMime,
	preferredBodyType,
	withBodyType,
} from './mail-messages';
import { attachmentJsonOf } from './mail-attachments';
import { registerMessageDelta } from './delta-messages';
import type { EmulatorCore, GraphRequest, Handler, Reply } from './types';

const GRAPH_METADATA = 'https://graph.microsoft.com/v1.0/$metadata';
/** Exchange ids are url-safe base64 starting with these markers; anything else is "malformed". */
const ID_SHAPE = /^(AAMk|AQMk)[A-Za-z0-9+/_=-]{10,}$/;

export type MailHandler = (req: GraphRequest, state: MailboxState) => Reply | Promise<Reply>;

/** Wraps a handler: resolves the mailbox state and turns MailInputError into Graph errors. */
export function mailHandler(core: EmulatorCore, handler: MailHandler): Handler {
	return async (req) => {
		try {
			if (!req.mailbox) return core.graphError(400, 'BadRequest', 'A mailbox is required for this request.', req);
			return await handler(req, mailboxOf(core, req.mailbox));
		} catch (error) {
			if (error instanceof MailInputError) return core.graphError(error.status, error.code, error.message, req);
			throw error;
		}
	};
}

export function notFound(): MailInputError {
	return new MailInputError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

function malformedId(): MailInputError {
	return new MailInputError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
}

export function requireFolder(state: MailboxState, idOrName: string): MailFolder {
	const folder = findFolder(state, idOrName);
	if (folder) return folder;
	throw ID_SHAPE.test(idOrName) ? notFound() : malformedId();
}

export function requireMessage(state: MailboxState, id: string): StoredMessage {
	const message = findMessage(state, id);
	if (message) return message;
	throw ID_SHAPE.test(id) ? notFound() : malformedId();
}

export function requireJsonObject(req: GraphRequest): Record<string, unknown> {
	if (req.rawBody.length > MAX_REQUEST_BYTES) throw tooLarge();
	let body = req.body;
	if (body === undefined && req.rawBody.length > 0) {
		try {
			body = JSON.parse(req.rawBody.toString('utf8'));
		} catch {
			body = undefined;
		}
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		throw new MailInputError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
	}
	return body as Record<string, unknown>;
}

export function tooLarge(): MailInputError {
	return new MailInputError(413, 'ErrorRequestEntityTooLarge', 'The request exceeds the maximum allowed size of 4 MB.');
}

export function userContext(state: MailboxState): string {
	return `${GRAPH_METADATA}#users('${state.userId}')`;
}

export function emitMessageChange(
	core: EmulatorCore,
	state: MailboxState,
	changeType: 'created' | 'updated' | 'deleted',
	id: string,
	folderId: string,
): void {
	core.emitChange({ userId: state.userId, kind: 'message', changeType, id, containerId: folderId });
}

// ---------------------------------------------------------------------------------------------
// Folders

export function registerFolderRoutes(core: EmulatorCore): void {
	const route = (method: string, pattern: string, handler: MailHandler) => core.mailboxRoute(method, pattern, mailHandler(core, handler));

	route('GET', '/mailFolders', (req, state) => listFolders(core, req, state, wellKnownFolder(state, ROOT_FOLDER), `${userContext(state)}/mailFolders`));
	route('POST', '/mailFolders', (req, state) => createFolder(req, state, wellKnownFolder(state, ROOT_FOLDER)));
	route('GET', '/mailFolders/:folderId', (req, state) => {
		const folder = requireFolder(state, req.params.folderId);
		return json(200, { '@odata.context': `${userContext(state)}/mailFolders/$entity`, ...selectFields(folderJson(state, folder), req.query.$select) });
	});
	route('PATCH', '/mailFolders/:folderId', (req, state) => updateFolder(req, state));
	route('DELETE', '/mailFolders/:folderId', (req, state) => deleteFolder(core, state, req.params.folderId));
	route('GET', '/mailFolders/:folderId/childFolders', (req, state) => {
		const parent = requireFolder(state, req.params.folderId);
		return listFolders(core, req, state, parent, `${userContext(state)}/mailFolders('${parent.id}')/childFolders`);
	});
	route('POST', '/mailFolders/:folderId/childFolders', (req, state) => createFolder(req, state, requireFolder(state, req.params.folderId)));
	route('POST', '/mailFolders/:folderId/move', (req, state) => moveFolder(req, state));
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
	return { status, body, headers };
}

function listFolders(core: EmulatorCore, req: GraphRequest, state: MailboxState, parent: MailFolder, contextUrl: string): Reply {
	const includeHidden = String(req.query.includeHiddenFolders ?? '').toLowerCase() === 'true';
	const items = childFolders(state, parent.id)
		.filter((f) => includeHidden || !f.isHidden)
		.map((f) => folderJson(state, f));
	return listResponse(core, req, items, { defaultTop: 10, maxTop: 1000, contextUrl });
}

function folderDisplayName(value: unknown): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'DisplayName' is empty.");
	}
	return value.trim();
}

function folderExists(): MailInputError {
	return new MailInputError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
}

function createFolder(req: GraphRequest, state: MailboxState, parent: MailFolder): Reply {
	const body = requireJsonObject(req);
	const displayName = folderDisplayName(body.displayName);
	if (folderNameTaken(state, parent.id, displayName)) throw folderExists();
	const folder = addFolder(state, {
		id: newFolderId(state),
		displayName,
		parentFolderId: parent.id,
		isHidden: body.isHidden === true,
	});
	return json(201, { '@odata.context': `${userContext(state)}/mailFolders/$entity`, ...folderJson(state, folder) });
}

function updateFolder(req: GraphRequest, state: MailboxState): Reply {
	const folder = requireFolder(state, req.params.folderId);
	const body = requireJsonObject(req);
	if (body.displayName !== undefined) {
		const displayName = folderDisplayName(body.displayName);
		if (folder.wellKnownName) {
			throw new MailInputError(403, 'ErrorCannotRenameDistinguishedFolder', 'Distinguished folders cannot be renamed.');
		}
		if (folderNameTaken(state, folder.parentFolderId, displayName, folder.id)) throw folderExists();
		folder.displayName = displayName;
	}
	return json(200, { '@odata.context': `${userContext(state)}/mailFolders/$entity`, ...folderJson(state, folder) });
}

function deleteFolder(core: EmulatorCore, state: MailboxState, folderId: string): Reply {
	const folder = requireFolder(state, folderId);
	if (folder.wellKnownName) {
		throw new MailInputError(403, 'ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted.');
	}
	for (const doomed of folderSubtree(state, folder.id).reverse()) {
		for (const id of [...doomed.messageIds]) {
			const message = state.messages.get(id);
			if (!message) continue;
			removeMessage(state, message);
			emitMessageChange(core, state, 'deleted', id, doomed.id);
		}
		state.folders.delete(doomed.id);
	}
	return { status: 204 };
}

function moveFolder(req: GraphRequest, state: MailboxState): Reply {
	const folder = requireFolder(state, req.params.folderId);
	const destination = requireFolder(state, destinationIdOf(requireJsonObject(req)));
	if (folder.wellKnownName) {
		throw new MailInputError(403, 'ErrorMoveDistinguishedFolder', 'Distinguished folders cannot be moved.');
	}
	if (isSameOrDescendant(state, folder.id, destination.id)) {
		throw new MailInputError(400, 'ErrorMoveCopyFailed', 'A folder cannot be moved into itself or one of its subfolders.');
	}
	if (folderNameTaken(state, destination.id, folder.displayName, folder.id)) throw folderExists();
	folder.parentFolderId = destination.id;
	// mailfolder-move.md: 200 OK (not 201 as for message move).
	return json(200, { '@odata.context': `${userContext(state)}/mailFolders/$entity`, ...folderJson(state, folder) });
}

export function destinationIdOf(body: Record<string, unknown>): string {
	const id = body.destinationId ?? body.DestinationId;
	if (typeof id !== 'string' || id === '') {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'DestinationId' is empty.");
	}
	return id;
}

// ---------------------------------------------------------------------------------------------
// Messages

export function registerMessageRoutes(core: EmulatorCore): void {
	const route = (method: string, pattern: string, handler: MailHandler) => core.mailboxRoute(method, pattern, mailHandler(core, handler));
	// Item routes work with and without the folder segment, as in Graph.
	const itemRoute = (method: string, suffix: string, handler: MailHandler) => {
		route(method, `/messages/:messageId${suffix}`, handler);
		route(method, `/mailFolders/:folderId/messages/:messageId${suffix}`, handler);
	};

	route('GET', '/messages', (req, state) => listMessages(core, req, state, undefined));
	route('GET', '/mailFolders/:folderId/messages', (req, state) => listMessages(core, req, state, requireFolder(state, req.params.folderId)));
	route('POST', '/messages', (req, state) => createDraft(core, req, state, wellKnownFolder(state, 'drafts')));
	route('POST', '/mailFolders/:folderId/messages', (req, state) => createDraft(core, req, state, requireFolder(state, req.params.folderId)));
	registerMessageDelta(core);

	itemRoute('GET', '', (req, state) => getMessage(req, state));
	itemRoute('PATCH', '', (req, state) => updateMessage(core, req, state));
	itemRoute('DELETE', '', (req, state) => deleteMessage(core, req, state));
	itemRoute('GET', '/$value', (req, state) => {
		const message = requireMessage(state, req.params.messageId);
		return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: messageMime(message) };
	});
	itemRoute('POST', '/move', (req, state) => relocateMessage(core, req, state, 'move'));
	itemRoute('POST', '/copy', (req, state) => relocateMessage(core, req, state, 'copy'));

}

function listMessages(core: EmulatorCore, req: GraphRequest, state: MailboxState, folder: MailFolder | undefined): Reply {
	const contextUrl = folder ? `${userContext(state)}/mailFolders('${folder.id}')/messages` : `${userContext(state)}/messages`;
	const reply = listResponse<MessageJson>(core, req, sortedMessages(state, folder), {
		defaultTop: 10,
		maxTop: 1000,
		contextUrl,
		search: messageMatchesSearch,
	});
	return decorateMessages(req, state, reply);
}

/** Applies `Prefer: outlook.body-content-type` and `$expand=attachments` to a list page. */
function decorateMessages(req: GraphRequest, state: MailboxState, reply: Reply): Reply {
	const body = reply.body as { value?: Array<Record<string, unknown>> } | undefined;
	if (reply.status !== 200 || !body || !Array.isArray(body.value)) return reply;
	const bodyType = preferredBodyType(req.headers);
	const expand = expandsAttachments(req);
	const headers = selectsHeaders(req);
	if (!bodyType && !expand && !headers) return reply;
	body.value = body.value.map((item) => decorateMessage(item, state, bodyType, expand, headers));
	return withPreferenceApplied(reply, bodyType);
}

function decorateMessage(
	item: Record<string, unknown>,
	state: MailboxState,
	bodyType: 'text' | 'html' | undefined,
	expand: boolean,
	headers: boolean,
): Record<string, unknown> {
	const out = { ...withBodyType(item, bodyType) };
	const stored = state.messages.get(String(item.id));
	if (headers && stored) out.internetMessageHeaders = internetHeadersOf(stored);
	if (!expand) return out;
	return { ...out, attachments: (stored?.attachments ?? []).map((a) => attachmentJsonOf(a)) };
}

/** internetMessageHeaders is returned only when $select names it (message.md). */
function selectsHeaders(req: GraphRequest): boolean {
	return (req.query.$select ?? '').split(',').some((field) => field.trim().toLowerCase() === 'internetmessageheaders');
}

function expandsAttachments(req: GraphRequest): boolean {
	return /(^|,)\s*attachments\b/i.test(req.query.$expand ?? '');
}

function withPreferenceApplied(reply: Reply, bodyType: 'text' | 'html' | undefined): Reply {
	if (!bodyType) return reply;
	return { ...reply, headers: { ...reply.headers, 'Preference-Applied': `outlook.body-content-type="${bodyType}"` } };
}

function getMessage(req: GraphRequest, state: MailboxState): Reply {
	const message = requireMessage(state, req.params.messageId);
	const bodyType = preferredBodyType(req.headers);
	const select = req.query.$select?.trim();
	const selected = selectFields(message.json, select);
	const item = decorateMessage(selected, state, bodyType, expandsAttachments(req), selectsHeaders(req));
	const context = select ? `${userContext(state)}/messages(${select})/$entity` : `${userContext(state)}/messages/$entity`;
	return withPreferenceApplied(json(200, { '@odata.context': context, ...item }), bodyType);
}

function createDraft(core: EmulatorCore, req: GraphRequest, state: MailboxState, folder: MailFolder): Reply {
	const body = requireJsonObject(req);
	const mailbox = req.mailbox;
	if (!mailbox) throw new MailInputError(400, 'BadRequest', 'A mailbox is required for this request.');
	const now = core.now();
	const message = createStoredMessage(state, { ...draftInitFromBody(core, mailbox, body), receivedMs: now, sentMs: now });
	insertMessage(state, folder, message);
	emitMessageChange(core, state, 'created', message.json.id, folder.id);
	return json(201, { '@odata.context': `${userContext(state)}/messages/$entity`, ...message.json });
}

function assertIfMatch(req: GraphRequest, message: StoredMessage): void {
	const ifMatch = req.headers['if-match'];
	if (typeof ifMatch !== 'string' || ifMatch.trim() === '*') return;
	const strip = (etag: string) => etag.trim().replace(/^W\//, '');
	if (strip(ifMatch) !== strip(message.json['@odata.etag'])) {
		throw new MailInputError(
			412,
			'ErrorIrresolvableConflict',
			'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
		);
	}
}

function updateMessage(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const message = requireMessage(state, req.params.messageId);
	const patch = requireJsonObject(req);
	assertIfMatch(req, message);
	applyMessagePatch(core, message, patch, (isRead) => setRead(state, message, isRead));
	touchMessage(state, message, core.now());
	emitMessageChange(core, state, 'updated', message.json.id, message.json.parentFolderId);
	return json(200, { '@odata.context': `${userContext(state)}/messages/$entity`, ...message.json });
}

function deleteMessage(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const message = requireMessage(state, req.params.messageId);
	assertIfMatch(req, message);
	removeMessage(state, message);
	emitMessageChange(core, state, 'deleted', message.json.id, message.json.parentFolderId);
	return { status: 204 };
}

/**
 * Moves a message to another folder. Like Exchange, the moved item gets a new id; subscribers see
 * it deleted from the old folder, created in the new one, and updated.
 */
export function moveStoredMessage(core: EmulatorCore, state: MailboxState, message: StoredMessage, destination: MailFolder): void {
	const oldId = message.json.id;
	const oldFolderId = message.json.parentFolderId;
	removeMessage(state, message);
	const id = newMessageId(state);
	message.json.id = id;
	message.json.webLink = webLinkFor(id);
	touchMessage(state, message, core.now());
	insertMessage(state, destination, message);
	emitMessageChange(core, state, 'deleted', oldId, oldFolderId);
	emitMessageChange(core, state, 'created', id, destination.id);
	emitMessageChange(core, state, 'updated', id, destination.id);
}

function relocateMessage(core: EmulatorCore, req: GraphRequest, state: MailboxState, mode: 'move' | 'copy'): Reply {
	const message = requireMessage(state, req.params.messageId);
	const destination = requireFolder(state, destinationIdOf(requireJsonObject(req)));
	let result: StoredMessage;
	if (mode === 'move') {
		moveStoredMessage(core, state, message, destination);
		result = message;
	} else {
		result = copyStoredMessage(core, state, message, destination);
	}
	return json(201, { '@odata.context': `${userContext(state)}/messages/$entity`, ...result.json });
}

export function copyStoredMessage(core: EmulatorCore, state: MailboxState, message: StoredMessage, destination: MailFolder): StoredMessage {
	const source = message.json;
	const now = core.now();
	const copy = createStoredMessage(state, {
		subject: source.subject,
		body: source.body,
		from: source.from,
		sender: source.sender,
		toRecipients: source.toRecipients,
		ccRecipients: source.ccRecipients,
		bccRecipients: source.bccRecipients,
		replyTo: source.replyTo,
		importance: source.importance,
		categories: [...source.categories],
		flag: { ...source.flag },
		isRead: source.isRead,
		isDraft: source.isDraft,
		isDeliveryReceiptRequested: source.isDeliveryReceiptRequested,
		isReadReceiptRequested: source.isReadReceiptRequested,
		inferenceClassification: source.inferenceClassification,
		internetMessageId: source.internetMessageId,
		inReplyTo: message.inReplyTo,
		references: message.references,
		internetMessageHeaders: message.internetMessageHeaders,
		receivedMs: Date.parse(source.receivedDateTime),
		sentMs: Date.parse(source.sentDateTime),
		createdMs: now,
		attachments: message.attachments,
		rawMime: message.rawMime,
		bodyPreview: source.bodyPreview,
	});
	copy.json.conversationId = source.conversationId;
	insertMessage(state, destination, copy);
	emitMessageChange(core, state, 'created', copy.json.id, destination.id);
	return copy;
}

// ---------------------------------------------------------------------------------------------
// $search

/**
 * KQL subset for messages: plain terms match from/subject/body; `from:`, `to:`, `subject:`,
 * `body:`, `hasAttachments:true|false`, `isRead:`; quoted phrases; terms are AND-ed.
 */
export function messageMatchesSearch(item: MessageJson, terms: string): boolean {
	return parseSearchTerms(terms).every((term) => matchesTerm(item, term));
}

interface SearchTerm {
	property?: string;
	value: string;
}

function parseSearchTerms(terms: string): SearchTerm[] {
	const result: SearchTerm[] = [];
	const pattern = /(?:([A-Za-z]+):)?(?:'([^']*)'|"([^"]*)"|(\S+))/g;
	let match: RegExpExecArray | null;
	while ((match = pattern.exec(terms)) !== null) {
		const value = (match[2] ?? match[3] ?? match[4] ?? '').toLowerCase();
		if (!match[1] && value === 'and') continue;
		if (value === '' && !match[1]) continue;
		result.push({ property: match[1]?.toLowerCase(), value });
	}
	return result;
}

function recipientText(recipients: Array<{ emailAddress: { name: string; address: string } }> | null | undefined): string {
	return (recipients ?? []).map((r) => `${r.emailAddress.name} ${r.emailAddress.address}`).join(' ').toLowerCase();
}

function matchesTerm(item: MessageJson, term: SearchTerm): boolean {
	const from = recipientText(item.from ? [item.from] : []);
	const subject = item.subject.toLowerCase();
	const body = item.body.content.toLowerCase();
	switch (term.property) {
		case 'from':
			return from.includes(term.value);
		case 'to':
			return recipientText(item.toRecipients).includes(term.value);
		case 'cc':
			return recipientText(item.ccRecipients).includes(term.value);
		case 'subject':
			return subject.includes(term.value);
		case 'body':
			return body.includes(term.value);
		case 'hasattachments':
			return String(item.hasAttachments) === term.value;
		case 'isread':
			return String(item.isRead) === term.value;
		case 'importance':
			return item.importance === term.value;
		default:
			return from.includes(term.value) || subject.includes(term.value) || body.includes(term.value);
	}
}
