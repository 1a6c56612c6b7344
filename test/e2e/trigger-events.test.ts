/**
 * The trigger's version 2 in a real n8n server against the Graph emulator: each Trigger On preset and
 * each filter. For every one the test checks the subscription Graph received (resource with its
 * `$filter`, change types), the runs that started and their items, and that a change that does not
 * match starts no run — for filters Graph applies, Graph does not even deliver it (the emulator
 * evaluates the subscription's `$filter` and refuses forms Graph does not document).
 * Run: npm run build && npx jest --selectProjects e2e test/e2e/trigger-events.test.ts
 */
import type { Emulator } from '../emulator';
import { deliverMail } from '../emulator/mail';
import { allSubscriptions, configureSubscriptions, deliveryLog } from '../emulator/subscriptions';
import type { N8nHarness } from '../harness/n8n';
import { TRIGGER, activateTrigger, createTriggerWorkflow, emittedItems, executionCount, until, type ActiveTrigger } from '../reliability/trigger';
import { ADELE, MEGAN, QUIET_MS, deliveriesSettled, graphAs, useE2E, type Authentication } from './support';

// One emulator + n8n server for the file (support.ts useE2E); `emu` and `n8n` are its two halves.
const ctx = useE2E({ runOn: 'server' }, 600_000);
let emu: Emulator;
let n8n: N8nHarness;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

beforeAll(async () => {
	({ emu, n8n } = ctx);
	// The file needs the server even when E2E_RUN_ON=cli (both calls do nothing when done already).
	await n8n.start();
	await n8n.setupOwner();
});

afterAll(() => {
	// The trigger's own log lines, for a failure that only shows in a full run.
	if (process.env.TRIGGER_LOGS === '1') process.stderr.write(`${n8n.logs().split('\n').filter((line) => /Outlook Ext Trigger|rror/.test(line)).slice(-80).join('\n')}\n`);
});

async function activateV2(name: string, parameters: Record<string, unknown>, authentication?: Authentication): Promise<ActiveTrigger> {
	return await activateTrigger(n8n, name, parameters, authentication, 2);
}

function subscriptionOf(trigger: ActiveTrigger): Record<string, any> {
	const subscriptions = allSubscriptions(emu.core).filter((s) => s.notificationUrl === trigger.url);
	expect(subscriptions).toHaveLength(1);
	return subscriptions[0];
}

/** The `$filter` of a subscription's resource, decoded. */
function filterOf(subscription: Record<string, any>): string | undefined {
	const query = String(subscription.resource).split('?')[1];
	return query ? (new URLSearchParams(query.replace(/\+/g, '%2B')).get('$filter') ?? undefined) : undefined;
}

/** Notifications Graph delivered to the trigger (lifecycle events left out). */
function changesDelivered(trigger: ActiveTrigger): Array<Record<string, any>> {
	return deliveryLog(emu.core)
		.filter((entry) => entry.url === trigger.url && entry.delivered)
		.flatMap((entry) => entry.payload.value as Array<Record<string, any>>)
		.filter((item) => item.changeType);
}

/**
 * Waits until `count` runs exist and Graph (the emulator) has nothing left to send to the trigger, then a
 * short quiet period (the last POST's processing) in which no other run may start; returns all items.
 */
async function expectRuns(trigger: ActiveTrigger, count: number, quietMs = QUIET_MS): Promise<any[]> {
	// A wait, not a speed check: n8n 2.41 on two busy cores can take many seconds to start a run.
	if (count > 0) await n8n.waitForExecutions(trigger.id, count, 60_000);
	await deliveriesSettled(emu, trigger.url);
	await sleep(quietMs);
	expect(await executionCount(n8n, trigger)).toBe(count);
	return await emittedItems(n8n, trigger);
}

async function messageWithSubject(subject: string, userId = ADELE.id): Promise<Record<string, any>> {
	return await until(`message "${subject}"`, async () => {
		const filter = encodeURIComponent(`subject eq '${subject.replace(/'/g, "''")}'`);
		const answer = await graphAs(emu, 'GET', `/me/messages?$filter=${filter}`, { userId });
		return answer.body?.value?.[0];
	});
}

async function patchMessage(id: string, body: Record<string, unknown>, userId = ADELE.id): Promise<void> {
	const answer = await graphAs(emu, 'PATCH', `/me/messages/${encodeURIComponent(id)}`, { body, userId });
	expect(answer.status).toBe(200);
}

const DAY = 24 * 60 * 60_000;

async function lifecycle(subscriptionId: string, event: string): Promise<void> {
	const response = await fetch(`${emu.url}/_emulator/subscriptions/${subscriptionId}/lifecycle`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ event }),
	});
	expect(response.status).toBe(200);
}

