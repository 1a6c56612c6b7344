import type { INodeProperties } from 'n8n-workflow';

import { unwrapList } from '../../shared/descriptions';
import { itemRequestLoop } from '../../shared/routing';
import { deleteRouting, rawBytesRequest } from '../../shared/operations';
import { addAttachments, attachmentAddDescription, prepareAttachmentAdd } from './add';
import { attachmentDeleteDescription } from './delete';
import { attachmentDownloadDescription, attachmentToBinary, downloadAttachment } from './download';
import { ATTACHMENT_SUMMARY_FIELDS, attachmentGetAllDescription } from './getAll';

const showOnlyForAttachments = { resource: ['messageAttachment'] };

export const messageAttachmentDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForAttachments },
		options: [
			{
				name: 'Add Attachment',
				value: 'add',
				action: 'Add an attachment to a message',
				description: 'Attach files from the input item to a draft or message (files of 3 MB or more by upload session, up to 150 MB)',
				routing: {
					request: { method: 'POST', url: '/me/messages/{messageId}/attachments' },
					send: { preSend: [prepareAttachmentAdd] },
					operations: { pagination: itemRequestLoop(addAttachments) },
				},
			},
			{
				name: 'Delete Attachment',
				value: 'delete',
				action: 'Delete an attachment',
				description: 'Remove an attachment from a draft or message',
				routing: deleteRouting('/me/messages/{messageId}/attachments/{attachmentId}'),
			},
			{
				name: 'Download Attachment',
				value: 'download',
				action: 'Download an attachment',
				description: 'Download an attachment as binary data: a file as it is, an attached mail as a .eml file (contact .vcf, event .ics)',
				routing: {
					request: rawBytesRequest('/me/messages/{messageId}/attachments/{attachmentId}/$value'),
					output: { postReceive: [attachmentToBinary] },
					operations: { pagination: itemRequestLoop(downloadAttachment) },
				},
			},
			{
				name: 'List Attachments',
				value: 'getAll',
				action: 'List the attachments of a message',
				description: 'List the attachments of a message or draft: name, size, content type, inline or not, and kind (@odata.type), without content',
				routing: {
					request: { method: 'GET', url: '/me/messages/{messageId}/attachments', qs: { $select: ATTACHMENT_SUMMARY_FIELDS } },
					output: { postReceive: [unwrapList] },
				},
			},
		],
		default: 'getAll',
	},
	...attachmentAddDescription,
	...attachmentDeleteDescription,
	...attachmentDownloadDescription,
	...attachmentGetAllDescription,
];
