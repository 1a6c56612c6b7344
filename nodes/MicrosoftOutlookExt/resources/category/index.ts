import type { INodeProperties } from 'n8n-workflow';

import { deleteRouting, listRouting } from '../../shared/operations';
import { categoryCreateDescription, prepareCategoryCreate } from './create';
import { categoryDeleteDescription } from './delete';
import { categoryGetAllDescription } from './getAll';

/** The mailbox's master list of categories (/me/outlook/masterCategories), which messages and events use by name. */

const showOnlyForCategories = { resource: ['category'] };

export const categoryDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForCategories },
		options: [
			{
				name: 'Create Category',
				value: 'create',
				action: 'Create a category',
				description: "Add a category (name and color) to the mailbox's master list",
				routing: {
					request: { method: 'POST', url: '/me/outlook/masterCategories' },
					send: { preSend: [prepareCategoryCreate] },
				},
			},
			{
				name: 'Delete Category',
				value: 'delete',
				action: 'Delete a category',
				description: "Remove a category from the mailbox's master list (messages keep the name)",
				routing: deleteRouting('/me/outlook/masterCategories/{categoryId}'),
			},
			{
				name: 'List Categories',
				value: 'getAll',
				action: 'List categories',
				description: "List the categories of the mailbox's master list: name, color and ID",
				routing: listRouting('/me/outlook/masterCategories'),
			},
		],
		default: 'getAll',
	},
	...categoryCreateDescription,
	...categoryDeleteDescription,
	...categoryGetAllDescription,
];
