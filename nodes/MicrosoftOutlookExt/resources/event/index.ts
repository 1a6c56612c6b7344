import type { INodeProperties } from 'n8n-workflow';

import { itemRequestLoop } from '../../shared/routing';

import { confirmation } from '../../shared/descriptions';
import { deleteRouting, listRouting } from '../../shared/operations';
import { cancelThroughGraph, eventCancelDescription } from './cancel';
import { eventCreateDescription, prepareEventCreate } from './create';
import { eventDeleteDescription } from './delete';
import { applyOutputTimeZone } from './fields';
import { eventForwardDescription, prepareEventForward } from './forward';
import { eventGetDescription } from './get';
import { eventGetAllDescription, routeEventList } from './getAll';
import { eventGetInstancesDescription, prepareGetInstances } from './getInstances';
import { eventDismissReminderDescription, eventSnoozeReminderDescription, prepareSnoozeReminder } from './reminder';
import { eventRespondDescription, eventResponseRouting } from './respond';
import { eventUpdateDescription, prepareEventUpdate } from './update';

const showOnlyForEvent = { resource: ['event'] };

export const eventDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForEvent },
		options: [
			{
				name: 'Accept Event',
				value: 'accept',
				action: 'Accept an event invitation',
				description: 'Accept a meeting you are invited to, optionally with a comment to the organizer',
				routing: eventResponseRouting('accept', 'accepted'),
			},
			{
				name: 'Cancel Event',
				value: 'cancel',
				action: 'Cancel an event',
				description: 'Cancel a meeting you organize and notify its attendees',
				routing: {
					request: { method: 'POST', url: '/me/events/{eventId}/cancel' },
					// Same transport, but Graph's "not the organizer" answer gets an explanation.
					operations: { pagination: itemRequestLoop(cancelThroughGraph) },
					output: { postReceive: [confirmation({ cancelled: true })] },
				},
			},
			{
				name: 'Create Event',
				value: 'create',
				action: 'Create an event',
				description: 'Create an event in a calendar',
				routing: {
					request: { method: 'POST', url: '/me/events' },
					send: { preSend: [prepareEventCreate] },
				},
			},
			{
				name: 'Decline Event',
				value: 'decline',
				action: 'Decline an event invitation',
				description: 'Decline a meeting you are invited to, optionally proposing another time',
				routing: eventResponseRouting('decline', 'declined'),
			},
			{
				name: 'Delete Event',
				value: 'delete',
				action: 'Delete an event',
				description: 'Delete an event (as organizer this cancels the meeting for everyone)',
				routing: deleteRouting('/me/events/{eventId}'),
			},
			{
				name: 'Dismiss Event Reminder',
				value: 'dismissReminder',
				action: 'Dismiss an event reminder',
				description: 'Dismiss the reminder of an event',
				routing: {
					request: { method: 'POST', url: '/me/events/{eventId}/dismissReminder' },
					output: { postReceive: [confirmation({ dismissed: true })] },
				},
			},
			{
				name: 'Forward Event',
				value: 'forward',
				action: 'Forward an event invitation',
				description: 'Forward a meeting invitation to other people with a comment',
				routing: {
					request: { method: 'POST', url: '/me/events/{eventId}/forward' },
					send: { preSend: [prepareEventForward] },
					output: { postReceive: [confirmation({ forwarded: true })] },
				},
			},
			{
				name: 'Get Calendar Event',
				value: 'get',
				action: 'Get a calendar event',
				description: 'Get one event',
				routing: {
					request: { method: 'GET', url: '/me/events/{eventId}' },
					send: { preSend: [applyOutputTimeZone] },
				},
			},
			{
				name: 'Get Event Instances',
				value: 'getInstances',
				action: 'Get the instances of a recurring event',
				description: 'List the occurrences and exceptions of a recurring series between two times',
				routing: listRouting('/me/events/{eventId}/instances', [prepareGetInstances]),
			},
			{
				name: 'List Events',
				value: 'getAll',
				action: 'List events',
				description: 'List the events of one calendar, or of every calendar',
				routing: listRouting('/me/events', [routeEventList, applyOutputTimeZone]),
			},
			{
				name: 'Snooze Event Reminder',
				value: 'snoozeReminder',
				action: 'Snooze an event reminder',
				description: 'Show the reminder of an event again at a new time',
				routing: {
					request: { method: 'POST', url: '/me/events/{eventId}/snoozeReminder' },
					send: { preSend: [prepareSnoozeReminder] },
					output: { postReceive: [confirmation({ snoozed: true })] },
				},
			},
			{
				name: 'Tentatively Accept Event',
				value: 'tentativelyAccept',
				action: 'Tentatively accept an event invitation',
				description: 'Tentatively accept a meeting you are invited to, optionally proposing another time',
				routing: eventResponseRouting('tentativelyAccept', 'tentativelyAccepted'),
			},
			{
				name: 'Update Event',
				value: 'update',
				action: 'Update an event',
				description: 'Change only the given fields of an event',
				routing: {
					request: { method: 'PATCH', url: '/me/events/{eventId}' },
					send: { preSend: [prepareEventUpdate] },
				},
			},
		],
		default: 'getAll',
	},
	...eventCancelDescription,
	...eventCreateDescription,
	...eventDeleteDescription,
	...eventGetDescription,
	...eventGetAllDescription,
	...eventUpdateDescription,
	...eventRespondDescription,
	...eventForwardDescription,
	...eventGetInstancesDescription,
	...eventSnoozeReminderDescription,
	...eventDismissReminderDescription,
];
