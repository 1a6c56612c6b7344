/**
 * Test data for the mail module: bulk seeding (100,000 messages in seconds, sharing bodies and
 * attachment bytes), "a new mail arrives" injection, raw MIME import, the default sample mailboxes,
 * and the `/_emulator/...` control routes for all of them.
 */
import {
	addFolder,
	childFolders,
	findFolder,
	insertMessage,
	mailboxOf,
	newFolderId,
	ROOT_FOLDER,
	wellKnownFolder,
	type MailboxState,
	type MailFolder,
	type MessageBody,
	type Recipient,
} from './mail-store';
import { bodyPreviewOf, createStoredMessage, decodeBase64Strict, findUserByAddress, MailInputError, userRecipient, type AttachmentInput } from './mail-messages';
import { emitMessageChange } from './mail-routes';
import { clearSentLog, outgoingFromParsed, parseMime, sentLog, submitMail, type SentMailRecord } from './mail-send';
import type { EmulatorCore, EmulatorUser, GraphRequest, Reply } from './types';

export interface SeedMessagesOptions {
	/** User id, UPN or mail address. */
	userId: string;
	/** Folder id, well-known name or display name (default `inbox`). */
	folder?: string;
	count: number;
	/** Every Nth message gets one file attachment (0/undefined = none). */
	withAttachments?: number;
	/** Size of each seeded attachment (default 1024). */
	attachmentBytes?: number;
	/** Approximate size of each html body (default 400). */
	bodyBytes?: number;
	/** Subject prefix; subjects are `${prefix} ${n}` with n = 1..count (default "Seeded message"). */
	subjectPrefix?: string;
	/** Emit a `created` change event per message (default false: bulk seeding stays silent). */
	emitEvents?: boolean;
}

export interface SeedMessagesResult {
	userId: string;
	folderId: string;
	count: number;
	/** Ids in seeding order (message n is ids[n-1]); the last one is the newest. */
	ids: string[];
}

const EXTERNAL_SENDERS: Recipient[] = [
	{ emailAddress: { name: 'Contoso Billing', address: 'billing@contoso-billing.com' } },
	{ emailAddress: { name: 'Fabrikam Support', address: 'support@fabrikam.com' } },
	{ emailAddress: { name: 'Northwind Traders', address: 'orders@northwindtraders.com' } },
	{ emailAddress: { name: 'Tailspin Toys', address: 'news@tailspintoys.com' } },
	{ emailAddress: { name: 'Woodgrove Bank', address: 'alerts@woodgrovebank.com' } },
];

/** One buffer per distinct size: 100,000 seeded attachments cost one allocation. */
const payloadCache = new Map<number, Buffer>();

export function seedPayload(bytes: number): Buffer {
	let payload = payloadCache.get(bytes);
	if (!payload) {
		const line = 'Microsoft Graph emulator attachment payload. 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n';
		payload = Buffer.alloc(bytes, line, 'utf8');
		payloadCache.set(bytes, payload);
	}
	return payload;
}

function seedBody(bytes: number): MessageBody {
	const sentence = 'This is seeded mail content for load and paging tests. ';
	const text = sentence.repeat(Math.max(1, Math.ceil(bytes / sentence.length))).slice(0, Math.max(bytes, 1));
	return { contentType: 'html', content: `<html><body><p>${text}</p></body></html>` };
}

export function requireUser(core: EmulatorCore, idOrUpn: unknown): EmulatorUser {
	const user = typeof idOrUpn === 'string' ? (core.findUser(idOrUpn) ?? findUserByAddress(core, idOrUpn)) : undefined;
	if (!user) throw new MailInputError(404, 'ErrorInvalidUser', `The requested user '${String(idOrUpn)}' is invalid.`);
	return user;
}

/** Folder by id, well-known name or (for seeding convenience) display name anywhere in the mailbox. */
export function seedFolder(state: MailboxState, idOrName: string | undefined): MailFolder {
	const wanted = idOrName ?? 'inbox';
	const folder = findFolder(state, wanted) ?? [...state.folders.values()].find((f) => f.displayName.toLowerCase() === wanted.toLowerCase());
	if (!folder) throw new MailInputError(404, 'ErrorItemNotFound', `Folder '${wanted}' was not found in the mailbox.`);
	return folder;
}

/**
 * Bulk-creates messages. Message n (1-based) is received n-1 minutes after message 1, so the
 * last one is the newest; bodies and attachment bytes are shared between messages.
 */
