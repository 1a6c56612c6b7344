import type { IDataObject, IDisplayOptions, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';
import { messageImportanceField } from '../../shared/fields';
import { inputError, textList } from '../../shared/validation';
import { calendarLocator } from '../calendar/locator';
import {
	assertEndAfterStart,
	checkedTimeZone,
	ianaZoneOf,
	toDateTimeTimeZone,
	zonedDateTime,
	type ZonedDateTime,
} from '../../shared/timeZones';
import type { SelectedRoom } from '../room/locator';
import { graphAttendees } from './attendees';

/**
 * What Create Event and Update Event have in common: the event fields (top level + Additional Fields for
 * create, all inside Update Fields for update) and one builder that turns the given fields into Graph's body,
 * so update sends exactly the fields that were given.
 */

export const TIME_ZONE_DESCRIPTION =
	'Time zone of Start At and End At. Choose from the list, or specify a Windows time zone name (e.g. "Pacific Standard Time") using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.';

export function startField(description: string): INodeProperties {
	return {
		displayName: 'Start At',
		name: 'startDateTime',
		type: 'dateTime',
		default: '',
		placeholder: '2026-05-01T09:30:00',
		description,
	};
}

export function endField(description: string): INodeProperties {
	return {
		displayName: 'End At',
		name: 'endDateTime',
		type: 'dateTime',
		default: '',
		placeholder: '2026-05-01T10:00:00',
		description,
	};
}

export const bodyField: INodeProperties = {
	displayName: 'Body',
	name: 'body',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	description: 'Description of the event, as HTML',
};

export const locationField: INodeProperties = {
	displayName: 'Location',
	name: 'location',
	type: 'string',
	default: '',
	placeholder: 'Conference Room 1',
	description: 'Name of the place',
};

export const subjectField: INodeProperties = {
	displayName: 'Subject',
	name: 'subject',
	type: 'string',
	default: '',
	description: 'Title of the event',
};

/** The fields an n8n user expects beyond the basics (Additional Fields of create, also in Update Fields). */
export const extraEventFields: INodeProperties[] = [
	{
		displayName: 'Categories',
		name: 'categories',
		type: 'string',
		default: '',
		placeholder: 'Red category, Project Alpha',
		description: 'Outlook category names, separated by commas',
	},
	{
		displayName: 'Hide Attendees',
		name: 'hideAttendees',
		type: 'boolean',
		default: false,
		description: 'Whether each attendee sees only themselves in the invitation and the Tracking list',
	},
	messageImportanceField('How important the event is: low, normal or high'),
	{
		displayName: 'Is All Day',
		name: 'isAllDay',
		type: 'boolean',
		default: false,
		description: 'Whether the event lasts whole days (Start At and End At must then be at midnight)',
	},
	{
		displayName: 'Is Online Meeting',
		name: 'isOnlineMeeting',
		type: 'boolean',
		default: false,
		description: 'Whether the event gets an online meeting (e.g. a Teams link)',
	},
	{
		displayName: 'Reminder Minutes Before Start',
		name: 'reminderMinutesBeforeStart',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 15,
		description: 'How many minutes before the start Outlook reminds the attendees',
	},
	{
		displayName: 'Sensitivity',
		name: 'sensitivity',
		type: 'options',
		options: [
			{ name: 'Confidential', value: 'confidential' },
			{ name: 'Normal', value: 'normal' },
			{ name: 'Personal', value: 'personal' },
			{ name: 'Private', value: 'private' },
		],
		default: 'normal',
	},
	{
		displayName: 'Show As',
		name: 'showAs',
		type: 'options',
		options: [
			{ name: 'Busy', value: 'busy' },
			{ name: 'Free', value: 'free' },
			{ name: 'Out of Office', value: 'oof' },
			{ name: 'Tentative', value: 'tentative' },
			{ name: 'Unknown', value: 'unknown' },
			{ name: 'Working Elsewhere', value: 'workingElsewhere' },
		],
		default: 'busy',
		description: 'How the time shows in free/busy views',
	},
];

/** Field values as the user gave them (create: top level + Additional Fields; update: Update Fields). */
export type EventFieldValues = IDataObject;

const CHOICES: Record<string, { field: string; values: string[] }> = {
	importance: { field: 'Importance', values: ['low', 'normal', 'high'] },
	sensitivity: { field: 'Sensitivity', values: ['normal', 'personal', 'private', 'confidential'] },
	showAs: { field: 'Show As', values: ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'] },
};

/** Option fields can hold an expression: check them like Graph would, but with the field's name. */
function choice(ctx: IExecuteSingleFunctions, key: string, value: unknown): string {
	const { field, values } = CHOICES[key];
	const text = String(value);
	if (!values.includes(text)) {
		throw inputError(ctx, `${field} "${text}" is not allowed`, `Use one of: ${values.join(', ')}.`);
	}
	return text;
}

function reminderMinutes(ctx: IExecuteSingleFunctions, value: unknown): number {
	const minutes = Number(value);
	if (!Number.isInteger(minutes) || minutes < 0) {
		throw inputError(
			ctx,
			'Reminder Minutes Before Start must be a whole number of minutes, 0 or more',
			`It is ${String(value)}.`,
		);
	}
	return minutes;
}

function isMidnight(value: ZonedDateTime): boolean {
	return value.dateTime.endsWith('T00:00:00');
}

/**
 * Start/End with their zone: both required for create; for update each is optional, but a time needs its zone
 * and a zone alone changes nothing.
 */
function eventTimes(ctx: IExecuteSingleFunctions, fields: EventFieldValues, required: boolean): IDataObject {
	const hasStart = required || (fields.startDateTime !== undefined && fields.startDateTime !== '');
	const hasEnd = required || (fields.endDateTime !== undefined && fields.endDateTime !== '');
	const hasZone = fields.timeZone !== undefined && fields.timeZone !== '';
	if (!hasStart && !hasEnd) {
		if (hasZone) {
			throw inputError(
				ctx,
				'Time Zone is given without Start At or End At',
				'Time Zone only says how to read Start At and End At: add them, or remove Time Zone.',
			);
		}
		return {};
	}
	if (!hasZone) {
		throw inputError(
			ctx,
			`${hasStart ? 'Start At' : 'End At'} needs a Time Zone`,
			'Set Time Zone (in Update Fields when updating), so the time is not read in the wrong zone.',
		);
	}
	const zone = checkedTimeZone(ctx, fields.timeZone, 'Time Zone');
	const start = hasStart ? zonedDateTime(ctx, fields.startDateTime, 'Start At', zone) : undefined;
	const end = hasEnd ? zonedDateTime(ctx, fields.endDateTime, 'End At', zone) : undefined;
	if (start && end) assertEndAfterStart(ctx, start, end, { start: 'Start At', end: 'End At' });
	if (fields.isAllDay === true && [start, end].some((time) => time && !isMidnight(time))) {
		throw inputError(
			ctx,
			'An all-day event must start and end at midnight',
			'Use times like 2026-05-01T00:00:00 and 2026-05-02T00:00:00 for Start At and End At.',
		);
	}
	const times: IDataObject = {};
	if (start) times.start = toDateTimeTimeZone(start);
	if (end) times.end = toDateTimeTimeZone(end);
	return times;
}

/** Graph's event body from the given fields only (`timesRequired` for create). */
export function eventBody(ctx: IExecuteSingleFunctions, fields: EventFieldValues, timesRequired: boolean): IDataObject {
	const body: IDataObject = { ...eventTimes(ctx, fields, timesRequired) };
	if (fields.subject !== undefined) body.subject = String(fields.subject);
	if (fields.body !== undefined && fields.body !== '') body.body = { contentType: 'html', content: String(fields.body) };
	if (fields.location !== undefined && fields.location !== '') body.location = { displayName: String(fields.location) };
	const attendees = graphAttendees(ctx, fields.attendees, fields.attendeesDataCollection);
	if (attendees) body.attendees = attendees;
	for (const key of ['importance', 'sensitivity', 'showAs']) {
		if (fields[key] !== undefined) body[key] = choice(ctx, key, fields[key]);
	}
	for (const key of ['hideAttendees', 'isAllDay', 'isOnlineMeeting']) {
		if (fields[key] !== undefined) body[key] = fields[key] === true || fields[key] === 'true';
	}
	if (fields.reminderMinutesBeforeStart !== undefined) {
		body.reminderMinutesBeforeStart = reminderMinutes(ctx, fields.reminderMinutesBeforeStart);
	}
	if (fields.categories !== undefined) body.categories = textList(fields.categories);
	return body;
}

/**
 * Books the picked room: it joins the attendees as a resource (that is what reserves it) and becomes the location
 * unless Location was given. `attendees` is the list the event will have (for an update: its current list).
 */
export function withRoom(body: IDataObject, room: SelectedRoom, attendees: IDataObject[]): IDataObject {
	const address = room.address.toLowerCase();
	const listed = attendees.some((attendee) => String((attendee.emailAddress as IDataObject | undefined)?.address ?? '').toLowerCase() === address);
	const roomAttendee = { emailAddress: { address: room.address, name: room.name }, type: 'resource' };
	const result: IDataObject = { ...body, attendees: listed ? attendees : [...attendees, roomAttendee] };
	if (!body.location) result.location = { displayName: room.name, locationEmailAddress: room.address, locationType: 'conferenceRoom' };
	return result;
}

export const ROOM_FIELD_DESCRIPTION =
	'A meeting room to book (from the list, or its email address): added as a resource attendee and, unless Location is set, as the location. Leave empty for no room.';

/** Answers show times in the zone the user wrote them in (Graph answers in UTC otherwise). */
export function withTimeZonePreference(requestOptions: IHttpRequestOptions, zone: unknown): IHttpRequestOptions {
	if (typeof zone !== 'string' || zone.trim() === '') return requestOptions;
	return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), Prefer: `outlook.timezone="${zone.trim()}"` } };
}

