/**
 * Turning request bodies into stored messages and stored messages into Graph JSON:
 * recipient normalisation, body previews, attachments, PATCH rules, `$value` MIME.
 */
import { buildMime, htmlToText, type MimeAttachment } from './mime';
import {
	conversationIdFor,
	etagFor,
	isoSeconds,
	newAttachmentId,
	newChangeKey,
	newInternetMessageId,
	newMessageId,
	nextSequence,
	webLinkFor,
	type EmailAddress,
	type MailboxState,
	type MessageBody,
	type MessageJson,
	type Recipient,
	type StoredAttachment,
	type StoredMessage,
} from './mail-store';
import type { EmulatorCore, EmulatorUser } from './types';

/** Graph's single-request attachment limit (bigger files need an upload session). */
export const MAX_INLINE_ATTACHMENT_BYTES = 3 * 1024 * 1024;
/** Graph rejects request bodies above ~4 MB. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const PREVIEW_LENGTH = 255;

/** A problem with the client's input, mapped to a Graph error by the route layer. */
export class MailInputError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

/** An attachment before it gets an id (from JSON, MIME, seeds or an upload session). */
export interface AttachmentInput {
	name: string;
	contentType: string;
	content: Buffer;
	isInline?: boolean;
	contentId?: string | null;
	/** Kept when a message is copied or sent (StoredAttachment.kind, sourceUrl). */
	kind?: StoredAttachment['kind'];
	sourceUrl?: string;
}

/** Everything needed to mint a new message (draft, delivered copy, seed...). */
export interface NewMessageInit {
	subject?: string;
	body?: MessageBody;
	from?: Recipient | null;
	sender?: Recipient | null;
	toRecipients?: Recipient[];
	ccRecipients?: Recipient[];
	bccRecipients?: Recipient[];
	replyTo?: Recipient[];
	importance?: MessageJson['importance'];
	categories?: string[];
	flag?: MessageJson['flag'];
	isRead?: boolean;
	isDraft?: boolean;
	isDeliveryReceiptRequested?: boolean;
	isReadReceiptRequested?: boolean;
	inferenceClassification?: MessageJson['inferenceClassification'];
	internetMessageId?: string;
	/** Root Message-ID of the thread (conversation grouping); defaults to internetMessageId. */
	threadRoot?: string;
	inReplyTo?: string | null;
	references?: string[];
	internetMessageHeaders?: Array<{ name: string; value: string }>;
	receivedMs: number;
	sentMs?: number;
	createdMs?: number;
	/** Stored attachments are accepted too (copies share their bytes). */
	attachments?: AttachmentInput[];
	rawMime?: Buffer;
	/** Precomputed preview (seeding shares one string across many messages). */
	bodyPreview?: string;
}

export function userRecipient(user: EmulatorUser): Recipient {
	return { emailAddress: { name: user.displayName, address: user.mail || user.userPrincipalName } };
}

export function findUserByAddress(core: EmulatorCore, address: string): EmulatorUser | undefined {
	const wanted = address.trim().toLowerCase();
	for (const user of core.users.values()) {
		if (user.mail?.toLowerCase() === wanted || user.userPrincipalName.toLowerCase() === wanted) return user;
	}
	return undefined;
}

/** Fills in a missing display name the way Exchange resolves recipients (known user → their name). */
export function normalizeRecipient(core: EmulatorCore, value: unknown, field: string): Recipient {
	const emailAddress = (value as { emailAddress?: Partial<EmailAddress> } | null)?.emailAddress;
	if (!emailAddress || typeof emailAddress !== 'object' || typeof emailAddress.address !== 'string') {
		throw new MailInputError(400, 'ErrorInvalidRecipients', `Invalid recipient in '${field}': emailAddress.address is required.`);
	}
	const address = emailAddress.address.trim();
	const known = findUserByAddress(core, address);
	const name = typeof emailAddress.name === 'string' && emailAddress.name ? emailAddress.name : (known?.displayName ?? address);
	return { emailAddress: { name, address } };
}

export function normalizeRecipients(core: EmulatorCore, value: unknown, field: string): Recipient[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		throw new MailInputError(400, 'RequestBodyRead', `The property '${field}' must be a collection of recipients.`);
	}
	return value.map((item) => normalizeRecipient(core, item, field));
}