export function seedMessages(core: EmulatorCore, options: SeedMessagesOptions): SeedMessagesResult {
	const user = requireUser(core, options.userId);
	const state = mailboxOf(core, user);
	const folder = seedFolder(state, options.folder);
	const count = Math.max(0, Math.floor(Number(options.count) || 0));
	const body = seedBody(options.bodyBytes ?? 400);
	const bodyPreview = bodyPreviewOf(body);
	const prefix = options.subjectPrefix ?? 'Seeded message';
	const every = Math.max(0, Math.floor(options.withAttachments ?? 0));
	const payload = every > 0 ? seedPayload(Math.max(1, options.attachmentBytes ?? 1024)) : undefined;
	const to = [userRecipient(user)];
	const now = core.now();
	const ids: string[] = new Array(count);
	for (let n = 1; n <= count; n++) {
		const attachments: AttachmentInput[] =
			payload && n % every === 0 ? [{ name: `attachment-${n}.txt`, contentType: 'text/plain', content: payload }] : [];
		const receivedMs = now - (count - n) * 60_000;
		const message = createStoredMessage(state, {
			subject: [prefix, String(n)].join(' '),
			body,
			bodyPreview,
			from: EXTERNAL_SENDERS[n % EXTERNAL_SENDERS.length],
			toRecipients: to,
			importance: n % 10 === 0 ? 'high' : 'normal',
			isRead: n % 2 === 0,
			internetMessageId: ['<seed-', String(n), '-', state.salt, '-', String(state.counter), '@emulator.contoso.com>'].join(''),
			receivedMs,
			sentMs: receivedMs - 5_000,
			attachments,
		});
		insertMessage(state, folder, message);
		ids[n - 1] = message.json.id;
		if (options.emitEvents) emitMessageChange(core, state, 'created', message.json.id, folder.id);
	}
	return { userId: user.id, folderId: folder.id, count, ids };
}

export interface DeliverMailOptions {
	/** One or more recipients: user ids, UPNs or mail addresses (emulator users get a copy). */
	to: string | string[];
	cc?: string | string[];
	/** Sender address or `{name, address}`; default an external sender. */
	from?: string | { name?: string; address: string };
	subject: string;
	text?: string;
	html?: string;
	attachments?: Array<{ name: string; contentType?: string; contentBase64: string; isInline?: boolean; contentId?: string }>;
	importance?: 'low' | 'normal' | 'high';
}

function asList(value: string | string[] | undefined): string[] {
	return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function recipientFor(core: EmulatorCore, value: string): Recipient {
	const user = core.findUser(value) ?? findUserByAddress(core, value);
	return user ? userRecipient(user) : { emailAddress: { name: value, address: value } };
}

/** "A new mail arrives": delivers into each recipient's Inbox (unread) and emits `created`. */
export function deliverMail(core: EmulatorCore, options: DeliverMailOptions): SentMailRecord {
	const to = asList(options.to).map((v) => recipientFor(core, v));
	const cc = asList(options.cc).map((v) => recipientFor(core, v));
	if (![...to, ...cc].some((r) => findUserByAddress(core, r.emailAddress.address))) {
		throw new MailInputError(400, 'ErrorInvalidRecipients', 'deliverMail needs at least one emulator user among the recipients.');
	}
	const from: Recipient =
		typeof options.from === 'string'
			? recipientFor(core, options.from)
			: options.from
				? { emailAddress: { name: options.from.name ?? options.from.address, address: options.from.address } }
				: { emailAddress: { name: 'Fabrikam Notifications', address: 'notifications@fabrikam.com' } };
	const body: MessageBody =
		options.html !== undefined ? { contentType: 'html', content: options.html } : { contentType: 'text', content: options.text ?? '' };
	const attachments: AttachmentInput[] = (options.attachments ?? []).map((a) => {
		const content = decodeBase64Strict(a.contentBase64);
		if (!content) throw new MailInputError(400, 'ErrorInvalidParameter', `Attachment '${a.name}' has invalid base64 content.`);
		return { name: a.name, contentType: a.contentType ?? 'application/octet-stream', content, isInline: a.isInline, contentId: a.contentId };
	});
	const internetMessageId = `<deliver-${core.newId()}@fabrikam.com>`;
	return submitMail(
		core,
		{
			from,
			sender: from,
			subject: options.subject,
			body,
			toRecipients: to,
			ccRecipients: cc,
			bccRecipients: [],
			replyTo: [],
			importance: options.importance ?? 'normal',
			attachments,
			internetMessageId,
			threadRoot: internetMessageId,
		},
		{ via: 'deliver', saveToSentItems: false },
	);
}

/** Imports a raw RFC 822 message; its bytes become the `$value` unchanged. */
export async function seedMime(core: EmulatorCore, options: { userId: string; folder?: string; mimeBase64: string }): Promise<{ id: string; folderId: string }> {
	const user = requireUser(core, options.userId);
	const state = mailboxOf(core, user);
	const folder = seedFolder(state, options.folder);
	const raw = typeof options.mimeBase64 === 'string' ? decodeBase64Strict(options.mimeBase64) : undefined;
	if (!raw || raw.length === 0) {
		throw new MailInputError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
	}
	const parsed = await parseMime(raw);
	const messageId = parsed.messageId ?? `<import-${core.newId()}@emulator.contoso.com>`;
	const mail = outgoingFromParsed(core, parsed, messageId, userRecipient(user));
	const sentMs = parsed.date?.getTime() ?? core.now();
	const message = createStoredMessage(state, {
		subject: mail.subject,
		body: mail.body,
		from: mail.from,
		sender: mail.sender,
		toRecipients: mail.toRecipients,
		ccRecipients: mail.ccRecipients,
		bccRecipients: mail.bccRecipients,
		replyTo: mail.replyTo,
		importance: mail.importance,
		internetMessageId: messageId,
		threadRoot: mail.threadRoot,
		inReplyTo: mail.inReplyTo,
		references: mail.references,
		attachments: mail.attachments,
		rawMime: raw,
		isRead: false,
		receivedMs: core.now(),
		sentMs,
	});
	insertMessage(state, folder, message);
	emitMessageChange(core, state, 'created', message.json.id, folder.id);
	return { id: message.json.id, folderId: folder.id };
}

// ---------------------------------------------------------------------------------------------
// Default sample data

const PNG_LOGO = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR42mNk+M9Qz8DAwMDEwMDAAAAZ9gGBGCXvFQAAAABJRU5ErkJggg==',
	'base64',
);

