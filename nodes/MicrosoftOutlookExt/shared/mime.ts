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

/** Thrown by `mimeToExecutionData` when mailparser reads no mail in the bytes (see `unreadableReason`). */
export class NotMimeMessageError extends Error {
	constructor(readonly reason: string) {
		super(`Not a MIME message: ${reason}`);
	}
}

// RFC 5322 field name: printable ASCII except the colon.
const HEADER_FIELD = /^[\x21-\x39\x3b-\x7e]+:/;
const CONTINUATION = /^[ \t]/;
const BLANK = /^[ \t]*$/;
/** Names a stray empty line may be followed by in a top header block (a body rarely starts with these). */
const MESSAGE_HEADER = /^(from|sender|to|cc|bcc|reply-to|subject|date|message-id|in-reply-to|references|mime-version|content-[a-z-]+|received|return-path|x-[a-z0-9-]+|thread-[a-z]+|importance|priority):/i;

/** What the repair pass did to a message before mailparser read it. */
export interface RepairedMime {
	/** The bytes mailparser reads: the original buffer when nothing needed repair. */
	raw: Buffer;
	warnings: string[];
}

interface Lines {
	/** Every line without its line ending, as latin1 text (one character per byte). */
	text: string[];
	/** The line ending after each line ('' after the last). */
	eol: string[];
	/** Replacement text per line; null = line removed. */
	edits: Map<number, string | null>;
	warnings: string[];
}

function splitLines(text: string): Lines {
	const lines: Lines = { text: [], eol: [], edits: new Map(), warnings: [] };
	const pattern = /\r?\n/g;
	let start = 0;
	for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
		lines.text.push(text.slice(start, match.index));
		lines.eol.push(match[0]);
		start = match.index + match[0].length;
	}
	lines.text.push(text.slice(start));
	lines.eol.push('');
	return lines;
}

function headerName(line: string): string {
	return line.slice(0, line.indexOf(':')).trim();
}

interface HeaderField {
	name: string;
	/** Index of the header's first line. */
	first: number;
	/** Index after its last (continuation) line. */
	end: number;
	value: string;
}

interface Entity {
	headers: HeaderField[];
	/** First body line (may equal `end`). */
	body: number;
}

/**
 * Reads the header block of the entity in lines [start, end), repairing what mailparser would
 * misread: a line without leading whitespace inside the block (joined to the header before it),
 * a line of only spaces before a header (removed) and one that ends the block (made empty).
 */
function readHeaders(lines: Lines, start: number, end: number, where: string, top: boolean): Entity {
	const headers: HeaderField[] = [];
	let i = start;
	const current = () => headers[headers.length - 1];
	while (i < end) {
		const line = lines.text[i];
		if (line === '') {
			// A stray empty line before more message headers (top level only: a body can start with "Note: ...").
			if (top && headers.length > 0 && strayBlankLine(lines, i + 1, end, headers)) {
				lines.edits.set(i, null);
				lines.warnings.push(`line ${i + 1} was empty but more headers followed it: removed`);
				i++;
				continue;
			}
			return { headers, body: i + 1 };
		}
		if (BLANK.test(line)) {
			if (strayBlank(lines, i + 1, end, top, headers)) {
				lines.edits.set(i, null);
				lines.warnings.push(`line ${i + 1}${where} held only spaces before a header: removed`);
				i++;
				continue;
			}
			lines.edits.set(i, '');
			lines.warnings.push(`line ${i + 1}${where} ends the header block but held spaces: read as an empty line`);
			return { headers, body: i + 1 };
		}
		if (HEADER_FIELD.test(line)) {
			headers.push({ name: headerName(line).toLowerCase(), first: i, end: i + 1, value: line.slice(line.indexOf(':') + 1) });
		} else if (headers.length === 0) {
			// No header at all: this is body text (mailparser reads it the same way).
			return { headers, body: start };
		} else if (CONTINUATION.test(line)) {
			current().value += line;
			current().end = i + 1;
		} else if (!headersResume(lines, i + 1, end)) {
			// The empty line before the body is missing: mailparser would read the body as header junk.
			lines.edits.set(i, `${lines.eol[i] || '\r\n'}${line}`);
			lines.warnings.push(`line ${i + 1}${where} is not a header and no empty line came before it: read as the start of the body`);
			return { headers, body: i };
		} else {
			lines.edits.set(i, ` ${line}`);
			lines.warnings.push(`line ${i + 1}${where} had no leading whitespace: joined to the previous header (${headerName(lines.text[current().first])})`);
			current().value += ` ${line}`;
			current().end = i + 1;
		}
		i++;
	}
	if (headers.length > 0) lines.warnings.push(`the header block${where} never ends: there is no body (the message may be cut off)`);
	return { headers, body: end };
}