const ADDRESS_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidAddress(address: string): boolean {
	return ADDRESS_PATTERN.test(address);
}

/** Graph's checks at submit time: at least one recipient, all resolvable SMTP addresses. */
export function assertSendableRecipients(recipients: Recipient[]): void {
	if (recipients.length === 0) {
		throw new MailInputError(400, 'ErrorInvalidRecipients', 'At least one recipient is required, but none were found.');
	}
	const bad = recipients.find((r) => !isValidAddress(r.emailAddress.address));
	if (bad) {
		throw new MailInputError(
			400,
			'ErrorInvalidRecipients',
			`At least one recipient isn't valid., Recipient '${bad.emailAddress.address}' isn't resolved. All recipients must be resolved before a message can be submitted.`,
		);
	}
}

export function normalizeBody(value: unknown): MessageBody {
	if (value === undefined || value === null) return { contentType: 'text', content: '' };
	const body = value as { contentType?: unknown; content?: unknown };
	const type = typeof body.contentType === 'string' ? body.contentType.toLowerCase() : 'text';
	if (type !== 'text' && type !== 'html') {
		throw new MailInputError(400, 'RequestBodyRead', `Requested value '${String(body.contentType)}' was not found.`);
	}
	return { contentType: type, content: typeof body.content === 'string' ? body.content : '' };
}

export function bodyPreviewOf(body: MessageBody): string {
	const text = body.contentType === 'html' ? htmlToText(body.content) : body.content;
	return text.replace(/\s+/g, ' ').trim().slice(0, PREVIEW_LENGTH);
}

const IMPORTANCE = new Set(['low', 'normal', 'high']);

export function normalizeImportance(value: unknown): MessageJson['importance'] {
	const lower = typeof value === 'string' ? value.toLowerCase() : '';
	if (!IMPORTANCE.has(lower)) {
		throw new MailInputError(400, 'RequestBodyRead', `Requested value '${String(value)}' was not found.`);
	}
	return lower as MessageJson['importance'];
}

function stringArray(value: unknown, field: string): string[] {
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
		throw new MailInputError(400, 'RequestBodyRead', `The property '${field}' must be a collection of strings.`);
	}
	return [...value];
}

function booleanValue(value: unknown, field: string): boolean {
	if (typeof value !== 'boolean') {
		throw new MailInputError(400, 'RequestBodyRead', `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Boolean' (${field}).`);
	}
	return value;
}

/** Decodes strict base64 (whitespace tolerated); Graph rejects anything else. */
export function decodeBase64Strict(value: string): Buffer | undefined {
	const compact = value.replace(/\s+/g, '');
	if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
	return Buffer.from(compact, 'base64');
}

/** A `#microsoft.graph.fileAttachment` from JSON; other attachment kinds are not emulated. */
export function parseFileAttachment(value: unknown): AttachmentInput {
	const item = value as Record<string, unknown>;
	if (!item || typeof item !== 'object') throw new MailInputError(400, 'RequestBodyRead', 'An attachment must be an object.');
	const type = typeof item['@odata.type'] === 'string' ? item['@odata.type'].toLowerCase() : '#microsoft.graph.fileattachment';
	if (type !== '#microsoft.graph.fileattachment') {
		throw new MailInputError(400, 'ErrorInvalidParameter', `Attachment type '${String(item['@odata.type'])}' is not supported by the emulator.`);
	}
	if (typeof item.name !== 'string' || item.name === '') {
		throw new MailInputError(400, 'ErrorInvalidParameter', 'The attachment name is required.');
	}
	if (typeof item.contentBytes !== 'string') {
		throw new MailInputError(400, 'ErrorInvalidParameter', 'The attachment contentBytes is required.');
	}
	const content = decodeBase64Strict(item.contentBytes);
	if (!content) throw new MailInputError(400, 'ErrorInvalidParameter', 'The value of contentBytes is not valid base64.');
	if (content.length > MAX_INLINE_ATTACHMENT_BYTES) {
		throw new MailInputError(
			413,
			'ErrorRequestEntityTooLarge',
			'The attachment is larger than 3 MB. Use an upload session (createUploadSession) for attachments between 3 MB and 150 MB.',
		);
	}
	return {
		name: item.name,
		contentType: typeof item.contentType === 'string' && item.contentType ? item.contentType : 'application/octet-stream',
		content,
		isInline: item.isInline === true,
		contentId: typeof item.contentId === 'string' ? item.contentId : null,
	};
}

