import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

export const categoryDeleteDescription: INodeProperties[] = [
	resourceLocator({
		name: 'categoryId',
		displayName: 'Category',
		searchListMethod: 'searchCategories',
		show: { resource: ['category'], operation: ['delete'] },
		description: 'The category to remove from the master list: pick it, or give its ID (a GUID from List Categories)',
		idPlaceholder: '7b7c8a3e-3f4e-4a3b-9d0e-2f1c5a6b7c8d',
	}),
];
