/**
 * Request rules of reply / replyAll / forward and their create… drafts (mail-send.ts `respond` calls
 * `assertAnswerBody` before doing anything). Docs: api-reference/v1.0/api/message-reply.md,
 * message-replyall.md, message-forward.md, message-createreply.md, message-createreplyall.md,
 * message-createforward.md.
 */
import { MailInputError } from './mail-messages';

export type AnswerKind = 'reply' | 'replyAll' | 'forward';

function hasBody(message: unknown): boolean {
	return !!message && typeof message === 'object' && (message as Record<string, unknown>).body !== undefined;
}

function recipientCount(value: unknown): number {
	return Array.isArray(value) ? value.length : 0;
}

/**
 * - "You can specify either a comment or the body property of the message parameter. Specifying both
 *   will return an HTTP 400 Bad Request error." (all six pages). The error body is not documented:
 *   400 ErrorInvalidRequest with a message saying which two properties clash.
 * - forward: "specify either the toRecipients parameter or the toRecipients property of the message
 *   parameter. Specifying both or specifying neither will return an HTTP 400 Bad Request error."
 *   createForward has the "both" half only (a forward draft may have no recipient yet).
 */
export function assertAnswerBody(kind: AnswerKind, mode: 'send' | 'draft', body: Record<string, unknown>): void {
	const comment = body.comment ?? body.Comment;
	const message = body.message ?? body.Message;
	if (comment !== undefined && comment !== null && hasBody(message)) {
		throw new MailInputError(400, 'ErrorInvalidRequest', "Specify either 'comment' or the 'body' of 'message', not both.");
	}
	if (kind !== 'forward') return;
	const direct = recipientCount(body.toRecipients ?? body.ToRecipients) > 0;
	const inMessage = !!message && typeof message === 'object' && recipientCount((message as Record<string, unknown>).toRecipients) > 0;
	if (direct && inMessage) {
		throw new MailInputError(400, 'ErrorInvalidRequest', "Specify either 'toRecipients' or 'message.toRecipients', not both.");
	}
	if (mode === 'send' && !direct && !inMessage) {
		throw new MailInputError(400, 'ErrorInvalidRecipients', "At least one recipient is required: specify 'toRecipients' or 'message.toRecipients'.");
	}
}
