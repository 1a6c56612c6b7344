/**
 * Delta query over HTTP: messages in a mail folder and calendarView — rounds, paging, @removed,
 * $select, changeType, the time window, expired and unknown tokens (410) and the control routes.
 */
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';

const ADELE = DEFAULT_USERS.adele;
const MEGAN = DEFAULT_USERS.megan;
const DAY = 24 * 60 * 60 * 1000;
const METADATA = 'https://graph.microsoft.com/v1.0/$metadata';

let emu: Emulator;
let adeleToken: string;

interface Reply {
	status: number;
	headers: Headers;
	body: any;
}

async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
	const url = path.startsWith('http') ? path : `${emu.url}/v1.0${path}`;
	const headers: Record<string, string> = { Authorization: `Bearer ${options.token ?? adeleToken}`, ...options.headers };
	if (options.body !== undefined) headers['Content-Type'] = 'application/json';
	const res = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function control(method: string, path: string, body?: unknown): Promise<Reply> {
	const res = await fetch(`${emu.url}/_emulator${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Moves the emulator clock; bearer tokens would expire with it, so Adele gets a fresh one. */
async function advance(ms: number): Promise<void> {
	expect((await control('POST', '/clock', { advanceMs: ms })).status).toBe(200);
	adeleToken = emu.issueToken({ userId: ADELE.id });
}

interface Round {
	pages: any[];
	items: any[];
	deltaLink: string;
}

/** Follows one round from `url` to its deltaLink. */
async function round(url: string, headers: Record<string, string> = {}, token?: string): Promise<Round> {
	const pages: any[] = [];
	let next: string | undefined = url;
	while (next) {
		const reply = await call('GET', next, { headers, token });
		expect(reply.status).toBe(200);
		pages.push(reply.body);
		next = reply.body['@odata.nextLink'];
		if (next) expect(reply.body['@odata.deltaLink']).toBeUndefined();
		if (pages.length > 100) throw new Error('runaway round');
	}
	const last = pages[pages.length - 1];
	return { pages, items: pages.flatMap((page) => page.value), deltaLink: last['@odata.deltaLink'] };
}

const maxPage = (n: number) => ({ Prefer: `odata.maxpagesize=${n}` });

beforeAll(async () => {
	emu = await startEmulator();
	adeleToken = emu.issueToken({ userId: ADELE.id });
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => {
	emu.reset();
});

// ---------------------------------------------------------------------------------------------
// Messages

describe('message delta', () => {
	let folderId: string;
	let seeded: string[];

	beforeEach(async () => {
		const folder = await call('POST', '/me/mailFolders', { body: { displayName: 'Delta' } });
		expect(folder.status).toBe(201);
		folderId = folder.body.id;
		const seed = await control('POST', '/seed/messages', { userId: ADELE.id, folder: folderId, count: 25 });
		expect(seed.status).toBe(201);
		seeded = seed.body.ids;
	});

	const deltaPath = () => `/me/mailFolders/${folderId}/messages/delta`;

	test('the first round returns every message once, in pages with nextLink and a final deltaLink', async () => {
		const sync = await round(deltaPath(), maxPage(10));
		expect(sync.pages.map((page) => page.value.length)).toEqual([10, 10, 5]);
		const base = `${emu.url}/v1.0/me/mailFolders('${folderId}')/messages/delta`;
		for (const page of sync.pages.slice(0, -1)) {
			expect(page['@odata.nextLink']).toMatch(new RegExp(`^${escape(base)}\\?\\$skiptoken=[A-Za-z0-9_-]{20,}$`));
			expect(page['@odata.context']).toBe(`${METADATA}#Collection(message)`);
		}
		expect(sync.deltaLink).toMatch(new RegExp(`^${escape(base)}\\?\\$deltatoken=[A-Za-z0-9_-]{20,}$`));
		expect(sync.pages[2]['@odata.nextLink']).toBeUndefined();
		const ids = sync.items.map((item) => item.id);
		expect(new Set(ids).size).toBe(25);
		expect([...ids].sort()).toEqual([...seeded].sort());
		const first = sync.items[0];
		expect(first['@odata.type']).toBe('#microsoft.graph.message');
		expect(first.subject).toBe('Seeded message 25');
		expect(first.parentFolderId).toBe(folderId);
		expect(first.body).toBeDefined();
	});

	test('without Prefer the page size is 10; a well-known name and /users/{upn} work', async () => {
		const first = await call('GET', deltaPath());
		expect(first.body.value).toHaveLength(10);
		expect(first.body['@odata.nextLink']).toBeDefined();

		const inbox = await call('GET', '/me/mailFolders/inbox/messages/delta', { headers: maxPage(500) });
		expect(inbox.status).toBe(200);
		expect(inbox.body['@odata.deltaLink']).toContain('/messages/delta?$deltatoken=');
		expect(inbox.body.value.length).toBeGreaterThan(0);
		expect(inbox.body.value.every((m: any) => m.parentFolderId === inbox.body.value[0].parentFolderId)).toBe(true);

		const app = emu.issueToken({ appOnly: true });
		const sync = await round(`/users/${encodeURIComponent(ADELE.userPrincipalName)}/mailFolders/${folderId}/messages/delta`, maxPage(20), app);
		expect(sync.items).toHaveLength(25);
		expect(sync.deltaLink.startsWith(`${emu.url}/v1.0/users/`)).toBe(true);
	});

	test('the deltaLink returns only what changed: created, updated (once), deleted, moved out', async () => {
		const initial = await round(deltaPath(), maxPage(50));
		const [updated, deleted, moved, untouched] = seeded;
		const created = await call('POST', `/me/mailFolders/${folderId}/messages`, { body: { subject: 'Fresh draft' } });
		expect(created.status).toBe(201);
		expect((await call('PATCH', `/me/messages/${updated}`, { body: { isRead: true } })).status).toBe(200);
		expect((await call('PATCH', `/me/messages/${updated}`, { body: { categories: ['Red category'] } })).status).toBe(200);
		expect((await call('DELETE', `/me/messages/${deleted}`)).status).toBe(204);
		const move = await call('POST', `/me/messages/${moved}/move`, { body: { destinationId: 'inbox' } });
		expect(move.status).toBe(201);

		const changes = await round(initial.deltaLink, maxPage(3));
		expect(changes.pages.length).toBe(2);
		const ids = changes.items.map((item) => item.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids.sort()).toEqual([created.body.id, updated, deleted, moved].sort());
		expect(ids).not.toContain(untouched);
		expect(ids).not.toContain(move.body.id);

		const byId = new Map(changes.items.map((item) => [item.id, item]));
		expect(byId.get(created.body.id)).toMatchObject({ '@odata.type': '#microsoft.graph.message', subject: 'Fresh draft', isDraft: true });
		expect(byId.get(updated)).toMatchObject({ isRead: true, categories: ['Red category'] });
		expect(byId.get(deleted)).toEqual({ '@odata.type': '#microsoft.graph.message', id: deleted, '@removed': { reason: 'deleted' } });
		expect(byId.get(moved)).toEqual({ '@odata.type': '#microsoft.graph.message', id: moved, '@removed': { reason: 'deleted' } });

		// Nothing happened since: an empty round with a new deltaLink.
		const quiet = await round(changes.deltaLink);
		expect(quiet.items).toEqual([]);
		expect(quiet.deltaLink).not.toBe(changes.deltaLink);
		expect(quiet.deltaLink).toContain('$deltatoken=');
	});

	test('the destination folder reports a moved-in message as new; one created and deleted in between is not reported', async () => {
		const inbox = await round('/me/mailFolders/inbox/messages/delta', maxPage(100));
		const ours = await round(deltaPath(), maxPage(100));
		const moved = await call('POST', `/me/messages/${seeded[0]}/move`, { body: { destinationId: 'inbox' } });
		const transient = await call('POST', `/me/mailFolders/${folderId}/messages`, { body: { subject: 'Short-lived' } });
		expect((await call('DELETE', `/me/messages/${transient.body.id}`)).status).toBe(204);

		const inboxChanges = await round(inbox.deltaLink);
		expect(inboxChanges.items.map((item) => item.id)).toEqual([moved.body.id]);
		expect(inboxChanges.items[0]['@removed']).toBeUndefined();

		const ourChanges = await round(ours.deltaLink);
		expect(ourChanges.items).toEqual([{ '@odata.type': '#microsoft.graph.message', id: seeded[0], '@removed': { reason: 'deleted' } }]);
	});

	test('messages seeded in bulk (no change events) still show up in the next round', async () => {
		const first = await round(deltaPath(), maxPage(100));
		const more = await control('POST', '/seed/messages', { userId: ADELE.id, folder: folderId, count: 3, subjectPrefix: 'Late' });
		const next = await round(first.deltaLink);
		expect(next.items.map((item) => item.id).sort()).toEqual([...more.body.ids].sort());
	});

	test('$select is kept in the tokens: every page and later rounds carry only id, etag, type and the selected properties', async () => {
		const first = await round(`${deltaPath()}?$select=subject,isRead`, maxPage(10));
		expect(first.pages).toHaveLength(3);
		for (const page of first.pages) {
			const link = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
			expect(link).not.toContain('select');
			for (const item of page.value) {
				expect(Object.keys(item).sort()).toEqual(['@odata.etag', '@odata.type', 'id', 'isRead', 'subject']);
			}
		}
		await call('PATCH', `/me/messages/${seeded[1]}`, { body: { isRead: false, importance: 'high' } });
		const next = await round(first.deltaLink);
		expect(next.items).toHaveLength(1);
		expect(Object.keys(next.items[0]).sort()).toEqual(['@odata.etag', '@odata.type', 'id', 'isRead', 'subject']);
		expect(next.items[0]).toMatchObject({ id: seeded[1], isRead: false });
	});

	test('changeType=created: the first round is a full sync, later rounds report only new messages', async () => {
		const first = await round(`${deltaPath()}?changeType=created`, maxPage(100));
		expect(first.items).toHaveLength(25);
		const created = await call('POST', `/me/mailFolders/${folderId}/messages`, { body: { subject: 'Only me' } });
		await call('PATCH', `/me/messages/${seeded[2]}`, { body: { isRead: true } });
		await call('DELETE', `/me/messages/${seeded[3]}`);
		const next = await round(first.deltaLink);
		expect(next.items.map((item) => item.id)).toEqual([created.body.id]);

		const deletedOnly = await round(`${deltaPath()}?changeType=deleted`, maxPage(100));
		await call('DELETE', `/me/messages/${seeded[4]}`);
		await call('PATCH', `/me/messages/${seeded[5]}`, { body: { isRead: true } });
		const removed = await round(deletedOnly.deltaLink);
		expect(removed.items).toEqual([{ '@odata.type': '#microsoft.graph.message', id: seeded[4], '@removed': { reason: 'deleted' } }]);

		const bad = await call('GET', `${deltaPath()}?changeType=moved`);
		expect(bad.status).toBe(400);
	});

	test('$top caps the first round, $filter on receivedDateTime narrows it, unsupported options are refused', async () => {
		const capped = await round(`${deltaPath()}?$top=12`, maxPage(5));
		expect(capped.pages.map((page) => page.value.length)).toEqual([5, 5, 2]);

		const all = await round(deltaPath(), maxPage(100));
		const cutoff = all.items[4].receivedDateTime; // the fifth newest
		const filtered = await round(`${deltaPath()}?$filter=receivedDateTime ge ${cutoff}`, maxPage(100));
		expect(filtered.items.map((item) => item.id)).toEqual(all.items.slice(0, 5).map((item) => item.id));

		for (const query of ['$search="seeded"', '$filter=isRead eq true', '$orderby=subject']) {
			const reply = await call('GET', `${deltaPath()}?${query}`);
			expect(reply.status).toBe(400);
			expect(reply.body.error.code).toBe('BadRequest');
		}
		expect((await call('GET', `${deltaPath()}?$orderby=receivedDateTime desc`)).status).toBe(200);
	});

	test('a round started from a deltaLink pages through its changes; a change during paging comes back next round', async () => {
		const first = await round(deltaPath(), maxPage(100));
		for (const id of seeded.slice(0, 5)) await call('PATCH', `/me/messages/${id}`, { body: { isRead: true } });
		const page1 = await call('GET', first.deltaLink, { headers: maxPage(2) });
		expect(page1.body.value).toHaveLength(2);
		await call('PATCH', `/me/messages/${seeded[0]}`, { body: { importance: 'low' } });
		const rest = await round(page1.body['@odata.nextLink'], maxPage(2));
		const ids = [...page1.body.value, ...rest.items].map((item) => item.id);
		expect(new Set(ids).size).toBe(5);
		const next = await round(rest.deltaLink);
		expect(next.items.map((item) => item.id)).toContain(seeded[0]);
	});
});

