/**
 * `POST /calendar/getSchedule`: free/busy for up to 20 mailboxes over a window under 62 days, as
 * `scheduleInformation` items with a merged availabilityView string.
 */
import {
	GRAPH_V1,
	GraphFault,
	calendarState,
	dateTimeTimeZone,
	defaultCalendar,
	type EventRecord,
	type Preferences,
} from './calendar-model';
import { findUserByAddress } from './calendar-events';
import { parseDateTimeTimeZone, requireObjectBody } from './calendar-input';
import type { EmulatorCore, EmulatorUser } from './types';

export const MAX_SCHEDULES = 20;
export const MAX_WINDOW_DAYS = 62;
export const MIN_INTERVAL_MINUTES = 5;
export const MAX_INTERVAL_MINUTES = 1440;
export const DEFAULT_INTERVAL_MINUTES = 30;

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

export interface BusyItem {
	startMs: number;
	endMs: number;
	status: EventRecord['showAs'];
}

const DIGIT: Partial<Record<EventRecord['showAs'], string>> = {
	free: '0',
	tentative: '1',
	busy: '2',
	oof: '3',
	workingElsewhere: '4',
};

/** When items overlap in one slot, the most "unavailable" status wins. */
const PRIORITY: Partial<Record<EventRecord['showAs'], number>> = {
	free: 0,
	workingElsewhere: 1,
	tentative: 2,
	busy: 3,
	oof: 4,
};

/**
 * One digit per `intervalMinutes` slot of [windowStart, windowEnd): 0 free, 1 tentative, 2 busy, 3 out of office,
 * 4 working elsewhere. A trailing partial slot counts as a slot. Items with status `unknown` are ignored.
 */
export function availabilityView(items: BusyItem[], windowStartMs: number, windowEndMs: number, intervalMinutes: number): string {
	const slotMs = intervalMinutes * MINUTE_MS;
	const slots = Math.ceil((windowEndMs - windowStartMs) / slotMs);
	let view = '';
	for (let slot = 0; slot < slots; slot++) {
		const slotStart = windowStartMs + slot * slotMs;
		const slotEnd = Math.min(slotStart + slotMs, windowEndMs);
		let best: EventRecord['showAs'] = 'free';
		for (const item of items) {
			const priority = PRIORITY[item.status];
			if (priority === undefined || item.startMs >= slotEnd || item.endMs <= slotStart) continue;
			if (priority > (PRIORITY[best] ?? 0)) best = item.status;
		}
		view += DIGIT[best];
	}
	return view;
}

export interface ScheduleRequest {
	schedules: string[];
	startMs: number;
	endMs: number;
	/** The request's zone (startTime.timeZone); answers use it unless Prefer names another. */
	timeZone: string;
	intervalMinutes: number;
}

function badSchedule(message: string, code = 'ErrorInvalidRequest'): GraphFault {
	return new GraphFault(400, code, message);
}

