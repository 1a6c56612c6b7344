/**
 * Per-mailbox mail state: folders, messages, attachments, Graph-looking ids and the
 * bookkeeping (counts, sorted list caches) that keeps 100,000-message mailboxes fast.
 * Every membership change goes through the functions here so folder counts stay right.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorCore, EmulatorUser } from './types';

export interface EmailAddress {
	name: string;
	address: string;
}

export interface Recipient {
	emailAddress: EmailAddress;
}

export interface MessageBody {
	contentType: 'text' | 'html';
	content: string;
}

export interface FollowupFlag {
	flagStatus: 'notFlagged' | 'flagged' | 'complete';
	[key: string]: unknown;
}

/** The message exactly as Graph returns it (the list/filter layer works on these objects). */
export interface MessageJson extends Record<string, unknown> {
	'@odata.etag': string;
	id: string;
	createdDateTime: string;
	lastModifiedDateTime: string;
	changeKey: string;
	categories: string[];
	receivedDateTime: string;
	sentDateTime: string;
	hasAttachments: boolean;
	internetMessageId: string;
	subject: string;
	bodyPreview: string;
	importance: 'low' | 'normal' | 'high';
	parentFolderId: string;
	conversationId: string;
	isDeliveryReceiptRequested: boolean;
	isReadReceiptRequested: boolean;
	isRead: boolean;
	isDraft: boolean;
	webLink: string;
	inferenceClassification: 'focused' | 'other';
	body: MessageBody;
	sender: Recipient | null;
	from: Recipient | null;
	toRecipients: Recipient[];
	ccRecipients: Recipient[];
	bccRecipients: Recipient[];
	replyTo: Recipient[];
	flag: FollowupFlag;
}

export interface StoredAttachment {
	id: string;
	name: string;
	contentType: string;
	isInline: boolean;
	contentId: string | null;
	lastModifiedDateTime: string;
	/** Shared between copies of a message and between seeded messages: never mutate. */
	content: Buffer;
	/** Not a file: an attached Outlook item (content = its MIME) or a link to a cloud file (no content). */
	kind?: 'item' | 'reference';
	/** referenceAttachment only: where the linked file lives. */
	sourceUrl?: string;
}

export interface StoredMessage {
	json: MessageJson;
	attachments: StoredAttachment[];
	/** Raw bytes for imported/MIME-sent messages; `$value` returns them unchanged. */
	rawMime?: Buffer;
	inReplyTo?: string | null;
	references?: string[];
	internetMessageHeaders?: Array<{ name: string; value: string }>;
	/** Insertion order, to keep ordering stable among equal receivedDateTimes. */
	seq: number;
}

export interface MailFolder {
	id: string;
	displayName: string;
	parentFolderId: string;
	isHidden: boolean;
	/** Lower-case well-known name (`inbox`, `sentitems`, ...), if any. */
	wellKnownName?: string;
	unreadItemCount: number;
	messageIds: Set<string>;
}

export interface MailboxState {
	userId: string;
	/** Random per state, so ids minted before a reset never resolve afterwards. */
	salt: string;
	mailboxPart: string;
	storePart: string;
	/** Shared leading parts of ids minted in this mailbox. */
	messagePrefix: string;
	changeKeyPrefix: string;
	counter: number;
	folders: Map<string, MailFolder>;
	wellKnown: Map<string, string>;
	messages: Map<string, StoredMessage>;
	/** Bumped on every membership change; invalidates the sorted list caches. */
	version: number;
	listCache: Map<string, { version: number; items: MessageJson[] }>;
	/** Sees every item change (insert, removal, edit); set by the delta-query change log (delta.ts) once a sync starts. */
	changeObserver?: (id: string, folderId: string, op: 'in' | 'out' | 'touch') => void;
}

export const WELL_KNOWN_FOLDERS: ReadonlyArray<{ name: string; displayName: string; hidden?: boolean }> = [
	{ name: 'inbox', displayName: 'Inbox' },
	{ name: 'drafts', displayName: 'Drafts' },
	{ name: 'sentitems', displayName: 'Sent Items' },
	{ name: 'deleteditems', displayName: 'Deleted Items' },
	{ name: 'archive', displayName: 'Archive' },
	{ name: 'junkemail', displayName: 'Junk Email' },
	{ name: 'outbox', displayName: 'Outbox' },
	{ name: 'conversationhistory', displayName: 'Conversation History' },
];

export const ROOT_FOLDER = 'msgfolderroot';
const ALL_MESSAGES_KEY = '*';

export function mailboxOf(core: EmulatorCore, user: EmulatorUser | string): MailboxState {
	const userId = typeof user === 'string' ? user : user.id;
	return core.moduleState(userId, 'mail', () => createMailbox(userId));
}

