/**
 * Change-notification subscriptions over real HTTP: the emulator on one side, a tiny local webhook
 * receiver on the other that can be told to answer the validation handshake correctly or wrongly.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorCoreImpl } from './core';
import { ADELE, MEGAN, SALES, TENANT_ID, DEFAULT_CLIENT, startEmulator, type Emulator } from './index';
import { deliverMail, mailboxOf } from './mail';
import { findFolder } from './mail-store';
import { parseResource } from './subscriptions-resource';
import { deliveryLog, waitForDeliveries } from './subscriptions';
import { VALIDATION_MESSAGES, validationUrl } from './subscriptions-validation';

const MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// A webhook receiver under the test's control

type ValidationMode = 'echo' | 'echo-encoded' | 'html-escaped' | 'status-500' | 'json-content-type' | 'slow';

interface Received {
	path: string;
	query: URLSearchParams;
	headers: http.IncomingHttpHeaders;
	body: string;
}

class Receiver {
	url = '';
	received: Received[] = [];
	validationMode: ValidationMode = 'echo';
	/** Statuses for the next notification POSTs, in order; afterwards 202. */
	notificationStatuses: number[] = [];
	/** Delays (ms) before answering the next notification POSTs. */
	notificationDelays: number[] = [];
	slowMs = 1000;
	private server = http.createServer((req, res) => this.handle(req, res));

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	reset(): void {
		this.received = [];
		this.validationMode = 'echo';
		this.notificationStatuses = [];
		this.notificationDelays = [];
	}

	validations(path?: string): Received[] {
		return this.received.filter((r) => r.query.has('validationToken') && (!path || r.path === path));
	}

	notifications(path?: string): Received[] {
		return this.received.filter((r) => !r.query.has('validationToken') && (!path || r.path === path));
	}

	private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', this.url);
			const entry = { path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
			this.received.push(entry);
			const token = url.searchParams.get('validationToken');
			if (token !== null) this.answerValidation(req, res, token);
			else this.answerNotification(res);
		});
	}

	private answerValidation(req: http.IncomingMessage, res: http.ServerResponse, token: string): void {
		const plain = { 'Content-Type': 'text/plain; charset=utf-8' };
		switch (this.validationMode) {
			case 'echo':
				res.writeHead(200, plain).end(token);
				return;
			case 'echo-encoded': {
				// Echo the raw (still encoded) query value instead of the decoded token.
				const raw = /validationToken=([^&]*)/.exec(req.url ?? '')?.[1] ?? '';
				res.writeHead(200, plain).end(raw);
				return;
			}
			case 'html-escaped':
				res.writeHead(200, plain).end(token.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
				return;
			case 'status-500':
				res.writeHead(500, plain).end(token);
				return;
			case 'json-content-type':
				res.writeHead(200, { 'Content-Type': 'application/json' }).end(token);
				return;
			case 'slow':
				setTimeout(() => {
					if (!res.destroyed) res.writeHead(200, plain).end(token);
				}, this.slowMs);
				return;
		}
	}

	private answerNotification(res: http.ServerResponse): void {
		const status = this.notificationStatuses.shift() ?? 202;
		const delay = this.notificationDelays.shift() ?? 0;
		setTimeout(() => {
			if (!res.destroyed) res.writeHead(status).end();
		}, delay);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let emu: Emulator;
const rx = new Receiver();
let adeleToken: string;
let meganToken: string;
let appToken: string;

async function graph(method: string, path: string, token: string | undefined, body?: unknown) {
	const headers: Record<string, string> = {};
	if (token) headers.Authorization = `Bearer ${token}`;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function control(method: string, path: string, body?: unknown) {
	const response = await fetch(`${emu.url}/_emulator${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function inMinutes(minutes: number): string {
	return new Date(emu.core.now() + minutes * MINUTE).toISOString();
}

function subscriptionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		changeType: 'created',
		notificationUrl: `${rx.url}/notify?source=test`,
		resource: "me/mailFolders('Inbox')/messages",
		expirationDateTime: inMinutes(120),
		clientState: 'secret-client-state',
		...overrides,
	};
}

async function createSubscription(overrides: Record<string, unknown> = {}, token = adeleToken) {
	const response = await graph('POST', '/subscriptions', token, subscriptionBody(overrides));
	if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
	return response.body as Record<string, any>;
}

function folderId(userId: string, name: string): string {
	const folder = findFolder(mailboxOf(emu.core, userId), name);
	if (!folder) throw new Error(`no folder ${name}`);
	return folder.id;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

beforeAll(async () => {
	emu = await startEmulator();
	await rx.start();
});

afterAll(async () => {
	await emu.close();
	await rx.close();
});

beforeEach(async () => {
	emu.reset();
	rx.reset();
	// Fast retries; everything else at Graph's values unless a test says otherwise.
	expect((await control('POST', '/subscriptions/config', { retryBaseMs: 40 })).status).toBe(200);
	adeleToken = emu.issueToken({ userId: ADELE.id });
	meganToken = emu.issueToken({ userId: MEGAN.id });
	appToken = emu.issueToken({ appOnly: true });
});

// ---------------------------------------------------------------------------------------------------------------

describe('resource parsing', () => {
	it.each([
		["me/mailFolders('Inbox')/messages", 'me', 'message', 'Inbox'],
		['/me/mailfolders(\'inbox\')/messages', 'me', 'message', 'inbox'],
		['users/AdeleV@contoso.com/mailFolders/AAMk-_=/messages', 'AdeleV@contoso.com', 'message', 'AAMk-_='],
		['Users/87d349ed-44d7-43e1-9a83-5f2406dee5bd/Messages', '87d349ed-44d7-43e1-9a83-5f2406dee5bd', 'message', undefined],
		["me/mailfolders('Drafts')/messages?$select=Subject&$filter=hasAttachments eq true", 'me', 'message', 'Drafts'],
		['/me/events', 'me', 'event', undefined],
		['users/x/calendars/CAL1/events', 'x', 'event', 'CAL1'],
	])('accepts %s', (resource, owner, kind, container) => {
		const parsed = parseResource(resource);
		if (!parsed.ok) throw new Error(parsed.reason);
		expect(parsed.resource.owner.kind === 'me' ? 'me' : (parsed.resource.owner as { idOrUpn: string }).idOrUpn).toBe(owner);
		expect(parsed.resource.kind).toBe(kind);
		expect(parsed.resource.container).toBe(container);
	});

	it.each(['me/contactFolders', 'users', 'me/mailFolders/inbox', 'groups/x/conversations', 'me/messages?$top=5', 'me/calendar/events'])(
		'rejects %s',
		(resource) => {
			expect(parseResource(resource).ok).toBe(false);
		},
	);

	it('appends the validation token after an existing query string', () => {
		expect(validationUrl('https://h/x?a=1', 'a b+c')).toBe('https://h/x?a=1&validationToken=a%20b%2Bc');
		expect(validationUrl('https://h/x', '&')).toBe('https://h/x?validationToken=%26');
	});
});

describe('POST /subscriptions', () => {
	it('validates both URLs with a decoded-token handshake and returns the subscription', async () => {
		const body = subscriptionBody({ lifecycleNotificationUrl: `${rx.url}/lifecycle` });
		const response = await graph('POST', '/subscriptions', adeleToken, body);
		expect(response.status).toBe(201);

		const notifyValidation = rx.validations('/notify');
		const lifecycleValidation = rx.validations('/lifecycle');
		expect(notifyValidation).toHaveLength(1);
		expect(lifecycleValidation).toHaveLength(1);
		for (const request of [...notifyValidation, ...lifecycleValidation]) {
			expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
			expect(request.body).toBe('');
			// The token needs encoding, so a receiver that echoes it raw or half-decoded fails.
			expect(request.query.get('validationToken')).toMatch(/^Validation: Token-[0-9a-f]+ \+ <b>&x=y%<\/b>$/);
		}
		// The notification URL's own query string is kept.
		expect(notifyValidation[0].query.get('source')).toBe('test');
		expect(notifyValidation[0].query.get('validationToken')).not.toBe(lifecycleValidation[0].query.get('validationToken'));

		const subscription = response.body;
		expect(subscription).toEqual({
			'@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
			id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
			resource: "me/mailFolders('Inbox')/messages",
			applicationId: DEFAULT_CLIENT.clientId,
			changeType: 'created',
			clientState: 'secret-client-state',
			notificationUrl: `${rx.url}/notify?source=test`,
			notificationQueryOptions: null,
			notificationContentType: null,
			lifecycleNotificationUrl: `${rx.url}/lifecycle`,
			expirationDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/),
			creatorId: ADELE.id,
			includeResourceData: null,
			latestSupportedTlsVersion: 'v1_2',
			encryptionCertificate: null,
			encryptionCertificateId: null,
			notificationUrlAppId: null,
		});
		expect(Date.parse(subscription.expirationDateTime)).toBe(Date.parse(String(body.expirationDateTime)));
	});

	it('sends two validation requests when both URLs are the same', async () => {
		await createSubscription({ lifecycleNotificationUrl: `${rx.url}/notify?source=test` });
		expect(rx.validations('/notify')).toHaveLength(2);
	});

	it.each([
		['status-500', VALIDATION_MESSAGES.notOk],
		['echo-encoded', VALIDATION_MESSAGES.mismatch],
		['html-escaped', VALIDATION_MESSAGES.mismatch],
		['json-content-type', VALIDATION_MESSAGES.mismatch],
	] as const)('fails the handshake when the receiver answers %s', async (mode, message) => {
		rx.validationMode = mode;
		const response = await graph('POST', '/subscriptions', adeleToken, subscriptionBody());
		expect(response.status).toBe(400);
		expect(response.body.error.code).toBe('InvalidRequest');
		expect(response.body.error.message).toBe(message);
		expect(response.body.error.innerError['request-id']).toEqual(expect.any(String));
		expect((await graph('GET', '/subscriptions', adeleToken)).body.value).toEqual([]);
	});

	it('times out a slow validation answer', async () => {
		await control('POST', '/subscriptions/config', { validationTimeoutMs: 150 });
		rx.validationMode = 'slow';
		rx.slowMs = 600;
		const response = await graph('POST', '/subscriptions', adeleToken, subscriptionBody());
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({ code: 'InvalidRequest', message: VALIDATION_MESSAGES.timeout });
	});

	it('fails the lifecycle URL handshake separately', async () => {
		const response = await graph(
			'POST',
			'/subscriptions',
			adeleToken,
			subscriptionBody({ lifecycleNotificationUrl: 'http://127.0.0.1:1/closed' }),
		);
		expect(response.status).toBe(400);
		expect(response.body.error.message).toBe(VALIDATION_MESSAGES.notOk);
		expect(rx.validations('/notify')).toHaveLength(1);
	});

	it('requires HTTPS except for loopback in emulator mode', async () => {
		const remote = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ notificationUrl: 'http://example.com/hook' }));
		expect(remote.status).toBe(400);
		expect(remote.body.error).toMatchObject({
			code: 'InvalidRequest',
			message: 'Subscription validation request failed. The notification URL must use HTTPS.',
		});
		const lifecycle = await graph(
			'POST',
			'/subscriptions',
			adeleToken,
			subscriptionBody({ lifecycleNotificationUrl: 'http://example.com/lifecycle' }),
		);
		expect(lifecycle.status).toBe(400);
		expect(rx.received).toHaveLength(0);

		const strict = await startEmulator({ allowHttpNotificationUrls: false, seedDefaults: false });
		try {
			const token = strict.issueToken({ userId: ADELE.id });
			const response = await fetch(`${strict.url}/v1.0/subscriptions`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
				body: JSON.stringify(subscriptionBody({ resource: 'me/messages' })),
			});
			expect(response.status).toBe(400);
			expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/must use HTTPS/);
		} finally {
			await strict.close();
		}
	});

	it('enforces the maximum lifetime with Graph’s message and raises short ones to 45 minutes', async () => {
		const tooLong = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ expirationDateTime: inMinutes(10081) }));
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error).toMatchObject({
			code: 'ExtensionError',
			message: 'Subscription expiration can only be 10080 minutes in the future.',
		});
		expect(rx.received).toHaveLength(0);

		await createSubscription({ expirationDateTime: inMinutes(10079) });

		const short = await createSubscription({ expirationDateTime: inMinutes(10) });
		const lifetime = Date.parse(short.expirationDateTime) - emu.core.now();
		expect(lifetime).toBeGreaterThan(44 * MINUTE);
		expect(lifetime).toBeLessThanOrEqual(45 * MINUTE);

		const past = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ expirationDateTime: inMinutes(-1) }));
		expect(past.status).toBe(400);
		expect(past.body.error.code).toBe('ExtensionError');
	});

	it('lets a test emulate an older tenant limit of 4,230 minutes', async () => {
		expect((await control('POST', '/subscriptions/config', { maxMinutes: 4230 })).body.maxMinutes).toBe(4230);
		const response = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ expirationDateTime: inMinutes(10070) }));
		expect(response.status).toBe(400);
		expect(response.body.error.message).toBe('Subscription expiration can only be 4230 minutes in the future.');
		await createSubscription({ expirationDateTime: inMinutes(4229) });
	});

	it('validates the body', async () => {
		const missing = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ resource: undefined }));
		expect(missing.status).toBe(400);
		expect(missing.body.error.message).toBe('resource is a required property for subscription creation.');

		const badChange = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ changeType: 'created,moved' }));
		expect(badChange.status).toBe(400);
		expect(badChange.body.error.message).toBe("Invalid 'changeType' attribute: 'created,moved'.");

		const unknownProperty = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ notificationURL: 'x' }));
		expect(unknownProperty.status).toBe(400);
		expect(unknownProperty.body.error.message).toMatch(/^Could not process subscription creation payload/);

		const unsupported = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ resource: 'me/contactFolders' }));
		expect(unsupported.status).toBe(400);
		expect(unsupported.body.error.code).toBe('ExtensionError');

		const noFolder = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ resource: 'me/mailFolders/nope/messages' }));
		expect(noFolder.status).toBe(404);
		expect(rx.received).toHaveLength(0);
	});

	it('applies the access rules for delegated and app-only tokens', async () => {
		const other = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ resource: `users/${MEGAN.userPrincipalName}/messages` }));
		expect(other.status).toBe(403);
		expect(other.body.error.code).toBe('ExtensionError');
		expect(other.body.error.message).toMatch(/Access is denied/);

		const shared = await graph('POST', '/subscriptions', adeleToken, subscriptionBody({ resource: `users/${SALES.id}/messages` }));
		expect(shared.status).toBe(403);

		const appMe = await graph('POST', '/subscriptions', appToken, subscriptionBody({ resource: 'me/messages' }));
		expect(appMe.status).toBe(400);

		const own = await createSubscription({ resource: `users/${ADELE.userPrincipalName}/messages` });
		expect(own.creatorId).toBe(ADELE.id);
		const app = await createSubscription({ resource: `/Users/${SALES.userPrincipalName}/mailFolders('inbox')/messages` }, appToken);
		expect(app.resource).toBe(`/Users/${SALES.userPrincipalName}/mailFolders('inbox')/messages`);

		const unauthenticated = await graph('POST', '/subscriptions', undefined, subscriptionBody());
		expect(unauthenticated.status).toBe(401);
	});

	it('refuses more than the per-mailbox maximum with 403', async () => {
		await control('POST', '/subscriptions/config', { maxPerMailbox: 2 });
		await createSubscription();
		await createSubscription({ resource: 'me/events' });
		const third = await graph('POST', '/subscriptions', appToken, subscriptionBody({ resource: `users/${ADELE.id}/messages` }));
		expect(third.status).toBe(403);
		// Another mailbox still has room.
		await createSubscription({ resource: 'me/messages' }, meganToken);
	});
});

describe('list, get, update, delete, reauthorize', () => {
	it('lists this app’s subscriptions without clientState and gets one with it', async () => {
		const adeleSub = await createSubscription();
		const meganSub = await createSubscription({ resource: 'me/events' }, meganToken);

		const adeleList = await graph('GET', '/subscriptions', adeleToken);
		expect(adeleList.status).toBe(200);
		expect(adeleList.body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#subscriptions');
		expect(adeleList.body.value.map((s: { id: string }) => s.id)).toEqual([adeleSub.id]);
		expect(adeleList.body.value[0].clientState).toBeNull();
		expect(adeleList.body.value[0].notificationUrl).toBe(adeleSub.notificationUrl);

		const appList = await graph('GET', '/subscriptions', appToken);
		expect(appList.body.value.map((s: { id: string }) => s.id).sort()).toEqual([adeleSub.id, meganSub.id].sort());

		const otherApp = (emu.core as EmulatorCoreImpl).issueToken({ appOnly: true, clientId: 'aaaaaaaa-0000-0000-0000-000000000000' });
		expect((await graph('GET', '/subscriptions', otherApp.accessToken)).body.value).toEqual([]);
		expect((await graph('GET', `/subscriptions/${adeleSub.id}`, otherApp.accessToken)).status).toBe(404);

		const one = await graph('GET', `/subscriptions/${adeleSub.id}`, adeleToken);
		expect(one.status).toBe(200);
		expect(one.body.clientState).toBe('secret-client-state');
		expect((await graph('GET', `/subscriptions/${adeleSub.id}`, meganToken)).status).toBe(404);

		const debug = await control('GET', '/subscriptions');
		expect(debug.body.value.map((s: { clientState: string }) => s.clientState).sort()).toEqual([
			'secret-client-state',
			'secret-client-state',
		]);
	});

	it('renews with PATCH under the same maximum rule', async () => {
		const subscription = await createSubscription({ lifecycleNotificationUrl: `${rx.url}/lifecycle` });
		const renewed = await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { expirationDateTime: inMinutes(3000) });
		expect(renewed.status).toBe(200);
		expect(Date.parse(renewed.body.expirationDateTime)).toBeGreaterThan(Date.parse(subscription.expirationDateTime));
		expect(renewed.body.clientState).toBe('secret-client-state');
		const fetched = await graph('GET', `/subscriptions/${subscription.id}`, adeleToken);
		expect(fetched.body.expirationDateTime).toBe(renewed.body.expirationDateTime);

		const tooLong = await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { expirationDateTime: inMinutes(20000) });
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error.message).toBe('Subscription expiration can only be 10080 minutes in the future.');

		const changeResource = await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { resource: 'me/events' });
		expect(changeResource.status).toBe(400);
	});

	it('re-validates a new notificationUrl and refuses to add a lifecycle URL later', async () => {
		const subscription = await createSubscription();
		rx.reset();
		const moved = await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { notificationUrl: `${rx.url}/moved` });
		expect(moved.status).toBe(200);
		expect(moved.body.notificationUrl).toBe(`${rx.url}/moved`);
		expect(rx.validations('/moved')).toHaveLength(1);

		rx.validationMode = 'status-500';
		const broken = await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { notificationUrl: `${rx.url}/broken` });
		expect(broken.status).toBe(400);
		expect(broken.body.error.message).toBe(VALIDATION_MESSAGES.notOk);
		expect((await graph('GET', `/subscriptions/${subscription.id}`, adeleToken)).body.notificationUrl).toBe(`${rx.url}/moved`);

		const addLifecycle = await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, {
			lifecycleNotificationUrl: `${rx.url}/lifecycle`,
		});
		expect(addLifecycle.status).toBe(400);
	});

	it('deletes (204, then 404) and reauthorizes (204)', async () => {
		const subscription = await createSubscription();
		expect((await graph('POST', `/subscriptions/${subscription.id}/reauthorize`, adeleToken)).status).toBe(204);
		expect((await graph('DELETE', `/subscriptions/${subscription.id}`, adeleToken)).status).toBe(204);
		const gone = await graph('GET', `/subscriptions/${subscription.id}`, adeleToken);
		expect(gone.status).toBe(404);
		expect(gone.body.error.code).toBe('ResourceNotFound');
		expect((await graph('DELETE', `/subscriptions/${subscription.id}`, adeleToken)).status).toBe(404);
		expect((await graph('POST', `/subscriptions/${subscription.id}/reauthorize`, adeleToken)).status).toBe(404);
		expect((await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { expirationDateTime: inMinutes(100) })).status).toBe(404);
	});

	it('treats an expired subscription as gone and stops notifying', async () => {
		const subscription = await createSubscription({ expirationDateTime: inMinutes(50) });
		await emu.advanceClock(51 * MINUTE);
		adeleToken = emu.issueToken({ userId: ADELE.id });
		expect((await graph('GET', `/subscriptions/${subscription.id}`, adeleToken)).status).toBe(404);
		expect((await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { expirationDateTime: inMinutes(100) })).status).toBe(404);
		expect((await graph('GET', '/subscriptions', adeleToken)).body.value).toEqual([]);
		deliverMail(emu.core, { to: ADELE.mail, subject: 'after expiry' });
		await sleep(150);
		expect(rx.notifications()).toHaveLength(0);
	});
});

describe('change notifications', () => {
	it('delivers a created message with Graph’s shape and the clientState', async () => {
		const subscription = await createSubscription();
		deliverMail(emu.core, { to: ADELE.mail, subject: 'Hello webhook', text: 'hi' });
		const [delivery] = await waitForDeliveries(emu.core, 1, 3000);

		const received = rx.notifications('/notify');
		expect(received).toHaveLength(1);
		expect(received[0].query.get('source')).toBe('test');
		expect(received[0].headers['content-type']).toMatch(/^application\/json/);
		const payload = JSON.parse(received[0].body);
		expect(payload.value).toHaveLength(1);
		const item = payload.value[0];
		const inbox = mailboxOf(emu.core, ADELE.id);
		const message = [...inbox.messages.values()].find((m) => m.json.subject === 'Hello webhook');
		expect(message).toBeDefined();
		expect(item).toEqual({
			id: expect.any(String),
			subscriptionId: subscription.id,
			subscriptionExpirationDateTime: subscription.expirationDateTime,
			clientState: 'secret-client-state',
			changeType: 'created',
			resource: `Users/${ADELE.id}/Messages/${message!.json.id}`,
			tenantId: TENANT_ID,
			resourceData: {
				'@odata.type': '#Microsoft.Graph.Message',
				'@odata.id': `Users/${ADELE.id}/Messages/${message!.json.id}`,
				'@odata.etag': expect.stringMatching(/^W\/".+"$/),
				id: message!.json.id,
			},
		});
		// The message the notification points at can be fetched.
		const fetched = await graph('GET', `/me/messages/${encodeURIComponent(item.resourceData.id)}`, adeleToken);
		expect(fetched.status).toBe(200);
		expect(fetched.body.subject).toBe('Hello webhook');

		expect(delivery).toMatchObject({
			kind: 'notification',
			subscriptionId: subscription.id,
			url: `${rx.url}/notify?source=test`,
			attempt: 1,
			status: 202,
			delivered: true,
		});
		expect(delivery.payload).toEqual(payload);
		const logged = await control('GET', '/notifications');
		expect(logged.body).toHaveLength(1);
		expect((await control('DELETE', '/notifications')).status).toBe(204);
		expect(deliveryLog(emu.core)).toHaveLength(0);
	});

	it('omits clientState when none was given and skips other folders', async () => {
		await createSubscription({ clientState: undefined });
		await createSubscription({ notificationUrl: `${rx.url}/drafts`, resource: "me/mailFolders('drafts')/messages" });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'inbox only' });
		await waitForDeliveries(emu.core, 1, 3000);
		await sleep(100);
		expect(rx.notifications('/drafts')).toHaveLength(0);
		const [item] = JSON.parse(rx.notifications('/notify')[0].body).value;
		expect(item).not.toHaveProperty('clientState');
	});

	it('matches a folder given by id and changes of the chosen types only', async () => {
		const inboxId = folderId(ADELE.id, 'inbox');
		await createSubscription({ resource: `me/mailFolders/${inboxId}/messages`, changeType: 'deleted' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'to delete' });
		await sleep(100);
		expect(rx.notifications()).toHaveLength(0);
		const message = [...mailboxOf(emu.core, ADELE.id).messages.values()].find((m) => m.json.subject === 'to delete');
		expect((await graph('DELETE', `/me/messages/${encodeURIComponent(message!.json.id)}`, adeleToken)).status).toBe(204);
		const [delivery] = await waitForDeliveries(emu.core, 1, 3000);
		expect(delivery.payload.value[0]).toMatchObject({ changeType: 'deleted', resourceData: { id: message!.json.id } });
	});

	it('notifies another mailbox only through its own subscription', async () => {
		await createSubscription({ resource: 'me/messages' }, meganToken);
		deliverMail(emu.core, { to: ADELE.mail, subject: 'for Adele' });
		await sleep(100);
		expect(rx.notifications()).toHaveLength(0);
		deliverMail(emu.core, { to: MEGAN.mail, subject: 'for Megan' });
		const [delivery] = await waitForDeliveries(emu.core, 1, 3000);
		expect(delivery.payload.value[0].resource).toMatch(new RegExp(`^Users/${MEGAN.id}/Messages/`));
	});

	it('notifies for mail sent through Graph to oneself', async () => {
		await createSubscription();
		const sent = await graph('POST', '/me/sendMail', adeleToken, {
			message: { subject: 'note to self', body: { contentType: 'Text', content: 'x' }, toRecipients: [{ emailAddress: { address: ADELE.mail } }] },
			saveToSentItems: false,
		});
		expect(sent.status).toBe(202);
		const [delivery] = await waitForDeliveries(emu.core, 1, 3000);
		expect(delivery.payload.value).toHaveLength(1);
		expect(delivery.payload.value[0].changeType).toBe('created');
	});

	it('delivers event changes with the Event type', async () => {
		const subscription = await createSubscription({ resource: 'me/events', changeType: 'created,updated' });
		const created = await graph('POST', '/me/events', adeleToken, {
			subject: 'Webhook sync',
			start: { dateTime: '2030-01-01T10:00:00', timeZone: 'UTC' },
			end: { dateTime: '2030-01-01T11:00:00', timeZone: 'UTC' },
		});
		expect(created.status).toBe(201);
		const [delivery] = await waitForDeliveries(emu.core, 1, 3000);
		expect(delivery.subscriptionId).toBe(subscription.id);
		expect(delivery.payload.value[0]).toMatchObject({
			changeType: 'created',
			resource: `Users/${ADELE.id}/Events/${created.body.id}`,
			resourceData: { '@odata.type': '#Microsoft.Graph.Event', id: created.body.id },
		});
	});

	it('batches changes that happen close together into one POST', async () => {
		await createSubscription();
		// A few ms apart, i.e. separate events on the emulator, but inside the ~25 ms batch window.
		for (const subject of ['one', 'two', 'three']) {
			deliverMail(emu.core, { to: ADELE.mail, subject });
			await sleep(4);
		}
		const [delivery] = await waitForDeliveries(emu.core, 1, 3000);
		await sleep(100);
		expect(rx.notifications()).toHaveLength(1);
		expect(delivery.payload.value).toHaveLength(3);
		expect(new Set(delivery.payload.value.map((item) => (item.resourceData as { id: string }).id)).size).toBe(3);

		// A change well after the window goes out on its own.
		deliverMail(emu.core, { to: ADELE.mail, subject: 'four' });
		const deliveries = await waitForDeliveries(emu.core, 2, 3000);
		expect(deliveries[1].payload.value).toHaveLength(1);
		expect(rx.notifications()).toHaveLength(2);
	});

	it('retries with backoff until the receiver answers 2xx', async () => {
		await createSubscription();
		rx.notificationStatuses = [500, 503, 202];
		deliverMail(emu.core, { to: ADELE.mail, subject: 'retry me' });
		await waitForDeliveries(emu.core, 1, 3000);
		const log = deliveryLog(emu.core);
		expect(log.map((entry) => [entry.attempt, entry.status, entry.delivered])).toEqual([
			[1, 500, false],
			[2, 503, false],
			[3, 202, true],
		]);
		const bodies = rx.notifications().map((r) => r.body);
		expect(new Set(bodies).size).toBe(1);
		// Backoff doubles: 40 ms, then 80 ms (emulator clock runs with real time here).
		expect(log[2].at - log[1].at).toBeGreaterThanOrEqual(log[1].at - log[0].at);
	});

	it('counts a receiver slower than the deadline as failed, and gives up after maxAttempts', async () => {
		await control('POST', '/subscriptions/config', { deliveryTimeoutMs: 100, maxAttempts: 3, retryBaseMs: 20 });
		await createSubscription();
		rx.notificationDelays = [400];
		rx.notificationStatuses = [202, 500, 500, 500];
		deliverMail(emu.core, { to: ADELE.mail, subject: 'slow' });
		const attempts = await waitForDeliveries(emu.core, 3, 3000, { includeFailed: true });
		await sleep(200);
		const log = deliveryLog(emu.core);
		expect(attempts[0]).toMatchObject({ attempt: 1, status: null, failure: 'timeout', delivered: false });
		expect(log.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
		expect(log.every((entry) => !entry.delivered)).toBe(true);
	});
});

describe('lifecycle notifications', () => {
	it('sends lifecycle events on request; subscriptionRemoved also removes the subscription', async () => {
		const subscription = await createSubscription({ lifecycleNotificationUrl: `${rx.url}/lifecycle` });
		for (const event of ['reauthorizationRequired', 'missed']) {
			const response = await control('POST', `/subscriptions/${subscription.id}/lifecycle`, { event });
			expect(response.status).toBe(200);
			expect(response.body).toEqual({ sent: true, removed: false });
		}
		const removed = await control('POST', `/subscriptions/${subscription.id}/lifecycle`, { event: 'subscriptionRemoved' });
		expect(removed.body).toEqual({ sent: true, removed: true });
		expect((await graph('GET', `/subscriptions/${subscription.id}`, adeleToken)).status).toBe(404);

		const received = rx.notifications('/lifecycle').map((r) => JSON.parse(r.body).value[0]);
		expect(received.map((item) => item.lifecycleEvent)).toEqual(['reauthorizationRequired', 'missed', 'subscriptionRemoved']);
		expect(received[0]).toEqual({
			subscriptionId: subscription.id,
			subscriptionExpirationDateTime: subscription.expirationDateTime,
			tenantId: TENANT_ID,
			clientState: 'secret-client-state',
			lifecycleEvent: 'reauthorizationRequired',
		});
		expect(rx.notifications('/notify')).toHaveLength(0);
		expect(deliveryLog(emu.core).map((entry) => entry.kind)).toEqual(['lifecycle', 'lifecycle', 'lifecycle']);

		expect((await control('POST', `/subscriptions/${subscription.id}/lifecycle`, { event: 'missed' })).status).toBe(404);
		expect((await control('POST', `/subscriptions/${subscription.id}/lifecycle`, { event: 'bogus' })).status).toBe(400);
	});

	it('asks for reauthorization once per expiry period as expiry nears, and drops expired ones silently', async () => {
		const subscription = await createSubscription({
			lifecycleNotificationUrl: `${rx.url}/lifecycle`,
			expirationDateTime: inMinutes(240),
		});
		const quiet = await createSubscription({ expirationDateTime: inMinutes(240) });

		await emu.advanceClock(120 * MINUTE);
		expect(rx.notifications('/lifecycle')).toHaveLength(0);

		// 60 of 240 minutes left is not yet under a quarter; 50 is.
		await emu.advanceClock(70 * MINUTE);
		expect(rx.notifications('/lifecycle')).toHaveLength(1);
		expect(JSON.parse(rx.notifications('/lifecycle')[0].body).value[0]).toMatchObject({
			subscriptionId: subscription.id,
			lifecycleEvent: 'reauthorizationRequired',
		});
		await emu.advanceClock(10 * MINUTE);
		expect(rx.notifications('/lifecycle')).toHaveLength(1);

		// Renewal starts a new period: near its end there is a new reauthorizationRequired.
		adeleToken = emu.issueToken({ userId: ADELE.id });
		expect((await graph('PATCH', `/subscriptions/${subscription.id}`, adeleToken, { expirationDateTime: inMinutes(100) })).status).toBe(200);
		await emu.advanceClock(50 * MINUTE);
		expect(rx.notifications('/lifecycle')).toHaveLength(2);

		// The other subscription (no lifecycle URL) has expired by now: gone, nothing sent anywhere.
		expect((await graph('GET', `/subscriptions/${quiet.id}`, adeleToken)).status).toBe(404);
		await emu.advanceClock(60 * MINUTE);
		adeleToken = emu.issueToken({ userId: ADELE.id });
		expect((await graph('GET', `/subscriptions/${subscription.id}`, adeleToken)).status).toBe(404);
		expect(rx.notifications('/lifecycle')).toHaveLength(2);
		expect(rx.notifications('/notify')).toHaveLength(0);
	});
});