interface SampleMail {
	from: Recipient;
	subject: string;
	html: string;
	hoursAgo: number;
	isRead?: boolean;
	importance?: 'low' | 'normal' | 'high';
	attachments?: AttachmentInput[];
	flagged?: boolean;
	categories?: string[];
}

const ALEX: Recipient = { emailAddress: { name: 'Alex Wilber', address: 'AlexW@contoso.com' } };
const LEE: Recipient = { emailAddress: { name: 'Lee Gu', address: 'LeeG@contoso.com' } };
const PATTI: Recipient = { emailAddress: { name: 'Patti Fernandez', address: 'PattiF@contoso.com' } };

function para(...lines: string[]): string {
	return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${lines.map((l) => `<p>${l}</p>`).join('')}</body></html>`;
}

function adeleInbox(megan: Recipient): SampleMail[] {
	const topics = [
		'Weekly sync notes',
		'Store opening checklist',
		'Inventory report for March',
		'Lunch on Friday?',
		'Updated price list',
		'Customer feedback summary',
		'Travel approval',
		'Training schedule',
		'Quarterly targets',
		'Vendor contract review',
		'Holiday staffing plan',
		'Marketing campaign draft',
		'Re: Shelf layout',
		'Expense report reminder',
		'New hire onboarding',
		'Security awareness training',
		'Regional meeting agenda',
		'Loyalty program ideas',
		'IT maintenance window',
	];
	const senders = [megan, ALEX, LEE, PATTI, EXTERNAL_SENDERS[0], EXTERNAL_SENDERS[2]];
	const mails: SampleMail[] = topics.map((subject, i) => ({
		from: senders[i % senders.length],
		subject,
		html: para(`Hi Adele,`, `${subject}: details are below.`, 'Thanks!'),
		hoursAgo: 3 + i * 7,
		isRead: i % 3 !== 0,
		importance: i === 8 ? 'high' : 'normal',
		flagged: i === 4,
		categories: i === 1 ? ['Blue category'] : [],
	}));
	mails.push(
		{
			from: megan,
			subject: 'Audit findings (CSV attached)',
			html: para('Hi Adele,', 'Please find the audit findings attached.'),
			hoursAgo: 1,
			isRead: false,
			attachments: [{ name: 'findings.csv', contentType: 'text/csv', content: Buffer.from('id,finding,severity\r\n1,Missing receipt,low\r\n2,Late deposit,medium\r\n') }],
		},
		{
			from: ALEX,
			subject: 'Floor plan and photos',
			html: para('Floor plan attached, plus two photos of the entrance.'),
			hoursAgo: 30,
			attachments: [
				{ name: 'floor-plan.pdf', contentType: 'application/pdf', content: seedPayload(20_000) },
				{ name: 'entrance.png', contentType: 'image/png', content: PNG_LOGO },
			],
		},
		{
			from: EXTERNAL_SENDERS[1],
			subject: 'Your support ticket #4711 was updated',
			html: `<html><body><p><img src="cid:fabrikam-logo@fabrikam.com" alt="Fabrikam"></p><p>Your ticket #4711 has a new reply.</p></body></html>`,
			hoursAgo: 50,
			isRead: false,
			attachments: [{ name: 'logo.png', contentType: 'image/png', content: PNG_LOGO, isInline: true, contentId: 'fabrikam-logo@fabrikam.com' }],
		},
		{
			from: LEE,
			subject: 'Signed contract',
			html: para('Signed copy attached.'),
			hoursAgo: 80,
			attachments: [{ name: 'contract-signed.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: seedPayload(8_192) }],
		},
		{
			from: EXTERNAL_SENDERS[3],
			subject: 'Spring catalogue 🌷 – Größen & Preise',
			html: para('Our spring catalogue is here.', 'Prices in € and sizes for every model.'),
			hoursAgo: 120,
			importance: 'low',
		},
		{
			from: PATTI,
			subject: 'Team offsite',
			html: para('Where should we go this year?'),
			hoursAgo: 150,
		},
	);
	return mails;
}

