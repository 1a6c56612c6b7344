import type { IDisplayOptions, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { optionsCollection, periodFields } from '../../shared/fields';
import { inputError } from '../../shared/validation';
import { applyOutputTimeZone, outputTimeZoneOption } from '../event/fields';
import { calendarLocator } from './locator';
import { assertEndAfterStart, checkedTimeZone, zonedDateTime } from '../../shared/timeZones';

const showOnlyForCalendarView = { resource: ['calendar'], operation: ['calendarView'] };

/**
 * Longest window calendarView (and /instances) accepts. The calendarView page states no limit; Graph answers
 * 400 ErrorInvalidRequest "... Maximum number of days: 1825" (microsoft-graph-docs issue #6321), so we refuse first.
 */
export const MAX_VIEW_WINDOW_DAYS = 1825;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Start At / End At / Time Zone → the `startDateTime` / `endDateTime` query Graph requires, as UTC instants
 * (Graph reads a value without offset as UTC), after checking the order and the window's length.
 */
export function viewWindowQuery(ctx: IExecuteSingleFunctions): { startDateTime: string; endDateTime: string } {
	const zone = checkedTimeZone(ctx, ctx.getNodeParameter('timeZone', 'UTC'), 'Time Zone');
	const start = zonedDateTime(ctx, ctx.getNodeParameter('startDateTime', ''), 'Start At', zone);
	const end = zonedDateTime(ctx, ctx.getNodeParameter('endDateTime', ''), 'End At', zone);
	assertEndAfterStart(ctx, start, end, { start: 'Start At', end: 'End At' });
	const days = (end.instant.toMillis() - start.instant.toMillis()) / DAY_MS;
	if (days > MAX_VIEW_WINDOW_DAYS) {
		throw inputError(
			ctx,
			`The time from Start At to End At must be at most ${MAX_VIEW_WINDOW_DAYS} days`,
			`It is ${days.toFixed(1)} days; Microsoft Graph refuses longer windows. Split the period into several items.`,
		);
	}
	const utc = (value: typeof start) => value.instant.toUTC().toISO({ suppressMilliseconds: true }) as string;
	return { startDateTime: utc(start), endDateTime: utc(end) };
}

/** Start At, End At and their Time Zone, for Calendar View and Get Instances. */
export function viewWindowFields(show: IDisplayOptions['show'], what: string): INodeProperties[] {
	return periodFields(show, {
		start: {
			placeholder: '2026-05-01T00:00:00',
			description: `Start of the period to list ${what} for, without offset (e.g. 2026-05-01T00:00:00), in the Time Zone below`,
		},
		end: {
			placeholder: '2026-06-01T00:00:00',
			description: `End of the period, without offset, in the Time Zone below (at most ${MAX_VIEW_WINDOW_DAYS} days after Start At)`,
		},
	});
}

/** Query + Prefer for calendarView; a chosen calendar narrows it (else the default calendar, as Graph does). */
export async function prepareCalendarView(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const calendarId = this.getNodeParameter('calendarId', '', { extractValue: true }) as string;
	const url = String(calendarId ?? '').trim() ? '/me/calendars/{calendarId}/calendarView' : '/me/calendarView';
	const withQuery = { ...requestOptions, url, qs: { ...(requestOptions.qs ?? {}), ...viewWindowQuery(this) } };
	return await applyOutputTimeZone.call(this, withQuery);
}

export const calendarViewDescription: INodeProperties[] = [
	calendarLocator(showOnlyForCalendarView, 'Calendar to read. Leave empty for the default calendar.', { required: false }),
	...viewWindowFields(showOnlyForCalendarView, 'events'),
	...listFields(showOnlyForCalendarView),
	optionsCollection({ show: showOnlyForCalendarView, options: [outputTimeZoneOption] }),
];