/** Create Event / List Events: a chosen calendar, else the default calendar (create) or all calendars (list). */
export function withCalendarCollection(ctx: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): IHttpRequestOptions {
	const calendarId = ctx.getNodeParameter('calendarId', '', { extractValue: true }) as string;
	if (!String(calendarId ?? '').trim()) return requestOptions;
	// The transport fills in {calendarId} (validated, encoded) and the mailbox.
	return { ...requestOptions, url: '/me/calendars/{calendarId}/events' };
}

/**
 * Options → Output Time Zone as `Prefer: outlook.timezone` (checked first, so a typo never reaches
 * Graph). Without the option: the workflow's time zone (n8n's, else UTC) — said explicitly, because
 * Graph would answer in UTC, which is rarely what a workflow means.
 */
export async function applyOutputTimeZone(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const zone = (this.getNodeParameter('options', {}) as IDataObject).outputTimeZone;
	if (zone === undefined || zone === '') return withTimeZonePreference(requestOptions, workflowTimeZone(this));
	return withTimeZonePreference(requestOptions, checkedTimeZone(this, zone, 'Output Time Zone').name);
}

/** The workflow's time zone (Workflow Settings, else the instance's GENERIC_TIMEZONE) if Graph knows it, else UTC. */
function workflowTimeZone(ctx: IExecuteSingleFunctions): string {
	const zone = ctx.getTimezone();
	return typeof zone === 'string' && ianaZoneOf(zone) ? zone : 'UTC';
}