export function parseScheduleRequest(raw: unknown): ScheduleRequest {
	const body = requireObjectBody(raw);
	const schedules = body.schedules;
	if (!Array.isArray(schedules) || schedules.some((entry) => typeof entry !== 'string')) {
		throw new GraphFault(
			400,
			'RequestBodyRead',
			"Cannot convert the literal 'schedules' to the expected type 'Collection(Edm.String)'.",
		);
	}
	if (schedules.length === 0) throw badSchedule('At least one schedule (SMTP address) must be specified.');
	if (schedules.length > MAX_SCHEDULES) {
		throw badSchedule(
			`The number of schedules requested (${schedules.length}) exceeds the maximum of ${MAX_SCHEDULES}.`,
		);
	}
	if (body.startTime === undefined || body.endTime === undefined) {
		throw badSchedule("The 'startTime' and 'endTime' parameters are required.");
	}
	const start = parseDateTimeTimeZone(body.startTime, 'startTime');
	const end = parseDateTimeTimeZone(body.endTime, 'endTime');
	if (end.ms <= start.ms) {
		const message = 'The specified time interval is invalid. The start time must be earlier than the end time.';
		throw badSchedule(message, 'ErrorInvalidTimeInterval');
	}
	// Observed Graph: 62 days pass, 63 fail ("The allowed limit = 62 days; the actual limit = 63 days.").
	const days = Math.ceil((end.ms - start.ms) / DAY_MS);
	if (days > MAX_WINDOW_DAYS) {
		const message =
			'The requested time duration specified for FreeBusyViewOptions.TimeWindow is too long. ' +
			`The allowed limit = ${MAX_WINDOW_DAYS} days; the actual limit = ${days} days.`;
		throw badSchedule(message, 'ErrorTimeIntervalTooBig');
	}
	const interval = body.availabilityViewInterval ?? DEFAULT_INTERVAL_MINUTES;
	const windowMinutes = (end.ms - start.ms) / MINUTE_MS;
	if (
		typeof interval !== 'number' ||
		!Number.isInteger(interval) ||
		interval < MIN_INTERVAL_MINUTES ||
		interval > MAX_INTERVAL_MINUTES ||
		interval > windowMinutes
	) {
		const message =
			`The MergedFreeBusyInterval must be between ${MIN_INTERVAL_MINUTES} and ${MAX_INTERVAL_MINUTES} minutes ` +
			'and not longer than the time window.';
		throw badSchedule(message, 'ErrorInvalidMergedFreeBusyInterval');
	}
	return {
		schedules: schedules as string[],
		startMs: start.ms,
		endMs: end.ms,
		timeZone: start.timeZone,
		intervalMinutes: interval,
	};
}

function toBusyItem(event: EventRecord): BusyItem {
	return { startMs: event.startMs, endMs: event.endMs, status: event.showAs };
}

const WORKING_HOURS = {
	daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
	startTime: '08:00:00.0000000',
	endTime: '17:00:00.0000000',
	timeZone: { name: 'UTC' },
};

function eventsInWindow(core: EmulatorCore, user: EmulatorUser, startMs: number, endMs: number): EventRecord[] {
	const state = calendarState(core, user.id);
	// Free/busy is published from the default calendar only, as in Exchange.
	const calendarId = defaultCalendar(state).id;
	const events: EventRecord[] = [];
	for (const event of state.events.values()) {
		if (event.calendarId !== calendarId || event.isCancelled) continue;
		if (event.startMs < endMs && event.endMs > startMs) events.push(event);
	}
	return events.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

/**
 * The requester sees subject and location of their own items; for other mailboxes Graph only shares
 * status and times (what the docs' example shows for the second schedule).
 */
function scheduleItem(event: EventRecord, ownMailbox: boolean, zone: string): Record<string, unknown> {
	const times = { start: dateTimeTimeZone(event.startMs, zone), end: dateTimeTimeZone(event.endMs, zone) };
	if (!ownMailbox) return { status: event.showAs, ...times };
	return {
		isPrivate: event.sensitivity === 'private',
		status: event.showAs,
		subject: event.subject,
		location: event.location.displayName,
		...times,
	};
}

export function scheduleInformation(
	core: EmulatorCore,
	requester: EmulatorUser,
	request: ScheduleRequest,
	prefs: Preferences,
): Record<string, unknown> {
	const zone = prefs.timeZone ?? request.timeZone;
	const value = request.schedules.map((scheduleId) => {
		const user = findUserByAddress(core, scheduleId);
		if (!user) {
			return {
				scheduleId,
				error: {
					message: `Unable to resolve e-mail address <>SMTP:${scheduleId} to an Active Directory object.`,
					responseCode: 'ErrorMailRecipientNotFound',
				},
			};
		}
		const events = eventsInWindow(core, user, request.startMs, request.endMs);
		const own = user.id === requester.id;
		return {
			scheduleId,
			availabilityView: availabilityView(events.map(toBusyItem), request.startMs, request.endMs, request.intervalMinutes),
			scheduleItems: events.map((event) => scheduleItem(event, own, zone)),
			workingHours: structuredClone(WORKING_HOURS),
		};
	});
	return { '@odata.context': `${GRAPH_V1}/$metadata#Collection(microsoft.graph.scheduleInformation)`, value };
}
