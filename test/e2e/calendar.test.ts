/**
 * Calendar resource in real n8n against the emulator: List / Create / Update / Delete Calendar and
 * Get Schedule Availability, each with its happy path and its error paths (Graph errors, and bad input
 * refused before any request reaches the emulator).
 * Run: npm run build && npx jest test/e2e/calendar.test.ts
 */
import { ADELE, MEGAN, byId, graph, runOutlookNode, useE2E, type NodeRun, sortedByPath } from './support';

const ctx = useE2E();

/** Direct Graph call as a user (set-up and checks, outside n8n): the answer's JSON. */
async function calendarsOfAdele(): Promise<Array<{ id: string; name: string; isDefaultCalendar: boolean; color: string }>> {
	return (await graph(ctx, 'GET', '/me/calendars?$top=100')).value;
}

async function seedEvents(spec: Record<string, unknown>): Promise<void> {
	const response = await fetch(`${ctx.emu.url}/_emulator/seed/events`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(spec),
	});
	expect(response.status).toBe(201);
}

function requestSummary(run: NodeRun) {
	return run.graphRequests.map((r) => ({ method: r.method, path: r.path, query: r.query, body: r.body }));
}


function errorMessages(run: NodeRun): string[] {
	return run.output.map((item) => item.error?.message ?? '');
}

describe('List Calendars', () => {
	it('sends Page Limit and Page Skip as $top/$skip and outputs one item per calendar', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'getAll', limit: 1, skip: 1 },
		});
		expect(run.success).toBe(true);
		expect(requestSummary(run)).toEqual([{ method: 'GET', path: '/me/calendars', query: { $top: '1', $skip: '1' }, body: undefined }]);
		expect(run.output.map((item) => item.json.name)).toEqual(['Team']);
		expect(run.output[0].pairedItem).toEqual({ item: 0 });
	});

	it('Fetch All asks for the largest page and returns every calendar', async () => {
		const run = await runOutlookNode(ctx, { parameters: { resource: 'calendar', operation: 'getAll', returnAll: true } });
		expect(run.success).toBe(true);
		expect(requestSummary(run)).toEqual([{ method: 'GET', path: '/me/calendars', query: { $top: '1000' }, body: undefined }]);
		const expected = (await calendarsOfAdele()).map((calendar) => calendar.name);
		expect(run.output.map((item) => item.json.name)).toEqual(expected);
		expect(expected).toEqual(expect.arrayContaining(['Calendar', 'Team']));

		const filtered = await runOutlookNode(ctx, { parameters: { resource: 'calendar', operation: 'getAll', options: { filter: "name eq 'Team'" } } });
		expect(requestSummary(filtered)).toEqual([{ method: 'GET', path: '/me/calendars', query: { $top: '10', $filter: "name eq 'Team'" }, body: undefined }]);
		expect(filtered.output.map((item) => item.json.name)).toEqual(['Team']);
	});

	it("reports Graph's error with its code and request-id", async () => {
		ctx.emu.addFault({ method: 'GET', pathPattern: '/calendars$', kind: 'status', status: 403, code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
		const run = await runOutlookNode(ctx, { parameters: { resource: 'calendar', operation: 'getAll' } });
		ctx.emu.clearFaults();
		expect(run.success).toBe(false);
		expect(run.graphRequests).toHaveLength(1);
		expect(run.error?.message).toBe('Access denied by Microsoft Graph [ErrorAccessDenied]');
		expect(run.error?.description).toMatch(/Access is denied.*\(code: ErrorAccessDenied, request-id: [0-9a-f-]{36}\)/);
		expect(run.error?.description).toContain(run.graphRequests[0].requestId);
	});
});

