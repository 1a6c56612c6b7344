/**
 * Graph routes for the attachments of a message (`/messages/{id}/attachments…`, with or without a
 * folder segment): list, get, `$value`, add, delete. Three kinds, as in Graph (attachment-get.md,
 * attachment-post-attachments.md):
 * - fileAttachment: bytes (`contentBytes`); `$value` → the raw file;
 * - itemAttachment: an Outlook item (here: a message); no `contentBytes`, `contentType: null`;
 *   `$value` → the item's MIME;
 * - referenceAttachment: a link to a cloud file; `$value` → 405 (there is no content to return).
 * One POST takes an attachment under 3 MB; bigger files go through an upload session (mail-upload.ts).
 */
import { listResponse, selectFields } from './odata';
import { touchMessage, type MailboxState, type StoredAttachment, type StoredMessage } from './mail-store';
import {
	attachmentJson,
	computeHasAttachments,
	createStoredMessage,
	draftInitFromBody,
	MailInputError,
	messageMime,
	parseFileAttachment,
	toStoredAttachment,
	type AttachmentInput,
} from './mail-messages';
import { emitMessageChange, json, mailHandler, notFound, requireJsonObject, requireMessage, userContext, type MailHandler } from './mail-routes';
import type { EmulatorCore, GraphRequest, Reply } from './types';

export function registerAttachmentRoutes(core: EmulatorCore): void {
	const itemRoute = (method: string, suffix: string, handler: MailHandler) => {
		core.mailboxRoute(method, `/messages/:messageId${suffix}`, mailHandler(core, handler));
		core.mailboxRoute(method, `/mailFolders/:folderId/messages/:messageId${suffix}`, mailHandler(core, handler));
	};
	itemRoute('GET', '/attachments', (req, state) => listAttachments(core, req, state));
	itemRoute('GET', '/attachments/:attachmentId', (req, state) => {
		const message = requireMessage(state, req.params.messageId);
		const attachment = requireAttachment(message, req.params.attachmentId);
		return json(200, {
			'@odata.context': `${userContext(state)}/messages('${message.json.id}')/attachments/$entity`,
			...selectFields(attachmentJsonOf(attachment), req.query.$select),
		});
	});
	itemRoute('GET', '/attachments/:attachmentId/$value', (req, state) => attachmentValue(core, req, state));
	itemRoute('POST', '/attachments', (req, state) => addAttachment(core, req, state));
	itemRoute('DELETE', '/attachments/:attachmentId', (req, state) => {
		const message = requireMessage(state, req.params.messageId);
		const attachment = requireAttachment(message, req.params.attachmentId);
		message.attachments = message.attachments.filter((a) => a !== attachment);
		changed(core, state, message);
		return { status: 204 };
	});
}

function requireAttachment(message: StoredMessage, attachmentId: string): StoredAttachment {
	const attachment = message.attachments.find((a) => a.id === attachmentId);
	if (!attachment) throw notFound();
	return attachment;
}

/** The attachment as Graph shows it: `@odata.type` by kind; only file attachments carry `contentBytes`. */
export function attachmentJsonOf(attachment: StoredAttachment, withContent = true): Record<string, unknown> {
	if (!attachment.kind) return attachmentJson(attachment, withContent);
	const base = {
		id: attachment.id,
		lastModifiedDateTime: attachment.lastModifiedDateTime,
		name: attachment.name,
		size: attachment.content.length,
		isInline: attachment.isInline,
	};
	if (attachment.kind === 'item') return { '@odata.type': '#microsoft.graph.itemAttachment', ...base, contentType: null };
	return { '@odata.type': '#microsoft.graph.referenceAttachment', ...base, contentType: attachment.contentType || null };
}

function listAttachments(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const message = requireMessage(state, req.params.messageId);
	return listResponse(core, req, message.attachments.map((a) => attachmentJsonOf(a)), {
		defaultTop: 1000,
		maxTop: 1000,
		contextUrl: `${userContext(state)}/messages('${message.json.id}')/attachments`,
	});
}

/**
 * `$value`: a file's bytes, an attached message's MIME. The docs say a reference attachment's
 * `$value` returns 405 but give no error body: the code and message here are the emulator's choice.
 */
function attachmentValue(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const attachment = requireAttachment(requireMessage(state, req.params.messageId), req.params.attachmentId);
	if (attachment.kind === 'reference') {
		return core.graphError(405, 'ErrorInvalidRequest', 'The raw content of a reference attachment cannot be retrieved: it is a link to a file stored elsewhere.', req);
	}
	// The docs do not name the Content-Type of an attached message's MIME; message `$value` answers text/plain, so does this.
	const contentType = attachment.kind === 'item' && attachment.contentType === 'message/rfc822' ? 'text/plain' : attachment.contentType || 'application/octet-stream';
	return { status: 200, headers: { 'Content-Type': contentType }, body: attachment.content };
}

