import type { IExecuteSingleFunctions, IHttpRequestOptions, INodePropertyRouting, PreSendAction } from 'n8n-workflow';

import { confirmation, unwrapList } from './descriptions';
import { checkedIdParameter } from './validation';

/**
 * Routing that many operations share. Each resource's Operation dropdown stays written out in its index.ts: n8n's
 * lint rules (action casing, duplicate values, Get Many wording, noDataExpression) only check an Operation parameter
 * whose options are an array literal inside it, so a builder taking the options would hide them from the linter.
 * The builders return plain n8n routing, the same as written out (test/unit/description-snapshot.test.ts).
 */

/** GET a Graph collection and output one item per entry of its `value` (preSend may pick the URL or add a query). */
export function listRouting(url: string, preSend?: PreSendAction[]): INodePropertyRouting {
	return {
		request: { method: 'GET', url },
		...(preSend ? { send: { preSend } } : {}),
		output: { postReceive: [unwrapList] },
	};
}

/** DELETE answers 204 without a body: the item becomes `{ deleted: true }`. */
export function deleteRouting(url: string): INodePropertyRouting {
	return {
		request: { method: 'DELETE', url },
		output: { postReceive: [confirmation({ deleted: true })] },
	};
}

/** GET raw bytes (a message's MIME, an attachment's file): JSON parsing would mangle them. */
export function rawBytesRequest(url: string): INodePropertyRouting['request'] {
	return { method: 'GET', url, encoding: 'arraybuffer', json: false };
}

/** The body of a rawBytesRequest answer as bytes (a string body is Latin-1: one byte per character). */
export function responseBytes(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (typeof body === 'string') return Buffer.from(body, 'latin1');
	return Buffer.alloc(0);
}

/**
 * Move and Copy of a message or a mail folder: Destination Folder as Graph's `destinationId` (a folder ID or a
 * well-known name), checked before the request.
 */
export async function prepareMoveOrCopy(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.body = { destinationId: decodeURIComponent(checkedIdParameter(this, 'destinationFolderId', 'Destination Folder')) };
	return requestOptions;
}