function createMailbox(userId: string): MailboxState {
	const digest = createHash('sha256').update(userId).digest('base64url');
	const salt = randomBytes(3).toString('base64url');
	const mailboxPart = Buffer.from(userId).toString('base64url').replace(/=+$/, '');
	// Real Exchange ids are url-safe base64 and routinely contain '-' and '_'.
	const storePart = flat(digest.slice(0, 9), '-', digest.slice(9, 15), '_', digest.slice(15, 21));
	const state: MailboxState = {
		userId,
		salt,
		mailboxPart,
		storePart,
		messagePrefix: flat('AAMkAD', mailboxPart, 'BGAAAAAAD', storePart, 'BwB', storePart, 'AAAAAAEMAAB', salt),
		changeKeyPrefix: flat('CQAAABYAAAC', storePart.slice(0, 10), salt),
		counter: 0,
		folders: new Map(),
		wellKnown: new Map(),
		messages: new Map(),
		version: 0,
		listCache: new Map(),
	};
	createWellKnownFolders(state);
	return state;
}

function createWellKnownFolders(state: MailboxState): void {
	const rootId = wellKnownFolderId(state, ROOT_FOLDER);
	addFolder(state, {
		id: rootId,
		displayName: 'Top of Information Store',
		parentFolderId: wellKnownFolderId(state, 'root'),
		isHidden: false,
		wellKnownName: ROOT_FOLDER,
	});
	for (const folder of WELL_KNOWN_FOLDERS) {
		addFolder(state, {
			id: wellKnownFolderId(state, folder.name),
			displayName: folder.displayName,
			parentFolderId: rootId,
			isHidden: folder.hidden ?? false,
			wellKnownName: folder.name,
		});
	}
}

/** Distinguished folders keep the same id across resets, like a real mailbox. */
function wellKnownFolderId(state: MailboxState, name: string): string {
	const tag = createHash('sha1').update(`${state.userId}/${name}`).digest('base64url').slice(0, 6);
	return `AQMkAD${state.mailboxPart}AC4AAAM${state.storePart}AQB${tag}AAAIBDAAAAA==`;
}

function nextCounter(state: MailboxState): string {
	state.counter += 1;
	const bytes = Buffer.alloc(6);
	bytes.writeUIntBE(state.counter, 0, 6);
	return bytes.toString('base64url');
}

export function newFolderId(state: MailboxState): string {
	return flat('AAMkAD', state.mailboxPart, 'AC4AAAAAAD', state.storePart, 'AQB', state.salt, nextCounter(state), 'AAA=');
}

export function newMessageId(state: MailboxState): string {
	return flat(state.messagePrefix, nextCounter(state), 'AAA=');
}

export function newAttachmentId(state: MailboxState, messageId: string): string {
	return flat(messageId.slice(0, -4), 'BEgAQA', nextCounter(state), '=');
}

export function newChangeKey(state: MailboxState): string {
	return flat(state.changeKeyPrefix, nextCounter(state));
}

/** Exchange derives conversation ids from the thread; copies in one mailbox group by the root Message-ID. */
export function conversationIdFor(state: MailboxState, rootInternetMessageId: string): string {
	const tag = createHash('sha1').update(rootInternetMessageId.toLowerCase()).digest('base64url').slice(0, 22);
	return flat('AAQkAD', state.mailboxPart, 'AQAQ', tag, '=');
}

export function newInternetMessageId(): string {
	const token = randomBytes(12).toString('hex').toUpperCase();
	return `<EMU${token}@EMUPR01MB0001.namprd01.prod.outlook.com>`;
}

export function webLinkFor(id: string): string {
	return flat('https://outlook.office365.com/owa/?ItemID=', encodeURIComponent(id), '&exvsurl=1&viewmodel=ReadMessageItem');
}

/** Graph timestamps: second precision, `Z` suffix. */
export function isoSeconds(ms: number): string {
	const d = new Date(ms);
	const pad = (n: number) => (n < 10 ? '0' : '') + n;
	return flat(
		String(d.getUTCFullYear()), '-', pad(d.getUTCMonth() + 1), '-', pad(d.getUTCDate()),
		'T', pad(d.getUTCHours()), ':', pad(d.getUTCMinutes()), ':', pad(d.getUTCSeconds()), 'Z',
	);
}

export function etagFor(changeKey: string): string {
	return flat('W/"', changeKey, '"');
}

/**
 * Joins into one flat string. Template literals make V8 rope/sliced strings that cost several
 * times their length; with 100,000 seeded messages that difference is ~100 MB.
 */
