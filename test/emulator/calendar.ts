/**
 * The calendar module of the Graph emulator: calendars, events (with meeting copies for attendees),
 * cancel, calendarView, getSchedule, supported languages and time zones, default seed data and a bulk-seed
 * control route.
 */
import { listResponse, queryOption, selectFields } from './odata';
import {
	GRAPH_V1,
	GraphFault,
	calendarState,
	contextOwner,
	defaultCalendar,
	findCalendar,
	itemNotFound,
	mailboxUser,
	newCalendarRecord,
	newChangeKey,
	preferenceHeaders,
	readPreferences,
	renderCalendar,
	renderEvent,
	type CalendarRecord,
	type CalendarState,
	type EventRecord,
	type Preferences,
} from './calendar-model';
import { parseCalendarInput, parseEventInput } from './calendar-input';
import { cancelEvent, createEvent, deleteEvent, updateEvent } from './calendar-events';
import { parseScheduleRequest, scheduleInformation } from './calendar-schedule';
import { registerOutlookRoutes } from './calendar-outlook';
import { registerSeeding, seedDefaultCalendar } from './calendar-seed';
import { registerCalendarDelta } from './delta-events';
import { expandedEvents, forgetSeriesParts, materializeOccurrence, viewWindow } from './calendar-recurrence';
import { registerEventActions } from './calendar-actions';
import { registerFindMeetingTimes } from './calendar-find';
import type { EmulatorCore, GraphRequest, Handler, Reply } from './types';

export { seedDefaultCalendar, seedEvents } from './calendar-seed';

/** Events and calendars page like messages. Graph documents no maximum $top for them; 1000 mirrors messages. */
const EVENT_PAGING = { defaultTop: 10, maxTop: 1000 };
const CALENDAR_PAGING = { defaultTop: 10, maxTop: 1000 };

/** Which calendar a route addresses: all of the mailbox, the default one, or one by id. */
type Scope = 'all' | 'default' | 'byId';

export function withFaults(core: EmulatorCore, handler: Handler): Handler {
	return async (req) => {
		try {
			return await handler(req);
		} catch (error) {
			if (error instanceof GraphFault) return core.graphError(error.status, error.code, error.message, req);
			throw error;
		}
	};
}

function scopedCalendar(state: CalendarState, req: GraphRequest, scope: Scope): CalendarRecord | undefined {
	if (scope === 'default') return defaultCalendar(state);
	if (scope === 'byId') return findCalendar(state, req.params.calendarId);
	return undefined;
}

function eventsContext(req: GraphRequest, scope: Scope): string {
	const owner = contextOwner(req);
	if (scope === 'default') return `${GRAPH_V1}/$metadata#${owner}/calendar/events`;
	if (scope === 'byId') return `${GRAPH_V1}/$metadata#${owner}/calendars('${req.params.calendarId}')/events`;
	return `${GRAPH_V1}/$metadata#${owner}/events`;
}

function entityReply(status: number, context: string, entity: Record<string, unknown>, headers?: Record<string, string>): Reply {
	return { status, headers, body: { '@odata.context': context, ...entity } };
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
	return { ...reply, headers: { ...reply.headers, ...headers } };
}

// ---------------------------------------------------------------------------------------------------------------
// Calendars

