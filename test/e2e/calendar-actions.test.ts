/**
 * Invitations, reminders, recurring series, Calendar View, Find Meeting Times and rooms in real n8n against the
 * emulator (one n8n start for the file; each run is a manual run on the server).
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/calendar-actions.test.ts
 */
import { ADELE, CREDENTIAL_IDS, MEGAN, byId, graph, runOutlookNode, useE2E, type NodeRun, sortedByPath } from './support';

const ctx = useE2E();

function requestSummary(run: NodeRun) {
	return run.graphRequests.map((r) => ({ method: r.method, path: r.path, query: r.query, body: r.body }));
}

const utc = (dateTime: string) => ({ dateTime, timeZone: 'UTC' });

/** Adele invites Megan; returns Adele's event and Megan's copy. */
async function invite(subject: string, day: string): Promise<{ organizerId: string; copyId: string }> {
	const created = await graph(ctx, 'POST', '/me/events', {
		body: { subject, start: utc(`${day}T10:00:00`), end: utc(`${day}T11:00:00`), attendees: [{ type: 'required', emailAddress: { address: MEGAN.mail } }] },
	});
	const view = await graph(ctx, 'GET', `/me/calendarView?startDateTime=${day}T00:00:00Z&endDateTime=${day}T23:59:00Z&$top=100`, { userId: MEGAN.id });
	const copy = view.value.find((event: any) => event.subject === subject);
	return { organizerId: created.id, copyId: copy.id };
}

async function responseOf(organizerId: string): Promise<string> {
	return (await graph(ctx, 'GET', `/me/events/${organizerId}`)).attendees.find((a: any) => a.emailAddress.address === MEGAN.mail).status.response;
}

const asMegan = { authentication: 'clientCredentials' as const };

