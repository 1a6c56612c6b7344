import type { INodeProperties } from 'n8n-workflow';

import { itemRequestLoop } from '../../shared/routing';

import { confirmation, unwrapList } from '../../shared/descriptions';
import { operationSelector } from '../../shared/fields';
import { cancelThroughGraph, eventCancelDescription } from './cancel';
import { eventCreateDescription, prepareEventCreate } from './create';
import { eventDeleteDescription } from './delete';
import { applyOutputTimeZone } from './fields';
import { eventForwardDescription, prepareEventForward } from './forward';
import { eventGetDescription } from './get';
import { eventGetAllDescription, routeEventList } from './getAll';
import { eventGetInstancesDescription, prepareGetInstances } from './getInstances';
import { eventDismissReminderDescription, eventSnoozeReminderDescription, prepareSnoozeReminder } from './reminder';
import { eventRespondDescription, prepareEventResponse } from './respond';
import { eventUpdateDescription, prepareEventUpdate } from './update';

export const eventDescription: INodeProperties[] = [
	operationSelector({
		resource: 'event',
		default: 'getAll',
		options: [
			{
				name: 'Accept Event',
				value: 'accept',
				action: 'Accept an event invitation',
				description: 'Accept a meeting you are invited to, optionally with a comment to the organizer',
				routing: {
					request: { method: 'POST', url: '/me/events/{eventId}/accept' },
					send: { preSend: [prepareEventResponse] },
					output: { postReceive: [confirmation({ responded: true, response: 'accepted' })] },
				},
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
				routing: {
					request: { method: 'POST', url: '/me/events/{eventId}/decline' },
					send: { preSend: [prepareEventResponse] },
					output: { postReceive: [confirmation({ responded: true, response: 'declined' })] },
				},
			},
			{
				name: 'Delete Event',
				value: 'delete',
				action: 'Delete an event',
				description: 'Delete an event (as organizer this cancels the meeting for everyone)',
				routing: {
					request: { method: 'DELETE', url: '/me/events/{eventId}' },
					output: { postReceive: [confirmation({ deleted: true })] },
				},
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
				routing: {
					request: { method: 'GET', url: '/me/events/{eventId}/instances' },
					send: { preSend: [prepareGetInstances] },
					output: { postReceive: [unwrapList] },
				},
			},
			{
				name: 'List Events',
				value: 'getAll',
				action: 'List events',
				description: 'List the events of one calendar, or of every calendar',
				routing: {
					request: { method: 'GET', url: '/me/events' },
					send: { preSend: [routeEventList, applyOutputTimeZone] },
					output: { postReceive: [unwrapList] },
				},
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
				routing: {
					request: { method: 'POST', url: '/me/events/{eventId}/tentativelyAccept' },
					send: { preSend: [prepareEventResponse] },
					output: { postReceive: [confirmation({ responded: true, response: 'tentativelyAccepted' })] },
				},
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
	}),
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
