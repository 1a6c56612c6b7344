/**
 * Recurring events the way Outlook keeps them: one series master (with `recurrence`) whose occurrences exist only
 * when something reads them (calendarView, /instances). Reading gives each occurrence a stable id; addressing that
 * id (GET, PATCH, DELETE, accept…) turns it into a stored record. A PATCHed occurrence is an `exception`; a deleted
 * one is remembered on the master as cancelled and no longer listed (what Graph's calendarView and /instances do).
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { toIana } from './timezones';
import { GraphFault, parseIsoAssumingUtc, type CalendarRecord, type CalendarState, type EventRecord } from './calendar-model';
import type { GraphRequest } from './types';

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WEEK_INDEX = ['first', 'second', 'third', 'fourth'];
/**
 * calendarView's longest window. Not in the calendarView docs; observed by users since 2019 (microsoft-graph-docs
 * issue #6321: 400 ErrorInvalidRequest "... Maximum number of days: 1825"). /instances uses the same check here.
 */
export const MAX_VIEW_DAYS = 1825;
const DAY_MS = 24 * 3600 * 1000;

/** Query keys are case-insensitive in Graph (`startdatetime` works). */
function queryValue(req: GraphRequest, name: string): string | undefined {
	const key = Object.keys(req.query).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : req.query[key];
}

/** startDateTime/endDateTime of calendarView and /instances: both required (400 without), at most 1825 days apart. */
export function viewWindow(req: GraphRequest): { startMs: number; endMs: number } {
	const startText = queryValue(req, 'startDateTime');
	const endText = queryValue(req, 'endDateTime');
	const startMs = startText === undefined ? NaN : parseIsoAssumingUtc(startText);
	const endMs = endText === undefined ? NaN : parseIsoAssumingUtc(endText);
	if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
		throw new GraphFault(
			400,
			'ErrorInvalidParameter',
			'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
		);
	}
	if (endMs - startMs > MAX_VIEW_DAYS * DAY_MS) {
		throw new GraphFault(
			400,
			'ErrorInvalidRequest',
			`Your request can't be completed. The range between the start and end dates is greater than the allowed range. Maximum number of days: ${MAX_VIEW_DAYS}`,
		);
	}
	return { startMs, endMs };
}

/** Safety net for a series without end read over a long window (Graph's calendarView allows 1825 days). */
const MAX_DAYS_SCANNED = 1830;

interface Pattern {
	type?: string;
	interval?: number;
	daysOfWeek?: string[];
	dayOfMonth?: number;
	month?: number;
	firstDayOfWeek?: string;
	index?: string;
}

interface Range {
	type?: string;
	startDate?: string;
	endDate?: string;
	numberOfOccurrences?: number;
	recurrenceTimeZone?: string;
}

/** Occurrence ids by series: filled when occurrences are listed, so a listed id can be addressed later. */
const occurrenceIndex = new WeakMap<CalendarState, Map<string, { masterId: string; originalStartMs: number }>>();

function indexOf(state: CalendarState): Map<string, { masterId: string; originalStartMs: number }> {
	let index = occurrenceIndex.get(state);
	if (!index) {
		index = new Map();
		occurrenceIndex.set(state, index);
	}
	return index;
}

export function occurrenceId(masterId: string, originalStartMs: number): string {
	return `AAMkAGOcc${createHash('sha256').update(`${masterId}|${originalStartMs}`).digest('base64url').slice(0, 32)}`;
}

function weekdayName(day: DateTime): string {
	return DAY_NAMES[day.weekday - 1];
}

/** 0-based weekday position in the week that starts on `firstDayOfWeek` (Graph's default: sunday). */
function weekStart(day: DateTime, firstDayOfWeek: string): DateTime {
	const first = Math.max(0, DAY_NAMES.indexOf(firstDayOfWeek)) + 1;
	const back = (day.weekday - first + 7) % 7;
	return day.minus({ days: back });
}

function matchesRelative(day: DateTime, pattern: Pattern): boolean {
	if (!(pattern.daysOfWeek ?? []).includes(weekdayName(day))) return false;
	const index = pattern.index ?? 'first';
	if (index === 'last') return day.plus({ days: 7 }).month !== day.month;
	return Math.floor((day.day - 1) / 7) === WEEK_INDEX.indexOf(index);
}

/** Whether `day` is an occurrence day of the pattern, counted from the range's first day. */
function matchesPattern(day: DateTime, first: DateTime, pattern: Pattern): boolean {
	const interval = Number.isInteger(pattern.interval) && (pattern.interval as number) > 0 ? (pattern.interval as number) : 1;
	const months = (day.year - first.year) * 12 + (day.month - first.month);
	switch (pattern.type) {
		case 'daily':
			return Math.round(day.diff(first, 'days').days) % interval === 0;
		case 'weekly': {
			const firstDay = pattern.firstDayOfWeek ?? 'sunday';
			const weeks = Math.round(weekStart(day, firstDay).diff(weekStart(first, firstDay), 'days').days / 7);
			return weeks % interval === 0 && (pattern.daysOfWeek ?? []).includes(weekdayName(day));
		}
		case 'absoluteMonthly':
			return months % interval === 0 && day.day === pattern.dayOfMonth;
		case 'relativeMonthly':
			return months % interval === 0 && matchesRelative(day, pattern);
		case 'absoluteYearly':
			return (day.year - first.year) % interval === 0 && day.month === pattern.month && day.day === pattern.dayOfMonth;
		case 'relativeYearly':
			return (day.year - first.year) % interval === 0 && day.month === pattern.month && matchesRelative(day, pattern);
		default:
			// The emulator stores the recurrence as given; a pattern it cannot read yields no occurrences.
			return false;
	}
}

