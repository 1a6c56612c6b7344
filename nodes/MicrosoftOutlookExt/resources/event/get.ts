import type { INodeProperties } from 'n8n-workflow';

import { eventLocatorFields, outputTimeZoneOption } from './fields';

const showOnlyForEventGet = { resource: ['event'], operation: ['get'] };

export const eventGetDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForEventGet),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: showOnlyForEventGet },
		options: [outputTimeZoneOption],
	},
];
