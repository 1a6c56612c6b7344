/**
 * Mail submission: `POST /sendMail` (JSON and base64 MIME), `POST /messages/{id}/send`,
 * reply / replyAll / forward (and their create* draft variants), delivery into the recipients'
 * inboxes, and the sent log tests use to count deliveries.
 */
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { formatRfc5322Date } from './mime';
import {
	findMessage,
	insertMessage,
	isoSeconds,
	mailboxOf,
	newInternetMessageId,
	wellKnownFolder,
	type MailboxState,
	type MessageBody,
	type MessageJson,
	type Recipient,
	type StoredMessage,
} from './mail-store';
import {
	assertSendableRecipients,
	createStoredMessage,
	decodeBase64Strict,
	draftInitFromBody,
	findUserByAddress,
	MailInputError,
	MAX_REQUEST_BYTES,
	normalizeBody,
	normalizeRecipients,
	userRecipient,
	type AttachmentInput,
	type NewMessageInit,
} from './mail-messages';
import {
	emitMessageChange,
	mailHandler,
	moveStoredMessage,
	requireJsonObject,
	requireMessage,
	tooLarge,
	type MailHandler,
} from './mail-routes';
import { assertAnswerBody } from './mail-actions';
import type { EmulatorCore, EmulatorUser, GraphRequest, Reply } from './types';

export type SendVia = 'sendMail' | 'sendMime' | 'send' | 'reply' | 'replyAll' | 'forward' | 'deliver';

/** One submitted mail, as recorded for tests (`sentLog(core)`, `GET /_emulator/mail/sent`). */
export interface SentMailRecord {
	at: string;
	via: SendVia;
	/** The sending mailbox (absent for mail injected by `deliverMail`). */
	senderId?: string;
	from: string;
	subject: string;
	internetMessageId: string;
	to: string[];
	cc: string[];
	bcc: string[];
	deliveredTo: Array<{ userId: string; messageId: string }>;
	savedToSentItems: boolean;
	sentItemId?: string;
	attachmentCount: number;
	attachmentBytes: number;
}

/** A mail ready for submission (already validated). */
export interface OutgoingMail {
	from: Recipient;
	sender: Recipient;
	subject: string;
	body: MessageBody;
	toRecipients: Recipient[];
	ccRecipients: Recipient[];
	bccRecipients: Recipient[];
	replyTo: Recipient[];
	importance: MessageJson['importance'];
	categories?: string[];
	isDeliveryReceiptRequested?: boolean;
	isReadReceiptRequested?: boolean;
	attachments: AttachmentInput[];
	internetMessageId: string;
	threadRoot: string;
	inReplyTo?: string | null;
	references?: string[];
	internetMessageHeaders?: Array<{ name: string; value: string }>;
	/** MIME-submitted mail keeps its bytes as the `$value` of every copy. */
	rawMime?: Buffer;
}

interface ModuleData {
	sentLog: SentMailRecord[];
}

const moduleData = new WeakMap<EmulatorCore, ModuleData>();

function dataOf(core: EmulatorCore): ModuleData {
	let data = moduleData.get(core);
	if (!data) {
		data = { sentLog: [] };
		moduleData.set(core, data);
	}
	return data;
}

/** Every mail submitted through this emulator since start/reset, oldest first. */
export function sentLog(core: EmulatorCore): SentMailRecord[] {
	return dataOf(core).sentLog;
}

export function clearSentLog(core: EmulatorCore): void {
	dataOf(core).sentLog.length = 0;
}

function addresses(recipients: Recipient[]): string[] {
	return recipients.map((r) => r.emailAddress.address);
}

/**
 * Delivers `mail`: one copy per distinct emulator user among to/cc/bcc (unread, in Inbox, without
 * the Bcc list), plus the sender's Sent Items copy — either the submitted draft itself (moved) or a
 * new copy when `saveToSentItems`.
 */
