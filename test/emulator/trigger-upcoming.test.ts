/**
 * Upcoming Event Starting Soon (trigger/polling/upcomingEvents.ts) inside n8n-core's TriggerContext against
 * the in-process emulator: one item per event when its reminder time (start − Minutes Before Start) has
 * come, never twice across polls or a restart (static data), a moved event at its new time, a cancelled or
 * deleted one never, events written in other time zones, the node's filters, and the editor's test run.
 * The emulator's clock is moved instead of waiting for the 30-second polls.
 */
import type { IDataObject } from 'n8n-workflow';

import { graphCall } from '../../nodes/MicrosoftOutlookExt/shared/graph';
import { readSettings } from '../../nodes/MicrosoftOutlookExt/trigger/config/settings';
import { dueEvents } from '../../nodes/MicrosoftOutlookExt/trigger/polling/upcomingEvents';
import type { Emulator } from './index';
import { adeleGraph, triggerFor, useEngineEmulator } from './n8n-engine';

jest.setTimeout(60_000);

const MINUTE = 60_000;

const shared = useEngineEmulator();
let emu: Emulator;
beforeAll(() => (emu = shared.emu));

beforeEach(async () => {
	// Each test has its own calendar day: what earlier tests created is far behind.
	await emu.advanceClock(3 * 24 * 60 * MINUTE);
});

async function upcoming(parameters: Record<string, unknown> = {}, storedData?: IDataObject) {
	const { context } = triggerFor(shared.credential, { event: 'eventStartingSoon', minutesBefore: 15, ...parameters });
	const settings = await readSettings(context);
	// graphNow() follows Graph's Date header; the emulator's clock jumps (Graph's does not): seen once after each jump.
	const seeGraphClock = async () => void (await graphCall(context, settings.target, { method: 'GET', url: '/me' }));
	await seeGraphClock();
	// What n8n loads for the node after a restart: the static data saved with the last run.
	if (storedData) Object.assign(context.getWorkflowStaticData('node'), JSON.parse(JSON.stringify(storedData)) as IDataObject);
	const poll = async (manual = false) => (await dueEvents(context, settings, manual)).map((item) => item.json);
	const advance = async (ms: number) => {
		await emu.advanceClock(ms);
		await seeGraphClock();
	};
	return { context, settings, poll, advance, data: () => context.getWorkflowStaticData('node') };
}

async function graph(method: string, path: string, body?: unknown): Promise<IDataObject> {
	const answer = await adeleGraph(emu, method, path, body);
	expect(answer.status).toBeLessThan(300);
	return answer.body;
}

/** Local wall time `ms` in a zone `offsetHours` east of UTC (zones without daylight saving), as Graph's dateTime. */
function wallTime(ms: number, offsetHours = 0): string {
	return new Date(ms + offsetHours * 60 * MINUTE).toISOString().slice(0, 19);
}

const slot = (minutesFromNow: number, timeZone = 'UTC', offsetHours = 0) => {
	const start = emu.core.now() + minutesFromNow * MINUTE;
	return { start: { dateTime: wallTime(start, offsetHours), timeZone }, end: { dateTime: wallTime(start + 30 * MINUTE, offsetHours), timeZone } };
};

async function event(subject: string, minutesFromNow: number, extra: IDataObject = {}): Promise<string> {
	return String((await graph('POST', '/me/events', { subject, ...slot(minutesFromNow), ...extra })).id);
}