/**
 * After a run of non-header lines from `from`, the header block goes on: a header, a folded line or
 * the empty line that ends the block follows. Otherwise the run is the body.
 */
function headersResume(lines: Lines, from: number, end: number): boolean {
	for (let i = from; i < Math.min(end, from + 20); i++) {
		const line = lines.text[i];
		// The '' after the data's last line break ends nothing.
		if (i === lines.text.length - 1 && line === '') return false;
		if (BLANK.test(line) || HEADER_FIELD.test(line) || CONTINUATION.test(line)) return true;
	}
	return false;
}

/**
 * A line of only spaces followed by a header is stray (not the end of the block) at the top, and in
 * a part when a MIME header follows; in a message/rfc822 part, the attached message's headers follow.
 */
function strayBlank(lines: Lines, next: number, end: number, top: boolean, headers: HeaderField[]): boolean {
	if (next >= end || !HEADER_FIELD.test(lines.text[next])) return false;
	if (top) return true;
	const contentType = headers.find((header) => header.name === 'content-type');
	if (contentType && /^\s*message\//i.test(contentType.value)) return false;
	return /^(content-[a-z-]+|mime-version):/i.test(lines.text[next]);
}

/**
 * Lines [from, end) start with a run of message headers that ends in an empty line, names none of
 * the headers already read, and holds one a message needs (so a body that starts with a line like
 * "Subject: ..." quoted from another mail stays the body).
 */
function strayBlankLine(lines: Lines, from: number, end: number, headers: HeaderField[]): boolean {
	const seen = new Set(headers.map((header) => header.name));
	let needed = false;
	for (let i = from; i < Math.min(end, from + 200); i++) {
		const line = lines.text[i];
		if (i > from && BLANK.test(line)) return needed;
		if (i > from && CONTINUATION.test(line)) continue;
		if (!MESSAGE_HEADER.test(line)) return false;
		const name = headerName(line).toLowerCase();
		if (seen.has(name)) return false;
		needed ||= /^(date|message-id|mime-version|content-type|received)$/.test(name);
	}
	return false;
}

function headerValue(entity: Entity, name: string): HeaderField | undefined {
	return entity.headers.find((header) => header.name === name);
}

function boundaryOf(contentType: string): string | undefined {
	const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType);
	const boundary = match ? (match[1] ?? match[2]) : undefined;
	return boundary ? boundary : undefined;
}

/** The line is `--boundary` or `--boundary--` (trailing whitespace allowed): 'part', 'close' or undefined. */
function delimiterKind(line: string, boundary: string): 'part' | 'close' | undefined {
	if (!line.startsWith(`--${boundary}`)) return undefined;
	const rest = line.slice(boundary.length + 2).trimEnd();
	if (rest === '') return 'part';
	if (rest === '--') return 'close';
	return undefined;
}

/** The first `--token` line of a body that has no usable boundary, as a boundary candidate. */
function inferBoundary(lines: Lines, from: number, end: number): string | undefined {
	for (let i = from; i < end; i++) {
		const match = /^--([\x21-\x7e]{1,70}?)(--)?[ \t]*$/.exec(lines.text[i]);
		if (match && !match[2]) return match[1];
	}
	return undefined;
}

/** Header lines with 8-bit bytes: left alone when they are UTF-8, else read as Windows-1252. */
function repairEightBit(lines: Lines, start: number, end: number, where: string): void {
	const indexes: number[] = [];
	for (let i = start; i < end; i++) {
		const line = lines.edits.has(i) ? lines.edits.get(i) : lines.text[i];
		if (line && /[\x80-\xff]/.test(line)) indexes.push(i);
	}
	if (indexes.length === 0) return;
	const lineOf = (i: number) => (lines.edits.has(i) ? lines.edits.get(i) : lines.text[i]) as string;
	const bytes = Buffer.from(indexes.map(lineOf).join('\n'), 'latin1');
	if (isUtf8(bytes)) {
		lines.warnings.push(`the headers${where} hold unencoded 8-bit (UTF-8) text: read as UTF-8`);
		return;
	}
	const windows1252 = new TextDecoder('windows-1252');
	for (const i of indexes) {
		lines.edits.set(i, Buffer.from(windows1252.decode(Buffer.from(lineOf(i), 'latin1')), 'utf8').toString('latin1'));
	}
	lines.warnings.push(`the headers${where} hold 8-bit text that is not UTF-8: read as Windows-1252`);
}