export function submitMail(
	core: EmulatorCore,
	mail: OutgoingMail,
	options: { via: SendVia; senderId?: string; saveToSentItems: boolean; draft?: StoredMessage },
): SentMailRecord {
	const now = core.now();
	const record: SentMailRecord = {
		at: isoSeconds(now),
		via: options.via,
		senderId: options.senderId,
		from: mail.from.emailAddress.address,
		subject: mail.subject,
		internetMessageId: mail.internetMessageId,
		to: addresses(mail.toRecipients),
		cc: addresses(mail.ccRecipients),
		bcc: addresses(mail.bccRecipients),
		deliveredTo: [],
		savedToSentItems: false,
		attachmentCount: mail.attachments.length,
		attachmentBytes: mail.attachments.reduce((sum, a) => sum + a.content.length, 0),
	};
	for (const user of recipientUsers(core, mail)) {
		record.deliveredTo.push({ userId: user.id, messageId: deliverCopy(core, user, mail, now) });
	}
	if (options.senderId && (options.draft || options.saveToSentItems)) {
		record.sentItemId = fileSentCopy(core, options.senderId, mail, now, options.draft);
		record.savedToSentItems = true;
	}
	dataOf(core).sentLog.push(record);
	return record;
}

function recipientUsers(core: EmulatorCore, mail: OutgoingMail): EmulatorUser[] {
	const users = new Map<string, EmulatorUser>();
	for (const recipient of [...mail.toRecipients, ...mail.ccRecipients, ...mail.bccRecipients]) {
		const user = findUserByAddress(core, recipient.emailAddress.address);
		if (user) users.set(user.id, user);
	}
	return [...users.values()];
}

function messageInit(mail: OutgoingMail, now: number): NewMessageInit {
	return {
		subject: mail.subject,
		body: mail.body,
		from: mail.from,
		sender: mail.sender,
		toRecipients: mail.toRecipients,
		ccRecipients: mail.ccRecipients,
		bccRecipients: mail.bccRecipients,
		replyTo: mail.replyTo,
		importance: mail.importance,
		isDeliveryReceiptRequested: mail.isDeliveryReceiptRequested,
		isReadReceiptRequested: mail.isReadReceiptRequested,
		internetMessageId: mail.internetMessageId,
		threadRoot: mail.threadRoot,
		inReplyTo: mail.inReplyTo,
		references: mail.references,
		internetMessageHeaders: mail.internetMessageHeaders,
		attachments: mail.attachments,
		rawMime: mail.rawMime,
		receivedMs: now,
		sentMs: now,
		isDraft: false,
	};
}

function deliverCopy(core: EmulatorCore, user: EmulatorUser, mail: OutgoingMail, now: number): string {
	const state = mailboxOf(core, user);
	const inbox = wellKnownFolder(state, 'inbox');
	const message = createStoredMessage(state, {
		...messageInit(mail, now),
		bccRecipients: [],
		rawMime: mail.rawMime ? stripBccHeader(mail.rawMime) : undefined,
		isRead: false,
	});
	insertMessage(state, inbox, message);
	emitMessageChange(core, state, 'created', message.json.id, inbox.id);
	return message.json.id;
}

function fileSentCopy(core: EmulatorCore, senderId: string, mail: OutgoingMail, now: number, draft?: StoredMessage): string {
	const state = mailboxOf(core, senderId);
	const sentItems = wellKnownFolder(state, 'sentitems');
	if (draft && findMessage(state, draft.json.id) === draft) {
		draft.json.isDraft = false;
		draft.json.sentDateTime = isoSeconds(now);
		draft.json.receivedDateTime = isoSeconds(now);
		draft.json.internetMessageId = mail.internetMessageId;
		moveStoredMessage(core, state, draft, sentItems);
		return draft.json.id;
	}
	const message = createStoredMessage(state, { ...messageInit(mail, now), isRead: true });
	insertMessage(state, sentItems, message);
	emitMessageChange(core, state, 'created', message.json.id, sentItems.id);
	return message.json.id;
}

/** Recipients must not see the Bcc list in the bytes either. */
function stripBccHeader(raw: Buffer): Buffer {
	const text = raw.toString('latin1');
	const headerEnd = text.search(/\r?\n\r?\n/);
	if (headerEnd < 0) return raw;
	const head = text.slice(0, headerEnd).replace(/^Bcc:.*(\r?\n[ \t].*)*(\r?\n)?/gim, '');
	return Buffer.from(head + text.slice(headerEnd), 'latin1');
}

// ---------------------------------------------------------------------------------------------
// Routes

export function registerSendRoutes(core: EmulatorCore): void {
	const route = (method: string, pattern: string, handler: MailHandler) => core.mailboxRoute(method, pattern, mailHandler(core, handler));
	const itemRoute = (method: string, suffix: string, handler: MailHandler) => {
		route(method, `/messages/:messageId${suffix}`, handler);
		route(method, `/mailFolders/:folderId/messages/:messageId${suffix}`, handler);
	};

	route('POST', '/sendMail', (req, state) => sendMail(core, req, state));
	itemRoute('POST', '/send', (req, state) => sendDraft(core, req, state));
	for (const kind of ['reply', 'replyAll', 'forward'] as const) {
		itemRoute('POST', `/${kind}`, (req, state) => respond(core, req, state, kind, 'send'));
		const createName = `create${kind[0].toUpperCase()}${kind.slice(1)}`;
		itemRoute('POST', `/${createName}`, (req, state) => respond(core, req, state, kind, 'draft'));
	}
}

