import type { INodeProperties } from 'n8n-workflow';

import { attachmentLocator, messageLocator } from './locators';

export const attachmentDeleteDescription: INodeProperties[] = [
	messageLocator('delete', 'The message or draft the attachment belongs to'),
	attachmentLocator('delete', 'The attachment to remove from the message'),
];
