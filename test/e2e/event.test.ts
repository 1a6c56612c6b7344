/**
 * Event resource in real n8n against the emulator: Create / Get / List / Update / Cancel / Delete Event,
 * each with its happy path and its error paths (Graph errors, and bad input refused before any request).
 * Run: npm run build && npx jest test/e2e/event.test.ts
 */
import { ADELE, MEGAN, byId, graph, runOutlookNode, useE2E, type NodeRun, sortedByPath } from './support';

const ctx = useE2E();
let teamCalendarId: string;

beforeAll(async () => {
	const calendars = (await graph(ctx, 'GET', '/me/calendars')).value as Array<{ id: string; name: string }>;
	teamCalendarId = calendars.find((calendar) => calendar.name === 'Team')!.id;
});

async function eventsWithSubject(subject: string, userId = ADELE.id): Promise<any[]> {
	const filter = encodeURIComponent(`subject eq '${subject.replace(/'/g, "''")}'`);
	return (await graph(ctx, 'GET', `/me/events?$filter=${filter}`, { userId })).value;
}

async function createEventDirectly(subject: string, attendees: string[] = []): Promise<any> {
	const created = await graph(ctx, 'POST', '/me/events', {
		body: {
			subject,
			start: { dateTime: '2030-06-01T09:00:00', timeZone: 'UTC' },
			end: { dateTime: '2030-06-01T10:00:00', timeZone: 'UTC' },
			attendees: attendees.map((address) => ({ emailAddress: { address }, type: 'required' })),
		},
	});
	expect(created.status).toBe(201);
	return created;
}

function requestSummary(run: NodeRun) {
	return run.graphRequests.map((r) => ({ method: r.method, path: r.path, query: r.query, body: r.body }));
}


function errorMessages(run: NodeRun): string[] {
	return run.output.map((item) => item.error?.message ?? '');
}

const ATTENDEES_DATA = JSON.stringify([
	{ email: 'ALEX@fabrikam.com', name: 'Alex Wilber', type: 'optional' },
	'new.person@fabrikam.com',
	{ email: 'lee@fabrikam.com', name: 'Lee Gu', type: 'Optional' },
	'meganb@CONTOSO.com',
]);

const MERGED_ATTENDEES = [
	{ emailAddress: { address: MEGAN.mail }, type: 'required' },
	{ emailAddress: { address: 'alex@fabrikam.com' }, type: 'required' },
	{ emailAddress: { address: 'room1@contoso.com' }, type: 'resource' },
	{ emailAddress: { address: 'new.person@fabrikam.com' }, type: 'required' },
	{ emailAddress: { address: 'lee@fabrikam.com', name: 'Lee Gu' }, type: 'optional' },
];