export function toStoredAttachment(state: MailboxState, messageId: string, input: AttachmentInput, nowMs: number): StoredAttachment {
	return {
		id: newAttachmentId(state, messageId),
		name: input.name,
		contentType: input.contentType,
		isInline: input.isInline ?? false,
		contentId: input.contentId ?? null,
		lastModifiedDateTime: isoSeconds(nowMs),
		content: input.content,
		...(input.kind ? { kind: input.kind, sourceUrl: input.sourceUrl } : {}),
	};
}

/** Graph's hasAttachments ignores inline attachments. */
export function computeHasAttachments(attachments: StoredAttachment[]): boolean {
	return attachments.some((a) => !a.isInline);
}

/**
 * Shared, frozen defaults: seeded mailboxes hold 100,000 messages, and edits always replace these
 * values instead of mutating them.
 */
const NONE = Object.freeze([]) as unknown as never[];
const NOT_FLAGGED = Object.freeze({ flagStatus: 'notFlagged' as const });

/** Mints a stored message; the caller files it with insertMessage(). */
export function createStoredMessage(state: MailboxState, init: NewMessageInit): StoredMessage {
	const id = newMessageId(state);
	const changeKey = newChangeKey(state);
	const body = init.body ?? { contentType: 'text', content: '' };
	const internetMessageId = init.internetMessageId ?? newInternetMessageId();
	const createdMs = init.createdMs ?? init.receivedMs;
	// Copies get their own attachment ids but share the content bytes.
	const attachments = init.attachments?.length ? init.attachments.map((a) => toStoredAttachment(state, id, a, createdMs)) : NONE;
	const created = isoSeconds(createdMs);
	const received = createdMs === init.receivedMs ? created : isoSeconds(init.receivedMs);
	const json: MessageJson = {
		'@odata.etag': etagFor(changeKey),
		id,
		createdDateTime: created,
		lastModifiedDateTime: created,
		changeKey,
		categories: init.categories ?? NONE,
		receivedDateTime: received,
		sentDateTime: init.sentMs === undefined || init.sentMs === init.receivedMs ? received : isoSeconds(init.sentMs),
		hasAttachments: computeHasAttachments(attachments),
		internetMessageId,
		subject: init.subject ?? '',
		bodyPreview: init.bodyPreview ?? bodyPreviewOf(body),
		importance: init.importance ?? 'normal',
		parentFolderId: '',
		conversationId: conversationIdFor(state, init.threadRoot ?? internetMessageId),
		isDeliveryReceiptRequested: init.isDeliveryReceiptRequested ?? false,
		isReadReceiptRequested: init.isReadReceiptRequested ?? false,
		isRead: init.isRead ?? true,
		isDraft: init.isDraft ?? false,
		webLink: webLinkFor(id),
		inferenceClassification: init.inferenceClassification ?? 'focused',
		body,
		sender: init.sender ?? init.from ?? null,
		from: init.from ?? null,
		toRecipients: init.toRecipients ?? NONE,
		ccRecipients: init.ccRecipients ?? NONE,
		bccRecipients: init.bccRecipients ?? NONE,
		replyTo: init.replyTo ?? NONE,
		flag: init.flag ?? NOT_FLAGGED,
	};
	return {
		json,
		attachments,
		rawMime: init.rawMime,
		inReplyTo: init.inReplyTo ?? null,
		references: init.references,
		internetMessageHeaders: init.internetMessageHeaders,
		seq: nextSequence(),
	};
}

