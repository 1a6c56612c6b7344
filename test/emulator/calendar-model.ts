/**
 * Calendar module state and the Graph JSON shapes it renders: calendars and events per mailbox,
 * the Prefer headers Outlook honours, and a small error type handlers throw and the module turns into
 * Graph's error envelope.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorCore, EmulatorUser, GraphRequest } from './types';
import { findWindowsZone, formatDateTimeInZone, toIana } from './timezones';

export const MODULE = 'calendar';
export const GRAPH_V1 = 'https://graph.microsoft.com/v1.0';
/** Graph's placeholder for "never" in responseStatus.time. */
export const NEVER = '0001-01-01T00:00:00Z';

export const CALENDAR_COLORS = [
	'auto',
	'lightBlue',
	'lightGreen',
	'lightOrange',
	'lightGray',
	'lightYellow',
	'lightTeal',
	'lightPink',
	'lightBrown',
	'lightRed',
	'maxColor',
] as const;
export type CalendarColor = (typeof CALENDAR_COLORS)[number];

export const SHOW_AS = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'] as const;
export const SENSITIVITY = ['normal', 'personal', 'private', 'confidential'] as const;
export const IMPORTANCE = ['low', 'normal', 'high'] as const;
export const ATTENDEE_TYPES = ['required', 'optional', 'resource'] as const;
export const ONLINE_MEETING_PROVIDERS = ['unknown', 'skypeForBusiness', 'skypeForConsumer', 'teamsForBusiness'] as const;

export interface EmailAddress {
	name: string;
	address: string;
}

export interface CalendarRecord {
	id: string;
	name: string;
	color: CalendarColor;
	changeKey: string;
	isDefaultCalendar: boolean;
	isRemovable: boolean;
}

export interface LocationRecord {
	displayName: string;
	locationType: string;
	uniqueId?: string;
	uniqueIdType: string;
	address?: unknown;
	coordinates?: unknown;
	locationEmailAddress?: string;
	locationUri?: string;
}

export interface AttendeeRecord {
	type: (typeof ATTENDEE_TYPES)[number];
	status: { response: string; time: string };
	emailAddress: EmailAddress;
}

export interface EventRecord {
	id: string;
	calendarId: string;
	createdMs: number;
	lastModifiedMs: number;
	changeKey: string;
	/** Shared by the organizer's event and the attendees' copies. */
	iCalUId: string;
	transactionId: string | null;
	subject: string;
	body: { contentType: 'html' | 'text'; content: string };
	startMs: number;
	endMs: number;
	originalStartTimeZone: string;
	originalEndTimeZone: string;
	isAllDay: boolean;
	showAs: (typeof SHOW_AS)[number];
	sensitivity: (typeof SENSITIVITY)[number];
	importance: (typeof IMPORTANCE)[number];
	categories: string[];
	location: LocationRecord;
	locations: LocationRecord[];
	attendees: AttendeeRecord[];
	organizer: EmailAddress;
	isOrganizer: boolean;
	responseStatus: { response: string; time: string };
	reminderMinutesBeforeStart: number;
	isReminderOn: boolean;
	responseRequested: boolean;
	isCancelled: boolean;
	isOnlineMeeting: boolean;
	onlineMeetingProvider: string;
	allowNewTimeProposals: boolean;
	hideAttendees: boolean;
	recurrence: unknown;
	/** Occurrences and exceptions of a series (calendar-recurrence.ts). */
	seriesMasterId?: string;
	originalStartMs?: number;
	isException?: boolean;
	/** On a series master: original starts of deleted occurrences. */
	cancelledOccurrences?: number[];
	/** Set by snoozeReminder (the next reminder time); dismissReminder turns the reminder off. */
	reminderSnoozedUntilMs?: number;
}

export interface CalendarState {
	calendars: CalendarRecord[];
	/** Insertion order is the listing order. */
	events: Map<string, EventRecord>;
}

/** Thrown by handlers; the module answers it with `core.graphError`. */
export class GraphFault extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

