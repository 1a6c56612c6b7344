import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

/** Shows a field for one operation of the Message Attachment resource. */
export function showForAttachmentOperation(operation: string) {
	return { resource: ['messageAttachment'], operation: [operation] };
}

/** One attachment of the chosen message: the list shows the message's attachments. */
export function attachmentLocator(operation: string, description: string): INodeProperties {
	return resourceLocator({
		name: 'attachmentId',
		displayName: 'Attachment',
		searchListMethod: 'searchAttachments',
		show: showForAttachmentOperation(operation),
		description,
	});
}
