import type { INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { messageLocator } from '../message/locator';
import { showForAttachmentOperation } from './locator';

const showOnlyForAttachmentGetAll = { resource: ['messageAttachment'], operation: ['getAll'] };

/** What the list returns: everything but the content (contentBytes can be 3 MB per file). */
export const ATTACHMENT_SUMMARY_FIELDS = 'id,name,size,contentType,isInline,lastModifiedDateTime';

export const attachmentGetAllDescription: INodeProperties[] = [
	messageLocator(
		showForAttachmentOperation('getAll'),
		'The message or draft whose attachments to list (name, size, type, inline; no content)',
	),
	...listFields(showOnlyForAttachmentGetAll, 50),
];
