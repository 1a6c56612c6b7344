import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

/**
 * The calendar an operation acts on: picked from the mailbox's calendars, or by ID. `required: false` where an
 * empty calendar has a meaning (the default calendar, or all calendars): the description says which.
 */
export function calendarLocator(
	show: IDisplayOptions['show'],
	description: string,
	options: { required?: boolean } = {},
): INodeProperties {
	return resourceLocator({
		name: 'calendarId',
		displayName: 'Calendar',
		searchListMethod: 'searchCalendars',
		show,
		required: options.required,
		description,
	});
}