function registerCalendarRoutes(core: EmulatorCore, route: (method: string, pattern: string, handler: Handler) => void): void {
	const calendarContext = (req: GraphRequest, path: string) => `${GRAPH_V1}/$metadata#${contextOwner(req)}/${path}`;

	route('GET', '/calendars', (req) => {
		const user = mailboxUser(req);
		const items = calendarState(core, user.id).calendars.map((calendar) => renderCalendar(calendar, user));
		return listResponse(core, req, items, { ...CALENDAR_PAGING, contextUrl: calendarContext(req, 'calendars') });
	});

	route('POST', '/calendars', (req) => {
		const user = mailboxUser(req);
		const state = calendarState(core, user.id);
		const input = parseCalendarInput(req.body, true);
		const name = input.name as string;
		rejectDuplicateName(state, name);
		const calendar = newCalendarRecord(core, name, false);
		if (input.color) calendar.color = input.color;
		state.calendars.push(calendar);
		if (input.isDefaultCalendar) makeDefault(state, calendar);
		const entity = {
			'@odata.id': `${GRAPH_V1}/users('${user.id}')/calendars('${calendar.id}')`,
			...renderCalendar(calendar, user),
		};
		return entityReply(201, calendarContext(req, 'calendars/$entity'), entity);
	});

	const getCalendar = (scope: Scope) => (req: GraphRequest) => {
		const user = mailboxUser(req);
		const calendar = scopedCalendar(calendarState(core, user.id), req, scope) as CalendarRecord;
		const context = calendarContext(req, scope === 'default' ? 'calendar/$entity' : 'calendars/$entity');
		return entityReply(200, context, selectFields(renderCalendar(calendar, user), queryOption(req.query, '$select')));
	};
	const patchCalendar = (scope: Scope) => (req: GraphRequest) => {
		const user = mailboxUser(req);
		const state = calendarState(core, user.id);
		const calendar = scopedCalendar(state, req, scope) as CalendarRecord;
		const input = parseCalendarInput(req.body, false);
		if (input.name !== undefined && input.name.toLowerCase() !== calendar.name.toLowerCase()) {
			rejectDuplicateName(state, input.name);
		}
		if (input.name !== undefined) calendar.name = input.name;
		if (input.color !== undefined) calendar.color = input.color;
		if (input.isDefaultCalendar) makeDefault(state, calendar);
		calendar.changeKey = newChangeKey();
		const context = calendarContext(req, scope === 'default' ? 'calendar/$entity' : 'calendars/$entity');
		return entityReply(200, context, renderCalendar(calendar, user));
	};
	const deleteCalendar = (scope: Scope) => (req: GraphRequest) => {
		const user = mailboxUser(req);
		const state = calendarState(core, user.id);
		const calendar = scopedCalendar(state, req, scope) as CalendarRecord;
		if (calendar.isDefaultCalendar) {
			throw new GraphFault(400, 'ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted.');
		}
		for (const event of [...state.events.values()]) {
			if (event.calendarId === calendar.id) deleteEvent(core, user, event);
		}
		state.calendars = state.calendars.filter((candidate) => candidate !== calendar);
		return { status: 204 };
	};

	route('GET', '/calendars/:calendarId', getCalendar('byId'));
	route('PATCH', '/calendars/:calendarId', patchCalendar('byId'));
	route('DELETE', '/calendars/:calendarId', deleteCalendar('byId'));
	route('GET', '/calendar', getCalendar('default'));
	route('PATCH', '/calendar', patchCalendar('default'));
	route('DELETE', '/calendar', deleteCalendar('default'));
}

