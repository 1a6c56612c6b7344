import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

const showOnlyForMessageDelete = { resource: ['message'], operation: ['delete'] };

export const messageDeleteDescription: INodeProperties[] = [
	resourceLocator({
		name: 'messageId',
		displayName: 'Message',
		searchListMethod: 'searchMessages',
		show: showOnlyForMessageDelete,
		description: 'The message to delete',
	}),
];