export function flat(...parts: string[]): string {
	return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Folders

export function addFolder(
	state: MailboxState,
	init: Pick<MailFolder, 'id' | 'displayName' | 'parentFolderId' | 'isHidden' | 'wellKnownName'>,
): MailFolder {
	const folder: MailFolder = { ...init, unreadItemCount: 0, messageIds: new Set() };
	state.folders.set(folder.id, folder);
	if (folder.wellKnownName) state.wellKnown.set(folder.wellKnownName, folder.id);
	return folder;
}

/** Resolves an id or a well-known name (case-insensitive). */
export function findFolder(state: MailboxState, idOrName: string): MailFolder | undefined {
	const wellKnownId = state.wellKnown.get(idOrName.toLowerCase());
	return state.folders.get(wellKnownId ?? idOrName);
}

export function wellKnownFolder(state: MailboxState, name: string): MailFolder {
	const folder = findFolder(state, name);
	if (!folder) throw new Error(`Well-known folder '${name}' is missing`);
	return folder;
}

export function childFolders(state: MailboxState, parentId: string): MailFolder[] {
	const children: MailFolder[] = [];
	for (const folder of state.folders.values()) if (folder.parentFolderId === parentId) children.push(folder);
	return children.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export function folderNameTaken(state: MailboxState, parentId: string, name: string, exceptId?: string): boolean {
	const wanted = name.trim().toLowerCase();
	return childFolders(state, parentId).some((f) => f.id !== exceptId && f.displayName.toLowerCase() === wanted);
}

/** True when `candidateId` is `folderId` itself or lies below it. */
export function isSameOrDescendant(state: MailboxState, folderId: string, candidateId: string): boolean {
	let current: MailFolder | undefined = state.folders.get(candidateId);
	while (current) {
		if (current.id === folderId) return true;
		current = state.folders.get(current.parentFolderId);
	}
	return false;
}

/** The folder and all folders below it, deepest last. */
export function folderSubtree(state: MailboxState, folderId: string): MailFolder[] {
	const root = state.folders.get(folderId);
	if (!root) return [];
	const result = [root];
	for (let i = 0; i < result.length; i++) result.push(...childFolders(state, result[i].id));
	return result;
}

export function folderJson(state: MailboxState, folder: MailFolder): Record<string, unknown> {
	return {
		id: folder.id,
		displayName: folder.displayName,
		parentFolderId: folder.parentFolderId,
		childFolderCount: childFolders(state, folder.id).length,
		unreadItemCount: folder.unreadItemCount,
		totalItemCount: folder.messageIds.size,
		isHidden: folder.isHidden,
	};
}

// ---------------------------------------------------------------------------------------------
// Messages

export function findMessage(state: MailboxState, id: string): StoredMessage | undefined {
	return state.messages.get(id);
}

/** Files a message into `folder` (its json.parentFolderId is set here). */
export function insertMessage(state: MailboxState, folder: MailFolder, message: StoredMessage): void {
	message.json.parentFolderId = folder.id;
	state.messages.set(message.json.id, message);
	folder.messageIds.add(message.json.id);
	if (!message.json.isRead) folder.unreadItemCount += 1;
	state.version += 1;
	state.changeObserver?.(message.json.id, folder.id, 'in');
}

export function removeMessage(state: MailboxState, message: StoredMessage): void {
	const folder = state.folders.get(message.json.parentFolderId);
	if (folder?.messageIds.delete(message.json.id) && !message.json.isRead) folder.unreadItemCount -= 1;
	state.messages.delete(message.json.id);
	state.version += 1;
	state.changeObserver?.(message.json.id, message.json.parentFolderId, 'out');
}

/** Changes isRead while keeping the folder's unread count right. */
export function setRead(state: MailboxState, message: StoredMessage, isRead: boolean): void {
	if (message.json.isRead === isRead) return;
	const folder = state.folders.get(message.json.parentFolderId);
	if (folder) folder.unreadItemCount += isRead ? -1 : 1;
	message.json.isRead = isRead;
}

/** Bumps changeKey/etag/lastModifiedDateTime after any edit. */
export function touchMessage(state: MailboxState, message: StoredMessage, nowMs: number): void {
	const changeKey = newChangeKey(state);
	message.json.changeKey = changeKey;
	message.json['@odata.etag'] = etagFor(changeKey);
	message.json.lastModifiedDateTime = isoSeconds(nowMs);
	state.changeObserver?.(message.json.id, message.json.parentFolderId, 'touch');
}

/**
 * Messages of one folder (or of the whole mailbox), newest first — Graph's default order.
 * The array is cached until the next membership change; callers must not mutate it.
 */
export function sortedMessages(state: MailboxState, folder?: MailFolder): MessageJson[] {
	const key = folder?.id ?? ALL_MESSAGES_KEY;
	const cached = state.listCache.get(key);
	if (cached && cached.version === state.version) return cached.items;
	const source: StoredMessage[] = [];
	if (folder) {
		for (const id of folder.messageIds) {
			const message = state.messages.get(id);
			if (message) source.push(message);
		}
	} else {
		source.push(...state.messages.values());
	}
	source.sort(compareNewestFirst);
	const items = source.map((m) => m.json);
	state.listCache.set(key, { version: state.version, items });
	return items;
}

function compareNewestFirst(a: StoredMessage, b: StoredMessage): number {
	const ra = a.json.receivedDateTime;
	const rb = b.json.receivedDateTime;
	if (ra !== rb) return ra < rb ? 1 : -1;
	return b.seq - a.seq;
}

let sequence = 0;
export function nextSequence(): number {
	sequence += 1;
	return sequence;
}
