/** Reading an answer's body: JSON that did not parse, and error envelopes inside binary answers. */
import { headerValue } from './headers';

/** A 2xx answer whose body is not what it claims (malformed or cut-off JSON). */
export class MalformedResponseError extends Error {}

/** A JSON response that did not parse arrives as a string: refuse it instead of emitting garbage. */
export function assertParsedJson(statusCode: number, headers: Record<string, unknown>, body: unknown): void {
	const contentType = headerValue(headers, 'content-type') ?? '';
	if (statusCode < 400 && typeof body === 'string' && body.length > 0 && contentType.includes('json')) {
		throw new MalformedResponseError('the response body is not valid JSON');
	}
}

/** Error bodies of binary requests arrive as bytes; Graph's error envelope is still JSON inside. */
export function parseErrorBody(body: unknown): unknown {
	if (!Buffer.isBuffer(body) && !(body instanceof ArrayBuffer)) return body;
	const text = Buffer.from(body as Buffer).toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		// Not JSON (a proxy's HTML page, plain text): the text itself is the best description.
		return text;
	}
}