describe('Create Event', () => {
	it('creates in the default or a chosen calendar with merged, de-duplicated attendees; Graph 404 for an unknown calendar', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'create',
				calendarId: byId('={{ $json.calendarId ?? "" }}'),
				subject: '={{ $json.subject }}',
				startDateTime: '={{ $json.start }}',
				endDateTime: '={{ $json.end }}',
				timeZone: 'Pacific Standard Time',
				body: '<p>Agenda: <b>roadmap</b></p>',
				location: 'Conference Room 1',
				attendees: {
					attendee: [
						{ type: 'required', emails: `${MEGAN.mail}, alex@fabrikam.com` },
						{ type: 'resource', emails: 'room1@contoso.com' },
					],
				},
				attendeesDataCollection: ATTENDEES_DATA,
				additionalFields: {
					showAs: 'tentative',
					importance: 'high',
					sensitivity: 'private',
					isOnlineMeeting: true,
					hideAttendees: true,
					reminderMinutesBeforeStart: 30,
					categories: 'Red category, Project Alpha',
				},
			},
			items: [
				{ subject: 'Roadmap review', start: '2030-04-01T09:00:00', end: '2030-04-01T10:30:00' },
				{ subject: 'Team roadmap', start: '2030-04-02T09:00:00', end: '2030-04-02T10:00:00', calendarId: teamCalendarId },
				{ subject: 'Nowhere', start: '2030-04-03T09:00:00', end: '2030-04-03T10:00:00', calendarId: 'AAMkNoSuchCalendar' },
			],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		const expectedBody = (subject: string, day: string, endTime: string) => ({
			subject,
			start: { dateTime: `2030-04-${day}T09:00:00`, timeZone: 'Pacific Standard Time' },
			end: { dateTime: `2030-04-${day}T${endTime}`, timeZone: 'Pacific Standard Time' },
			body: { contentType: 'html', content: '<p>Agenda: <b>roadmap</b></p>' },
			location: { displayName: 'Conference Room 1' },
			attendees: MERGED_ATTENDEES,
			importance: 'high',
			sensitivity: 'private',
			showAs: 'tentative',
			hideAttendees: true,
			isOnlineMeeting: true,
			reminderMinutesBeforeStart: 30,
			categories: ['Red category', 'Project Alpha'],
		});
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{ method: 'POST', path: '/me/events', query: {}, body: expectedBody('Roadmap review', '01', '10:30:00') },
			{ method: 'POST', path: `/me/calendars/${teamCalendarId}/events`, query: {}, body: expectedBody('Team roadmap', '02', '10:00:00') },
			{ method: 'POST', path: '/me/calendars/AAMkNoSuchCalendar/events', query: {}, body: expectedBody('Nowhere', '03', '10:00:00') },
		]));
		expect(run.graphRequests.map((r) => r.headers.prefer)).toEqual(Array(3).fill('outlook.timezone="Pacific Standard Time"'));

		expect(run.output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.output[0].json).toMatchObject({
			subject: 'Roadmap review',
			isOrganizer: true,
			showAs: 'tentative',
			start: { dateTime: '2030-04-01T09:00:00.0000000', timeZone: 'Pacific Standard Time' },
			end: { dateTime: '2030-04-01T10:30:00.0000000', timeZone: 'Pacific Standard Time' },
			location: expect.objectContaining({ displayName: 'Conference Room 1' }),
			categories: ['Red category', 'Project Alpha'],
			hideAttendees: true,
		});
		expect(run.output[0].json.attendees).toHaveLength(5);
		expect(run.output[1].json).toMatchObject({ subject: 'Team roadmap' });
		expect(run.output[2].error?.message).toContain('[ErrorItemNotFound]');

		// Megan, a mailbox user, got her copy of the meeting.
		const copies = await eventsWithSubject('Roadmap review', MEGAN.id);
		expect(copies).toHaveLength(1);
		expect(copies[0].isOrganizer).toBe(false);
		const inTeam = (await graph(ctx, 'GET', `/me/calendars/${teamCalendarId}/events?$top=100`)).value.map((e: any) => e.subject);
		expect(inTeam).toContain('Team roadmap');
	});

	it('refuses bad attendees, dates, zone and all-day times before any request, naming the field', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'create',
				subject: 'Bad input',
				startDateTime: '={{ $json.start ?? "2030-04-05T09:00:00" }}',
				endDateTime: '={{ $json.end ?? "2030-04-05T10:00:00" }}',
				timeZone: '={{ $json.zone ?? "UTC" }}',
				attendees: { attendee: [{ type: 'required', emails: `={{ $json.emails ?? "${MEGAN.mail}" }}` }] },
				attendeesDataCollection: '={{ $json.data ?? "" }}',
				additionalFields: { isAllDay: '={{ $json.allDay ?? false }}' },
			},
			items: [
				{ emails: `${MEGAN.mail}, not-an-address` },
				{ data: '[{"email": "a@contoso.com"' },
				{ data: '{"email": "a@contoso.com"}' },
				{ data: '["nope"]' },
				{ data: '[{"email": "a@contoso.com", "type": "chair"}]' },
				{ data: '[42]' },
				{ data: '[{"name": "No Address"}]' },
				{ end: '2030-04-05T08:00:00' },
				{ zone: 'Nowhere Standard Time' },
				{ start: '2030-04-05T09:00:00+02:00' },
				{ allDay: true },
			],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(run.graphRequests).toEqual([]);
		expect(errorMessages(run)).toEqual([
			'Attendees contains an invalid email address: "not-an-address"',
			'Attendees Data Collection is not valid JSON',
			'Attendees Data Collection must be a JSON array',
			'Attendees Data Collection entry 1: "nope" is not a valid email address',
			'Attendees Data Collection entry 1: type "chair" is not an attendee type',
			'Attendees Data Collection entry 1 is neither an address nor an object',
			'Attendees Data Collection entry 1: "email" is missing or not a valid email address',
			'End At must be after Start At',
			'Time Zone "Nowhere Standard Time" is not a time zone Microsoft Graph knows',
			'Start At "2030-04-05T09:00:00+02:00" is not an ISO date-time without offset',
			'An all-day event must start and end at midnight',
		]);
	});
});

