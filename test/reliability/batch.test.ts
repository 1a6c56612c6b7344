/**
 * JSON batching of per-item requests (issue #11 item 1), in a real n8n server against the emulator:
 * items go out as serial `$batch` calls (each member depends on the one before, so Graph runs them one
 * at a time) of up to Batch Size members, at most 4 batches in flight per mailbox (so at most 4
 * operations at Graph at once), output stays paired and in order, a member that never ran after a
 * failed one (424) is sent again,
 * a throttled member is retried on its own Retry-After, a lost batch answer is never resent for
 * members that may have taken effect, and Batch Requests off sends one request per item.
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/batch.test.ts
 */
import type { RecordedRequest } from '../emulator/types';
import { byId } from '../e2e/support';
import { newEvent } from './fixtures';
import { collectForSecrets, expectNoSecrets } from './secrets';
import { errorText, runNode, startReliability, stopReliability, type ReliabilityContext } from './support';

jest.setTimeout(300_000);

let ctx: ReliabilityContext;

beforeAll(async () => {
	ctx = await startReliability();
});

afterEach(() => ctx?.emu.clearFaults());

afterAll(async () => {
	await stopReliability(ctx);
});

/** Requests on the wire (a batch member is recorded too, marked by the emulator as part of a batch). */
function wire(requests: RecordedRequest[]): RecordedRequest[] {
	return requests.filter((r) => r.area === 'graph' && !r.parentRequestId);
}

/** Most members of one mailbox that ran at Graph at the same time (from the emulator's request log). */
function maxConcurrentMembers(requests: RecordedRequest[]): number {
	const edges = requests
		.filter((r) => r.parentRequestId && r.finishedAtMs !== undefined)
		.flatMap((r) => [
			{ at: r.startedAtMs, delta: 1 },
			{ at: r.finishedAtMs as number, delta: -1 },
		])
		.sort((a, b) => a.at - b.at || a.delta - b.delta);
	let now = 0;
	let max = 0;
	for (const edge of edges) max = Math.max(max, (now += edge.delta));
	return max;
}

/** Each batch's members, as sent: every member after the first depends on the one before it. */
function expectSerialBatches(requests: RecordedRequest[], maxMembers = 20): void {
	for (const batch of wire(requests).filter((r) => r.path === '/$batch')) {
		const members = (batch.body as { requests: Array<{ id: string; dependsOn?: string[] }> }).requests;
		expect(members.length).toBeLessThanOrEqual(maxMembers);
		expect(members.map((m) => m.dependsOn)).toEqual(members.map((_, i) => (i === 0 ? undefined : [members[i - 1].id])));
	}
}

async function events(count: number, prefix: string): Promise<Array<{ id: string; subject: string }>> {
	const created: Array<{ id: string; subject: string }> = [];
	for (let i = 0; i < count; i++) created.push(await newEvent(ctx.emu, `${prefix} ${i}`));
	return created;
}

const getEvent = { resource: 'event', operation: 'get', eventId: byId('={{ $json.id }}') };

