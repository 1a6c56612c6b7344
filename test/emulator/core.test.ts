/**
 * The emulator core over real HTTP: auth errors, routing (/me vs /users, OData keys, encoded ids),
 * per-mailbox limits, every fault kind, the clock, $batch and the control API.
 */
import { DEFAULT_CLIENT, DEFAULT_USERS, startEmulator, type Emulator } from './index';
import type { GraphRequest } from './types';

const { adele, megan, sales } = DEFAULT_USERS;

let emu: Emulator;
let adeleToken: string;
let appToken: string;
/** Side effects of the probe routes, to prove a handler ran (or not). */
const effects: string[] = [];

function graph(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
	const { token = adeleToken, headers, ...rest } = init;
	return fetch(`${emu.url}/v1.0${path}`, { ...rest, headers: { Authorization: `Bearer ${token}`, ...(headers as Record<string, string>) } });
}

async function errorOf(response: Response): Promise<{ code: string; message: string; innerError: Record<string, string> }> {
	const body = (await response.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
	return body.error;
}

function control(path: string, method = 'GET', body?: unknown): Promise<Response> {
	return fetch(`${emu.url}/_emulator${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

beforeAll(async () => {
	emu = await startEmulator({ seedDefaults: false });
	const probe = (req: GraphRequest) => ({
		status: 200,
		body: { id: req.params.id, mailbox: req.mailbox?.id, prefix: req.mailboxPrefix, path: req.path },
	});
	emu.core.mailboxRoute('GET', '/probeFolders/:id', probe);
	emu.core.mailboxRoute('GET', '/probeFolders/special', (req) => ({ status: 200, body: { special: true, mailbox: req.mailbox?.id } }));
	emu.core.mailboxRoute('GET', '/probe', (req) => ({ status: 200, body: { mailbox: req.mailbox?.id } }));
	emu.core.mailboxRoute('POST', '/probe', (req) => {
		effects.push(String((req.body as { note?: string } | undefined)?.note));
		return { status: 201, body: { received: req.body } };
	});
	emu.core.route('GET', '/probeFail', () => {
		throw new Error('boom');
	});
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => {
	emu.reset();
	effects.length = 0;
	adeleToken = emu.issueToken({ userId: adele.id });
	appToken = emu.issueToken({ appOnly: true });
});

describe('authentication', () => {
	it('answers 401 "Access token is empty." with a WWW-Authenticate challenge when no token is sent', async () => {
		const response = await fetch(`${emu.url}/v1.0/me`);
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="", authorization_uri="/);
		const error = await errorOf(response);
		expect(error.code).toBe('InvalidAuthenticationToken');
		expect(error.message).toBe('Access token is empty.');
		expect(error.innerError['request-id']).toBe(response.headers.get('request-id'));
	});

	it('rejects an unknown token as a malformed JWT', async () => {
		const response = await graph('/me', { token: 'not-a-token' });
		expect(response.status).toBe(401);
		expect(response.headers.get('www-authenticate')).toContain('Bearer');
		const error = await errorOf(response);
		expect(error.code).toBe('InvalidAuthenticationToken');
		expect(error.message).toMatch(/^IDX14100: JWT is not well formed/);
	});

	it('expires tokens on the emulator clock', async () => {
		const shortLived = emu.issueToken({ userId: adele.id, lifetimeSeconds: 60 });
		expect((await graph('/me', { token: shortLived })).status).toBe(200);
		await emu.advanceClock(61_000);
		const response = await graph('/me', { token: shortLived });
		expect(response.status).toBe(401);
		expect((await errorOf(response)).message).toBe('Lifetime validation failed, the token is expired.');
	});

	it('expireAllTokens makes every issued token fail', async () => {
		emu.expireAllTokens();
		expect((await graph('/me')).status).toBe(401);
		expect((await graph('/users', { token: appToken })).status).toBe(401);
	});

	it('sends request-id and echoes client-request-id on every Graph response', async () => {
		const response = await graph('/me', { headers: { 'client-request-id': 'my-correlation-1' } });
		expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
		expect(response.headers.get('client-request-id')).toBe('my-correlation-1');
		const failed = await graph('/nothingHere', { headers: { 'client-request-id': 'my-correlation-2' } });
		expect((await errorOf(failed)).innerError['client-request-id']).toBe('my-correlation-2');
	});
});

describe('users and mailbox routing', () => {
	it('/me, /users/{upn} (percent-encoded) and /users/{id} return the same user, exactly like Graph', async () => {
		const me = (await (await graph('/me')).json()) as Record<string, unknown>;
		expect(me['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#users/$entity');
		const { '@odata.context': _context, ...profile } = me;
		expect(profile).toEqual({
			businessPhones: ['+1 425 555 0109'],
			displayName: 'Adele Vance',
			givenName: 'Adele',
			jobTitle: 'Retail Manager',
			mail: 'AdeleV@contoso.com',
			mobilePhone: '+1 425 555 0109',
			officeLocation: '18/2111',
			preferredLanguage: 'en-US',
			surname: 'Vance',
			userPrincipalName: 'AdeleV@contoso.com',
			id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
		});
		const byUpn = await (await graph(`/users/${encodeURIComponent('AdeleV@contoso.com')}`, { token: appToken })).json();
		const byId = await (await graph(`/users/${adele.id}`, { token: appToken })).json();
		expect(byUpn).toEqual(me);
		expect(byId).toEqual(me);
	});

	it('refuses /me with an app-only token', async () => {
		const response = await graph('/me', { token: appToken });
		expect(response.status).toBe(400);
		const error = await errorOf(response);
		expect(error.code).toBe('BadRequest');
		expect(error.message).toBe('/me request is only valid with delegated authentication flow.');
	});

	it('lists users for an app-only token, with $select', async () => {
		const body = (await (await graph('/users?$select=displayName,mail', { token: appToken })).json()) as { value: Array<Record<string, unknown>> };
		expect(body.value.map((u) => u.mail)).toEqual([adele.mail, megan.mail, sales.mail]);
		expect(Object.keys(body.value[0]).sort()).toEqual(['displayName', 'id', 'mail']);
	});

	it('answers 404 for unknown users (directory and mailbox shapes)', async () => {
		const user = await graph(`/users/${encodeURIComponent('nobody@contoso.com')}`, { token: appToken });
		expect(user.status).toBe(404);
		expect((await errorOf(user)).code).toBe('Request_ResourceNotFound');
		const mailbox = await graph(`/users/${encodeURIComponent('nobody@contoso.com')}/probe`, { token: appToken });
		expect(mailbox.status).toBe(404);
		const error = await errorOf(mailbox);
		expect(error.code).toBe('ErrorInvalidUser');
		expect(error.message).toBe("The requested user 'nobody@contoso.com' is invalid.");
	});

	it('resolves the mailbox and its prefix for /me and /users/{upn}', async () => {
		const viaMe = await (await graph('/me/probeFolders/inbox')).json();
		expect(viaMe).toEqual({ id: 'inbox', mailbox: adele.id, prefix: '/me', path: '/me/probeFolders/inbox' });
		const viaUpn = await (await graph(`/users/${encodeURIComponent(megan.userPrincipalName)}/probeFolders/inbox`, { token: appToken })).json();
		expect(viaUpn).toMatchObject({ mailbox: megan.id, prefix: '/users/MeganB%40contoso.com' });
	});

	it('routes OData key syntax and decodes each segment on its own', async () => {
		expect(await (await graph("/me/probeFolders('inbox')")).json()).toMatchObject({ id: 'inbox' });
		expect(await (await graph(`/users('${adele.id}')/probeFolders('Inbox')`, { token: appToken })).json()).toMatchObject({
			id: 'Inbox',
			mailbox: adele.id,
		});
		const id = 'AAMkAGI2/+x=_-y==';
		expect(await (await graph(`/me/probeFolders/${encodeURIComponent(id)}`)).json()).toMatchObject({ id });
		expect(await (await graph('/me/PROBEFOLDERS/special')).json()).toEqual({ special: true, mailbox: adele.id });
	});

	it('keeps delegated tokens out of other users\' mailboxes but lets them into shared ones', async () => {
		const other = await graph(`/users/${megan.id}/probe`);
		expect(other.status).toBe(403);
		expect((await errorOf(other)).code).toBe('ErrorAccessDenied');
		const shared = await graph(`/users/${encodeURIComponent(sales.userPrincipalName)}/probe`);
		expect(shared.status).toBe(200);
		expect(await shared.json()).toEqual({ mailbox: sales.id });
	});

	it('answers unknown segments with 400 BadRequest and unknown methods with 405', async () => {
		const unknown = await graph('/me/nonsense/x');
		expect(unknown.status).toBe(400);
		expect((await errorOf(unknown)).message).toBe("Resource not found for the segment 'nonsense'.");
		const method = await graph('/me', { method: 'DELETE' });
		expect(method.status).toBe(405);
	});

	it('turns a handler exception into a Graph-shaped 500', async () => {
		const response = await graph('/probeFail');
		expect(response.status).toBe(500);
		expect((await errorOf(response)).code).toBe('generalException');
	});

	it('rejects malformed JSON bodies like Graph', async () => {
		const response = await graph('/me/probe', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"note":' });
		expect(response.status).toBe(400);
		expect(effects).toEqual([]);
	});
});

describe('limits', () => {
	it('allows 4 concurrent requests per app and mailbox and answers the rest 429 at once', async () => {
		emu.configure({ concurrencyPerMailbox: 4 });
		emu.addFault({ kind: 'latency', latencyMs: 400, pathPattern: '^/me/probe$', times: -1 });
		const started = Date.now();
		const responses = await Promise.all(Array.from({ length: 8 }, () => graph('/me/probe')));
		const statuses = responses.map((r) => r.status).sort();
		expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
		const throttled = responses.filter((r) => r.status === 429);
		for (const response of throttled) {
			expect(response.headers.get('retry-after')).toBe('1');
			const error = await errorOf(response);
			expect(error.code).toBe('ApplicationThrottled');
			expect(error.message).toBe('Application is over its MailboxConcurrency limit.');
		}
		expect(Date.now() - started).toBeLessThan(2000);
		expect(emu.stats().maxInFlightByMailbox[adele.id]).toBe(4);
		expect(emu.stats().throttled).toBe(4);
		// Another mailbox has its own budget.
		expect((await graph(`/users/${megan.id}/probe`, { token: appToken })).status).toBe(200);
	});

	it('rate-limits per mailbox with a fractional Retry-After equal to the time until a slot frees', async () => {
		emu.configure({ concurrencyPerMailbox: 0, rateLimit: { requests: 2, windowMs: 1000 } });
		expect((await graph('/me/probe')).status).toBe(200);
		expect((await graph('/me/probe')).status).toBe(200);
		const first = await graph('/me/probe');
		expect(first.status).toBe(429);
		const retryAfter = Number(first.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThan(0.8);
		expect(retryAfter).toBeLessThanOrEqual(1);
		expect((await errorOf(first)).code).toBe('ApplicationThrottled');

		await emu.advanceClock(Math.round(retryAfter * 1000) - 300);
		const second = await graph('/me/probe');
		expect(second.status).toBe(429);
		const remaining = Number(second.headers.get('retry-after'));
		expect(remaining).toBeGreaterThan(0.2);
		expect(remaining).toBeLessThanOrEqual(0.3);
		expect(second.headers.get('retry-after')).toMatch(/^0\.\d{1,3}$/);

		await emu.advanceClock(Math.ceil(remaining * 1000));
		expect((await graph('/me/probe')).status).toBe(200);
	});

	it('adds the configured latency to every Graph request', async () => {
		emu.configure({ latencyMs: 150 });
		const started = Date.now();
		await graph('/me');
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
	});
});

describe('faults', () => {
	it('status faults answer with a Graph error and Retry-After, honouring after/times', async () => {
		emu.addFault({ kind: 'status', status: 503, retryAfter: '2', pathPattern: '^/me$', after: 1, times: 2 });
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) statuses.push((await graph('/me')).status);
		expect(statuses).toEqual([200, 503, 503, 200]);
		emu.addFault({ kind: 'status', status: 503, retryAfter: '2', pathPattern: '^/me$' });
		const response = await graph('/me');
		expect(response.headers.get('retry-after')).toBe('2');
		expect((await errorOf(response)).code).toBe('serviceNotAvailable');
	});

	it('a 429 fault looks like Graph\'s throttling example', async () => {
		emu.addFault({ kind: 'status', status: 429, retryAfter: '2.128', method: 'GET' });
		const response = await graph('/me');
		expect(response.status).toBe(429);
		expect(response.headers.get('retry-after')).toBe('2.128');
		const body = (await response.json()) as { error: Record<string, unknown> };
		expect(body.error.code).toBe('TooManyRequests');
		expect(body.error.message).toBe('Please retry again later.');
		expect(body.error.innerError).toMatchObject({ code: '429', status: '429', message: 'Please retry after', 'request-id': response.headers.get('request-id') });
	});

	it('reset-before-body drops the connection without running the handler', async () => {
		emu.addFault({ kind: 'reset-before-body', method: 'POST', pathPattern: '/probe$' });
		await expect(graph('/me/probe', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"note":"a"}' })).rejects.toThrow();
		expect(effects).toEqual([]);
		const record = emu.requests().find((r) => r.fault === 'reset-before-body');
		expect(record).toMatchObject({ method: 'POST', path: '/me/probe', status: undefined });
	});

	it('reset-after-body runs the handler once (the side effect happens) and then drops the connection', async () => {
		emu.addFault({ kind: 'reset-after-body', method: 'POST', pathPattern: '/probe$' });
		await expect(graph('/me/probe', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"note":"sent-once"}' })).rejects.toThrow();
		expect(effects).toEqual(['sent-once']);
		expect(emu.requests().find((r) => r.fault === 'reset-after-body')?.status).toBe(201);
	});

	it('hang never answers', async () => {
		emu.addFault({ kind: 'hang', pathPattern: '^/me$' });
		await expect(graph('/me', { signal: AbortSignal.timeout(300) })).rejects.toThrow();
		expect((await graph('/me')).status).toBe(200);
	});

	it('malformed-json answers 200 with a body that is not JSON', async () => {
		emu.addFault({ kind: 'malformed-json', pathPattern: '^/me$' });
		const response = await graph('/me');
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		await expect(response.json()).rejects.toThrow();
	});

	it('truncated-json promises more bytes than it sends', async () => {
		emu.addFault({ kind: 'truncated-json', pathPattern: '^/me$' });
		const response = await graph('/me');
		expect(response.status).toBe(200);
		await expect(response.text()).rejects.toThrow();
	});

	it('latency faults delay matching requests only', async () => {
		emu.addFault({ kind: 'latency', latencyMs: 250, pathPattern: '^/users$', times: -1 });
		let started = Date.now();
		await graph('/users', { token: appToken });
		expect(Date.now() - started).toBeGreaterThanOrEqual(240);
		started = Date.now();
		await graph('/me');
		expect(Date.now() - started).toBeLessThan(240);
	});

	it('faults also apply to identity requests', async () => {
		emu.addFault({ kind: 'status', status: 500, pathPattern: '/oauth2/v2.0/token$' });
		const response = await fetch(emu.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
		expect(response.status).toBe(500);
	});
});

describe('clock', () => {
	it('advanceClock moves now() and waits for the listeners', async () => {
		const seen: number[] = [];
		emu.core.onClockAdvance(async (now) => {
			await new Promise((resolve) => setTimeout(resolve, 50));
			seen.push(now);
		});
		const before = emu.core.now();
		await emu.advanceClock(3_600_000);
		expect(seen).toHaveLength(1);
		expect(seen[0] - before).toBeGreaterThanOrEqual(3_600_000);
		expect(emu.core.now() - Date.now()).toBeGreaterThanOrEqual(3_599_000);
	});
});

describe('$batch', () => {
	function batch(requests: unknown[], token = adeleToken): Promise<Response> {
		return graph('/$batch', { token, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ requests }) });
	}

	it('dispatches each member through the router with the batch token', async () => {
		const response = await batch([
			{ id: '1', method: 'GET', url: '/me?$select=displayName' },
			{ id: '2', method: 'GET', url: `users/${encodeURIComponent(megan.userPrincipalName)}` },
			{ id: '3', method: 'POST', url: '/me/probe', headers: { 'Content-Type': 'application/json' }, body: { note: 'from-batch' } },
			{ id: '4', method: 'GET', url: '/me/unknownThing' },
		]);
		expect(response.status).toBe(200);
		const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number; body: Record<string, unknown> }> };
		const byId = Object.fromEntries(responses.map((r) => [r.id, r]));
		expect(byId['1'].status).toBe(200);
		expect(byId['1'].body).toMatchObject({ displayName: 'Adele Vance', id: adele.id });
		expect(byId['2'].body).toMatchObject({ id: megan.id });
		expect(byId['3'].status).toBe(201);
		expect(effects).toEqual(['from-batch']);
		expect(byId['4'].status).toBe(400);
		const outer = emu.requests().find((r) => r.path === '/$batch');
		const members = emu.requests().filter((r) => r.parentRequestId === outer?.requestId);
		expect(members.map((m) => m.path).sort()).toEqual(['/me', '/me/probe', '/me/unknownThing', `/users/${megan.userPrincipalName}`].sort());
	});

	it('refuses more than 20 requests, duplicate ids (any case) and bodies without Content-Type', async () => {
		const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));
		expect((await batch(many)).status).toBe(400);
		const duplicate = await batch([
			{ id: 'a', method: 'GET', url: '/me' },
			{ id: 'A', method: 'GET', url: '/me' },
		]);
		expect(duplicate.status).toBe(400);
		const noType = await batch([{ id: '1', method: 'POST', url: '/me/probe', body: { note: 'x' } }]);
		expect(noType.status).toBe(400);
		expect((await errorOf(noType)).message).toBe('Write request id : 1 does not contain Content-Type header or body.');
		expect(effects).toEqual([]);
	});

	it('answers 424 for members whose dependency failed', async () => {
		const response = await batch([
			{ id: '1', method: 'GET', url: '/me/nonsense' },
			{ id: '2', method: 'POST', url: '/me/probe', dependsOn: ['1'], headers: { 'Content-Type': 'application/json' }, body: { note: 'never' } },
			{ id: '3', method: 'GET', url: '/me', dependsOn: ['2'] },
		]);
		const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number }> };
		expect(responses.map((r) => [r.id, r.status])).toEqual([
			['1', 400],
			['2', 424],
			['3', 424],
		]);
		expect(effects).toEqual([]);
	});

	it('members count against the mailbox limits and get status faults', async () => {
		emu.configure({ concurrencyPerMailbox: 1 });
		emu.addFault({ kind: 'latency', latencyMs: 200, pathPattern: '^/me/probe$', times: -1 });
		const response = await batch(Array.from({ length: 4 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me/probe' })));
		const { responses } = (await response.json()) as { responses: Array<{ status: number; headers: Record<string, string> }> };
		expect(responses.map((r) => r.status).sort()).toEqual([200, 429, 429, 429]);
		expect(responses.find((r) => r.status === 429)?.headers['Retry-After']).toBe('1');

		emu.clearFaults();
		emu.addFault({ kind: 'status', status: 429, retryAfter: '3', pathPattern: '^/me$' });
		const faulted = await batch([{ id: '1', method: 'GET', url: '/me' }]);
		const [member] = ((await faulted.json()) as { responses: Array<{ status: number; headers: Record<string, string> }> }).responses;
		expect(member.status).toBe(429);
		expect(member.headers['Retry-After']).toBe('3');
	});
});

describe('request log and control API', () => {
	it('records Graph and identity requests with secrets redacted, and never control requests', async () => {
		await graph('/me');
		await fetch(emu.tokenUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'client_credentials',
				client_id: DEFAULT_CLIENT.clientId,
				client_secret: DEFAULT_CLIENT.clientSecret,
				scope: 'https://graph.microsoft.com/.default',
			}),
		});
		await control('/info');
		const log = emu.requests();
		expect(log.map((r) => r.area)).toEqual(['graph', 'identity']);
		expect(log[0].headers.authorization).toBe('Bearer [redacted]');
		expect(log[0].auth).toEqual({ clientId: DEFAULT_CLIENT.clientId, userId: adele.id, appOnly: false });
		expect(log[1].body).toContain('client_secret=%5Bredacted%5D');
		const serialized = JSON.stringify(log);
		expect(serialized).not.toContain(adeleToken);
		expect(serialized).not.toContain(DEFAULT_CLIENT.clientSecret);
	});

	it('serves info, requests?since, faults, clock, config, stats, token expiry and reset', async () => {
		const info = (await (await control('/info')).json()) as Record<string, unknown>;
		expect(info).toMatchObject({ url: emu.url, clientId: DEFAULT_CLIENT.clientId });
		expect(JSON.stringify(info)).not.toContain(DEFAULT_CLIENT.clientSecret);

		await graph('/me');
		await graph('/users', { token: appToken });
		const all = ((await (await control('/requests')).json()) as { value: Array<{ requestId: string; path: string }> }).value;
		expect(all.map((r) => r.path)).toEqual(['/me', '/users']);
		const since = ((await (await control(`/requests?since=${all[0].requestId}`)).json()) as { value: Array<{ path: string }> }).value;
		expect(since.map((r) => r.path)).toEqual(['/users']);
		expect(((await (await control('/requests?since=1')).json()) as { value: unknown[] }).value).toHaveLength(1);
		expect((await control('/requests', 'DELETE')).status).toBe(204);
		expect(emu.requests()).toHaveLength(0);

		const added = await control('/faults', 'POST', { kind: 'status', status: 503, pathPattern: '^/me$' });
		expect(added.status).toBe(201);
		expect((await graph('/me')).status).toBe(503);
		await control('/faults', 'POST', { kind: 'status', status: 503, pathPattern: '^/me$' });
		expect((await control('/faults', 'DELETE')).status).toBe(204);
		expect((await graph('/me')).status).toBe(200);
		expect((await control('/faults', 'POST', { kind: 'explode' })).status).toBe(400);

		const before = emu.core.now();
		const clock = (await (await control('/clock', 'POST', { advanceMinutes: 2 })).json()) as { nowMs: number };
		expect(clock.nowMs - before).toBeGreaterThanOrEqual(120_000);

		const config = (await (await control('/config', 'POST', { concurrencyPerMailbox: 2, latencyMs: 0, rateLimit: null })).json()) as Record<string, unknown>;
		expect(config).toEqual({ concurrencyPerMailbox: 2, latencyMs: 0, serviceMs: 0, rateLimit: null });
		expect(await (await control('/stats')).json()).toEqual({ maxInFlightByMailbox: {}, throttled: 0 });

		const issued = (await (await control('/tokens', 'POST', { userId: megan.userPrincipalName })).json()) as { access_token: string };
		expect(((await (await graph('/me', { token: issued.access_token })).json()) as { id: string }).id).toBe(megan.id);
		expect((await control('/tokens/expire', 'POST')).status).toBe(204);
		expect((await graph('/me')).status).toBe(401);

		const resetCalls: number[] = [];
		emu.core.onReset(() => resetCalls.push(1));
		expect((await control('/reset', 'POST')).status).toBe(204);
		expect(resetCalls).toEqual([1]);
		expect(emu.requests()).toHaveLength(0);
		expect(await (await control('/config')).json()).toMatchObject({ concurrencyPerMailbox: 4 });
	});
});
