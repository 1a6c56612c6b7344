import type { INodeProperties } from 'n8n-workflow';

import { messageLocator } from '../message/locator';
import { attachmentLocator, showForAttachmentOperation } from './locator';

export const attachmentDeleteDescription: INodeProperties[] = [
	messageLocator(showForAttachmentOperation('delete'), 'The message or draft the attachment belongs to'),
	attachmentLocator('delete', 'The attachment to remove from the message'),
];
