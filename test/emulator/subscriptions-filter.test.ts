/**
 * `$filter` in the resource of Outlook change-notification subscriptions, over real HTTP: which filters a
 * create accepts or refuses (and how), and how delivery applies an accepted one — only matching items are
 * reported, an item entering the filter is `created`, one leaving it is `deleted` (graph-facts §1.2).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADELE, startEmulator, type Emulator } from './index';
import { deliverMail, mailboxOf, seedMessages } from './mail';
import { deliveryLog, waitForDeliveries } from './subscriptions';
import { SUBSCRIPTION_FILTER_SUPPORT } from './subscriptions-filter';

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// A webhook receiver that passes the validation handshake and answers notifications with 202

class Receiver {
	url = '';
	validations = 0;
	private server = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			const token = new URL(req.url ?? '/', this.url).searchParams.get('validationToken');
			if (token !== null) {
				this.validations++;
				res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(token);
			} else {
				res.writeHead(202).end();
			}
		});
	});

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let emu: Emulator;
const rx = new Receiver();
let token: string;

async function graph(method: string, path: string, body?: unknown) {
	const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(`${emu.url}/v1.0${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function postSubscription(resource: string, changeType = 'created,updated,deleted') {
	return graph('POST', '/subscriptions', {
		changeType,
		notificationUrl: `${rx.url}/notify`,
		resource,
		expirationDateTime: new Date(emu.core.now() + 120 * MINUTE).toISOString(),
		clientState: 'filter-test',
	});
}

async function subscribe(resource: string, changeType?: string): Promise<Record<string, any>> {
	const response = await postSubscription(resource, changeType);
	if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
	return response.body;
}

interface Reported {
	changeType: string;
	id: string;
}

/**
 * Every change notification delivered so far, in order. Waits until there are `count` of them, then a
 * little longer (past the batch window) so that unexpected extra notifications are seen too.
 */
async function reported(count: number): Promise<Reported[]> {
	const all = () =>
		deliveryLog(emu.core)
			.filter((entry) => entry.kind === 'notification' && entry.delivered)
			.flatMap((entry) => entry.payload.value)
			.map((item) => ({ changeType: String(item.changeType), id: String((item.resourceData as { id: string }).id) }));
	const deadline = Date.now() + 3000;
	while (all().length < count && Date.now() < deadline) await sleep(10);
	await sleep(120);
	return all();
}

function changeTypes(items: Reported[]): string[] {
	return items.map((item) => item.changeType);
}

function messageIdBySubject(subject: string): string {
	const message = [...mailboxOf(emu.core, ADELE.id).messages.values()].find((m) => m.json.subject === subject);
	if (!message) throw new Error(`no message '${subject}'`);
	return message.json.id;
}

