import type { INodeProperties } from 'n8n-workflow';

import { itemRequestLoop } from '../../shared/routing';

import { confirmation, unwrapList } from '../../shared/descriptions';
import { messageDeleteDescription } from './delete';
import { messageGetDescription, parseMimeResponse } from './get';
import { messageGetAllDescription, prepareMessageList } from './getAll';
import { messageSendDescription, prepareSend, sendMessage, sendOutput } from './send';
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
				routing: {
					request: { method: 'DELETE', url: '/me/messages/{messageId}' },
					output: { postReceive: [confirmation({ deleted: true })] },
				},
			},
			{
				name: 'Get Mail Message',
				value: 'get',
				action: 'Get a mail message',
				description: 'Download a message as MIME and parse it: headers, bodies, and every attachment as binary data',
				routing: {
					// The raw MIME bytes; JSON parsing would mangle them.
					request: { method: 'GET', url: '/me/messages/{messageId}/$value', encoding: 'arraybuffer', json: false },
					output: { postReceive: [parseMimeResponse] },
				},
			},
			{
				name: 'List Mail Messages',
				value: 'getAll',
				action: 'List mail messages',
				description: 'List the messages of the mailbox or of one folder, optionally searched or filtered',
				routing: {
					request: { method: 'GET', url: '/me/messages' },
					send: { preSend: [prepareMessageList] },
					output: { postReceive: [unwrapList] },
				},
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
	...messageSendAndWaitDescription,
];