/** Runs `check`; when it fails, prints what Graph (the emulator) posted to the trigger, its delta reads and the trigger's log. */
async function explainFailure<T>(trigger: ActiveTrigger, check: () => Promise<T>): Promise<T> {
	try {
		return await check();
	} catch (error) {
		const posts = deliveryLog(emu.core)
			.filter((entry) => entry.url === trigger.url)
			.slice(-10)
			.map((entry) => `${entry.kind} attempt ${entry.attempt} at ${new Date(entry.at).toISOString()}: ${entry.status ?? entry.failure} after ${Math.round(entry.durationMs)} ms, ${JSON.stringify(entry.payload).slice(0, 160)}`);
		const reads = emu
			.requests()
			.filter((request) => /delta|subscriptions/.test(request.path))
			.slice(-10)
			.map((request) => `${new Date(request.at).toISOString()} ${request.method} ${request.url.slice(0, 200)} → ${request.status}`);
		const logged = n8n.logs().split('\n').filter((line) => /Outlook Ext Trigger|rror|webhook/i.test(line)).slice(-30);
		process.stderr.write(`[trigger-events] deliveries to the trigger:\n${posts.join('\n')}\n[trigger-events] delta/subscription requests:\n${reads.join('\n')}\n[trigger-events] n8n log:\n${logged.join('\n')}\n`);
		throw error;
	}
}

const PDF = { name: 'report.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4 test').toString('base64') };

describe('New Mail in Folder with every mail filter', () => {
	let trigger: ActiveTrigger;
	const sender = 'orders@fabrikam.com';

	beforeAll(async () => {
		trigger = await activateV2('v2-new-mail', {
			event: 'newMail',
			mailFilters: { from: `${sender}, billing@fabrikam.com`, importance: 'high', hasAttachments: 'true', isRead: 'false', subjectContains: 'Order' },
		});
	});

	test('the subscription carries the filters Graph applies; Subject Contains stays with the node', () => {
		const subscription = subscriptionOf(trigger);
		expect(subscription.changeType).toBe('created');
		expect(String(subscription.resource).split('?')[0]).toBe(`me/mailFolders('inbox')/messages`);
		expect(filterOf(subscription)).toBe(
			"(from/emailAddress/address eq 'orders@fabrikam.com' or from/emailAddress/address eq 'billing@fabrikam.com') and importance eq 'high' and hasAttachments eq true and isRead eq false",
		);
	});

	test('a matching mail starts one run with the message', async () => {
		deliverMail(emu.core, { to: ADELE.mail, from: sender, subject: 'Order 1001', importance: 'high', attachments: [PDF] });
		const items = await expectRuns(trigger, 1);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ subject: 'Order 1001', importance: 'high', hasAttachments: true, changeType: 'created' });
	});

	test.each([
		['From (another sender)', { from: 'someone@contoso.com' }],
		['Importance (normal)', { importance: 'normal' as const }],
		['Has Attachments (none)', { attachments: [] }],
	])('a mail that fails the %s filter is not even delivered by Graph, and starts no run', async (_, change) => {
		const before = changesDelivered(trigger).length;
		const runs = await executionCount(n8n, trigger);
		deliverMail(emu.core, { to: ADELE.mail, from: sender, subject: `Order not matching ${_}`, importance: 'high', attachments: [PDF], ...change });
		// Graph decides when the change happens: nothing queued or on its way means nothing will be sent.
		await deliveriesSettled(emu, trigger.url);
		expect(changesDelivered(trigger).length).toBe(before);
		expect(await executionCount(n8n, trigger)).toBe(runs);
	});

	test('Is Read: a read mail does not match; marking it unread makes it enter the filter (Graph: created) and run', async () => {
		const runs = await executionCount(n8n, trigger);
		// Delivered unread (matches): one run; then read (leaves: Graph sends deleted, which this preset ignores).
		deliverMail(emu.core, { to: ADELE.mail, from: sender, subject: 'Order 1002', importance: 'high', attachments: [PDF] });
		await expectRuns(trigger, runs + 1);
		const message = await messageWithSubject('Order 1002');
		await patchMessage(message.id, { isRead: true });
		await expectRuns(trigger, runs + 1);
		await patchMessage(message.id, { isRead: false });
		const items = await expectRuns(trigger, runs + 2);
		expect(items.at(-1)).toMatchObject({ id: message.id, subject: 'Order 1002', isRead: false });
	});

	afterAll(async () => {
		await n8n.deactivate(trigger.id);
	});

	test('Subject Contains is checked by the node: Graph delivers the change, no run starts', async () => {
		const delivered = changesDelivered(trigger).length;
		const runs = await executionCount(n8n, trigger);
		deliverMail(emu.core, { to: ADELE.mail, from: sender, subject: 'Invoice 77', importance: 'high', attachments: [PDF] });
		await until('the delivery', () => changesDelivered(trigger).length > delivered);
		await expectRuns(trigger, runs);
	});
});

