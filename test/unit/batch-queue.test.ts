/**
 * The batch queue of the transport (shared/transport/batch.ts) without n8n: how items' requests are
 * grouped into serial batches, how many are in flight per mailbox, and what happens to members that
 * did not run. The answers come from a small in-test model of Graph's serial batch rules (a failed
 * member makes the rest answer 424); the real Graph emulator and n8n are exercised by
 * test/reliability/batch.test.ts and bench/w6-batch.ts.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { sendInBatch, type FullResponse } from '../../nodes/MicrosoftOutlookExt/shared/transport/batch';
import { deadlineAfter, NotSentError } from '../../nodes/MicrosoftOutlookExt/shared/transport/deadline';
import { pause } from '../../nodes/MicrosoftOutlookExt/shared/transport/gate';

interface BatchRequest {
	id: string;
	method: string;
	url: string;
	dependsOn?: string[];
}

/** A Graph stand-in: answers a serial batch member by member; `fails(url)` gives a member's error status. */
function graphModel(fails: (url: string) => number | undefined = () => undefined) {
	const state = { inFlight: 0, maxInFlight: 0, batches: [] as BatchRequest[][], ran: [] as string[] };
	const direct = async (options: IHttpRequestOptions): Promise<FullResponse> => {
		state.inFlight++;
		state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
		try {
			await new Promise((resolve) => setTimeout(resolve, 10));
			if (!String(options.url).endsWith('/$batch')) {
				state.ran.push(String(options.url));
				return { statusCode: fails(String(options.url)) ?? 200, headers: {}, body: { url: options.url } };
			}
			const requests = (options.body as { requests: BatchRequest[] }).requests;
			state.batches.push(requests);
			let failed = false;
			const responses = requests.map((request) => {
				if (failed) return { id: request.id, status: 424, body: { error: { code: 'FailedDependency' } } };
				state.ran.push(request.url);
				const status = fails(request.url) ?? 200;
				failed = status >= 400;
				return { id: request.id, status, body: status < 400 ? { url: request.url } : { error: { code: 'ErrorItemNotFound' } } };
			});
			return { statusCode: 200, headers: {}, body: { responses } };
		} finally {
			state.inFlight--;
		}
	};
	return { state, direct };
}

function send(key: string, count: number, direct: (options: IHttpRequestOptions) => Promise<FullResponse>, batchSize = 20) {
	return Promise.all(
		Array.from({ length: count }, (_, index) =>
			sendInBatch(key, 'https://graph.test/v1.0', batchSize, { method: 'DELETE', url: `https://graph.test/v1.0/me/messages/m${index}` }, direct),
		),
	);
}

describe('batch queue', () => {
	it('200 items: full serial batches (each member depends on the one before), at most 4 in flight', async () => {
		const graph = graphModel();
		const answers = await send('unit|full', 200, graph.direct);
		expect(answers.map((answer) => (answer.body as { url: string }).url)).toEqual(Array.from({ length: 200 }, (_, index) => `/me/messages/m${index}`));
		expect(graph.state.batches.map((batch) => batch.length)).toEqual(Array(10).fill(20));
		for (const batch of graph.state.batches) {
			expect(batch.map((request) => request.dependsOn?.[0])).toEqual([undefined, ...batch.slice(0, -1).map((request) => request.id)]);
		}
		expect(graph.state.maxInFlight).toBe(4);
	});

	it('25 items are spread over the 4 slots (7 + 6 + 6 + 6), not sent as 20 + 5', async () => {
		const graph = graphModel();
		await send('unit|spread', 25, graph.direct);
		expect(graph.state.batches.map((batch) => batch.length)).toEqual([7, 6, 6, 6]);
	});

	it('Batch Size caps the members per batch', async () => {
		const graph = graphModel();
		await send('unit|size', 12, graph.direct, 2);
		expect(graph.state.batches.every((batch) => batch.length === 2)).toBe(true);
		expect(graph.state.batches.length).toBe(6);
	});

	it('members after a failed one (424, never ran) are sent again; each item gets its own answer, nothing runs twice', async () => {
		const missing = new Set(['/me/messages/m3', '/me/messages/m11']);
		const graph = graphModel((url) => (missing.has(url) ? 404 : undefined));
		const answers = await send('unit|failed', 40, graph.direct);
		expect(answers.map((answer) => answer.statusCode)).toEqual(Array.from({ length: 40 }, (_, index) => (index === 3 || index === 11 ? 404 : 200)));
		expect(graph.state.ran.length).toBe(40);
		expect(new Set(graph.state.ran).size).toBe(40);
	});

	it('a lost answer to a batch is a lost answer for each of its members, none is sent again', async () => {
		const sent: unknown[] = [];
		const direct = async (options: IHttpRequestOptions): Promise<FullResponse> => {
			const requests = (options.body as { requests?: Array<{ body: unknown }> }).requests;
			sent.push(...(requests ? requests.map((request) => request.body) : [options.body]));
			throw new Error('socket hang up');
		};
		const results = await Promise.allSettled(
			Array.from({ length: 8 }, (_, index) =>
				sendInBatch('unit|lost', 'https://graph.test/v1.0', 20, { method: 'POST', url: `https://graph.test/v1.0/me/sendMail`, body: { n: index } }, direct),
			),
		);
		expect(results.every((result) => result.status === 'rejected')).toBe(true);
		expect(sent).toHaveLength(8);
		expect(new Set(sent.map((body) => JSON.stringify(body))).size).toBe(8);
	});

	it("a queued member whose item's deadline passes leaves the queue and is never sent", async () => {
		const graph = graphModel();
		// Graph throttled the mailbox: the queue waits for the pause, longer than the items' Timeout.
		pause('unit|deadline', Date.now() + 400);
		const started = Date.now();
		const answers = await Promise.allSettled(
			[0, 1, 2].map((index) =>
				sendInBatch('unit|deadline', 'https://graph.test/v1.0', 20, { method: 'POST', url: `https://graph.test/v1.0/me/events`, body: { index } }, graph.direct, deadlineAfter(100)),
			),
		);
		expect(answers.map((answer) => answer.status)).toEqual(['rejected', 'rejected', 'rejected']);
		for (const answer of answers) expect((answer as PromiseRejectedResult).reason).toBeInstanceOf(NotSentError);
		expect(String((answers[0] as PromiseRejectedResult).reason.message)).toMatch(/nothing was sent/);
		expect(Date.now() - started).toBeLessThan(400);
		// After the pause, nothing of them goes out.
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(graph.state.batches).toEqual([]);
		expect(graph.state.ran).toEqual([]);
	});
});
