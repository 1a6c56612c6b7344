import type { IDataObject, IExecuteSingleFunctions, IN8nHttpFullResponse, JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { describeFailure } from '../../shared/graph';
import { graphApiRequest, type GraphTarget } from '../../shared/transport/request';
import { getDelay, DEFAULT_RETRY_POLICY } from '../../shared/transport/retry';
import type { OutgoingAttachment } from './sendAttachments';

/**
 * The route for mail whose attachments are too big for one `sendMail` request: a draft, small
 * files attached with POST /attachments, big ones uploaded through an upload session, then send.
 */

/**
 * Graph refuses JSON requests over 4 MB, and attachments travel base64-encoded (4/3 larger): whether a
 * mail fits in one sendMail is decided on the encoded request, not on the file sizes.
 */
export const MAX_JSON_REQUEST_BYTES = 4 * 1024 * 1024;
/** From this size on, a file must go through an upload session (Graph refuses smaller ones there). */
export const UPLOAD_SESSION_MIN_BYTES = 3 * 1024 * 1024;
/** Chunks must be multiples of 320 KiB and under 4 MB: 12 × 320 KiB = 3.75 MiB is the largest such size. */
export const UPLOAD_CHUNK_BYTES = 12 * 320 * 1024;
const CHUNK_ATTEMPTS = 4;

export interface Draft {
	id: string;
	internetMessageId?: string;
}

function messagePath(draftId: string, suffix = ''): string {
	return `/me/messages/${encodeURIComponent(draftId)}${suffix}`;
}

/** An error that tells the user where the unsent draft is. */
export function draftError(
	ctx: IExecuteSingleFunctions,
	draftId: string,
	cause: { message?: string; description?: string | null; httpCode?: string | null },
	step: string,
): NodeApiError {
	const detail = cause.description ? `${cause.description} ` : '';
	const message = `${cause.message ?? 'Sending failed'} (while ${step})`;
	const error = new NodeApiError(ctx.getNode(), { message: cause.message ?? step } as JsonObject, {
		message,
		description: `${detail}The message was saved as a draft with ID ${draftId}: it may still be in the Drafts folder. Delete or send it there before running the node again.`,
		httpCode: cause.httpCode ?? 'none',
		itemIndex: ctx.getItemIndex(),
	});
	// NodeApiError replaces messages that mention ECONNRESET & co. with "you can retry": a lost answer to
	// the send must keep saying the mail may have gone out.
	error.message = message;
	return error;
}

export async function createDraft(ctx: IExecuteSingleFunctions, target: GraphTarget, message: IDataObject): Promise<Draft> {
	const { body } = await graphApiRequest<IDataObject>(ctx, target, { method: 'POST', url: '/me/messages', body: message });
	return { id: String(body.id), internetMessageId: body.internetMessageId ? String(body.internetMessageId) : undefined };
}

/** A file under 3 MB: one POST with its bytes. */
async function attachSmallFile(
	ctx: IExecuteSingleFunctions,
	target: GraphTarget,
	draftId: string,
	attachment: OutgoingAttachment,
): Promise<void> {
	await graphApiRequest(ctx, target, {
		method: 'POST',
		url: messagePath(draftId, '/attachments'),
		body: fileAttachmentJson(attachment),
	});
}

export function fileAttachmentJson(attachment: OutgoingAttachment): IDataObject {
	return {
		'@odata.type': '#microsoft.graph.fileAttachment',
		name: attachment.name,
		contentType: attachment.contentType,
		contentBytes: attachment.content.toString('base64'),
	};
}

/**
 * Every file onto the draft: under 3 MB one POST each, bigger ones by upload session. A failure
 * names the draft, which stays in Drafts.
 */
export async function attachFiles(
	ctx: IExecuteSingleFunctions,
	target: GraphTarget,
	draftId: string,
	attachments: OutgoingAttachment[],
): Promise<void> {
	for (const attachment of attachments) {
		try {
			if (attachment.content.length >= UPLOAD_SESSION_MIN_BYTES) await uploadLargeFile(ctx, target, draftId, attachment);
			else await attachSmallFile(ctx, target, draftId, attachment);
		} catch (error) {
			throw draftError(ctx, draftId, error as NodeApiError, `attaching "${attachment.name}"`);
		}
	}
}

interface ChunkAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

function jsonBody(body: unknown): IDataObject {
	if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return body as IDataObject;
	try {
		return JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : String(body ?? '')) as IDataObject;
	} catch {
		return {};
	}
}

/** `["2097152"]` or `["2097152-"]` → 2097152. */
function nextExpectedOffset(body: IDataObject): number | undefined {
	const ranges = body.nextExpectedRanges;
	const first = Array.isArray(ranges) ? String(ranges[0] ?? '') : '';
	const start = Number(first.split('-')[0]);
	return first !== '' && Number.isInteger(start) ? start : undefined;
}

/**
 * One PUT to the pre-authenticated upload URL. It must not carry the Graph token, so it bypasses
 * the Graph transport and has its own small retry: network errors, 429 and 5xx.
 */
