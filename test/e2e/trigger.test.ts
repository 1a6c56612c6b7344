/**
 * Microsoft Outlook Ext Trigger in a real n8n 2.8.4 server against the Graph emulator: activation with
 * the validation handshake, notifications → executions, forged and duplicate notifications, lifecycle
 * events, 30 emulated days, a restart, deactivation, a refused URL, and a burst measurement of the
 * duplicates that get through across concurrent POSTs. One n8n server for the whole file.
 *
 * The emulator's clock is moved forward instead of waiting days. Real Graph stamps every answer with
 * its own time in the `Date` header, and the trigger computes expirations from it; the emulator's Date
 * header follows its movable clock.
 * Run: npm run build && npx jest test/e2e/trigger.test.ts
 */
import type { Emulator } from '../emulator';
import { deliverMail, seedMessages } from '../emulator/mail';
import { allSubscriptions, configureSubscriptions, deliveryLog, type DeliveryLogEntry } from '../emulator/subscriptions';
import { nodeType, type N8nHarness } from '../harness/n8n';
import { triggerWorkflow } from '../harness/workflows';
import { ADELE, CREDENTIAL_IDS, MEGAN, QUIET_MS, deliveriesSettled, graphAs, useE2E, type Authentication } from './support';

const TRIGGER = 'Outlook Trigger';
const DAY = 24 * 60 * 60_000;
const MINUTE = 60_000;
const CREDENTIAL_TYPES: Record<Authentication, string> = {
	oAuth2: 'microsoftOutlookExtOAuth2Api',
	oAuth2Deprecated: 'microsoftOutlookExtDeprecatedOAuth2Api',
	clientCredentials: 'microsoftOutlookExtClientCredentialsOAuth2Api',
};

// One emulator + n8n server for the file (support.ts useE2E); `emu` and `n8n` are its two halves.
const ctx = useE2E({ runOn: 'server' }, 600_000);
let emu: Emulator;
let n8n: N8nHarness;

beforeAll(async () => {
	({ emu, n8n } = ctx);
	// The file needs the server even when E2E_RUN_ON=cli (both calls do nothing when done already).
	await n8n.start();
	await n8n.setupOwner();
});

interface ActiveTrigger {
	id: string;
	webhookId: string;
	url: string;
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(100);
	}
}

function triggerNode(parameters: Record<string, unknown>, authentication: Authentication = 'oAuth2') {
	return {
		name: TRIGGER,
		type: nodeType('microsoftOutlookExtTrigger'),
		parameters: { authentication, ...parameters },
		credentials: { [CREDENTIAL_TYPES[authentication]]: { id: CREDENTIAL_IDS[authentication], name: `Outlook ${authentication} (emulator)` } },
	};
}

/** Creates the workflow through the public API and activates it (runs checkExists → create). */
async function activateTrigger(name: string, parameters: Record<string, unknown>, authentication?: Authentication): Promise<ActiveTrigger> {
	const workflow = triggerWorkflow({ id: name, name, trigger: triggerNode(parameters, authentication) });
	const webhookId = (workflow.nodes[0] as { webhookId: string }).webhookId;
	const id = await n8n.apiCreateWorkflow(workflow);
	await n8n.activate(id);
	return { id, webhookId, url: n8n.webhookUrl('notifications', webhookId) };
}

function subscriptionsFor(trigger: ActiveTrigger): Array<Record<string, any>> {
	return allSubscriptions(emu.core).filter((s) => s.notificationUrl === trigger.url);
}

function onlySubscription(trigger: ActiveTrigger): Record<string, any> {
	const subscriptions = subscriptionsFor(trigger);
	expect(subscriptions).toHaveLength(1);
	return subscriptions[0];
}

function deliveriesTo(trigger: ActiveTrigger): DeliveryLogEntry[] {
	return deliveryLog(emu.core).filter((entry) => entry.url === trigger.url);
}

async function executionCount(trigger: ActiveTrigger): Promise<number> {
	return (await n8n.executions(trigger.id, { includeData: false })).length;
}

/**
 * Waits for `count` finished executions, then checks that no further one appears: once Graph (the
 * emulator) has nothing left to send to the trigger, a short quiet period covers the last POST's processing.
 */
async function expectExecutions(trigger: ActiveTrigger, count: number): Promise<any[]> {
	await n8n.waitForExecutions(trigger.id, count, 20_000);
	await deliveriesSettled(emu, trigger.url);
	await sleep(QUIET_MS);
	const executions = await n8n.executions(trigger.id);
	expect(executions).toHaveLength(count);
	return executions;
}

/** How many times the n8n log holds `text` (the trigger logs what it dropped: an observable "nothing ran"). */
function logCount(text: string): number {
	return n8n.logs().split(text).length - 1;
}

/**
 * The trigger's executions (newest first, with data) once at least `atLeast` exist, all have finished and
 * none has appeared for two QUIET_MS checks in a row: a dropped repeat leaves no trace (no log line), so a
 * burst of concurrent POSTs is settled when the runs they started stop appearing.
 */
