import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { simpleParser, type AddressObject, type EmailAddress, type HeaderValue, type ParsedMail } from 'mailparser';

/**
 * A raw MIME message (e.g. Graph's `/messages/{id}/$value`) → one n8n item: the parsed headers
 * and bodies as JSON, every attachment (inline cid images too) as binary data, and optionally
 * the raw `.eml`. Independent of any node parameter, so the action node and the trigger share it.
 */

export const DEFAULT_BINARY_PROPERTY_PREFIX = 'attachment_';
export const RAW_BINARY_PROPERTY = 'raw';

export interface MimeToItemOptions {
	/** Attachments become `<prefix>0`, `<prefix>1`, … (default `attachment_`). */
	binaryPropertyPrefix?: string;
	/** Also output the raw message as binary `raw` (`message/rfc822`). */
	includeRaw?: boolean;
	/** File name of the raw `.eml` when the message has no subject (e.g. the Graph message ID). */
	fallbackName?: string;
}

/** The one helper the conversion needs; n8n contexts provide it as `this.helpers`. */
export interface BinaryPreparer {
	prepareBinaryData(data: Buffer, filePath?: string, mimeType?: string): Promise<IBinaryData>;
}

/** Thrown by `mimeToExecutionData` when the bytes are not a (complete) MIME message. */
export class NotMimeMessageError extends Error {
	constructor(readonly reason: string) {
		super(`Not a MIME message: ${reason}`);
	}
}

// RFC 5322 field name: printable ASCII except the colon.
const HEADER_FIELD = /^[\x21-\x39\x3b-\x7e]+:/;
const CONTINUATION = /^[ \t]/;

interface HeaderBlock {
	lines: string[];
	names: Set<string>;
	complete: boolean;
}

/** The top header block (up to the first empty line), unfolded enough to know its field names. */
function readHeaderBlock(text: string): HeaderBlock {
	// Only the header block is split into lines: the body may be tens of megabytes.
	const end = /^[ \t]*\r?\n/.test(text) ? 0 : text.search(/\r?\n[ \t]*(\r?\n|$)/);
	const head = end === -1 ? text : text.slice(0, end);
	const block: HeaderBlock = { lines: [], names: new Set(), complete: end !== -1 };
	for (const line of head === '' ? [] : head.split(/\r?\n/)) {
		block.lines.push(line);
		const match = HEADER_FIELD.exec(line);
		if (match) block.names.add(match[0].slice(0, -1).toLowerCase());
	}
	return block;
}

/**
 * Every `boundary=` declared by a multipart Content-Type header anywhere in the message (nested
 * parts too); `null` for a multipart header that declares none.
 */
