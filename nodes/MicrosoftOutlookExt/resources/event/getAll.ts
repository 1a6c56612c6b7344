import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { filterOption, optionsCollection, selectFieldsOption } from '../../shared/fields';
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
		// Microsoft's v1.0 page for GET /me/events says "the events in the user's mailbox"; its beta page says "from the
		// user's default calendar". Which one Graph does is not settled by the docs, so the description says so.
		'Calendar to list. Leave empty for Graph\'s /me/events: the mailbox\'s events (Microsoft\'s pages disagree on whether that is every calendar or only the default one; pick a calendar to be sure).',
		{ required: false },
	),
	...listFields(showOnlyForEventGetAll),
	optionsCollection({
		show: showOnlyForEventGetAll,
		options: [
			filterOption("start/dateTime ge '2026-05-01T00:00:00'"),
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
			selectFieldsOption('subject,start,end,organizer'),
		],
	}),
];