export const outputTimeZoneOption: INodeProperties = {
	displayName: 'Output Time Zone',
	name: 'outputTimeZone',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getTimeZones' },
	default: 'UTC',
	description:
		'Time zone of the start and end times in the output. Without this option: the workflow\'s time zone (Workflow Settings → Timezone, else the n8n instance\'s). Choose from the list, or specify a Windows or IANA time zone name using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

/**
 * Calendar (optional, only narrows the event list in the editor) + Event, for the operations that address one
 * event: the request itself always goes to /me/events/{eventId}.
 */
export function eventLocatorFields(show: { resource: string[]; operation: string[] }): INodeProperties[] {
	return [
		calendarLocator(
			show,
			'Only narrows the Event list to one calendar; leave empty to list events of all calendars',
			{ required: false },
		),
		{
			...resourceLocator({
				name: 'eventId',
				displayName: 'Event',
				searchListMethod: 'searchEvents',
				show,
				description: 'The event (from the list, or its ID)',
			}),
			typeOptions: { loadOptionsDependsOn: ['calendarId.value'] },
		},
	];
}

/** Comment of Cancel, Forward and Accept / Tentative / Decline: free text sent along with the action. */
export function eventCommentField(show: IDisplayOptions['show'], description: string): INodeProperties {
	return {
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description,
		displayOptions: { show },
	};
}