describe('Categories filter', () => {
	test('a category added later makes the message enter the filter: one run', async () => {
		const trigger = await activateV2('v2-categories', { event: 'newMail', mailFilters: { categories: 'Customers, VIP' } });
		expect(filterOf(subscriptionOf(trigger))).toBe("(categories/any(c:c eq 'Customers') or categories/any(c:c eq 'VIP'))");
		deliverMail(emu.core, { to: ADELE.mail, subject: 'Categorised later' });
		await expectRuns(trigger, 0);
		const message = await messageWithSubject('Categorised later');
		await patchMessage(message.id, { categories: ['VIP'] });
		const items = await expectRuns(trigger, 1);
		expect(items[0]).toMatchObject({ id: message.id, categories: ['VIP'] });
		await n8n.deactivate(trigger.id);
	});
});

describe('To and To or CC filters (checked by the node)', () => {
	test('To runs for mail with the address in To; To or CC also for it in CC; neither for other mail', async () => {
		const to = await activateV2('v2-to', { event: 'newMail', mailFilters: { to: 'support@contoso.com' } });
		const toOrCc = await activateV2('v2-to-or-cc', { event: 'newMail', mailFilters: { toOrCc: 'Support@Contoso.com' } });
		// Microsoft documents no recipient filter for subscriptions: Graph sends every new mail, the node checks it.
		expect(filterOf(subscriptionOf(to))).toBeUndefined();
		deliverMail(emu.core, { to: [ADELE.mail, 'support@contoso.com'], subject: 'Sent to support' });
		deliverMail(emu.core, { to: ADELE.mail, cc: 'support@contoso.com', subject: 'Support in CC' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'Adele only' });
		const subjects = async (trigger: ActiveTrigger) => (await emittedItems(n8n, trigger)).map((item) => item.subject).sort();
		await until('both triggers ran', async () => (await subjects(to)).length >= 1 && (await subjects(toOrCc)).length >= 2, 60_000);
		for (const trigger of [to, toOrCc]) await deliveriesSettled(emu, trigger.url);
		await sleep(QUIET_MS);
		expect(await subjects(to)).toEqual(['Sent to support']);
		expect(await subjects(toOrCc)).toEqual(['Sent to support', 'Support in CC']);
		for (const trigger of [to, toOrCc]) await n8n.deactivate(trigger.id);
	});
});

describe('New Mail in Shared Mailbox', () => {
	test('watches the named mailbox with client credentials; mail to Adele starts nothing', async () => {
		const trigger = await activateV2('v2-shared', { event: 'newMailShared', mailbox: MEGAN.userPrincipalName }, 'clientCredentials');
		const subscription = subscriptionOf(trigger);
		expect(String(subscription.resource)).toBe(`users/${MEGAN.userPrincipalName}/mailFolders('inbox')/messages`);
		deliverMail(emu.core, { to: ADELE.mail, subject: 'Not for the shared mailbox' });
		deliverMail(emu.core, { to: MEGAN.mail, subject: 'For the shared mailbox' });
		const items = await expectRuns(trigger, 1);
		expect(items[0]).toMatchObject({ subject: 'For the shared mailbox' });
		await n8n.deactivate(trigger.id);
	});

	test('without a Mailbox, activation is refused (a required field) and nothing is subscribed', async () => {
		emu.clearRequests();
		const activation = activateV2('v2-shared-empty', { event: 'newMailShared' }, 'clientCredentials');
		// n8n checks required parameters itself before the node runs; the node's own check says "Mailbox is empty".
		await expect(activation).rejects.toThrow(/Missing or invalid required parameters|Mailbox is empty/);
		expect(emu.requests().filter((r) => r.method === 'POST' && r.path === '/subscriptions')).toHaveLength(0);
	});
});

describe('Mail Flagged', () => {
	test('runs when a message becomes flagged, not on later edits, and again after unflag + flag', async () => {
		const trigger = await activateV2('v2-flagged', { event: 'mailFlagged', output: 'notification' });
		expect(subscriptionOf(trigger).changeType).toBe('created,updated');
		deliverMail(emu.core, { to: ADELE.mail, subject: 'Flag me' });
		await expectRuns(trigger, 0);
		const message = await messageWithSubject('Flag me');
		await patchMessage(message.id, { flag: { flagStatus: 'flagged' } });
		await expectRuns(trigger, 1);
		await patchMessage(message.id, { isRead: true });
		await expectRuns(trigger, 1);
		await patchMessage(message.id, { flag: { flagStatus: 'notFlagged' } });
		await expectRuns(trigger, 1);
		await patchMessage(message.id, { flag: { flagStatus: 'flagged' } });
		const items = await expectRuns(trigger, 2);
		expect(items.map((item) => item.resourceId)).toEqual([message.id, message.id]);
		await n8n.deactivate(trigger.id);
	});
});

