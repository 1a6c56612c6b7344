/**
 * Seed data for calendars: a realistic default set for Adele and Megan (relative to the emulator clock, so
 * getSchedule over the next days shows non-zero availability), and bulk seeding for benchmarks through
 * `seedEvents()` / `POST /_emulator/seed/events`.
 */
import {
	GraphFault,
	NEVER,
	calendarState,
	defaultCalendar,
	newCalendarRecord,
	parseIsoAssumingUtc,
	type AttendeeRecord,
	type CalendarRecord,
	type EventRecord,
} from './calendar-model';
import { EMPTY_LOCATION, isValidEmail, type EventInput } from './calendar-input';
import { createEvent, findUserByAddress, withoutChangeEvents } from './calendar-events';
import type { EmulatorCore, EmulatorUser, Handler } from './types';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export const ADELE = 'AdeleV@contoso.com';
export const MEGAN = 'MeganB@contoso.com';

/** Midnight UTC of the day after the emulator's "now": seeded events never start in the past. */
export function seedBaseMs(core: EmulatorCore): number {
	const now = new Date(core.now());
	return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
}

function attendee(user: EmulatorUser | { displayName: string; mail: string }, type: AttendeeRecord['type'] = 'required'): AttendeeRecord {
	return { type, status: { response: 'none', time: NEVER }, emailAddress: { name: user.displayName, address: user.mail } };
}

interface SeedSpec {
	subject: string;
	day: number;
	startHour: number;
	hours: number;
	showAs?: EventRecord['showAs'];
	location?: string;
	attendees?: AttendeeRecord[];
	sensitivity?: EventRecord['sensitivity'];
	body?: string;
}

function inputFromSpec(base: number, spec: SeedSpec): EventInput {
	const startMs = base + spec.day * DAY_MS + spec.startHour * HOUR_MS;
	const location = spec.location
		? { displayName: spec.location, locationType: 'default', uniqueId: spec.location, uniqueIdType: 'private' }
		: { ...EMPTY_LOCATION };
	return {
		subject: spec.subject,
		body: { contentType: 'html', content: spec.body ?? `<p>${spec.subject}</p>` },
		start: { ms: startMs, timeZone: 'UTC' },
		end: { ms: startMs + spec.hours * HOUR_MS, timeZone: 'UTC' },
		showAs: spec.showAs ?? 'busy',
		sensitivity: spec.sensitivity ?? 'normal',
		location,
		attendees: spec.attendees ?? [],
	};
}

function ensureCalendar(core: EmulatorCore, user: EmulatorUser, name: string): CalendarRecord {
	const state = calendarState(core, user.id);
	const existing = state.calendars.find((calendar) => calendar.name.toLowerCase() === name.toLowerCase());
	if (existing) return existing;
	const calendar = newCalendarRecord(core, name, false);
	state.calendars.push(calendar);
	return calendar;
}

/**
 * Adele: "Calendar" (default) and "Team" (lightGreen) with 9 events over the next two weeks, several with Megan
 * invited (Megan gets tentative copies); Megan: 3 busy events of her own. All times UTC, from tomorrow 00:00.
 */
export function seedDefaultCalendar(core: EmulatorCore): void {
	const adele = findUserByAddress(core, ADELE);
	const megan = findUserByAddress(core, MEGAN);
	if (!adele) return;
	const base = seedBaseMs(core);
	const invite = megan ? [attendee(megan)] : [];
	withoutChangeEvents(core, () => {
		const main = defaultCalendar(calendarState(core, adele.id));
		const team = ensureCalendar(core, adele, 'Team');
		team.color = 'lightGreen';
		const adeleMain: SeedSpec[] = [
			{ subject: 'Daily stand-up', day: 0, startHour: 9, hours: 0.5, attendees: invite, location: 'Teams' },
			{ subject: 'Lunch with Megan', day: 0, startHour: 12, hours: 1, showAs: 'tentative', attendees: invite, location: "Harry's Bar" },
			{
				subject: 'Project Alpha review',
				day: 1,
				startHour: 10,
				hours: 1.5,
				location: 'Conference Room 1',
				attendees: [...invite, attendee({ displayName: 'Alex Wilber', mail: 'alexw@fabrikam.com' }, 'optional')],
			},
			{ subject: 'Training day', day: 2, startHour: 8, hours: 9, showAs: 'oof' },
			{ subject: 'Doctor appointment', day: 3, startHour: 15, hours: 1, sensitivity: 'private' },
			{ subject: 'Sprint planning', day: 7, startHour: 9, hours: 1, attendees: invite, location: 'Conference Room 2' },
			{ subject: 'Customer visit', day: 9, startHour: 13, hours: 2, showAs: 'workingElsewhere', location: 'Fabrikam HQ' },
		];
		const adeleTeam: SeedSpec[] = [
			{ subject: 'Team social', day: 4, startHour: 16, hours: 1, showAs: 'free' },
			{ subject: 'Team retrospective', day: 10, startHour: 11, hours: 1 },
		];
		for (const spec of adeleMain) createEvent(core, adele, main, inputFromSpec(base, spec));
		for (const spec of adeleTeam) createEvent(core, adele, team, inputFromSpec(base, spec));
		if (!megan) return;
		const meganMain = defaultCalendar(calendarState(core, megan.id));
		const meganOwn: SeedSpec[] = [
			{ subject: 'Focus time', day: 0, startHour: 10, hours: 1 },
			{ subject: 'Design sync', day: 1, startHour: 14, hours: 1, location: 'Conference Room 3' },
			{ subject: 'Customer workshop', day: 3, startHour: 10, hours: 2, location: 'Contoso Training Center' },
		];
		for (const spec of meganOwn) createEvent(core, megan, meganMain, inputFromSpec(base, spec));
	});
}

