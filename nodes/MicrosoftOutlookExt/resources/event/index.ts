import type { INodeProperties } from 'n8n-workflow';

import { itemRequestLoop } from '../../shared/routing';

import { confirmation, unwrapList } from '../../shared/descriptions';
import { cancelThroughGraph, eventCancelDescription } from './cancel';
import { eventCreateDescription, prepareEventCreate } from './create';
import { eventDeleteDescription } from './delete';
import { applyOutputTimeZone } from './fields';
import { eventGetDescription } from './get';
import { eventGetAllDescription, routeEventList } from './getAll';
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
];