async function settledExecutions(trigger: ActiveTrigger, atLeast: number): Promise<any[]> {
	await n8n.waitForExecutions(trigger.id, atLeast, 20_000);
	let unchanged = 0;
	let previous = -1;
	for (;;) {
		const executions = await n8n.executions(trigger.id);
		const finished = executions.every((e) => e.finished || e.stoppedAt);
		unchanged = finished && executions.length === previous ? unchanged + 1 : 0;
		if (unchanged === 2) return executions;
		previous = executions.length;
		await sleep(QUIET_MS);
	}
}

function triggerItems(execution: any) {
	return n8n.nodeOutput(execution, TRIGGER);
}

async function staticDataOf(trigger: ActiveTrigger): Promise<Record<string, any>> {
	const workflow = await n8n.api('GET', `/workflows/${trigger.id}`);
	return workflow.body.staticData?.[`node:${TRIGGER}`] ?? {};
}

async function postToWebhook(trigger: ActiveTrigger, body: unknown): Promise<{ status: number; text: string; ms: number }> {
	const started = performance.now();
	const response = await fetch(trigger.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json; charset=utf-8' },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, text, ms: performance.now() - started };
}

/** A Graph-shaped change notification for a message of Adele's, as the emulator would send it. */
function messageNotification(subscription: Record<string, any>, messageId: string, clientState = subscription.clientState) {
	const resource = `Users/${ADELE.id}/Messages/${messageId}`;
	return {
		subscriptionId: subscription.id,
		subscriptionExpirationDateTime: subscription.expirationDateTime,
		clientState,
		changeType: 'created',
		resource,
		tenantId: '11111111-2222-3333-4444-555555555555',
		resourceData: { '@odata.type': '#Microsoft.Graph.Message', '@odata.id': resource, '@odata.etag': 'W/"x"', id: messageId },
	};
}

async function lifecycle(subscriptionId: string, event: string): Promise<void> {
	const response = await fetch(`${emu.url}/_emulator/subscriptions/${subscriptionId}/lifecycle`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ event }),
	});
	expect(response.status).toBe(200);
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

let inbox: ActiveTrigger;
let megan: ActiveTrigger;
let events: ActiveTrigger;

afterAll(() => {
	if (process.env.KEEP_N8N_FOLDERS === '1') process.stderr.write(n8n?.logs().slice(-20_000) ?? '');
});

