import type { INodeProperties } from 'n8n-workflow';

import { unwrapList } from '../../shared/descriptions';
import { deleteRouting, listRouting } from '../../shared/operations';
import { calendarViewDescription, prepareCalendarView } from './calendarView';
import { calendarCreateDescription, prepareCalendarCreate } from './create';
import { calendarDeleteDescription } from './delete';
import { calendarFindMeetingTimesDescription, prepareFindMeetingTimes, splitSuggestions } from './findMeetingTimes';
import { calendarGetDescription, routeCalendarGet } from './get';
import { calendarGetAllDescription } from './getAll';
import { addReadableAvailability, calendarGetScheduleDescription, prepareGetSchedule } from './getSchedule';
import { calendarUpdateDescription, prepareCalendarUpdate } from './update';

const showOnlyForCalendar = { resource: ['calendar'] };

export const calendarDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForCalendar },
		options: [
			{
				name: 'Calendar View',
				value: 'calendarView',
				action: 'Get the events between two times',
				description: 'List the events between a start and an end, with recurring events expanded into their occurrences',
				routing: listRouting('/me/calendarView', [prepareCalendarView]),
			},
			{
				name: 'Create Calendar',
				value: 'create',
				action: 'Create a calendar',
				description: 'Create a calendar in the mailbox',
				routing: {
					request: { method: 'POST', url: '/me/calendars' },
					send: { preSend: [prepareCalendarCreate] },
				},
			},
			{
				name: 'Delete Calendar',
				value: 'delete',
				action: 'Delete a calendar',
				description: 'Delete a calendar and its events',
				routing: deleteRouting('/me/calendars/{calendarId}'),
			},
			{
				name: 'Find Meeting Times',
				value: 'findMeetingTimes',
				action: 'Find meeting times',
				description: 'Suggest times (and rooms) when the attendees are free, best first, with confidence and availability',
				routing: {
					request: { method: 'POST', url: '/me/findMeetingTimes' },
					send: { preSend: [prepareFindMeetingTimes] },
					output: { postReceive: [splitSuggestions] },
				},
			},
			{
				name: 'Get Calendar',
				value: 'get',
				action: 'Get a calendar',
				description: 'Get one calendar (name, color, owner, permissions), or the default calendar',
				routing: {
					request: { method: 'GET', url: '/me/calendars/{calendarId}' },
					send: { preSend: [routeCalendarGet] },
				},
			},
			{
				name: 'Get Schedule Availability',
				value: 'getSchedule',
				action: 'Get schedule availability',
				description: 'Get free/busy availability of users, lists or resources for a period',
				routing: {
					request: { method: 'POST', url: '/me/calendar/getSchedule' },
					send: { preSend: [prepareGetSchedule] },
					output: { postReceive: [unwrapList, addReadableAvailability] },
				},
			},
			{
				name: 'List Calendars',
				value: 'getAll',
				action: 'List calendars',
				description: 'List the calendars of the mailbox',
				routing: listRouting('/me/calendars'),
			},
			{
				name: 'Update Calendar',
				value: 'update',
				action: 'Update a calendar',
				description: 'Change the name, color or default flag of a calendar',
				routing: {
					request: { method: 'PATCH', url: '/me/calendars/{calendarId}' },
					send: { preSend: [prepareCalendarUpdate] },
				},
			},
		],
		default: 'getAll',
	},
	...calendarCreateDescription,
	...calendarDeleteDescription,
	...calendarGetAllDescription,
	...calendarGetScheduleDescription,
	...calendarUpdateDescription,
	...calendarGetDescription,
	...calendarViewDescription,
	...calendarFindMeetingTimesDescription,
];
