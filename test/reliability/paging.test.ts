/**
 * Fetch All under faults, and Continue On Fail, in a real n8n server against the emulator:
 * - 2,500 messages over three pages: a throttled page and a page whose answer was lost are repeated,
 *   and the output has every message exactly once;
 * - the access token expires between two pages (delegated and client credentials): one refresh, same result;
 * - a page that keeps failing fails the item with Graph's code and request-id: no silent partial list;
 * - a nextLink that points to another host is refused: that host never sees a request (nor the token);
 * - Continue On Fail: failing items carry their error (code + request-id), the others still run, and
 *   a batch of sends where one send fails delivers every other mail exactly once.
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/paging.test.ts
 */
import { seedMessages, sentLog } from '../emulator/mail';
import { allSubscriptions } from '../emulator/subscriptions';
import { triggerWorkflow } from '../harness/workflows';
import type { RecordedRequest } from '../emulator/types';
import { ADELE, MEGAN, byId, type Authentication, type NodeRun } from '../e2e/support';
import { newEvent, newFolder, startProxy, startTrap } from './fixtures';
import { collectForSecrets, expectNoSecrets } from './secrets';
import { CREDENTIAL_TYPES, errorText, importExtraCredential, runNode, sleep, startReliability, stopReliability, type ReliabilityContext } from './support';
import { triggerNode } from './trigger';

jest.setTimeout(600_000);

const TOTAL = 2500;

let ctx: ReliabilityContext;
let bulk: { folderId: string; ids: string[] };

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
	ctx = await startReliability();
	const folder = await newFolder(ctx.emu, 'RL Bulk');
	const seeded = seedMessages(ctx.emu.core, { userId: ADELE.id, folder: folder.id, count: TOTAL, subjectPrefix: 'Bulk', bodyBytes: 200 });
	bulk = { folderId: folder.id, ids: seeded.ids };
});

afterEach(() => ctx?.emu.clearFaults());

afterAll(async () => {
	await stopReliability(ctx);
});

function listBulk(extra: Record<string, unknown> = {}) {
	return {
		resource: 'message',
		operation: 'getAll',
		folderId: byId(bulk.folderId),
		returnAll: true,
		options: { select: 'id,subject' },
		...extra,
	};
}

function pageRequests(run: NodeRun): RecordedRequest[] {
	return run.graphRequests.filter((r) => r.method === 'GET' && r.path.endsWith('/messages'));
}

function pageSummary(run: NodeRun): string[] {
	return pageRequests(run).map((r) => `skip=${r.query.$skip ?? 0} ${r.status ?? '-'}${r.fault ? ` (${r.fault})` : ''}`);
}

/** Every seeded message exactly once, each paired with input item 0. */
function expectExactList(run: NodeRun): void {
	const ids = run.output.map((item) => item.json.id as string);
	expect(ids).toHaveLength(TOTAL);
	expect(new Set(ids).size).toBe(TOTAL);
	expect([...ids].sort()).toEqual([...bulk.ids].sort());
	expect(run.output.every((item) => item.pairedItem?.item === 0)).toBe(true);
}