function mailboxUser(req: GraphRequest): EmulatorUser {
	if (!req.mailbox) throw new MailInputError(400, 'BadRequest', 'A mailbox is required for this request.');
	return req.mailbox;
}

function parseSaveToSentItems(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (typeof value === 'boolean') return value;
	if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
	throw new MailInputError(400, 'RequestBodyRead', `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Boolean'.`);
}

function isMimeRequest(req: GraphRequest): boolean {
	const contentType = req.headers['content-type'];
	return typeof contentType === 'string' && /^\s*text\/plain\b/i.test(contentType);
}

async function sendMail(core: EmulatorCore, req: GraphRequest, state: MailboxState): Promise<Reply> {
	if (req.rawBody.length > MAX_REQUEST_BYTES) throw tooLarge();
	const user = mailboxUser(req);
	if (isMimeRequest(req)) {
		const mail = await outgoingFromMime(core, user, req.rawBody.toString('latin1'));
		assertSendableRecipients([...mail.toRecipients, ...mail.ccRecipients, ...mail.bccRecipients]);
		submitMail(core, mail, { via: 'sendMime', senderId: state.userId, saveToSentItems: true });
		return { status: 202 };
	}
	const body = requireJsonObject(req);
	const message = body.message ?? body.Message;
	if (!message || typeof message !== 'object' || Array.isArray(message)) {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'Message' is empty.");
	}
	const saveToSentItems = parseSaveToSentItems(body.saveToSentItems ?? body.SaveToSentItems);
	const init = draftInitFromBody(core, user, message as Record<string, unknown>);
	const mail = outgoingFromInit(init, user);
	assertSendableRecipients([...mail.toRecipients, ...mail.ccRecipients, ...mail.bccRecipients]);
	submitMail(core, mail, { via: 'sendMail', senderId: state.userId, saveToSentItems });
	return { status: 202 };
}

function outgoingFromInit(init: Omit<NewMessageInit, 'receivedMs'>, user: EmulatorUser): OutgoingMail {
	const internetMessageId = init.internetMessageId ?? newInternetMessageId();
	return {
		from: init.from ?? userRecipient(user),
		sender: userRecipient(user),
		subject: init.subject ?? '',
		body: init.body ?? { contentType: 'text', content: '' },
		toRecipients: init.toRecipients ?? [],
		ccRecipients: init.ccRecipients ?? [],
		bccRecipients: init.bccRecipients ?? [],
		replyTo: init.replyTo ?? [],
		importance: init.importance ?? 'normal',
		isDeliveryReceiptRequested: init.isDeliveryReceiptRequested,
		isReadReceiptRequested: init.isReadReceiptRequested,
		attachments: (init.attachments ?? []) as AttachmentInput[],
		internetMessageId,
		threadRoot: init.threadRoot ?? init.references?.[0] ?? internetMessageId,
		inReplyTo: init.inReplyTo,
		references: init.references,
		internetMessageHeaders: init.internetMessageHeaders,
	};
}

/** The stored draft as an outgoing mail (its attachments and threading headers included). */
function outgoingFromDraft(draft: StoredMessage, user: EmulatorUser): OutgoingMail {
	const json = draft.json;
	return {
		from: json.from ?? userRecipient(user),
		sender: userRecipient(user),
		subject: json.subject,
		body: json.body,
		toRecipients: json.toRecipients,
		ccRecipients: json.ccRecipients,
		bccRecipients: json.bccRecipients,
		replyTo: json.replyTo,
		importance: json.importance,
		isDeliveryReceiptRequested: json.isDeliveryReceiptRequested,
		isReadReceiptRequested: json.isReadReceiptRequested,
		attachments: draft.attachments,
		internetMessageId: json.internetMessageId,
		threadRoot: draft.references?.[0] ?? json.internetMessageId,
		inReplyTo: draft.inReplyTo,
		references: draft.references,
		internetMessageHeaders: draft.internetMessageHeaders,
	};
}

