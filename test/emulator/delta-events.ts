/**
 * `GET /me/calendarView/delta?startDateTime=..&endDateTime=..` (and `/users/{id|upn}/...`): delta query
 * for the events of a calendar view (api-reference/v1.0/api/event-delta.md, concepts/delta-query-events.md).
 * Rounds, tokens and paging live in delta.ts.
 *
 * - The v1.0 reference lists only `/me/calendarView/delta` and `/users/{id}/calendarView/delta`, "of the
 *   user's primary calendar", so those track the default calendar (the emulator's plain `/calendarView`
 *   lists every calendar). The concept page speaks of "the default calendar or some other specified
 *   calendar", older v1.0 pages list `/me/calendars/{id}/calendarView/delta`, and clients use it; the
 *   emulator serves `/calendars/{id}/calendarView/delta` and `/calendar/calendarView/delta` as well.
 * - startDateTime and endDateTime are required on the first request and then live in the token.
 * - `$select` is documented as not supported; what Graph does with one is not documented, so it is
 *   ignored (events come back whole). `$expand`, `$filter`, `$orderby` and `$search` are listed as not
 *   supported; the emulator refuses them with 400 so a client notices.
 * - Deleted and cancelled events come back under `@removed` (reason `deleted`). As the reference warns,
 *   an event edited outside the window since the last round also comes back under `@removed`.
 * - Page size: `Prefer: odata.maxpagesize=N`, default 10 (the docs give none; messages use 10).
 *   `Prefer: outlook.timezone` and `outlook.body-content-type` apply per request, as on calendarView.
 */
import {
	GraphFault,
	calendarState,
	defaultCalendar,
	findCalendar,
	mailboxUser,
	parseIsoAssumingUtc,
	preferenceHeaders,
	readPreferences,
	renderEvent,
	type CalendarRecord,
	type CalendarState,
	type EventRecord,
	type Preferences,
} from './calendar-model';
import { queryOption } from './odata';
import {
	changesSince,
	continueRound,
	deltaBox,
	isReply,
	linkSegment,
	lookupToken,
	mailboxBase,
	registerDeltaCore,
	removedEntry,
	roundStart,
	startRound,
	stateTokens,
	type PlannedEntry,
	type RoundContext,
} from './delta';
import type { EmulatorCore, GraphRequest, Handler, Reply } from './types';

interface EventDeltaQuery {
	startMs: number;
	endMs: number;
}

type Scope = 'default' | 'byId';

/** Registers the calendarView delta routes; `route` wraps handlers the way calendar.ts does (GraphFault → Graph error). */
export function registerCalendarDelta(core: EmulatorCore, route: (method: string, pattern: string, handler: Handler) => void): void {
	registerDeltaCore(core);
	route('GET', '/calendarView/delta', (req) => eventDelta(core, req, 'default', '/calendarView/delta'));
	route('GET', '/calendar/calendarView/delta', (req) => eventDelta(core, req, 'default', '/calendar/calendarView/delta'));
	route('GET', '/calendars/:calendarId/calendarView/delta', (req) =>
		eventDelta(core, req, 'byId', `/calendars/${linkSegment(req.params.calendarId)}/calendarView/delta`),
	);
}

/** Query parameter names are case-insensitive in Graph (`startdatetime` works, as in the docs' example). */
function queryValue(req: GraphRequest, name: string): string | undefined {
	return queryOption(req.query, name);
}

function parseWindow(req: GraphRequest): EventDeltaQuery {
	for (const option of ['$expand', '$filter', '$orderby', '$search']) {
		if (queryOption(req.query, option) !== undefined) {
			throw new GraphFault(400, 'BadRequest', `The query parameter '${option}' is not supported in a delta query on calendarView.`);
		}
	}
	const startText = queryValue(req, 'startDateTime');
	const endText = queryValue(req, 'endDateTime');
	const startMs = startText === undefined ? NaN : parseIsoAssumingUtc(startText);
	const endMs = endText === undefined ? NaN : parseIsoAssumingUtc(endText);
	if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
		// The same answer as calendarView without a window (reported in microsoftgraph/microsoft-graph-docs-contrib#4342).
		throw new GraphFault(
			400,
			'ErrorInvalidParameter',
			'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
		);
	}
	return { startMs, endMs };
}

function restartUrl(linkBase: string, q: EventDeltaQuery): string {
	const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
	return `${linkBase}?startDateTime=${iso(q.startMs)}&endDateTime=${iso(q.endMs)}&$deltatoken=`;
}

function eventDelta(core: EmulatorCore, req: GraphRequest, scope: Scope, path: string): Reply {
	const user = mailboxUser(req);
	const state = calendarState(core, user.id);
	const calendar = scope === 'byId' ? findCalendar(state, req.params.calendarId) : defaultCalendar(state);
	const box = deltaBox(core, user.id);
	const resource = `calendar:${calendar.id}`;
	const linkBase = `${mailboxBase(core, req)}${path}`;
	const prefs = readPreferences(req);
	const tokens = stateTokens(req);
	const context = (query: EventDeltaQuery, restart: string): RoundContext<EventDeltaQuery> => ({
		core,
		req,
		box,
		kind: 'event',
		resource,
		linkBase,
		restartUrl: restart,
		query,
		render: (entry) => renderEntry(state, calendar, query, prefs, entry),
		headers: preferenceHeaders(prefs),
	});

	if (tokens.skip !== undefined) {
		const rec = lookupToken<EventDeltaQuery>(core, req, box, tokens.skip, 'event', resource, 'skip');
		if (isReply(rec)) return rec;
		return continueRound(context(rec.query, rec.restartUrl), rec);
	}
	if (tokens.delta !== undefined) {
		const rec = lookupToken<EventDeltaQuery>(core, req, box, tokens.delta, 'event', resource, 'delta');
		if (isReply(rec)) return rec;
		const roundSeq = roundStart(box);
		return startRound(context(rec.query, rec.restartUrl), changesSince(box, 'event', calendar.id, rec.baseSeq), roundSeq);
	}
	const query = parseWindow(req);
	const roundSeq = roundStart(box);
	const entries = [...state.events.values()]
		.filter((event) => visible(event, calendar, query))
		.sort((a, b) => a.startMs - b.startMs)
		.map((event) => ({ id: event.id }));
	return startRound(context(query, restartUrl(linkBase, query)), entries, roundSeq);
}

function visible(event: EventRecord | undefined, calendar: CalendarRecord, q: EventDeltaQuery): event is EventRecord {
	return !!event && event.calendarId === calendar.id && !event.isCancelled && event.startMs < q.endMs && event.endMs > q.startMs;
}

function renderEntry(
	state: CalendarState,
	calendar: CalendarRecord,
	q: EventDeltaQuery,
	prefs: Preferences,
	entry: PlannedEntry,
): Record<string, unknown> | undefined {
	const event = state.events.get(entry.id);
	if (visible(event, calendar, q)) return { '@odata.type': '#microsoft.graph.event', ...renderEvent(event, prefs) };
	// Initial round: gone since the round was planned (reported next round). Later rounds: created and gone
	// again, or created outside the window, since the last round; the client never saw it.
	if (entry.firstOp === undefined || entry.firstOp === 'in') return undefined;
	return removedEntry('event', entry.id);
}