describe('Accept, Tentatively Accept, Decline, Forward', () => {
	it('accepts many invitations (a bad ID fails only its item) and declines many through $batch', async () => {
		const invites = [await invite('Batch A', '2030-05-06'), await invite('Batch B', '2030-05-07'), await invite('Batch C', '2030-05-08')];
		const run = await runOutlookNode(ctx, {
			...asMegan,
			parameters: { resource: 'event', operation: 'accept', mailbox: MEGAN.mail, eventId: byId('={{ $json.id }}'), comment: 'Count me in' },
			items: [...invites.map((entry) => ({ id: entry.copyId })), { id: 'AAMkNoSuchEvent=' }],
			continueOnFail: true,
		});
		expect(run.success).toBe(true);
		expect(sortedByPath(requestSummary(run))).toEqual(
			sortedByPath([
				...invites.map((entry) => ({ method: 'POST', path: `/users/${MEGAN.mail}/events/${entry.copyId}/accept`, query: {}, body: { sendResponse: true, comment: 'Count me in' } })),
				{ method: 'POST', path: `/users/${MEGAN.mail}/events/AAMkNoSuchEvent=/accept`, query: {}, body: { sendResponse: true, comment: 'Count me in' } },
			]),
		);
		expect(run.output.slice(0, 3).map((item) => item.json)).toEqual([0, 1, 2].map(() => ({ responded: true, response: 'accepted' })));
		expect(run.output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(run.output[3].error?.message).toContain('[ErrorItemNotFound]');
		for (const entry of invites) expect(await responseOf(entry.organizerId)).toBe('accepted');

		// With the token at hand, items that are ready together share a $batch (serial members, dependsOn chain).
		const more = [];
		for (let day = 10; day < 16; day++) more.push(await invite(`Batch ${day}`, `2030-06-${day}`));
		const batched = await runOutlookNode(ctx, {
			...asMegan,
			parameters: { resource: 'event', operation: 'decline', mailbox: MEGAN.mail, eventId: byId('={{ $json.id }}') },
			items: more.map((entry) => ({ id: entry.copyId })),
		});
		expect(batched.success).toBe(true);
		expect(batched.graphRequests.filter((r) => r.parentRequestId).length).toBeGreaterThan(0);
		for (const entry of more) expect(await responseOf(entry.organizerId)).toBe('declined');
	});

	it('refuses a proposed new time on Accept and with Send Response off, before any request', async () => {
		const { copyId } = await invite('Refusals', '2030-05-09');
		const proposal = { proposedStart: '2030-05-09T14:00:00', proposedEnd: '2030-05-09T15:00:00' };
		const accept = await runOutlookNode(ctx, {
			...asMegan,
			parameters: { resource: 'event', operation: 'accept', mailbox: MEGAN.mail, eventId: byId(copyId), options: proposal },
		});
		expect(accept.graphRequests).toEqual([]);
		expect(accept.error?.message).toBe('Accept cannot propose a new time');
		const decline = await runOutlookNode(ctx, {
			...asMegan,
			parameters: {
				resource: 'event',
				operation: 'decline',
				mailbox: MEGAN.mail,
				eventId: byId(copyId),
				sendResponse: '={{ $json.send }}',
				options: { ...proposal, proposedEnd: '={{ $json.end }}' },
			},
			items: [
				{ send: false, end: proposal.proposedEnd },
				{ send: true, end: '2030-05-09T13:00:00' },
			],
			continueOnFail: true,
		});
		expect(decline.graphRequests).toEqual([]);
		expect(decline.output.map((item) => item.error?.message)).toEqual([
			'A proposed new time needs Send Response on',
			'Propose New End must be after Propose New Start',
		]);
	});

	it('tentatively accepts with a proposal, declines without telling the organizer, forwards with PascalCase body', async () => {
		const first = await invite('Tentative', '2030-05-13');
		const tentative = await runOutlookNode(ctx, {
			...asMegan,
			parameters: {
				resource: 'event',
				operation: 'tentativelyAccept',
				mailbox: MEGAN.mail,
				eventId: byId(first.copyId),
				options: { proposedStart: '2030-05-13T14:00:00', proposedEnd: '2030-05-13T15:00:00', proposedTimeZone: 'W. Europe Standard Time' },
			},
		});
		expect(tentative.success).toBe(true);
		expect(requestSummary(tentative)[0].body).toEqual({
			sendResponse: true,
			proposedNewTime: {
				start: { dateTime: '2030-05-13T14:00:00', timeZone: 'W. Europe Standard Time' },
				end: { dateTime: '2030-05-13T15:00:00', timeZone: 'W. Europe Standard Time' },
			},
		});
		expect(tentative.graphRequests[0].status).toBe(202);
		expect(tentative.output[0].json).toEqual({ responded: true, response: 'tentativelyAccepted' });
		expect(await responseOf(first.organizerId)).toBe('tentativelyAccepted');

		const second = await invite('Silent decline', '2030-05-14');
		const declined = await runOutlookNode(ctx, {
			...asMegan,
			parameters: { resource: 'event', operation: 'decline', mailbox: MEGAN.mail, eventId: byId(second.copyId), sendResponse: false },
		});
		expect(declined.success).toBe(true);
		expect(requestSummary(declined)[0].body).toEqual({ sendResponse: false });
		expect(await responseOf(second.organizerId)).toBe('none');

		const forwarded = await runOutlookNode(ctx, {
			parameters: { resource: 'event', operation: 'forward', eventId: byId(first.organizerId), recipients: `${ADELE.mail}, x@fabrikam.com`, comment: 'FYI' },
		});
		expect(forwarded.success).toBe(true);
		expect(requestSummary(forwarded)).toEqual([
			{
				method: 'POST',
				path: `/me/events/${first.organizerId}/forward`,
				query: {},
				body: { ToRecipients: [{ EmailAddress: { Address: ADELE.mail } }, { EmailAddress: { Address: 'x@fabrikam.com' } }], Comment: 'FYI' },
			},
		]);
		expect(forwarded.output[0].json).toEqual({ forwarded: true });
		const badForward = await runOutlookNode(ctx, { parameters: { resource: 'event', operation: 'forward', eventId: byId(first.organizerId), recipients: 'not-an-address' } });
		expect(badForward.graphRequests).toEqual([]);
		expect(badForward.error?.message).toBe('Recipients contains an invalid email address: "not-an-address"');
	});
});

describe('Recurring series, Calendar View, reminders, Get Calendar', () => {
	it('expands a weekly series: Calendar View (all pages, limit, workflow time zone) and Get Instances; refuses bad windows', async () => {
		const calendar = await graph(ctx, 'POST', '/me/calendars', { body: { name: 'Standups' } });
		const master = await graph(ctx, 'POST', `/me/calendars/${calendar.id}/events`, {
			body: {
				subject: 'Standup',
				start: { dateTime: '2030-01-07T09:00:00', timeZone: 'W. Europe Standard Time' },
				end: { dateTime: '2030-01-07T09:30:00', timeZone: 'W. Europe Standard Time' },
				recurrence: {
					pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
					range: { type: 'noEnd', startDate: '2030-01-07', recurrenceTimeZone: 'W. Europe Standard Time' },
				},
			},
		});
		const window = { startDateTime: '2030-01-07T00:00:00', endDateTime: '2030-04-07T00:00:00', timeZone: 'W. Europe Standard Time' };
		const all = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'calendarView', calendarId: byId(calendar.id), ...window, returnAll: true },
		});
		expect(all.success).toBe(true);
		expect(all.graphRequests[0]).toMatchObject({
			path: `/me/calendars/${calendar.id}/calendarView`,
			query: { startDateTime: '2030-01-06T23:00:00Z', endDateTime: '2030-04-06T22:00:00Z', $top: '1000' },
		});
		// No Output Time Zone: the workflow's time zone (n8n's default America/New_York).
		expect(all.graphRequests[0].headers.prefer).toBe('outlook.timezone="America/New_York"');
		expect(all.output).toHaveLength(13);
		expect(all.output.every((item) => item.json.type === 'occurrence' && item.json.seriesMasterId === master.id)).toBe(true);
		expect(all.output[0].json.start).toEqual({ dateTime: '2030-01-07T03:00:00.0000000', timeZone: 'America/New_York' });

		const limited = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'calendarView', calendarId: byId(calendar.id), ...window, limit: 5, options: { outputTimeZone: 'UTC' } },
		});
		expect(limited.output).toHaveLength(5);
		expect(limited.graphRequests[0].query.$top).toBe('5');

		const instances = await runOutlookNode(ctx, {
			parameters: { resource: 'event', operation: 'getInstances', eventId: byId(master.id), ...window, returnAll: true, options: { outputTimeZone: 'W. Europe Standard Time' } },
		});
		expect(instances.success).toBe(true);
		expect(instances.graphRequests[0].path).toBe(`/me/events/${master.id}/instances`);
		expect(instances.output.map((item) => item.json.id)).toEqual(all.output.map((item) => item.json.id));
		expect(instances.output[12].json.start).toEqual({ dateTime: '2030-04-01T09:00:00.0000000', timeZone: 'W. Europe Standard Time' });

		const refused = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'calendarView', startDateTime: '={{ $json.start }}', endDateTime: '={{ $json.end }}', timeZone: '={{ $json.zone }}' },
			items: [
				{ start: '2030-02-01T00:00:00', end: '2030-01-01T00:00:00', zone: 'UTC' },
				{ start: '2030-01-01T00:00:00', end: '2035-01-03T00:00:00', zone: 'UTC' },
				{ start: '2030-01-01T00:00:00', end: '2030-01-02T00:00:00', zone: 'Mars/Olympus' },
			],
			continueOnFail: true,
		});
		expect(refused.graphRequests).toEqual([]);
		expect(refused.output.map((item) => item.error?.message)).toEqual([
			'End At must be after Start At',
			'The time from Start At to End At must be at most 1825 days',
			'Time Zone "Mars/Olympus" is not a time zone Microsoft Graph knows',
		]);
	});

	it('snoozes and dismisses a reminder (200, no body) and gets the default calendar or one by ID', async () => {
		const event = await graph(ctx, 'POST', '/me/events', { body: { subject: 'Reminder me', start: utc('2030-06-03T10:00:00'), end: utc('2030-06-03T11:00:00') } });
		const snoozed = await runOutlookNode(ctx, {
			parameters: { resource: 'event', operation: 'snoozeReminder', eventId: byId(event.id), newReminderTime: '2030-06-03T09:55:00', timeZone: 'UTC' },
		});
		expect(snoozed.success).toBe(true);
		expect(requestSummary(snoozed)).toEqual([
			{ method: 'POST', path: `/me/events/${event.id}/snoozeReminder`, query: {}, body: { newReminderTime: { dateTime: '2030-06-03T09:55:00', timeZone: 'UTC' } } },
		]);
		expect(snoozed.graphRequests[0].status).toBe(200);
		expect(snoozed.output[0].json).toEqual({ snoozed: true });
		const dismissed = await runOutlookNode(ctx, { parameters: { resource: 'event', operation: 'dismissReminder', eventId: byId(event.id) } });
		expect(dismissed.output[0].json).toEqual({ dismissed: true });
		expect((await graph(ctx, 'GET', `/me/events/${event.id}`)).isReminderOn).toBe(false);

		const calendars = (await graph(ctx, 'GET', '/me/calendars?$top=100')).value;
		const team = calendars.find((c: any) => c.name === 'Team');
		const got = await runOutlookNode(ctx, {
			parameters: { resource: 'calendar', operation: 'get', calendarId: byId('={{ $json.id }}') },
			items: [{ id: '' }, { id: team.id }],
		});
		expect(got.success).toBe(true);
		expect(sortedByPath(requestSummary(got)).map((r) => r.path)).toEqual(sortedByPath([
			{ method: 'GET', path: '/me/calendar' },
			{ method: 'GET', path: `/me/calendars/${team.id}` },
		]).map((r) => r.path));
		expect(got.output.map((item) => item.json.name)).toEqual(['Calendar', 'Team']);
	});
});

