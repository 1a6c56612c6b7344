import { startEmulator, type Emulator } from './index';
import { availabilityView } from './calendar-schedule';
import type { ChangeEvent } from './types';

const ADELE = 'AdeleV@contoso.com';
const MEGAN = 'MeganB@contoso.com';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

interface GraphResponse {
	status: number;
	headers: Headers;
	body: any;
	text: string;
}

let emu: Emulator;
let adeleToken: string;
let meganToken: string;
let appToken: string;

async function call(
	method: string,
	path: string,
	options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<GraphResponse> {
	const headers: Record<string, string> = { ...options.headers };
	const token = options.token ?? adeleToken;
	if (token) headers.Authorization = `Bearer ${token}`;
	if (options.body !== undefined) headers['Content-Type'] = 'application/json';
	const url = path.startsWith('http') ? path : `${emu.url}${path.startsWith('/_emulator') ? '' : '/v1.0'}${path}`;
	const response = await fetch(url, {
		method,
		headers,
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	});
	const text = await response.text();
	let body: any;
	try {
		body = text ? JSON.parse(text) : undefined;
	} catch {
		body = undefined;
	}
	return { status: response.status, headers: response.headers, body, text };
}

/** Midnight UTC tomorrow on the emulator clock: where the default seed data starts. */
function seedBase(): number {
	const now = new Date(emu.core.now());
	return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY;
}

function utc(ms: number): string {
	return new Date(ms).toISOString().slice(0, 19);
}

const lunchRequest = {
	subject: "Let's go for lunch",
	body: { contentType: 'HTML', content: 'Does late morning work for you?' },
	start: { dateTime: '2017-04-15T12:00:00', timeZone: 'Pacific Standard Time' },
	end: { dateTime: '2017-04-15T14:00:00', timeZone: 'Pacific Standard Time' },
	location: { displayName: "Harry's Bar" },
	attendees: [{ emailAddress: { address: 'samanthab@contoso.onmicrosoft.com', name: 'Samantha Booth' }, type: 'required' }],
};

beforeAll(async () => {
	emu = await startEmulator();
	adeleToken = emu.issueToken({ userId: ADELE });
	meganToken = emu.issueToken({ userId: MEGAN });
	appToken = emu.issueToken({ appOnly: true });
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => {
	emu.reset();
});

describe('availabilityView (pure)', () => {
	const start = Date.UTC(2024, 0, 1, 8);
	it('marks each slot with the strongest status overlapping it', () => {
		const items = [
			{ startMs: start + 1 * HOUR, endMs: start + 1.5 * HOUR, status: 'tentative' as const },
			{ startMs: start + 1 * HOUR, endMs: start + 2 * HOUR, status: 'busy' as const },
			{ startMs: start + 3 * HOUR, endMs: start + 4 * HOUR, status: 'oof' as const },
			{ startMs: start + 5 * HOUR, endMs: start + 6 * HOUR, status: 'workingElsewhere' as const },
			{ startMs: start + 6 * HOUR, endMs: start + 7 * HOUR, status: 'unknown' as const },
		];
		expect(availabilityView(items, start, start + 8 * HOUR, 60)).toBe('02030400');
	});

	it('uses the interval length and counts a partial last slot', () => {
		const items = [{ startMs: start + 30 * 60 * 1000, endMs: start + HOUR, status: 'tentative' as const }];
		expect(availabilityView(items, start, start + 2 * HOUR, 30)).toBe('0100');
		expect(availabilityView(items, start, start + 100 * 60 * 1000, 60)).toBe('10');
		expect(availabilityView([], start, start + HOUR, 15)).toBe('0000');
	});
});

describe('calendars', () => {
	it('lists the seeded default calendar and Team', async () => {
		const res = await call('GET', '/me/calendars');
		expect(res.status).toBe(200);
		expect(res.body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#me/calendars');
		const byName = Object.fromEntries(res.body.value.map((c: any) => [c.name, c]));
		expect(byName.Calendar).toMatchObject({ isDefaultCalendar: true, isRemovable: false, color: 'auto' });
		expect(byName.Team).toMatchObject({ isDefaultCalendar: false, isRemovable: true, color: 'lightGreen' });
		expect(byName.Calendar.owner).toEqual({ name: 'Adele Vance', address: ADELE });

		const def = await call('GET', '/me/calendar');
		expect(def.status).toBe(200);
		expect(def.body.id).toBe(byName.Calendar.id);
	});

	it('creates, reads, updates and deletes a calendar', async () => {
		const created = await call('POST', '/me/calendars', { body: { name: 'Volunteer' } });
		expect(created.status).toBe(201);
		expect(created.body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#me/calendars/$entity');
		expect(created.body).toMatchObject({
			name: 'Volunteer',
			color: 'auto',
			hexColor: '',
			canShare: true,
			canViewPrivateItems: true,
			canEdit: true,
			allowedOnlineMeetingProviders: ['teamsForBusiness'],
			defaultOnlineMeetingProvider: 'teamsForBusiness',
			isTallyingResponses: true,
			isRemovable: true,
			isDefaultCalendar: false,
		});
		expect(typeof created.body.changeKey).toBe('string');
		const id = created.body.id as string;

		const byUpn = await call('GET', `/users/${encodeURIComponent(ADELE)}/calendars/${encodeURIComponent(id)}`, { token: appToken });
		expect(byUpn.status).toBe(200);
		expect(byUpn.body.name).toBe('Volunteer');

		const patched = await call('PATCH', `/me/calendars/${id}`, { body: { name: 'Volunteering', color: 'LightBlue' } });
		expect(patched.status).toBe(200);
		expect(patched.body).toMatchObject({ name: 'Volunteering', color: 'lightBlue' });
		expect(patched.body.changeKey).not.toBe(created.body.changeKey);

		const deleted = await call('DELETE', `/me/calendars/${id}`);
		expect(deleted.status).toBe(204);
		const gone = await call('GET', `/me/calendars/${id}`);
		expect(gone.status).toBe(404);
		expect(gone.body.error.code).toBe('ErrorItemNotFound');
	});

	it('rejects duplicate names, missing names, unknown colors and unknown properties', async () => {
		const duplicate = await call('POST', '/me/calendars', { body: { name: 'team' } });
		expect(duplicate.status).toBe(409);
		expect(duplicate.body.error.code).toBe('ErrorFolderExists');

		const noName = await call('POST', '/me/calendars', { body: { color: 'lightRed' } });
		expect(noName.status).toBe(400);

		const badColor = await call('POST', '/me/calendars', { body: { name: 'Colors', color: 'purple' } });
		expect(badColor.status).toBe(400);
		expect(badColor.body.error.code).toBe('RequestBodyRead');
		expect(badColor.body.error.message).toBe(
			"Cannot convert the literal 'purple' to the expected type 'microsoft.graph.calendarColor'.",
		);

		const patchColor = await call('PATCH', '/me/calendar', { body: { color: 'blue' } });
		expect(patchColor.status).toBe(400);

		const unknown = await call('POST', '/me/calendars', { body: { name: 'X', colour: 'auto' } });
		expect(unknown.status).toBe(400);
		expect(unknown.body.error.message).toContain("The property 'colour' does not exist on type 'microsoft.graph.calendar'");

		const colors = ['auto', 'lightBlue', 'lightGreen', 'lightOrange', 'lightGray', 'lightYellow'];
		colors.push('lightTeal', 'lightPink', 'lightBrown', 'lightRed', 'maxColor');
		for (const color of colors) {
			const ok = await call('PATCH', '/me/calendar', { body: { color } });
			expect(ok.body.color).toBe(color);
		}
	});

	it('refuses to delete the default calendar', async () => {
		const res = await call('DELETE', '/me/calendar');
		expect(res.status).toBe(400);
		expect(res.body.error.code).toBe('ErrorDeleteDistinguishedFolder');
		const cal = await call('GET', '/me/calendar');
		const byId = await call('DELETE', `/me/calendars/${cal.body.id}`);
		expect(byId.status).toBe(400);
		expect(byId.body.error.innerError['request-id']).toBeTruthy();
	});
});

describe('events', () => {
	it('creates an event like the docs example, answering in UTC by default', async () => {
		const res = await call('POST', '/me/events', { body: lunchRequest });
		expect(res.status).toBe(201);
		const event = res.body;
		expect(event['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#me/events/$entity');
		expect(event['@odata.etag']).toBe(`W/"${event.changeKey}"`);
		expect(event.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
		expect(event).toMatchObject({
			subject: "Let's go for lunch",
			bodyPreview: 'Does late morning work for you?',
			originalStartTimeZone: 'Pacific Standard Time',
			originalEndTimeZone: 'Pacific Standard Time',
			isOrganizer: true,
			isCancelled: false,
			showAs: 'busy',
			type: 'singleInstance',
			importance: 'normal',
			sensitivity: 'normal',
			responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
			body: { contentType: 'html', content: '<html><head></head><body>Does late morning work for you?</body></html>' },
			// 12:00 PDT = 19:00 UTC
			start: { dateTime: '2017-04-15T19:00:00.0000000', timeZone: 'UTC' },
			end: { dateTime: '2017-04-15T21:00:00.0000000', timeZone: 'UTC' },
			location: { displayName: "Harry's Bar", locationType: 'default', uniqueId: "Harry's Bar", uniqueIdType: 'private' },
			locations: [{ displayName: "Harry's Bar", locationType: 'default', uniqueIdType: 'unknown' }],
			attendees: [
				{
					type: 'required',
					status: { response: 'none', time: '0001-01-01T00:00:00Z' },
					emailAddress: { name: 'Samantha Booth', address: 'samanthab@contoso.onmicrosoft.com' },
				},
			],
			organizer: { emailAddress: { name: 'Adele Vance', address: ADELE } },
		});
		expect(event.webLink).toContain(encodeURIComponent(event.id));
		expect(event.iCalUId).toMatch(/^040000008200E00074C5B7101A82E008/);
		expect(res.headers.get('preference-applied')).toBeNull();
	});

	it('converts start/end to the Prefer: outlook.timezone zone (Windows or IANA) and says so', async () => {
		const created = await call('POST', '/me/events', {
			body: lunchRequest,
			headers: { Prefer: 'outlook.timezone="Pacific Standard Time"' },
		});
		expect(created.body.start).toEqual({ dateTime: '2017-04-15T12:00:00.0000000', timeZone: 'Pacific Standard Time' });
		expect(created.headers.get('preference-applied')).toBe('outlook.timezone="Pacific Standard Time"');

		const paris = await call('GET', `/me/events/${created.body.id}`, { headers: { Prefer: 'outlook.timezone="Europe/Paris"' } });
		expect(paris.body.start).toEqual({ dateTime: '2017-04-15T21:00:00.0000000', timeZone: 'Europe/Paris' });
		expect(paris.body.end.dateTime).toBe('2017-04-15T23:00:00.0000000');

		const both = await call('GET', `/me/events/${created.body.id}`, {
			headers: { Prefer: 'outlook.timezone="Tokyo Standard Time", outlook.body-content-type="text"' },
		});
		expect(both.body.start.dateTime).toBe('2017-04-16T04:00:00.0000000');
		expect(both.body.body).toEqual({ contentType: 'text', content: 'Does late morning work for you?' });
		expect(both.headers.get('preference-applied')).toBe(
			'outlook.timezone="Tokyo Standard Time", outlook.body-content-type="text"',
		);

		const list = await call('GET', '/me/events?$top=50', { headers: { Prefer: 'outlook.timezone="India Standard Time"' } });
		const found = list.body.value.find((e: any) => e.id === created.body.id);
		expect(found.start).toEqual({ dateTime: '2017-04-16T00:30:00.0000000', timeZone: 'India Standard Time' });
	});

	it('keeps events per calendar and finds them through every collection path', async () => {
		const calendars = await call('GET', '/me/calendars');
		const team = calendars.body.value.find((c: any) => c.name === 'Team');
		const inTeam = await call('POST', `/me/calendars/${team.id}/events`, {
			body: { ...lunchRequest, subject: 'Team lunch', attendees: [] },
		});
		expect(inTeam.status).toBe(201);
		const inDefault = await call('POST', '/me/calendar/events', { body: { ...lunchRequest, subject: 'Default lunch', attendees: [] } });
		expect(inDefault.status).toBe(201);

		const subjects = async (path: string) =>
			(await call('GET', `${path}?$top=100`)).body.value.map((e: any) => e.subject as string);
		expect(await subjects(`/me/calendars/${team.id}/events`)).toEqual(['Team social', 'Team retrospective', 'Team lunch']);
		expect(await subjects('/me/calendar/events')).toContain('Default lunch');
		expect(await subjects('/me/calendar/events')).not.toContain('Team lunch');
		const all = await subjects('/me/events');
		expect(all).toEqual(expect.arrayContaining(['Team lunch', 'Default lunch', 'Daily stand-up']));

		expect((await call('GET', `/me/calendars/${team.id}/events/${inTeam.body.id}`)).status).toBe(200);
		expect((await call('GET', `/me/calendar/events/${inTeam.body.id}`)).status).toBe(404);
		expect((await call('GET', `/me/events/${inTeam.body.id}`)).status).toBe(200);
		const selected = await call('GET', `/me/events/${inTeam.body.id}?$select=subject,start`);
		expect(Object.keys(selected.body).sort()).toEqual(['@odata.context', '@odata.etag', 'id', 'start', 'subject']);
	});

	it('pages with $top/$skip, filters and counts', async () => {
		const seeded = await call('POST', '/_emulator/seed/events', {
			body: { upn: MEGAN, count: 25, start: '2030-01-01T08:00:00Z', subject: 'Bulk' },
		});
		expect(seeded.status).toBe(201);
		expect(seeded.body.ids).toHaveLength(25);

		const first = await call('GET', `/me/events?$filter=startswith(subject,'Bulk')&$count=true`, { token: meganToken });
		expect(first.body.value).toHaveLength(10);
		expect(first.body['@odata.count']).toBe(25);
		let next: string | undefined = first.body['@odata.nextLink'];
		const ids = first.body.value.map((e: any) => e.id);
		while (next) {
			const page = await call('GET', next, { token: meganToken });
			ids.push(...page.body.value.map((e: any) => e.id));
			next = page.body['@odata.nextLink'];
		}
		expect(ids).toEqual(seeded.body.ids);

		const filtered = await call('GET', `/me/events?$filter=start/dateTime ge '2030-01-01T20:00:00'&$orderby=start/dateTime desc&$top=3`, {
			token: meganToken,
		});
		expect(filtered.body.value.map((e: any) => e.subject)).toEqual(['Bulk 25', 'Bulk 24', 'Bulk 23']);

		// Without $filter only the requested page is rendered: paging must still walk every event exactly once.
		const everything = (await call('GET', '/me/events?$top=1000', { token: meganToken })).body.value;
		const walked: any[] = [];
		let link: string | undefined = '/me/events?$top=7';
		while (link) {
			const page = await call('GET', link, { token: meganToken, headers: { Prefer: 'outlook.timezone="Pacific Standard Time"' } });
			expect(page.body.value.length).toBeLessThanOrEqual(7);
			walked.push(...page.body.value);
			link = page.body['@odata.nextLink'];
		}
		expect(walked.map((e) => e.id)).toEqual(everything.map((e: any) => e.id));
		expect(walked.every((e) => e.subject !== undefined && e.start.timeZone === 'Pacific Standard Time')).toBe(true);

		const tooMany = await call('GET', '/me/events?$top=1001', { token: meganToken });
		expect(tooMany.status).toBe(400);
	});

	it('updates and deletes an event', async () => {
		const created = await call('POST', '/me/events', { body: lunchRequest });
		const id = created.body.id;
		const patched = await call('PATCH', `/me/events/${id}`, {
			body: { subject: 'Brunch', end: { dateTime: '2017-04-15T13:00:00', timeZone: 'Pacific Standard Time' }, showAs: 'Tentative' },
		});
		expect(patched.status).toBe(200);
		expect(patched.body).toMatchObject({
			subject: 'Brunch',
			showAs: 'tentative',
			start: { dateTime: '2017-04-15T19:00:00.0000000' },
			end: { dateTime: '2017-04-15T20:00:00.0000000' },
		});
		expect(patched.body.changeKey).not.toBe(created.body.changeKey);

		const backwards = await call('PATCH', `/me/events/${id}`, {
			body: { end: { dateTime: '2017-04-15T11:00:00', timeZone: 'Pacific Standard Time' } },
		});
		expect(backwards.status).toBe(400);
		expect(backwards.body.error.code).toBe('ErrorCalendarEndDateIsEarlierThanStartDate');

		expect((await call('DELETE', `/me/events/${id}`)).status).toBe(204);
		const gone = await call('GET', `/me/events/${id}`);
		expect(gone.status).toBe(404);
		expect(gone.body.error).toMatchObject({ code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' });
		expect((await call('DELETE', `/me/events/${id}`)).status).toBe(404);
	});

	it('validates like Graph: time zones, required times, end before start, attendees', async () => {
		const badZone = await call('POST', '/me/events', {
			body: { ...lunchRequest, start: { dateTime: '2017-04-15T12:00:00', timeZone: 'Mars Standard Time' } },
		});
		expect(badZone.status).toBe(400);
		expect(badZone.body.error).toMatchObject({
			code: 'TimeZoneNotSupportedException',
			message: "A valid TimeZone value must be specified. The following TimeZone value is not supported: 'Mars Standard Time'.",
		});

		const iana = await call('POST', '/me/events', {
			body: {
				...lunchRequest,
				attendees: [],
				start: { dateTime: '2017-04-15T12:00:00', timeZone: 'Europe/Berlin' },
				end: { dateTime: '2017-04-15T13:00:00', timeZone: 'Europe/Berlin' },
			},
		});
		expect(iana.status).toBe(201);
		expect(iana.body.start.dateTime).toBe('2017-04-15T10:00:00.0000000');
		expect(iana.body.originalStartTimeZone).toBe('Europe/Berlin');

		const { start: _start, ...noStart } = lunchRequest;
		expect((await call('POST', '/me/events', { body: noStart })).status).toBe(400);

		const backwards = await call('POST', '/me/events', {
			body: { ...lunchRequest, end: { dateTime: '2017-04-15T11:00:00', timeZone: 'Pacific Standard Time' } },
		});
		expect(backwards.body.error.code).toBe('ErrorCalendarEndDateIsEarlierThanStartDate');

		const capitalType = await call('POST', '/me/events', {
			body: { ...lunchRequest, attendees: [{ emailAddress: { address: 'x@fabrikam.com' }, type: 'Required' }] },
		});
		expect(capitalType.status).toBe(201);
		expect(capitalType.body.attendees[0]).toMatchObject({ type: 'required', emailAddress: { address: 'x@fabrikam.com' } });

		const badType = await call('POST', '/me/events', {
			body: { ...lunchRequest, attendees: [{ emailAddress: { address: 'x@fabrikam.com' }, type: 'boss' }] },
		});
		expect(badType.status).toBe(400);
		expect(badType.body.error.message).toContain("'microsoft.graph.attendeeType'");

		const badEmail = await call('POST', '/me/events', {
			body: { ...lunchRequest, attendees: [{ emailAddress: { address: 'not an email' }, type: 'optional' }] },
		});
		expect(badEmail.status).toBe(400);
		expect(badEmail.body.error.code).toBe('ErrorInvalidRecipients');

		const unknownProp = await call('POST', '/me/events', { body: { ...lunchRequest, title: 'x' } });
		expect(unknownProp.status).toBe(400);
		expect(unknownProp.body.error.code).toBe('RequestBodyRead');
	});

	it('returns the same event for a repeated transactionId', async () => {
		const body = { ...lunchRequest, attendees: [], transactionId: 'retry-123' };
		const first = await call('POST', '/me/events', { body });
		const second = await call('POST', '/me/events', { body });
		expect(first.status).toBe(201);
		expect(second.body.id).toBe(first.body.id);
		const list = await call('GET', `/me/events?$filter=transactionId eq 'retry-123'`);
		expect(list.body.value).toHaveLength(1);
	});

	it('serves calendarView for a time window', async () => {
		const base = seedBase();
		const missing = await call('GET', '/me/calendarView');
		expect(missing.status).toBe(400);
		expect(missing.body.error.code).toBe('ErrorInvalidParameter');
		const view = await call('GET', `/me/calendar/calendarView?startDateTime=${utc(base)}Z&endDateTime=${utc(base + DAY)}Z`);
		expect(view.status).toBe(200);
		expect(view.body.value.map((e: any) => e.subject)).toEqual(['Daily stand-up', 'Lunch with Megan']);
	});
});

describe('meetings across mailboxes', () => {
	it('puts a copy in the attendee calendar, syncs updates, and lets only the organizer cancel', async () => {
		const created = await call('POST', '/me/events', {
			body: {
				...lunchRequest,
				subject: 'Planning',
				attendees: [{ emailAddress: { address: MEGAN, name: 'Megan Bowen' }, type: 'required' }],
			},
		});
		expect(created.status).toBe(201);
		const findCopy = async () =>
			(await call('GET', `/me/events?$filter=iCalUId eq '${created.body.iCalUId}'`, { token: meganToken })).body.value[0];

		const copy = await findCopy();
		expect(copy).toMatchObject({
			subject: 'Planning',
			isOrganizer: false,
			responseStatus: { response: 'none' },
			organizer: { emailAddress: { address: ADELE } },
			start: created.body.start,
		});
		expect(copy.id).not.toBe(created.body.id);
		const meganCalendar = await call('GET', '/me/calendar', { token: meganToken });
		expect((await call('GET', `/me/calendar/events/${copy.id}`, { token: meganToken })).status).toBe(200);
		expect(meganCalendar.status).toBe(200);

		await call('PATCH', `/me/events/${created.body.id}`, { body: { subject: 'Planning (moved)' } });
		expect((await findCopy()).subject).toBe('Planning (moved)');

		const attendeeCancel = await call('POST', `/me/events/${copy.id}/cancel`, { token: meganToken, body: { comment: 'no' } });
		expect(attendeeCancel.status).toBe(400);
		expect(attendeeCancel.body.error).toMatchObject({
			code: 'ErrorAccessDenied',
			message: "Your request can't be completed. You need to be an organizer to cancel a meeting.",
		});

		const cancel = await call('POST', `/me/events/${created.body.id}/cancel`, { body: { Comment: 'Cancelling for this week' } });
		expect(cancel.status).toBe(202);
		expect(cancel.text).toBe('');
		expect((await call('GET', `/me/events/${created.body.id}`)).status).toBe(404);
		expect(await findCopy()).toBeUndefined();
	});

	it('removes copies when an attendee is dropped', async () => {
		const created = await call('POST', `/users/${ADELE}/events`, {
			token: appToken,
			body: { ...lunchRequest, subject: 'Sync', attendees: [{ emailAddress: { address: MEGAN } }] },
		});
		expect(created.status).toBe(201);
		const copies = async () =>
			(await call('GET', `/users/${MEGAN}/events?$filter=subject eq 'Sync'`, { token: appToken })).body.value;
		expect(await copies()).toHaveLength(1);
		await call('PATCH', `/users/${ADELE}/events/${created.body.id}`, { token: appToken, body: { attendees: [] } });
		expect(await copies()).toHaveLength(0);
	});

	it('emits change events for every affected mailbox', async () => {
		const seen: ChangeEvent[] = [];
		emu.core.onChange((event) => {
			if (event.kind === 'event') seen.push(event);
		});
		const adeleId = emu.core.findUser(ADELE)!.id;
		const meganId = emu.core.findUser(MEGAN)!.id;
		const adeleCalendar = (await call('GET', '/me/calendar')).body.id;
		const meganCalendar = (await call('GET', '/me/calendar', { token: meganToken })).body.id;

		const created = await call('POST', '/me/events', {
			body: { ...lunchRequest, attendees: [{ emailAddress: { address: MEGAN } }] },
		});
		expect(seen).toEqual([
			{ userId: adeleId, kind: 'event', changeType: 'created', id: created.body.id, containerId: adeleCalendar },
			expect.objectContaining({ userId: meganId, changeType: 'created', containerId: meganCalendar }),
		]);
		seen.length = 0;
		await call('PATCH', `/me/events/${created.body.id}`, { body: { subject: 'Changed' } });
		expect(seen.map((e) => [e.userId, e.changeType])).toEqual([
			[adeleId, 'updated'],
			[meganId, 'updated'],
		]);
		seen.length = 0;
		await call('POST', `/me/events/${created.body.id}/cancel`, { body: {} });
		expect(seen.map((e) => [e.userId, e.changeType])).toEqual([
			[adeleId, 'deleted'],
			[meganId, 'deleted'],
		]);
		seen.length = 0;
		const solo = await call('POST', '/me/events', { body: { ...lunchRequest, attendees: [] } });
		await call('DELETE', `/me/events/${solo.body.id}`);
		expect(seen.map((e) => e.changeType)).toEqual(['created', 'deleted']);
	});
});

describe('getSchedule', () => {
	function scheduleBody(start: number, end: number, extra: Record<string, unknown> = {}) {
		return {
			schedules: [ADELE, MEGAN],
			startTime: { dateTime: utc(start), timeZone: 'UTC' },
			endTime: { dateTime: utc(end), timeZone: 'UTC' },
			availabilityViewInterval: 60,
			...extra,
		};
	}

	it('computes availability for Adele and Megan from the seeded events', async () => {
		const base = seedBase();
		const res = await call('POST', '/me/calendar/getSchedule', { body: scheduleBody(base + 8 * HOUR, base + 18 * HOUR) });
		expect(res.status).toBe(200);
		expect(res.body['@odata.context']).toBe(
			'https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)',
		);
		const [adele, megan] = res.body.value;
		// Adele: stand-up 09:00 busy, lunch 12:00 tentative
		expect(adele.scheduleId).toBe(ADELE);
		expect(adele.availabilityView).toBe('0200100000');
		expect(adele.scheduleItems[0]).toEqual({
			isPrivate: false,
			status: 'busy',
			subject: 'Daily stand-up',
			location: 'Teams',
			start: { dateTime: `${utc(base + 9 * HOUR)}.0000000`, timeZone: 'UTC' },
			end: { dateTime: `${utc(base + 9.5 * HOUR)}.0000000`, timeZone: 'UTC' },
		});
		expect(adele.workingHours).toMatchObject({
			daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
			startTime: '08:00:00.0000000',
		});
		// Megan: tentative copies of stand-up and lunch, her own focus time busy; others see no subjects
		expect(megan.availabilityView).toBe('0120100000');
		expect(megan.scheduleItems.map((i: any) => i.status)).toEqual(['tentative', 'busy', 'tentative']);
		expect(megan.scheduleItems[0].subject).toBeUndefined();
	});

	it('shows oof and working elsewhere with 5-minute to 1-day intervals', async () => {
		const base = seedBase();
		const days = await call('POST', '/me/calendar/getSchedule', {
			body: scheduleBody(base, base + 10 * DAY, { schedules: [ADELE], availabilityViewInterval: 1440 }),
		});
		// day 2 training = oof, day 9 customer visit = workingElsewhere; others busy/tentative
		expect(days.body.value[0].availabilityView).toBe('2232000204');
		const fine = await call('POST', '/me/calendars/' + (await call('GET', '/me/calendar')).body.id + '/getSchedule', {
			body: scheduleBody(base + 9 * HOUR, base + 10 * HOUR, { schedules: [ADELE], availabilityViewInterval: 5 }),
		});
		expect(fine.body.value[0].availabilityView).toBe('222222000000');
	});

	it('answers in the request time zone, or the Prefer zone', async () => {
		const base = seedBase();
		const pacificStart = new Date(base + 8 * HOUR).toLocaleString('sv-SE', { timeZone: 'America/Los_Angeles' }).replace(' ', 'T');
		const pacificEnd = new Date(base + 18 * HOUR).toLocaleString('sv-SE', { timeZone: 'America/Los_Angeles' }).replace(' ', 'T');
		const body = {
			schedules: [ADELE],
			startTime: { dateTime: pacificStart, timeZone: 'Pacific Standard Time' },
			endTime: { dateTime: pacificEnd, timeZone: 'Pacific Standard Time' },
			availabilityViewInterval: 60,
		};
		const res = await call('POST', '/me/calendar/getSchedule', { body });
		expect(res.body.value[0].availabilityView).toBe('0200100000');
		expect(res.body.value[0].scheduleItems[0].start.timeZone).toBe('Pacific Standard Time');
		const expected = new Date(base + 9 * HOUR).toLocaleString('sv-SE', { timeZone: 'America/Los_Angeles' }).replace(' ', 'T');
		expect(res.body.value[0].scheduleItems[0].start.dateTime).toBe(`${expected}.0000000`);

		const preferred = await call('POST', '/me/calendar/getSchedule', { body, headers: { Prefer: 'outlook.timezone="UTC"' } });
		expect(preferred.body.value[0].scheduleItems[0].start).toEqual({ dateTime: `${utc(base + 9 * HOUR)}.0000000`, timeZone: 'UTC' });
		expect(preferred.headers.get('preference-applied')).toBe('outlook.timezone="UTC"');
	});

	it('reports unknown addresses as an error item', async () => {
		const base = seedBase();
		const res = await call('POST', `/users/${MEGAN}/calendar/getSchedule`, {
			token: appToken,
			body: scheduleBody(base, base + DAY, { schedules: ['nobody@fabrikam.com', MEGAN] }),
		});
		expect(res.status).toBe(200);
		expect(res.body.value[0]).toEqual({
			scheduleId: 'nobody@fabrikam.com',
			error: {
				message: 'Unable to resolve e-mail address <>SMTP:nobody@fabrikam.com to an Active Directory object.',
				responseCode: 'ErrorMailRecipientNotFound',
			},
		});
		// Megan asks about herself: she sees her own subjects
		expect(res.body.value[1].scheduleItems.some((i: any) => i.subject === 'Focus time')).toBe(true);
	});

	it('enforces Graph limits: 20 schedules, 62 days, interval 5..1440, end after start', async () => {
		const base = seedBase();
		const post = (body: unknown) => call('POST', '/me/calendar/getSchedule', { body });
		const many = Array.from({ length: 21 }, (_, i) => `user${i}@contoso.com`);
		expect((await post(scheduleBody(base, base + DAY, { schedules: many }))).status).toBe(400);
		expect((await post(scheduleBody(base, base + DAY, { schedules: many.slice(0, 20) }))).status).toBe(200);

		const tooLong = await post(scheduleBody(base, base + 63 * DAY));
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error.code).toBe('ErrorTimeIntervalTooBig');
		expect((await post(scheduleBody(base, base + 62 * DAY))).status).toBe(200);

		for (const interval of [4, 1441, 7.5]) {
			const res = await post(scheduleBody(base, base + 2 * DAY, { availabilityViewInterval: interval }));
			expect(res.status).toBe(400);
			expect(res.body.error.code).toBe('ErrorInvalidMergedFreeBusyInterval');
		}
		const defaultInterval = await post(scheduleBody(base, base + 2 * HOUR, { availabilityViewInterval: undefined }));
		expect(defaultInterval.body.value[0].availabilityView).toHaveLength(4);

		const backwards = await post(scheduleBody(base + HOUR, base));
		expect(backwards.status).toBe(400);
		expect(backwards.body.error.code).toBe('ErrorInvalidTimeInterval');

		const badZone = await post({ ...scheduleBody(base, base + DAY), startTime: { dateTime: utc(base), timeZone: 'Nowhere' } });
		expect(badZone.body.error.code).toBe('TimeZoneNotSupportedException');
	});
});

describe('outlook languages and time zones', () => {
	it('lists supported languages', async () => {
		const res = await call('GET', '/me/outlook/supportedLanguages');
		expect(res.status).toBe(200);
		expect(res.body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.localeInfo)');
		expect(res.body.value.length).toBeGreaterThanOrEqual(20);
		expect(res.body.value.slice(0, 3)).toEqual([
			{ locale: 'af-ZA', displayName: 'Afrikaans (Suid-Afrika)' },
			{ locale: 'en-US', displayName: 'English (United States)' },
			{ locale: 'en-CA', displayName: 'English (Canada)' },
		]);
	});

	it('lists Windows time zones by default', async () => {
		const res = await call('GET', `/users/${encodeURIComponent(ADELE)}/outlook/supportedTimeZones`, { token: appToken });
		expect(res.status).toBe(200);
		expect(res.body['@odata.context']).toBe(
			'https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.timeZoneInformation)',
		);
		expect(res.body.value.length).toBeGreaterThan(130);
		expect(res.body.value).toContainEqual({ alias: 'Pacific Standard Time', displayName: '(UTC-08:00) Pacific Time (US & Canada)' });
	});

	it.each([
		"supportedTimeZones(TimeZoneStandard=microsoft.graph.timeZoneStandard'Iana')",
		"supportedTimeZones(TimeZoneStandard='Iana')",
		"microsoft.graph.supportedTimeZones(TimeZoneStandard='Iana')",
		"supportedTimeZones(TimeZoneStandard='iana')",
	])('lists IANA time zones for %s', async (segment) => {
		const res = await call('GET', `/me/outlook/${segment}`);
		expect(res.status).toBe(200);
		expect(res.body.value[0]).toEqual({ alias: 'Etc/GMT+12', displayName: 'Etc/GMT+12' });
		expect(res.body.value).toContainEqual({ alias: 'Europe/Paris', displayName: 'Europe/Paris' });
	});

	it('lists Windows zones for the explicit Windows standard', async () => {
		const res = await call('GET', "/me/outlook/supportedTimeZones(TimeZoneStandard=microsoft.graph.timeZoneStandard'Windows')");
		expect(res.body.value[0]).toEqual({ alias: 'Dateline Standard Time', displayName: '(UTC-12:00) International Date Line West' });
	});
});

describe('seeding and reset', () => {
	it('reseeds defaults on reset and bulk-seeds into a named calendar', async () => {
		const before = (await call('GET', '/me/events?$top=100')).body.value.length;
		await call('POST', '/me/events', { body: lunchRequest });
		expect((await call('GET', '/me/events?$top=100')).body.value.length).toBe(before + 1);
		emu.reset();
		expect((await call('GET', '/me/events?$top=100')).body.value.length).toBe(before);

		const seeded = await call('POST', '/_emulator/seed/events', { body: { userId: ADELE, calendarId: 'Team', count: 3 } });
		expect(seeded.status).toBe(201);
		const team = (await call('GET', '/me/calendars')).body.value.find((c: any) => c.name === 'Team');
		expect(seeded.body.calendarId).toBe(team.id);
		const inTeam = await call('GET', `/me/calendars/${team.id}/events`);
		expect(inTeam.body.value).toHaveLength(5);

		const unknownUser = await call('POST', '/_emulator/seed/events', { body: { userId: 'ghost@contoso.com', count: 1 } });
		expect(unknownUser.status).toBe(404);
	});
});