function declaredBoundaries(text: string): Array<string | null> {
	const boundaries: Array<string | null> = [];
	// A Content-Type header with its folded continuation lines.
	const contentTypes = text.match(/^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim) ?? [];
	for (const header of contentTypes) {
		if (!/multipart\//i.test(header)) continue;
		const match = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(header);
		boundaries.push(match ? (match[1] ?? match[2]) : null);
	}
	return boundaries;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Why `raw` is not a complete MIME message, or undefined when it is. mailparser accepts almost
 * anything (JSON, HTML, half a message), so this checks what it does not: a header block that
 * starts the data, ends with an empty line and names the sender or date plus the MIME headers,
 * and a closing delimiter for every multipart boundary (a cut-off download has none).
 */
export function mimeProblem(raw: Buffer): string | undefined {
	if (raw.length === 0) return 'the body is empty';
	const text = raw.toString('latin1');
	const first = text.replace(/^\uFEFF/, '').trimStart().charAt(0);
	if (first === '{' || first === '[') return 'the body is JSON, not a mail message';
	if (first === '<') return 'the body is HTML or XML, not a mail message';
	const block = readHeaderBlock(text);
	if (block.lines.length === 0 || !HEADER_FIELD.test(block.lines[0])) {
		return 'it does not start with a mail header (such as "From:")';
	}
	const malformed = block.lines.find((line) => !HEADER_FIELD.test(line) && !CONTINUATION.test(line));
	if (malformed !== undefined) return `the header block has a line that is not a header: "${malformed.slice(0, 60)}"`;
	if (!block.complete) return 'the header block never ends (the message is truncated or has no body)';
	if (!block.names.has('from') && !block.names.has('date')) return 'it has neither a From nor a Date header';
	if (!block.names.has('content-type') && !block.names.has('mime-version')) {
		return 'it has neither a MIME-Version nor a Content-Type header';
	}
	for (const boundary of declaredBoundaries(text)) {
		if (boundary === null) return 'a multipart part declares no boundary';
		const delimiter = `^--${escapeRegExp(boundary)}`;
		if (!new RegExp(`${delimiter}[ \\t]*\\r?$`, 'm').test(text)) {
			return `the multipart part with boundary "${boundary}" has no parts (the message is truncated)`;
		}
		if (!new RegExp(`${delimiter}--`, 'm').test(text)) {
			return `the multipart part with boundary "${boundary}" never ends (the message is truncated)`;
		}
	}
	return undefined;
}

export interface MailAddress {
	name: string;
	address: string;
}

export interface MimeAttachment {
	fileName: string;
	contentType: string;
	size: number;
	contentId: string | null;
	inline: boolean;
	disposition: string | null;
	content: Buffer;
}

export interface ParsedMimeMessage {
	json: IDataObject;
	attachments: MimeAttachment[];
}

function flattenAddresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
	const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
	const entries = objects.flatMap((object) => object.value);
	// Group syntax ("Team: a@x, b@y;") lists its members under `group`.
	const members = entries.flatMap((entry: EmailAddress) => (entry.group ? entry.group : [entry]));
	return members
		.filter((entry) => entry.address)
		.map((entry) => ({ name: entry.name ?? '', address: entry.address ?? '' }));
}

function isAddressObject(value: object): value is AddressObject {
	return 'value' in value && 'text' in value && Array.isArray((value as AddressObject).value);
}

/** mailparser's structured header values → plain JSON (addresses as text, dates as ISO, params kept). */
function headerToJson(value: HeaderValue): string | string[] {
	if (typeof value === 'string') return value;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
	if (Array.isArray(value)) return value.map((entry) => headerToJson(entry as HeaderValue) as string);
	if (isAddressObject(value)) return value.text;
	const params = Object.entries(value.params ?? {})
		.map(([key, param]) => `; ${key}="${param}"`)
		.join('');
	return `${value.value}${params}`;
}

function headersToJson(parsed: ParsedMail): IDataObject {
	const headers: IDataObject = {};
	for (const [key, value] of parsed.headers) headers[key] = headerToJson(value);
	return headers;
}

function referencesOf(parsed: ParsedMail): string[] {
	if (!parsed.references) return [];
	return Array.isArray(parsed.references) ? parsed.references : parsed.references.split(/\s+/).filter(Boolean);
}

/** Keeps a usable file name: no path separators or control characters. */
export function safeFileName(name: string): string {
	return name.replace(/[\\/\x00-\x1f]+/g, '_').trim();
}

function attachmentsOf(parsed: ParsedMail): MimeAttachment[] {
	return parsed.attachments.map((attachment, index) => {
		const cid = attachment.cid ?? attachment.contentId?.replace(/^<|>$/g, '');
		const disposition = attachment.contentDisposition ?? null;
		return {
			fileName: safeFileName(attachment.filename ?? '') || cid || `attachment_${index}`,
			contentType: attachment.contentType || 'application/octet-stream',
			size: attachment.content.length,
			contentId: cid ?? null,
			inline: disposition === 'inline' || (disposition === null && !!cid),
			disposition,
			content: attachment.content,
		};
	});
}

/** Parses a raw message (call `mimeProblem` first: this does not refuse non-MIME input). */
export async function parseMimeMessage(raw: Buffer): Promise<ParsedMimeMessage> {
	const parsed = await simpleParser(raw, {
		// Keep `cid:` references in the HTML (the images are separate binaries) and the text as sent.
		skipImageLinks: true,
		skipTextToHtml: true,
		skipTextLinks: true,
	});
	const attachments = attachmentsOf(parsed);
	const from = flattenAddresses(parsed.from);
	const json: IDataObject = {
		messageId: parsed.messageId ?? null,
		subject: parsed.subject ?? '',
		date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null,
		from: from[0] ?? null,
		to: flattenAddresses(parsed.to),
		cc: flattenAddresses(parsed.cc),
		bcc: flattenAddresses(parsed.bcc),
		replyTo: flattenAddresses(parsed.replyTo),
		inReplyTo: parsed.inReplyTo ?? null,
		references: referencesOf(parsed),
		headers: headersToJson(parsed),
		text: parsed.text ?? '',
		html: parsed.html === false ? '' : parsed.html,
	};
	return { json, attachments };
}

/** `<subject>.eml` (or `<fallback>.eml`), safe as a file name. */
export function rawFileName(subject: unknown, fallbackName = 'message'): string {
	const base = safeFileName(String(subject ?? '')).replace(/[<>:"|?*]+/g, '_').slice(0, 120).trim();
	return `${base || safeFileName(fallbackName) || 'message'}.eml`;
}

/**
 * The n8n item for a raw MIME message. Attachment metadata lists the binary property each file
 * went to. Throws NotMimeMessageError for data that is not a complete MIME message.
 */
export async function mimeToExecutionData(
	helpers: BinaryPreparer,
	raw: Buffer,
	options: MimeToItemOptions = {},
): Promise<INodeExecutionData> {
	const problem = mimeProblem(raw);
	if (problem) throw new NotMimeMessageError(problem);
	const prefix = options.binaryPropertyPrefix || DEFAULT_BINARY_PROPERTY_PREFIX;
	const { json, attachments } = await parseMimeMessage(raw);
	const binary: Record<string, IBinaryData> = {};
	const metadata: IDataObject[] = [];
	for (const [index, attachment] of attachments.entries()) {
		const property = `${prefix}${index}`;
		binary[property] = await helpers.prepareBinaryData(attachment.content, attachment.fileName, attachment.contentType);
		metadata.push({
			fileName: attachment.fileName,
			contentType: attachment.contentType,
			size: attachment.size,
			contentId: attachment.contentId,
			inline: attachment.inline,
			disposition: attachment.disposition,
			binaryProperty: property,
		});
	}
	json.attachments = metadata;
	if (options.includeRaw) {
		binary[RAW_BINARY_PROPERTY] = await helpers.prepareBinaryData(
			raw,
			rawFileName(json.subject, options.fallbackName),
			'message/rfc822',
		);
	}
	return Object.keys(binary).length > 0 ? { json, binary } : { json };
}