describe('activation', () => {
	test('creates exactly one subscription after the validation handshake, with a secret clientState', async () => {
		emu.clearRequests();
		inbox = await activateTrigger('inbox', { watch: 'messages', changeTypes: ['created'] });
		const subscription = onlySubscription(inbox);
		expect(subscription).toMatchObject({
			resource: "me/mailFolders('inbox')/messages",
			changeType: 'created',
			notificationUrl: inbox.url,
			lifecycleNotificationUrl: inbox.url,
		});
		const lifetimeMinutes = (Date.parse(subscription.expirationDateTime) - emu.core.now()) / MINUTE;
		expect(lifetimeMinutes).toBeGreaterThan(10_060);
		expect(lifetimeMinutes).toBeLessThanOrEqual(10_080);
		// 32 random bytes, base64url.
		expect(subscription.clientState).toMatch(/^[A-Za-z0-9_-]{43}$/);

		const graphCalls = emu.requests().filter((r) => r.area === 'graph');
		expect(graphCalls.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /subscriptions', 'POST /subscriptions']);

		// State lives in n8n: id and expiry in the workflow's static data; the secret only as a hash.
		const stored = await staticDataOf(inbox);
		expect(stored).toMatchObject({ subscriptionId: subscription.id, clientStateHash: expect.any(String) });
		expect(JSON.stringify(stored)).not.toContain(subscription.clientState);
		expect(n8n.logs()).not.toContain(subscription.clientState);
	});

	test('answers a validation request with the decoded token as text/plain and starts nothing', async () => {
		const token = 'Validation: Token <b>&x=y%</b> + é';
		const started = performance.now();
		const response = await fetch(`${inbox.url}?validationToken=${encodeURIComponent(token)}`, {
			method: 'POST',
			headers: { 'content-type': 'text/plain; charset=utf-8' },
		});
		const ms = performance.now() - started;
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
		expect(await response.text()).toBe(token);
		expect(ms).toBeLessThan(1000);
		// The answer is in; n8n would have recorded a run right after the webhook returned.
		await sleep(QUIET_MS);
		expect(await executionCount(inbox)).toBe(0);
	});

	test('a second workflow (client credentials, another mailbox) and an events workflow get their own subscription', async () => {
		megan = await activateTrigger(
			'megan',
			{ watch: 'messages', mailbox: MEGAN.userPrincipalName, output: 'mime', options: { includeRawEmail: true } },
			'clientCredentials',
		);
		expect(onlySubscription(megan).resource).toBe(`users/${MEGAN.userPrincipalName}/mailFolders('inbox')/messages`);
		events = await activateTrigger('events', { watch: 'events', changeTypes: ['created', 'updated'] });
		expect(onlySubscription(events)).toMatchObject({ resource: 'me/events', changeType: 'created,updated' });
		expect(onlySubscription(inbox)).toBeDefined();
	});
});

describe('notifications', () => {
	test('a new inbox message starts exactly one execution with the full message, acknowledged fast', async () => {
		const before = deliveriesTo(inbox).length;
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: 'Trigger test 1', text: 'Hello from the trigger test' });
		const [execution] = await expectExecutions(inbox, 1);
		const items = triggerItems(execution);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			subject: 'Trigger test 1',
			changeType: 'created',
			body: { contentType: 'text', content: 'Hello from the trigger test' },
			from: { emailAddress: { address: 'notifications@fabrikam.com' } },
		});
		expect(items[0].json.id).toEqual(expect.any(String));
		expect(JSON.stringify(items)).not.toContain(onlySubscription(inbox).clientState);

		const delivered = deliveriesTo(inbox).slice(before);
		expect(delivered).toHaveLength(1);
		expect(delivered[0]).toMatchObject({ status: 202, delivered: true, attempt: 1 });
		expect(delivered[0].durationMs).toBeLessThan(2000);
	});

	test('a slow Graph (4 s to fetch the message) does not delay the acknowledgement', async () => {
		const before = deliveriesTo(inbox).length;
		const runs = await executionCount(inbox);
		emu.addFault({ method: 'GET', pathPattern: '/messages/', kind: 'latency', latencyMs: 4000, times: 1 });
		const sent = Date.now();
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: 'Slow fetch', text: 'x' });
		await n8n.waitForExecutions(inbox.id, runs + 1, 20_000);
		expect(Date.now() - sent).toBeGreaterThan(4000);
		const delivered = deliveriesTo(inbox).slice(before);
		// One POST, answered at once: Graph (3 s limit) had no reason to retry.
		expect(delivered).toHaveLength(1);
		expect(delivered[0]).toMatchObject({ status: 202, attempt: 1 });
		expect(delivered[0].durationMs).toBeLessThan(2000);
		const [latest] = await expectExecutions(inbox, runs + 1);
		expect(triggerItems(latest)[0].json.subject).toBe('Slow fetch');
	});

	test('a message in another folder or another mailbox starts nothing', async () => {
		seedMessages(emu.core, { userId: ADELE.id, folder: 'archive', count: 1, subjectPrefix: 'Archived', emitEvents: true });
		deliverMail(emu.core, { to: MEGAN.userPrincipalName, subject: 'For Megan only', text: 'x' });
		await n8n.waitForExecutions(megan.id, 1);
		// Graph has nothing queued for the inbox trigger: neither change was (or will be) sent to it.
		await deliveriesSettled(emu, inbox.url);
		await sleep(QUIET_MS);
		expect(await executionCount(inbox)).toBe(2);
	});

	test('parsed MIME output with attachments as binary (client credentials, shared-mailbox style Mailbox)', async () => {
		const executions = await n8n.executions(megan.id);
		expect(executions).toHaveLength(1);
		expect(triggerItems(executions[0])[0].json).toMatchObject({ subject: 'For Megan only', changeType: 'created' });

		const pdf = Buffer.from('%PDF-1.4 trigger test attachment');
		deliverMail(emu.core, {
			to: MEGAN.userPrincipalName,
			subject: 'With attachment',
			text: 'See attached',
			attachments: [{ name: 'report.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
		});
		const all = await expectExecutions(megan, 2);
		const [item] = triggerItems(all[0]);
		expect(item.json).toMatchObject({ subject: 'With attachment', changeType: 'created' });
		expect(item.json.attachments).toEqual([expect.objectContaining({ fileName: 'report.pdf', binaryProperty: 'attachment_0' })]);
		expect(n8n.readBinary(item.binary!.attachment_0)).toEqual(pdf);
		expect(item.binary!.raw.mimeType).toBe('message/rfc822');
	});

	test('calendar events: created and updated each start one execution with the event', async () => {
		const created = await graphAs(emu, 'POST', '/me/events', {
			body: { subject: 'Trigger planning', start: { dateTime: '2030-01-10T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-10T10:00:00', timeZone: 'UTC' } },
		});
		expect(created.status).toBe(201);
		await n8n.waitForExecutions(events.id, 1, 20_000);
		expect(await graphAs(emu, 'PATCH', `/me/events/${encodeURIComponent(created.body.id)}`, { body: { subject: 'Trigger planning (moved)' } })).toMatchObject({ status: 200 });
		const executions = await expectExecutions(events, 2);
		const outputs = executions.map((e) => triggerItems(e)[0].json).reverse();
		expect(outputs.map((o) => [o.changeType, o.id])).toEqual([
			['created', created.body.id],
			['updated', created.body.id],
		]);
		expect(outputs[1].subject).toBe('Trigger planning (moved)');
	});

	test('one calendar, notification-only output: events elsewhere start nothing; created and deleted give notifications', async () => {
		const calendars = await graphAs(emu, 'GET', '/me/calendars');
		const team = calendars.body.value.find((c: { name: string }) => c.name === 'Team');
		const teamEvents = await activateTrigger('team-calendar', {
			watch: 'events',
			calendarScope: 'one',
			calendarId: { __rl: true, mode: 'list', value: team.id, cachedResultName: 'Team' },
			changeTypes: ['created', 'deleted'],
			output: 'notification',
		});
		expect(onlySubscription(teamEvents)).toMatchObject({ resource: `me/calendars('${team.id}')/events`, changeType: 'created,deleted' });
		const slot = { start: { dateTime: '2030-02-01T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-02-01T09:30:00', timeZone: 'UTC' } };
		expect((await graphAs(emu, 'POST', '/me/events', { body: { subject: 'Default calendar event', ...slot } })).status).toBe(201);
		const teamEvent = await graphAs(emu, 'POST', `/me/calendars/${encodeURIComponent(team.id)}/events`, { body: { subject: 'Team event', ...slot } });
		expect(teamEvent.status).toBe(201);
		await n8n.waitForExecutions(teamEvents.id, 1, 20_000);
		expect((await graphAs(emu, 'DELETE', `/me/events/${encodeURIComponent(teamEvent.body.id)}`)).status).toBe(204);
		const executions = await expectExecutions(teamEvents, 2);
		const outputs = executions.map((e) => triggerItems(e)).reverse();
		expect(outputs.map((items) => items.length)).toEqual([1, 1]);
		expect(outputs.map((items) => [items[0].json.changeType, items[0].json.resourceId])).toEqual([
			['created', teamEvent.body.id],
			['deleted', teamEvent.body.id],
		]);
		// Notification only: nothing fetched, no subject, no secret.
		expect(outputs[0][0].json.subject).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ subscriptionId: onlySubscription(teamEvents).id, resourceData: { id: teamEvent.body.id } });
		expect(outputs[0][0].json.clientState).toBeUndefined();
		await n8n.deactivate(teamEvents.id);
		expect(subscriptionsFor(teamEvents)).toHaveLength(0);
	});

	test('forged notifications (wrong clientState, unknown subscription) start nothing and echo nothing', async () => {
		const subscription = onlySubscription(inbox);
		const messageId = seedMessages(emu.core, { userId: ADELE.id, count: 1 }).ids[0];
		const dropped = logCount('notification(s) whose clientState did not match');
		const wrongSecret = await postToWebhook(inbox, { value: [messageNotification(subscription, messageId, 'not-the-secret')] });
		const unknownSubscription = await postToWebhook(inbox, {
			value: [{ ...messageNotification(subscription, messageId), subscriptionId: '00000000-0000-4000-8000-000000000000', clientState: 'guess' }],
		});
		const noSecret = await postToWebhook(inbox, { value: [{ ...messageNotification(subscription, messageId), clientState: undefined }] });
		const junk = await postToWebhook(inbox, { hello: 'world' });
		for (const answer of [wrongSecret, unknownSubscription, noSecret, junk]) {
			expect(answer.status).toBe(202);
			expect(answer.text).toBe('');
		}
		// The three with a bad or missing secret are each logged as dropped, which ends their processing (the
		// junk body was refused before the answer): no quiet period needed.
		await until('the forged notifications to be dropped', () => logCount('notification(s) whose clientState did not match') >= dropped + 3);
		expect(await executionCount(inbox)).toBe(2);
		expect(n8n.logs()).toContain('dropped 1 notification(s) whose clientState did not match');
		expect(n8n.logs()).not.toContain(subscription.clientState);
	});

	test('duplicates inside one POST give one item; two messages in one POST give two items', async () => {
		const subscription = onlySubscription(inbox);
		const [first, second] = seedMessages(emu.core, { userId: ADELE.id, count: 2, subjectPrefix: 'Batch' }).ids;
		const duplicate = messageNotification(subscription, first);
		const answer = await postToWebhook(inbox, { value: [duplicate, duplicate, { ...duplicate }, messageNotification(subscription, second)] });
		expect(answer.status).toBe(202);
		const executions = await expectExecutions(inbox, 3);
		const items = triggerItems(executions[0]);
		expect(items.map((i) => i.json.id)).toEqual([first, second]);
		expect(items.map((i) => i.json.subject)).toEqual(['Batch 1', 'Batch 2']);
		// The same notification again in a later POST (within the window) is a duplicate too.
		await postToWebhook(inbox, { value: [duplicate] });
		// Answered; a dropped repeat is not logged, so a short quiet period (the next test's count checks again).
		await sleep(QUIET_MS);
		expect(await executionCount(inbox)).toBe(3);
	});

	test('a message deleted before it could be fetched still gives an item, with the error', async () => {
		const subscription = onlySubscription(inbox);
		await postToWebhook(inbox, { value: [messageNotification(subscription, 'AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAAAAEMAAA=')] });
		const executions = await expectExecutions(inbox, 4);
		const [item] = triggerItems(executions[0]);
		expect(item.json).toMatchObject({ changeType: 'created', subscriptionId: subscription.id, error: { httpCode: '404' } });
		expect(item.json.clientState).toBeUndefined();
	});
});