describe('Create Calendar', () => {
	it('creates per item; with Continue On Fail a Graph error and a blank name only fail their own item', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'create', name: '={{ $json.name }}', color: 'lightRed' },
			items: [{ name: 'Projects' }, { name: 'Calendar' }, { name: '   ' }],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		// The blank name never reaches Graph.
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{ method: 'POST', path: '/me/calendars', query: {}, body: { name: 'Projects', color: 'lightRed' } },
			{ method: 'POST', path: '/me/calendars', query: {}, body: { name: 'Calendar', color: 'lightRed' } },
		]));
		expect(run.output).toHaveLength(3);
		expect(run.output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.output[0].json).toMatchObject({ name: 'Projects', color: 'lightRed', isDefaultCalendar: false });
		expect(run.output[0].json.id).toEqual(expect.any(String));
		expect(run.output[1].error).toMatchObject({
			name: 'NodeApiError',
			// Under Continue On Fail the message carries Graph's own words and request-id (n8n keeps only the message).
			message: expect.stringMatching(/^A folder with this name already exists here — .+ \(request-id: [0-9a-f-]{36}\) \[ErrorFolderExists\]$/),
		});
		expect(run.output[1].error.description).toMatch(/request-id: [0-9a-f-]{36}/);
		expect(run.output[2].error).toMatchObject({ name: 'NodeOperationError', message: 'Name is empty' });
		expect((await calendarsOfAdele()).filter((calendar) => calendar.name === 'Projects')).toHaveLength(1);
	});

	it('sends the default color auto', async () => {
		const run = await runOutlookNode(ctx, { parameters: { resource: 'calendar', operation: 'create', name: 'Holidays' } });
		expect(run.success).toBe(true);
		expect(requestSummary(run)).toEqual([{ method: 'POST', path: '/me/calendars', query: {}, body: { name: 'Holidays', color: 'auto' } }]);
		expect(run.output[0].json).toMatchObject({ name: 'Holidays', color: 'auto' });
	});
});

describe('Update Calendar', () => {
	it('sends only the given fields; an unknown calendar gets Graph 404', async () => {
		const team = (await calendarsOfAdele()).find((calendar) => calendar.name === 'Team')!;
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'calendar',
				operation: 'update',
				calendarId: byId('={{ $json.id }}'),
				updateFields: { name: 'Team Blue', color: 'lightBlue' },
			},
			items: [{ id: team.id }, { id: 'AAMkNoSuchCalendar=' }],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{ method: 'PATCH', path: `/me/calendars/${team.id}`, query: {}, body: { name: 'Team Blue', color: 'lightBlue' } },
			{ method: 'PATCH', path: '/me/calendars/AAMkNoSuchCalendar=', query: {}, body: { name: 'Team Blue', color: 'lightBlue' } },
		]));
		// The ID is percent-encoded in the URL ('=' -> %3D).
		expect(run.graphRequests.map((r) => r.url).join(' ')).toContain('/me/calendars/AAMkNoSuchCalendar%3D');
		expect(run.output[0].json).toMatchObject({ id: team.id, name: 'Team Blue', color: 'lightBlue' });
		expect(run.output[1].error?.message).toContain('[ErrorItemNotFound]');
		const after = (await calendarsOfAdele()).find((calendar) => calendar.id === team.id)!;
		expect(after).toMatchObject({ name: 'Team Blue', color: 'lightBlue', isDefaultCalendar: false });
	});

	it('refuses empty Update Fields before any request', async () => {
		const team = (await calendarsOfAdele()).find((calendar) => !calendar.isDefaultCalendar)!;
		const run = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'update', calendarId: byId(team.id), updateFields: {} },
		});
		expect(run.success).toBe(false);
		expect(run.error?.message).toBe('Update Fields is empty');
		expect(run.graphRequests).toEqual([]);
	});
});

describe('Delete Calendar', () => {
	it('outputs {deleted: true}; Graph refuses the default calendar; an empty Calendar is refused without a request', async () => {
		const calendars = await calendarsOfAdele();
		const holidays = calendars.find((calendar) => calendar.name === 'Holidays')!;
		const main = calendars.find((calendar) => calendar.isDefaultCalendar)!;
		const run = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'delete', calendarId: byId('={{ $json.id }}') },
			items: [{ id: holidays.id }, { id: main.id }, { id: '' }],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{ method: 'DELETE', path: `/me/calendars/${holidays.id}`, query: {}, body: undefined },
			{ method: 'DELETE', path: `/me/calendars/${main.id}`, query: {}, body: undefined },
		]));
		expect(run.output[0]).toMatchObject({ json: { deleted: true }, pairedItem: { item: 0 } });
		expect(run.output[1].error?.message).toMatch(/\[ErrorDeleteDistinguishedFolder\]$/);
		expect(run.output[2].error?.message).toBe('Calendar is empty');
		const names = (await calendarsOfAdele()).map((calendar) => calendar.name);
		expect(names).not.toContain('Holidays');
		expect(names).toContain('Calendar');
	});
});