function addAttachment(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const message = requireMessage(state, req.params.messageId);
	const body = requireJsonObject(req);
	const type = typeof body['@odata.type'] === 'string' ? body['@odata.type'].toLowerCase().replace(/^#?/, '#') : '#microsoft.graph.fileattachment';
	const now = core.now();
	let attachment: StoredAttachment;
	if (type === '#microsoft.graph.itemattachment') attachment = toStoredAttachment(state, message.json.id, itemAttachmentInput(core, req, state, body), now);
	else if (type === '#microsoft.graph.referenceattachment') attachment = referenceAttachment(state, message, body, now);
	else attachment = toStoredAttachment(state, message.json.id, parseFileAttachment(body), now);
	message.attachments = [...message.attachments, attachment];
	changed(core, state, message);
	return json(201, {
		'@odata.context': `${userContext(state)}/messages('${message.json.id}')/attachments/$entity`,
		...attachmentJsonOf(attachment),
	});
}

function requireName(value: unknown): string {
	if (typeof value !== 'string' || value === '') throw new MailInputError(400, 'ErrorInvalidParameter', 'The attachment name is required.');
	return value;
}

/** `{"@odata.type": "#microsoft.graph.itemAttachment", name, item: {message}}`: the item is kept as MIME. */
function itemAttachmentInput(core: EmulatorCore, req: GraphRequest, state: MailboxState, body: Record<string, unknown>): AttachmentInput {
	const name = requireName(body.name);
	const item = body.item;
	if (!item || typeof item !== 'object' || Array.isArray(item)) {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'Item' is empty.");
	}
	const itemType = String((item as Record<string, unknown>)['@odata.type'] ?? '#microsoft.graph.message').toLowerCase().replace(/^#?/, '#');
	const calendarOrCard = calendarOrCardItem(itemType, item as Record<string, unknown>);
	if (calendarOrCard) return { name, contentType: calendarOrCard.contentType, content: calendarOrCard.content, kind: 'item' };
	if (itemType !== '#microsoft.graph.message') {
		throw new MailInputError(400, 'ErrorInvalidParameter', `Item type '${itemType}' is not supported by the emulator (message, event, contact).`);
	}
	if (!req.mailbox) throw new MailInputError(400, 'BadRequest', 'A mailbox is required for this request.');
	const now = core.now();
	const stored = createStoredMessage(state, { ...draftInitFromBody(core, req.mailbox, item as Record<string, unknown>), receivedMs: now });
	return { name, contentType: 'message/rfc822', content: messageMime(stored), kind: 'item' };
}

/**
 * An attached event or contact: attachment-get.md says `$value` gives iCalendar and vCard for them. A
 * minimal one (summary / name only) is enough for clients that store the file.
 */
function calendarOrCardItem(itemType: string, item: Record<string, unknown>): { contentType: string; content: Buffer } | undefined {
	const line = (value: unknown) => String(value ?? '').replace(/[\r\n]+/g, ' ');
	if (itemType === '#microsoft.graph.event') {
		const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Graph emulator//EN', 'BEGIN:VEVENT', `SUMMARY:${line(item.subject)}`, 'END:VEVENT', 'END:VCALENDAR', ''];
		return { contentType: 'text/calendar', content: Buffer.from(ics.join('\r\n')) };
	}
	if (itemType === '#microsoft.graph.contact') {
		const vcf = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${line(item.displayName)}`, 'END:VCARD', ''];
		return { contentType: 'text/vcard', content: Buffer.from(vcf.join('\r\n')) };
	}
	return undefined;
}

/** `{"@odata.type": "#microsoft.graph.referenceAttachment", name, sourceUrl}`: a link, no bytes. */
function referenceAttachment(state: MailboxState, message: StoredMessage, body: Record<string, unknown>, now: number): StoredAttachment {
	const name = requireName(body.name);
	if (typeof body.sourceUrl !== 'string' || !/^https:\/\//i.test(body.sourceUrl)) {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'SourceUrl' is invalid.");
	}
	return toStoredAttachment(state, message.json.id, { name, contentType: '', content: Buffer.alloc(0), kind: 'reference', sourceUrl: body.sourceUrl }, now);
}

function changed(core: EmulatorCore, state: MailboxState, message: StoredMessage): void {
	// The stored MIME no longer matches once the item changes; rebuilt lazily from JSON.
	message.rawMime = undefined;
	message.json.hasAttachments = computeHasAttachments(message.attachments);
	touchMessage(state, message, core.now());
	emitMessageChange(core, state, 'updated', message.json.id, message.json.parentFolderId);
}