describe('lifecycle events', () => {
	test('reauthorizationRequired renews the subscription (PATCH expiration)', async () => {
		const before = onlySubscription(inbox);
		await emu.advanceClock(2 * DAY);
		emu.clearRequests();
		await lifecycle(before.id, 'reauthorizationRequired');
		const renewed = await until('the renewal', () => {
			const current = subscriptionsFor(inbox)[0];
			return current && Date.parse(current.expirationDateTime) > Date.parse(before.expirationDateTime) ? current : undefined;
		});
		expect(renewed.id).toBe(before.id);
		expect((Date.parse(renewed.expirationDateTime) - emu.core.now()) / MINUTE).toBeGreaterThan(10_060);
		const patches = emu.requests().filter((r) => r.method === 'PATCH' && r.path === `/subscriptions/${before.id}`);
		expect(patches).toHaveLength(1);
		// The renewal was the event's last step; nothing else is queued for the trigger.
		await deliveriesSettled(emu, inbox.url);
		await sleep(QUIET_MS);
		expect(await executionCount(inbox)).toBe(4);
	});

	test('subscriptionRemoved creates a new subscription, which then delivers', async () => {
		const before = onlySubscription(inbox);
		await lifecycle(before.id, 'subscriptionRemoved');
		const replacement = await until('the new subscription', () => subscriptionsFor(inbox).find((s) => s.id !== before.id));
		expect(subscriptionsFor(inbox)).toHaveLength(1);
		expect(replacement).toMatchObject({ resource: before.resource, changeType: 'created', lifecycleNotificationUrl: inbox.url });
		await until('the new id in static data', async () => (await staticDataOf(inbox)).subscriptionId === replacement.id);
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: 'After removal', text: 'x' });
		const executions = await expectExecutions(inbox, 5);
		expect(triggerItems(executions[0])[0].json.subject).toBe('After removal');
	});

	test('missed emits one item that says notifications were missed', async () => {
		const subscription = onlySubscription(inbox);
		await lifecycle(subscription.id, 'missed');
		const executions = await expectExecutions(inbox, 6);
		const items = triggerItems(executions[0]);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ lifecycleEvent: 'missed', subscriptionId: subscription.id, resource: "me/mailFolders('inbox')/messages" });
		expect(items[0].json.clientState).toBeUndefined();
	});
});

