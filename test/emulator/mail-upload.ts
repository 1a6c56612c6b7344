/**
 * Large attachments: `POST /messages/{id}/attachments/createUploadSession` and the
 * pre-authenticated upload URL (`PUT`/`DELETE ${core.url}/upload/AttachmentSessions/{id}?authtoken=...`)
 * that takes the file in Content-Range chunks. As on outlook.office.com, the upload URL must be
 * called WITHOUT an Authorization header.
 */
import { randomBytes } from 'node:crypto';
import { findMessage, mailboxOf, touchMessage } from './mail-store';
import { computeHasAttachments, MailInputError, MAX_INLINE_ATTACHMENT_BYTES, toStoredAttachment } from './mail-messages';
import { emitMessageChange, mailHandler, requireJsonObject, requireMessage } from './mail-routes';
import type { EmulatorCore, GraphRequest, Reply } from './types';

export const MIN_UPLOAD_SESSION_BYTES = MAX_INLINE_ATTACHMENT_BYTES;
export const MAX_UPLOAD_SESSION_BYTES = 150 * 1024 * 1024;
/** Graph asks for chunks under 4 MB. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const SESSION_LIFETIME_MS = 15 * 60 * 1000;

interface UploadSession {
	id: string;
	authToken: string;
	userId: string;
	messageId: string;
	name: string;
	size: number;
	contentType: string;
	isInline: boolean;
	contentId: string | null;
	chunks: Buffer[];
	received: number;
	expiresAt: number;
}

const sessionsByCore = new WeakMap<EmulatorCore, Map<string, UploadSession>>();

function sessionsOf(core: EmulatorCore): Map<string, UploadSession> {
	let sessions = sessionsByCore.get(core);
	if (!sessions) {
		sessions = new Map();
		sessionsByCore.set(core, sessions);
	}
	return sessions;
}

export function clearUploadSessions(core: EmulatorCore): void {
	sessionsOf(core).clear();
}

/** Graph shows expirations with 7 fractional digits. */
function graphInstant(ms: number): string {
	return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export function registerUploadRoutes(core: EmulatorCore): void {
	const create = mailHandler(core, (req, state) => createUploadSession(core, req, state.userId));
	core.mailboxRoute('POST', '/messages/:messageId/attachments/createUploadSession', create);
	core.mailboxRoute('POST', '/mailFolders/:folderId/messages/:messageId/attachments/createUploadSession', create);
	core.publicRoute('PUT', '/upload/AttachmentSessions/:sessionId', (req) => guarded(core, req, () => putChunk(core, req)));
	core.publicRoute('DELETE', '/upload/AttachmentSessions/:sessionId', (req) => guarded(core, req, () => cancelSession(core, req)));
}

function guarded(core: EmulatorCore, req: GraphRequest, handler: () => Reply): Reply {
	try {
		return handler();
	} catch (error) {
		if (error instanceof MailInputError) return core.graphError(error.status, error.code, error.message, req);
		throw error;
	}
}

function createUploadSession(core: EmulatorCore, req: GraphRequest, userId: string): Reply {
	const state = mailboxOf(core, userId);
	const message = requireMessage(state, req.params.messageId);
	const body = requireJsonObject(req);
	const item = (body.AttachmentItem ?? body.attachmentItem) as Record<string, unknown> | undefined;
	if (!item || typeof item !== 'object') {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'AttachmentItem' is empty.");
	}
	if (String(item.attachmentType ?? '').toLowerCase() !== 'file') {
		throw new MailInputError(400, 'ErrorInvalidParameter', "Only attachmentType 'file' is supported for upload sessions.");
	}
	if (typeof item.name !== 'string' || item.name === '') {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'Name' is empty.");
	}
	const size = Number(item.size);
	if (!Number.isInteger(size) || size <= 0) {
		throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'Size' is invalid.");
	}
	if (size < MIN_UPLOAD_SESSION_BYTES) {
		throw new MailInputError(
			400,
			'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
			`Attachment size must be at least ${MIN_UPLOAD_SESSION_BYTES} bytes to use an upload session; add smaller files with POST /attachments.`,
		);
	}
	if (size > MAX_UPLOAD_SESSION_BYTES) {
		throw new MailInputError(
			400,
			'ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize',
			`Attachment size must not exceed ${MAX_UPLOAD_SESSION_BYTES} bytes.`,
		);
	}
	const session: UploadSession = {
		id: `AAMkAD${randomBytes(24).toString('base64url')}AAA=`,
		authToken: randomBytes(32).toString('base64url'),
		userId,
		messageId: message.json.id,
		name: item.name,
		size,
		contentType: typeof item.contentType === 'string' && item.contentType ? item.contentType : 'application/octet-stream',
		isInline: item.isInline === true,
		contentId: typeof item.contentId === 'string' ? item.contentId : null,
		chunks: [],
		received: 0,
		expiresAt: core.now() + SESSION_LIFETIME_MS,
	};
	sessionsOf(core).set(session.id, session);
	return {
		status: 201,
		body: {
			'@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession',
			uploadUrl: `${core.url}/upload/AttachmentSessions/${encodeURIComponent(session.id)}?authtoken=${session.authToken}`,
			expirationDateTime: graphInstant(session.expiresAt),
			nextExpectedRanges: ['0-'],
		},
	};
}

/** Resolves the session of an upload-URL request, enforcing the pre-authenticated URL rules. */
function sessionFor(core: EmulatorCore, req: GraphRequest): UploadSession {
	if (req.headers.authorization !== undefined) {
		throw new MailInputError(
			400,
			'InvalidRequest',
			'Do not send an Authorization header to the upload URL: it is pre-authenticated by its authtoken parameter.',
		);
	}
	const session = sessionsOf(core).get(req.params.sessionId);
	if (!session || session.expiresAt <= core.now()) {
		if (session) sessionsOf(core).delete(session.id);
		throw new MailInputError(404, 'ErrorItemNotFound', 'The upload session was not found or has expired.');
	}
	if (req.query.authtoken !== session.authToken) {
		throw new MailInputError(401, 'InvalidAuthenticationToken', 'The authtoken of the upload URL is missing or invalid.');
	}
	return session;
}

function parseContentRange(header: string | string[] | undefined): { start: number; end: number; total: number } {
	const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(typeof header === 'string' ? header : '');
	if (!match) {
		throw new MailInputError(400, 'InvalidRequest', "A valid 'Content-Range: bytes {start}-{end}/{total}' header is required.");
	}
	return { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) };
}

