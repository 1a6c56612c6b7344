/**
 * Builds RFC 5322 / RFC 2045 MIME messages for the emulator's `GET /messages/{id}/$value`.
 * Exchange's layout is mimicked: multipart/mixed around the body, multipart/alternative for
 * text + html, multipart/related when the html references inline (cid:) images.
 * Output is deterministic for the same input (boundaries derive from the Message-ID),
 * so repeated downloads of one message are byte-identical.
 */
import { createHash } from 'node:crypto';

export interface MimeAddress {
	name?: string | null;
	address: string;
}

export interface MimeAttachment {
	name: string;
	contentType: string;
	content: Buffer;
	isInline?: boolean;
	contentId?: string | null;
	lastModified?: Date;
}

export interface MimeInput {
	from?: MimeAddress | null;
	sender?: MimeAddress | null;
	to: MimeAddress[];
	cc?: MimeAddress[];
	bcc?: MimeAddress[];
	replyTo?: MimeAddress[];
	subject: string;
	date: Date;
	/** With or without angle brackets. */
	messageId: string;
	inReplyTo?: string | null;
	references?: string[];
	body: { contentType: 'text' | 'html'; content: string };
	attachments?: MimeAttachment[];
	importance?: 'low' | 'normal' | 'high';
	/** Extra headers such as `X-Custom: value` (Graph's internetMessageHeaders). */
	extraHeaders?: Array<{ name: string; value: string }>;
}

const CRLF = '\r\n';
const MAX_ENCODED_WORD_BYTES = 45;
const BASE64_LINE = 76;
const QP_LINE = 76;

interface MimePart {
	headers: string[];
	body: Buffer;
}

/** Build the full message as bytes. */
export function buildMime(input: MimeInput): Buffer {
	const seed = hashHex(input.messageId);
	let boundaryCounter = 0;
	const nextBoundary = (kind: string) => `_00${boundaryCounter++}_${seed}_${kind}_`;

	const attachments = input.attachments ?? [];
	const isHtml = input.body.contentType === 'html';
	// Inline parts only make sense next to an html body; otherwise Exchange lists them as attachments.
	const inline = isHtml ? attachments.filter((a) => a.isInline && a.contentId) : [];
	const regular = attachments.filter((a) => !inline.includes(a));

	let root: MimePart = isHtml
		? multipart('alternative', nextBoundary('alt'), [
				textPart('plain', htmlToText(input.body.content)),
				textPart('html', input.body.content),
			])
		: textPart('plain', input.body.content);
	if (inline.length > 0) {
		root = multipart('related', nextBoundary('rel'), [root, ...inline.map(attachmentPart)], 'multipart/alternative');
	}
	if (regular.length > 0) {
		root = multipart('mixed', nextBoundary('mix'), [root, ...regular.map(attachmentPart)]);
	}

	const head = [...messageHeaders(input, regular.length > 0), 'MIME-Version: 1.0', ...root.headers];
	return Buffer.concat([Buffer.from(head.join(CRLF) + CRLF + CRLF, 'utf8'), root.body]);
}

function messageHeaders(input: MimeInput, hasAttachments: boolean): string[] {
	const headers: string[] = [];
	const add = (name: string, value: string) => headers.push(foldHeader(`${name}: ${value}`));
	const addList = (name: string, list: MimeAddress[] | undefined) => {
		if (list && list.length > 0) add(name, list.map(formatAddress).join(', '));
	};
	if (input.from) add('From', formatAddress(input.from));
	if (input.sender && input.from && !sameAddress(input.sender, input.from)) add('Sender', formatAddress(input.sender));
	addList('To', input.to);
	addList('Cc', input.cc);
	addList('Bcc', input.bcc);
	addList('Reply-To', input.replyTo);
	add('Subject', encodeWords(input.subject));
	add('Thread-Topic', encodeWords(input.subject.replace(/^((re|fw|fwd):\s*)+/i, '')));
	add('Date', formatRfc5322Date(input.date));
	add('Message-ID', angle(input.messageId));
	if (input.inReplyTo) add('In-Reply-To', angle(input.inReplyTo));
	if (input.references && input.references.length > 0) add('References', input.references.map(angle).join(' '));
	if (input.importance && input.importance !== 'normal') {
		add('Importance', input.importance);
		add('X-Priority', input.importance === 'high' ? '1' : '5');
	}
	add('Content-Language', 'en-US');
	add('X-MS-Has-Attach', hasAttachments ? 'yes' : '');
	for (const header of input.extraHeaders ?? []) {
		if (/^[\x21-\x39\x3b-\x7e]+$/.test(header.name)) add(header.name, encodeWords(header.value));
	}
	return headers;
}

