/**
 * Upcoming Event Starting Soon. Graph pushes nothing for "an event starts in N minutes", so this
 * preset needs no subscription: while the workflow is active, trigger() reads the calendar view
 * every POLL_MS for events starting within the next N minutes (plus one poll) and starts one run
 * per event when its reminder time (start − N minutes) has come. Reading the calendar each time keeps
 * it correct when an event moves (a new start is a new reminder) or is cancelled (it is no longer
 * listed, or marked cancelled). Reminders already given are kept in static data (saved with each
 * run), so a restart does not repeat them.
 */
import type { IDataObject, INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';

import { graphApiRequestAllItems } from '../../shared/transport/request';
import { graphNow } from '../../shared/graph';
import { matchesClientFilter, matchesGraphFilter } from '../config/filters';
import type { TriggerSettings } from '../config/settings';

export const POLL_MS = 30_000;
/** Every 30 seconds (n8n's cron has a seconds field). */
export const POLL_CRON = '*/30 * * * * *' as const;
const MINUTE_MS = 60_000;
const ANNOUNCED = 'announcedEvents';
/** A reminder is remembered until a day after the event's start. */
const KEEP_AFTER_START_MS = 24 * 60 * MINUTE_MS;

/** `/me/calendarView` or one calendar's (the transport scopes `/me` to the watched mailbox). */
function calendarViewPath(settings: TriggerSettings): string {
	return settings.deltaPath.replace(/\/delta$/, '');
}

function startOf(event: IDataObject): number {
	const start = event.start as IDataObject | undefined;
	const text = String(start?.dateTime ?? '');
	// Asked for in UTC (Prefer: outlook.timezone="UTC"): Graph's dateTime has no offset.
	return Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
}

function announcedOf(data: IDataObject, now: number): Record<string, number> {
	const stored = data[ANNOUNCED];
	const live: Record<string, number> = {};
	if (stored && typeof stored === 'object' && !Array.isArray(stored)) {
		for (const [key, until] of Object.entries(stored as Record<string, unknown>)) if (typeof until === 'number' && until > now) live[key] = until;
	}
	return live;
}

/**
 * Events whose reminder time has come and that were not announced yet; they are recorded as
 * announced. `manual`: the editor's test run takes the next event in the window, due or not.
 */
export async function dueEvents(ctx: ITriggerFunctions, settings: TriggerSettings, manual = false): Promise<INodeExecutionData[]> {
	const now = graphNow(settings.target.root);
	const lead = settings.minutesBefore * MINUTE_MS;
	const events = await graphApiRequestAllItems<IDataObject>(ctx, settings.target, {
		method: 'GET',
		url: calendarViewPath(settings),
		qs: {
			startDateTime: new Date(now - MINUTE_MS).toISOString(),
			endDateTime: new Date(now + lead + POLL_MS + MINUTE_MS).toISOString(),
			$top: 200,
		},
		headers: { Prefer: 'outlook.timezone="UTC"' },
	});
	const data = ctx.getWorkflowStaticData('node');
	const announced = announcedOf(data, now);
	const items: INodeExecutionData[] = [];
	for (const event of events) {
		const start = startOf(event);
		if (!Number.isFinite(start) || event.isCancelled === true || start < now - MINUTE_MS) continue;
		if (!manual && start - lead > now) continue;
		const key = `${String(event.id)}|${start}`;
		if (!manual && key in announced) continue;
		if (!matchesGraphFilter(settings.graphFilter, event) || !matchesClientFilter(settings.clientFilter, event, [])) continue;
		if (!manual) announced[key] = start + KEEP_AFTER_START_MS;
		const { '@odata.etag': _etag, ...json } = event;
		items.push({ json: { ...json, minutesUntilStart: Math.round((start - now) / MINUTE_MS), changeType: 'startingSoon' } });
		if (manual) break;
	}
	// A new object: n8n only saves static data it sees reassigned (saved with the run these items start).
	if (!manual) data[ANNOUNCED] = announced;
	return items;
}