function fileSample(core: EmulatorCore, state: MailboxState, folder: MailFolder, owner: EmulatorUser, mail: SampleMail): void {
	const received = core.now() - mail.hoursAgo * 3_600_000;
	const message = createStoredMessage(state, {
		subject: mail.subject,
		body: { contentType: 'html', content: mail.html },
		from: mail.from,
		toRecipients: [userRecipient(owner)],
		importance: mail.importance,
		isRead: mail.isRead ?? true,
		flag: { flagStatus: mail.flagged ? 'flagged' : 'notFlagged' },
		categories: mail.categories,
		receivedMs: received,
		sentMs: received - 20_000,
		attachments: mail.attachments,
	});
	insertMessage(state, folder, message);
}

function fileSent(core: EmulatorCore, state: MailboxState, owner: EmulatorUser, to: Recipient, subject: string, hoursAgo: number): void {
	const sent = core.now() - hoursAgo * 3_600_000;
	const message = createStoredMessage(state, {
		subject,
		body: { contentType: 'html', content: para(`Hi ${to.emailAddress.name.split(' ')[0]},`, `${subject}.`, `Best, ${owner.givenName}`) },
		from: userRecipient(owner),
		toRecipients: [to],
		receivedMs: sent,
		sentMs: sent,
		isRead: true,
	});
	insertMessage(state, wellKnownFolder(state, 'sentitems'), message);
}

function ensureFolder(state: MailboxState, parent: MailFolder, displayName: string): MailFolder {
	const existing = childFolders(state, parent.id).find((f) => f.displayName === displayName);
	return existing ?? addFolder(state, { id: newFolderId(state), displayName, parentFolderId: parent.id, isHidden: false });
}

