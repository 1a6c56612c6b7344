import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { timeZoneField } from '../../shared/descriptions';
import { calendarLocator } from '../calendar/locator';
import { roomLocator, selectedRoom } from '../room/locator';
import { attendeeFields } from './attendees';
import {
	bodyField,
	endField,
	eventBody,
	extraEventFields,
	locationField,
	ROOM_FIELD_DESCRIPTION,
	startField,
	subjectField,
	withCalendarCollection,
	withRoom,
	withTimeZonePreference,
} from './fields';

const showOnlyForEventCreate = { resource: ['event'], operation: ['create'] };

/** The top-level fields plus Additional Fields, in the shape the shared body builder reads. */
function createFieldValues(ctx: IExecuteSingleFunctions): IDataObject {
	return {
		subject: ctx.getNodeParameter('subject', ''),
		startDateTime: ctx.getNodeParameter('startDateTime', ''),
		endDateTime: ctx.getNodeParameter('endDateTime', ''),
		timeZone: ctx.getNodeParameter('timeZone', 'UTC'),
		body: ctx.getNodeParameter('body', ''),
		location: ctx.getNodeParameter('location', ''),
		attendees: ctx.getNodeParameter('attendees', {}),
		attendeesDataCollection: ctx.getNodeParameter('attendeesDataCollection', ''),
		...(ctx.getNodeParameter('additionalFields', {}) as IDataObject),
	};
}

export async function prepareEventCreate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fields = createFieldValues(this);
	const room = selectedRoom(this, 'room', 'Room');
	const fieldsBody = eventBody(this, fields, true);
	const body = room ? withRoom(fieldsBody, room, (fieldsBody.attendees as IDataObject[] | undefined) ?? []) : fieldsBody;
	const routed = withCalendarCollection(this, requestOptions);
	return withTimeZonePreference({ ...routed, body }, fields.timeZone);
}

function showFor(field: INodeProperties): INodeProperties {
	return { ...field, displayOptions: { show: showOnlyForEventCreate } };
}

export const eventCreateDescription: INodeProperties[] = [
	calendarLocator(
		showOnlyForEventCreate,
		'Calendar to add the event to. Leave empty for the default calendar.',
		{ required: false },
	),
	showFor({ ...subjectField, required: true }),
	showFor({ ...startField('When the event starts, without offset (e.g. 2026-05-01T09:30:00), in the Time Zone below'), required: true }),
	showFor({ ...endField('When the event ends, without offset, in the Time Zone below'), required: true }),
	timeZoneField('timeZone', 'Time Zone', showOnlyForEventCreate),
	showFor(bodyField),
	showFor(locationField),
	showFor(roomLocator('room', 'Room', ROOM_FIELD_DESCRIPTION)),
	...attendeeFields().map(showFor),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: showOnlyForEventCreate },
		options: extraEventFields,
	},
];
