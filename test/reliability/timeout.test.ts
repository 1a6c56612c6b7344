/**
 * Request Options → Timeout on the operations (issue #11 item 2), in a real n8n server against the
 * emulator's `hang` fault: Timeout bounds the whole item (a read that hangs ends at it); a create that hangs is
 * reported per item as possibly carried out and never repeated; items keep their own timeout.
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/timeout.test.ts
 */
import { byId } from '../e2e/support';
import { newEvent } from './fixtures';
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

/** Create Event with the subject from each item and the given Request Options. */
const createEvent = (requestOptions: Record<string, unknown>) => ({
	resource: 'event',
	operation: 'create',
	subject: '={{ $json.subject }}',
	startDateTime: '2031-02-03T09:00:00',
	endDateTime: '2031-02-03T10:00:00',
	timeZone: 'UTC',
	requestOptions,
});

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Request Options → Timeout', () => {
	it('Get Event: Timeout bounds the whole item — a hung answer ends it at 1.5 s, no attempt starts after that', async () => {
		const event = await newEvent(ctx.emu, 'Slow read');
		ctx.emu.addFault({ method: 'GET', pathPattern: `/events/${escapeRegex(event.id)}$`, kind: 'hang', times: -1 });
		const started = Date.now();
		const run = await runNode(ctx, {
			parameters: { resource: 'event', operation: 'get', eventId: byId(event.id), requestOptions: { timeout: 1500 } },
			continueOnFail: true,
		});
		const took = Date.now() - started;
		expect(errorText(run.output[0])).toMatch(/^No usable answer from Microsoft Graph after 1 attempt /);
		expect(run.graphRequests.filter((r) => r.method === 'GET').length).toBe(1);
		// Before the item deadline's grace (1 s) is over, plus n8n's own start-up of the run; not 7 × 1.5 s.
		expect(took).toBeLessThan(8_000);
	});

	it('Create Event, Batch Requests off: a hung answer fails that item only, says it may have been created, and is not repeated', async () => {
		ctx.emu.addFault({ method: 'POST', pathPattern: '^/me/events$', kind: 'hang', times: 1 });
		const run = await runNode(ctx, {
			parameters: createEvent({ timeout: 1500, batchRequests: false }),
			items: [{ subject: 'Hangs' }, { subject: 'Fine' }],
			continueOnFail: true,
		});
		expect(run.graphRequests.filter((r) => r.method === 'POST').length).toBe(2);
		const errors = run.output.map((item) => errorText(item));
		expect(errors.filter((text) => text !== '').length).toBe(1);
		expect(errors.join('\n')).toMatch(/may have been carried out/);
		// Whichever item's request reached Graph first hung; the other one was created.
		const failedIndex = errors.findIndex((text) => text !== '');
		const subjects = ['Hangs', 'Fine'];
		expect(run.output.map((item) => item.json.subject).filter(Boolean)).toEqual(subjects.filter((_, index) => index !== failedIndex));
	});

	it('Create Event, batched: a hung batch fails each of its items as possibly created, and nothing is resent', async () => {
		ctx.emu.addFault({ method: 'POST', pathPattern: '^/\\$batch$', kind: 'hang', times: 1 });
		const subjects = Array.from({ length: 8 }, (_, i) => `Hung batch ${i}`);
		const run = await runNode(ctx, {
			parameters: createEvent({ timeout: 1500 }),
			items: subjects.map((subject) => ({ subject })),
			continueOnFail: true,
		});
		const batches = run.requests.filter((r) => r.path === '/$batch');
		const hung = (batches[0].body as { requests: Array<{ body: { subject: string } }> }).requests.map((m) => m.body.subject);
		expect(hung.length).toBeGreaterThan(1);
		// The hung batch's items say they may have been created; every other item was created; no subject was sent twice.
		expect(run.output.map((item) => /may have been carried out/.test(errorText(item)))).toEqual(subjects.map((subject) => hung.includes(subject)));
		const sent = run.requests.filter((r) => r.method === 'POST' && r.path === '/me/events').map((r) => (r.body as { subject: string }).subject);
		const inBatches = batches.flatMap((b) => (b.body as { requests: Array<{ body: { subject: string } }> }).requests.map((m) => m.body.subject));
		expect([...new Set([...sent, ...inBatches])].sort()).toEqual([...subjects].sort());
		expect(inBatches.length + run.requests.filter((r) => r.method === 'POST' && r.path === '/me/events' && !r.parentRequestId).length).toBe(subjects.length);
	});

	it('a Timeout that is not a whole number of milliseconds is refused before any request', async () => {
		const run = await runNode(ctx, { parameters: { resource: 'user', operation: 'getCurrent', requestOptions: { timeout: '={{ "soon" }}' } }, continueOnFail: true });
		expect(run.graphRequests).toEqual([]);
		expect(errorText(run.output[0])).toMatch(/^Timeout must be a whole number of milliseconds/);
	});
});
