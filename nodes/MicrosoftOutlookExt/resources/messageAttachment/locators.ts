import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

/** The message (or draft) whose attachments an operation reads or changes. */
export function messageLocator(operation: string, description: string): INodeProperties {
	return resourceLocator({
		name: 'messageId',
		displayName: 'Message',
		searchListMethod: 'searchMessages',
		show: { resource: ['messageAttachment'], operation: [operation] },
		description,
	});
}

/** One attachment of that message: the list shows the message's attachments. */
export function attachmentLocator(operation: string, description: string): INodeProperties {
	return resourceLocator({
		name: 'attachmentId',
		displayName: 'Attachment',
		searchListMethod: 'searchAttachments',
		show: { resource: ['messageAttachment'], operation: [operation] },
		description,
	});
}