describe('Get Calendar Event', () => {
	it('gets by ID with Output Time Zone as Prefer header; Graph 404; a bad zone is refused without a request', async () => {
		const [event] = await eventsWithSubject('Roadmap review');
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'get',
				calendarId: byId(teamCalendarId), // only narrows the editor's list: the GET stays /me/events/{id}
				eventId: byId('={{ $json.id }}'),
				options: { outputTimeZone: '={{ $json.zone ?? "UTC" }}', select: 'subject,start' },
			},
			items: [
				{ id: event.id, zone: 'Tokyo Standard Time' },
				{ id: 'AAMkNoSuchEvent' },
				{ id: event.id, zone: 'Mars/Olympus' },
			],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(run.graphRequests.map((r) => ({ method: r.method, path: r.path, prefer: r.headers.prefer })))).toEqual(sortedByPath([
			{ method: 'GET', path: `/me/events/${event.id}`, prefer: 'outlook.timezone="Tokyo Standard Time"' },
			{ method: 'GET', path: '/me/events/AAMkNoSuchEvent', prefer: 'outlook.timezone="UTC"' },
		]));
		// 09:00 PDT = 16:00Z = 01:00 the next day in Tokyo.
		expect(run.output[0].json).toMatchObject({
			id: event.id,
			subject: 'Roadmap review',
			start: { dateTime: '2030-04-02T01:00:00.0000000', timeZone: 'Tokyo Standard Time' },
		});
		// Select Fields: only the properties asked for ($select), id always.
		expect(run.graphRequests.every((r) => r.query?.$select === 'subject,start')).toBe(true);
		expect(run.output[0].json.attendees).toBeUndefined();
		expect(run.output[1].error?.message).toContain('[ErrorItemNotFound]');
		expect(run.output[2].error?.message).toBe('Output Time Zone "Mars/Olympus" is not a time zone Microsoft Graph knows');
	});
});

describe('List Events', () => {
	it('lists one calendar or all, with Filter, Order By, Page Limit and Output Time Zone; Graph 404 for an unknown calendar', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'getAll',
				calendarId: byId('={{ $json.calendarId ?? "" }}'),
				limit: 2,
				options: {
					filter: "start/dateTime ge '2030-01-01T00:00:00'",
					orderBy: 'start/dateTime desc',
					outputTimeZone: 'W. Europe Standard Time',
				},
			},
			items: [{ calendarId: teamCalendarId }, {}, { calendarId: 'AAMkNoSuchCalendar' }],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		const query = { $top: '2', $filter: "start/dateTime ge '2030-01-01T00:00:00'", $orderby: 'start/dateTime desc' };
		expect(sortedByPath(requestSummary(run))).toEqual(
			sortedByPath([
				{ method: 'GET', path: `/me/calendars/${teamCalendarId}/events`, query, body: undefined },
				{ method: 'GET', path: '/me/events', query, body: undefined },
				{ method: 'GET', path: '/me/calendars/AAMkNoSuchCalendar/events', query, body: undefined },
			]),
		);
		expect(run.graphRequests.every((r) => r.headers.prefer === 'outlook.timezone="W. Europe Standard Time"')).toBe(true);
		expect(run.output.map((item) => [item.json.subject, item.error ? 'error' : item.pairedItem.item])).toEqual([
			['Team roadmap', 0],
			['Team roadmap', 1],
			['Roadmap review', 1],
			[undefined, 'error'],
		]);
		// 09:00 PDT = 18:00 in Berlin (CEST).
		expect(run.output[0].json.start).toEqual({ dateTime: '2030-04-02T18:00:00.0000000', timeZone: 'W. Europe Standard Time' });
		expect(run.output[3].error?.message).toContain('[ErrorItemNotFound]');
	});

	it("Fetch All asks for the largest page and returns all events of another mailbox (client credentials + Mailbox)", async () => {
		const expected = (await graph(ctx, 'GET', '/me/events?$top=1000', { userId: MEGAN.id })).value.map((e: any) => e.id);
		const run = await runOutlookNode(ctx, {
			authentication: 'clientCredentials',
			parameters: { resource: 'event', operation: 'getAll', mailbox: MEGAN.mail, returnAll: true },
		});
		expect(run.success).toBe(true);
		expect(requestSummary(run)).toEqual([{ method: 'GET', path: `/users/${MEGAN.mail}/events`, query: { $top: '1000' }, body: undefined }]);
		expect(expected.length).toBeGreaterThan(3);
		expect(run.output.map((item) => item.json.id)).toEqual(expected);
	});
});