// ---------------------------------------------------------------------------------------------
// calendarView

describe('calendarView delta', () => {
	const start = '2030-01-01T00:00:00Z';
	const end = '2030-02-01T00:00:00Z';
	const window = `startDateTime=${start}&endDateTime=${end}`;

	async function createEvent(subject: string, day: string, extra: Record<string, unknown> = {}, path = '/me/events'): Promise<string> {
		const reply = await call('POST', path, {
			body: {
				subject,
				start: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' },
				end: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
				...extra,
			},
		});
		expect(reply.status).toBe(201);
		return reply.body.id;
	}

	test('the first round returns the events in the window, in pages; later rounds return changes and @removed', async () => {
		const a = await createEvent('Alpha', '2030-01-05');
		const b = await createEvent('Bravo', '2030-01-10');
		const c = await createEvent('Charlie', '2030-01-15');
		const d = await createEvent('Delta meeting', '2030-01-20', {
			attendees: [{ emailAddress: { address: MEGAN.mail, name: MEGAN.displayName }, type: 'required' }],
		});
		const outside = await createEvent('Outside', '2030-03-01');

		const first = await round(`/me/calendarView/delta?${window}`, maxPage(3));
		expect(first.pages.map((page) => page.value.length)).toEqual([3, 1]);
		expect(first.pages[0]['@odata.context']).toBe(`${METADATA}#Collection(event)`);
		expect(first.pages[0]['@odata.nextLink']).toMatch(new RegExp(`^${escape(`${emu.url}/v1.0/me/calendarView/delta`)}\\?\\$skiptoken=`));
		expect(first.deltaLink).toMatch(new RegExp(`^${escape(`${emu.url}/v1.0/me/calendarView/delta`)}\\?\\$deltatoken=`));
		expect(first.items.map((item) => item.subject)).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta meeting']);
		expect(first.items[0]['@odata.type']).toBe('#microsoft.graph.event');
		expect(first.items[0].start).toEqual({ dateTime: '2030-01-05T09:00:00.0000000', timeZone: 'UTC' });

		await call('PATCH', `/me/events/${a}`, { body: { subject: 'Alpha v2' } });
		await call('PATCH', `/me/events/${a}`, { body: { subject: 'Alpha v3' } });
		await call('PATCH', `/me/events/${b}`, {
			body: { start: { dateTime: '2030-04-01T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-04-01T10:00:00', timeZone: 'UTC' } },
		});
		expect((await call('DELETE', `/me/events/${c}`)).status).toBe(204);
		expect((await call('POST', `/me/events/${d}/cancel`, { body: { comment: 'Sorry' } })).status).toBe(202);
		const e = await createEvent('Echo', '2030-01-25');
		await createEvent('Far away', '2030-06-01');
		await call('PATCH', `/me/events/${outside}`, { body: { subject: 'Still outside' } });

		const next = await round(first.deltaLink, maxPage(2));
		const ids = next.items.map((item) => item.id);
		expect(new Set(ids).size).toBe(ids.length);
		const removed = (id: string) => ({ '@odata.type': '#microsoft.graph.event', id, '@removed': { reason: 'deleted' } });
		const byId = new Map(next.items.map((item) => [item.id, item]));
		expect(byId.get(a)).toMatchObject({ subject: 'Alpha v3' });
		expect(byId.get(b)).toEqual(removed(b));
		expect(byId.get(c)).toEqual(removed(c));
		expect(byId.get(d)).toEqual(removed(d));
		expect(byId.get(e)).toMatchObject({ subject: 'Echo', '@odata.type': '#microsoft.graph.event' });
		// As event-delta.md warns: a change outside the window also arrives under @removed.
		expect(byId.get(outside)).toEqual(removed(outside));
		expect(ids).toHaveLength(6);
	});

	test('the attendee copy of a cancelled meeting is removed from the attendee calendar view', async () => {
		const meganToken = emu.issueToken({ userId: MEGAN.id });
		const id = await createEvent('Team sync', '2030-01-07', {
			attendees: [{ emailAddress: { address: MEGAN.mail, name: MEGAN.displayName }, type: 'required' }],
		});
		const first = await round(`/me/calendarView/delta?${window}`, {}, meganToken);
		expect(first.items.map((item) => item.subject)).toEqual(['Team sync']);
		const copyId = first.items[0].id;
		await call('POST', `/me/events/${id}/cancel`, { body: {} });
		const next = await round(first.deltaLink, {}, meganToken);
		expect(next.items).toEqual([{ '@odata.type': '#microsoft.graph.event', id: copyId, '@removed': { reason: 'deleted' } }]);
	});

	test('startDateTime and endDateTime are required on the first request', async () => {
		for (const query of ['', `?startDateTime=${start}`, `?endDateTime=${end}`, '?startDateTime=soon&endDateTime=later']) {
			const reply = await call('GET', `/me/calendarView/delta${query}`);
			expect(reply.status).toBe(400);
			expect(reply.body.error.code).toBe('ErrorInvalidParameter');
			expect(reply.body.error.message).toBe(
				'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
			);
			expect(reply.body.error.innerError['request-id']).toBeTruthy();
		}
		// Lower-case names, as in the docs' example, are fine; later requests need no window.
		const first = await call('GET', `/me/calendarView/delta?startdatetime=${start}&enddatetime=${end}`);
		expect(first.status).toBe(200);
		expect((await call('GET', first.body['@odata.deltaLink'])).status).toBe(200);
	});

	test('the default calendar is tracked by /calendarView/delta; another calendar by /calendars/{id}/calendarView/delta', async () => {
		const calendar = await call('POST', '/me/calendars', { body: { name: 'Side projects' } });
		const side = await createEvent('Side', '2030-01-08', {}, `/me/calendars/${calendar.body.id}/events`);
		const main = await createEvent('Main', '2030-01-09');
		const primary = await round(`/me/calendarView/delta?${window}`);
		expect(primary.items.map((item) => item.id)).toEqual([main]);
		const other = await round(`/me/calendars/${calendar.body.id}/calendarView/delta?${window}`);
		expect(other.items.map((item) => item.id)).toEqual([side]);
		expect(other.deltaLink).toContain(`/me/calendars/${calendar.body.id}/calendarView/delta?$deltatoken=`);
		// A token is bound to its calendar.
		const token = new URL(other.deltaLink).searchParams.get('$deltatoken');
		expect((await call('GET', `/me/calendarView/delta?$deltatoken=${token}`)).status).toBe(410);
	});
});

