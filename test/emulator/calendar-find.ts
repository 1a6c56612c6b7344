/**
 * `POST /findMeetingTimes` (graph-ops-facts row 24, user-findmeetingtimes.md): candidate slots every 30 minutes in
 * the time constraint's slots and activity domain, judged by the free/busy of the organizer, the attendees and the
 * requested rooms.
 *
 * Documented rules implemented here: an attendee's chance of attendance is 100 when free, 49 when unknown, 0 when
 * busy; a suggestion's confidence is the average over the attendees; suggestions below minimumAttendeePercentage
 * (default 50) are dropped; order is confidence high to low, then time; meetingDuration defaults to PT30M;
 * activityDomain defaults to work (Mon-Fri 08:00-17:00 in the mailbox's zone, UTC here), personal adds Saturday and
 * Sunday, unrestricted is every hour; with no suggestion, emptySuggestionsReason says why.
 * Not documented, chosen here: tentative and workingElsewhere count as free, oof as busy; the organizer's status
 * decides only whether a slot is possible (isOrganizerOptional false), it is not part of the confidence (the docs'
 * example shows organizerAvailability "tentative" with confidence 100); no timeConstraint.timeSlots means the next
 * two days from now; maxCandidates has no documented default (all candidates are returned).
 */
import { Duration } from 'luxon';
import {
	GRAPH_V1,
	GraphFault,
	calendarState,
	dateTimeTimeZone,
	defaultCalendar,
	mailboxUser,
	preferenceHeaders,
	readPreferences,
	type EventRecord,
} from './calendar-model';
import { findUserByAddress } from './calendar-events';
import { isValidEmail, parseDateTimeTimeZone, requireObjectBody } from './calendar-input';
import { expandedEvents } from './calendar-recurrence';
import { findRoom } from './places';
import type { EmulatorCore, EmulatorUser, GraphRequest, Handler, Reply } from './types';

type Json = Record<string, unknown>;
type Availability = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const STEP_MS = 30 * MINUTE_MS;
const WORK_START_HOUR = 8;
const WORK_END_HOUR = 17;

const RANK: Record<Availability, number> = { free: 0, workingElsewhere: 1, tentative: 2, unknown: 3, busy: 4, oof: 5 };
const CHANCE: Record<Availability, number> = { free: 100, workingElsewhere: 100, tentative: 100, unknown: 49, busy: 0, oof: 0 };

interface Attendee {
	type: 'required' | 'optional' | 'resource';
	address: string;
	name?: string;
}

interface LocationRequest {
	displayName: string;
	locationEmailAddress?: string;
	resolveAvailability: boolean;
}

interface FindRequest {
	attendees: Attendee[];
	isOrganizerOptional: boolean;
	durationMs: number;
	maxCandidates?: number;
	minimumAttendeePercentage: number;
	returnSuggestionReasons: boolean;
	activityDomain: 'work' | 'personal' | 'unrestricted';
	slots: Array<{ startMs: number; endMs: number }>;
	locations: LocationRequest[];
	locationRequired: boolean;
}

function cannotConvert(value: unknown, type: string): GraphFault {
	const literal = typeof value === 'string' ? value : JSON.stringify(value);
	return new GraphFault(400, 'RequestBodyRead', `Cannot convert the literal '${literal}' to the expected type '${type}'.`);
}

/** The docs' own example sends booleans and numbers as strings ("false", "100"): Graph reads both. */
function booleanOf(value: unknown, fallback: boolean): boolean {
	if (value === undefined || value === null) return fallback;
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw cannotConvert(value, 'Edm.Boolean');
}

function numberOf(value: unknown, type: string): number | undefined {
	if (value === undefined || value === null) return undefined;
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) throw cannotConvert(value, type);
	return number;
}

function parseAttendees(value: unknown): Attendee[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw cannotConvert(value, 'Collection(microsoft.graph.attendeeBase)');
	return value.map((entry: Json) => {
		const email = (entry?.emailAddress ?? {}) as Json;
		const address = typeof email.address === 'string' ? email.address.trim() : '';
		if (!isValidEmail(address)) {
			throw new GraphFault(400, 'ErrorInvalidRecipients', `At least one recipient isn't valid. The address '${address}' isn't a valid SMTP address.`);
		}
		const type = String(entry.type ?? 'required').toLowerCase();
		if (!['required', 'optional', 'resource'].includes(type)) throw cannotConvert(entry.type, 'microsoft.graph.attendeeType');
		return { type: type as Attendee['type'], address, name: typeof email.name === 'string' ? email.name : undefined };
	});
}

function parseDuration(value: unknown): number {
	if (value === undefined || value === null) return 30 * MINUTE_MS;
	const duration = typeof value === 'string' ? Duration.fromISO(value) : undefined;
	if (!duration?.isValid || duration.toMillis() <= 0) throw cannotConvert(value, 'Edm.Duration');
	return duration.toMillis();
}

