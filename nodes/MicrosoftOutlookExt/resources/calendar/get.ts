import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { calendarLocator } from './locator';

const showOnlyForCalendarGet = { resource: ['calendar'], operation: ['get'] };

/** A chosen calendar, else the default calendar (`/me/calendar`). */
export async function routeCalendarGet(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const calendarId = this.getNodeParameter('calendarId', '', { extractValue: true }) as string;
	if (String(calendarId ?? '').trim()) return requestOptions;
	return { ...requestOptions, url: '/me/calendar' };
}

export const calendarGetDescription: INodeProperties[] = [
	calendarLocator(
		showOnlyForCalendarGet,
		'The calendar to get (from the list, or its ID). Leave empty for the default calendar.',
		{ required: false },
	),
];