describe('Mail Mentioning Me', () => {
	test('runs for a mail whose body @mentions the mailbox owner, not for others', async () => {
		const trigger = await activateV2('v2-mention', { event: 'mailMentioningMe' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'No mention', html: '<p>Hello team</p>' });
		deliverMail(emu.core, {
			to: ADELE.mail,
			subject: 'With mention',
			html: `<p>Hi <a href="mailto:${ADELE.mail}" id="OWAAM123">@Adele Vance</a>, please review.</p>`,
		});
		const items = await expectRuns(trigger, 1);
		expect(items[0]).toMatchObject({ subject: 'With mention' });
		await n8n.deactivate(trigger.id);
	});
});

describe('calendar events', () => {
	let created: ActiveTrigger;
	let updated: ActiveTrigger;
	let deleted: ActiveTrigger;
	let eventId: string;

	const window = { start: { dateTime: '2026-12-20T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-12-20T11:00:00', timeZone: 'UTC' } };

	beforeAll(async () => {
		created = await activateV2('v2-event-created', { event: 'eventCreated', eventFilters: { organizer: ADELE.mail, showAs: 'busy', subjectContains: 'review' } });
		updated = await activateV2('v2-event-updated', { event: 'eventUpdated' });
		deleted = await activateV2('v2-event-deleted', { event: 'eventDeleted', output: 'notification' });
	});

	test('each preset subscribes to its change type; Organizer and Show As go to Graph', () => {
		expect(subscriptionOf(created)).toMatchObject({ changeType: 'created' });
		expect(filterOf(subscriptionOf(created))).toBe(`organizer/emailAddress/address eq '${ADELE.mail}' and showAs eq 'busy'`);
		expect(subscriptionOf(updated)).toMatchObject({ changeType: 'updated', resource: 'me/events' });
		expect(subscriptionOf(deleted)).toMatchObject({ changeType: 'deleted', resource: 'me/events' });
	});

	test('created → the created trigger only; updated → the updated trigger; deleted → the deleted trigger', async () => {
		const answer = await graphAs(emu, 'POST', '/me/events', { body: { subject: 'Design review', showAs: 'busy', ...window } });
		expect(answer.status).toBe(201);
		eventId = answer.body.id;
		const items = await expectRuns(created, 1);
		expect(items[0]).toMatchObject({ id: eventId, subject: 'Design review', changeType: 'created' });
		expect(await executionCount(n8n, deleted)).toBe(0);

		await graphAs(emu, 'PATCH', `/me/events/${eventId}`, { body: { location: { displayName: 'Room 4' } } });
		const updates = await expectRuns(updated, 1);
		expect(updates[0]).toMatchObject({ id: eventId, changeType: 'updated' });

		await graphAs(emu, 'DELETE', `/me/events/${eventId}`);
		const deletions = await expectRuns(deleted, 1);
		expect(deletions[0]).toMatchObject({ resourceId: eventId, changeType: 'deleted' });
		await expectRuns(created, 1, 0);
	});

	test.each([
		['Show As (free)', { subject: 'Free review', showAs: 'free' }, false],
		['Subject Contains (no "review")', { subject: 'Lunch', showAs: 'busy' }, true],
	])('an event that fails the %s filter starts no run', async (_, event, deliveredByGraph) => {
		const delivered = changesDelivered(created).length;
		const answer = await graphAs(emu, 'POST', '/me/events', { body: { ...event, ...window } });
		expect(answer.status).toBe(201);
		// Graph decides when the change happens; settled = every POST it would send has been answered.
		await deliveriesSettled(emu, created.url);
		expect(changesDelivered(created).length).toBe(delivered + (deliveredByGraph ? 1 : 0));
		await expectRuns(created, 1);
	});

	test('an event organized by someone else does not match Organizer: Graph does not deliver it', async () => {
		const delivered = changesDelivered(created).length;
		// Megan invites Adele: Adele's copy is organized by Megan.
		const answer = await graphAs(emu, 'POST', '/me/events', {
			userId: MEGAN.id,
			body: { subject: 'Megan review', showAs: 'busy', attendees: [{ emailAddress: { address: ADELE.mail }, type: 'required' }], ...window },
		});
		expect(answer.status).toBe(201);
		await deliveriesSettled(emu, created.url);
		expect(changesDelivered(created).length).toBe(delivered);
		await expectRuns(created, 1, 0);
	});
});

