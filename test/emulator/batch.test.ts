/**
 * `POST /v1.0/$batch` against the documented rules (concepts/json-batching.md, the JSON batching
 * known issues, the Outlook limits for JSON batching in concepts/throttling-limits.md), and the
 * latency model: `latencyMs` is a network round trip paid once per HTTP request, `serviceMs` is
 * paid by every Graph operation (each standalone request and each batch member).
 */
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';
import type { EmulatorCoreImpl } from './core';
import type { GraphRequest } from './types';

const { adele } = DEFAULT_USERS;

let emu: Emulator;
let token: string;
/** Side effects of the probe routes, to prove a handler ran (or not). */
const effects: string[] = [];

interface Member {
	id: string;
	status: number;
	headers: Record<string, string>;
	body?: any;
}

function post(body: unknown, contentType = 'application/json'): Promise<Response> {
	return fetch(`${emu.url}/v1.0/$batch`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

function batch(requests: unknown[]): Promise<Response> {
	return post({ requests });
}

async function members(response: Response): Promise<Record<string, Member>> {
	expect(response.status).toBe(200);
	const { responses } = (await response.json()) as { responses: Member[] };
	return Object.fromEntries(responses.map((r) => [r.id, r]));
}

async function refused(response: Response): Promise<{ code: string; message: string }> {
	expect(response.status).toBe(400);
	const body = (await response.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
	expect(body.error.code).toBe('BadRequest');
	expect(body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
	return body.error;
}

const get = (id: string, url = '/me/probe') => ({ id, method: 'GET', url });
const write = (id: string, note: string, extra: Record<string, unknown> = {}) => ({
	id,
	method: 'POST',
	url: '/me/probe',
	headers: { 'Content-Type': 'application/json' },
	body: { note },
	...extra,
});

beforeAll(async () => {
	emu = await startEmulator({ seedDefaults: false });
	emu.core.mailboxRoute('GET', '/probe', (req: GraphRequest) => ({ status: 200, body: { mailbox: req.mailbox?.id } }));
	emu.core.mailboxRoute('POST', '/probe', (req: GraphRequest) => {
		effects.push(String((req.body as { note?: string } | undefined)?.note));
		return { status: 201, body: { received: req.body } };
	});
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => {
	emu.reset();
	effects.length = 0;
	token = emu.issueToken({ userId: adele.id });
});

describe('$batch: what makes the whole batch fail with 400', () => {
	it('accepts 20 members and refuses 21 with a Graph error body, running none of them', async () => {
		const twenty = await members(await batch(Array.from({ length: 20 }, (_, i) => write(`r${i}`, `n${i}`))));
		expect(Object.keys(twenty)).toHaveLength(20);
		expect(Object.values(twenty).every((m) => m.status === 201)).toBe(true);
		effects.length = 0;

		const error = await refused(await batch(Array.from({ length: 21 }, (_, i) => write(`r${i}`, `n${i}`))));
		expect(error.message).toMatch(/20/);
		expect(effects).toEqual([]);
		expect(emu.requests().filter((r) => r.parentRequestId)).toHaveLength(20);
	});

	it('refuses ids that repeat without regard to case, ids that are not strings, and missing ones', async () => {
		expect((await refused(await batch([write('Item-1', 'a'), write('item-1', 'b')]))).message).toContain("'item-1'");
		await refused(await batch([{ ...get('x'), id: 1 }]));
		await refused(await batch([{ method: 'GET', url: '/me/probe' }]));
		expect(effects).toEqual([]);
	});

	it('refuses a malformed envelope: not JSON, no requests array, an empty one', async () => {
		const notJson = await post('{"requests": [', 'application/json');
		expect(notJson.status).toBe(400);
		await refused(await post({ value: [] }));
		await refused(await batch([]));
	});

	it('refuses a dependsOn that names an unknown id, forms a cycle or depends on itself', async () => {
		expect((await refused(await batch([get('1'), { ...get('2'), dependsOn: ['9'] }]))).message).toContain("'9'");
		expect((await refused(await batch([{ ...get('a'), dependsOn: ['b'] }, { ...get('b'), dependsOn: ['a'] }]))).message).toMatch(/circular/);
		await refused(await batch([{ ...write('self', 'x'), dependsOn: ['SELF'] }]));
		expect(effects).toEqual([]);
	});

	it('refuses what the known issue rules out: two dependencies, or a mix of serial and other chains', async () => {
		await refused(await batch([get('1'), get('2'), { ...get('3'), dependsOn: ['1', '2'] }]));
		// 2 depends on 1, 4 on 3: neither serial (4 would have to depend on 3 and 3 on 2) nor "same".
		await refused(await batch([get('1'), { ...get('2'), dependsOn: ['1'] }, get('3'), { ...get('4'), dependsOn: ['3'] }]));
	});

	it('accepts the three documented patterns (ids matched without regard to case)', async () => {
		const serial = await members(await batch([get('1'), { ...get('2'), dependsOn: ['1'] }, { ...get('4'), dependsOn: ['2'] }, { ...get('3'), dependsOn: ['4'] }]));
		expect(Object.values(serial).map((m) => m.status)).toEqual([200, 200, 200, 200]);
		const same = await members(await batch([get('A'), { ...get('b'), dependsOn: ['a'] }, { ...get('c'), dependsOn: ['A'] }]));
		expect(Object.values(same).map((m) => m.status)).toEqual([200, 200, 200]);
	});
});

describe('$batch: member answers', () => {
	it('is 200 when every member fails, and each member has its own status, headers and body', async () => {
		const byId = await members(await batch([get('missing', '/me/nothingHere'), { id: 'abs', method: 'GET', url: 'https://graph.microsoft.com/v1.0/me' }, get('ok')]));
		expect(byId.missing.status).toBe(400);
		expect(byId.missing.body.error.code).toBe('BadRequest');
		expect(byId.abs.status).toBe(400);
		expect(byId.ok).toMatchObject({ status: 200, body: { mailbox: adele.id } });
		expect(byId.ok.headers['Content-Type']).toMatch(/^application\/json/);
	});

	it('answers 424 down a serial chain after a failure; the failed-dependency writes never run', async () => {
		const byId = await members(
			await batch([get('1', '/me/nonsense'), { ...write('2', 'never'), dependsOn: ['1'] }, { ...get('3'), dependsOn: ['2'] }]),
		);
		expect([byId['1'].status, byId['2'].status, byId['3'].status]).toEqual([400, 424, 424]);
		expect(byId['2'].body.error.code).toBe('FailedDependency');
		expect(effects).toEqual([]);
	});

	it('a member throttled by a status fault answers 429 with its own Retry-After; the others succeed', async () => {
		emu.addFault({ kind: 'status', status: 429, retryAfter: '2.5', method: 'POST', pathPattern: '^/me/probe$', times: 1 });
		const byId = await members(await batch([write('1', 'a'), get('2')]));
		expect(byId['1'].status).toBe(429);
		expect(byId['1'].headers['Retry-After']).toBe('2.5');
		expect(byId['1'].body.error.code).toBe('TooManyRequests');
		expect(byId['2'].status).toBe(200);
	});
});

describe('$batch: members and the Outlook limits', () => {
	it('runs at most 4 members at a time, and one at a time when dependsOn orders them', async () => {
		emu.configure({ serviceMs: 60, concurrencyPerMailbox: 0 });
		await members(await batch(Array.from({ length: 12 }, (_, i) => get(String(i)))));
		expect(emu.stats().maxInFlightByMailbox[adele.id]).toBe(4);

		(emu.core as EmulatorCoreImpl).limiter.resetStats();
		await members(await batch([get('a'), { ...get('b'), dependsOn: ['a'] }, { ...get('c'), dependsOn: ['a'] }, { ...get('d'), dependsOn: ['a'] }]));
		expect(emu.stats().maxInFlightByMailbox[adele.id]).toBe(1);
	});

	it('members share the per-(app, mailbox) concurrency limit with standalone requests: 429 + Retry-After', async () => {
		emu.configure({ concurrencyPerMailbox: 4 });
		emu.addFault({ kind: 'latency', latencyMs: 400, method: 'GET', pathPattern: '^/me/probe$', times: 2 });
		const auth = { headers: { Authorization: `Bearer ${token}` } };
		const standalone = [fetch(`${emu.url}/v1.0/me/probe`, auth), fetch(`${emu.url}/v1.0/me/probe`, auth)];
		await new Promise((resolve) => setTimeout(resolve, 100));
		// Two slots are taken for 400 ms; of 4 parallel members 2 get in, 2 are refused at once.
		emu.configure({ serviceMs: 100 });
		const byId = await members(await batch([write('1', 'a'), write('2', 'b'), write('3', 'c'), write('4', 'd')]));
		const statuses = Object.values(byId).map((m) => m.status).sort();
		expect(statuses).toEqual([201, 201, 429, 429]);
		for (const member of Object.values(byId).filter((m) => m.status === 429)) {
			expect(member.headers['Retry-After']).toBeDefined();
			expect(member.body.error.code).toBe('ApplicationThrottled');
		}
		expect(effects).toHaveLength(2);
		expect((await Promise.all(standalone)).map((r) => r.status)).toEqual([200, 200]);
	});

	it('members count against the mailbox request rate like standalone requests', async () => {
		emu.configure({ rateLimit: { requests: 3, windowMs: 10_000 } });
		const byId = await members(await batch(Array.from({ length: 5 }, (_, i) => get(String(i)))));
		const throttled = Object.values(byId).filter((m) => m.status === 429);
		expect(throttled).toHaveLength(2);
		expect(Number(throttled[0].headers['Retry-After'])).toBeGreaterThan(9);
		// The envelope itself is not an Outlook request: only the 5 members counted (3 admitted).
		expect((await fetch(`${emu.url}/v1.0/me/probe`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(429);
	});
});

describe('latency model: latencyMs per HTTP request, serviceMs per Graph operation', () => {
	async function timed<T>(work: () => Promise<T>): Promise<number> {
		const started = Date.now();
		await work();
		return Date.now() - started;
	}

	it('a standalone request pays latency + service; a batch of 20 pays the latency once', async () => {
		emu.configure({ latencyMs: 200, serviceMs: 0 });
		expect(await timed(() => fetch(`${emu.url}/v1.0/me/probe`, { headers: { Authorization: `Bearer ${token}` } }))).toBeGreaterThanOrEqual(195);
		const batchMs = await timed(async () => members(await batch(Array.from({ length: 20 }, (_, i) => get(String(i))))));
		expect(batchMs).toBeGreaterThanOrEqual(195);
		expect(batchMs).toBeLessThan(390);

		emu.configure({ latencyMs: 100, serviceMs: 50 });
		expect(await timed(() => fetch(`${emu.url}/v1.0/me/probe`, { headers: { Authorization: `Bearer ${token}` } }))).toBeGreaterThanOrEqual(145);
		// 100 ms once + 20 members × 50 ms, 4 at a time = 100 + 250 ms.
		const served = await timed(async () => members(await batch(Array.from({ length: 20 }, (_, i) => get(String(i))))));
		expect(served).toBeGreaterThanOrEqual(340);
		expect(served).toBeLessThan(600);
	});

	it('serviceMs is an option and a control API setting; reset restores the options', async () => {
		const other = await startEmulator({ seedDefaults: false, latencyMs: 7, serviceMs: 3 });
		try {
			const control = (body?: unknown) =>
				fetch(`${other.url}/_emulator/config`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(
					(r) => r.json() as Promise<Record<string, unknown>>,
				);
			expect(await control()).toMatchObject({ latencyMs: 7, serviceMs: 3 });
			expect(await control({ serviceMs: 12 })).toMatchObject({ latencyMs: 7, serviceMs: 12 });
			expect(await control({ serviceMs: -5 })).toMatchObject({ serviceMs: 0 });
			other.reset();
			expect(await control()).toMatchObject({ latencyMs: 7, serviceMs: 3 });
		} finally {
			await other.close();
		}
	});
});
