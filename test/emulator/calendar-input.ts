/**
 * Validation of calendar and event request bodies, with the error codes and wording Graph uses:
 * OData deserialization errors (`RequestBodyRead`) for unknown properties, wrong JSON types and bad enum
 * values; Exchange codes for calendar rules (time zones, end before start, recipients).
 */
import {
	ATTENDEE_TYPES,
	CALENDAR_COLORS,
	GraphFault,
	IMPORTANCE,
	NEVER,
	ONLINE_MEETING_PROVIDERS,
	SENSITIVITY,
	SHOW_AS,
	type AttendeeRecord,
	type CalendarColor,
	type EventRecord,
	type LocationRecord,
} from './calendar-model';
import { findWindowsZone, parseDateTimeInZone, toIana } from './timezones';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function literal(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

function cannotConvert(value: unknown, type: string): GraphFault {
	return new GraphFault(
		400,
		'RequestBodyRead',
		`Cannot convert the literal '${literal(value)}' to the expected type '${type}'.`,
	);
}

export function requireObjectBody(body: unknown): Json {
	if (!isObject(body)) {
		throw new GraphFault(400, 'BadRequest', 'Empty Payload. JSON content expected.');
	}
	return body;
}

/** Graph rejects properties its type does not declare (instance annotations like `@odata.type` are fine). */
function rejectUnknownProperties(body: Json, known: ReadonlySet<string>, type: string): void {
	for (const key of Object.keys(body)) {
		if (key.startsWith('@') || known.has(key)) continue;
		const message =
			`The property '${key}' does not exist on type '${type}'. ` +
			'Make sure to only use property names that are defined by the type or mark the type as open type.';
		throw new GraphFault(400, 'RequestBodyRead', message);
	}
}

/** Graph's enum parsing is case-insensitive; the canonical spelling is stored. */
export function parseEnum<T extends string>(value: unknown, allowed: readonly T[], type: string): T {
	if (typeof value === 'string') {
		const found = allowed.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
		if (found) return found;
	}
	throw cannotConvert(value, type);
}

function parseBoolean(value: unknown): boolean {
	if (typeof value !== 'boolean') throw cannotConvert(value, 'Edm.Boolean');
	return value;
}

function parseInteger(value: unknown): number {
	if (typeof value !== 'number' || !Number.isInteger(value)) throw cannotConvert(value, 'Edm.Int32');
	return value;
}

function parseString(value: unknown): string {
	if (value === null) return '';
	if (typeof value !== 'string') throw cannotConvert(value, 'Edm.String');
	return value;
}

function parseStringArray(value: unknown): string[] {
	if (!Array.isArray(value)) throw cannotConvert(value, 'Collection(Edm.String)');
	return value.map(parseString);
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones and dateTimeTimeZone

export function timeZoneNotSupported(zone: unknown): GraphFault {
	const shown = typeof zone === 'string' ? zone : '';
	return new GraphFault(
		400,
		'TimeZoneNotSupportedException',
		`A valid TimeZone value must be specified. The following TimeZone value is not supported: '${shown}'.`,
	);
}

export interface DateTimeInput {
	ms: number;
	/** The zone as the client named it (Windows names in canonical spelling). */
	timeZone: string;
}

export function parseDateTimeTimeZone(value: unknown, property: string): DateTimeInput {
	if (!isObject(value)) throw cannotConvert(value, 'microsoft.graph.dateTimeTimeZone');
	const { dateTime, timeZone } = value;
	if (typeof timeZone !== 'string' || toIana(timeZone) === undefined) throw timeZoneNotSupported(timeZone);
	if (typeof dateTime !== 'string') {
		throw new GraphFault(400, 'ErrorInvalidRequest', `The '${property}' property requires a 'dateTime' value.`);
	}
	const ms = parseDateTimeInZone(dateTime, timeZone);
	if (ms === undefined) {
		throw new GraphFault(
			400,
			'ErrorInvalidRequest',
			`The value '${dateTime}' of the '${property}' property is not a valid date and time.`,
		);
	}
	return { ms, timeZone: findWindowsZone(timeZone)?.alias ?? timeZone };
}

export function endBeforeStart(): GraphFault {
	return new GraphFault(400, 'ErrorCalendarEndDateIsEarlierThanStartDate', 'EndDate is earlier than StartDate');
}

// ---------------------------------------------------------------------------------------------------------------
// Calendars

const CALENDAR_PROPERTIES = new Set([
	'id',
	'name',
	'color',
	'hexColor',
	'changeKey',
	'canEdit',
	'canShare',
	'canViewPrivateItems',
	'isDefaultCalendar',
	'isRemovable',
	'isTallyingResponses',
	'owner',
	'allowedOnlineMeetingProviders',
	'defaultOnlineMeetingProvider',
	'calendarPermissions',
	'calendarView',
	'events',
	'multiValueExtendedProperties',
	'singleValueExtendedProperties',
]);

export interface CalendarInput {
	name?: string;
	color?: CalendarColor;
	isDefaultCalendar?: boolean;
}

export function parseCalendarInput(raw: unknown, creating: boolean): CalendarInput {
	const body = requireObjectBody(raw);
	rejectUnknownProperties(body, CALENDAR_PROPERTIES, 'microsoft.graph.calendar');
	const input: CalendarInput = {};
	if (body.name !== undefined) input.name = parseString(body.name).trim();
	if (body.color !== undefined) input.color = parseEnum(body.color, CALENDAR_COLORS, 'microsoft.graph.calendarColor');
	if (body.isDefaultCalendar !== undefined) input.isDefaultCalendar = parseBoolean(body.isDefaultCalendar);
	if ((creating || body.name !== undefined) && !input.name) {
		throw new GraphFault(400, 'ErrorInvalidRequest', "The calendar's name must not be empty.");
	}
	return input;
}

// ---------------------------------------------------------------------------------------------------------------
// Events

/** Writable properties we model. */
const EVENT_WRITABLE = [
	'subject',
	'body',
	'start',
	'end',
	'isAllDay',
	'showAs',
	'sensitivity',
	'importance',
	'categories',
	'location',
	'locations',
	'attendees',
	'reminderMinutesBeforeStart',
	'isReminderOn',
	'responseRequested',
	'isOnlineMeeting',
	'onlineMeetingProvider',
	'allowNewTimeProposals',
	'hideAttendees',
	'recurrence',
	'transactionId',
];
/** Declared by microsoft.graph.event but read-only or not modelled: accepted and ignored. */
const EVENT_IGNORED = [
	'id',
	'createdDateTime',
	'lastModifiedDateTime',
	'changeKey',
	'iCalUId',
	'bodyPreview',
	'hasAttachments',
	'isCancelled',
	'isDraft',
	'isOrganizer',
	'organizer',
	'originalStart',
	'originalStartTimeZone',
	'originalEndTimeZone',
	'onlineMeeting',
	'onlineMeetingUrl',
	'responseStatus',
	'seriesMasterId',
	'type',
	'webLink',
	'attachments',
	'calendar',
	'extensions',
	'instances',
	'exceptionOccurrences',
	'cancelledOccurrences',
	'multiValueExtendedProperties',
	'singleValueExtendedProperties',
];
const EVENT_PROPERTIES = new Set([...EVENT_WRITABLE, ...EVENT_IGNORED]);

export interface EventInput {
	subject?: string;
	body?: EventRecord['body'];
	start?: DateTimeInput;
	end?: DateTimeInput;
	isAllDay?: boolean;
	showAs?: EventRecord['showAs'];
	sensitivity?: EventRecord['sensitivity'];
	importance?: EventRecord['importance'];
	categories?: string[];
	location?: LocationRecord;
	locations?: LocationRecord[];
	attendees?: AttendeeRecord[];
	reminderMinutesBeforeStart?: number;
	isReminderOn?: boolean;
	responseRequested?: boolean;
	isOnlineMeeting?: boolean;
	onlineMeetingProvider?: string;
	allowNewTimeProposals?: boolean;
	hideAttendees?: boolean;
	recurrence?: unknown;
	transactionId?: string | null;
}

export const EMPTY_LOCATION: LocationRecord = Object.freeze({
	displayName: '',
	locationType: 'default',
	uniqueIdType: 'unknown',
	address: {},
	coordinates: {},
}) as LocationRecord;

function parseLocation(value: unknown): LocationRecord {
	if (value === null) return { ...EMPTY_LOCATION };
	if (!isObject(value)) throw cannotConvert(value, 'microsoft.graph.location');
	const displayName = parseString(value.displayName ?? '');
	const location: LocationRecord = {
		displayName,
		locationType: typeof value.locationType === 'string' ? value.locationType : 'default',
		uniqueId: typeof value.uniqueId === 'string' ? value.uniqueId : displayName,
		uniqueIdType: typeof value.uniqueIdType === 'string' ? value.uniqueIdType : 'private',
	};
	if (value.address !== undefined) location.address = value.address;
	if (value.coordinates !== undefined) location.coordinates = value.coordinates;
	if (typeof value.locationEmailAddress === 'string') location.locationEmailAddress = value.locationEmailAddress;
	if (typeof value.locationUri === 'string') location.locationUri = value.locationUri;
	if (displayName === '') return { ...EMPTY_LOCATION };
	return location;
}

/** Deliberately simple: one `@`, no spaces or characters SMTP forbids unquoted. */
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function isValidEmail(address: string): boolean {
	return EMAIL.test(address);
}

function invalidRecipient(address: string): GraphFault {
	return new GraphFault(
		400,
		'ErrorInvalidRecipients',
		`At least one recipient isn't valid. The address '${address}' isn't a valid SMTP address.`,
	);
}

function parseAttendee(value: unknown): AttendeeRecord {
	if (!isObject(value)) throw cannotConvert(value, 'microsoft.graph.attendee');
	const email = value.emailAddress;
	if (!isObject(email) || typeof email.address !== 'string') throw invalidRecipient(literal(email));
	const address = email.address.trim();
	if (!isValidEmail(address)) throw invalidRecipient(address);
	const type = value.type === undefined ? 'required' : parseEnum(value.type, ATTENDEE_TYPES, 'microsoft.graph.attendeeType');
	const name = typeof email.name === 'string' && email.name !== '' ? email.name : address;
	return { type, status: { response: 'none', time: NEVER }, emailAddress: { name, address } };
}

function parseBody(value: unknown): EventRecord['body'] {
	if (value === null) return { contentType: 'html', content: '' };
	if (!isObject(value)) throw cannotConvert(value, 'microsoft.graph.itemBody');
	const contentType =
		value.contentType === undefined ? 'text' : parseEnum(value.contentType, ['text', 'html'] as const, 'microsoft.graph.bodyType');
	return { contentType, content: parseString(value.content ?? '') };
}

/** Parses and validates an event body. On create, start and end are required. */
export function parseEventInput(raw: unknown, creating: boolean): EventInput {
	const body = requireObjectBody(raw);
	rejectUnknownProperties(body, EVENT_PROPERTIES, 'microsoft.graph.event');
	const input: EventInput = {};
	if (body.subject !== undefined) input.subject = parseString(body.subject);
	if (body.body !== undefined) input.body = parseBody(body.body);
	if (body.start !== undefined) input.start = parseDateTimeTimeZone(body.start, 'start');
	if (body.end !== undefined) input.end = parseDateTimeTimeZone(body.end, 'end');
	if (creating && (!input.start || !input.end)) {
		throw new GraphFault(400, 'ErrorInvalidRequest', 'An event must have both a start and an end time.');
	}
	if (body.isAllDay !== undefined) input.isAllDay = parseBoolean(body.isAllDay);
	if (body.showAs !== undefined) input.showAs = parseEnum(body.showAs, SHOW_AS, 'microsoft.graph.freeBusyStatus');
	if (body.sensitivity !== undefined) {
		input.sensitivity = parseEnum(body.sensitivity, SENSITIVITY, 'microsoft.graph.sensitivity');
	}
	if (body.importance !== undefined) input.importance = parseEnum(body.importance, IMPORTANCE, 'microsoft.graph.importance');
	if (body.categories !== undefined) input.categories = parseStringArray(body.categories);
	if (body.location !== undefined) input.location = parseLocation(body.location);
	if (body.locations !== undefined) {
		if (!Array.isArray(body.locations)) throw cannotConvert(body.locations, 'Collection(microsoft.graph.location)');
		input.locations = body.locations.map(parseLocation).filter((location) => location.displayName !== '');
	}
	if (body.attendees !== undefined) {
		if (!Array.isArray(body.attendees)) throw cannotConvert(body.attendees, 'Collection(microsoft.graph.attendee)');
		input.attendees = body.attendees.map(parseAttendee);
	}
	if (body.reminderMinutesBeforeStart !== undefined) {
		input.reminderMinutesBeforeStart = parseInteger(body.reminderMinutesBeforeStart);
	}
	if (body.isReminderOn !== undefined) input.isReminderOn = parseBoolean(body.isReminderOn);
	if (body.responseRequested !== undefined) input.responseRequested = parseBoolean(body.responseRequested);
	if (body.isOnlineMeeting !== undefined) input.isOnlineMeeting = parseBoolean(body.isOnlineMeeting);
	if (body.onlineMeetingProvider !== undefined) {
		input.onlineMeetingProvider = parseEnum(
			body.onlineMeetingProvider,
			ONLINE_MEETING_PROVIDERS,
			'microsoft.graph.onlineMeetingProviderType',
		);
	}
	if (body.allowNewTimeProposals !== undefined) input.allowNewTimeProposals = parseBoolean(body.allowNewTimeProposals);
	if (body.hideAttendees !== undefined) input.hideAttendees = parseBoolean(body.hideAttendees);
	if (body.recurrence !== undefined) {
		if (body.recurrence !== null && !isObject(body.recurrence)) {
			throw cannotConvert(body.recurrence, 'microsoft.graph.patternedRecurrence');
		}
		input.recurrence = body.recurrence;
	}
	if (body.transactionId !== undefined) input.transactionId = body.transactionId === null ? null : parseString(body.transactionId);
	return input;
}