describe('changing filters and bad input', () => {
	test('a changed filter on an active workflow replaces the subscription at the next activation', async () => {
		const trigger = await activateV2('v2-change', { event: 'newMail', mailFilters: { importance: 'high' } });
		const first = subscriptionOf(trigger);
		await n8n.deactivate(trigger.id);
		const workflow = (await n8n.api('GET', `/workflows/${trigger.id}`)).body;
		workflow.nodes[0].parameters.mailFilters = { importance: 'low' };
		const { id: _id, active: _active, ...update } = workflow;
		await n8n.api('PUT', `/workflows/${trigger.id}`, { name: update.name, nodes: update.nodes, connections: update.connections, settings: update.settings });
		await n8n.activate(trigger.id);
		const second = subscriptionOf(trigger);
		expect(second.id).not.toBe(first.id);
		expect(filterOf(second)).toBe("importance eq 'low'");
		expect(allSubscriptions(emu.core).some((s) => s.id === first.id)).toBe(false);
		await n8n.deactivate(trigger.id);
	});

	test('a From or To or CC filter that is not an address fails activation before any subscription is requested', async () => {
		emu.clearRequests();
		await expect(activateV2('v2-bad-from', { event: 'newMail', mailFilters: { from: 'orders at fabrikam' } })).rejects.toThrow(
			/Filters → From contains "orders at fabrikam", which is not an email address/,
		);
		await expect(activateV2('v2-bad-to', { event: 'newMail', mailFilters: { toOrCc: 'support at contoso' } })).rejects.toThrow(
			/Filters → To or CC contains "support at contoso", which is not an email address/,
		);
		expect(emu.requests().filter((r) => r.method === 'POST' && r.path === '/subscriptions')).toHaveLength(0);
	});
});

describe('activation', () => {
	test('a mail notified before the activation has stored its secret is answered 503, sent again by Graph and runs once', async () => {
		const trigger = await createTriggerWorkflow(n8n, 'v2-early', { event: 'newMail' }, undefined, 2);
		const notifications = () => deliveryLog(emu.core).filter((entry) => entry.url === trigger.url && entry.kind === 'notification');
		// Graph delivers from the moment the subscription exists; n8n stores its secret only after create() returned.
		configureSubscriptions(emu.core, { createdReplyDelayMs: 2500 });
		try {
			const activation = n8n.activate(trigger.id);
			await until('the subscription is live on Graph', () => allSubscriptions(emu.core).some((s) => s.notificationUrl === trigger.url));
			deliverMail(emu.core, { to: ADELE.mail, subject: 'Early bird' });
			const first = await until('the first delivery of the early mail', () => notifications()[0]);
			expect(first.status).toBe(503);
			await activation;
		} finally {
			configureSubscriptions(emu.core, { createdReplyDelayMs: 0 });
		}
		const items = await expectRuns(trigger, 1);
		expect(items.map((item) => item.subject)).toEqual(['Early bird']);
		expect(notifications().at(-1)?.status).toBe(202);
		await n8n.deactivate(trigger.id);
	});
});

describe('lossless resync (delta query)', () => {
	let trigger: ActiveTrigger;

	beforeAll(async () => {
		trigger = await activateV2('v2-resync', { event: 'newMail', options: { maxResyncItems: 100 } });
	});

	afterAll(async () => {
		await n8n.deactivate(trigger.id);
	});

	test('Graph loses 50 notifications and sends missed: exactly those 50 changes are output, once, marked resync', async () => {
		configureSubscriptions(emu.core, { loseNextChangeNotifications: 50 });
		const subjects = Array.from({ length: 50 }, (_, i) => `Lost ${String(i).padStart(2, '0')}`);
		for (const subject of subjects) deliverMail(emu.core, { to: ADELE.mail, subject });
		await expectRuns(trigger, 0);
		expect(configureSubscriptions(emu.core, {}).loseNextChangeNotifications).toBe(0);

		await lifecycle(subscriptionOf(trigger).id, 'missed');
		const items = await explainFailure(trigger, async () => await expectRuns(trigger, 1));
		expect(items).toHaveLength(50);
		expect(items.map((item) => item.subject).sort()).toEqual(subjects);
		expect(items.every((item) => item.source === 'resync' && item.changeType === 'created')).toBe(true);

		// Nothing new: a second missed outputs nothing.
		await lifecycle(subscriptionOf(trigger).id, 'missed');
		await expectRuns(trigger, 1);
	});

	test('changes that notifications delivered are not output again by a resync', async () => {
		const runs = await executionCount(n8n, trigger);
		deliverMail(emu.core, { to: ADELE.mail, subject: 'Delivered live' });
		const items = await expectRuns(trigger, runs + 1);
		expect(items.at(-1)).toMatchObject({ subject: 'Delivered live' });
		expect(items.at(-1).source).toBeUndefined();
		await lifecycle(subscriptionOf(trigger).id, 'missed');
		await expectRuns(trigger, runs + 1);
	});

	test('more changes than Max Resync Items: the first ones are output, a summary item counts the rest', async () => {
		const runs = await executionCount(n8n, trigger);
		configureSubscriptions(emu.core, { loseNextChangeNotifications: 103 });
		for (let i = 0; i < 103; i++) deliverMail(emu.core, { to: ADELE.mail, subject: `Bulk lost ${i}` });
		await expectRuns(trigger, runs);
		await lifecycle(subscriptionOf(trigger).id, 'missed');
		const items = (await expectRuns(trigger, runs + 1)).slice(-101);
		expect(items.filter((item) => item.changeType === 'created')).toHaveLength(100);
		expect(items.at(-1)).toMatchObject({ source: 'resync', resync: 'truncated', skipped: 3 });
	});

	test('n8n stopped past the subscription\'s expiry (and the delta link\'s): the changes meanwhile are output once at start', async () => {
		const before = subscriptionOf(trigger);
		const runs = await executionCount(n8n, trigger);
		await n8n.stop();
		const subjects = ['While down 1', 'While down 2', 'While down 3', 'While down 4', 'While down 5'];
		for (const subject of subjects) deliverMail(emu.core, { to: ADELE.mail, subject });
		await emu.advanceClock(8 * DAY);
		await n8n.start();
		const fresh = await until('a new subscription', () => allSubscriptions(emu.core).find((s) => s.notificationUrl === trigger.url), 60_000);
		expect(fresh.id).not.toBe(before.id);
		// Every registration of the trigger (and its start-up resync) has happened once n8n has published it.
		await n8n.waitForActiveWorkflows();
		const items = (await expectRuns(trigger, runs + 1)).slice(-5);
		expect(items.map((item) => item.subject).sort()).toEqual(subjects);
		expect(items.every((item) => item.source === 'resync')).toBe(true);
		expect(n8n.logs()).toMatch(/delta link expired .*full resync/);
	});
});

