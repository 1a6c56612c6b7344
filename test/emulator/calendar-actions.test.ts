import { startEmulator, type Emulator } from './index';

const ADELE = 'AdeleV@contoso.com';
const MEGAN = 'MeganB@contoso.com';

let emu: Emulator;
let adeleToken: string;
let meganToken: string;

async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
	const headers: Record<string, string> = { Authorization: `Bearer ${options.token ?? adeleToken}`, ...options.headers };
	if (options.body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(`${emu.url}/v1.0${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
	const text = await response.text();
	return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
	emu = await startEmulator();
	adeleToken = emu.issueToken({ userId: ADELE });
	meganToken = emu.issueToken({ userId: MEGAN });
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

/** A calendar of its own, so seeded events never fall into a window. */
async function emptyCalendar(token = adeleToken): Promise<string> {
	const created = await call('POST', '/me/calendars', { token, body: { name: `Test ${Math.random()}` } });
	return created.body.id as string;
}

const weeklyStandup = {
	subject: 'Standup',
	start: { dateTime: '2030-01-07T09:00:00', timeZone: 'W. Europe Standard Time' },
	end: { dateTime: '2030-01-07T09:30:00', timeZone: 'W. Europe Standard Time' },
	recurrence: {
		pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'], firstDayOfWeek: 'sunday' },
		range: { type: 'noEnd', startDate: '2030-01-07', recurrenceTimeZone: 'W. Europe Standard Time' },
	},
};
const threeMonths = 'startDateTime=2030-01-07T00:00:00Z&endDateTime=2030-04-07T00:00:00Z';

describe('recurrence expansion', () => {
	it('a weekly series over 3 months gives 13 occurrences in calendarView and /instances, wall-clock time kept across DST', async () => {
		const calendarId = await emptyCalendar();
		const master = await call('POST', `/me/calendars/${calendarId}/events`, { body: weeklyStandup });
		expect(master.status).toBe(201);
		expect(master.body.type).toBe('seriesMaster');

		const view = await call('GET', `/me/calendars/${calendarId}/calendarView?${threeMonths}&$top=50`, {
			headers: { Prefer: 'outlook.timezone="W. Europe Standard Time"' },
		});
		expect(view.status).toBe(200);
		expect(view.headers.get('preference-applied')).toBe('outlook.timezone="W. Europe Standard Time"');
		expect(view.body.value).toHaveLength(13);
		for (const occurrence of view.body.value) {
			expect(occurrence).toMatchObject({ type: 'occurrence', seriesMasterId: master.body.id, recurrence: null });
			expect(occurrence.start.dateTime).toMatch(/T09:00:00/);
		}
		// 30 March 2030 is after the EU switch to summer time: still 09:00 local, so 07:00 UTC.
		const utcView = await call('GET', `/me/calendars/${calendarId}/calendarView?${threeMonths}&$top=50`);
		expect(utcView.body.value[12].start.dateTime).toBe('2030-04-01T07:00:00.0000000');
		expect(utcView.body.value[0].start.dateTime).toBe('2030-01-07T08:00:00.0000000');

		const instances = await call('GET', `/me/events/${master.body.id}/instances?${threeMonths}&$top=50`);
		expect(instances.status).toBe(200);
		expect(instances.body.value.map((event: any) => event.id)).toEqual(view.body.value.map((event: any) => event.id));

		// /events still lists only the master.
		const list = await call('GET', `/me/calendars/${calendarId}/events`);
		expect(list.body.value).toHaveLength(1);
	});

	it('a changed occurrence is an exception, a deleted one is gone', async () => {
		const calendarId = await emptyCalendar();
		const master = await call('POST', `/me/calendars/${calendarId}/events`, { body: weeklyStandup });
		const first = await call('GET', `/me/events/${master.body.id}/instances?${threeMonths}&$top=50`);
		const [one, two] = first.body.value;
		const moved = await call('PATCH', `/me/events/${one.id}`, {
			body: { subject: 'Standup (moved)', start: { dateTime: '2030-01-07T11:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-07T11:30:00', timeZone: 'UTC' } },
		});
		expect(moved.status).toBe(200);
		expect(moved.body).toMatchObject({ type: 'exception', seriesMasterId: master.body.id, subject: 'Standup (moved)' });
		expect((await call('DELETE', `/me/events/${two.id}`)).status).toBe(204);

		const after = await call('GET', `/me/calendars/${calendarId}/calendarView?${threeMonths}&$top=50`);
		expect(after.body.value).toHaveLength(12);
		expect(after.body.value[0]).toMatchObject({ id: one.id, type: 'exception', start: { dateTime: '2030-01-07T11:00:00.0000000' } });
		expect(after.body.value.some((event: any) => event.id === two.id)).toBe(false);
		expect((await call('GET', `/me/events/${two.id}`)).status).toBe(404);
	});

	it('numbered and end-date ranges stop the series', async () => {
		const calendarId = await emptyCalendar();
		const numbered = { ...weeklyStandup, recurrence: { ...weeklyStandup.recurrence, range: { type: 'numbered', startDate: '2030-01-07', numberOfOccurrences: 5 } } };
		await call('POST', `/me/calendars/${calendarId}/events`, { body: numbered });
		const daily = {
			...weeklyStandup,
			subject: 'Daily',
			recurrence: { pattern: { type: 'daily', interval: 2 }, range: { type: 'endDate', startDate: '2030-01-07', endDate: '2030-01-15' } },
		};
		await call('POST', `/me/calendars/${calendarId}/events`, { body: daily });
		const view = await call('GET', `/me/calendars/${calendarId}/calendarView?${threeMonths}&$top=50`);
		const bySubject = (subject: string) => view.body.value.filter((event: any) => event.subject === subject).length;
		expect(bySubject('Standup')).toBe(5);
		expect(bySubject('Daily')).toBe(5); // 7, 9, 11, 13, 15 January
	});

	it('calendarView and /instances need both startDateTime and endDateTime, and at most 1825 days', async () => {
		const missing = await call('GET', '/me/calendarView?startDateTime=2030-01-01T00:00:00Z');
		expect(missing.status).toBe(400);
		expect(missing.body.error.code).toBe('ErrorInvalidParameter');
		const master = await call('POST', '/me/events', { body: weeklyStandup });
		expect((await call('GET', `/me/events/${master.body.id}/instances`)).status).toBe(400);
		const tooLong = await call('GET', '/me/calendarView?startDateTime=2030-01-01T00:00:00Z&endDateTime=2035-01-03T00:00:00Z');
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error.message).toMatch(/Maximum number of days: 1825/);
	});
});

async function meetingWithMegan(extra: Record<string, unknown> = {}) {
	const created = await call('POST', '/me/events', {
		body: {
			subject: 'Planning',
			start: { dateTime: '2030-02-04T10:00:00', timeZone: 'UTC' },
			end: { dateTime: '2030-02-04T11:00:00', timeZone: 'UTC' },
			attendees: [{ type: 'required', emailAddress: { address: MEGAN } }],
			...extra,
		},
	});
	const copies = await call('GET', `/me/calendarView?startDateTime=2030-02-04T00:00:00Z&endDateTime=2030-02-05T00:00:00Z`, { token: meganToken });
	const copy = copies.body.value.find((event: any) => event.subject === 'Planning');
	return { organizerEventId: created.body.id as string, copyId: copy.id as string };
}

describe('responding to invitations', () => {
	it('accept is 202 without body and shows on the organizer event; sendResponse false does not', async () => {
		const { organizerEventId, copyId } = await meetingWithMegan();
		const accepted = await call('POST', `/me/events/${copyId}/accept`, { token: meganToken, body: { comment: 'See you', sendResponse: true } });
		expect(accepted.status).toBe(202);
		expect(accepted.text).toBe('');
		const copy = await call('GET', `/me/events/${copyId}`, { token: meganToken });
		expect(copy.body.responseStatus.response).toBe('accepted');
		expect(copy.body.showAs).toBe('busy');
		const original = await call('GET', `/me/events/${organizerEventId}`);
		expect(original.body.attendees[0].status.response).toBe('accepted');

		const tentative = await call('POST', `/me/events/${copyId}/tentativelyAccept`, { token: meganToken, body: { sendResponse: false } });
		expect(tentative.status).toBe(202);
		expect((await call('GET', `/me/events/${organizerEventId}`)).body.attendees[0].status.response).toBe('accepted');
	});

	it('decline removes the copy; proposed new time rules are enforced', async () => {
		const { organizerEventId, copyId } = await meetingWithMegan();
		const proposedNewTime = { start: { dateTime: '2030-02-05T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-02-05T11:00:00', timeZone: 'UTC' } };
		const onAccept = await call('POST', `/me/events/${copyId}/accept`, { token: meganToken, body: { proposedNewTime } });
		expect(onAccept.status).toBe(400);
		expect(onAccept.body.error.code).toBe('RequestBodyRead');
		const silent = await call('POST', `/me/events/${copyId}/decline`, { token: meganToken, body: { proposedNewTime, sendResponse: false } });
		expect(silent.status).toBe(400);
		const declined = await call('POST', `/me/events/${copyId}/decline`, { token: meganToken, body: { comment: 'Busy', proposedNewTime } });
		expect(declined.status).toBe(202);
		expect((await call('GET', `/me/events/${copyId}`, { token: meganToken })).status).toBe(404);
		expect((await call('GET', `/me/events/${organizerEventId}`)).body.attendees[0].status.response).toBe('declined');
	});

	it('a proposal is refused when the organizer does not allow new times; the organizer cannot respond', async () => {
		const { organizerEventId, copyId } = await meetingWithMegan({ allowNewTimeProposals: false });
		const proposedNewTime = { start: { dateTime: '2030-02-05T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-02-05T11:00:00', timeZone: 'UTC' } };
		expect((await call('POST', `/me/events/${copyId}/tentativelyAccept`, { token: meganToken, body: { proposedNewTime } })).status).toBe(400);
		expect((await call('POST', `/me/events/${organizerEventId}/accept`, { body: {} })).status).toBe(400);
	});

	it('forward (PascalCase body) is 202 and invites the recipient', async () => {
		const created = await call('POST', '/me/events', {
			body: { subject: 'Review', start: { dateTime: '2030-02-06T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-02-06T11:00:00', timeZone: 'UTC' } },
		});
		const forwarded = await call('POST', `/me/events/${created.body.id}/forward`, {
			body: { ToRecipients: [{ EmailAddress: { Address: MEGAN, Name: 'Megan' } }], Comment: 'FYI' },
		});
		expect(forwarded.status).toBe(202);
		const copies = await call('GET', '/me/calendarView?startDateTime=2030-02-06T00:00:00Z&endDateTime=2030-02-07T00:00:00Z', { token: meganToken });
		expect(copies.body.value.map((event: any) => event.subject)).toContain('Review');
		const bad = await call('POST', `/me/events/${created.body.id}/forward`, { body: { ToRecipients: [{ EmailAddress: { Address: 'not an address' } }] } });
		expect(bad.status).toBe(400);
		expect(bad.body.error.code).toBe('ErrorInvalidRecipients');
	});

	it('snoozeReminder and dismissReminder answer 200 with no body', async () => {
		const created = await call('POST', '/me/events', {
			body: { subject: 'Remind', start: { dateTime: '2030-02-06T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-02-06T11:00:00', timeZone: 'UTC' } },
		});
		const snoozed = await call('POST', `/me/events/${created.body.id}/snoozeReminder`, {
			body: { newReminderTime: { dateTime: '2030-02-06T09:55:00', timeZone: 'UTC' } },
		});
		expect(snoozed.status).toBe(200);
		expect(snoozed.text).toBe('');
		expect((await call('POST', `/me/events/${created.body.id}/snoozeReminder`, { body: {} })).status).toBe(400);
		const dismissed = await call('POST', `/me/events/${created.body.id}/dismissReminder`);
		expect(dismissed.status).toBe(200);
		expect((await call('GET', `/me/events/${created.body.id}`)).body.isReminderOn).toBe(false);
	});
});

describe('findMeetingTimes', () => {
	const window = {
		activityDomain: 'work',
		timeSlots: [{ start: { dateTime: '2030-03-04T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-04T12:00:00', timeZone: 'UTC' } }],
	};

	it('averages 100 (free), 49 (unknown) and 0 (busy), sorts by confidence then time, honours Prefer', async () => {
		await call('POST', '/me/events', {
			token: meganToken,
			body: { subject: 'Busy', start: { dateTime: '2030-03-04T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-04T10:00:00', timeZone: 'UTC' } },
		});
		const res = await call('POST', '/me/findMeetingTimes', {
			headers: { Prefer: 'outlook.timezone="Pacific Standard Time"' },
			body: {
				attendees: [
					{ type: 'required', emailAddress: { address: MEGAN } },
					{ type: 'required', emailAddress: { address: 'outsider@fabrikam.com' } },
				],
				timeConstraint: window,
				meetingDuration: 'PT1H',
				minimumAttendeePercentage: '0',
				returnSuggestionReasons: 'true',
			},
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('preference-applied')).toBe('outlook.timezone="Pacific Standard Time"');
		const suggestions = res.body.meetingTimeSuggestions;
		expect(res.body.emptySuggestionsReason).toBe('');
		// 10:00-11:00 and later: Megan free (100) + unknown (49) → 74.5; before 10:00 Megan busy → 24.5.
		expect(suggestions[0]).toMatchObject({ order: 1, confidence: 74.5, organizerAvailability: 'free' });
		expect(suggestions[0].meetingTimeSlot.start).toEqual({ dateTime: '2030-03-04T02:00:00.0000000', timeZone: 'Pacific Standard Time' });
		expect(suggestions[0].attendeeAvailability.map((entry: any) => entry.availability)).toEqual(['free', 'unknown']);
		expect(suggestions.at(-1).confidence).toBe(24.5);
		expect(typeof suggestions[0].suggestionReason).toBe('string');
	});

	it('explains an empty result: organizer, attendees and locations', async () => {
		await call('POST', '/me/events', {
			body: { subject: 'Mine', start: { dateTime: '2030-03-04T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-04T12:00:00', timeZone: 'UTC' } },
		});
		const organizer = await call('POST', '/me/findMeetingTimes', { body: { timeConstraint: window } });
		expect(organizer.body).toMatchObject({ emptySuggestionsReason: 'organizerUnavailable', meetingTimeSuggestions: [] });

		const unknown = await call('POST', '/me/findMeetingTimes', {
			body: { isOrganizerOptional: true, timeConstraint: window, attendees: [{ type: 'required', emailAddress: { address: 'outsider@fabrikam.com' } }] },
		});
		expect(unknown.body.emptySuggestionsReason).toBe('attendeesUnavailableOrUnknown');

		// The room is booked by Megan's meeting all morning.
		await call('POST', '/me/events', {
			token: meganToken,
			body: {
				subject: 'Room booked',
				start: { dateTime: '2030-03-04T08:00:00', timeZone: 'UTC' },
				end: { dateTime: '2030-03-04T12:00:00', timeZone: 'UTC' },
				attendees: [{ type: 'resource', emailAddress: { address: 'cf101@contoso.com' } }],
			},
		});
		const rooms = await call('POST', '/me/findMeetingTimes', {
			body: {
				isOrganizerOptional: true,
				timeConstraint: window,
				locationConstraint: { isRequired: true, locations: [{ displayName: 'Conf Room 101', locationEmailAddress: 'cf101@contoso.com', resolveAvailability: true }] },
			},
		});
		expect(rooms.body.emptySuggestionsReason).toBe('locationsUnavailable');
	});

	it('is refused to app-only tokens (application permissions are not supported)', async () => {
		const app = emu.issueToken({ appOnly: true });
		const res = await call('POST', `/users/${ADELE}/findMeetingTimes`, { token: app, body: {} });
		expect(res.status).toBe(403);
		expect(res.body.error.code).toBe('ErrorAccessDenied');
	});

	it('work hours exclude the weekend; maxCandidates limits the answer', async () => {
		const weekend = {
			activityDomain: 'work',
			timeSlots: [{ start: { dateTime: '2030-03-02T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-04T10:00:00', timeZone: 'UTC' } }],
		};
		const res = await call('POST', '/me/findMeetingTimes', { body: { timeConstraint: weekend, maxCandidates: 2 } });
		expect(res.body.meetingTimeSuggestions).toHaveLength(2);
		expect(res.body.meetingTimeSuggestions[0].meetingTimeSlot.start.dateTime).toBe('2030-03-04T08:00:00.0000000');
		const anyHours = await call('POST', '/me/findMeetingTimes', { body: { timeConstraint: { ...weekend, activityDomain: 'unrestricted' }, maxCandidates: 1 } });
		expect(anyHours.body.meetingTimeSuggestions[0].meetingTimeSlot.start.dateTime).toBe('2030-03-02T08:00:00.0000000');
	});
});

describe('places', () => {
	it('lists rooms, room lists and the rooms of one list (by its email address)', async () => {
		const rooms = await call('GET', '/places/microsoft.graph.room');
		expect(rooms.status).toBe(200);
		expect(rooms.body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#places/microsoft.graph.room');
		expect(rooms.body.value.map((room: any) => room.emailAddress)).toContain('cf101@contoso.com');
		const lists = await call('GET', '/places/microsoft.graph.roomList');
		expect(lists.body['@odata.context']).toMatch(/microsoft\.graph\.roomList$/);
		const ofList = await call('GET', '/places/bldg2rooms@contoso.com/microsoft.graph.roomlist/rooms');
		expect(ofList.status).toBe(200);
		expect(ofList.body.value.map((room: any) => room.displayName)).toEqual(['Conf Room 200']);
		expect((await call('GET', '/places/nobody@contoso.com/microsoft.graph.roomlist/rooms')).status).toBe(404);
		const top = await call('GET', '/places/microsoft.graph.room?$top=1');
		expect(top.body.value).toHaveLength(1);
		expect(top.body['@odata.nextLink']).toBeDefined();
	});
});