describe('Get Schedule Availability', () => {
	const SCHEDULES = `${ADELE.mail}, ${MEGAN.mail}, nobody@contoso.com`;

	beforeAll(async () => {
		// Adele, 2030-03-04 (UTC): busy 08:00-09:00, tentative 09:00-09:30, out of office 10:30-11:00.
		await seedEvents({ userId: ADELE.userPrincipalName, start: '2030-03-04T08:00:00', count: 1, durationMinutes: 60, showAs: 'busy', subject: 'Sched busy' });
		await seedEvents({ userId: ADELE.userPrincipalName, start: '2030-03-04T09:00:00', count: 1, durationMinutes: 30, showAs: 'tentative', subject: 'Sched tentative' });
		await seedEvents({ userId: ADELE.userPrincipalName, start: '2030-03-04T10:30:00', count: 1, durationMinutes: 30, showAs: 'oof', subject: 'Sched oof' });
		// 2030-03-10 is the US change to daylight saving time: 10:00Z-11:00Z is 03:00-04:00 PDT.
		await seedEvents({ userId: ADELE.userPrincipalName, start: '2030-03-10T10:00:00', count: 1, durationMinutes: 60, showAs: 'busy', subject: 'Sched DST' });
	});

	it('sends the schedules and window, and decodes availabilityView per schedule in the chosen zone', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'calendar',
				operation: 'getSchedule',
				schedules: SCHEDULES,
				startDateTime: '={{ $json.start }}',
				endDateTime: '={{ $json.end }}',
				timeZone: '={{ $json.zone }}',
				availabilityViewInterval: 60,
			},
			items: [
				// Berlin is UTC+1 in early March: 09:00-12:30 local = 08:00-11:30Z.
				{ start: '2030-03-04T09:00:00', end: '2030-03-04T12:30:00', zone: 'W. Europe Standard Time' },
				// 01:00 PST to 04:00 PDT is two real hours.
				{ start: '2030-03-10T01:00:00', end: '2030-03-10T04:00:00', zone: 'Pacific Standard Time' },
			],
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(run.graphRequests.map((r) => ({ method: r.method, path: r.path, body: r.body, prefer: r.headers.prefer })))).toEqual(sortedByPath([
			{
				method: 'POST',
				path: '/me/calendar/getSchedule',
				prefer: 'outlook.timezone="W. Europe Standard Time"',
				body: {
					schedules: [ADELE.mail, MEGAN.mail, 'nobody@contoso.com'],
					startTime: { dateTime: '2030-03-04T09:00:00', timeZone: 'W. Europe Standard Time' },
					endTime: { dateTime: '2030-03-04T12:30:00', timeZone: 'W. Europe Standard Time' },
					availabilityViewInterval: 60,
				},
			},
			{
				method: 'POST',
				path: '/me/calendar/getSchedule',
				prefer: 'outlook.timezone="Pacific Standard Time"',
				body: {
					schedules: [ADELE.mail, MEGAN.mail, 'nobody@contoso.com'],
					startTime: { dateTime: '2030-03-10T01:00:00', timeZone: 'Pacific Standard Time' },
					endTime: { dateTime: '2030-03-10T04:00:00', timeZone: 'Pacific Standard Time' },
					availabilityViewInterval: 60,
				},
			},
		]));
		expect(run.output.map((item) => [item.json.scheduleId, item.pairedItem.item])).toEqual([
			[ADELE.mail, 0],
			[MEGAN.mail, 0],
			['nobody@contoso.com', 0],
			[ADELE.mail, 1],
			[MEGAN.mail, 1],
			['nobody@contoso.com', 1],
		]);

		const [adele, megan, nobody, adeleDst] = run.output.map((item) => item.json);
		expect(adele.availabilityView).toBe('2130');
		expect(adele.availability).toEqual([
			{ start: '2030-03-04T09:00:00', end: '2030-03-04T10:00:00', status: 'busy' },
			{ start: '2030-03-04T10:00:00', end: '2030-03-04T11:00:00', status: 'tentative' },
			{ start: '2030-03-04T11:00:00', end: '2030-03-04T12:00:00', status: 'oof' },
			{ start: '2030-03-04T12:00:00', end: '2030-03-04T12:30:00', status: 'free' },
		]);
		expect(adele.summary).toEqual({ free: 1, tentative: 1, busy: 1, oof: 1, workingElsewhere: 0 });
		// Graph's own fields stay, with the schedule items in the chosen zone (Prefer header).
		expect(adele.scheduleItems[0]).toMatchObject({
			status: 'busy',
			subject: 'Sched busy 1',
			start: { dateTime: '2030-03-04T09:00:00.0000000', timeZone: 'W. Europe Standard Time' },
		});
		expect(adele.workingHours).toBeDefined();

		expect(megan.availabilityView).toBe('0000');
		expect(megan.summary).toEqual({ free: 4, tentative: 0, busy: 0, oof: 0, workingElsewhere: 0 });

		// An address Graph cannot resolve keeps Graph's error and gets no decoding.
		expect(nobody.error).toMatchObject({ responseCode: 'ErrorMailRecipientNotFound' });
		expect(nobody.availability).toBeUndefined();

		// Slots step in real time across the DST change: the first local hour runs 01:00 -> 03:00.
		expect(adeleDst.availabilityView).toBe('02');
		expect(adeleDst.availability).toEqual([
			{ start: '2030-03-10T01:00:00', end: '2030-03-10T03:00:00', status: 'free' },
			{ start: '2030-03-10T03:00:00', end: '2030-03-10T04:00:00', status: 'busy' },
		]);
	});

	it('uses the default interval of 30 minutes and the Mailbox with client credentials', async () => {
		const run = await runOutlookNode(ctx, {
			authentication: 'clientCredentials',
			parameters: {
				resource: 'calendar',
				operation: 'getSchedule',
				mailbox: MEGAN.mail,
				schedules: ADELE.mail,
				startDateTime: '2030-03-04T08:00:00',
				endDateTime: '2030-03-04T09:30:00',
			},
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(requestSummary(run))).toEqual(sortedByPath([
			{
				method: 'POST',
				path: `/users/${MEGAN.mail}/calendar/getSchedule`,
				query: {},
				body: {
					schedules: [ADELE.mail],
					startTime: { dateTime: '2030-03-04T08:00:00', timeZone: 'UTC' },
					endTime: { dateTime: '2030-03-04T09:30:00', timeZone: 'UTC' },
					availabilityViewInterval: 30,
				},
			},
		]));
		expect(run.output[0].json.availabilityView).toBe('221');
		expect(run.output[0].json.summary).toEqual({ free: 0, tentative: 1, busy: 2, oof: 0, workingElsewhere: 0 });
	});

	it('refuses bad schedules, dates, zone, window and interval before any request, naming the field', async () => {
		const tooMany = Array.from({ length: 21 }, (_, i) => `user${i}@contoso.com`).join(', ');
		const run = await runOutlookNode(ctx, {
			parameters: {
				resource: 'calendar',
				operation: 'getSchedule',
				schedules: `={{ $json.schedules ?? "${ADELE.mail}" }}`,
				startDateTime: '={{ $json.start ?? "2030-03-04T09:00:00" }}',
				endDateTime: '={{ $json.end ?? "2030-03-04T12:00:00" }}',
				timeZone: '={{ $json.zone ?? "UTC" }}',
				availabilityViewInterval: '={{ $json.interval ?? 30 }}',
			},
			items: [
				{ schedules: `${ADELE.mail}, not-an-address` },
				{ schedules: tooMany },
				{ schedules: ' ' },
				{ end: '2030-03-04T08:00:00' },
				{ end: '2030-05-05T09:00:00' },
				{ zone: 'Mars Standard Time' },
				{ start: '2030-03-04T09:00:00Z' },
				{ end: 'tomorrow' },
				{ interval: 3 },
				{ interval: 240 },
			],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(run.graphRequests).toEqual([]);
		expect(errorMessages(run)).toEqual([
			'Schedules contains an invalid email address: "not-an-address"',
			'Schedules has 21 addresses; Microsoft Graph accepts at most 20',
			'Schedules is empty',
			'End At must be after Start At',
			'The time from Start At to End At must be less than 62 days',
			'Time Zone "Mars Standard Time" is not a time zone Microsoft Graph knows',
			'Start At "2030-03-04T09:00:00Z" is not an ISO date-time without offset',
			'End At "tomorrow" is not an ISO date-time without offset',
			'Interval must be a whole number of minutes from 5 to 1440',
			'Interval (240 minutes) is longer than the time from Start At to End At',
		]);
		expect(run.output.map((item) => item.pairedItem.item)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
	});
});