describe('lossless resync without a first delta link', () => {
	test('the first delta read failed at activation: a missed event reads everything since the activation', async () => {
		emu.addFault({ method: 'GET', pathPattern: '/messages/delta', kind: 'status', status: 403, code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.', times: 1 });
		const untracked = await activateV2('v2-resync-untracked', { event: 'newMail', options: { maxResyncItems: 100 } });
		try {
			expect(n8n.logs()).toMatch(/could not start change tracking .*the next resync reads everything since/);
			configureSubscriptions(emu.core, { loseNextChangeNotifications: 3 });
			const subjects = ['Untracked 1', 'Untracked 2', 'Untracked 3'];
			for (const subject of subjects) deliverMail(emu.core, { to: ADELE.mail, subject });
			await expectRuns(untracked, 0);
			await lifecycle(subscriptionOf(untracked).id, 'missed');
			const items = await expectRuns(untracked, 1);
			expect(items.map((item) => item.subject).sort()).toEqual(subjects);
			expect(items.every((item) => item.source === 'resync')).toBe(true);
			expect(n8n.logs()).toMatch(/no delta link was stored; full resync of what changed since/);
		} finally {
			await n8n.deactivate(untracked.id);
		}
	});
});

describe('one item pipeline: a resync item is the live item', () => {
	/** Each output mode, with attachments: one trigger gets the mail live, its twin by a resync. */
	const modes: Array<[string, Record<string, unknown>]> = [
		['Simple', { output: 'simple' }],
		['Full Item', { output: 'resource' }],
		['Selected Fields', { output: 'fields', fields: 'subject,from,hasAttachments,importance' }],
		['Full Item with Rich Notifications', { output: 'resource', rich: true }],
	];

	/** The trigger's items with their binary properties (name, type, size: the stored data's ID differs). */
	async function itemsWithFiles(trigger: ActiveTrigger): Promise<Array<{ json: Record<string, any>; files: Record<string, unknown> }>> {
		const executions = (await n8n.executions(trigger.id, { includeData: true, limit: 10 })).filter((execution) => execution.finished || execution.stoppedAt);
		return executions.flatMap((execution) =>
			n8n.nodeOutput(execution, TRIGGER).map((item) => ({
				json: item.json,
				files: Object.fromEntries(Object.entries(item.binary ?? {}).map(([name, file]: [string, any]) => [name, { fileName: file.fileName, mimeType: file.mimeType, fileSize: file.fileSize }])),
			})),
		);
	}

	test('the same mail gives identical items live and by resync in Simple, Full Item, Selected Fields and rich Full Item, attachments included', async () => {
		const parametersOf = ({ rich, ...output }: Record<string, unknown>) => ({ event: 'newMail', ...output, options: { includeAttachments: true, maxResyncItems: 100, ...(rich ? { richNotifications: true } : {}) } });
		// Graph notifies subscriptions in the order they were created: the resync twins first, so theirs are the lost ones.
		const byResync: ActiveTrigger[] = [];
		for (const [index, [, output]] of modes.entries()) byResync.push(await activateV2(`v2-same-resync-${index}`, parametersOf(output)));
		const live: ActiveTrigger[] = [];
		for (const [index, [, output]] of modes.entries()) live.push(await activateV2(`v2-same-live-${index}`, parametersOf(output)));
		try {
			configureSubscriptions(emu.core, { loseNextChangeNotifications: byResync.length });
			deliverMail(emu.core, { to: ADELE.mail, from: 'orders@fabrikam.com', subject: 'Same either way', importance: 'high', attachments: [PDF] });
			for (const trigger of live) await n8n.waitForExecutions(trigger.id, 1, 60_000);
			expect(byResync.map((trigger) => changesDelivered(trigger).length)).toEqual(modes.map(() => 0));
			// The rich twin received the item inside the notification: no fetch of the message for it.
			expect(changesDelivered(live[3])[0].encryptedContent).toBeDefined();
			for (const trigger of byResync) await lifecycle(subscriptionOf(trigger).id, 'missed');
			for (const trigger of byResync) await explainFailure(trigger, async () => await n8n.waitForExecutions(trigger.id, 1, 60_000));

			for (const [index, [mode]] of modes.entries()) {
				const [liveItem] = await itemsWithFiles(live[index]);
				const [resyncItem] = await itemsWithFiles(byResync[index]);
				const { source, ...resynced } = resyncItem.json;
				expect({ mode, source }).toEqual({ mode, source: 'resync' });
				expect({ mode, json: resynced, files: resyncItem.files }).toEqual({ mode, json: liveItem.json, files: liveItem.files });
				expect(Object.keys(liveItem.files)).toEqual(['attachment_0']);
				expect(liveItem.json.subject).toBe('Same either way');
			}
			expect(Object.keys((await itemsWithFiles(live[0]))[0].json)).toContain('to');
			expect(Object.keys((await itemsWithFiles(live[2]))[0].json).sort()).toEqual(['changeType', 'from', 'hasAttachments', 'id', 'importance', 'subject']);
		} finally {
			configureSubscriptions(emu.core, { loseNextChangeNotifications: 0 });
			for (const trigger of [...byResync, ...live]) await n8n.deactivate(trigger.id);
		}
	});
});

describe('rich notifications (includeResourceData)', () => {
	let trigger: ActiveTrigger;

	beforeAll(async () => {
		trigger = await activateV2('v2-rich', { event: 'newMail', mailFilters: { importance: 'high' }, options: { richNotifications: true } });
	});

	afterAll(async () => {
		await n8n.deactivate(trigger.id);
	});

	test('the subscription asks for encrypted resource data with $select, a certificate and at most 1,440 minutes', () => {
		const subscription = subscriptionOf(trigger);
		expect(subscription.includeResourceData).toBe(true);
		expect(String(subscription.encryptionCertificateId).length).toBeGreaterThan(0);
		expect(String(subscription.resource)).toMatch(/^me\/mailFolders\('inbox'\)\/messages\?\$select=id,subject,.*&\$filter=importance eq 'high'$/);
		expect((Date.parse(subscription.expirationDateTime) - emu.core.now()) / 60_000).toBeLessThanOrEqual(1440);
	});

	test('the item comes decrypted from the notification: no Graph request per notification; no private key in static data', async () => {
		emu.clearRequests();
		deliverMail(emu.core, { to: ADELE.mail, subject: 'Rich 1', importance: 'high', from: 'orders@fabrikam.com' });
		const items = await expectRuns(trigger, 1);
		expect(items[0]).toMatchObject({ subject: 'Rich 1', importance: 'high', changeType: 'created', from: { emailAddress: { address: 'orders@fabrikam.com' } } });
		expect(Object.keys(items[0]).some((key) => key.includes('@odata'))).toBe(false);
		expect(emu.requests().filter((r) => r.area === 'graph' && !r.path.startsWith('/subscriptions'))).toHaveLength(0);
		const staticData = JSON.stringify((await n8n.api('GET', `/workflows/${trigger.id}`)).body.staticData);
		expect(staticData).not.toMatch(/PRIVATE KEY/);
		expect(staticData).toContain('richKeySealed');
	});

	test.each(['data', 'dataSignature', 'dataKey', 'validationToken', 'expiredValidationToken'])(
		'a tampered %s starts no run and is logged',
		async (target) => {
			const runs = await executionCount(n8n, trigger);
			const delivered = changesDelivered(trigger).length;
			const dropped = () => (n8n.logs().match(/dropped (1 rich notification\(s\)|a rich notification): /g) ?? []).length;
			const droppedBefore = dropped();
			const response = await fetch(`${emu.url}/_emulator/subscriptions/tamper`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ target }),
			});
			expect(response.status).toBe(200);
			deliverMail(emu.core, { to: ADELE.mail, subject: `Tampered ${target}`, importance: 'high' });
			await until('the delivery', () => changesDelivered(trigger).length > delivered);
			await expectRuns(trigger, runs);
			expect(dropped()).toBe(droppedBefore + 1);
		},
	);
});