async function putChunk(
	ctx: IExecuteSingleFunctions,
	uploadUrl: string,
	content: Buffer,
	start: number,
	end: number,
): Promise<ChunkAnswer> {
	let lastProblem = '';
	for (let attempt = 1; attempt <= CHUNK_ATTEMPTS; attempt++) {
		let answer: ChunkAnswer | undefined;
		try {
			answer = (await ctx.helpers.httpRequest({
				method: 'PUT',
				url: uploadUrl,
				body: content.subarray(start, end + 1),
				headers: {
					'Content-Type': 'application/octet-stream',
					'Content-Range': `bytes ${start}-${end}/${content.length}`,
					'Content-Length': String(end - start + 1),
				},
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 120_000,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			lastProblem = (error as Error).message;
		}
		if (answer && answer.statusCode !== 429 && answer.statusCode < 500) return answer;
		if (answer) lastProblem = `HTTP ${answer.statusCode}`;
		if (attempt < CHUNK_ATTEMPTS) await sleep(getDelay(attempt, DEFAULT_RETRY_POLICY, answer?.headers));
	}
	return { statusCode: 0, headers: {}, body: { error: { code: 'UploadFailed', message: lastProblem } } };
}

function uploadError(ctx: IExecuteSingleFunctions, answer: ChunkAnswer): NodeApiError {
	const error = (jsonBody(answer.body).error ?? {}) as IDataObject;
	const code = String(error.code ?? (answer.statusCode ? `HTTP ${answer.statusCode}` : 'network error'));
	const message = String(error.message ?? 'No message from the upload server.');
	return new NodeApiError(ctx.getNode(), { code, message } as JsonObject, {
		message: `The upload of the attachment failed [${code}]`,
		description: message,
		httpCode: answer.statusCode ? String(answer.statusCode) : 'none',
		itemIndex: ctx.getItemIndex(),
	});
}

/** A file of 3 MB or more: an upload session, then chunks of UPLOAD_CHUNK_BYTES (3.75 MiB). */
export async function uploadLargeFile(
	ctx: IExecuteSingleFunctions,
	target: GraphTarget,
	draftId: string,
	attachment: OutgoingAttachment,
): Promise<void> {
	const { body: session } = await graphApiRequest<IDataObject>(ctx, target, {
		method: 'POST',
		url: messagePath(draftId, '/attachments/createUploadSession'),
		body: {
			AttachmentItem: {
				attachmentType: 'file',
				name: attachment.name,
				size: attachment.content.length,
				contentType: attachment.contentType,
			},
		},
	});
	const uploadUrl = String(session.uploadUrl ?? '');
	const size = attachment.content.length;
	for (let offset = 0; offset < size; ) {
		const end = Math.min(offset + UPLOAD_CHUNK_BYTES, size) - 1;
		const answer = await putChunk(ctx, uploadUrl, attachment.content, offset, end);
		const body = jsonBody(answer.body);
		// 416: the server already has (some of) these bytes, e.g. after a lost answer; resume where it says.
		const resumeAt = answer.statusCode === 416 ? nextExpectedOffset(body) : undefined;
		if (resumeAt !== undefined && resumeAt > offset) {
			offset = resumeAt;
			continue;
		}
		if (answer.statusCode < 200 || answer.statusCode >= 300) throw uploadError(ctx, answer);
		offset = answer.statusCode === 201 ? size : (nextExpectedOffset(body) ?? end + 1);
	}
}

/** Whether the Sent Items copy was removed, and Graph's words when removing it failed. */
export interface SentCopyRemoval {
	removed: boolean;
	error?: string;
}

/**
 * Save To Sent Items off on the draft route: `/send` always files a copy in Sent Items, so find it
 * by its Internet Message-ID and delete it. Exchange files the copy a moment after the send, hence
 * a few tries. A failure here does NOT fail the item: the mail is already sent, and an item error
 * would invite running it again, which would send the mail twice. The failure is logged and given
 * in the output (sentItemsCopyRemoved false, sentItemsCopyError with Graph's words) instead.
 */
export async function removeSentCopy(ctx: IExecuteSingleFunctions, target: GraphTarget, draft: Draft): Promise<SentCopyRemoval> {
	if (!draft.internetMessageId) return { removed: false, error: 'The sent draft has no Internet Message-ID to find its Sent Items copy by' };
	const filter = `internetMessageId eq '${draft.internetMessageId.replace(/'/g, "''")}'`;
	for (const wait of [0, 1000, 2000, 4000]) {
		if (wait) await sleep(wait);
		try {
			const { body } = await graphApiRequest<{ value?: IDataObject[] }>(ctx, target, {
				method: 'GET',
				url: '/me/mailFolders/sentitems/messages',
				qs: { $filter: filter, $select: 'id' },
			});
			const copies = body.value ?? [];
			if (copies.length === 0) continue;
			for (const copy of copies) {
				await graphApiRequest(ctx, target, { method: 'DELETE', url: messagePath(String(copy.id)) });
			}
			return { removed: true };
		} catch (error) {
			ctx.logger.warn(`Microsoft Outlook Ext: the mail was sent, but its Sent Items copy could not be removed: ${describeFailure(error)}`);
			return { removed: false, error: describeFailure(error) };
		}
	}
	const error = 'The Sent Items copy did not appear within 7 s, so it could not be removed; delete it in Outlook if needed';
	ctx.logger.warn(`Microsoft Outlook Ext: ${error}`);
	return { removed: false, error };
}
