/**
 * Fault-matrix rows (see operations.ts) for the invitation, reminder, recurrence, calendar view, find-a-time and
 * room operations. Invitations are answered by Adele on her copy of a meeting Megan organizes; the side effect is
 * the response Megan's event records for Adele.
 */
import type { Emulator } from '../emulator';
import { ADELE, MEGAN, byId } from '../e2e/support';
import { graphAs, newEvent } from './fixtures';
import { escapeRegex, type OperationRow } from './operations';

const utc = (dateTime: string) => ({ dateTime, timeZone: 'UTC' });

/** Megan invites Adele; Adele's copy and Megan's event. */
async function invitation(emu: Emulator, subject: string): Promise<{ copyId: string; organizerId: string }> {
	const created = await graphAs(
		emu,
		'POST',
		'/me/events',
		{ subject, start: utc('2031-03-03T10:00:00'), end: utc('2031-03-03T11:00:00'), attendees: [{ type: 'required', emailAddress: { address: ADELE.mail } }] },
		MEGAN.id,
	);
	const view = await graphAs(emu, 'GET', '/me/calendarView?startDateTime=2031-03-03T00:00:00Z&endDateTime=2031-03-04T00:00:00Z&$top=1000');
	const copy = (view.body.value as Array<{ id: string; subject: string }>).find((event) => event.subject === subject);
	if (created.status !== 201 || !copy) throw new Error(`set-up invitation ${subject}: ${created.status}`);
	return { copyId: copy.id, organizerId: created.body.id };
}

/** 1 when Megan's event records Adele's response, else 0. */
async function responded(emu: Emulator, organizerId: string, response: string): Promise<number> {
	const event = await graphAs(emu, 'GET', `/me/events/${encodeURIComponent(organizerId)}`, undefined, MEGAN.id);
	const adele = (event.body.attendees as Array<{ emailAddress: { address: string }; status: { response: string } }>).find(
		(attendee) => attendee.emailAddress.address === ADELE.mail,
	);
	return adele?.status.response === response ? 1 : 0;
}

