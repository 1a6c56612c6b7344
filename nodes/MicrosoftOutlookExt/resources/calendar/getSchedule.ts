import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { DateTime } from 'luxon';

import { requestNeeds } from '../../shared/descriptions';
import { periodFields } from '../../shared/fields';
import { inputError, parseAddressList } from '../../shared/validation';
import {
	assertEndAfterStart,
	checkedTimeZone,
	instantToLocal,
	toDateTimeTimeZone,
	zonedDateTime,
	type CheckedTimeZone,
	type ZonedDateTime,
} from '../../shared/timeZones';

const showOnlyForCalendarGetSchedule = { resource: ['calendar'], operation: ['getSchedule'] };

/** Graph's limits for getSchedule (calendar-getschedule.md). */
export const MAX_SCHEDULES = 20;
export const MAX_WINDOW_DAYS = 62;
export const MIN_INTERVAL_MINUTES = 5;
export const MAX_INTERVAL_MINUTES = 1440;

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

interface ScheduleRequest {
	schedules: string[];
	zone: CheckedTimeZone;
	start: ZonedDateTime;
	end: ZonedDateTime;
	intervalMinutes: number;
}

function checkedSchedules(ctx: IExecuteSingleFunctions): string[] {
	const schedules = parseAddressList(ctx, ctx.getNodeParameter('schedules', ''), 'Schedules');
	if (schedules.length === 0) {
		throw inputError(
			ctx,
			'Schedules is empty',
			'Give 1 to 20 email addresses separated by commas, e.g. "adelev@contoso.com".',
		);
	}
	if (schedules.length > MAX_SCHEDULES) {
		throw inputError(
			ctx,
			`Schedules has ${schedules.length} addresses; Microsoft Graph accepts at most ${MAX_SCHEDULES}`,
			'Split the addresses over several items (at most 20 each).',
		);
	}
	return schedules;
}

function checkedInterval(ctx: IExecuteSingleFunctions, windowMs: number): number {
	const raw = ctx.getNodeParameter('availabilityViewInterval', 30);
	const minutes = Number(raw);
	if (!Number.isInteger(minutes) || minutes < MIN_INTERVAL_MINUTES || minutes > MAX_INTERVAL_MINUTES) {
		throw inputError(
			ctx,
			`Interval must be a whole number of minutes from ${MIN_INTERVAL_MINUTES} to ${MAX_INTERVAL_MINUTES}`,
			`It is ${String(raw)}. The default is 30.`,
		);
	}
	if (minutes * MINUTE_MS > windowMs) {
		throw inputError(
			ctx,
			`Interval (${minutes} minutes) is longer than the time from Start At to End At`,
			'Shorten the Interval or widen the window.',
		);
	}
	return minutes;
}

/** Everything getSchedule needs, validated; shared by the request (preSend) and the decoding (postReceive). */
function scheduleRequest(ctx: IExecuteSingleFunctions): ScheduleRequest {
	const schedules = checkedSchedules(ctx);
	const zone = checkedTimeZone(ctx, ctx.getNodeParameter('timeZone', 'UTC'), 'Time Zone');
	const start = zonedDateTime(ctx, ctx.getNodeParameter('startDateTime', ''), 'Start At', zone);
	const end = zonedDateTime(ctx, ctx.getNodeParameter('endDateTime', ''), 'End At', zone);
	assertEndAfterStart(ctx, start, end, { start: 'Start At', end: 'End At' });
	const windowMs = end.instant.toMillis() - start.instant.toMillis();
	if (windowMs >= MAX_WINDOW_DAYS * DAY_MS) {
		throw inputError(
			ctx,
			`The time from Start At to End At must be less than ${MAX_WINDOW_DAYS} days`,
			`It is ${(windowMs / DAY_MS).toFixed(1)} days. Split the period into several requests.`,
		);
	}
	return { schedules, zone, start, end, intervalMinutes: checkedInterval(ctx, windowMs) };
}