/** Reads the writable message properties of a POST /messages body (a new draft). */
export function draftInitFromBody(core: EmulatorCore, mailbox: EmulatorUser, body: Record<string, unknown>): Omit<NewMessageInit, 'receivedMs'> {
	const init: Omit<NewMessageInit, 'receivedMs'> = {
		subject: typeof body.subject === 'string' ? body.subject : '',
		body: normalizeBody(body.body),
		from: body.from ? normalizeRecipient(core, body.from, 'from') : userRecipient(mailbox),
		sender: userRecipient(mailbox),
		toRecipients: normalizeRecipients(core, body.toRecipients, 'toRecipients'),
		ccRecipients: normalizeRecipients(core, body.ccRecipients, 'ccRecipients'),
		bccRecipients: normalizeRecipients(core, body.bccRecipients, 'bccRecipients'),
		replyTo: normalizeRecipients(core, body.replyTo, 'replyTo'),
		importance: body.importance === undefined ? 'normal' : normalizeImportance(body.importance),
		categories: body.categories === undefined ? [] : stringArray(body.categories, 'categories'),
		isDeliveryReceiptRequested: body.isDeliveryReceiptRequested === true,
		isReadReceiptRequested: body.isReadReceiptRequested === true,
		internetMessageHeaders: parseInternetMessageHeaders(body.internetMessageHeaders),
		attachments: Array.isArray(body.attachments) ? body.attachments.map(parseFileAttachment) : [],
		isDraft: true,
		isRead: true,
	};
	if (body.flag !== undefined) init.flag = parseFlag(body.flag);
	return init;
}

/** Graph only accepts custom `x-` headers here. */
function parseInternetMessageHeaders(value: unknown): Array<{ name: string; value: string }> | undefined {
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value)) throw new MailInputError(400, 'RequestBodyRead', "'internetMessageHeaders' must be a collection.");
	return value.map((h: { name?: unknown; value?: unknown }) => {
		if (typeof h?.name !== 'string' || typeof h.value !== 'string' || !/^x-/i.test(h.name)) {
			throw new MailInputError(
				400,
				'InvalidInternetMessageHeader',
				`The internet message header name '${String(h?.name)}' should start with 'x-' or 'X-'.`,
			);
		}
		return { name: h.name, value: h.value };
	});
}

function parseFlag(value: unknown): MessageJson['flag'] {
	const flag = value as Record<string, unknown>;
	const status = flag?.flagStatus;
	if (status !== 'notFlagged' && status !== 'flagged' && status !== 'complete') {
		throw new MailInputError(400, 'RequestBodyRead', `Requested value '${String(status)}' was not found.`);
	}
	return { ...flag, flagStatus: status };
}

// message-update.md marks body, internetMessageId, replyTo and subject "Updatable only if isDraft = true"; the
// recipient lists carry no such note, so they are updatable on any message. For from and sender the page says only
// that they "must correspond to the actual mailbox used"; what Graph does on a sent message is not documented, and
// the emulator keeps refusing them there.
const ALWAYS_UPDATABLE = [
	'isRead',
	'categories',
	'importance',
	'flag',
	'inferenceClassification',
	'isDeliveryReceiptRequested',
	'isReadReceiptRequested',
	'toRecipients',
	'ccRecipients',
	'bccRecipients',
];
const DRAFT_ONLY = ['subject', 'body', 'replyTo', 'from', 'sender', 'internetMessageId'];

/**
 * Applies a PATCH body. Returns true when something changed. Draft-only properties on a
 * sent/received message are refused, as Graph documents ("updatable only if isDraft = true").
 */
export function applyMessagePatch(
	core: EmulatorCore,
	message: StoredMessage,
	patch: Record<string, unknown>,
	setRead: (isRead: boolean) => void,
): void {
	const draftOnly = Object.keys(patch).filter((k) => DRAFT_ONLY.includes(k));
	if (!message.json.isDraft && draftOnly.length > 0) {
		throw new MailInputError(
			400,
			'ErrorInvalidPropertyUpdateSentMessage',
			`Update operation is not allowed on property '${draftOnly[0]}' because the message has already been sent.`,
		);
	}
	for (const [key, value] of Object.entries(patch)) {
		if (!ALWAYS_UPDATABLE.includes(key) && !DRAFT_ONLY.includes(key)) continue;
		applyProperty(core, message, key, value, setRead);
	}
}