function rejectDuplicateName(state: CalendarState, name: string): void {
	if (state.calendars.some((calendar) => calendar.name.toLowerCase() === name.toLowerCase())) {
		throw new GraphFault(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
	}
}

function makeDefault(state: CalendarState, calendar: CalendarRecord): void {
	for (const candidate of state.calendars) {
		candidate.isDefaultCalendar = candidate === calendar;
		candidate.isRemovable = candidate !== calendar;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Events

function findScopedEvent(state: CalendarState, req: GraphRequest, scope: Scope): EventRecord {
	const calendar = scopedCalendar(state, req, scope);
	const event = state.events.get(req.params.eventId) ?? materializeOccurrence(state, req.params.eventId);
	if (!event || (calendar && event.calendarId !== calendar.id)) throw itemNotFound();
	return event;
}

function registerEventRoutes(core: EmulatorCore, route: (method: string, pattern: string, handler: Handler) => void): void {
	const prefixes: Array<[string, Scope]> = [
		['', 'all'],
		['/calendar', 'default'],
		['/calendars/:calendarId', 'byId'],
	];
	for (const [prefix, scope] of prefixes) {
		route('GET', `${prefix}/events`, (req) => listEvents(core, req, scope));
		route('POST', `${prefix}/events`, (req) => postEvent(core, req, scope));
		route('GET', `${prefix}/events/:eventId`, (req) => getEvent(core, req, scope));
		route('PATCH', `${prefix}/events/:eventId`, (req) => patchEvent(core, req, scope));
		route('DELETE', `${prefix}/events/:eventId`, (req) => removeEvent(core, req, scope));
		route('POST', `${prefix}/events/:eventId/cancel`, (req) => postCancel(core, req, scope));
		route('GET', `${prefix}/calendarView`, (req) => calendarView(core, req, scope));
		if (scope !== 'all') route('POST', `${prefix}/getSchedule`, (req) => getSchedule(core, req, scope));
	}
}

/**
 * Renders the events a list needs. Rendering (time zone conversion) is the costly part with many seeded events,
 * so when nothing filters or sorts, only the requested page is rendered and the rest stay cheap placeholders
 * that `listResponse` counts and slices away.
 */
function renderForList(req: GraphRequest, events: EventRecord[], prefs: Preferences): Record<string, unknown>[] {
	const query = req.query;
	const inspectsItems = ['$filter', '$orderby', '$search'].some((name) => queryOption(query, name) !== undefined);
	if (inspectsItems) return events.map((event) => renderEvent(event, prefs));
	const skip = Number(queryOption(query, '$skip') ?? 0);
	const top = Number(queryOption(query, '$top') ?? EVENT_PAGING.defaultTop);
	if (!Number.isInteger(skip) || !Number.isInteger(top)) return events.map((event) => renderEvent(event, prefs));
	const placeholder: Record<string, unknown> = {};
	return events.map((event, index) => (index >= skip && index < skip + top ? renderEvent(event, prefs) : placeholder));
}

function listEvents(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const user = mailboxUser(req);
	const state = calendarState(core, user.id);
	const calendar = scopedCalendar(state, req, scope);
	const prefs = readPreferences(req);
	const events: EventRecord[] = [];
	for (const event of state.events.values()) {
		// /events lists single instances and series masters; occurrences and exceptions only in calendarView.
		if (event.seriesMasterId !== undefined) continue;
		if (!calendar || event.calendarId === calendar.id) events.push(event);
	}
	const items = renderForList(req, events, prefs);
	const reply = listResponse(core, req, items, { ...EVENT_PAGING, contextUrl: eventsContext(req, scope) });
	return withHeaders(reply, preferenceHeaders(prefs));
}

function postEvent(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const user = mailboxUser(req);
	const state = calendarState(core, user.id);
	const calendar = scopedCalendar(state, req, scope) ?? defaultCalendar(state);
	const input = parseEventInput(req.body, true);
	const { event } = createEvent(core, user, calendar, input);
	const prefs = readPreferences(req);
	return entityReply(201, `${eventsContext(req, scope)}/$entity`, renderEvent(event, prefs), preferenceHeaders(prefs));
}

function getEvent(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const user = mailboxUser(req);
	const event = findScopedEvent(calendarState(core, user.id), req, scope);
	const prefs = readPreferences(req);
	const entity = selectFields(renderEvent(event, prefs), queryOption(req.query, '$select'));
	return entityReply(200, `${eventsContext(req, scope)}/$entity`, entity, preferenceHeaders(prefs));
}

function patchEvent(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const user = mailboxUser(req);
	const event = findScopedEvent(calendarState(core, user.id), req, scope);
	const input = parseEventInput(req.body, false);
	updateEvent(core, user, event, input);
	if (event.seriesMasterId !== undefined) event.isException = true;
	const prefs = readPreferences(req);
	return entityReply(200, `${eventsContext(req, scope)}/$entity`, renderEvent(event, prefs), preferenceHeaders(prefs));
}

function removeEvent(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const user = mailboxUser(req);
	const state = calendarState(core, user.id);
	const event = findScopedEvent(state, req, scope);
	deleteEvent(core, user, event);
	forgetSeriesParts(state, event);
	return { status: 204 };
}

function postCancel(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const user = mailboxUser(req);
	const event = findScopedEvent(calendarState(core, user.id), req, scope);
	const body: unknown = req.body;
	if (body !== undefined && body !== null) {
		if (typeof body !== 'object' || Array.isArray(body)) throw new GraphFault(400, 'BadRequest', 'Invalid JSON body.');
		const comment = (body as Record<string, unknown>).comment ?? (body as Record<string, unknown>).Comment;
		if (comment !== undefined && comment !== null && typeof comment !== 'string') {
			const literal = JSON.stringify(comment);
			throw new GraphFault(400, 'RequestBodyRead', `Cannot convert the literal '${literal}' to the expected type 'Edm.String'.`);
		}
	}
	cancelEvent(core, user, event);
	return { status: 202 };
}

/** Events overlapping [startDateTime, endDateTime), series expanded into occurrences and exceptions. */
function calendarView(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const { startMs, endMs } = viewWindow(req);
	const user = mailboxUser(req);
	const state = calendarState(core, user.id);
	const calendar = scopedCalendar(state, req, scope);
	const prefs = readPreferences(req);
	const matching = expandedEvents(state, calendar, startMs, endMs);
	const context = eventsContext(req, scope).replace(/\/events$/, '/calendarView');
	const reply = listResponse(core, req, renderForList(req, matching, prefs), { ...EVENT_PAGING, contextUrl: context });
	return withHeaders(reply, preferenceHeaders(prefs));
}

function getSchedule(core: EmulatorCore, req: GraphRequest, scope: Scope): Reply {
	const user = mailboxUser(req);
	scopedCalendar(calendarState(core, user.id), req, scope);
	const request = parseScheduleRequest(req.body);
	const prefs = readPreferences(req);
	return { status: 200, headers: preferenceHeaders(prefs), body: scheduleInformation(core, user, request, prefs) };
}

// ---------------------------------------------------------------------------------------------------------------

export function register(core: EmulatorCore): void {
	const wrap = (handler: Handler) => withFaults(core, handler);
	const route = (method: string, pattern: string, handler: Handler) => core.mailboxRoute(method, pattern, wrap(handler));
	registerCalendarRoutes(core, route);
	registerEventRoutes(core, route);
	registerEventActions(core, route);
	registerFindMeetingTimes(core, route);
	registerCalendarDelta(core, route);
	registerOutlookRoutes(core, wrap);
	registerSeeding(core, wrap);
	if (core.options.seedDefaults) seedDefaultCalendar(core);
	core.onReset(() => {
		if (core.options.seedDefaults) seedDefaultCalendar(core);
	});
}