/** Sample mailboxes for Adele (folders Projects/Alpha, ~25 inbox mails, sent items) and Megan. */
export function seedDefaultMail(core: EmulatorCore): void {
	const adele = core.findUser('AdeleV@contoso.com');
	const megan = core.findUser('MeganB@contoso.com');
	if (adele) {
		const state = mailboxOf(core, adele);
		const projects = ensureFolder(state, wellKnownFolder(state, ROOT_FOLDER), 'Projects');
		const alpha = ensureFolder(state, projects, 'Alpha');
		const meganRecipient = megan ? userRecipient(megan) : EXTERNAL_SENDERS[0];
		const inbox = wellKnownFolder(state, 'inbox');
		for (const mail of adeleInbox(meganRecipient)) fileSample(core, state, inbox, adele, mail);
		fileSample(core, state, alpha, adele, { from: LEE, subject: 'Alpha kickoff', html: para('Kickoff is on Monday.'), hoursAgo: 200 });
		fileSample(core, state, projects, adele, { from: ALEX, subject: 'Project list', html: para('All current projects.'), hoursAgo: 220 });
		fileSent(core, state, adele, meganRecipient, 'Re: Audit findings', 0.5);
		fileSent(core, state, adele, ALEX, 'Floor plan feedback', 20);
		fileSent(core, state, adele, LEE, 'Contract questions', 90);
	}
	if (megan) {
		const state = mailboxOf(core, megan);
		const inbox = wellKnownFolder(state, 'inbox');
		const adeleRecipient = adele ? userRecipient(adele) : EXTERNAL_SENDERS[0];
		const samples: SampleMail[] = [
			{ from: adeleRecipient, subject: 'Store visit next week', html: para('Can you join the store visit?'), hoursAgo: 2, isRead: false },
			{ from: ALEX, subject: 'Audit schedule', html: para('Here is the audit schedule.'), hoursAgo: 26 },
			{ from: EXTERNAL_SENDERS[4], subject: 'Statement available', html: para('Your statement is ready.'), hoursAgo: 72, isRead: false },
			{ from: PATTI, subject: 'Budget spreadsheet', html: para('Spreadsheet attached.'), hoursAgo: 96, attachments: [{ name: 'budget.csv', contentType: 'text/csv', content: Buffer.from('item,amount\r\nTravel,1200\r\n') }] },
		];
		for (const mail of samples) fileSample(core, state, inbox, megan, mail);
		fileSent(core, state, megan, adeleRecipient, 'Audit findings', 1.2);
	}
}

// ---------------------------------------------------------------------------------------------
// Awkward real-world MIME: shapes that mail servers and old clients produce and a strict parser
// refuses or misreads. `$value` returns each message's bytes unchanged.

export interface MimeCorpusMessage {
	/** Stable key (also in the Message-ID: `<corpus-${key}@corpus.example>`). */
	key: string;
	/** What is awkward about it. */
	shape: string;
	raw: Buffer;
	/** False only for data in which no mail can be read at all. */
	readable: boolean;
}

const CORPUS_PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1');
const CORPUS_PNG = PNG_LOGO;
/** A TNEF stream starts with the signature 0x223E9F78; the rest is opaque to the node. */
const CORPUS_TNEF = Buffer.concat([Buffer.from([0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00]), Buffer.from('TNEF body with an embedded file', 'latin1')]);

function corpusLines(lines: string[], eol = '\r\n'): Buffer {
	return Buffer.from(lines.join(eol), 'latin1');
}

function corpusBase64(data: Buffer): string[] {
	return data.toString('base64').match(/.{1,76}/g) ?? [];
}

function corpusHead(key: string, subject: string, extra: string[] = []): string[] {
	return [
		'From: Fabrikam Archive <archive@fabrikam.com>',
		'To: Adele Vance <AdeleV@contoso.com>',
		`Subject: ${subject}`,
		'Date: Tue, 5 Mar 2019 08:30:00 +0100',
		`Message-ID: <corpus-${key}@corpus.example>`,
		...extra,
	];
}

/** An attached message: forwarded as attachment, with its own text and a PDF. */
function attachedMessage(eol = '\r\n'): string[] {
	return [
		'From: Lee Gu <LeeG@contoso.com>',
		'To: Megan Bowen <MeganB@contoso.com>',
		'Subject: Original invoice',
		'Date: Mon, 4 Mar 2019 17:00:00 +0000',
		'Message-ID: <corpus-inner@corpus.example>',
		'MIME-Version: 1.0',
		'Content-Type: multipart/mixed; boundary="inner-b"',
		'',
		'--inner-b',
		'Content-Type: text/plain; charset=us-ascii',
		'',
		'The original invoice is attached.',
		'--inner-b',
		'Content-Type: application/pdf; name="invoice.pdf"',
		'Content-Disposition: attachment; filename="invoice.pdf"',
		'Content-Transfer-Encoding: base64',
		'',
		...corpusBase64(CORPUS_PDF),
		'--inner-b--',
		'',
	].map((line) => line.replace(/\r\n/g, eol));
}