function sendDraft(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const draft = requireMessage(state, req.params.messageId);
	if (!draft.json.isDraft) {
		throw new MailInputError(400, 'ErrorInvalidOperation', 'Only draft messages can be sent; this message has already been sent.');
	}
	const mail = outgoingFromDraft(draft, mailboxUser(req));
	assertSendableRecipients([...mail.toRecipients, ...mail.ccRecipients, ...mail.bccRecipients]);
	submitMail(core, mail, { via: 'send', senderId: state.userId, saveToSentItems: true, draft });
	return { status: 202 };
}

// ---------------------------------------------------------------------------------------------
// MIME submission

/** Parses `POST /sendMail` with `Content-Type: text/plain` (base64 MIME) into an outgoing mail. */
export async function outgoingFromMime(core: EmulatorCore, user: EmulatorUser, base64: string): Promise<OutgoingMail> {
	const raw = decodeBase64Strict(base64);
	if (!raw || raw.length === 0) {
		throw new MailInputError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
	}
	const parsed = await parseMime(raw);
	const withIds = ensureIdentityHeaders(raw, parsed, core.now());
	const mail = outgoingFromParsed(core, parsed, withIds.messageId, userRecipient(user));
	mail.rawMime = withIds.raw;
	return mail;
}

export async function parseMime(raw: Buffer): Promise<ParsedMail> {
	const headerEnd = raw.indexOf('\n');
	if (headerEnd < 0 || !/^[\x21-\x39\x3b-\x7e]+:/.test(raw.subarray(0, headerEnd).toString('latin1'))) {
		throw new MailInputError(400, 'ErrorMimeContentInvalid', 'The MIME content is not a valid RFC 822 message.');
	}
	return simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
}

/** Exchange stamps a Message-ID and Date on submitted MIME that lacks them. */
function ensureIdentityHeaders(raw: Buffer, parsed: ParsedMail, now: number): { raw: Buffer; messageId: string } {
	const extra: string[] = [];
	let messageId = parsed.messageId;
	if (!messageId) {
		messageId = newInternetMessageId();
		extra.push(`Message-ID: ${messageId}`);
	}
	if (!parsed.date || !parsed.headers.has('date')) extra.push(`Date: ${formatRfc5322Date(new Date(now))}`);
	if (extra.length === 0) return { raw, messageId };
	return { raw: Buffer.concat([Buffer.from(`${extra.join('\r\n')}\r\n`, 'latin1'), raw]), messageId };
}

function parsedAddresses(core: EmulatorCore, value: AddressObject | AddressObject[] | undefined, field: string): Recipient[] {
	const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
	const flat = list.flatMap((group) => group.value).flatMap((entry) => (entry.group ? entry.group : [entry]));
	return normalizeRecipients(
		core,
		flat.filter((entry) => entry.address).map((entry) => ({ emailAddress: { name: entry.name || '', address: entry.address } })),
		field,
	);
}

/** Maps a parsed MIME message onto Graph's message fields. */
export function outgoingFromParsed(core: EmulatorCore, parsed: ParsedMail, messageId: string, fallbackFrom: Recipient): OutgoingMail {
	const from = parsedAddresses(core, parsed.from, 'from')[0] ?? fallbackFrom;
	const references = parsed.references === undefined ? undefined : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
	const body: MessageBody =
		typeof parsed.html === 'string' && parsed.html
			? { contentType: 'html', content: parsed.html }
			: { contentType: 'text', content: parsed.text ?? '' };
	const priority = parsed.headers.get('priority');
	return {
		from,
		sender: from,
		subject: parsed.subject ?? '',
		body,
		toRecipients: parsedAddresses(core, parsed.to, 'toRecipients'),
		ccRecipients: parsedAddresses(core, parsed.cc, 'ccRecipients'),
		bccRecipients: parsedAddresses(core, parsed.bcc, 'bccRecipients'),
		replyTo: parsedAddresses(core, parsed.replyTo, 'replyTo'),
		importance: priority === 'high' || priority === 'low' ? priority : 'normal',
		attachments: parsed.attachments.map((a) => ({
			name: a.filename ?? 'attachment',
			contentType: a.contentType || 'application/octet-stream',
			content: a.content,
			isInline: a.contentDisposition === 'inline' && !!a.cid,
			contentId: a.cid ?? null,
		})),
		internetMessageId: messageId,
		threadRoot: references?.[0] ?? messageId,
		inReplyTo: parsed.inReplyTo ?? null,
		references,
	};
}

// ---------------------------------------------------------------------------------------------
// reply / replyAll / forward

