import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { optionsCollection } from '../../shared/fields';
import { calendarLocator } from '../calendar/locator';
import { outputTimeZoneOption, withCalendarCollection } from './fields';

const showOnlyForEventGetAll = { resource: ['event'], operation: ['getAll'] };

export async function routeEventList(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	return withCalendarCollection(this, requestOptions);
}

export const eventGetAllDescription: INodeProperties[] = [
	calendarLocator(
		showOnlyForEventGetAll,
		'Calendar to list. Leave empty to list the events of all calendars.',
		{ required: false },
	),
	...listFields(showOnlyForEventGetAll),
	optionsCollection({
		show: showOnlyForEventGetAll,
		options: [
			{
				displayName: 'Filter',
				name: 'filter',
				type: 'string',
				default: '',
				placeholder: "start/dateTime ge '2026-05-01T00:00:00'",
				description: 'OData filter ($filter), e.g. <code>start/dateTime ge \'2026-05-01T00:00:00\'</code>',
				routing: { send: { type: 'query', property: '$filter', value: '={{ $value || undefined }}' } },
			},
			{
				displayName: 'Order By',
				name: 'orderBy',
				type: 'string',
				default: '',
				placeholder: 'start/dateTime desc',
				description: 'Sort order ($orderby), e.g. <code>start/dateTime desc</code>',
				routing: { send: { type: 'query', property: '$orderby', value: '={{ $value || undefined }}' } },
			},
			outputTimeZoneOption,
		],
	}),
];