/**
 * Original start instants of the series' occurrences that start before `untilMs`. Occurrences keep the master's
 * wall-clock start time in the recurrence's time zone (so 09:00 stays 09:00 across daylight-saving changes).
 */
export function occurrenceStarts(master: EventRecord, untilMs: number): number[] {
	const recurrence = master.recurrence as { pattern?: Pattern; range?: Range } | null;
	if (!recurrence?.pattern || !recurrence.range) return [];
	const { pattern, range } = recurrence;
	const zone = toIana(range.recurrenceTimeZone || master.originalStartTimeZone) ?? 'UTC';
	const masterStart = DateTime.fromMillis(master.startMs, { zone });
	const first = range.startDate ? DateTime.fromISO(range.startDate, { zone }).startOf('day') : masterStart.startOf('day');
	if (!first.isValid) return [];
	const last = range.type === 'endDate' && range.endDate ? DateTime.fromISO(range.endDate, { zone }).endOf('day') : undefined;
	const maxCount = range.type === 'numbered' ? Number(range.numberOfOccurrences ?? 0) : Infinity;
	const starts: number[] = [];
	for (let offset = 0, count = 0; offset < MAX_DAYS_SCANNED * 3 && count < maxCount; offset++) {
		const day = first.plus({ days: offset });
		if (last && day > last) break;
		if (!matchesPattern(day, first, pattern)) continue;
		const start = day.set({ hour: masterStart.hour, minute: masterStart.minute, second: masterStart.second, millisecond: 0 });
		if (start.toMillis() >= untilMs) break;
		count++;
		starts.push(start.toMillis());
	}
	return starts;
}

function occurrenceRecord(master: EventRecord, originalStartMs: number): EventRecord {
	const id = occurrenceId(master.id, originalStartMs);
	return {
		...master,
		id,
		// Each occurrence has an iCalUId of its own (hex, like Outlook's).
		iCalUId: `${master.iCalUId.slice(0, 40)}${createHash('sha256').update(id).digest('hex').toUpperCase().slice(0, 72)}`,
		startMs: originalStartMs,
		endMs: originalStartMs + (master.endMs - master.startMs),
		recurrence: null,
		seriesMasterId: master.id,
		originalStartMs,
		isException: false,
		attendees: master.attendees.map((attendee) => ({ ...attendee, status: { ...attendee.status } })),
		responseStatus: { ...master.responseStatus },
	};
}

/**
 * The occurrences and exceptions of one series overlapping [startMs, endMs), sorted by start: stored records
 * (addressed or changed occurrences) win over generated ones; cancelled occurrences are left out.
 */
export function seriesInstances(state: CalendarState, master: EventRecord, startMs: number, endMs: number): EventRecord[] {
	const index = indexOf(state);
	const cancelled = new Set(master.cancelledOccurrences ?? []);
	const stored = new Map<number, EventRecord>();
	for (const event of state.events.values()) {
		if (event.seriesMasterId === master.id && event.originalStartMs !== undefined) stored.set(event.originalStartMs, event);
	}
	const duration = master.endMs - master.startMs;
	const result: EventRecord[] = [];
	for (const originalStartMs of occurrenceStarts(master, endMs + 366 * DAY_MS)) {
		if (cancelled.has(originalStartMs)) continue;
		const record = stored.get(originalStartMs);
		// A generated occurrence outside the window needs no id; a stored (maybe moved) one is judged by its own times.
		if (!record && (originalStartMs >= endMs || originalStartMs + duration <= startMs)) continue;
		const instance = record ?? occurrenceRecord(master, originalStartMs);
		if (!(instance.startMs < endMs && instance.endMs > startMs)) continue;
		index.set(instance.id, { masterId: master.id, originalStartMs });
		result.push(instance);
	}
	return result.sort((a, b) => a.startMs - b.startMs);
}

/** calendarView: single events, occurrences and exceptions overlapping the window, sorted by start. */
export function expandedEvents(state: CalendarState, calendar: CalendarRecord | undefined, startMs: number, endMs: number): EventRecord[] {
	const events: EventRecord[] = [];
	for (const event of state.events.values()) {
		if (calendar && event.calendarId !== calendar.id) continue;
		if (event.seriesMasterId !== undefined) continue;
		if (event.recurrence) events.push(...seriesInstances(state, event, startMs, endMs));
		else if (event.startMs < endMs && event.endMs > startMs) events.push(event);
	}
	return events.sort((a, b) => a.startMs - b.startMs);
}

/** An occurrence id read earlier becomes a stored record when it is addressed (undefined: not an occurrence). */
export function materializeOccurrence(state: CalendarState, id: string): EventRecord | undefined {
	const entry = indexOf(state).get(id);
	if (!entry) return undefined;
	const master = state.events.get(entry.masterId);
	if (!master?.recurrence || (master.cancelledOccurrences ?? []).includes(entry.originalStartMs)) return undefined;
	const record = occurrenceRecord(master, entry.originalStartMs);
	state.events.set(record.id, record);
	return record;
}

/** Deleting an occurrence cancels it in the series; deleting a master removes its stored occurrences too. */
export function forgetSeriesParts(state: CalendarState, deleted: EventRecord): void {
	if (deleted.seriesMasterId !== undefined && deleted.originalStartMs !== undefined) {
		const master = state.events.get(deleted.seriesMasterId);
		if (master) master.cancelledOccurrences = [...(master.cancelledOccurrences ?? []), deleted.originalStartMs];
		return;
	}
	if (!deleted.recurrence) return;
	for (const event of [...state.events.values()]) {
		if (event.seriesMasterId === deleted.id) state.events.delete(event.id);
	}
}
