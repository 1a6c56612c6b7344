import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

const showOnlyForCalendarDelete = { resource: ['calendar'], operation: ['delete'] };

export const calendarDeleteDescription: INodeProperties[] = [
	resourceLocator({
		name: 'calendarId',
		displayName: 'Calendar',
		searchListMethod: 'searchCalendars',
		show: showOnlyForCalendarDelete,
		description: 'The calendar to delete (the default calendar cannot be deleted)',
	}),
];
