import { randomBytes } from 'node:crypto';

/**
 * multipart/form-data without a runtime dependency: n8n's FormData support needs the `form-data`
 * package instance, which a community node cannot import; a Buffer body passes through unchanged.
 */
export type MultipartPart =
	| { name: string; value: string }
	| { name: string; data: Buffer; fileName: string; mimeType: string };

/** Quotes and line breaks would end the header parameter early: percent-encode them (as browsers do). */
function headerParameter(value: string): string {
	return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function buildMultipart(parts: MultipartPart[]): { body: Buffer; contentType: string } {
	const boundary = `----n8nOutlookExt${randomBytes(12).toString('hex')}`;
	const chunks: Buffer[] = [];
	for (const part of parts) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${headerParameter(part.name)}"`;
		if ('data' in part) {
			head += `; filename="${headerParameter(part.fileName)}"\r\nContent-Type: ${part.mimeType}`;
		}
		chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'));
		chunks.push('data' in part ? part.data : Buffer.from(part.value, 'utf8'));
		chunks.push(Buffer.from('\r\n', 'utf8'));
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