function patchMessage(id: string, patch: Record<string, unknown>) {
	return graph('PATCH', `/me/messages/${encodeURIComponent(id)}`, patch);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function inbox(filter: string): string {
	return `me/mailFolders('Inbox')/messages?$filter=${filter}`;
}

const ATTACHMENT = { name: 'a.txt', contentType: 'text/plain', contentBase64: Buffer.from('hello').toString('base64') };

beforeAll(async () => {
	emu = await startEmulator();
	await rx.start();
});

afterAll(async () => {
	await emu.close();
	await rx.close();
});

beforeEach(() => {
	emu.reset();
	rx.validations = 0;
	token = emu.issueToken({ userId: ADELE.id });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the support table', () => {
	it('cites a source for every form and explains every refusal', () => {
		for (const entry of SUBSCRIPTION_FILTER_SUPPORT) {
			expect(entry.source.length).toBeGreaterThan(0);
			if (!entry.accepted) expect(entry.unclear ?? '').not.toBe('');
		}
		const refused = SUBSCRIPTION_FILTER_SUPPORT.filter((entry) => !entry.accepted).map((entry) => `${entry.kind}: ${entry.form}`);
		expect(refused).toEqual(
			expect.arrayContaining(['message: contains(subject, <string>)', 'event: contains(subject, <string>)', 'any: not <a>']),
		);
	});
});

describe('creating a filtered subscription', () => {
	it.each([
		"from/emailAddress/address eq 'billing@contoso-billing.com'",
		"(from/emailAddress/address eq 'a@fabrikam.com' or from/emailAddress/address eq 'b@fabrikam.com' or from/emailAddress/address eq 'c@fabrikam.com')",
		"importance eq 'high'",
		'hasAttachments eq true',
		'isRead eq false',
		"categories/any(c:c eq 'Red category')",
		"subject eq 'Quarterly report'",
		"isRead eq false and (from/emailAddress/address eq 'a@fabrikam.com' or from/emailAddress/address eq 'b@fabrikam.com') and categories/any(c: c eq 'Red') and importance eq 'high' and hasAttachments eq true",
		"IsRead eq false AND Importance eq 'High'",
	])('accepts messages?$filter=%s', async (filter) => {
		const subscription = await subscribe(inbox(filter));
		expect(subscription.resource).toBe(inbox(filter));
	});

	it('accepts the documented example, with $select and an encoded query', async () => {
		await subscribe("me/mailfolders('Drafts')/messages?$select=Subject,bodyPreview&$filter=hasAttachments eq true AND importance eq 'High'");
		await subscribe(`me/messages?$filter=${encodeURIComponent("from/emailAddress/address eq 'x+y@fabrikam.com'")}`);
	});

	it.each([
		"subject eq 'Standup'",
		`organizer/emailAddress/address eq '${ADELE.mail}'`,
		"showAs eq 'busy'",
		'isAllDay eq true',
		"(showAs eq 'busy' or showAs eq 'oof') and subject eq 'Standup'",
	])('accepts events?$filter=%s', async (filter) => {
		await subscribe(`me/events?$filter=${filter}`);
	});

	it.each([
		['message', "contains(subject,'invoice')", 'contains(subject, <string>)', ''],
		['message', "contains(from/emailAddress/address,'fabrikam')", 'contains(from/emailAddress/address, <string>)', ''],
		['message', "startswith(subject,'RE:')", 'startswith(subject, <string>)', ' (only eq comparisons on the documented properties are supported)'],
		['message', 'isRead ne true', 'isRead ne <boolean>', ' (only eq comparisons on the documented properties are supported)'],
		['message', 'not (isRead eq true)', 'not isRead eq <boolean>', ' (only and/or combinations of eq comparisons are supported)'],
		['message', 'receivedDateTime ge 2024-01-01T00:00:00Z', 'receivedDateTime ge <date>', ' (only eq comparisons on the documented properties are supported)'],
		['message', "showAs eq 'busy'", 'showAs eq <string>', ' (only eq comparisons on the documented properties are supported)'],
		['message', "isRead eq false and contains(subject,'x')", 'contains(subject, <string>)', ''],
		['message', "singleValueExtendedProperties/any(ep: ep/id eq 'String {x} Name y' and ep/value ne null)", 'singleValueExtendedProperties/any(...)', ''],
		['event', "contains(subject,'standup')", 'contains(subject, <string>)', ''],
		['event', 'hasAttachments eq true', 'hasAttachments eq <boolean>', ' (only eq comparisons on the documented properties are supported)'],
	])('refuses a %s filter %s with 400 ExtensionError', async (kind, filter, form, why) => {
		const resource = kind === 'message' ? inbox(filter) : `me/events?$filter=${filter}`;
		const response = await postSubscription(resource);
		expect(response.status).toBe(400);
		expect(response.body.error.code).toBe('ExtensionError');
		expect(response.body.error.message).toBe(
			`Operation: Create; Exception: [Status Code: BadRequest; Reason: The $filter clause '${form}' is not supported in a subscription resource for ${kind}s${why}.]`,
		);
		expect(response.body.error.innerError['request-id']).toEqual(expect.any(String));
		// Refused before the handshake, and nothing was created.
		expect(rx.validations).toBe(0);
		expect((await graph('GET', '/subscriptions')).body.value).toEqual([]);
	});

	it('refuses an unparsable filter with 400 BadRequest "Invalid filter clause"', async () => {
		for (const filter of ['isRead eq', "subject eq 'unterminated", 'isRead eq false and']) {
			const response = await postSubscription(inbox(filter));
			expect(response.status).toBe(400);
			expect(response.body.error.code).toBe('BadRequest');
			expect(response.body.error.message).toMatch(/^Invalid filter clause: /);
		}
		expect(rx.validations).toBe(0);
	});
});

describe('delivering through a filter', () => {
	it('reports only messages from the listed senders (or)', async () => {
		await subscribe(inbox("(from/emailAddress/address eq 'a@fabrikam.com' or from/emailAddress/address eq 'B@Fabrikam.com')"), 'created');
		deliverMail(emu.core, { to: ADELE.mail, from: 'c@fabrikam.com', subject: 'from c' });
		deliverMail(emu.core, { to: ADELE.mail, from: 'a@fabrikam.com', subject: 'from a' });
		deliverMail(emu.core, { to: ADELE.mail, from: 'b@fabrikam.com', subject: 'from b' });
		const items = await reported(2);
		expect(items).toEqual([
			{ changeType: 'created', id: messageIdBySubject('from a') },
			{ changeType: 'created', id: messageIdBySubject('from b') },
		]);
	});

	it('requires every part of an and', async () => {
		await subscribe(inbox("hasAttachments eq true AND importance eq 'High'"), 'created');
		deliverMail(emu.core, { to: ADELE.mail, subject: 'high, no attachment', importance: 'high' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'normal, attachment', attachments: [ATTACHMENT] });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'high, attachment', importance: 'high', attachments: [ATTACHMENT] });
		expect(await reported(1)).toEqual([{ changeType: 'created', id: messageIdBySubject('high, attachment') }]);
	});

	it('reports entering the filter as created, leaving it as deleted, changes inside it as updated', async () => {
		await subscribe(inbox('isRead eq false'));
		deliverMail(emu.core, { to: ADELE.mail, subject: 'watch me' });
		const id = messageIdBySubject('watch me');
		expect(await reported(1)).toEqual([{ changeType: 'created', id }]);

		expect((await patchMessage(id, { importance: 'high' })).status).toBe(200); // still unread: updated
		expect((await patchMessage(id, { isRead: true })).status).toBe(200); // leaves: deleted
		expect(changeTypes(await reported(3))).toEqual(['created', 'updated', 'deleted']);

		expect((await patchMessage(id, { importance: 'low' })).status).toBe(200); // outside: nothing
		expect(changeTypes(await reported(3))).toEqual(['created', 'updated', 'deleted']);

		expect((await patchMessage(id, { isRead: false })).status).toBe(200); // enters again: created
		expect((await graph('DELETE', `/me/messages/${encodeURIComponent(id)}`)).status).toBe(204); // deleted while inside
		const items = await reported(5);
		expect(items.map((item) => item.id)).toEqual([id, id, id, id, id]);
		expect(changeTypes(items)).toEqual(['created', 'updated', 'deleted', 'created', 'deleted']);
	});

	it('knows which messages matched when the subscription was created', async () => {
		deliverMail(emu.core, { to: ADELE.mail, subject: 'already unread' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'already read' });
		const unread = messageIdBySubject('already unread');
		const read = messageIdBySubject('already read');
		expect((await patchMessage(read, { isRead: true })).status).toBe(200);
		await subscribe(inbox('isRead eq false'));

		expect((await patchMessage(unread, { isRead: true })).status).toBe(200);
		expect(await reported(1)).toEqual([{ changeType: 'deleted', id: unread }]);
		// Deleting a message that was outside the filter reports nothing.
		expect((await graph('DELETE', `/me/messages/${encodeURIComponent(read)}`)).status).toBe(204);
		expect(await reported(1)).toHaveLength(1);
	});

	it('reports nothing for a message that never matches', async () => {
		await subscribe(inbox("importance eq 'high'"));
		deliverMail(emu.core, { to: ADELE.mail, subject: 'quiet' });
		const id = messageIdBySubject('quiet');
		expect((await patchMessage(id, { isRead: true })).status).toBe(200);
		expect((await graph('DELETE', `/me/messages/${encodeURIComponent(id)}`)).status).toBe(204);
		expect(await reported(0)).toEqual([]);
	});

	it('applies categories/any and only sends the subscribed change types', async () => {
		await subscribe(inbox("categories/any(c:c eq 'Red')"), 'created');
		deliverMail(emu.core, { to: ADELE.mail, subject: 'to tag' });
		const id = messageIdBySubject('to tag');
		expect((await patchMessage(id, { categories: ['Blue'] })).status).toBe(200);
		expect(await reported(0)).toEqual([]);
		expect((await patchMessage(id, { categories: ['Blue', 'red'] })).status).toBe(200); // enters (case-insensitive)
		expect((await patchMessage(id, { categories: [] })).status).toBe(200); // leaves: deleted, not subscribed
		expect((await patchMessage(id, { categories: ['Red'] })).status).toBe(200); // enters again
		expect(await reported(2)).toEqual([
			{ changeType: 'created', id },
			{ changeType: 'created', id },
		]);
	});

	it('follows a message moved into and out of a filtered folder', async () => {
		await subscribe("me/mailFolders('Archive')/messages?$filter=isRead eq false");
		deliverMail(emu.core, { to: ADELE.mail, subject: 'to archive' });
		const moved = await graph('POST', `/me/messages/${encodeURIComponent(messageIdBySubject('to archive'))}/move`, { destinationId: 'archive' });
		expect(moved.status).toBe(201);
		// Moving gives the message a new id in Archive: created there (it matches), then updated.
		expect(await reported(2)).toEqual([
			{ changeType: 'created', id: moved.body.id },
			{ changeType: 'updated', id: moved.body.id },
		]);
		const back = await graph('POST', `/me/messages/${encodeURIComponent(moved.body.id)}/move`, { destinationId: 'inbox' });
		expect(back.status).toBe(201);
		expect(changeTypes(await reported(3))).toEqual(['created', 'updated', 'deleted']);
	});

	it('treats a message added without a change event as unchanged by its first update', async () => {
		await subscribe(inbox("subject eq 'Quiet 1' and importance eq 'normal'"));
		// Seeded silently after the subscription: 'Quiet 1', normal importance.
		const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: 'Quiet' }).ids;
		expect((await patchMessage(id, { categories: ['Blue'] })).status).toBe(200);
		expect(await reported(1)).toEqual([{ changeType: 'updated', id }]);
		expect((await patchMessage(id, { importance: 'high' })).status).toBe(200);
		expect(changeTypes(await reported(2))).toEqual(['updated', 'deleted']);
	});

	it('applies event filters: showAs, organizer and subject', async () => {
		await subscribe("me/events?$filter=showAs eq 'busy' and subject eq 'Standup'");
		const start = { dateTime: '2030-01-01T10:00:00', timeZone: 'UTC' };
		const end = { dateTime: '2030-01-01T10:15:00', timeZone: 'UTC' };
		const created = await graph('POST', '/me/events', { subject: 'Standup', showAs: 'free', start, end });
		expect(created.status).toBe(201);
		const id = created.body.id as string;
		expect((await graph('PATCH', `/me/events/${encodeURIComponent(id)}`, { showAs: 'busy' })).status).toBe(200);
		expect((await graph('PATCH', `/me/events/${encodeURIComponent(id)}`, { location: { displayName: 'Room 1' } })).status).toBe(200);
		expect((await graph('PATCH', `/me/events/${encodeURIComponent(id)}`, { subject: 'Retro' })).status).toBe(200);
		const items = await reported(3);
		expect(items).toEqual([
			{ changeType: 'created', id },
			{ changeType: 'updated', id },
			{ changeType: 'deleted', id },
		]);

		const organizerSubscription = await subscribe(`me/events?$filter=organizer/emailAddress/address eq '${ADELE.mail.toLowerCase()}'`, 'created');
		const mine = await graph('POST', '/me/events', { subject: 'Mine', start, end });
		expect(mine.status).toBe(201);
		// Only the organizer subscription hears about it ('Mine' is neither busy-Standup).
		expect((await reported(4))[3]).toEqual({ changeType: 'created', id: mine.body.id });
		const last = await waitForDeliveries(emu.core, 1, 3000, { subscriptionId: organizerSubscription.id });
		expect(last).toHaveLength(1);
	});
});