describe('Batch Requests', () => {
	it('200 Get Event items: serial batches of at most 20, at most 4 operations at Graph at once, every item its own event, paired and in order', async () => {
		const seeded = await events(200, 'Batched');
		const run = await runNode(ctx, { parameters: getEvent, items: seeded.map(({ id }) => ({ id })) });
		collectForSecrets(run);
		expect(errorText(run.error)).toBe('');
		const batches = wire(run.requests);
		expect(batches.every((r) => r.method === 'POST' && r.path === '/$batch')).toBe(true);
		// ⌈200/20⌉ = 10 when all items are ready together; n8n prepares them a few ms apart, so the first ones go out in smaller batches.
		expect(batches.length).toBeGreaterThanOrEqual(10);
		expect(batches.length).toBeLessThanOrEqual(20);
		expectSerialBatches(run.requests);
		expect(maxConcurrentMembers(run.requests)).toBeLessThanOrEqual(4);
		expect(run.requests.filter((r) => r.parentRequestId && r.method === 'GET').length).toBe(200);
		expect(run.output.map((item) => item.json.subject)).toEqual(seeded.map((e) => e.subject));
		expect(run.output.map((item) => item.pairedItem?.item)).toEqual(seeded.map((_, index) => index));
	});

	it('Batch Requests off: one request per item, same output', async () => {
		const seeded = await events(6, 'Unbatched');
		const run = await runNode(ctx, { parameters: { ...getEvent, requestOptions: { batchRequests: false } }, items: seeded.map(({ id }) => ({ id })) });
		expect(errorText(run.error)).toBe('');
		expect(wire(run.requests).filter((r) => r.method === 'GET').length).toBe(6);
		expect(wire(run.requests).some((r) => r.path === '/$batch')).toBe(false);
		expect(run.output.map((item) => item.json.subject)).toEqual(seeded.map((e) => e.subject));
	});

	it('Batch Size 5: 40 items in batches of at most 5', async () => {
		const seeded = await events(40, 'Size5');
		const run = await runNode(ctx, { parameters: { ...getEvent, requestOptions: { batchSize: 5 } }, items: seeded.map(({ id }) => ({ id })) });
		expect(errorText(run.error)).toBe('');
		expect(wire(run.requests).filter((r) => r.path === '/$batch').length).toBeGreaterThanOrEqual(8);
		expectSerialBatches(run.requests, 5);
		expect(run.output.map((item) => item.json.subject)).toEqual(seeded.map((e) => e.subject));
	});

	it('a throttled member (429, Retry-After 1) is retried on its own; every item succeeds once', async () => {
		const seeded = await events(10, 'Throttled');
		ctx.emu.addFault({ method: 'GET', pathPattern: `/events/${seeded[3].id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, kind: 'status', status: 429, retryAfter: '1', times: 1 });
		const run = await runNode(ctx, { parameters: getEvent, items: seeded.map(({ id }) => ({ id })) });
		expect(errorText(run.error)).toBe('');
		expect(run.output.map((item) => item.json.subject)).toEqual(seeded.map((e) => e.subject));
		const memberGets = run.requests.filter((r) => r.method === 'GET' && r.path.endsWith(seeded[3].id));
		expect(memberGets.map((r) => r.status)).toEqual([429, 200]);
	});

	it('missing events fail their own items with Graph\'s error; the members after them (424, never ran) are sent again and succeed', async () => {
		const seeded = await events(12, 'Mixed');
		const missing = new Set([1, 5, 6, 11]);
		const ids = seeded.map((event, index) => (missing.has(index) ? `AAMkMissing${index}=` : event.id));
		const run = await runNode(ctx, { parameters: getEvent, items: ids.map((id) => ({ id })), continueOnFail: true });
		const texts = run.output.map((item) => errorText(item));
		expect(texts.map((t) => /ErrorItemNotFound/.test(t))).toEqual(ids.map((_, index) => missing.has(index)));
		expect(run.output.map((item) => item.json.subject ?? null)).toEqual(seeded.map((event, index) => (missing.has(index) ? null : event.subject)));
		expect(run.output.map((item) => item.pairedItem?.item)).toEqual(ids.map((_, index) => index));
		// Every event was read by Graph exactly once (in a batch or alone): a 424 member did not run, so sending it again is no repeat.
		const ran = run.requests.filter((r) => r.area === 'graph' && r.method === 'GET' && r.path.startsWith('/me/events/')).map((r) => r.path);
		expect([...ran].sort()).toEqual(ids.map((id) => `/me/events/${id}`).sort());
		// What went into the batches: each item once, plus once more for every member that sat after a missing event in its batch.
		const bodies = wire(run.requests)
			.filter((r) => r.path === '/$batch')
			.map((r) => (r.body as { requests: Array<{ url: string }> }).requests.map((m) => m.url));
		const afterAMissing = bodies.reduce((sum, urls) => {
			const firstMissing = urls.findIndex((url) => url.includes('AAMkMissing'));
			return sum + (firstMissing < 0 ? 0 : urls.length - firstMissing - 1);
		}, 0);
		const alone = wire(run.requests).filter((r) => r.method === 'GET').length;
		expect(bodies.flat().length + alone).toBe(ids.length + afterAMissing);
	});

	it('a lost answer to a batch of creates: every item says it may have been created, nothing is sent twice', async () => {
		ctx.emu.addFault({ method: 'POST', pathPattern: '^/\\$batch$', kind: 'reset-after-body', times: 1 });
		const subjects = Array.from({ length: 8 }, (_, i) => `Lost batch ${i}`);
		const run = await runNode(ctx, {
			parameters: {
				resource: 'event',
				operation: 'create',
				subject: '={{ $json.subject }}',
				startDateTime: '2031-02-03T09:00:00',
				endDateTime: '2031-02-03T10:00:00',
				timeZone: 'UTC',
			},
			items: subjects.map((subject) => ({ subject })),
			continueOnFail: true,
		});
		const batches = wire(run.requests);
		expect(batches.every((r) => r.method === 'POST' && r.path === '/$batch')).toBe(true);
		// The members of the lost batch say so; any item that left in a later batch was created normally.
		const lostMembers = run.requests.filter((r) => r.parentRequestId === batches[0].requestId).length;
		expect(lostMembers).toBeGreaterThan(1);
		const lost = run.output.filter((item) => /may have been carried out/.test(errorText(item)));
		expect(lost.length).toBe(lostMembers);
		expect(run.output.length - lost.length).toBe(run.output.filter((item) => typeof item.json.id === 'string').length);
		// Each subject was sent to Graph exactly once.
		const created = run.requests.filter((r) => r.method === 'POST' && r.path === '/me/events').map((r) => (r.body as { subject?: string }).subject);
		expect([...created].sort()).toEqual([...subjects].sort());
	});

	it('Delete Event × 25: spread over the mailbox\'s 4 slots in serial batches, all deleted', async () => {
		const seeded = await events(25, 'Delete me');
		const run = await runNode(ctx, { parameters: { resource: 'event', operation: 'delete', eventId: byId('={{ $json.id }}') }, items: seeded.map(({ id }) => ({ id })) });
		expect(errorText(run.error)).toBe('');
		expect(run.output.every((item) => item.json.deleted === true)).toBe(true);
		const batches = wire(run.requests).filter((r) => r.path === '/$batch');
		expect(batches.length).toBeGreaterThanOrEqual(2);
		expect(batches.length).toBeLessThanOrEqual(8);
		expectSerialBatches(run.requests);
		// Each event deleted exactly once. A slot that got only one item sends it alone (no batch of one): under load
		// the items' arrival can leave one such straggler (seen once on 2.41.1 in CI: 24 in batches, 1 alone).
		const deletes = run.requests.filter((r) => r.area === 'graph' && r.method === 'DELETE');
		expect(deletes.map((r) => r.path).sort()).toEqual(seeded.map(({ id }) => `/me/events/${id}`).sort());
		expect(deletes.filter((r) => r.parentRequestId).length).toBeGreaterThanOrEqual(20);
	});

	it('a Batch Size over 20 is refused by name before any request', async () => {
		const run = await runNode(ctx, { parameters: { ...getEvent, requestOptions: { batchSize: 21 } }, items: [{ id: 'AAMk1=' }], continueOnFail: true });
		expect(run.graphRequests).toEqual([]);
		expect(errorText(run.output[0])).toMatch(/^Batch Size must be a whole number from 1 to 20/);
	});
});

describe('secrets', () => {
	it('no token, client secret or clientState in n8n\'s log, node outputs or errors', async () => {
		await expectNoSecrets(ctx);
	});
});