describe('recovery from a lost static-data write', () => {
	test('a second subscription carrying our secret is adopted, its duplicate notification dropped and the other one deleted', async () => {
		const current = onlySubscription(inbox);
		// What a replacement whose id was overwritten by a concurrent static-data save looks like.
		const extra = await graphAs(emu, 'POST', '/subscriptions', {
			body: {
				changeType: 'created',
				notificationUrl: inbox.url,
				lifecycleNotificationUrl: inbox.url,
				resource: current.resource,
				expirationDateTime: new Date(emu.core.now() + 3 * DAY).toISOString(),
				clientState: current.clientState,
			},
		});
		expect(extra.status).toBe(201);
		expect(subscriptionsFor(inbox)).toHaveLength(2);
		const runs = await executionCount(inbox);
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: 'Two subscriptions', text: 'x' });
		const executions = await expectExecutions(inbox, runs + 1);
		expect(triggerItems(executions[0]).map((i) => i.json.subject)).toEqual(['Two subscriptions']);
		await until('one subscription left', () => subscriptionsFor(inbox).length === 1);
		expect(onlySubscription(inbox).id).toBe(extra.body.id);
		expect((await staticDataOf(inbox)).subscriptionId).toBe(extra.body.id);
	});
});

describe('renewal on delivery', () => {
	test('a delivery past half of the lifetime renews the subscription (no lifecycle event needed)', async () => {
		const before = onlySubscription(inbox);
		const lifetime = Date.parse(before.expirationDateTime) - emu.core.now();
		// Past half of the lifetime, but not yet in the last quarter where Graph sends reauthorizationRequired.
		await emu.advanceClock(lifetime * 0.6);
		const lifecycleDeliveries = deliveriesTo(inbox).filter((d) => d.kind === 'lifecycle').length;
		emu.clearRequests();
		const runs = await executionCount(inbox);
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: 'Past half-life', text: 'x' });
		await expectExecutions(inbox, runs + 1);
		const renewed = await until('the renewal', () => {
			const current = subscriptionsFor(inbox)[0];
			return current && Date.parse(current.expirationDateTime) > Date.parse(before.expirationDateTime) ? current : undefined;
		});
		expect(renewed.id).toBe(before.id);
		expect(deliveriesTo(inbox).filter((d) => d.kind === 'lifecycle')).toHaveLength(lifecycleDeliveries);
		expect(emu.requests().filter((r) => r.method === 'PATCH' && r.path === `/subscriptions/${before.id}`)).toHaveLength(1);
	});
});