describe('Update Event', () => {
	it('PATCHes only the given fields (times with their zone, attendees replaced); Graph 404 for an unknown event', async () => {
		const [event] = await eventsWithSubject('Team roadmap');
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'update',
				eventId: byId('={{ $json.id }}'),
				updateFields: {
					subject: 'Team roadmap (moved)',
					startDateTime: '2030-04-02T11:00:00',
					endDateTime: '2030-04-02T12:00:00',
					timeZone: 'W. Europe Standard Time',
					attendeesDataCollection: JSON.stringify([MEGAN.mail, { email: 'lee@fabrikam.com', type: 'optional' }]),
				},
			},
			items: [{ id: event.id }, { id: 'AAMkNoSuchEvent' }],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		const body = {
			subject: 'Team roadmap (moved)',
			start: { dateTime: '2030-04-02T11:00:00', timeZone: 'W. Europe Standard Time' },
			end: { dateTime: '2030-04-02T12:00:00', timeZone: 'W. Europe Standard Time' },
			attendees: [
				{ emailAddress: { address: MEGAN.mail }, type: 'required' },
				{ emailAddress: { address: 'lee@fabrikam.com' }, type: 'optional' },
			],
		};
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{ method: 'PATCH', path: `/me/events/${event.id}`, query: {}, body },
			{ method: 'PATCH', path: '/me/events/AAMkNoSuchEvent', query: {}, body },
		]));
		expect(run.graphRequests[0].headers.prefer).toBe('outlook.timezone="W. Europe Standard Time"');
		expect(run.output[0].json).toMatchObject({
			id: event.id,
			subject: 'Team roadmap (moved)',
			start: { dateTime: '2030-04-02T11:00:00.0000000', timeZone: 'W. Europe Standard Time' },
			// Untouched fields keep their values.
			showAs: 'tentative',
			location: expect.objectContaining({ displayName: 'Conference Room 1' }),
		});
		expect(run.output[0].json.attendees).toHaveLength(2);
		expect(run.output[1].error?.message).toContain('[ErrorItemNotFound]');
	});

	it('sends a single field alone', async () => {
		const [event] = await eventsWithSubject('Team roadmap (moved)');
		const run = await runOutlookNode(ctx, {
			parameters: { resource: 'event', operation: 'update', eventId: byId(event.id), updateFields: { showAs: 'oof' } },
		});
		expect(run.success).toBe(true);
		expect(requestSummary(run)).toEqual([{ method: 'PATCH', path: `/me/events/${event.id}`, query: {}, body: { showAs: 'oof' } }]);
		expect(run.output[0].json).toMatchObject({ subject: 'Team roadmap (moved)', showAs: 'oof' });
	});

	it('refuses a time without zone, a zone without time, end before start and nothing to change, before any request', async () => {
		const [event] = await eventsWithSubject('Team roadmap (moved)');
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'update',
				eventId: byId(event.id),
				updateFields: {
					startDateTime: '={{ $json.start ?? "" }}',
					endDateTime: '={{ $json.end ?? "" }}',
					timeZone: '={{ $json.zone ?? "" }}',
				},
			},
			items: [
				{ start: '2030-04-02T11:00:00' },
				{ zone: 'UTC' },
				{ start: '2030-04-02T11:00:00', end: '2030-04-02T10:00:00', zone: 'UTC' },
				{},
			],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(run.graphRequests).toEqual([]);
		expect(errorMessages(run)).toEqual([
			'Start At needs a Time Zone',
			'Time Zone is given without Start At or End At',
			'End At must be after Start At',
			'Update Fields is empty',
		]);
	});
});