export async function prepareGetSchedule(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const request = scheduleRequest(this);
	return {
		...requestOptions,
		// Schedule items come back in the chosen zone, like the decoded availability.
		headers: { ...(requestOptions.headers ?? {}), Prefer: `outlook.timezone="${request.zone.name}"` },
		body: {
			schedules: request.schedules,
			startTime: toDateTimeTimeZone(request.start),
			endTime: toDateTimeTimeZone(request.end),
			availabilityViewInterval: request.intervalMinutes,
		},
	};
}

/** availabilityView digits (calendar-getschedule.md). */
const STATUS_BY_DIGIT: Record<string, string> = {
	'0': 'free',
	'1': 'tentative',
	'2': 'busy',
	'3': 'oof',
	'4': 'workingElsewhere',
};

export interface AvailabilitySlot {
	start: string;
	end: string;
	status: string;
}

/**
 * "0021" over 09:00-11:00 every 30 min -> one slot per digit with its local start/end and status, plus counts
 * per status. Slots step in real time (correct across daylight-saving changes); the last one ends at End At.
 */
export function decodeAvailabilityView(
	view: string,
	window: { start: DateTime; end: DateTime; intervalMinutes: number; zone: CheckedTimeZone },
): { availability: AvailabilitySlot[]; summary: Record<string, number> } {
	const summary: Record<string, number> = { free: 0, tentative: 0, busy: 0, oof: 0, workingElsewhere: 0 };
	const availability = [...view].map((digit, index) => {
		const slotStart = window.start.plus({ minutes: index * window.intervalMinutes });
		const slotEnd = earlier(slotStart.plus({ minutes: window.intervalMinutes }), window.end);
		const status = STATUS_BY_DIGIT[digit] ?? 'unknown';
		summary[status] = (summary[status] ?? 0) + 1;
		return { start: instantToLocal(slotStart, window.zone), end: instantToLocal(slotEnd, window.zone), status };
	});
	return { availability, summary };
}

function earlier(a: DateTime, b: DateTime): DateTime {
	return a.toMillis() <= b.toMillis() ? a : b;
}

/** postReceive: each scheduleInformation item gets `availability` and `summary` (items with an error stay as Graph sent them). */
export async function addReadableAvailability(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const request = scheduleRequest(this);
	return items.map((item) => {
		const view = (item.json as IDataObject).availabilityView;
		if (typeof view !== 'string') return item;
		const decoded = decodeAvailabilityView(view, {
			start: request.start.instant,
			end: request.end.instant,
			intervalMinutes: request.intervalMinutes,
			zone: request.zone,
		});
		return { ...item, json: { ...item.json, ...decoded } };
	});
}

export const calendarGetScheduleDescription: INodeProperties[] = [
	requestNeeds(showOnlyForCalendarGetSchedule, ['readOnlyPost']),
	{
		displayName: 'Schedules',
		name: 'schedules',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'adelev@contoso.com, meganb@contoso.com',
		description: 'SMTP addresses of the users, distribution lists or resources to get availability for (1 to 20, separated by commas)',
		displayOptions: { show: showOnlyForCalendarGetSchedule },
	},
	...periodFields(showOnlyForCalendarGetSchedule, {
		start: {
			placeholder: '2026-05-01T08:00:00',
			description: 'Start of the period, without offset (e.g. 2026-05-01T08:00:00), in the Time Zone below',
		},
		end: {
			placeholder: '2026-05-01T18:00:00',
			description: 'End of the period, without offset, in the Time Zone below (less than 62 days after Start At)',
		},
	}),
	{
		displayName: 'Interval',
		name: 'availabilityViewInterval',
		type: 'number',
		default: 30,
		typeOptions: { minValue: MIN_INTERVAL_MINUTES, maxValue: MAX_INTERVAL_MINUTES },
		description: 'Length of each availability slot in minutes (5 to 1440)',
		displayOptions: { show: showOnlyForCalendarGetSchedule },
	},
];