/** Deeper multipart nesting is left to mailparser as it is (real mail nests a few levels). */
const MAX_DEPTH = 40;

function walkEntity(lines: Lines, start: number, end: number, path: string): void {
	if (path.split('.').length > MAX_DEPTH) return;
	const where = path ? ` (headers of part ${path})` : '';
	const entity = readHeaders(lines, start, end, where, path === '');
	repairEightBit(lines, start, entity.body, path ? ` of part ${path}` : '');
	const contentType = headerValue(entity, 'content-type');
	const type = contentType ? contentType.value.trim().split(/[;\s]/)[0].toLowerCase() : '';
	if (!contentType || !type.startsWith('multipart/')) return;
	const inPart = path ? ` in part ${path}` : '';
	let boundary = boundaryOf(contentType.value);
	const found = (candidate: string) => {
		for (let i = entity.body; i < end; i++) if (delimiterKind(lines.text[i], candidate)) return true;
		return false;
	};
	if (!boundary || !found(boundary)) {
		const inferred = inferBoundary(lines, entity.body, end);
		const declared = boundary ? `boundary "${boundary}", which never occurs` : 'no boundary';
		if (!inferred) {
			lines.warnings.push(`the ${type}${inPart} declares ${declared}: its content could not be read`);
			return;
		}
		const params = contentType.value.replace(/;\s*boundary\s*=\s*(?:"[^"]*"|[^\s;]+)/i, '').replace(/\s+/g, ' ').trim();
		lines.edits.set(contentType.first, `${lines.text[contentType.first].slice(0, lines.text[contentType.first].indexOf(':'))}: ${params}; boundary="${inferred}"`);
		for (let i = contentType.first + 1; i < contentType.end; i++) lines.edits.set(i, null);
		lines.warnings.push(`the ${type}${inPart} declares ${declared}: used "${inferred}", found in its body`);
		boundary = inferred;
	}
	let partStart = -1;
	let closed = false;
	let count = 0;
	for (let i = entity.body; i < end && !closed; i++) {
		const kind = delimiterKind(lines.text[i], boundary);
		if (!kind) continue;
		if (partStart !== -1) walkEntity(lines, partStart, i, `${path ? `${path}.` : ''}${++count}`);
		partStart = i + 1;
		closed = kind === 'close';
	}
	if (!closed) {
		if (partStart !== -1) walkEntity(lines, partStart, end, `${path ? `${path}.` : ''}${++count}`);
		lines.warnings.push(`the ${type}${inPart} (boundary "${boundary}") has no closing line: the message may be cut off; the parts that are there were read`);
	}
}

/**
 * Repairs what real mail servers produce but mailparser misreads (folding without whitespace,
 * space-only lines in or after a header block, a stray empty line inside the top headers,
 * a multipart boundary that is missing or wrong, 8-bit headers that are not UTF-8) and notes what
 * else is unusual. Returns the original buffer when nothing was changed.
 */
export function repairMime(raw: Buffer): RepairedMime {
	const lines = splitLines(raw.toString('latin1'));
	let first = 0;
	if (lines.text[0].startsWith('\xef\xbb\xbf')) {
		lines.edits.set(0, lines.text[0].slice(3));
		lines.text[0] = lines.text[0].slice(3);
		lines.warnings.push('the data starts with a UTF-8 byte order mark: removed');
	}
	while (first < lines.text.length - 1 && BLANK.test(lines.text[first]) && !HEADER_FIELD.test(lines.text[first])) first++;
	if (first > 0 && HEADER_FIELD.test(lines.text[first])) {
		for (let i = 0; i < first; i++) lines.edits.set(i, null);
		lines.warnings.push(`the first ${first === 1 ? 'line was' : `${first} lines were`} empty before the headers: removed`);
	} else {
		first = 0;
	}
	if (/^From [^\s:]+ /.test(lines.text[first]) && first + 1 < lines.text.length && HEADER_FIELD.test(lines.text[first + 1])) {
		lines.edits.set(first, null);
		lines.warnings.push(`line ${first + 1} is an mbox "From " separator, not a header: removed`);
		first++;
	}
	walkEntity(lines, first, lines.text.length, '');
	const crlf = lines.eol.filter((eol) => eol === '\r\n').length;
	const lf = lines.eol.filter((eol) => eol === '\n').length;
	if (lf > 0 && crlf === 0) lines.warnings.push('the lines end in LF only, not CRLF');
	else if (lf > 0 && crlf > 0) lines.warnings.push(`the line endings are mixed: ${crlf} CRLF, ${lf} LF only`);
	if (lines.edits.size === 0) return { raw, warnings: lines.warnings };
	const out: string[] = [];
	for (let i = 0; i < lines.text.length; i++) {
		const edit = lines.edits.get(i);
		if (edit !== null) out.push(edit ?? lines.text[i], lines.eol[i]);
	}
	return { raw: Buffer.from(out.join(''), 'latin1'), warnings: lines.warnings };
}

function isUtf8(bytes: Buffer): boolean {
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(bytes);
		return true;
	} catch {
		// The decoder's refusal is the answer: not UTF-8.
		return false;
	}
}

