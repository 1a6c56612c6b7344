/**
 * The n8n internals the node relies on (nodes/MicrosoftOutlookExt/shared/n8nAdapter.ts), checked in
 * real n8n against the emulator. Each check names the assumption it guards, so a new n8n version that
 * changes one fails here with that name instead of somewhere deep in another suite.
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/n8n-contract.test.ts
 *      npm run test:latest -- --no-build test/e2e/n8n-contract.test.ts
 */
import { MicrosoftOutlookExt } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExt.node';
import { assertGraphTransportFirst, GRAPH_TRANSPORT_PROPERTY } from '../../nodes/MicrosoftOutlookExt/shared/n8nAdapter';
import { byId, runOutlookNode, useE2E, type NodeRun } from './support';

const ctx = useE2E();

/** Fails with the broken assumption's name (and what was seen), not a bare expect diff. */
function contract(holds: boolean, assumption: string, seen: () => unknown): void {
	if (!holds) {
		throw new Error(`n8n no longer behaves as nodes/MicrosoftOutlookExt/shared/n8nAdapter.ts assumes — ${assumption}. Seen: ${JSON.stringify(seen()).slice(0, 800)}`);
	}
}

const summary = (run: NodeRun) => ({
	success: run.success,
	error: run.error?.message,
	requests: run.requests.map((r) => `${r.method} ${r.path} ${r.status}${r.parentRequestId ? ' (batch member)' : ''}`),
	output: run.output.map((item) => ({ error: item.json.error, pairedItem: item.pairedItem })),
});

describe('n8n contract', () => {
	it(`1. "${GRAPH_TRANSPORT_PROPERTY}" is the first property, and its request loop and postReceive see every answer first`, async () => {
		// Throws naming the property that is first instead.
		assertGraphTransportFirst(new MicrosoftOutlookExt().description.properties);
		// A 404: our postReceive turns it into Graph's error before any other runs; our loop maps it.
		const run = await runOutlookNode(ctx, { parameters: { resource: 'event', operation: 'get', eventId: byId('AAMkNoSuchEvent') }, continueOnFail: true });
		const item = run.output[0]?.json ?? {};
		contract(
			run.graphRequests.length === 1 && String(item.error).includes('[ErrorItemNotFound]'),
			"property routing is applied in order: the first property's paginate hands every item to our request loop, its postReceive sees the answer first",
			() => summary(run),
		);
		// n8n keeps only the error's message in a Continue On Fail item: Graph's words and request-id are in it.
		const requestId = run.graphRequests[0].requestId;
		expect(item.error).toMatch(/^The item was not found in the mailbox: check the ID — .+ \(request-id: [^)]+\) \[ErrorItemNotFound\]$/);
		expect(item.error).toContain(`request-id: ${requestId}`);
	});

	it('2. the response side channel: postReceive and the request loop agree on the item (workflow, execution, node, item index)', async () => {
		const run = await runOutlookNode(ctx, { parameters: { resource: 'user', operation: 'getCurrent' }, items: [{}, {}, {}] });
		contract(
			run.success && run.output.length === 3 && run.output.every((item, index) => (item.pairedItem as { item: number }).item === index),
			"postReceive's context and the pagination context give the same getWorkflow().id, getExecutionId(), getNode().name and getItemIndex() for an item",
			() => summary(run),
		);
	});

	it("3. the helper swap: n8n sends an item's routing request through helpers.httpRequestWithAuthentication of the loop's context", async () => {
		// 8 items: spread over the mailbox's 4 slots, 2 per serial batch (a batch of 1 goes out alone).
		const SUBJECTS = Array.from({ length: 8 }, (_, index) => `Contract ${index}`);
		const parameters = {
			resource: 'event',
			operation: 'create',
			subject: '={{ $json.subject }}',
			startDateTime: '2031-03-04T09:00:00',
			endDateTime: '2031-03-04T10:00:00',
			timeZone: 'UTC',
		};
		const run = await runOutlookNode(ctx, { parameters, items: SUBJECTS.map((subject) => ({ subject })) });
		const batches = run.requests.filter((r) => r.path === '/$batch' && !r.parentRequestId);
		const direct = run.requests.filter((r) => r.method === 'POST' && r.path === '/me/events' && !r.parentRequestId);
		contract(
			run.success && batches.length >= 1 && direct.length === 0,
			"replacing helpers.httpRequestWithAuthentication on the request loop's context reroutes makeRoutingRequest (JSON batching depends on it)",
			() => summary(run),
		);
		expect(run.output.map((item) => item.json.subject).sort()).toEqual([...SUBJECTS].sort());
	});
});