function multipart(subtype: string, boundary: string, parts: MimePart[], relatedType?: string): MimePart {
	const typeParam = relatedType ? `; type="${relatedType}"` : '';
	const chunks: Buffer[] = [];
	for (const part of parts) {
		chunks.push(Buffer.from(`--${boundary}${CRLF}${part.headers.join(CRLF)}${CRLF}${CRLF}`, 'utf8'));
		chunks.push(part.body);
		chunks.push(Buffer.from(CRLF, 'utf8'));
	}
	chunks.push(Buffer.from(`--${boundary}--${CRLF}`, 'utf8'));
	return {
		headers: [foldHeader(`Content-Type: multipart/${subtype}; boundary="${boundary}"${typeParam}`)],
		body: Buffer.concat(chunks),
	};
}

function textPart(subtype: 'plain' | 'html', content: string): MimePart {
	return {
		headers: [`Content-Type: text/${subtype}; charset="utf-8"`, 'Content-Transfer-Encoding: quoted-printable'],
		body: Buffer.from(encodeQuotedPrintable(Buffer.from(content, 'utf8')), 'ascii'),
	};
}

function attachmentPart(attachment: MimeAttachment): MimePart {
	const name = attachment.name || 'attachment';
	const disposition = attachment.isInline && attachment.contentId ? 'inline' : 'attachment';
	const headers = [
		foldHeader(`Content-Type: ${attachment.contentType || 'application/octet-stream'}; name=${quoteParam(name)}`),
		foldHeader(`Content-Description: ${encodeWords(name)}`),
		foldHeader(`Content-Disposition: ${disposition}; ${filenameParams(name)}; size=${attachment.content.length}`),
	];
	if (attachment.contentId) headers.push(`Content-ID: ${angle(attachment.contentId)}`);
	headers.push('Content-Transfer-Encoding: base64');
	return { headers, body: Buffer.from(wrapBase64(attachment.content.toString('base64')), 'ascii') };
}

/** `filename="x"`, plus the RFC 2231 form for non-ASCII names (parsers prefer `filename*`). */
function filenameParams(name: string): string {
	if (isPlainAscii(name)) return `filename=${quoteParam(name)}`;
	return `filename=${quoteParam(name)}; filename*=utf-8''${encodeRfc2231(name)}`;
}