function parseTimeConstraint(core: EmulatorCore, value: unknown): Pick<FindRequest, 'activityDomain' | 'slots'> {
	const constraint = (value ?? {}) as Json;
	if (typeof constraint !== 'object' || Array.isArray(constraint)) throw cannotConvert(value, 'microsoft.graph.timeConstraint');
	const domain = String(constraint.activityDomain ?? 'work').toLowerCase();
	if (!['work', 'personal', 'unrestricted', 'unknown'].includes(domain)) throw cannotConvert(constraint.activityDomain, 'microsoft.graph.activityDomain');
	const activityDomain = (domain === 'unknown' ? 'work' : domain) as FindRequest['activityDomain'];
	const rawSlots = constraint.timeSlots;
	if (rawSlots !== undefined && rawSlots !== null && !Array.isArray(rawSlots)) throw cannotConvert(rawSlots, 'Collection(microsoft.graph.timeSlot)');
	const slots = ((rawSlots as Json[] | undefined) ?? []).map((slot) => {
		const start = parseDateTimeTimeZone(slot?.start, 'start');
		const end = parseDateTimeTimeZone(slot?.end, 'end');
		if (end.ms <= start.ms) {
			throw new GraphFault(400, 'ErrorInvalidTimeInterval', 'The specified time interval is invalid. The start time must be earlier than the end time.');
		}
		return { startMs: start.ms, endMs: end.ms };
	});
	if (slots.length === 0) slots.push({ startMs: core.now(), endMs: core.now() + 2 * DAY_MS });
	return { activityDomain, slots };
}

function parseLocationConstraint(value: unknown): Pick<FindRequest, 'locations' | 'locationRequired'> {
	if (value === undefined || value === null) return { locations: [], locationRequired: false };
	if (typeof value !== 'object' || Array.isArray(value)) throw cannotConvert(value, 'microsoft.graph.locationConstraint');
	const constraint = value as Json;
	const raw = constraint.locations ?? [];
	if (!Array.isArray(raw)) throw cannotConvert(raw, 'Collection(microsoft.graph.locationConstraintItem)');
	const locations = raw.map((entry: Json) => ({
		displayName: String(entry?.displayName ?? ''),
		locationEmailAddress: typeof entry?.locationEmailAddress === 'string' ? entry.locationEmailAddress : undefined,
		resolveAvailability: booleanOf(entry?.resolveAvailability, true),
	}));
	return { locations, locationRequired: booleanOf(constraint.isRequired, false) };
}

export function parseFindRequest(core: EmulatorCore, raw: unknown): FindRequest {
	const body = raw === undefined || raw === null || raw === '' ? {} : requireObjectBody(raw);
	const maxCandidates = numberOf(body.maxCandidates, 'Edm.Int32');
	if (maxCandidates !== undefined && (!Number.isInteger(maxCandidates) || maxCandidates < 0)) throw cannotConvert(body.maxCandidates, 'Edm.Int32');
	const minimum = numberOf(body.minimumAttendeePercentage, 'Edm.Double') ?? 50;
	if (minimum < 0 || minimum > 100) throw cannotConvert(body.minimumAttendeePercentage, 'Edm.Double');
	return {
		attendees: parseAttendees(body.attendees),
		isOrganizerOptional: booleanOf(body.isOrganizerOptional, false),
		durationMs: parseDuration(body.meetingDuration),
		maxCandidates,
		minimumAttendeePercentage: minimum,
		returnSuggestionReasons: booleanOf(body.returnSuggestionReasons, false),
		...parseTimeConstraint(core, body.timeConstraint),
		...parseLocationConstraint(body.locationConstraint),
	};
}

function worst(statuses: Availability[]): Availability {
	return statuses.reduce<Availability>((result, status) => (RANK[status] > RANK[result] ? status : result), 'free');
}

function statusOfEvents(events: EventRecord[]): Availability {
	return worst(events.filter((event) => !event.isCancelled && event.showAs !== 'free').map((event) => event.showAs as Availability));
}

/** Free/busy of a mailbox (its default calendar, recurrences expanded), a room (meetings inviting it), else unknown. */
function availabilityOf(core: EmulatorCore, address: string, startMs: number, endMs: number): Availability {
	const user = findUserByAddress(core, address);
	if (user) {
		const state = calendarState(core, user.id);
		return statusOfEvents(expandedEvents(state, defaultCalendar(state), startMs, endMs));
	}
	if (!findRoom(address)) return 'unknown';
	const booked: EventRecord[] = [];
	for (const owner of core.users.values()) {
		const state = calendarState(core, owner.id);
		for (const event of expandedEvents(state, undefined, startMs, endMs)) {
			const invitesRoom = event.attendees.some((attendee) => attendee.emailAddress.address.toLowerCase() === address.toLowerCase());
			if (event.isOrganizer && invitesRoom) booked.push({ ...event, showAs: 'busy' });
		}
	}
	return statusOfEvents(booked);
}