describe('Rooms and Find Meeting Times', () => {
	const room101 = { __rl: true, mode: 'list', value: 'cf101@contoso.com', cachedResultName: 'Conf Room 101' };

	it('lists rooms, room lists and the rooms of one list; the room and room-list pickers', async () => {
		const rooms = await runOutlookNode(ctx, { parameters: { resource: 'room', operation: 'getAll', returnAll: true } });
		expect(rooms.success).toBe(true);
		expect(rooms.graphRequests[0]).toMatchObject({ path: '/places/microsoft.graph.room', query: { $top: '1000' } });
		expect(rooms.output.map((item) => item.json.emailAddress)).toEqual(['cf100@contoso.com', 'cf101@contoso.com', 'cf200@contoso.com']);
		const lists = await runOutlookNode(ctx, { parameters: { resource: 'room', operation: 'getRoomLists' } });
		expect(lists.output.map((item) => item.json.emailAddress)).toEqual(['bldg1rooms@contoso.com', 'bldg2rooms@contoso.com']);
		const ofList = await runOutlookNode(ctx, {
			parameters: { resource: 'room', operation: 'getRoomsInList', roomListEmail: { __rl: true, mode: 'email', value: '={{ $json.list }}' } },
			items: [{ list: 'bldg2rooms@contoso.com' }, { list: 'bldg2rooms' }],
			continueOnFail: true,
		});
		expect(ofList.graphRequests.map((r) => r.path)).toEqual(['/places/bldg2rooms@contoso.com/microsoft.graph.roomlist/rooms']);
		expect(ofList.output[0].json.displayName).toBe('Conf Room 200');
		expect(ofList.output[1].error?.message).toBe('Room List "bldg2rooms" is not an email address');

		// The room picker's list, as the editor asks n8n for it.
		const picker = await ctx.n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
			path: 'parameters.room',
			nodeTypeAndVersion: { name: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExt', version: 1 },
			methodName: 'searchRooms',
			filter: '10',
			currentNodeParameters: { authentication: 'oAuth2', resource: 'calendar', operation: 'findMeetingTimes', mailbox: '' },
			credentials: { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
		});
		const listPicker = await ctx.n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
			path: 'parameters.roomListEmail',
			nodeTypeAndVersion: { name: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExt', version: 1 },
			methodName: 'searchRoomLists',
			currentNodeParameters: { authentication: 'oAuth2', resource: 'room', operation: 'getRoomsInList', mailbox: '' },
			credentials: { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
		});
		expect(listPicker.body.data.results).toEqual([
			{ name: 'Building 1 Rooms', value: 'bldg1rooms@contoso.com' },
			{ name: 'Building 2 Rooms', value: 'bldg2rooms@contoso.com' },
		]);
		expect(picker.status).toBe(200);
		expect(picker.body.data.results).toEqual([
			{ name: 'Conf Room 100', value: 'cf100@contoso.com', description: '50 seats, cf100@contoso.com' },
			{ name: 'Conf Room 101', value: 'cf101@contoso.com', description: '8 seats, cf101@contoso.com' },
		]);
	});

	it('suggests times with confidence and availability, with a room; explains an empty result; needs a signed-in user', async () => {
		await graph(ctx, 'POST', '/me/events', { userId: MEGAN.id, body: { subject: 'Megan busy', start: utc('2030-07-01T08:00:00'), end: utc('2030-07-01T10:00:00') } });
		const found = await runOutlookNode(ctx, {
			parameters: {
				resource: 'calendar',
				operation: 'findMeetingTimes',
				requiredAttendees: MEGAN.mail,
				optionalAttendees: 'guest@fabrikam.com',
				room: room101,
				meetingDuration: 60,
				startDateTime: '2030-07-01T08:00:00',
				endDateTime: '2030-07-01T12:00:00',
				timeZone: 'UTC',
				maxCandidates: 3,
				options: { minimumAttendeePercentage: 0 },
			},
		});
		expect(found.success).toBe(true);
		expect(found.graphRequests[0].headers.prefer).toBe('outlook.timezone="UTC"');
		expect(found.graphRequests[0].body).toEqual({
			attendees: [
				{ type: 'required', emailAddress: { address: MEGAN.mail } },
				{ type: 'optional', emailAddress: { address: 'guest@fabrikam.com' } },
			],
			timeConstraint: { activityDomain: 'work', timeSlots: [{ start: utc('2030-07-01T08:00:00'), end: utc('2030-07-01T12:00:00') }] },
			meetingDuration: 'PT60M',
			maxCandidates: 3,
			isOrganizerOptional: false,
			returnSuggestionReasons: true,
			minimumAttendeePercentage: 0,
			locationConstraint: {
				isRequired: true,
				suggestLocation: false,
				locations: [{ displayName: 'Conf Room 101', locationEmailAddress: 'cf101@contoso.com', resolveAvailability: true }],
			},
		});
		expect(found.output).toHaveLength(3);
		expect(found.output[0].json).toMatchObject({
			order: 1,
			confidence: 74.5,
			organizerAvailability: 'free',
			meetingTimeSlot: { start: { dateTime: '2030-07-01T10:00:00.0000000', timeZone: 'UTC' } },
			locations: [{ displayName: 'Conf Room 101', locationEmailAddress: 'cf101@contoso.com' }],
		});
		expect((found.output[0].json.attendeeAvailability as any[]).map((entry) => entry.availability)).toEqual(['free', 'unknown']);

		const none = await runOutlookNode(ctx, {
			parameters: {
				resource: 'calendar',
				operation: 'findMeetingTimes',
				requiredAttendees: `${MEGAN.mail}, outsider@fabrikam.com`,
				startDateTime: '2030-07-01T08:00:00',
				endDateTime: '2030-07-01T10:00:00',
				timeZone: 'UTC',
			},
		});
		expect(none.output).toEqual([
			expect.objectContaining({
				json: {
					meetingTimeSuggestions: [],
					emptySuggestionsReason: 'attendeesUnavailableOrUnknown',
					emptySuggestionsReasonText: expect.stringContaining('unknown availability'),
				},
			}),
		]);

		const appOnly = await runOutlookNode(ctx, {
			authentication: 'clientCredentials',
			parameters: { resource: 'calendar', operation: 'findMeetingTimes', mailbox: ADELE.mail, startDateTime: '2030-07-01T08:00:00', endDateTime: '2030-07-01T10:00:00' },
		});
		expect(appOnly.graphRequests).toEqual([]);
		expect(appOnly.error?.message).toBe('Find Meeting Times needs a signed-in user');
	});

	it('books a room on Create Event and adds one on Update Event without dropping attendees', async () => {
		const created = await runOutlookNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'create',
				subject: 'Room booking',
				startDateTime: '2030-07-02T10:00:00',
				endDateTime: '2030-07-02T11:00:00',
				timeZone: 'UTC',
				room: room101,
				attendees: { attendee: [{ type: 'required', emails: MEGAN.mail }] },
			},
		});
		expect(created.success).toBe(true);
		const createBody = created.graphRequests[0].body as any;
		expect(createBody.attendees).toEqual([
			{ emailAddress: { address: MEGAN.mail }, type: 'required' },
			{ emailAddress: { address: 'cf101@contoso.com', name: 'Conf Room 101' }, type: 'resource' },
		]);
		expect(createBody.location).toEqual({ displayName: 'Conf Room 101', locationEmailAddress: 'cf101@contoso.com', locationType: 'conferenceRoom' });

		const updated = await runOutlookNode(ctx, {
			parameters: { resource: 'event', operation: 'update', eventId: byId(String(created.output[0].json.id)), room: { __rl: true, mode: 'email', value: 'cf200@contoso.com' } },
		});
		expect(updated.success).toBe(true);
		expect(updated.graphRequests.map((r) => r.method)).toEqual(['GET', 'PATCH']);
		const attendees = (updated.output[0].json.attendees as any[]).map((a) => a.emailAddress.address);
		expect(attendees).toEqual([MEGAN.mail, 'cf101@contoso.com', 'cf200@contoso.com']);
	});
});