describe('over time', () => {
	test('30 emulated days with n8n running: subscriptions stay alive and notifications keep arriving', async () => {
		const triggers = [inbox, megan, events];
		const ids = triggers.map((t) => onlySubscription(t).id);
		let inboxRuns = await executionCount(inbox);
		emu.clearRequests();
		const started = Date.now();
		for (let day = 1; day <= 30; day++) {
			await emu.advanceClock(DAY);
			// The emulator sends reauthorizationRequired when < 1/4 of the lifetime is left: wait for every renewal.
			// A bound, not a pause: under load (2 cores, CI) three renewals with a token refresh can take over 15 s.
			await until(
				`renewals on day ${day}`,
				() =>
					triggers.every((t) => {
						const subscriptions = subscriptionsFor(t);
						return subscriptions.length === 1 && Date.parse(subscriptions[0].expirationDateTime) - emu.core.now() > DAY;
					}),
				60_000,
			);
			if (day % 5 === 0) {
				deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: `Day ${day}`, text: 'still here' });
				inboxRuns++;
				await n8n.waitForExecutions(inbox.id, inboxRuns, 20_000);
				const [latest] = await n8n.executions(inbox.id, { limit: 1 });
				expect(triggerItems(latest)[0].json.subject).toBe(`Day ${day}`);
			}
		}
		// Renewed all along, never re-created; access tokens (1 h) were refreshed on the way.
		expect(triggers.map((t) => onlySubscription(t).id)).toEqual(ids);
		const patches = emu.requests().filter((r) => r.method === 'PATCH' && r.path.startsWith('/subscriptions/')).length;
		expect(patches).toBeGreaterThanOrEqual(3 * 4);
		expect(emu.requests().filter((r) => r.method === 'POST' && r.path === '/subscriptions')).toHaveLength(0);
		expect(emu.requests().filter((r) => r.area === 'identity' && r.method === 'POST').length).toBeGreaterThanOrEqual(5);
		expect(await executionCount(inbox)).toBe(inboxRuns);
		process.stderr.write(`[trigger e2e] 30 days: ${patches} renewals (PATCH) for 3 subscriptions\n`);
		process.stderr.write(`[trigger e2e] 30 emulated days took ${Date.now() - started} ms\n`);
	});

	test('restarting n8n keeps one subscription per trigger (checkExists asks Graph)', async () => {
		const before = [inbox, megan, events].map((t) => onlySubscription(t).id);
		// A notification just before the restart: its repeat after the restart is still a duplicate (static data).
		const [messageId] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: 'Before restart' }).ids;
		let runs = await executionCount(inbox);
		await postToWebhook(inbox, { value: [messageNotification(onlySubscription(inbox), messageId)] });
		await expectExecutions(inbox, ++runs);
		await n8n.stop();
		emu.clearRequests();
		await n8n.start();
		// Each stored subscription is checked with Graph (a 401 → token refresh → retry may repeat a GET).
		// n8n 2.8.4 does it before the ready line, newer n8n in its background publication after it.
		const checked = () =>
			[...new Set(emu.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/subscriptions/') && r.status === 200).map((r) => r.path))].sort();
		await until('the start-up check of every subscription', () => checked().length >= before.length, 30_000);
		expect(checked()).toEqual(before.map((id) => `/subscriptions/${id}`).sort());
		expect([inbox, megan, events].map((t) => onlySubscription(t).id)).toEqual(before);
		expect(emu.requests().filter((r) => r.method === 'POST' && r.path === '/subscriptions')).toHaveLength(0);
		await postToWebhook(inbox, { value: [messageNotification(onlySubscription(inbox), messageId)] });
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: 'After restart', text: 'x' });
		const executions = await expectExecutions(inbox, ++runs);
		expect(triggerItems(executions[0]).map((i) => i.json.subject)).toEqual(['After restart']);
	});

	test('a subscription deleted while n8n was down is repaired at start', async () => {
		const old = onlySubscription(events);
		await n8n.stop();
		expect((await graphAs(emu, 'DELETE', `/subscriptions/${old.id}`)).status).toBe(204);
		emu.clearRequests();
		await n8n.start();
		const fresh = await until('a new subscription for the events trigger', () => subscriptionsFor(events).find((s) => s.id !== old.id), 30_000);
		expect(subscriptionsFor(events)).toHaveLength(1);
		expect(fresh).toMatchObject({ resource: 'me/events', changeType: 'created,updated', lifecycleNotificationUrl: events.url });
		expect(emu.requests().some((r) => r.method === 'GET' && r.path === `/subscriptions/${old.id}` && r.status === 404)).toBe(true);
		expect(onlySubscription(inbox)).toBeDefined();
		// The repaired subscription delivers.
		const runs = await executionCount(events);
		const created = await graphAs(emu, 'POST', '/me/events', {
			body: { subject: 'After the repair', start: { dateTime: '2030-03-01T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-01T10:00:00', timeZone: 'UTC' } },
		});
		expect(created.status).toBe(201);
		const executions = await expectExecutions(events, runs + 1);
		expect(triggerItems(executions[0])[0].json).toMatchObject({ changeType: 'created', subject: 'After the repair' });
	});
});