// ---------------------------------------------------------------------------------------------
// Expiry and control routes

describe('expired and unknown tokens', () => {
	const folderPath = '/me/mailFolders/inbox/messages/delta';

	function expectGone(reply: Reply, code = 'SyncStateNotFound'): void {
		expect(reply.status).toBe(410);
		expect(Object.keys(reply.body)).toEqual(['error']);
		expect(reply.body.error.code).toBe(code);
		expect(typeof reply.body.error.message).toBe('string');
		expect(reply.body.error.innerError).toEqual({
			date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
			'request-id': expect.any(String),
			'client-request-id': expect.any(String),
		});
	}

	test('unknown, foreign and mismatched tokens answer 410 SyncStateNotFound', async () => {
		expectGone(await call('GET', `${folderPath}?$deltatoken=not-a-token`));
		expectGone(await call('GET', `${folderPath}?$skiptoken=not-a-token`));
		expectGone(await call('GET', `/me/calendarView/delta?$deltatoken=not-a-token`));
		const inbox = await round(folderPath, maxPage(100));
		const token = new URL(inbox.deltaLink).searchParams.get('$deltatoken');
		// Another folder, a skiptoken slot, another mailbox.
		expectGone(await call('GET', `/me/mailFolders/sentitems/messages/delta?$deltatoken=${token}`));
		expectGone(await call('GET', `${folderPath}?$skiptoken=${token}`));
		const meganToken = emu.issueToken({ userId: MEGAN.id });
		expectGone(await call('GET', `${folderPath}?$deltatoken=${token}`, { token: meganToken }));
		// An empty $deltatoken is the initial request (the form a reset's Location header uses).
		expect((await call('GET', `${folderPath}?$deltatoken=`)).status).toBe(200);
	});

	test('a token expires after the retention (7 days by default); each round hands out a fresh one', async () => {
		expect((await control('GET', '/delta/config')).body).toEqual({ retentionMs: 7 * DAY });
		const first = await round(folderPath, maxPage(100));
		await advance(6 * DAY);
		const second = await round(first.deltaLink);
		await advance(DAY + 1000);
		expectGone(await call('GET', first.deltaLink));
		expect((await call('GET', second.deltaLink)).status).toBe(200);

		expect((await control('POST', '/delta/config', { retentionMinutes: 5 })).body).toEqual({ retentionMs: 300_000 });
		const short = await round(folderPath, maxPage(100));
		await advance(6 * 60_000);
		expectGone(await call('GET', short.deltaLink));
		expect((await control('POST', '/delta/config', { retentionMs: 0 })).status).toBe(400);
	});

	test('POST /_emulator/delta/expire invalidates every token of a mailbox, mid-round ones too', async () => {
		const megan = emu.issueToken({ userId: MEGAN.id });
		const done = await round(folderPath, maxPage(100));
		const midRound = await call('GET', folderPath, { headers: maxPage(1) });
		const calendar = await round(`/me/calendarView/delta?startDateTime=2030-01-01&endDateTime=2030-02-01`);
		const hers = await round(folderPath, maxPage(100), megan);

		const expired = await control('POST', '/delta/expire', { userId: ADELE.userPrincipalName });
		expect(expired.status).toBe(200);
		expect(expired.body.expired).toBeGreaterThanOrEqual(3);
		expectGone(await call('GET', done.deltaLink));
		expectGone(await call('GET', midRound.body['@odata.nextLink']));
		expectGone(await call('GET', calendar.deltaLink));
		expect((await call('GET', hers.deltaLink, { token: megan })).status).toBe(200);
		expect((await control('GET', `/delta?userId=${ADELE.id}`)).body).toMatchObject({ validTokens: 0, logEntries: 0 });

		// A full resync works at once.
		const again = await round(folderPath, maxPage(100));
		expect(again.items.length).toBeGreaterThan(0);

		expect((await control('POST', '/delta/expire', { userId: 'nobody@contoso.com' })).status).toBe(400);
		expect((await control('POST', '/delta/expire', { reason: 'bored' })).status).toBe(400);
	});

	test('reason "reset" answers 410 resyncRequired with a Location to restart from, keeping the first request options', async () => {
		const first = await round(`${folderPath}?$select=subject`, maxPage(100));
		await control('POST', '/delta/expire', { userId: ADELE.id, reason: 'reset' });
		const gone = await call('GET', first.deltaLink);
		expectGone(gone, 'resyncRequired');
		const location = gone.headers.get('location') as string;
		expect(location).toMatch(/\/me\/mailFolders\('[^']+'\)\/messages\/delta\?\$select=subject&\$deltatoken=$/);
		const restarted = await round(location, maxPage(100));
		expect(restarted.items.length).toBe(first.items.length);
		expect(Object.keys(restarted.items[0]).sort()).toEqual(['@odata.etag', '@odata.type', 'id', 'subject']);

		const events = await round('/me/calendarView/delta?startDateTime=2030-01-01T00:00:00Z&endDateTime=2030-02-01T00:00:00Z');
		await control('POST', '/delta/expire', { reason: 'reset' });
		const eventsGone = await call('GET', events.deltaLink);
		expectGone(eventsGone, 'resyncRequired');
		expect(eventsGone.headers.get('location')).toBe(
			`${emu.url}/v1.0/me/calendarView/delta?startDateTime=2030-01-01T00:00:00Z&endDateTime=2030-02-01T00:00:00Z&$deltatoken=`,
		);
		expect((await call('GET', eventsGone.headers.get('location') as string)).status).toBe(200);
	});

	test('an emulator reset forgets every token', async () => {
		const first = await round(folderPath, maxPage(100));
		expect((await control('POST', '/reset')).status).toBe(204);
		expectGone(await call('GET', first.deltaLink));
	});
});

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
