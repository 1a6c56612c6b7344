import type { INodeProperties } from 'n8n-workflow';

import { itemRequestLoop } from '../../shared/routing';

import { deleteRouting, listRouting, prepareMoveOrCopy, rawBytesRequest } from '../../shared/operations';
import { messageDeleteDescription } from './delete';
import { messageGetDescription, parseMimeResponse } from './get';
import { messageGetAllDescription, prepareMessageList } from './getAll';
import { messageSendDescription, prepareSend, sendMessage, sendOutput } from './send';
import { emlOutput, messageExportDescription } from './exportEml';
import { messageMoveOrCopyDescription } from './moveOrCopy';
import { answerRouting, messageReplyDescription } from './reply';
import { messageUpdateDescription, prepareMessageUpdate } from './update';
import { messageSendAndWaitDescription, SEND_AND_WAIT } from './sendAndWait';

const showOnlyForMessages = { resource: ['message'] };

export const messageDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForMessages },
		options: [
			{
				name: 'Delete Message',
				value: 'delete',
				action: 'Delete a message',
				description: 'Delete a message from the mailbox',
				routing: deleteRouting('/me/messages/{messageId}'),
			},
			{
				name: 'Get Mail Message',
				value: 'get',
				action: 'Get a mail message',
				description: 'Download a message as MIME and parse it: headers, bodies, and every attachment as binary data',
				routing: {
					request: rawBytesRequest('/me/messages/{messageId}/$value'),
					output: { postReceive: [parseMimeResponse] },
				},
			},
			{
				name: 'List Mail Messages',
				value: 'getAll',
				action: 'List mail messages',
				description: 'List the messages of the mailbox or of one folder, optionally searched or filtered',
				routing: listRouting('/me/messages', [prepareMessageList]),
			},
			{
				name: 'Copy Message',
				value: 'copy',
				action: 'Copy a message to a folder',
				description: 'Copy a message into another folder; outputs the copy (it has its own new ID)',
				routing: {
					request: { method: 'POST', url: '/me/messages/{messageId}/copy' },
					send: { preSend: [prepareMoveOrCopy] },
				},
			},
			{
				name: 'Forward Message',
				value: 'forward',
				action: 'Forward a message',
				description:
					'Forward a message with an optional comment, to the addresses in To; or save the forward as a draft',
				routing: answerRouting('forward'),
			},
			{
				name: 'Export as EML',
				value: 'exportEml',
				action: 'Export a message as an EML file',
				description: 'Download a message as an .eml file (its MIME content, unparsed) into a binary property',
				routing: {
					request: rawBytesRequest('/me/messages/{messageId}/$value'),
					output: { postReceive: [emlOutput] },
				},
			},
			{
				name: 'Mark as Read',
				value: 'markAsRead',
				action: 'Mark a message as read',
				description: 'Mark a message as read; outputs the updated message',
				routing: { request: { method: 'PATCH', url: '/me/messages/{messageId}', body: { isRead: true } } },
			},
			{
				name: 'Mark as Unread',
				value: 'markAsUnread',
				action: 'Mark a message as unread',
				description: 'Mark a message as unread; outputs the updated message',
				routing: { request: { method: 'PATCH', url: '/me/messages/{messageId}', body: { isRead: false } } },
			},
			{
				name: 'Move Message',
				value: 'move',
				action: 'Move a message to a folder',
				description: 'Move a message into another folder (e.g. Archive); outputs the moved message, which has a NEW ID',
				routing: {
					request: { method: 'POST', url: '/me/messages/{messageId}/move' },
					send: { preSend: [prepareMoveOrCopy] },
				},
			},
			{
				name: 'Reply',
				value: 'reply',
				action: 'Reply to a message',
				description:
					'Reply to the sender of a message with a comment or a new body, extra recipients and attachments; or save the reply as a draft',
				routing: answerRouting('reply'),
			},
			{
				name: 'Reply All',
				value: 'replyAll',
				action: 'Reply to all recipients of a message',
				description:
					'Reply to the sender and all recipients of a message; or save the reply as a draft',
				routing: answerRouting('replyAll'),
			},
			{
				name: 'Send Message',
				value: 'send',
				action: 'Send a message',
				description: 'Send a mail with attachments (large files go through a draft and an upload session)',
				routing: {
					request: { method: 'POST', url: '/me/sendMail' },
					send: { preSend: [prepareSend] },
					output: { postReceive: [sendOutput] },
					// One flow per item: POST /sendMail, or draft → attachments → send → clean-up.
					operations: { pagination: itemRequestLoop(sendMessage) },
				},
			},
			{
				name: 'Update Message',
				value: 'update',
				action: 'Update a message',
				description:
					'Change read state, flag (with start and due dates), categories, importance or Focused/Other; subject, body and recipients while the message is a draft',
				routing: {
					request: { method: 'PATCH', url: '/me/messages/{messageId}' },
					send: { preSend: [prepareMessageUpdate] },
				},
			},
			{
				name: 'Send and Wait for Response',
				value: SEND_AND_WAIT,
				action: 'Send a message and wait for response',
				description:
					'Mail a question with answer buttons (approve / decline, free text or a form) and pause the workflow until someone answers; the answer is the output',
				// No routing: a custom operation (MicrosoftOutlookExt.node.ts customOperations) with the node's webhook().
			},
		],
		default: 'send',
	},
	...messageDeleteDescription,
	...messageGetDescription,
	...messageGetAllDescription,
	...messageSendDescription,
	...messageReplyDescription,
	...messageMoveOrCopyDescription,
	...messageUpdateDescription,
	...messageExportDescription,
	...messageSendAndWaitDescription,
];