function quoteParam(value: string): string {
	if (!isPlainAscii(value)) return `"${encodeWords(value)}"`;
	return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function encodeRfc2231(value: string): string {
	return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function formatAddress(address: MimeAddress): string {
	const name = (address.name ?? '').trim();
	if (!name || name === address.address) return address.address;
	return `${formatDisplayName(name)} <${address.address}>`;
}

function formatDisplayName(name: string): string {
	if (!isPlainAscii(name)) return encodeWords(name);
	if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return name;
	return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function sameAddress(a: MimeAddress, b: MimeAddress): boolean {
	return a.address.toLowerCase() === b.address.toLowerCase();
}

function angle(id: string): string {
	const trimmed = id.trim();
	return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

function isPlainAscii(value: string): boolean {
	return /^[\x20-\x7e]*$/.test(value);
}

/** RFC 2047 B-encoding for header text that is not plain ASCII; each word stays under 75 chars. */
export function encodeWords(value: string): string {
	if (isPlainAscii(value)) return value;
	const words: string[] = [];
	let current = '';
	for (const char of value) {
		if (Buffer.byteLength(current + char, 'utf8') > MAX_ENCODED_WORD_BYTES) {
			words.push(current);
			current = '';
		}
		current += char;
	}
	if (current) words.push(current);
	return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

/** Fold at spaces so no line exceeds ~76 chars where possible (never inside a word). */
function foldHeader(line: string): string {
	if (line.length <= 78) return line;
	const out: string[] = [];
	let current = '';
	for (const token of line.split(/(?= )/)) {
		const onlyHeaderName = out.length === 0 && current.endsWith(':');
		if (current.length > 0 && !onlyHeaderName && current.length + token.length > 76) {
			out.push(current);
			current = token.startsWith(' ') ? token : ` ${token}`;
		} else {
			current += token;
		}
	}
	if (current) out.push(current);
	return out.join(CRLF);
}

export function formatRfc5322Date(date: Date): string {
	const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
	const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
	const pad = (n: number) => String(n).padStart(2, '0');
	return (
		`${days[date.getUTCDay()]}, ${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
		`${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
	);
}

function wrapBase64(base64: string): string {
	const lines: string[] = [];
	for (let i = 0; i < base64.length; i += BASE64_LINE) lines.push(base64.slice(i, i + BASE64_LINE));
	return lines.join(CRLF);
}

/** Quoted-printable (RFC 2045 §6.7) over UTF-8 bytes; line breaks in the input become hard CRLF breaks. */
export function encodeQuotedPrintable(bytes: Buffer): string {
	const text = bytes.toString('latin1').replace(/\r?\n/g, '\n');
	return text
		.split('\n')
		.map((line) => encodeQpLine(line))
		.join(CRLF);
}

function encodeQpLine(line: string): string {
	const tokens: string[] = [];
	for (let i = 0; i < line.length; i++) {
		const code = line.charCodeAt(i);
		const isLast = i === line.length - 1;
		const literal = (code >= 33 && code <= 126 && code !== 61) || ((code === 32 || code === 9) && !isLast);
		tokens.push(literal ? line[i] : `=${code.toString(16).toUpperCase().padStart(2, '0')}`);
	}
	const out: string[] = [];
	let current = '';
	for (const token of tokens) {
		// Leave room for the soft-break '=' so encoded lines stay within 76 characters.
		if (current.length + token.length > QP_LINE - 1) {
			out.push(`${current}=`);
			current = '';
		}
		current += token;
	}
	out.push(current);
	return out.join(CRLF);
}

/** A readable plain-text rendering of an html body (for text/plain alternatives and bodyPreview). */
export function htmlToText(html: string): string {
	return decodeEntities(
		html
			.replace(/<(head|style|script)[^>]*>[\s\S]*?<\/\1>/gi, '')
			.replace(/<br\s*\/?>/gi, '\n')
			.replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n')
			.replace(/<[^>]+>/g, ''),
	)
		.replace(/[ \t]+\n/g, '\n')
		.replace(/\r?\n\s*\n\s*\n+/g, '\n\n')
		.trim();
}

function decodeEntities(text: string): string {
	const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
	return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
		if (entity[0] === '#') {
			const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
			return Number.isFinite(code) ? String.fromCodePoint(code) : match;
		}
		return named[entity.toLowerCase()] ?? match;
	});
}

function hashHex(value: string): string {
	return createHash('sha1').update(value).digest('hex').slice(0, 24);
}

// ---------------------------------------------------------------------------------------------
// "Bare mailparser reads it": the yardstick for the node's MIME output on awkward mail.

/** What simpleParser, with no repair and no options, gets out of raw bytes. */
export interface BareRead {
	/** simpleParser resolved and found at least one header with a mail-like name (letters, digits, dashes). */
	readable: boolean;
	subject: string;
	fromAddress: string | null;
	date: string | null;
	text: string;
	html: string;
	/** sha256 of every attachment's content, with its content type. */
	attachments: Array<{ sha256: string; contentType: string; size: number }>;
}

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export async function bareMailparserRead(raw: Buffer): Promise<BareRead> {
	// Imported here so the emulator's MIME builder does not load mailparser unless asked.
	const { simpleParser } = await import('mailparser');
	try {
		const parsed = await simpleParser(raw);
		const from = parsed.from?.value.find((entry) => entry.address)?.address ?? null;
		return {
			readable: [...parsed.headers.keys()].some((name) => /^[a-z0-9][a-z0-9._-]*$/i.test(name)),
			subject: parsed.subject ?? '',
			fromAddress: from,
			date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null,
			text: (parsed.text ?? '').trim(),
			html: parsed.html === false ? '' : (parsed.html ?? '').trim(),
			attachments: parsed.attachments.map((a) => ({ sha256: sha256Hex(a.content), contentType: a.contentType, size: a.content.length })),
		};
	} catch {
		return { readable: false, subject: '', fromAddress: null, date: null, text: '', html: '', attachments: [] };
	}
}

/** The node's MIME item as the comparison needs it: its JSON and the bytes of each attachment binary, in order. */
export interface NodeMimeOutput {
	json: Record<string, any>;
	attachmentContents: Buffer[];
}

/**
 * Everything bare mailparser got that the node's output lacks (empty = the node output holds at
 * least what mailparser reads): subject, sender, date, text, html and every attachment's bytes.
 */
export function missingFromNodeOutput(bare: BareRead, node: NodeMimeOutput): string[] {
	const missing: string[] = [];
	const json = node.json;
	if (!holds(String(json.subject ?? ''), bare.subject)) missing.push(`subject "${bare.subject}" (node: "${json.subject}")`);
	if (bare.fromAddress && json.from?.address !== bare.fromAddress) missing.push(`from ${bare.fromAddress}`);
	if (bare.date && json.date !== bare.date) missing.push(`date ${bare.date}`);
	if (bare.text && !holds(String(json.text ?? ''), bare.text)) missing.push('text');
	if (bare.html && !holds(String(json.html ?? ''), bare.html)) missing.push('html');
	const nodeHashes = node.attachmentContents.map(sha256Hex);
	const nodeTypes = (json.attachments ?? []).map((a: { contentType: string }) => a.contentType);
	for (const attachment of bare.attachments) {
		// An empty attachment is a part mailparser found but could not read: any of that type will do.
		const at = attachment.size === 0 ? nodeTypes.indexOf(attachment.contentType) : nodeHashes.indexOf(attachment.sha256);
		if (at === -1) {
			missing.push(`attachment ${attachment.contentType} (${attachment.size} bytes)`);
			continue;
		}
		// Both lists follow the node's attachment order: remove the match from each.
		nodeHashes.splice(at, 1);
		nodeTypes.splice(at, 1);
	}
	return missing;
}

/**
 * `node` holds `bare` (whitespace runs compared as one space); a run of U+FFFD in `bare` (bytes
 * mailparser could not decode) stands for any text.
 */
function holds(node: string, bare: string): boolean {
	const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
	const pattern = squash(bare)
		.split(/\uFFFD+/)
		.map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
		.join('.+?');
	return new RegExp(pattern, 's').test(squash(node));
}