function applyProperty(core: EmulatorCore, message: StoredMessage, key: string, value: unknown, setRead: (isRead: boolean) => void): void {
	const json = message.json;
	switch (key) {
		case 'isRead':
			setRead(booleanValue(value, key));
			break;
		case 'categories':
			json.categories = stringArray(value, key);
			break;
		case 'importance':
			json.importance = normalizeImportance(value);
			break;
		case 'flag':
			json.flag = parseFlag(value);
			break;
		case 'inferenceClassification':
			if (value !== 'focused' && value !== 'other') {
				throw new MailInputError(400, 'RequestBodyRead', `Requested value '${String(value)}' was not found.`);
			}
			json.inferenceClassification = value;
			break;
		case 'isDeliveryReceiptRequested':
		case 'isReadReceiptRequested':
			json[key] = booleanValue(value, key);
			break;
		case 'subject':
			json.subject = typeof value === 'string' ? value : '';
			break;
		case 'body':
			json.body = normalizeBody(value);
			json.bodyPreview = bodyPreviewOf(json.body);
			break;
		case 'toRecipients':
		case 'ccRecipients':
		case 'bccRecipients':
		case 'replyTo':
			json[key] = normalizeRecipients(core, value, key);
			break;
		case 'from':
		case 'sender':
			json[key] = value === null ? null : normalizeRecipient(core, value, key);
			break;
		case 'internetMessageId':
			if (typeof value === 'string') json.internetMessageId = value;
			break;
	}
}

export function attachmentJson(attachment: StoredAttachment, withContent = true): Record<string, unknown> {
	const json: Record<string, unknown> = {
		'@odata.type': '#microsoft.graph.fileAttachment',
		'@odata.mediaContentType': attachment.contentType,
		id: attachment.id,
		lastModifiedDateTime: attachment.lastModifiedDateTime,
		name: attachment.name,
		contentType: attachment.contentType,
		size: attachment.content.length,
		isInline: attachment.isInline,
		contentId: attachment.contentId,
		contentLocation: null,
	};
	if (withContent) json.contentBytes = attachment.content.toString('base64');
	return json;
}

/** The `$value` of a message: its original bytes if it came in as MIME, else built now (lazily). */
export function messageMime(message: StoredMessage): Buffer {
	if (message.rawMime) return message.rawMime;
	const json = message.json;
	const toAddress = (r: Recipient) => ({ name: r.emailAddress.name, address: r.emailAddress.address });
	const attachments: MimeAttachment[] = message.attachments.map((a) => ({
		name: a.name,
		contentType: a.contentType,
		content: a.content,
		isInline: a.isInline,
		contentId: a.contentId,
	}));
	return buildMime({
		from: json.from ? toAddress(json.from) : null,
		sender: json.sender ? toAddress(json.sender) : null,
		to: json.toRecipients.map(toAddress),
		cc: json.ccRecipients.map(toAddress),
		bcc: json.bccRecipients.map(toAddress),
		replyTo: json.replyTo.map(toAddress),
		subject: json.subject,
		date: new Date(json.sentDateTime),
		messageId: json.internetMessageId,
		inReplyTo: message.inReplyTo,
		references: message.references,
		body: json.body,
		attachments,
		importance: json.importance,
		extraHeaders: message.internetMessageHeaders,
	});
}

/**
 * `internetMessageHeaders` of a message, which Graph returns only under `$select` (message.md). For mail that was
 * sent or received: the header block of its MIME ("the network path taken by a message ... custom message headers"),
 * continuation lines unfolded. For a draft, the custom headers it was created with: the docs do not say what Graph
 * lists for a draft, which has not travelled anywhere yet.
 */
export function internetHeadersOf(message: StoredMessage): Array<{ name: string; value: string }> {
	if (message.json.isDraft) return message.internetMessageHeaders ?? [];
	const mime = messageMime(message).toString('latin1');
	const end = mime.search(/\r?\n\r?\n/);
	const block = (end === -1 ? mime : mime.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
	return block
		.split(/\r?\n/)
		.map((line) => /^([^:\s]+):\s*(.*)$/.exec(line))
		.filter((match): match is RegExpExecArray => match !== null)
		.map((match) => ({ name: match[1], value: match[2] }));
}

/** `Prefer: outlook.body-content-type="text"` turns html bodies into text in responses. */
export function preferredBodyType(headers: Record<string, string | string[] | undefined>): 'text' | 'html' | undefined {
	const prefer = headers['prefer'];
	const values = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
	const match = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(values);
	return match ? (match[1].toLowerCase() as 'text' | 'html') : undefined;
}

export function withBodyType(item: Record<string, unknown>, type: 'text' | 'html' | undefined): Record<string, unknown> {
	const body = item.body as MessageBody | undefined;
	if (!type || !body || body.contentType === type) return item;
	const content = type === 'text' ? htmlToText(body.content) : `<html><body><pre>${escapeHtml(body.content)}</pre></body></html>`;
	return { ...item, body: { contentType: type, content } };
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
