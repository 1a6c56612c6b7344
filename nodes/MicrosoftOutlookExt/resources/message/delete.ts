import type { INodeProperties } from 'n8n-workflow';

import { messageLocator } from './locator';

const showOnlyForMessageDelete = { resource: ['message'], operation: ['delete'] };

export const messageDeleteDescription: INodeProperties[] = [
	messageLocator(showOnlyForMessageDelete, 'The message to delete'),
];