describe('Fetch All', () => {
	it('repeats a throttled page and a page whose answer was lost; every message once, none missing', async () => {
		const pages = `^/me/mailFolders/${escapeRegex(bulk.folderId)}/messages$`;
		// Page 2 is throttled; page 3's answer is lost after Graph served it.
		ctx.emu.addFault({ method: 'GET', pathPattern: pages, kind: 'status', status: 503, retryAfter: '1', after: 1, times: 1 });
		ctx.emu.addFault({ method: 'GET', pathPattern: pages, kind: 'reset-after-body', after: 2, times: 1 });
		const run = await runNode(ctx, { parameters: listBulk() });
		collectForSecrets({ output: [], error: run.error });
		expect(errorText(run.error)).toBe('');
		expect(pageSummary(run)).toEqual([
			'skip=0 200',
			'skip=1000 503 (status)',
			'skip=1000 200',
			'skip=2000 200 (reset-after-body)',
			'skip=2000 200',
		]);
		expectExactList(run);
	});

	it('a page that keeps failing fails its item with Graph code and request-id, no partial list; other items still run', async () => {
		const pages = `^/me/mailFolders/${escapeRegex(bulk.folderId)}/messages$`;
		// Page 2 is throttled on every attempt (Retry-After 0 keeps the test fast).
		ctx.emu.addFault({ method: 'GET', pathPattern: pages, kind: 'status', status: 429, retryAfter: '0', after: 1, times: -1 });
		const run = await runNode(ctx, {
			continueOnFail: true,
			items: [{ folder: bulk.folderId }, { folder: 'inbox' }],
			parameters: listBulk({ folderId: byId('={{ $json.folder }}') }),
		});
		collectForSecrets(run);
		expect(run.success).toBe(true);
		const failing = run.output.filter((item) => item.pairedItem?.item === 0);
		expect(failing).toHaveLength(1);
		expect(failing[0].json.id).toBeUndefined();
		const attempts = pageRequests(run).filter((r) => r.query.$skip === '1000');
		// The first attempt and six retries.
		expect(attempts.map((r) => r.status)).toEqual(Array(7).fill(429));
		expect(errorText(failing[0])).toContain('[TooManyRequests]');
		expect(errorText(failing[0])).toContain(`request-id: ${attempts[6].requestId}`);
		const inbox = run.output.filter((item) => item.pairedItem?.item === 1);
		expect(inbox.length).toBeGreaterThan(0);
		expect(inbox.every((item) => typeof item.json.id === 'string' && !item.json.error)).toBe(true);
	});

	it('refuses a nextLink to another host: the token is never sent there', async () => {
		const trap = await startTrap();
		const foreign = `${trap.url}/v1.0/me/mailFolders/${bulk.folderId}/messages?$skip=1000`;
		const proxy = await startProxy(ctx.emu.url, (path, body) => {
			if (!body?.['@odata.nextLink']) return body;
			const other = path.includes('/inbox/') ? 'https://graph.microsoft.com/v1.0/me/messages?$skip=5' : foreign;
			return { ...body, '@odata.nextLink': other };
		});
		try {
			const credential = await importExtraCredential(ctx, 'oAuth2', 'outlookExtProxy01', { graphApiBaseUrl: proxy.url });
			// Enough inbox messages for a second page too.
			seedMessages(ctx.emu.core, { userId: ADELE.id, count: 1001, subjectPrefix: 'Inbox filler', bodyBytes: 50 });
			const run = await runNode(ctx, {
				credential,
				continueOnFail: true,
				items: [{ folder: bulk.folderId }, { folder: 'inbox' }],
				parameters: listBulk({ folderId: byId('={{ $json.folder }}') }),
			});
			collectForSecrets(run);
			expect(trap.seen).toEqual([]);
			expect(run.output.map((item) => item.pairedItem?.item)).toEqual([0, 1]);
			expect(errorText(run.output[0])).toContain(`Refused to send the Microsoft token to ${trap.url}`);
			expect(errorText(run.output[1])).toContain('Refused to send the Microsoft token to https://graph.microsoft.com');
			// Only the first page of each list was requested, through the proxy.
			expect(pageRequests(run).map((r) => r.query.$skip ?? '0')).toEqual(['0', '0']);
		} finally {
			await proxy.close();
			await trap.close();
		}
	});

	it('a nextLink that repeats (a loop) does not repeat items: the item fails instead of returning duplicates', async () => {
		let loops = 0;
		let proxyUrl = '';
		const proxy = await startProxy(ctx.emu.url, (path, body) => {
			const next = body?.['@odata.nextLink'];
			if (typeof next !== 'string') return body;
			// Next pages stay on the proxy (the credential's host); page 2 points at itself five times.
			const onProxy = next.replace(ctx.emu.url, proxyUrl);
			const isPage2 = /(%24|\$)skip=1000/.test(path);
			return { ...body, '@odata.nextLink': isPage2 && ++loops <= 5 ? onProxy.replace(/skip=2000/, 'skip=1000') : onProxy };
		});
		proxyUrl = proxy.url;
		try {
			const credential = await importExtraCredential(ctx, 'oAuth2', 'outlookExtProxy02', { graphApiBaseUrl: proxy.url });
			const run = await runNode(ctx, { credential, continueOnFail: true, parameters: listBulk() });
			collectForSecrets({ output: [], error: run.error });
			const ids = run.output.map((item) => item.json.id).filter((id) => typeof id === 'string');
			expect(ids.length).toBe(new Set(ids).size);
			expect(run.output.some((item) => /next ?link|same page|repeat/i.test(errorText(item)))).toBe(true);
		} finally {
			await proxy.close();
		}
	});
});