describe('duplicates across POSTs (burst)', () => {
	test('measures the residual duplicates of one notification sent in many concurrent POSTs', async () => {
		const subscription = onlySubscription(inbox);
		const rounds = 5;
		const postsPerRound = 10;
		const runsBefore = await executionCount(inbox);
		let items = 0;
		const ackMs: number[] = [];
		for (let round = 0; round < rounds; round++) {
			const [messageId] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: `Burst ${round}` }).ids;
			const notification = { value: [messageNotification(subscription, messageId)] };
			const answers = await Promise.all(Array.from({ length: postsPerRound }, () => postToWebhook(inbox, notification)));
			answers.forEach((a) => ackMs.push(a.ms));
			expect(answers.every((a) => a.status === 202)).toBe(true);
		}
		// Every POST was answered: wait for the runs they started to finish, not for a fixed time.
		const settled = await settledExecutions(inbox, runsBefore + rounds);
		const executions = settled.slice(0, settled.length - runsBefore);
		for (const execution of executions) items += triggerItems(execution).length;
		const duplicates = items - rounds;
		const rate = duplicates / (rounds * (postsPerRound - 1));
		process.stderr.write(
			`[trigger e2e] burst: ${rounds} notifications x ${postsPerRound} concurrent POSTs -> ${items} items, ${duplicates} residual duplicates (${(rate * 100).toFixed(1)}% of the repeats); ack median ${median(ackMs).toFixed(1)} ms, max ${Math.max(...ackMs).toFixed(1)} ms\n`,
		);
		expect(items).toBeGreaterThanOrEqual(rounds);
		expect(items).toBeLessThanOrEqual(rounds * postsPerRound);
		// Sequential repeats (each POST answered before the next) are all caught.
		const [sequentialId] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: 'Sequential' }).ids;
		const runs = await executionCount(inbox);
		await postToWebhook(inbox, { value: [messageNotification(subscription, sequentialId)] });
		// Its run has finished (its memory is saved): each repeat after it, answered before the next, is caught.
		await n8n.waitForExecutions(inbox.id, runs + 1, 20_000);
		for (let i = 0; i < 4; i++) await postToWebhook(inbox, { value: [messageNotification(subscription, sequentialId)] });
		await sleep(QUIET_MS);
		expect(await executionCount(inbox)).toBe(runs + 1);
	});
});

describe('acknowledgement time', () => {
	test('every notification Graph delivered was acknowledged well within 3 seconds', () => {
		const notifications = deliveryLog(emu.core).filter((d) => d.kind === 'notification');
		const lifecycleEvents = deliveryLog(emu.core).filter((d) => d.kind === 'lifecycle');
		expect(notifications.length).toBeGreaterThan(10);
		const names = new Map([inbox, megan, events].map((t) => [t.url, t.id] as const));
		const failed = [...notifications, ...lifecycleEvents].filter((d) => !d.delivered || d.status !== 202 || d.attempt !== 1);
		expect(failed.map((d) => ({ to: names.get(d.url) ?? d.url, kind: d.kind, status: d.status, failure: d.failure, events: d.payload.value.map((v) => v.lifecycleEvent ?? v.changeType) }))).toEqual([]);
		for (const entry of [...notifications, ...lifecycleEvents]) expect(entry).toMatchObject({ delivered: true, status: 202, attempt: 1 });
		const ms = notifications.map((d) => d.durationMs);
		const lifecycleMs = lifecycleEvents.map((d) => d.durationMs);
		process.stderr.write(
			`[trigger e2e] ack times: ${ms.length} notification POSTs median ${median(ms)} ms, max ${Math.max(...ms)} ms; ${lifecycleMs.length} lifecycle POSTs median ${median(lifecycleMs)} ms, max ${Math.max(...lifecycleMs)} ms\n`,
		);
		// Graph counts an answer slower than 2.9 s as slow (graph-facts §1.5). Every delivery above was
		// accepted by the emulator's Graph-like 3 s client on its first attempt; the times themselves are
		// measured in the W3 benchmark, not asserted here (a shared 2-core machine makes wall time noisy).
	});
});