describe('mail output shapes and attachments', () => {
	test('Simple: flattened addresses; Selected Fields: only those; Include Attachments: file attachments as binary, a large one listed as skipped', async () => {
		const simple = await activateV2('v2-simple', { event: 'newMail', output: 'simple', mailFilters: { subjectContains: 'shape-simple' } });
		const fields = await activateV2('v2-fields', { event: 'newMail', output: 'fields', fields: 'subject, importance', mailFilters: { subjectContains: 'shape-fields' } });
		const attach = await activateV2('v2-attach', {
			event: 'newMail',
			output: 'simple',
			mailFilters: { subjectContains: 'shape-attach' },
			options: { includeAttachments: true, maxAttachmentSizeMb: 0.001 },
		});
		deliverMail(emu.core, { to: ADELE.mail, cc: MEGAN.mail, from: 'orders@fabrikam.com', subject: 'shape-simple 1', importance: 'high' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'shape-fields 1', importance: 'low' });
		const big = { name: 'big.bin', contentType: 'application/octet-stream', contentBase64: Buffer.alloc(4096, 7).toString('base64') };
		deliverMail(emu.core, { to: ADELE.mail, subject: 'shape-attach 1', attachments: [PDF, big] });

		const [simpleItem] = await expectRuns(simple, 1);
		expect(simpleItem).toMatchObject({ subject: 'shape-simple 1', from: 'orders@fabrikam.com', to: [ADELE.mail], cc: [MEGAN.mail], importance: 'high', changeType: 'created' });
		expect(simpleItem.body).toBeUndefined();

		const [fieldsItem] = await expectRuns(fields, 1);
		expect(Object.keys(fieldsItem).sort()).toEqual(['changeType', 'id', 'importance', 'subject']);
		expect(fieldsItem).toMatchObject({ subject: 'shape-fields 1', importance: 'low' });

		await expectRuns(attach, 1);
		const [execution] = await n8n.executions(attach.id, { includeData: true, limit: 1 });
		const [item] = n8n.nodeOutput(execution, 'Outlook Trigger');
		expect(Object.keys(item.binary ?? {})).toEqual(['attachment_0']);
		expect(item.binary!.attachment_0).toMatchObject({ fileName: 'report.pdf', mimeType: 'application/pdf' });
		expect(item.json.attachmentsSkipped).toEqual([{ name: 'big.bin', size: 4096, reason: expect.stringContaining('larger than Max Attachment Size') }]);
		for (const trigger of [simple, fields, attach]) await n8n.deactivate(trigger.id);
	});

	test('Selected Fields with a name that is not a property fails activation naming the field', async () => {
		await expect(activateV2('v2-bad-fields', { event: 'newMail', output: 'fields', fields: 'subject, from address' })).rejects.toThrow(
			/Fields contains "from address", which is not a property name/,
		);
	});
});

