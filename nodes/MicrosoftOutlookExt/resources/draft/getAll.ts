import type { INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { optionsCollection } from '../../shared/fields';

const showOnlyForDraftGetAll = { resource: ['draft'], operation: ['getAll'] };

export const draftGetAllDescription: INodeProperties[] = [
	...listFields(showOnlyForDraftGetAll),
	optionsCollection({
		show: showOnlyForDraftGetAll,
		options: [
			{
				displayName: 'Select Fields',
				name: 'select',
				type: 'string',
				default: '',
				placeholder: 'subject,toRecipients,lastModifiedDateTime',
				description: 'Comma-separated properties to return ($select). Leave empty for all.',
				routing: { send: { type: 'query', property: '$select', value: '={{ $value || undefined }}' } },
			},
		],
	}),
];