describe('subscription listing (the trigger)', () => {
	it('a nextLink that repeats while listing subscriptions ends: activation and deactivation complete, the log says why', async () => {
		let proxyUrl = '';
		let listings = 0;
		const proxy = await startProxy(ctx.emu.url, (path, body) => {
			if (!/\/subscriptions$/.test(path.split('?')[0]) || !Array.isArray(body?.value)) return body;
			listings++;
			// Every page points back at the first one: a loop without the guard.
			return { ...body, '@odata.nextLink': `${proxyUrl}/v1.0/subscriptions` };
		});
		proxyUrl = proxy.url;
		try {
			const credential = await importExtraCredential(ctx, 'oAuth2', 'outlookExtProxy03', { graphApiBaseUrl: proxy.url });
			const node = { ...triggerNode({ watch: 'messages', changeTypes: ['created'] }), credentials: { [CREDENTIAL_TYPES.oAuth2]: credential } };
			const workflow = triggerWorkflow({ id: 'rl-list-loop', name: 'rl-list-loop', trigger: node });
			const url = ctx.n8n.webhookUrl('notifications', (workflow.nodes[0] as { webhookId: string }).webhookId);
			const id = await ctx.n8n.apiCreateWorkflow(workflow);
			await ctx.n8n.activate(id);
			// The first page, then its repeated link: stopped there (the leftover sweep is skipped, the subscription created).
			expect(listings).toBe(2);
			expect(ctx.n8n.logs()).toMatch(/could not list subscriptions to remove leftovers: Microsoft Graph sent the same next page link/);
			expect(allSubscriptions(ctx.emu.core).filter((s) => s.notificationUrl === url)).toHaveLength(1);
			await ctx.n8n.deactivate(id);
			expect(listings).toBe(4);
			expect(ctx.n8n.logs()).toMatch(/could not list subscriptions: Microsoft Graph sent the same next page link/);
			expect(allSubscriptions(ctx.emu.core).filter((s) => s.notificationUrl === url)).toHaveLength(0);
		} finally {
			await proxy.close();
		}
	});
});