/** A header name as mail has them (letters, digits, dashes): JSON or HTML read as headers has none. */
const MAIL_HEADER_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * Why mailparser cannot read `raw` as a mail, or undefined when it can: it is empty, or it yields
 * no header at all (JSON, HTML, plain text). Everything else is read; what is odd goes to `warnings`.
 */
export function unreadableReason(raw: Buffer, headerNames: Iterable<string>): string | undefined {
	if (raw.length === 0) return 'the body is empty';
	for (const name of headerNames) if (MAIL_HEADER_NAME.test(name)) return undefined;
	const first = raw.subarray(0, 1024).toString('latin1').replace(/^\uFEFF/, '').trimStart().charAt(0);
	if (first === '{' || first === '[') return 'the body is JSON, not a mail message';
	if (first === '<') return 'the body is HTML or XML, not a mail message';
	return 'no mail header can be read in it: it does not start with a header such as "From:"';
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

const PARSER_OPTIONS = {
	// Keep `cid:` references in the HTML (the images are separate binaries) and the text as sent.
	skipImageLinks: true,
	skipTextToHtml: true,
	skipTextLinks: true,
};

/** The subject of an attached message (for its .eml file name), '' when it has none. */
async function attachedSubject(content: Buffer): Promise<string> {
	try {
		const inner = await simpleParser(content, { ...PARSER_OPTIONS, skipHtmlToText: true });
		return inner.subject ?? '';
	} catch {
		// Only the .eml file name depends on it: an unreadable attached message gets the default name.
		return '';
	}
}

const isTnef = (fileName: string, contentType: string) =>
	/^application\/(vnd\.)?ms-tnef$/i.test(contentType) || /^winmail\.dat$/i.test(fileName);

async function attachmentsOf(parsed: ParsedMail, warnings: string[]): Promise<MimeAttachment[]> {
	const result: MimeAttachment[] = [];
	let messages = 0;
	for (const [index, attachment] of parsed.attachments.entries()) {
		const cid = attachment.cid ?? attachment.contentId?.replace(/^<|>$/g, '');
		const disposition = attachment.contentDisposition ?? null;
		const contentType = attachment.contentType || 'application/octet-stream';
		let fileName = safeFileName(attachment.filename ?? '');
		if (!fileName && contentType.toLowerCase() === 'message/rfc822') {
			// An attached message (forwarded as attachment, bounce): an .eml file named after its subject.
			fileName = rawFileName(await attachedSubject(attachment.content), `attached message ${++messages}`);
		}
		fileName = fileName || cid || `attachment_${index}`;
		if (isTnef(fileName, contentType)) {
			warnings.push(`${fileName} is a TNEF (Outlook rich text) file: output as is, the files inside it are not extracted`);
		}
		result.push({
			fileName,
			contentType,
			size: attachment.content.length,
			contentId: cid ?? null,
			inline: disposition === 'inline' || (disposition === null && !!cid),
			disposition,
			content: attachment.content,
		});
	}
	return result;
}

/**
 * Parses a raw message: what real servers get wrong is repaired first (see `repairMime`) and
 * listed in `json.warnings`. Throws NotMimeMessageError only when mailparser reads no mail in it.
 */
export async function parseMimeMessage(raw: Buffer): Promise<ParsedMimeMessage> {
	const repaired = repairMime(raw);
	const parsed = await simpleParser(repaired.raw, PARSER_OPTIONS).catch((error: Error) => error);
	if (parsed instanceof Error) throw new NotMimeMessageError(`mailparser cannot read it (${parsed.message})`);
	const reason = unreadableReason(raw, parsed.headers.keys());
	if (reason) throw new NotMimeMessageError(reason);
	const warnings = [...repaired.warnings];
	const attachments = await attachmentsOf(parsed, warnings);
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
		warnings,
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
 * went to; `warnings` lists what was repaired or unusual. Throws NotMimeMessageError only for data
 * in which mailparser reads no mail (empty, JSON, HTML, text without headers).
 */
export async function mimeToExecutionData(
	helpers: BinaryPreparer,
	raw: Buffer,
	options: MimeToItemOptions = {},
): Promise<INodeExecutionData> {
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