export interface SeedEventsOptions {
	/** User id, UPN or mail. */
	userId: string;
	/** Calendar id or name; default calendar when absent. */
	calendarId?: string;
	count: number;
	/** ISO start of the first event (UTC unless it carries an offset); default: the next full hour. */
	start?: string;
	/** Subject prefix; events are numbered from 1. */
	subject?: string;
	durationMinutes?: number;
	/** Gap between event starts. */
	intervalMinutes?: number;
	showAs?: EventRecord['showAs'];
	/** Attendee addresses (emulator users get copies). */
	attendees?: string[];
}

export interface SeedEventsResult {
	userId: string;
	calendarId: string;
	count: number;
	ids: string[];
}

function resolveSeedCalendar(core: EmulatorCore, user: EmulatorUser, calendarId: string | undefined): CalendarRecord {
	const state = calendarState(core, user.id);
	if (!calendarId) return defaultCalendar(state);
	const wanted = calendarId.toLowerCase();
	const found = state.calendars.find((calendar) => calendar.id === calendarId || calendar.name.toLowerCase() === wanted);
	if (!found) throw new GraphFault(404, 'ErrorItemNotFound', `Calendar '${calendarId}' not found for this user.`);
	return found;
}

/** Bulk-creates plain events quickly (no change events), e.g. for paging tests and benchmarks. */
export function seedEvents(core: EmulatorCore, options: SeedEventsOptions): SeedEventsResult {
	const user = core.findUser(options.userId);
	if (!user) throw new GraphFault(404, 'ErrorInvalidUser', `User '${options.userId}' not found.`);
	const count = Math.floor(Number(options.count));
	if (!Number.isFinite(count) || count < 0) throw new GraphFault(400, 'BadRequest', "'count' must be a non-negative number.");
	const calendar = resolveSeedCalendar(core, user, options.calendarId);
	const firstStart = options.start ? parseIsoAssumingUtc(options.start) : Math.ceil(core.now() / HOUR_MS) * HOUR_MS;
	if (Number.isNaN(firstStart)) throw new GraphFault(400, 'BadRequest', `'start' is not a valid date: '${options.start}'.`);
	const durationMs = (options.durationMinutes ?? 30) * 60 * 1000;
	const stepMs = (options.intervalMinutes ?? 60) * 60 * 1000;
	const attendees = (options.attendees ?? []).filter(isValidEmail).map((address) => {
		const known = findUserByAddress(core, address);
		return attendee(known ?? { displayName: address, mail: address });
	});
	const ids: string[] = [];
	withoutChangeEvents(core, () => {
		for (let i = 0; i < count; i++) {
			const startMs = firstStart + i * stepMs;
			const { event } = createEvent(core, user, calendar, {
				subject: `${options.subject ?? 'Seeded event'} ${i + 1}`,
				body: { contentType: 'text', content: `Seeded event number ${i + 1}.` },
				start: { ms: startMs, timeZone: 'UTC' },
				end: { ms: startMs + durationMs, timeZone: 'UTC' },
				showAs: options.showAs ?? 'busy',
				attendees,
			});
			ids.push(event.id);
		}
	});
	return { userId: user.id, calendarId: calendar.id, count: ids.length, ids };
}

/** `POST /_emulator/seed/events {userId|upn, calendarId?, count, start?, subject?, durationMinutes?, intervalMinutes?}`. */
export function registerSeeding(core: EmulatorCore, wrap: (handler: Handler) => Handler): void {
	core.controlRoute(
		'POST',
		'/_emulator/seed/events',
		wrap((req) => {
			const body = (req.body ?? {}) as Record<string, unknown>;
			const userId = body.userId ?? body.upn;
			if (typeof userId !== 'string') throw new GraphFault(400, 'BadRequest', "'userId' (or 'upn') is required.");
			const result = seedEvents(core, { ...(body as Partial<SeedEventsOptions>), userId, count: Number(body.count ?? 1) });
			return { status: 201, body: result };
		}),
	);
}