function responseRow(operation: 'accept' | 'tentativelyAccept' | 'decline', response: string): OperationRow {
	return {
		name: `event.${operation}`,
		resource: 'event',
		operation,
		idempotent: false,
		target: `POST /me/events/{id}/${operation}`,
		prepare: async ({ emu, unique }) => {
			const { copyId, organizerId } = await invitation(emu, unique(`invitation to ${operation}`));
			return {
				parameters: { resource: 'event', operation, eventId: byId(copyId), comment: 'Fault matrix' },
				method: 'POST',
				pattern: `^/me/events/${escapeRegex(copyId)}/${operation}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ responded: true, response }),
				countEffect: async () => await responded(emu, organizerId, response),
			};
		},
	};
}

const WINDOW = { startDateTime: '2031-01-06T00:00:00', endDateTime: '2031-04-06T00:00:00', timeZone: 'UTC' };

async function weeklySeries(emu: Emulator, subject: string): Promise<string> {
	const answer = await graphAs(emu, 'POST', '/me/events', {
		subject,
		start: utc('2031-01-06T09:00:00'),
		end: utc('2031-01-06T09:30:00'),
		recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: '2031-01-06', numberOfOccurrences: 4 } },
	});
	if (answer.status !== 201) throw new Error(`set-up series: ${answer.status}`);
	return answer.body.id;
}

function listRow(name: string, operation: string, resource: string, path: string, parameters: Record<string, unknown>, check: (json: Array<Record<string, unknown>>) => void): OperationRow {
	return {
		name,
		resource,
		operation,
		idempotent: true,
		target: `GET ${path}`,
		prepare: async () => ({
			parameters: { resource, operation, ...parameters },
			method: 'GET',
			pattern: `^${escapeRegex(path)}$`,
			checkOutput: (run) => check(run.output.map((item) => item.json)),
		}),
	};
}

export const CALENDAR_ACTION_ROWS: OperationRow[] = [
	responseRow('accept', 'accepted'),
	responseRow('tentativelyAccept', 'tentativelyAccepted'),
	responseRow('decline', 'declined'),
	{
		name: 'event.forward',
		resource: 'event',
		operation: 'forward',
		idempotent: false,
		target: 'POST /me/events/{id}/forward',
		prepare: async ({ emu, unique }) => {
			const event = await newEvent(emu, unique('meeting to forward'));
			return {
				parameters: { resource: 'event', operation: 'forward', eventId: byId(event.id), recipients: MEGAN.mail, comment: 'Fault matrix' },
				method: 'POST',
				pattern: `^/me/events/${escapeRegex(event.id)}/forward$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ forwarded: true }),
				// Forwarding adds Megan to the meeting once, however often it arrived.
				countEffect: async () => {
					const after = await graphAs(emu, 'GET', `/me/events/${encodeURIComponent(event.id)}`);
					return (after.body.attendees as Array<{ emailAddress: { address: string } }>).filter((a) => a.emailAddress.address === MEGAN.mail).length;
				},
			};
		},
	},
	{
		name: 'event.getInstances',
		resource: 'event',
		operation: 'getInstances',
		idempotent: true,
		target: 'GET /me/events/{id}/instances',
		prepare: async ({ emu, unique }) => {
			const seriesId = await weeklySeries(emu, unique('series'));
			return {
				parameters: { resource: 'event', operation: 'getInstances', eventId: byId(seriesId), ...WINDOW, returnAll: true },
				method: 'GET',
				pattern: `^/me/events/${escapeRegex(seriesId)}/instances$`,
				checkOutput: (run) => expect(run.output.map((item) => item.json.type)).toEqual(['occurrence', 'occurrence', 'occurrence', 'occurrence']),
			};
		},
	},
	{
		name: 'event.snoozeReminder',
		resource: 'event',
		operation: 'snoozeReminder',
		idempotent: false,
		target: 'POST /me/events/{id}/snoozeReminder',
		prepare: async ({ emu, unique }) => {
			const event = await newEvent(emu, unique('event to snooze'));
			return {
				parameters: { resource: 'event', operation: 'snoozeReminder', eventId: byId(event.id), newReminderTime: '2031-02-03T08:55:00', timeZone: 'UTC' },
				method: 'POST',
				pattern: `^/me/events/${escapeRegex(event.id)}/snoozeReminder$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ snoozed: true }),
			};
		},
	},
	{
		name: 'event.dismissReminder',
		resource: 'event',
		operation: 'dismissReminder',
		idempotent: false,
		target: 'POST /me/events/{id}/dismissReminder',
		prepare: async ({ emu, unique }) => {
			const event = await newEvent(emu, unique('event to dismiss'));
			return {
				parameters: { resource: 'event', operation: 'dismissReminder', eventId: byId(event.id) },
				method: 'POST',
				pattern: `^/me/events/${escapeRegex(event.id)}/dismissReminder$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ dismissed: true }),
			};
		},
	},
	listRow('calendar.get', 'get', 'calendar', '/me/calendar', {}, (json) => expect(json[0].isDefaultCalendar).toBe(true)),
	{
		name: 'calendar.calendarView',
		resource: 'calendar',
		operation: 'calendarView',
		idempotent: true,
		target: 'GET /me/calendarView',
		prepare: async ({ emu, unique }) => {
			const subject = unique('series in view');
			await weeklySeries(emu, subject);
			return {
				parameters: { resource: 'calendar', operation: 'calendarView', ...WINDOW, returnAll: true },
				method: 'GET',
				pattern: '^/me/calendarView$',
				checkOutput: (run) => expect(run.output.filter((item) => item.json.subject === subject)).toHaveLength(4),
			};
		},
	},
	{
		name: 'calendar.findMeetingTimes',
		resource: 'calendar',
		operation: 'findMeetingTimes',
		// A POST that only reads: the transport may repeat it.
		idempotent: true,
		target: 'POST /me/findMeetingTimes',
		prepare: async () => ({
			parameters: {
				resource: 'calendar',
				operation: 'findMeetingTimes',
				requiredAttendees: MEGAN.mail,
				startDateTime: '2031-03-10T08:00:00',
				endDateTime: '2031-03-10T10:00:00',
				maxCandidates: 2,
			},
			method: 'POST',
			pattern: '^/me/findMeetingTimes$',
			checkOutput: (run) => expect(run.output.map((item) => item.json.confidence)).toEqual([100, 100]),
		}),
	},
	listRow('room.getAll', 'getAll', 'room', '/places/microsoft.graph.room', {}, (json) => expect(json.map((room) => room.displayName)).toContain('Conf Room 101')),
	listRow('room.getRoomLists', 'getRoomLists', 'room', '/places/microsoft.graph.roomlist', {}, (json) => expect(json).toHaveLength(2)),
	listRow(
		'room.getRoomsInList',
		'getRoomsInList',
		'room',
		'/places/bldg1rooms@contoso.com/microsoft.graph.roomlist/rooms',
		{ roomListEmail: { __rl: true, mode: 'email', value: 'bldg1rooms@contoso.com' } },
		(json) => expect(json.map((room) => room.displayName)).toEqual(['Conf Room 100', 'Conf Room 101']),
	),
];