describe('deactivation and refused URLs', () => {
	test('deactivating deletes the subscription; a second deactivate/activate cycle stays clean', async () => {
		const old = onlySubscription(megan);
		emu.clearRequests();
		await n8n.deactivate(megan.id);
		expect(subscriptionsFor(megan)).toHaveLength(0);
		expect(emu.requests().some((r) => r.method === 'DELETE' && r.path === `/subscriptions/${old.id}`)).toBe(true);
		expect(await staticDataOf(megan)).not.toHaveProperty('clientState');
		// Deleted behind n8n's back: activation creates, deactivation still succeeds (404 is fine).
		await n8n.activate(megan.id);
		const again = onlySubscription(megan);
		expect((await graphAs(emu, 'DELETE', `/subscriptions/${again.id}`, { appOnly: true })).status).toBe(204);
		await n8n.deactivate(megan.id);
		expect(subscriptionsFor(megan)).toHaveLength(0);
	});

	test('when Graph cannot validate the URL, activation fails with user words, Graph code and request-id', async () => {
		configureSubscriptions(emu.core, { validationTimeoutMs: 0 });
		try {
			const workflow = triggerWorkflow({ id: 'refused', name: 'refused', trigger: triggerNode({ watch: 'messages' }) });
			const id = await n8n.apiCreateWorkflow(workflow);
			// 2.8.4 answers the activate call with 400; newer n8n answers 200 and reports the failure in the
			// publication status (the harness reads either).
			const outcome = await n8n.tryActivate(id);
			expect(outcome.ok).toBe(false);
			expect(outcome.message).toMatch(/could not use this workflow's webhook URL .*WEBHOOK_URL.*tunnel \[InvalidRequest, request-id: [0-9a-f-]{36}\]/);
			const url = n8n.webhookUrl('notifications', (workflow.nodes[0] as { webhookId: string }).webhookId);
			expect(allSubscriptions(emu.core).filter((s) => s.notificationUrl === url)).toHaveLength(0);
			// Newer n8n keeps it published and retries: stop that before the emulator validates again.
			if (outcome.stillPublished) await n8n.deactivate(id);
			expect(allSubscriptions(emu.core).filter((s) => s.notificationUrl === url)).toHaveLength(0);
		} finally {
			configureSubscriptions(emu.core, { validationTimeoutMs: 10_000 });
		}
	});

	test('deactivating the inbox trigger deletes its subscription', async () => {
		await n8n.deactivate(inbox.id);
		await n8n.deactivate(events.id);
		expect(subscriptionsFor(inbox)).toHaveLength(0);
		expect(subscriptionsFor(events)).toHaveLength(0);
	});
});

describe('downtime (n8n stopped while the emulated days pass)', () => {
	let watched: ActiveTrigger;

	beforeAll(async () => {
		// A fresh trigger, after the acknowledgement check: Graph's deliveries fail while n8n is down.
		watched = await activateTrigger('downtime', { watch: 'messages', changeTypes: ['created'] });
	});

	async function mailArrives(subject: string): Promise<void> {
		const runs = await executionCount(watched);
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject, text: 'x' });
		const executions = await expectExecutions(watched, runs + 1);
		expect(triggerItems(executions[0])[0].json.subject).toBe(subject);
	}

	test('Graph unavailable (503) while n8n starts: the stored subscription is kept, not torn down', async () => {
		const before = onlySubscription(watched);
		await n8n.stop();
		emu.addFault({ method: 'GET', pathPattern: '^/subscriptions/', kind: 'status', status: 503, code: 'serviceNotAvailable', retryAfter: '0.05', times: -1 });
		emu.clearRequests();
		const kept = logCount('could not check the subscription with Microsoft Graph, keeping the stored one');
		try {
			await n8n.start();
			await until('the start-up check', () => emu.requests().some((r) => r.method === 'GET' && r.path === `/subscriptions/${before.id}`), 30_000);
			await n8n.waitForActiveWorkflows();
			// The trigger logs its decision to keep the subscription: wait for that, not a fixed time.
			await until('the decision to keep the stored subscription', () => logCount('could not check the subscription with Microsoft Graph, keeping the stored one') > kept, 30_000);
		} finally {
			emu.clearFaults();
		}
		expect(subscriptionsFor(watched).map((s) => s.id)).toEqual([before.id]);
		expect(emu.requests().filter((r) => (r.method === 'POST' || r.method === 'DELETE') && r.path.startsWith('/subscriptions'))).toHaveLength(0);
		await mailArrives('While Graph was flaky at start');
	});

	test('down for 4 days (past half of the lifetime): renewed at start, the same subscription', async () => {
		const before = onlySubscription(watched);
		await n8n.stop();
		await emu.advanceClock(4 * DAY);
		emu.clearRequests();
		await n8n.start();
		const renewed = await until(
			'the renewal at start',
			() => {
				const current = subscriptionsFor(watched)[0];
				return current && Date.parse(current.expirationDateTime) > Date.parse(before.expirationDateTime) ? current : undefined;
			},
			30_000,
		);
		expect(renewed.id).toBe(before.id);
		expect((Date.parse(renewed.expirationDateTime) - emu.core.now()) / MINUTE).toBeGreaterThan(10_060);
		expect(emu.requests().filter((r) => r.method === 'PATCH' && r.path === `/subscriptions/${before.id}`)).toHaveLength(1);
		expect(emu.requests().filter((r) => r.method === 'POST' && r.path === '/subscriptions')).toHaveLength(0);
		await mailArrives('After 4 days down');
	});

	test('down for 8 days (the subscription expired): created again at start, with the same trigger', async () => {
		const before = onlySubscription(watched);
		await n8n.stop();
		await emu.advanceClock(8 * DAY);
		expect(subscriptionsFor(watched)).toHaveLength(0);
		await n8n.start();
		const fresh = await until('a new subscription', () => subscriptionsFor(watched)[0], 30_000);
		expect(fresh.id).not.toBe(before.id);
		expect(subscriptionsFor(watched)).toHaveLength(1);
		await mailArrives('After 8 days down');
		await n8n.deactivate(watched.id);
		expect(subscriptionsFor(watched)).toHaveLength(0);
	});
});
