/**
 * Subscription resource in real n8n against the emulator, whose POST /subscriptions performs the real
 * validation handshake against a small receiver started here. Covers create (events / mail folder,
 * clamp, the "can only be N minutes" retry, duplicates reused), list (all / this instance only),
 * update expiration, delete, delete all instance subscriptions, Graph errors and bad input.
 * n8n runs with WEBHOOK_URL = <receiver>/n8n/, so URLs under it are "this instance's" webhooks.
 * Run: npm run build && npx jest test/e2e/subscription.test.ts
 */
import { createServer, type Server } from 'node:http';

import { ADELE, byId, runOutlookNode, useE2E } from './support';

const MINUTE = 60_000;

interface ReceivedCall {
	path: string;
	validationToken: string | null;
}

/** Answers Graph's validation requests (echoes the decoded token as text/plain) and accepts notifications. */
async function startReceiver(): Promise<{ server: Server; url: string; calls: ReceivedCall[] }> {
	const calls: ReceivedCall[] = [];
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://receiver');
		const validationToken = url.searchParams.get('validationToken');
		calls.push({ path: url.pathname, validationToken });
		req.resume();
		if (validationToken !== null) {
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end(validationToken);
			return;
		}
		res.writeHead(202);
		res.end();
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return { server, url: `http://127.0.0.1:${port}`, calls };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** Notification URLs on "this n8n instance" and elsewhere. */
let instanceUrl: (name: string) => string;
let otherUrl: (name: string) => string;

beforeAll(async () => {
	receiver = await startReceiver();
	instanceUrl = (name) => `${receiver.url}/n8n/webhook/${name}`;
	otherUrl = (name) => `${receiver.url}/elsewhere/${name}`;
});

afterAll(async () => {
	await new Promise((done) => receiver?.server.close(done));
});

const ctx = useE2E(() => ({ n8nEnv: { WEBHOOK_URL: `${receiver.url}/n8n/` } }));

const subscription = (operation: string, parameters: Record<string, unknown> = {}) => ({
	resource: 'subscription',
	operation,
	...parameters,
});

/** Every live subscription in the emulator (control route: includes clientState). */
async function emulatorSubscriptions(): Promise<Array<Record<string, any>>> {
	const response = await fetch(`${ctx.emu.url}/_emulator/subscriptions`);
	return ((await response.json()) as { value: Array<Record<string, any>> }).value;
}

async function setMaxMinutes(maxMinutes: number | undefined): Promise<void> {
	const response = await fetch(`${ctx.emu.url}/_emulator/subscriptions/config`, {
		method: maxMinutes === undefined ? 'DELETE' : 'POST',
		headers: { 'content-type': 'application/json' },
		body: maxMinutes === undefined ? undefined : JSON.stringify({ maxMinutes }),
	});
	expect(response.ok).toBe(true);
}

function minutesFromNow(iso: unknown): number {
	return (Date.parse(String(iso)) - Date.now()) / MINUTE;
}

describe('Subscription', () => {
	let mailSubscriptionId: string;
	let eventSubscriptionId: string;

	it('creates a mail folder subscription: handshake at the receiver, default expiration, clientState hidden', async () => {
		receiver.calls.length = 0;
		const run = await runOutlookNode(ctx, {
			parameters: subscription('create', {
				subscribeTo: 'mailFolder',
				folderId: byId('inbox'),
				mailChangeTypes: ['created', 'updated'],
				notificationUrl: instanceUrl('mail'),
			}),
		});
		expect(run.error).toBeUndefined();
		// Allow Duplicates is off: the list is checked first.
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
			['GET', '/subscriptions', 200],
			['POST', '/subscriptions', 201],
		]);
		const body = run.graphRequests[1].body as Record<string, any>;
		expect(body).toMatchObject({
			changeType: 'created,updated',
			notificationUrl: instanceUrl('mail'),
			resource: "me/mailFolders('inbox')/messages",
		});
		expect(Object.keys(body).sort()).toEqual(['changeType', 'clientState', 'expirationDateTime', 'notificationUrl', 'resource']);
		expect(minutesFromNow(body.expirationDateTime)).toBeGreaterThan(10_070 - 3);
		expect(minutesFromNow(body.expirationDateTime)).toBeLessThanOrEqual(10_070);
		// The request log redacts clientState; the emulator's own view shows what was stored.
		const stored = (await emulatorSubscriptions()).find((s) => s.notificationUrl === instanceUrl('mail'))!;
		expect(typeof stored.clientState).toBe('string');
		expect(stored.clientState.length).toBeGreaterThanOrEqual(43);

		expect(receiver.calls).toHaveLength(1);
		expect(receiver.calls[0].path).toBe('/n8n/webhook/mail');
		expect(receiver.calls[0].validationToken).toBeTruthy();

		expect(run.output).toHaveLength(1);
		const out = run.output[0].json;
		expect(out).toMatchObject({
			id: stored.id,
			resource: "me/mailFolders('inbox')/messages",
			changeType: 'created,updated',
			clientStateSet: true,
			reused: false,
		});
		expect(out).not.toHaveProperty('clientState');
		expect(JSON.stringify(run.result.data)).not.toContain(stored.clientState);
		mailSubscriptionId = out.id;
	});

	it('reuses the existing subscription for the same URL and resource unless Allow Duplicates is on', async () => {
		receiver.calls.length = 0;
		const again = await runOutlookNode(ctx, {
			parameters: subscription('create', { subscribeTo: 'mailFolder', folderId: byId('inbox'), notificationUrl: instanceUrl('mail') }),
		});
		expect(again.error).toBeUndefined();
		expect(again.graphRequests.map((r) => [r.method, r.path])).toEqual([['GET', '/subscriptions']]);
		expect(receiver.calls).toHaveLength(0);
		expect(again.output.map((o) => [o.json.id, o.json.reused])).toEqual([[mailSubscriptionId, true]]);
		expect(again.output[0].json).not.toHaveProperty('clientState');

		const duplicate = await runOutlookNode(ctx, {
			parameters: subscription('create', {
				subscribeTo: 'mailFolder',
				folderId: byId('inbox'),
				notificationUrl: instanceUrl('mail'),
				allowDuplicates: true,
			}),
		});
		expect(duplicate.error).toBeUndefined();
		expect(duplicate.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/subscriptions', 201]]);
		expect(duplicate.graphRequests[0].body).toMatchObject({ changeType: 'created' });
		expect(duplicate.output[0].json.id).not.toBe(mailSubscriptionId);
		expect(duplicate.output[0].json.reused).toBe(false);
	});

	it('creates an event subscription with its own client state and a lifecycle URL; a later expiration is clamped', async () => {
		receiver.calls.length = 0;
		const farFuture = new Date(Date.now() + 30 * 24 * 60 * MINUTE).toISOString();
		const run = await runOutlookNode(ctx, {
			parameters: subscription('create', {
				subscribeTo: 'events',
				changeTypes: ['created', 'deleted'],
				notificationUrl: instanceUrl('events'),
				lifecycleNotificationUrl: instanceUrl('lifecycle'),
				clientState: 'my-own-client-state-value',
				expirationDateTime: farFuture,
			}),
		});
		expect(run.error).toBeUndefined();
		const post = run.graphRequests.find((r) => r.method === 'POST')!;
		expect(post.body).toMatchObject({
			changeType: 'created,deleted',
			resource: 'me/events',
			lifecycleNotificationUrl: instanceUrl('lifecycle'),
		});
		const minutes = minutesFromNow((post.body as Record<string, unknown>).expirationDateTime);
		expect(minutes).toBeGreaterThan(10_080 - 3);
		expect(minutes).toBeLessThanOrEqual(10_080);
		// Graph validates both URLs, each with its own request.
		expect(receiver.calls.map((c) => c.path).sort()).toEqual(['/n8n/webhook/events', '/n8n/webhook/lifecycle']);
		const out = run.output[0].json;
		expect(out).toMatchObject({ resource: 'me/events', clientStateSet: true, reused: false });
		expect(JSON.stringify(run.result.data)).not.toContain('my-own-client-state-value');
		const stored = (await emulatorSubscriptions()).find((s) => s.id === out.id)!;
		expect(stored.clientState).toBe('my-own-client-state-value');
		eventSubscriptionId = out.id;
	});

	it('retries once with the maximum Graph states ("can only be N minutes"), for create and renew', async () => {
		await setMaxMinutes(4230);
		try {
			const created = await runOutlookNode(ctx, {
				authentication: 'clientCredentials',
				parameters: subscription('create', { subscribeTo: 'events', notificationUrl: otherUrl('old-tenant') }),
			});
			expect(created.error).toBeUndefined();
			const posts = created.graphRequests.filter((r) => r.path === '/subscriptions' && r.method === 'POST');
			expect(posts.map((r) => r.status)).toEqual([400, 201]);
			expect(minutesFromNow((posts[0].body as Record<string, unknown>).expirationDateTime)).toBeGreaterThan(10_000);
			const retried = minutesFromNow((posts[1].body as Record<string, unknown>).expirationDateTime);
			expect(retried).toBeGreaterThan(4230 - 5);
			expect(retried).toBeLessThanOrEqual(4230);
			// Client credentials: the resource names the credential's user.
			expect(posts[1].body).toMatchObject({ resource: `users/${ADELE.userPrincipalName}/events` });
			expect(created.output[0].json).toMatchObject({ resource: `users/${ADELE.userPrincipalName}/events`, reused: false });

			const renewed = await runOutlookNode(ctx, {
				parameters: subscription('updateExpiration', { subscriptionId: eventSubscriptionId }),
			});
			expect(renewed.error).toBeUndefined();
			expect(renewed.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
				['PATCH', `/subscriptions/${eventSubscriptionId}`, 400],
				['PATCH', `/subscriptions/${eventSubscriptionId}`, 200],
			]);
			expect(minutesFromNow((renewed.graphRequests[1].body as Record<string, unknown>).expirationDateTime)).toBeLessThanOrEqual(4230);
			expect(renewed.output[0].json.id).toBe(eventSubscriptionId);
			expect(renewed.output[0].json).not.toHaveProperty('clientState');
		} finally {
			await setMaxMinutes(undefined);
		}
	});

	it('updates the expiration (given date, default), and reports Graph errors and bad input', async () => {
		const wanted = new Date(Date.now() + 2 * 24 * 60 * MINUTE);
		wanted.setUTCMilliseconds(0);
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [
				{ id: mailSubscriptionId, at: wanted.toISOString() },
				{ id: eventSubscriptionId, at: '' },
				{ id: '00000000-0000-4000-8000-000000000000', at: '' },
				{ id: mailSubscriptionId, at: '2001-01-01T00:00:00Z' },
				{ id: '', at: '' },
			],
			parameters: subscription('updateExpiration', { subscriptionId: '={{ $json.id }}', expirationDateTime: '={{ $json.at }}' }),
		});
		// The last two items are refused before any request.
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status]).sort()).toEqual(
			[
				['PATCH', `/subscriptions/${mailSubscriptionId}`, 200],
				['PATCH', `/subscriptions/${eventSubscriptionId}`, 200],
				['PATCH', '/subscriptions/00000000-0000-4000-8000-000000000000', 404],
			].sort(),
		);
		const patchOf = (id: string) => run.graphRequests.find((r) => r.path === `/subscriptions/${id}`)!.body as Record<string, unknown>;
		expect(patchOf(mailSubscriptionId)).toEqual({ expirationDateTime: wanted.toISOString() });
		const byDefault = minutesFromNow(patchOf(eventSubscriptionId).expirationDateTime);
		expect(byDefault).toBeGreaterThan(10_070 - 3);
		expect(byDefault).toBeLessThanOrEqual(10_070);

		expect(Date.parse(run.output[0].json.expirationDateTime)).toBe(wanted.getTime());
		expect(run.output[1].json.id).toBe(eventSubscriptionId);
		const errors = run.output.map((o) => String(o.json.error ?? o.error?.message ?? ''));
		// (The message of a 404 is assembled by the shared transport; the Graph code is in the description.)
		expect(run.output[2].error?.description).toContain('code: ResourceNotFound');
		expect(errors[3]).toBe('Expiration is in the past');
		expect(errors[4]).toBe('Subscription ID is empty');
	});

	it('refuses bad create input before any request', async () => {
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [
				{ url: 'http://example.com/hook', types: ['created'], state: '' },
				{ url: '', types: ['created'], state: '' },
				{ url: instanceUrl('x'), types: [], state: '' },
				{ url: instanceUrl('x'), types: ['created'], state: 'x'.repeat(129) },
				{ url: 'not a url', types: ['created'], state: '' },
			],
			parameters: subscription('create', {
				subscribeTo: 'events',
				notificationUrl: '={{ $json.url }}',
				changeTypes: '={{ $json.types }}',
				clientState: '={{ $json.state }}',
			}),
		});
		expect(run.requests).toEqual([]);
		const errors = run.output.map((o) => String(o.json.error ?? o.error?.message ?? ''));
		expect(errors).toEqual([
			'Notification URL must use HTTPS',
			'Notification URL is empty',
			'Change Types is empty',
			'Client State is longer than 128 characters',
			'Notification URL "not a url" is not a URL',
		]);
		// A secret the user typed is never echoed in an error.
		expect(run.output.every((o) => !JSON.stringify(o.error ?? {}).includes('x'.repeat(129)))).toBe(true);
	});

	it('reports Graph refusing a subscription (unknown mail folder)', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: subscription('create', {
				subscribeTo: 'mailFolder',
				folderId: byId('AAMkNoSuchFolder='),
				notificationUrl: instanceUrl('nofolder'),
			}),
		});
		expect(run.success).toBe(false);
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
			['GET', '/subscriptions', 200],
			['POST', '/subscriptions', 404],
		]);
		expect(run.error?.message).toContain('[ExtensionError]');
	});

	it('lists every subscription, or only those on this n8n instance', async () => {
		const all = await runOutlookNode(ctx, { parameters: subscription('getAll') });
		expect(all.error).toBeUndefined();
		expect(all.graphRequests.map((r) => [r.method, r.path, r.query])).toEqual([['GET', '/subscriptions', {}]]);
		const urls = all.output.map((o) => o.json.notificationUrl);
		expect(urls).toEqual(expect.arrayContaining([instanceUrl('mail'), instanceUrl('mail'), instanceUrl('events')]));
		expect(all.output.every((o) => !('clientState' in o.json))).toBe(true);

		// The app-only subscription (other URL) is listed for the app-only credential.
		const appOnly = await runOutlookNode(ctx, { authentication: 'clientCredentials', parameters: subscription('getAll') });
		expect(appOnly.output.map((o) => o.json.notificationUrl)).toContain(otherUrl('old-tenant'));

		const instanceOnly = await runOutlookNode(ctx, {
			authentication: 'clientCredentials',
			parameters: subscription('getAll', { showInstanceWebhooks: true }),
		});
		expect(instanceOnly.error).toBeUndefined();
		const instanceUrls = instanceOnly.output.map((o) => o.json.notificationUrl);
		expect(instanceUrls.length).toBeGreaterThan(0);
		expect(instanceUrls.every((url) => String(url).startsWith(`${receiver.url}/n8n/`))).toBe(true);
		expect(instanceUrls).not.toContain(otherUrl('old-tenant'));
	});

	it('deletes one subscription; deleting it again is a Graph error', async () => {
		const run = await runOutlookNode(ctx, { parameters: subscription('delete', { subscriptionId: eventSubscriptionId }) });
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
			['DELETE', `/subscriptions/${eventSubscriptionId}`, 204],
		]);
		expect(run.output.map((o) => o.json)).toEqual([{ id: eventSubscriptionId, deleted: true }]);
		expect((await emulatorSubscriptions()).some((s) => s.id === eventSubscriptionId)).toBe(false);

		const again = await runOutlookNode(ctx, { parameters: subscription('delete', { subscriptionId: eventSubscriptionId }) });
		expect(again.success).toBe(false);
		expect(again.graphRequests.map((r) => r.status)).toEqual([404]);
		expect(again.error?.description).toContain('code: ResourceNotFound');

		const blank = await runOutlookNode(ctx, { parameters: subscription('delete', { subscriptionId: '  ' }) });
		expect(blank.requests).toEqual([]);
		expect(blank.error?.message).toBe('Subscription ID is empty');
	});

	it("deletes all of this instance's subscriptions and leaves the others", async () => {
		const before = await emulatorSubscriptions();
		const onInstance = before.filter((s) => String(s.notificationUrl).startsWith(`${receiver.url}/n8n/`));
		expect(onInstance.length).toBeGreaterThanOrEqual(2);

		const run = await runOutlookNode(ctx, { authentication: 'clientCredentials', parameters: subscription('deleteAllForInstance') });
		expect(run.error).toBeUndefined();
		expect(run.graphRequests[0]).toMatchObject({ method: 'GET', path: '/subscriptions' });
		const deletes = run.graphRequests.slice(1);
		expect(deletes.every((r) => r.method === 'DELETE' && r.status === 204)).toBe(true);
		expect(deletes.map((r) => r.path).sort()).toEqual(onInstance.map((s) => `/subscriptions/${s.id}`).sort());
		expect(run.output.map((o) => o.json).sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(
			onInstance
				.map((s) => ({ id: s.id, deleted: true, notificationUrl: s.notificationUrl }))
				.sort((a, b) => String(a.id).localeCompare(String(b.id))),
		);
		const after = await emulatorSubscriptions();
		expect(after.map((s) => s.notificationUrl)).toEqual([otherUrl('old-tenant')]);

		const none = await runOutlookNode(ctx, { authentication: 'clientCredentials', parameters: subscription('deleteAllForInstance') });
		expect(none.graphRequests.map((r) => r.method)).toEqual(['GET']);
		expect(none.output.map((o) => o.json)).toEqual([{ deleted: 0 }]);
	});
});