export function mimeCorpus(): MimeCorpusMessage[] {
	const corpus: MimeCorpusMessage[] = [];
	const add = (key: string, shape: string, raw: Buffer, readable = true) => corpus.push({ key, shape, raw, readable });

	add(
		'bad-folding',
		'header continuation lines without leading whitespace (Subject, To)',
		corpusLines([
			'From: Fabrikam Archive <archive@fabrikam.com>',
			'To: Adele Vance <AdeleV@contoso.com>,',
			'Megan Bowen <MeganB@contoso.com>',
			'Subject: Quarterly figures for the',
			'northern region',
			'Date: Tue, 5 Mar 2019 08:30:00 +0100',
			'Message-ID: <corpus-bad-folding@corpus.example>',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'Figures are in the usual place.',
			'',
		]),
	);
	add(
		'lf-only',
		'LF line endings throughout, multipart with a PDF',
		corpusLines(
			[
				...corpusHead('lf-only', 'Unix mailer'),
				'MIME-Version: 1.0',
				'Content-Type: multipart/mixed; boundary="lf-b"',
				'',
				'--lf-b',
				'Content-Type: text/plain; charset=us-ascii',
				'',
				'Sent from a Unix mailer.',
				'--lf-b',
				'Content-Type: application/pdf; name="lf.pdf"',
				'Content-Disposition: attachment; filename="lf.pdf"',
				'Content-Transfer-Encoding: base64',
				'',
				...corpusBase64(CORPUS_PDF),
				'--lf-b--',
				'',
			],
			'\n',
		),
	);
	add(
		'space-separators',
		'"empty" lines that hold one space, around a text part, an attached message (message/rfc822) and a PDF',
		corpusLines([
			...corpusHead('space-separators', 'Forwarded invoice'),
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="sp-b"',
			' ',
			'--sp-b',
			'Content-Type: text/plain; charset=us-ascii',
			' ',
			'See the forwarded message.',
			' ',
			'--sp-b',
			'Content-Type: message/rfc822',
			' ',
			...attachedMessage(),
			'--sp-b',
			'Content-Type: application/pdf; name="summary.pdf"',
			'Content-Disposition: attachment; filename="summary.pdf"',
			'Content-Transfer-Encoding: base64',
			' ',
			...corpusBase64(CORPUS_PDF),
			'--sp-b--',
			'',
		]),
	);
	add(
		'stray-space-line',
		'a line of only spaces inside the header block, before a header',
		corpusLines([
			'From: Fabrikam Archive <archive@fabrikam.com>',
			'To: Adele Vance <AdeleV@contoso.com>',
			'   ',
			'Subject: Stray space line',
			'Date: Tue, 5 Mar 2019 08:30:00 +0100',
			'Message-ID: <corpus-stray-space-line@corpus.example>',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'The header block has a line of spaces.',
			'',
		]),
	);
	add(
		'stray-empty-line',
		'an empty line inside the header block, before the MIME headers',
		corpusLines([
			'From: Fabrikam Archive <archive@fabrikam.com>',
			'To: Adele Vance <AdeleV@contoso.com>',
			'Subject: Stray empty line',
			'',
			'Date: Tue, 5 Mar 2019 08:30:00 +0100',
			'Message-ID: <corpus-stray-empty-line@corpus.example>',
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="se-b"',
			'',
			'--se-b',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'The header block has an empty line.',
			'--se-b',
			'Content-Type: image/png; name="logo.png"',
			'Content-Disposition: attachment; filename="logo.png"',
			'Content-Transfer-Encoding: base64',
			'',
			...corpusBase64(CORPUS_PNG),
			'--se-b--',
			'',
		]),
	);
	add(
		'nested-rfc822',
		'a bounce (multipart/report) holding the returned message, and a forwarded .eml attachment',
		corpusLines([
			...corpusHead('nested-rfc822', 'Undeliverable: Original invoice'),
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="outer-b"',
			'',
			'--outer-b',
			'Content-Type: multipart/report; report-type=delivery-status; boundary="report-b"',
			'',
			'--report-b',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'Delivery to MeganB@contoso.com failed.',
			'--report-b',
			'Content-Type: message/delivery-status',
			'',
			'Reporting-MTA: dns; mail.contoso.com',
			'',
			'Final-Recipient: rfc822; MeganB@contoso.com',
			'Action: failed',
			'Status: 5.1.1',
			'--report-b',
			'Content-Type: message/rfc822',
			'',
			...attachedMessage(),
			'--report-b--',
			'--outer-b',
			'Content-Type: message/rfc822; name="forwarded.eml"',
			'Content-Disposition: attachment; filename="forwarded.eml"',
			'',
			...attachedMessage(),
			'--outer-b--',
			'',
		]),
	);
	add(
		'8bit-utf8-headers',
		'unencoded UTF-8 in Subject and From, 8bit body',
		Buffer.from(
			[
				'From: Jürgen Größ <juergen@fabrikam.de>',
				'To: Adele Vance <AdeleV@contoso.com>',
				'Subject: Bestellung für Größe XL – Übersicht',
				'Date: Tue, 5 Mar 2019 08:30:00 +0100',
				'Message-ID: <corpus-8bit-utf8-headers@corpus.example>',
				'MIME-Version: 1.0',
				'Content-Type: text/plain; charset=utf-8',
				'Content-Transfer-Encoding: 8bit',
				'',
				'Grüße aus München.',
				'',
			].join('\r\n'),
			'utf8',
		),
	);
	add(
		'8bit-latin1-headers',
		'unencoded Latin-1 in Subject and From, Latin-1 body',
		Buffer.from(
			[
				'From: François Hébert <francois@fabrikam.fr>',
				'To: Adele Vance <AdeleV@contoso.com>',
				'Subject: Réunion déjà prévue à 10 h',
				'Date: Tue, 5 Mar 2019 08:30:00 +0100',
				'Message-ID: <corpus-8bit-latin1-headers@corpus.example>',
				'MIME-Version: 1.0',
				'Content-Type: text/plain; charset=iso-8859-1',
				'Content-Transfer-Encoding: 8bit',
				'',
				'À bientôt, François.',
				'',
			].join('\r\n'),
			'latin1',
		),
	);
	add(
		'missing-closing-boundary',
		'the multipart has no closing delimiter line',
		corpusLines([
			...corpusHead('missing-closing-boundary', 'No closing boundary'),
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="mc-b"',
			'',
			'--mc-b',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'The closing delimiter is missing.',
			'--mc-b',
			'Content-Type: application/pdf; name="unclosed.pdf"',
			'Content-Disposition: attachment; filename="unclosed.pdf"',
			'Content-Transfer-Encoding: base64',
			'',
			...corpusBase64(CORPUS_PDF),
			'',
		]),
	);
	add(
		'missing-boundary-parameter',
		'multipart/mixed without a boundary parameter',
		corpusLines([
			...corpusHead('missing-boundary-parameter', 'No boundary parameter'),
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed',
			'',
			'--nb-b',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'The boundary parameter is missing.',
			'--nb-b',
			'Content-Type: application/pdf; name="noboundary.pdf"',
			'Content-Disposition: attachment; filename="noboundary.pdf"',
			'Content-Transfer-Encoding: base64',
			'',
			...corpusBase64(CORPUS_PDF),
			'--nb-b--',
			'',
		]),
	);
	add(
		'wrong-boundary',
		'the declared boundary never occurs; the parts use another one',
		corpusLines([
			...corpusHead('wrong-boundary', 'Wrong boundary'),
			'MIME-Version: 1.0',
			'Content-Type: multipart/alternative; boundary="declared-b"',
			'',
			'--used-b',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'Plain version.',
			'--used-b',
			'Content-Type: text/html; charset=us-ascii',
			'',
			'<p>HTML version.</p>',
			'--used-b--',
			'',
		]),
	);
	add(
		'tnef-winmail',
		'an Outlook TNEF winmail.dat attachment',
		corpusLines([
			...corpusHead('tnef-winmail', 'Rich text from Outlook'),
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="tnef-b"',
			'',
			'--tnef-b',
			'Content-Type: text/plain; charset=us-ascii',
			'',
			'The attachment is in winmail.dat.',
			'--tnef-b',
			'Content-Type: application/ms-tnef; name="winmail.dat"',
			'Content-Disposition: attachment; filename="winmail.dat"',
			'Content-Transfer-Encoding: base64',
			'',
			...corpusBase64(CORPUS_TNEF),
			'--tnef-b--',
			'',
		]),
	);
	add(
		'mbox-from-line',
		'an mbox "From " separator line before the headers, no MIME headers at all',
		corpusLines([
			'From archive@fabrikam.com Tue Mar  5 08:30:00 2019',
			'From: Fabrikam Archive <archive@fabrikam.com>',
			'To: Adele Vance <AdeleV@contoso.com>',
			'Subject: Exported from an mbox',
			'Date: Tue, 5 Mar 2019 08:30:00 +0100',
			'Message-ID: <corpus-mbox-from-line@corpus.example>',
			'',
			'Plain RFC 822 text without MIME headers.',
			'',
		]),
	);
	add('not-mail', 'plain text without any header: not a mail', corpusLines(['Hello,', 'this is no mail message.', '']), false);
	return corpus;
}

