import type { INodeProperties } from 'n8n-workflow';

import { confirmation } from '../../shared/descriptions';
import { itemRequestLoop } from '../../shared/routing';
import { deleteRouting, listRouting } from '../../shared/operations';
import { createDraftFlow, draftCreateDescription, prepareDraftCreate } from './create';
import { draftGetAllDescription, draftGetDescription } from './getAll';
import { draftSendDescription, prepareDraftSend } from './send';
import { draftLocator } from './locator';
import { draftUpdateDescription, prepareDraftUpdate } from './update';

const showOnlyForDrafts = { resource: ['draft'] };

/** Drafts are messages in the Drafts folder (`isDraft: true`): the message endpoints act on them. */
export const draftDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForDrafts },
		options: [
			{
				name: 'Create Draft',
				value: 'create',
				action: 'Create a draft',
				description: 'Save a new mail in the Drafts folder without sending it: recipients, subject, body and attachments (large files by upload session)',
				routing: {
					request: { method: 'POST', url: '/me/messages' },
					send: { preSend: [prepareDraftCreate] },
					operations: { pagination: itemRequestLoop(createDraftFlow) },
				},
			},
			{
				name: 'Delete Draft',
				value: 'delete',
				action: 'Delete a draft',
				description: 'Delete a draft from the Drafts folder',
				routing: deleteRouting('/me/messages/{draftId}'),
			},
			{
				name: 'Get Draft',
				value: 'get',
				action: 'Get a draft',
				description: 'Get a draft with its recipients, subject and body',
				routing: { request: { method: 'GET', url: '/me/messages/{draftId}' } },
			},
			{
				name: 'List Drafts',
				value: 'getAll',
				action: 'List drafts',
				description: 'List the drafts in the Drafts folder, newest first',
				routing: listRouting('/me/mailFolders/drafts/messages'),
			},
			{
				name: 'Send Draft',
				value: 'send',
				action: 'Send a draft',
				description:
					'Send a draft to its recipients (Outlook files it in Sent Items). Never sent twice: a lost answer is reported as "may have been sent", not repeated.',
				routing: {
					request: { method: 'POST', url: '/me/messages/{draftId}/send' },
					send: { preSend: [prepareDraftSend] },
					output: { postReceive: [confirmation({ sent: true })] },
				},
			},
			{
				name: 'Update Draft',
				value: 'update',
				action: 'Update a draft',
				description: 'Change the subject, body, recipients or importance of a draft',
				routing: {
					request: { method: 'PATCH', url: '/me/messages/{draftId}' },
					send: { preSend: [prepareDraftUpdate] },
				},
			},
		],
		default: 'create',
	},
	...draftCreateDescription,
	draftLocator({ resource: ['draft'], operation: ['delete'] }, 'The draft to delete'),
	draftLocator({ resource: ['draft'], operation: ['get'] }, 'The draft to get'),
	...draftGetDescription,
	...draftGetAllDescription,
	...draftSendDescription,
	...draftUpdateDescription,
];