describe('Cancel Event', () => {
	it("as an attendee: Graph's 400 is explained, keeping Graph's code and request-id", async () => {
		// Megan's copy of a meeting Adele organizes; the app-only credential acts on Megan's mailbox.
		const [copy] = await eventsWithSubject('Roadmap review', MEGAN.id);
		expect(copy.isOrganizer).toBe(false);
		const run = await runOutlookNode(ctx, {
			authentication: 'clientCredentials',
			parameters: { resource: 'event', operation: 'cancel', mailbox: MEGAN.mail, eventId: byId(copy.id), comment: 'Cannot make it' },
		});
		expect(run.success).toBe(false);
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{ method: 'POST', path: `/users/${MEGAN.mail}/events/${copy.id}/cancel`, query: {}, body: { comment: 'Cannot make it' } },
		]));
		expect(run.graphRequests[0].status).toBe(400);
		expect(run.error?.message).toBe('Only the organizer can cancel a meeting; attendees can decline it instead [ErrorAccessDenied]');
		expect(run.error?.description).toContain('You need to be an organizer to cancel a meeting.');
		expect(run.error?.description).toContain(`(code: ErrorAccessDenied, request-id: ${run.graphRequests[0].requestId})`);
		// Nothing was cancelled.
		expect(await eventsWithSubject('Roadmap review', MEGAN.id)).toHaveLength(1);
	});

	it('as the organizer: sends the comment, outputs {cancelled: true} and the attendees lose the meeting', async () => {
		const [meeting] = await eventsWithSubject('Roadmap review');
		const other = await createEventDirectly('Cancel without comment');
		const run = await runOutlookNode(ctx, {
			parameters: { resource: 'event', operation: 'cancel', eventId: byId('={{ $json.id }}'), comment: '={{ $json.comment }}' },
			items: [
				{ id: meeting.id, comment: 'Sorry, postponed' },
				{ id: other.id, comment: '' },
				{ id: 'AAMkNoSuchEvent', comment: 'x' },
			],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(requestSummary(run))).toEqual(
			sortedByPath([
				{ method: 'POST', path: `/me/events/${meeting.id}/cancel`, query: {}, body: { comment: 'Sorry, postponed' } },
				{ method: 'POST', path: `/me/events/${other.id}/cancel`, query: {}, body: {} },
				{ method: 'POST', path: '/me/events/AAMkNoSuchEvent/cancel', query: {}, body: { comment: 'x' } },
			]),
		);
		expect(run.output.map((item) => item.json)).toEqual([
			{ cancelled: true },
			{ cancelled: true },
			expect.objectContaining({ error: expect.stringContaining('[ErrorItemNotFound]') }),
		]);
		// A 404 is not the organizer case: Graph's own wording stays.
		expect(run.output[2].error?.message).not.toContain('organizer');
		expect(await eventsWithSubject('Roadmap review')).toEqual([]);
		expect(await eventsWithSubject('Roadmap review', MEGAN.id)).toEqual([]);
	});
});

describe('Delete Event', () => {
	it('outputs {deleted: true}; Graph 404 for an unknown event; an empty Event is refused without a request', async () => {
		const doomed = await createEventDirectly('Delete me', [MEGAN.mail]);
		const run = await runOutlookNode(ctx, {
			parameters: { resource: 'event', operation: 'delete', eventId: byId('={{ $json.id }}') },
			items: [{ id: doomed.id }, { id: 'AAMkNoSuchEvent' }, { id: ' ' }],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{ method: 'DELETE', path: `/me/events/${doomed.id}`, query: {}, body: undefined },
			{ method: 'DELETE', path: '/me/events/AAMkNoSuchEvent', query: {}, body: undefined },
		]));
		expect(run.output[0]).toMatchObject({ json: { deleted: true }, pairedItem: { item: 0 } });
		expect(run.output[1].error?.message).toContain('[ErrorItemNotFound]');
		expect(run.output[2].error?.message).toBe('Event is empty');
		expect(await eventsWithSubject('Delete me')).toEqual([]);
		expect(await eventsWithSubject('Delete me', MEGAN.id)).toEqual([]);
	});
});