/**
 * Files the awkward-MIME corpus into a folder (a `created` change event each). Messages the emulator's own import refuses (like
 * Exchange, which keeps whatever SMTP delivered) are stored with their bytes as the `$value`.
 */
export async function seedMimeCorpus(core: EmulatorCore, options: { userId: string; folder?: string }): Promise<Array<{ key: string; id: string; readable: boolean }>> {
	const user = requireUser(core, options.userId);
	const state = mailboxOf(core, user);
	const folder = seedFolder(state, options.folder);
	const seeded: Array<{ key: string; id: string; readable: boolean }> = [];
	for (const entry of mimeCorpus()) {
		let parsed: Awaited<ReturnType<typeof parseMime>> | undefined;
		try {
			parsed = await parseMime(entry.raw);
		} catch {
			parsed = undefined;
		}
		const mail = parsed ? outgoingFromParsed(core, parsed, `<corpus-${entry.key}@corpus.example>`, userRecipient(user)) : undefined;
		const message = createStoredMessage(state, {
			subject: mail?.subject || `Corpus: ${entry.key}`,
			body: mail?.body ?? { contentType: 'text', content: entry.raw.toString('latin1') },
			from: mail?.from ?? EXTERNAL_SENDERS[1],
			toRecipients: mail?.toRecipients.length ? mail.toRecipients : [userRecipient(user)],
			internetMessageId: `<corpus-${entry.key}@corpus.example>`,
			attachments: mail?.attachments ?? [],
			rawMime: entry.raw,
			isRead: false,
			receivedMs: core.now(),
			sentMs: core.now(),
		});
		insertMessage(state, folder, message);
		emitMessageChange(core, state, 'created', message.json.id, folder.id);
		seeded.push({ key: entry.key, id: message.json.id, readable: entry.readable });
	}
	return seeded;
}