describe('Upcoming Event Starting Soon', () => {
	test('an event whose reminder time has come is output once; later polls do not repeat it', async () => {
		const { poll, advance } = await upcoming();
		const id = await event('Due now', 14);
		await event('Later', 40);
		const first = await poll();
		expect(first.map((e) => [e.id, e.subject, e.changeType])).toEqual([[id, 'Due now', 'startingSoon']]);
		expect(first[0].minutesUntilStart).toBe(14);
		// Graph's annotations are left out of the item.
		expect(Object.keys(first[0]).filter((key) => key.startsWith('@'))).toEqual([]);
		expect(await poll()).toEqual([]);
		await advance(MINUTE);
		expect(await poll()).toEqual([]);
	});

	test('an event enters the window as the clock moves: output at its reminder time, not before, once', async () => {
		const { poll, advance } = await upcoming();
		await event('In 20 minutes', 20);
		expect(await poll()).toEqual([]);
		await advance(4 * MINUTE);
		expect(await poll()).toEqual([]);
		await advance(MINUTE + 1000);
		expect((await poll()).map((e) => e.subject)).toEqual(['In 20 minutes']);
		await advance(30_000);
		expect(await poll()).toEqual([]);
	});

	test('a moved event is output again at its new time; a cancelled or deleted one is never output', async () => {
		const { poll, advance } = await upcoming();
		const moved = await event('Moved', 10);
		const deleted = await event('Deleted', 30);
		expect((await poll()).map((e) => e.subject)).toEqual(['Moved']);
		await graph('PATCH', `/me/events/${moved}`, slot(25));
		await graph('DELETE', `/me/events/${deleted}`);
		expect(await poll()).toEqual([]);
		await advance(15 * MINUTE);
		const again = await poll();
		expect(again.map((e) => [e.id, e.subject, e.minutesUntilStart])).toEqual([[moved, 'Moved', 10]]);
		const cancelled = await event('Cancelled meeting', 40);
		await graph('POST', `/me/events/${cancelled}/cancel`, { comment: 'Not needed' });
		await advance(30 * MINUTE);
		expect(await poll()).toEqual([]);
	});

	test.each([
		['Tokyo Standard Time', 9],
		['India Standard Time', 5.5],
		['Hawaiian Standard Time', -10],
	])('an event written in %s is due by its real start time', async (timeZone, offsetHours) => {
		const { poll } = await upcoming();
		const id = String((await graph('POST', '/me/events', { subject: `In ${timeZone}`, ...slot(12, timeZone, offsetHours) })).id);
		await graph('POST', '/me/events', { subject: `Later in ${timeZone}`, ...slot(50, timeZone, offsetHours) });
		const due = await poll();
		expect(due.map((e) => [e.id, e.minutesUntilStart])).toEqual([[id, 12]]);
		// The item's times are in UTC (asked for with Prefer: outlook.timezone="UTC").
		expect(due[0].start).toEqual({ dateTime: expect.stringMatching(new RegExp(`^${wallTime(emu.core.now() + 12 * MINUTE).slice(0, 16)}`)), timeZone: 'UTC' });
	});

	test('what was output is kept in static data: after a restart nothing is output again', async () => {
		const first = await upcoming();
		await event('Before the restart', 5);
		expect((await first.poll()).map((e) => e.subject)).toEqual(['Before the restart']);
		const restarted = await upcoming({}, first.data());
		expect(await restarted.poll()).toEqual([]);
	});

	test("the node's filters: Subject Contains and Show As", async () => {
		const { poll } = await upcoming({ eventFilters: { subjectContains: 'standup', showAs: 'busy' } });
		await event('Daily standup', 5, { showAs: 'busy' });
		await event('Standup (tentative)', 6, { showAs: 'tentative' });
		await event('Lunch', 7, { showAs: 'busy' });
		expect((await poll()).map((e) => e.subject)).toEqual(['Daily standup']);
	});

	test("the editor's test run takes the next event in the window, due or not, and remembers nothing", async () => {
		const { poll, data } = await upcoming();
		await event('Next up', 12);
		await event('After that', 13);
		const manual = await poll(true);
		expect(manual.map((e) => e.subject)).toEqual(['Next up']);
		expect(data().announcedEvents).toBeUndefined();
		expect((await poll()).map((e) => e.subject).sort()).toEqual(['After that', 'Next up']);
	});

	test('the calendar view is read for the window only, times in UTC', async () => {
		const { poll } = await upcoming({ minutesBefore: 60 });
		emu.clearRequests();
		await poll();
		const [read] = emu.requests().filter((r) => r.area === 'graph' && /calendarview/i.test(r.path));
		expect(read.path).toBe('/me/calendarView');
		expect(read.headers.prefer).toBe('outlook.timezone="UTC"');
		const window = (Date.parse(read.query.endDateTime) - Date.parse(read.query.startDateTime)) / MINUTE;
		// One minute back, the lead, one poll (30 s) and a minute of slack ahead.
		expect(window).toBe(1 + 60 + 0.5 + 1);
	});
});