describe('Continue On Fail', () => {
	it('Get Event: a 404 and an exhausted 503 become error items (code + request-id), the others run and recover', async () => {
		const [first, second] = [await newEvent(ctx.emu, 'RL cof 1'), await newEvent(ctx.emu, 'RL cof 2')];
		const exhausted = await newEvent(ctx.emu, 'RL cof 3');
		ctx.emu.addFault({ method: 'GET', pathPattern: `^/me/events/${escapeRegex(second.id)}$`, kind: 'status', status: 503, retryAfter: '1', times: 1 });
		ctx.emu.addFault({ method: 'GET', pathPattern: `^/me/events/${escapeRegex(exhausted.id)}$`, kind: 'status', status: 503, retryAfter: '0', times: -1 });
		const run = await runNode(ctx, {
			continueOnFail: true,
			items: [{ id: first.id }, { id: 'AAMkAGNoSuchEventForReliability=' }, { id: second.id }, { id: exhausted.id }],
			parameters: { resource: 'event', operation: 'get', eventId: byId('={{ $json.id }}') },
		});
		collectForSecrets(run);
		expect(run.success).toBe(true);
		expect(run.output.map((item) => item.pairedItem?.item)).toEqual([0, 1, 2, 3]);
		expect(run.output[0].json.subject).toBe('RL cof 1');
		expect(run.output[2].json.subject).toBe('RL cof 2');
		const byPath = (id: string) => run.graphRequests.filter((r) => r.path === `/me/events/${id}`);
		const missing = byPath('AAMkAGNoSuchEventForReliability=');
		expect(missing.map((r) => r.status)).toEqual([404]);
		expect(errorText(run.output[1])).toContain('[ErrorItemNotFound]');
		expect(errorText(run.output[1])).toContain(`request-id: ${missing[0].requestId}`);
		const attempts = byPath(exhausted.id);
		expect(attempts).toHaveLength(7);
		expect(errorText(run.output[3])).toContain('[serviceNotAvailable]');
		expect(errorText(run.output[3])).toContain(`request-id: ${attempts[6].requestId}`);
		expect(run.output[3].error?.name).toBe('NodeApiError');
	});

	it('Send Message: one send fails on a 500, every other mail is delivered exactly once', async () => {
		ctx.emu.addFault({ method: 'POST', pathPattern: '^/me/sendMail$', kind: 'status', status: 500, after: 1, times: 1 });
		const subjects = ['RL batch A', 'RL batch B', 'RL batch C', 'RL batch D'];
		const run = await runNode(ctx, {
			continueOnFail: true,
			items: subjects.map((subject) => ({ subject })),
			parameters: { resource: 'message', operation: 'send', toRecipients: MEGAN.mail, subject: '={{ $json.subject }}', bodyContent: 'x' },
		});
		collectForSecrets(run);
		expect(run.success).toBe(true);
		const sends = run.graphRequests.filter((r) => r.path === '/me/sendMail');
		expect(sends).toHaveLength(4);
		const failed = sends.find((r) => r.status === 500)!;
		const failedSubject = (failed.body as { message: { subject: string } }).message.subject;
		const failedItem = run.output[subjects.indexOf(failedSubject)];
		expect(errorText(failedItem)).toContain(`request-id: ${failed.requestId}`);
		expect(errorText(failedItem)).toMatch(/\[generalException\]/);
		const log = sentLog(ctx.emu.core);
		for (const subject of subjects) {
			expect({ subject, sent: log.filter((record) => record.subject === subject).length }).toEqual({ subject, sent: subject === failedSubject ? 0 : 1 });
		}
		expect(run.output.filter((item) => item.json.sent === true)).toHaveLength(3);
	});
});

// Last: expiring every access token makes the next run of any credential start with a 401.
describe('Fetch All with an expiring token', () => {
	for (const authentication of ['oAuth2', 'clientCredentials'] as Authentication[]) {
		it(`refreshes an access token that expires between two pages, once (${authentication})`, async () => {
			const pages = `/mailFolders/${escapeRegex(bulk.folderId)}/messages$`;
			// Page 1 is slow (served after the token check): the token expires while it is in flight.
			ctx.emu.addFault({ method: 'GET', pathPattern: pages, kind: 'latency', latencyMs: 1500, times: 1 });
			const running = runNode(ctx, { authentication, parameters: listBulk() });
			for (let waited = 0; !ctx.emu.requests().some((r) => r.fault === 'latency'); waited += 50) {
				if (waited > 30_000) throw new Error('page 1 never arrived');
				await sleep(50);
			}
			ctx.emu.expireAllTokens();
			const run = await running;
			collectForSecrets({ output: [], error: run.error });
			expect(errorText(run.error)).toBe('');
			expect(pageSummary(run)).toEqual(['skip=0 200 (latency)', 'skip=1000 401', 'skip=1000 200', 'skip=2000 200']);
			// Client credentials also fetch their first token in this run: count the ones after the 401.
			const rejected = pageRequests(run).find((r) => r.status === 401)!;
			const tokenCalls = run.requests.filter((r) => r.area === 'identity' && r.method === 'POST' && r.startedAtMs >= rejected.startedAtMs);
			expect(tokenCalls).toHaveLength(1);
			expectExactList(run);
		});
	}

});

describe('secrets', () => {
	it('no token, client secret or clientState in n8n\'s log, node outputs or errors', async () => {
		await expectNoSecrets(ctx);
	});
});