/** Whether [startMs, startMs + duration) lies inside the activity domain's hours (UTC working hours here). */
function withinHours(startMs: number, durationMs: number, domain: FindRequest['activityDomain']): boolean {
	if (domain === 'unrestricted') return true;
	const start = new Date(startMs);
	const dayStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
	const weekday = start.getUTCDay();
	if (domain === 'work' && (weekday === 0 || weekday === 6)) return false;
	return startMs >= dayStart + WORK_START_HOUR * 60 * MINUTE_MS && startMs + durationMs <= dayStart + WORK_END_HOUR * 60 * MINUTE_MS;
}

type Rejection = 'organizer' | 'locations' | 'attendees' | 'attendeesUnknown';

const EMPTY_REASON: Record<Rejection, string> = {
	organizer: 'organizerUnavailable',
	locations: 'locationsUnavailable',
	attendees: 'attendeesUnavailable',
	attendeesUnknown: 'attendeesUnavailableOrUnknown',
};

export function findMeetingTimes(core: EmulatorCore, organizer: EmulatorUser, request: FindRequest, zone: string): Json {
	const suggestions: Array<Json & { confidence: number; startMs: number }> = [];
	const rejections = new Set<Rejection>();
	for (const slot of request.slots) {
		const first = Math.ceil(slot.startMs / STEP_MS) * STEP_MS;
		for (let startMs = first; startMs + request.durationMs <= slot.endMs; startMs += STEP_MS) {
			if (!withinHours(startMs, request.durationMs, request.activityDomain)) continue;
			const endMs = startMs + request.durationMs;
			const organizerAvailability = availabilityOf(core, organizer.mail, startMs, endMs);
			if (!request.isOrganizerOptional && CHANCE[organizerAvailability] === 0) {
				rejections.add('organizer');
				continue;
			}
			const attendeeAvailability = request.attendees.map((attendee) => ({
				attendee: { type: attendee.type, emailAddress: { address: attendee.address, ...(attendee.name ? { name: attendee.name } : {}) } },
				availability: availabilityOf(core, attendee.address, startMs, endMs),
			}));
			const chances = attendeeAvailability.map((entry) => CHANCE[entry.availability]);
			const confidence = chances.length === 0 ? 100 : chances.reduce((sum, chance) => sum + chance, 0) / chances.length;
			if (confidence < request.minimumAttendeePercentage) {
				rejections.add(attendeeAvailability.some((entry) => entry.availability === 'unknown') ? 'attendeesUnknown' : 'attendees');
				continue;
			}
			const locations = request.locations
				.filter((location) => !location.resolveAvailability || !location.locationEmailAddress || CHANCE[availabilityOf(core, location.locationEmailAddress, startMs, endMs)] === 100)
				.map((location) => ({ displayName: location.displayName, ...(location.locationEmailAddress ? { locationEmailAddress: location.locationEmailAddress } : {}) }));
			if (request.locationRequired && request.locations.length > 0 && locations.length === 0) {
				rejections.add('locations');
				continue;
			}
			suggestions.push({
				startMs,
				confidence: Math.round(confidence * 100) / 100,
				organizerAvailability,
				...(request.returnSuggestionReasons ? { suggestionReason: suggestionReason(confidence) } : {}),
				attendeeAvailability,
				locations,
				meetingTimeSlot: { start: dateTimeTimeZone(startMs, zone), end: dateTimeTimeZone(endMs, zone) },
			});
		}
	}
	suggestions.sort((a, b) => b.confidence - a.confidence || a.startMs - b.startMs);
	const chosen = suggestions.slice(0, request.maxCandidates ?? suggestions.length);
	const meetingTimeSuggestions = chosen.map(({ startMs: _startMs, ...suggestion }, index) => ({ ...suggestion, order: index + 1 }));
	return {
		'@odata.context': `${GRAPH_V1}/$metadata#microsoft.graph.meetingTimeSuggestionsResult`,
		emptySuggestionsReason: meetingTimeSuggestions.length > 0 ? '' : emptyReason(rejections),
		meetingTimeSuggestions,
	};
}

/** The one reason every candidate failed on; several different reasons (or no candidate at all) are `unknown`. */
function emptyReason(rejections: Set<Rejection>): string {
	if (rejections.size !== 1) return 'unknown';
	return EMPTY_REASON[[...rejections][0]];
}

function suggestionReason(confidence: number): string {
	return confidence >= 100
		? 'Suggested because it is one of the nearest times when all attendees are available.'
		: 'Suggested because it is one of the nearest times when most attendees are available.';
}

function handleFind(core: EmulatorCore, req: GraphRequest): Reply {
	if (req.token?.appOnly) {
		// The docs: application permissions are "Not supported". The answer's exact code is not documented;
		// Graph's usual refusal of a call the token cannot make is used.
		throw new GraphFault(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
	}
	const organizer = mailboxUser(req);
	const request = parseFindRequest(core, req.body);
	const prefs = readPreferences(req);
	return { status: 200, headers: preferenceHeaders(prefs), body: findMeetingTimes(core, organizer, request, prefs.timeZone ?? 'UTC') };
}

export function registerFindMeetingTimes(core: EmulatorCore, route: (method: string, pattern: string, handler: Handler) => void): void {
	route('POST', '/findMeetingTimes', (req) => handleFind(core, req));
}
