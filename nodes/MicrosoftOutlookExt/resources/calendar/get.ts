import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

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
	resourceLocator({
		name: 'calendarId',
		displayName: 'Calendar',
		searchListMethod: 'searchCalendars',
		show: showOnlyForCalendarGet,
		required: false,
		description: 'The calendar to get (from the list, or its ID). Leave empty for the default calendar.',
	}),
];
