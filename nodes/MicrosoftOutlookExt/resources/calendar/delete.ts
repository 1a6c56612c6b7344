import type { INodeProperties } from 'n8n-workflow';

import { calendarLocator } from './locator';

const showOnlyForCalendarDelete = { resource: ['calendar'], operation: ['delete'] };

export const calendarDeleteDescription: INodeProperties[] = [
	calendarLocator(showOnlyForCalendarDelete, 'The calendar to delete (the default calendar cannot be deleted)'),
];
