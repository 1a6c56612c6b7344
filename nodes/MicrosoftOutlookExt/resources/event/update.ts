import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { updateFieldsCollection, updateFieldsEmptyError } from '../../shared/fields';
import { itemTarget } from '../../shared/routing';
import { graphApiRequest } from '../../shared/transport/request';
import { checkedIdParameter } from '../../shared/validation';
import { roomLocator, selectedRoom, type SelectedRoom } from '../room/locator';
import { attendeeFields } from './attendees';
import {
	TIME_ZONE_DESCRIPTION,
	bodyField,
	endField,
	eventBody,
	eventLocatorFields,
	extraEventFields,
	locationField,
	ROOM_FIELD_DESCRIPTION,
	startField,
	subjectField,
	withRoom,
	withTimeZonePreference,
} from './fields';

const showOnlyForEventUpdate = { resource: ['event'], operation: ['update'] };

/** PATCH with exactly the fields given; nothing to change is refused before any request. */
export async function prepareEventUpdate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fields = this.getNodeParameter('updateFields', {}) as IDataObject;
	const room = selectedRoom(this, 'room', 'Room');
	const fieldsBody = eventBody(this, fields, false);
	if (Object.keys(fieldsBody).length === 0 && !room) {
		throw updateFieldsEmptyError(this, 'Add at least one field to change, e.g. Subject or Start At with Time Zone, or pick a Room.');
	}
	const body = room ? await bookRoom(this, fieldsBody, room) : fieldsBody;
	return withTimeZonePreference({ ...requestOptions, body }, fields.timeZone);
}

/**
 * PATCH replaces the whole attendee list: without new Attendees, the room joins the event's current attendees
 * (read first), so nobody is dropped.
 */
async function bookRoom(ctx: IExecuteSingleFunctions, body: IDataObject, room: SelectedRoom): Promise<IDataObject> {
	if (Array.isArray(body.attendees)) return withRoom(body, room, body.attendees as IDataObject[]);
	const eventId = checkedIdParameter(ctx, 'eventId', 'Event');
	const target = await itemTarget(ctx);
	const { body: current } = await graphApiRequest<{ attendees?: IDataObject[] }>(ctx, target, {
		method: 'GET',
		url: `/me/events/${eventId}`,
		qs: { $select: 'attendees' },
	});
	// Only what an attendee is made of; Graph keeps each attendee's response itself.
	const attendees = (current.attendees ?? []).map(({ emailAddress, type }) => ({ emailAddress, type }));
	return withRoom(body, room, attendees);
}

const updateTimeZoneField: INodeProperties = {
	displayName: 'Time Zone',
	name: 'timeZone',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getTimeZones' },
	default: 'UTC',
	description: TIME_ZONE_DESCRIPTION,
};

const updateFieldOptions: INodeProperties[] = [
	...attendeeFields(),
	bodyField,
	endField('New end, without offset (e.g. 2026-05-01T10:00:00), in Time Zone'),
	locationField,
	startField('New start, without offset (e.g. 2026-05-01T09:30:00), in Time Zone'),
	subjectField,
	updateTimeZoneField,
	...extraEventFields,
].sort((a, b) => a.displayName.localeCompare(b.displayName));

export const eventUpdateDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForEventUpdate),
	{ ...roomLocator('room', 'Room', ROOM_FIELD_DESCRIPTION), displayOptions: { show: showOnlyForEventUpdate } },
	updateFieldsCollection({
		show: showOnlyForEventUpdate,
		options: updateFieldOptions,
	}),
];
