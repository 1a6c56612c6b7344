/**
 * JSON batching of per-item requests (issue #11 item 1), in a real n8n server against the emulator:
 * items go out as `$batch` calls of up to Batch Size members, output stays paired and in order,
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

async function events(count: number, prefix: string): Promise<Array<{ id: string; subject: string }>> {
	const created: Array<{ id: string; subject: string }> = [];
	for (let i = 0; i < count; i++) created.push(await newEvent(ctx.emu, `${prefix} ${i}`));
	return created;
}

const getEvent = { resource: 'event', operation: 'get', eventId: byId('={{ $json.id }}') };

describe('Batch Requests', () => {
	it('45 Get Event items: 3 $batch calls, every item its own event, paired and in order', async () => {
		const seeded = await events(45, 'Batched');
		const run = await runNode(ctx, { parameters: getEvent, items: seeded.map(({ id }) => ({ id })) });
		collectForSecrets(run);
		expect(errorText(run.error)).toBe('');
		// ⌈45/20⌉ = 3 when all items are ready together; n8n prepares them a few ms apart, so one more may leave early.
		const batches = wire(run.requests);
		expect(batches.every((r) => r.method === 'POST' && r.path === '/$batch')).toBe(true);
		expect(batches.length).toBeGreaterThanOrEqual(3);
		expect(batches.length).toBeLessThanOrEqual(4);
		expect(run.requests.filter((r) => r.parentRequestId && r.method === 'GET').length).toBe(45);
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

	it('Batch Size 5: 12 items in 3 batches', async () => {
		const seeded = await events(12, 'Size5');
		const run = await runNode(ctx, { parameters: { ...getEvent, requestOptions: { batchSize: 5 } }, items: seeded.map(({ id }) => ({ id })) });
		expect(errorText(run.error)).toBe('');
		expect(wire(run.requests).filter((r) => r.path === '/$batch').length).toBe(3);
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

	it('missing events fail their own items with Graph\'s error; the others succeed (Continue On Fail)', async () => {
		const seeded = await events(4, 'Mixed');
		const ids = [seeded[0].id, 'AAMkMissing1=', seeded[1].id, 'AAMkMissing2='];
		const run = await runNode(ctx, { parameters: getEvent, items: ids.map((id) => ({ id })), continueOnFail: true });
		const texts = run.output.map((item) => errorText(item));
		expect(texts.map((t) => /ErrorItemNotFound/.test(t))).toEqual([false, true, false, true]);
		expect(run.output.map((item) => item.json.subject ?? null)).toEqual([seeded[0].subject, null, seeded[1].subject, null]);
		expect(run.output.map((item) => item.pairedItem?.item)).toEqual([0, 1, 2, 3]);
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

	it('Delete Event × 25: two batches, all deleted', async () => {
		const seeded = await events(25, 'Delete me');
		const run = await runNode(ctx, { parameters: { resource: 'event', operation: 'delete', eventId: byId('={{ $json.id }}') }, items: seeded.map(({ id }) => ({ id })) });
		expect(errorText(run.error)).toBe('');
		expect(run.output.every((item) => item.json.deleted === true)).toBe(true);
		expect(wire(run.requests).filter((r) => r.path === '/$batch').length).toBe(2);
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
