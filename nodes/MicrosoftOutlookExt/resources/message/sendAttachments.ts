import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { inputError, parseJsonParameter } from '../../shared/validation';

/** A file to attach, already read from the input item. */
export interface OutgoingAttachment {
	name: string;
	contentType: string;
	content: Buffer;
}

/** Outlook's upper limit for one attachment (upload session). */
export const MAX_ATTACHMENT_BYTES = 150 * 1024 * 1024;

const MIME_TYPES: Record<string, string> = {
	csv: 'text/csv',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	eml: 'message/rfc822',
	gif: 'image/gif',
	htm: 'text/html',
	html: 'text/html',
	ics: 'text/calendar',
	jpeg: 'image/jpeg',
	jpg: 'image/jpeg',
	json: 'application/json',
	pdf: 'application/pdf',
	png: 'image/png',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	svg: 'image/svg+xml',
	txt: 'text/plain',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	xml: 'application/xml',
	zip: 'application/zip',
};

export function contentTypeFor(fileName: string): string {
	const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
	return MIME_TYPES[extension] ?? 'application/octet-stream';
}

/** Strict base64 (whitespace and a `data:…;base64,` prefix allowed); undefined when it is not. */
export function decodeBase64(value: string): Buffer | undefined {
	const text = value.replace(/^data:[^,]*;base64,/i, '').replace(/\s+/g, '');
	if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
	return Buffer.from(text, 'base64');
}

function binaryPropertiesOf(ctx: IExecuteSingleFunctions): string[] {
	return Object.keys(ctx.getInputData().binary ?? {});
}

/** Reads a binary property of the input item through n8n's helpers (filesystem/S3 modes included). */
async function readBinary(
	ctx: IExecuteSingleFunctions,
	property: string,
	field: string,
): Promise<{ content: Buffer; fileName?: string; mimeType?: string }> {
	const available = binaryPropertiesOf(ctx);
	if (!available.includes(property)) {
		throw inputError(
			ctx,
			`${field}: the input item has no binary property "${property}"`,
			available.length
				? `Its binary properties are: ${available.join(', ')}. Enter one of them.`
				: 'The input item has no binary data at all: read or download the file in a previous node first.',
		);
	}
	const binary = ctx.helpers.assertBinaryData(property);
	const content = await ctx.helpers.getBinaryDataBuffer(property);
	return { content, fileName: binary.fileName, mimeType: binary.mimeType };
}

/** "Attachments": {File Name, Binary Property} rows. */
async function fixedAttachments(ctx: IExecuteSingleFunctions): Promise<OutgoingAttachment[]> {
	const collection = ctx.getNodeParameter('attachments', {}) as { attachment?: IDataObject[] };
	const result: OutgoingAttachment[] = [];
	for (const row of collection.attachment ?? []) {
		const property = String(row.binaryPropertyName ?? '').trim();
		if (!property) throw inputError(ctx, 'Attachments: a row has no Binary Property', 'Enter the name of a binary property of the input item, e.g. data.');
		const file = await readBinary(ctx, property, 'Attachments');
		const name = String(row.fileName ?? '').trim() || file.fileName || property;
		result.push({ name, content: file.content, contentType: file.mimeType || contentTypeFor(name) });
	}
	return result;
}

const DYNAMIC_FORMAT_HINT =
	'Use a JSON array such as [{"key": "report.pdf", "value": "data"}]: key is the file name, value the name of a binary property of the input item or the file content in base64 (short content as a data: URL, e.g. "data:text/plain;base64,aGk=").';

/**
 * A value shaped like a binary property name ("data", "file_1") is always read as one: short names
 * are often valid base64 too ("data" decodes to 3 bytes), and a mail with such garbage attached
 * must never go out. Base64 content longer than this, or with `+`, `/`, `=`, is content.
 */
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * "Dynamic Attachments": `[{key: fileName, value}]`. A value that names a binary property of the
 * input item is that file; anything else must be base64 content.
 */
async function dynamicAttachments(ctx: IExecuteSingleFunctions): Promise<OutgoingAttachment[]> {
	const entries = parseJsonParameter<unknown>(ctx, ctx.getNodeParameter('dynamicAttachments', ''), 'Dynamic Attachments');
	if (entries === undefined || entries === null) return [];
	if (!Array.isArray(entries)) throw inputError(ctx, 'Dynamic Attachments must be a JSON array', DYNAMIC_FORMAT_HINT);
	const binaries = binaryPropertiesOf(ctx);
	const result: OutgoingAttachment[] = [];
	for (const [index, entry] of entries.entries()) {
		const { key, value } = (entry ?? {}) as { key?: unknown; value?: unknown };
		const position = `Dynamic Attachments entry ${index + 1}`;
		if (typeof key !== 'string' || key.trim() === '' || typeof value !== 'string' || value.trim() === '') {
			throw inputError(ctx, `${position} needs a "key" (file name) and a "value"`, DYNAMIC_FORMAT_HINT);
		}
		const name = key.trim();
		if (binaries.includes(value.trim()) || PROPERTY_NAME.test(value.trim())) {
			const file = await readBinary(ctx, value.trim(), `${position} ("${name}")`);
			result.push({ name, content: file.content, contentType: file.mimeType || contentTypeFor(name) });
			continue;
		}
		const content = decodeBase64(value);
		if (!content) {
			throw inputError(
				ctx,
				`${position} ("${name}"): the value is neither a binary property of the input item nor base64 content`,
				binaries.length ? `Binary properties of the item: ${binaries.join(', ')}. ${DYNAMIC_FORMAT_HINT}` : DYNAMIC_FORMAT_HINT,
			);
		}
		result.push({ name, content, contentType: contentTypeFor(name) });
	}
	return result;
}

/** Every attachment of the mail (both fields), checked against Outlook's size limit. */
export async function collectAttachments(ctx: IExecuteSingleFunctions): Promise<OutgoingAttachment[]> {
	const attachments = [...(await fixedAttachments(ctx)), ...(await dynamicAttachments(ctx))];
	const tooLarge = attachments.find((a) => a.content.length > MAX_ATTACHMENT_BYTES);
	if (tooLarge) {
		throw inputError(
			ctx,
			`Attachment "${tooLarge.name}" is too large (${(tooLarge.content.length / 1048576).toFixed(1)} MB)`,
			'Outlook accepts files up to 150 MB. Share a link to the file instead.',
		);
	}
	return attachments;
}