export function itemNotFound(): GraphFault {
	return new GraphFault(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

export function newChangeKey(): string {
	return randomBytes(16).toString('base64');
}

/** Outlook iCalUIds are hex: a fixed Outlook prefix followed by a random part. */
export function newICalUId(): string {
	return `040000008200E00074C5B7101A82E00800000000${randomBytes(36).toString('hex').toUpperCase()}`;
}

export function newCalendarRecord(core: EmulatorCore, name: string, isDefault: boolean): CalendarRecord {
	return {
		id: core.newId('AAMkAGCal'),
		name,
		color: 'auto',
		changeKey: newChangeKey(),
		isDefaultCalendar: isDefault,
		isRemovable: !isDefault,
	};
}

/** Per-mailbox state; every mailbox starts with its default calendar "Calendar". */
export function calendarState(core: EmulatorCore, userId: string): CalendarState {
	return core.moduleState<CalendarState>(userId, MODULE, () => ({
		calendars: [newCalendarRecord(core, 'Calendar', true)],
		events: new Map(),
	}));
}

export function defaultCalendar(state: CalendarState): CalendarRecord {
	const found = state.calendars.find((calendar) => calendar.isDefaultCalendar);
	if (found) return found;
	// Cannot happen through the API (the default calendar cannot be deleted), but keep the invariant.
	state.calendars[0].isDefaultCalendar = true;
	return state.calendars[0];
}

export function findCalendar(state: CalendarState, id: string): CalendarRecord {
	const found = state.calendars.find((calendar) => calendar.id === id);
	if (!found) throw itemNotFound();
	return found;
}

export function mailboxUser(req: GraphRequest): EmulatorUser {
	if (!req.mailbox) throw new GraphFault(500, 'generalException', 'Mailbox route without a mailbox.');
	return req.mailbox;
}

export function emailOf(user: EmulatorUser): EmailAddress {
	return { name: user.displayName, address: user.mail };
}

/** The OData context prefix Graph uses for this mailbox: `me` or `users('…')`. */
export function contextOwner(req: GraphRequest): string {
	if (req.mailboxPrefix?.toLowerCase().startsWith('/me')) return 'me';
	return `users('${mailboxUser(req).id}')`;
}

// ---------------------------------------------------------------------------------------------------------------
// Prefer headers

export interface Preferences {
	/** Zone named by `outlook.timezone`, when Graph knows it. */
	timeZone?: string;
	bodyContentType?: 'html' | 'text';
	/** Value for the `Preference-Applied` header, when anything was applied. */
	applied?: string;
}

function preferValue(header: string, name: string): string | undefined {
	const pattern = new RegExp(`${name.replace('.', '\\.')}\\s*=\\s*(?:"([^"]*)"|([^,;\\s]+))`, 'i');
	const match = pattern.exec(header);
	return match ? (match[1] ?? match[2]) : undefined;
}

export function readPreferences(req: GraphRequest): Preferences {
	const raw = req.headers.prefer;
	const header = Array.isArray(raw) ? raw.join(', ') : (raw ?? '');
	const applied: string[] = [];
	const result: Preferences = {};
	const zone = preferValue(header, 'outlook.timezone');
	if (zone !== undefined && toIana(zone) !== undefined) {
		result.timeZone = zone;
		applied.push(`outlook.timezone="${zone}"`);
	}
	const bodyType = preferValue(header, 'outlook.body-content-type')?.toLowerCase();
	if (bodyType === 'html' || bodyType === 'text') {
		result.bodyContentType = bodyType;
		applied.push(`outlook.body-content-type="${bodyType}"`);
	}
	if (applied.length > 0) result.applied = applied.join(', ');
	return result;
}

export function preferenceHeaders(prefs: Preferences): Record<string, string> {
	return prefs.applied ? { 'Preference-Applied': prefs.applied } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Parses an ISO date-time as Graph reads query parameters: UTC unless the text carries `Z` or an offset. */
export function parseIsoAssumingUtc(text: string): number {
	const trimmed = text.trim();
	return Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(trimmed) ? trimmed : `${trimmed}Z`);
}

/** Graph timestamps carry 7 fractional digits: `2017-04-15T03:00:50.7579581Z`. */
export function graphTimestamp(epochMs: number): string {
	return new Date(epochMs).toISOString().replace('Z', '0000Z');
}

export function dateTimeTimeZone(epochMs: number, zone: string): { dateTime: string; timeZone: string } {
	const formatted = formatDateTimeInZone(epochMs, zone);
	if (formatted === undefined) return { dateTime: formatDateTimeInZone(epochMs, 'UTC') as string, timeZone: 'UTC' };
	// Graph echoes Windows names in their canonical spelling.
	return { dateTime: formatted, timeZone: findWindowsZone(zone)?.alias ?? zone };
}

export function renderCalendar(calendar: CalendarRecord, owner: EmulatorUser): Record<string, unknown> {
	return {
		'@odata.etag': `W/"${calendar.changeKey}"`,
		id: calendar.id,
		name: calendar.name,
		color: calendar.color,
		hexColor: '',
		isDefaultCalendar: calendar.isDefaultCalendar,
		changeKey: calendar.changeKey,
		canShare: true,
		canViewPrivateItems: true,
		canEdit: true,
		allowedOnlineMeetingProviders: ['teamsForBusiness'],
		defaultOnlineMeetingProvider: 'teamsForBusiness',
		isTallyingResponses: true,
		isRemovable: calendar.isRemovable,
		owner: emailOf(owner),
	};
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

export function htmlToText(html: string): string {
	return html
		.replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<\/(p|div|li|tr|h\d)>/gi, '\n')
		.replace(/<[^>]+>/g, '')
		.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, entity: string) => HTML_ENTITIES[entity])
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Outlook stores event bodies as HTML documents and converts on the way out (Prefer: outlook.body-content-type). */
export function renderBody(body: EventRecord['body'], wanted: 'html' | 'text' = 'html'): EventRecord['body'] {
	if (wanted === 'text') {
		return { contentType: 'text', content: body.contentType === 'html' ? htmlToText(body.content) : body.content };
	}
	if (body.contentType === 'html') {
		const content = /<html[\s>]/i.test(body.content)
			? body.content
			: `<html><head></head><body>${body.content}</body></html>`;
		return { contentType: 'html', content };
	}
	const paragraphs = escapeHtml(body.content).replace(/\r?\n/g, '<br>');
	return { contentType: 'html', content: `<html><head></head><body>${paragraphs}</body></html>` };
}

export function bodyPreview(body: EventRecord['body']): string {
	const text = body.contentType === 'html' ? htmlToText(body.content) : body.content;
	return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

export function webLink(id: string): string {
	return `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`;
}

function eventType(event: EventRecord): string {
	if (event.seriesMasterId !== undefined) return event.isException ? 'exception' : 'occurrence';
	return event.recurrence ? 'seriesMaster' : 'singleInstance';
}

/** An event in Graph's shape; start/end in UTC unless the request preferred another zone. */
export function renderEvent(event: EventRecord, prefs: Preferences): Record<string, unknown> {
	const zone = prefs.timeZone ?? 'UTC';
	return {
		'@odata.etag': `W/"${event.changeKey}"`,
		id: event.id,
		createdDateTime: graphTimestamp(event.createdMs),
		lastModifiedDateTime: graphTimestamp(event.lastModifiedMs),
		changeKey: event.changeKey,
		categories: [...event.categories],
		transactionId: event.transactionId,
		originalStartTimeZone: event.originalStartTimeZone,
		originalEndTimeZone: event.originalEndTimeZone,
		iCalUId: event.iCalUId,
		reminderMinutesBeforeStart: event.reminderMinutesBeforeStart,
		isReminderOn: event.isReminderOn,
		hasAttachments: false,
		subject: event.subject,
		bodyPreview: bodyPreview(event.body),
		importance: event.importance,
		sensitivity: event.sensitivity,
		isAllDay: event.isAllDay,
		isCancelled: event.isCancelled,
		isOrganizer: event.isOrganizer,
		responseRequested: event.responseRequested,
		seriesMasterId: event.seriesMasterId ?? null,
		showAs: event.showAs,
		type: eventType(event),
		webLink: webLink(event.id),
		onlineMeetingUrl: null,
		isOnlineMeeting: event.isOnlineMeeting,
		onlineMeetingProvider: event.onlineMeetingProvider,
		allowNewTimeProposals: event.allowNewTimeProposals,
		isDraft: false,
		hideAttendees: event.hideAttendees,
		responseStatus: { ...event.responseStatus },
		body: renderBody(event.body, prefs.bodyContentType),
		start: dateTimeTimeZone(event.startMs, zone),
		end: dateTimeTimeZone(event.endMs, zone),
		location: { ...event.location },
		locations: event.locations.map((location) => ({ ...location })),
		recurrence: event.recurrence ?? null,
		...(event.originalStartMs === undefined
			? {}
			: { originalStart: new Date(event.originalStartMs).toISOString().replace('.000Z', 'Z') }),
		attendees: event.attendees.map((attendee) => ({
			type: attendee.type,
			status: { ...attendee.status },
			emailAddress: { ...attendee.emailAddress },
		})),
		organizer: { emailAddress: { ...event.organizer } },
		onlineMeeting: null,
	};
}