// ---------------------------------------------------------------------------------------------
// Control routes

function controlError(core: EmulatorCore, req: GraphRequest, error: unknown): Reply {
	if (error instanceof MailInputError) return core.graphError(error.status, error.code, error.message, req);
	throw error;
}

function bodyObject(req: GraphRequest): Record<string, unknown> {
	const body = req.body;
	if (!body || typeof body !== 'object' || Array.isArray(body)) throw new MailInputError(400, 'BadRequest', 'A JSON object body is required.');
	return body as Record<string, unknown>;
}

/** The most ids a control reply lists (bulk seeds return first/last only beyond this). */
const MAX_IDS_IN_REPLY = 1000;

export function registerSeedControlRoutes(core: EmulatorCore): void {
	core.controlRoute('POST', '/_emulator/seed/messages', (req) => {
		try {
			const body = bodyObject(req);
			const result = seedMessages(core, { ...(body as unknown as SeedMessagesOptions), userId: String(body.userId ?? body.user ?? '') });
			const ids = result.ids.length <= MAX_IDS_IN_REPLY ? result.ids : undefined;
			return {
				status: 201,
				body: { userId: result.userId, folderId: result.folderId, count: result.count, firstId: result.ids[0], lastId: result.ids[result.ids.length - 1], ids },
			};
		} catch (error) {
			return controlError(core, req, error);
		}
	});
	core.controlRoute('POST', '/_emulator/deliver', (req) => {
		try {
			const record = deliverMail(core, bodyObject(req) as unknown as DeliverMailOptions);
			return { status: 201, body: record };
		} catch (error) {
			return controlError(core, req, error);
		}
	});
	core.controlRoute('POST', '/_emulator/seed/mime', async (req) => {
		try {
			const body = bodyObject(req);
			const result = await seedMime(core, {
				userId: String(body.userId ?? body.user ?? ''),
				folder: typeof body.folder === 'string' ? body.folder : undefined,
				mimeBase64: String(body.mimeBase64 ?? ''),
			});
			return { status: 201, body: result };
		} catch (error) {
			return controlError(core, req, error);
		}
	});
	core.controlRoute('POST', '/_emulator/seed/mime-corpus', async (req) => {
		try {
			const body = bodyObject(req);
			const folder = typeof body.folder === 'string' ? body.folder : undefined;
			return { status: 201, body: { value: await seedMimeCorpus(core, { userId: String(body.userId ?? body.user ?? ''), folder }) } };
		} catch (error) {
			return controlError(core, req, error);
		}
	});
	core.controlRoute('GET', '/_emulator/mail/sent', () => ({ status: 200, body: { value: sentLog(core) } }));
	core.controlRoute('DELETE', '/_emulator/mail/sent', () => {
		clearSentLog(core);
		return { status: 204 };
	});
}