function putChunk(core: EmulatorCore, req: GraphRequest): Reply {
	const session = sessionFor(core, req);
	const chunk = req.rawBody;
	if (chunk.length > MAX_CHUNK_BYTES) {
		throw new MailInputError(413, 'RequestEntityTooLarge', `Each chunk must be smaller than ${MAX_CHUNK_BYTES} bytes.`);
	}
	const range = parseContentRange(req.headers['content-range']);
	if (range.total !== session.size) {
		throw new MailInputError(400, 'InvalidRequest', `The Content-Range total ${range.total} does not match the session size ${session.size}.`);
	}
	if (range.end < range.start || range.end >= session.size) {
		throw new MailInputError(400, 'invalidRange', 'The Content-Range is not valid for this upload session.');
	}
	if (range.start !== session.received) return rangeNotSatisfiable(core, req, session, range.start);
	if (chunk.length !== range.end - range.start + 1) {
		throw new MailInputError(400, 'InvalidRequest', 'The number of bytes in the body does not match the Content-Range header.');
	}
	session.chunks.push(chunk);
	session.received += chunk.length;
	session.expiresAt = core.now() + SESSION_LIFETIME_MS;
	if (session.received < session.size) {
		return {
			status: 200,
			body: {
				'@odata.context': `${core.url}/api/v2.0/$metadata#Users('${session.userId}')/Messages('${encodeURIComponent(session.messageId)}')/AttachmentSessions/$entity`,
				ExpirationDateTime: graphInstant(session.expiresAt),
				nextExpectedRanges: [String(session.received)],
			},
		};
	}
	return completeSession(core, session);
}

function rangeNotSatisfiable(core: EmulatorCore, req: GraphRequest, session: UploadSession, start: number): Reply {
	const message =
		start < session.received
			? 'Uploaded fragment overlaps with existing data.'
			: `The uploaded fragment must start at byte ${session.received}.`;
	const reply = core.graphError(416, 'invalidRange', message, req);
	(reply.body as Record<string, unknown>).nextExpectedRanges = [`${session.received}-`];
	return reply;
}

/** The last chunk turns the bytes into an attachment on the message: 201 + Location, empty body. */
function completeSession(core: EmulatorCore, session: UploadSession): Reply {
	sessionsOf(core).delete(session.id);
	const state = mailboxOf(core, session.userId);
	const message = findMessage(state, session.messageId);
	if (!message) throw new MailInputError(404, 'ErrorItemNotFound', 'The message of this upload session no longer exists.');
	const now = core.now();
	const attachment = toStoredAttachment(
		state,
		message.json.id,
		{
			name: session.name,
			contentType: session.contentType,
			content: Buffer.concat(session.chunks),
			isInline: session.isInline,
			contentId: session.contentId,
		},
		now,
	);
	message.attachments = [...message.attachments, attachment];
	message.rawMime = undefined;
	message.json.hasAttachments = computeHasAttachments(message.attachments);
	touchMessage(state, message, now);
	emitMessageChange(core, state, 'updated', message.json.id, message.json.parentFolderId);
	const location =
		`${core.url}/v1.0/users/${encodeURIComponent(session.userId)}/messages/${encodeURIComponent(message.json.id)}` +
		`/attachments/${encodeURIComponent(attachment.id)}`;
	return { status: 201, headers: { Location: location } };
}

function cancelSession(core: EmulatorCore, req: GraphRequest): Reply {
	const session = sessionFor(core, req);
	sessionsOf(core).delete(session.id);
	return { status: 204 };
}