describe('Upcoming Event Starting Soon', () => {
	test('one run per event when its reminder time comes; a moved event at its new time; a deleted or non-matching one never', async () => {
		const trigger = await activateV2('v2-upcoming', { event: 'eventStartingSoon', minutesBefore: 15, eventFilters: { subjectContains: 'standup' } });
		// Graph pushes nothing for this: no subscription.
		expect(allSubscriptions(emu.core).filter((s) => s.notificationUrl === trigger.url)).toHaveLength(0);
		const slot = (minutesFromNow: number, length = 15) => {
			const start = emu.core.now() + minutesFromNow * 60_000;
			const text = (ms: number) => new Date(ms).toISOString().slice(0, 19);
			return { start: { dateTime: text(start), timeZone: 'UTC' }, end: { dateTime: text(start + length * 60_000), timeZone: 'UTC' } };
		};
		const create = async (subject: string, minutesFromNow: number) => (await graphAs(emu, 'POST', '/me/events', { body: { subject, ...slot(minutesFromNow) } })).body.id as string;
		await create('Daily standup A', 14);
		const moved = await create('Weekly standup B', 40);
		const deleted = await create('Standup C', 20);
		await create('Lunch', 5);
		const subjects = async () => (await emittedItems(n8n, trigger)).map((item) => item.subject);
		await until('the reminder for A', async () => (await subjects()).includes('Daily standup A'), 45_000);

		await graphAs(emu, 'PATCH', `/me/events/${moved}`, { body: slot(10) });
		await graphAs(emu, 'DELETE', `/me/events/${deleted}`);
		// C's reminder time would have come now; it was deleted.
		await emu.advanceClock(6 * 60_000);
		await until('the reminder for B at its new time', async () => (await subjects()).includes('Weekly standup B'), 45_000);
		// Nothing else may come: wait for the next poll (every 30 s) to have read the calendar, not for a fixed time.
		const sawB = Date.now();
		await until('the next calendar poll', () => emu.requests().some((r) => r.startedAtMs > sawB && /calendarview/i.test(r.path) && r.status === 200), 45_000);
		// A due event would start its run right after that answer.
		await sleep(QUIET_MS);
		const items = await emittedItems(n8n, trigger);
		expect(items.map((item) => item.subject).sort()).toEqual(['Daily standup A', 'Weekly standup B']);
		expect(items.every((item) => item.changeType === 'startingSoon' && item.minutesUntilStart <= 15)).toBe(true);
		await n8n.deactivate(trigger.id);
	});
});