type ResponseKind = 'reply' | 'replyAll' | 'forward';

function sameAddress(a: Recipient, b: Recipient | EmulatorUser): boolean {
	const other = 'emailAddress' in b ? b.emailAddress.address : b.mail || b.userPrincipalName;
	return a.emailAddress.address.toLowerCase() === other.toLowerCase();
}

/** Builds the reply/forward draft fields from the original message, then applies the request body. */
function responseInit(core: EmulatorCore, user: EmulatorUser, original: StoredMessage, kind: ResponseKind, body: Record<string, unknown>) {
	const source = original.json;
	const prefix = kind === 'forward' ? 'FW: ' : 'RE: ';
	const subject = /^(re|fw|fwd):/i.test(source.subject) ? source.subject : `${prefix}${source.subject}`;
	const replyTarget = source.replyTo.length > 0 ? source.replyTo : source.from ? [source.from] : [];
	let to: Recipient[] = [];
	let cc: Recipient[] = [];
	if (kind === 'reply') to = replyTarget;
	if (kind === 'replyAll') {
		to = dedupe([...replyTarget, ...source.toRecipients.filter((r) => !sameAddress(r, user))]);
		cc = source.ccRecipients.filter((r) => !sameAddress(r, user));
	}
	const extra = (body.message ?? {}) as Record<string, unknown>;
	const bodyRecipients = normalizeRecipients(core, body.toRecipients, 'toRecipients');
	if (bodyRecipients.length > 0) to = kind === 'forward' ? bodyRecipients : dedupe([...to, ...bodyRecipients]);
	const comment = typeof body.comment === 'string' ? body.comment : typeof body.Comment === 'string' ? body.Comment : '';
	const references = [...(original.references ?? []), source.internetMessageId];
	const init = draftInitFromBody(core, user, {
		subject,
		toRecipients: to,
		ccRecipients: cc,
		...extra,
		body: extra.body ?? quotedBody(comment, source),
	});
	return {
		...init,
		inReplyTo: source.internetMessageId,
		references,
		threadRoot: references[0],
		attachments: kind === 'forward' ? [...original.attachments, ...(init.attachments ?? [])] : init.attachments,
	};
}

function dedupe(recipients: Recipient[]): Recipient[] {
	const seen = new Set<string>();
	return recipients.filter((r) => {
		const key = r.emailAddress.address.toLowerCase();
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

function quotedBody(comment: string, source: MessageJson): MessageBody {
	const escape = (text: string) => text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
	const list = (rs: Recipient[]) => rs.map((r) => escape(`${r.emailAddress.name} <${r.emailAddress.address}>`)).join('; ');
	const original = source.body.contentType === 'html' ? source.body.content : `<pre>${escape(source.body.content)}</pre>`;
	const header = [
		`<b>From:</b> ${source.from ? list([source.from]) : ''}<br>`,
		`<b>Sent:</b> ${escape(source.sentDateTime)}<br>`,
		`<b>To:</b> ${list(source.toRecipients)}<br>`,
		`<b>Subject:</b> ${escape(source.subject)}`,
	].join('\r\n');
	return normalizeBody({
		contentType: 'html',
		content: `<html><body><div>${escape(comment)}</div><hr><div>${header}</div><br>${original}</body></html>`,
	});
}

function respond(core: EmulatorCore, req: GraphRequest, state: MailboxState, kind: ResponseKind, mode: 'send' | 'draft'): Reply {
	const user = mailboxUser(req);
	const original = requireMessage(state, req.params.messageId);
	const body = req.rawBody.length > 0 ? requireJsonObject(req) : {};
	assertAnswerBody(kind, mode, body);
	const init = responseInit(core, user, original, kind, body);
	if (mode === 'draft') {
		const now = core.now();
		const drafts = wellKnownFolder(state, 'drafts');
		const draft = createStoredMessage(state, { ...init, receivedMs: now, sentMs: now });
		draft.json.conversationId = original.json.conversationId;
		insertMessage(state, drafts, draft);
		emitMessageChange(core, state, 'created', draft.json.id, drafts.id);
		return { status: 201, body: { '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${state.userId}')/messages/$entity`, ...draft.json } };
	}
	const mail = outgoingFromInit(init, user);
	assertSendableRecipients([...mail.toRecipients, ...mail.ccRecipients, ...mail.bccRecipients]);
	submitMail(core, mail, { via: kind, senderId: state.userId, saveToSentItems: true });
	return { status: 202 };
}
