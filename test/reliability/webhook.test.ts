/**
 * Hostile traffic against the Microsoft Outlook Ext Trigger's webhook, in a real n8n server (package
 * installed like n8n's installer does it) with two active trigger workflows: A watches Adele's inbox,
 * B her calendar. Forged notifications (wrong/missing clientState, a subscription A does not own),
 * forged lifecycle events, validation tokens with HTML/script, a 10 MB body, malformed JSON and a flood
 * of 1,000 forged notifications with legitimate mail delivered by Graph in the middle of it.
 * Expected: zero executions from forged traffic and no subscription changed; the validation token is
 * echoed only as text/plain; no secret in any answer or log; n8n stays responsive; every legitimate
 * notification in the flood gives exactly one item.
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/webhook.test.ts
 */
import { deliverMail, seedMessages } from '../emulator/mail';
import { deliveryLog } from '../emulator/subscriptions';
import { ADELE } from '../e2e/support';
import { collectText, expectNoSecrets } from './secrets';
import { sleep, startReliability, stopReliability, type ReliabilityContext } from './support';
import {
	activateTrigger,
	emittedItems,
	executionCount,
	messageNotification,
	post,
	subscriptionOf,
	until,
	type ActiveTrigger,
	type Answer,
	type SubscriptionRecord,
} from './trigger';

jest.setTimeout(600_000);

let ctx: ReliabilityContext;
let inbox: ActiveTrigger;
let calendar: ActiveTrigger;
let inboxSubscription: SubscriptionRecord;
let calendarSubscription: SubscriptionRecord;
/** Every answer the webhook gave, checked for secrets at the end. */
const answers: Answer[] = [];

const UNKNOWN_SUBSCRIPTION = '0f6e3f8e-51f3-4a5e-9b4e-000000000bad';

async function send(trigger: ActiveTrigger, body: unknown, contentType?: string): Promise<Answer> {
	const answer = await post(trigger.url, typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), contentType);
	answers.push(answer);
	collectText(answer.text);
	return answer;
}

/** Requests that change subscriptions (what forged lifecycle events would try to cause). */
function subscriptionChanges(since: number): string[] {
	return ctx.emu
		.requests()
		.filter((r) => r.startedAtMs >= since && r.path.startsWith('/subscriptions') && r.method !== 'GET')
		.map((r) => `${r.method} ${r.path}`);
}

async function healthMs(): Promise<number> {
	const started = performance.now();
	const response = await fetch(`${ctx.n8n.baseUrl}/healthz`);
	expect(response.status).toBe(200);
	return performance.now() - started;
}

/** Executions stay at `counts` for a quiet period (webhook runs are asynchronous). */
async function expectNoNewExecutions(counts: { inbox: number; calendar: number }, quietMs = 2000): Promise<void> {
	await sleep(quietMs);
	expect({ inbox: await executionCount(ctx.n8n, inbox), calendar: await executionCount(ctx.n8n, calendar) }).toEqual(counts);
}

beforeAll(async () => {
	ctx = await startReliability();
	inbox = await activateTrigger(ctx.n8n, 'rl-inbox', { watch: 'messages', changeTypes: ['created'] });
	calendar = await activateTrigger(ctx.n8n, 'rl-calendar', { watch: 'events', changeTypes: ['created'] });
	inboxSubscription = subscriptionOf(ctx.emu, inbox);
	calendarSubscription = subscriptionOf(ctx.emu, calendar);
});

afterAll(async () => {
	await stopReliability(ctx);
});

describe('forged notifications', () => {
	it('wrong or missing clientState, or a subscription this workflow does not own: 202, nothing runs, nothing changes', async () => {
		const since = Date.now();
		const [messageId] = seedMessages(ctx.emu.core, { userId: ADELE.id, count: 1, subjectPrefix: 'Forged' }).ids;
		const secretA = inboxSubscription.clientState as string;
		const secretB = calendarSubscription.clientState as string;
		const forged = [
			messageNotification(inboxSubscription, ADELE.id, messageId, 'guessed-client-state'),
			messageNotification(inboxSubscription, ADELE.id, messageId, undefined),
			messageNotification(inboxSubscription, ADELE.id, messageId, ''),
			// B's genuine notification, sent to A's URL.
			messageNotification(calendarSubscription, ADELE.id, messageId, secretB),
			// A's secret (leaked?) but B's subscription, or one nobody has.
			messageNotification(calendarSubscription, ADELE.id, messageId, secretA),
			messageNotification({ id: UNKNOWN_SUBSCRIPTION }, ADELE.id, messageId, secretA),
		];
		for (const notification of forged) {
			const answer = await send(inbox, { value: [notification] });
			expect({ status: answer.status, text: answer.text }).toEqual({ status: 202, text: '' });
		}
		// All of them in one POST, too.
		expect((await send(inbox, { value: forged })).status).toBe(202);
		await expectNoNewExecutions({ inbox: 0, calendar: 0 });
		expect(subscriptionChanges(since)).toEqual([]);
		expect(subscriptionOf(ctx.emu, inbox).id).toBe(inboxSubscription.id);
	});

	it('forged lifecycle events (wrong secret, or A\'s secret with B\'s subscription) remove, renew and report nothing', async () => {
		const since = Date.now();
		const lifecycle = (subscriptionId: string, lifecycleEvent: string, clientState?: string) => ({
			subscriptionId,
			subscriptionExpirationDateTime: inboxSubscription.expirationDateTime,
			tenantId: '11111111-2222-3333-4444-555555555555',
			clientState,
			lifecycleEvent,
		});
		const events = ['subscriptionRemoved', 'reauthorizationRequired', 'missed'];
		for (const event of events) {
			const variants: Array<[string, string | undefined]> = [
				[inboxSubscription.id, 'wrong'],
				[inboxSubscription.id, undefined],
				[calendarSubscription.id, inboxSubscription.clientState],
				[UNKNOWN_SUBSCRIPTION, inboxSubscription.clientState],
			];
			for (const [id, secret] of variants) {
				const answer = await send(inbox, { value: [lifecycle(id, event, secret)] });
				expect({ event, status: answer.status, text: answer.text }).toEqual({ event, status: 202, text: '' });
			}
		}
		await expectNoNewExecutions({ inbox: 0, calendar: 0 });
		expect(subscriptionChanges(since)).toEqual([]);
		expect(subscriptionOf(ctx.emu, inbox)).toMatchObject({ id: inboxSubscription.id, expirationDateTime: inboxSubscription.expirationDateTime });
	});
});

describe('validation tokens', () => {
	const tokens = [
		'<script>alert(document.cookie)</script>',
		'"><img src=x onerror=alert(1)>',
		'{"value":[{"clientState":"x"}]}',
		'Validation: token & a=b+c %41 "q" é ✓',
		// Up to 4,096 characters are echoed; longer ones are refused (security.test.ts).
		`long-${'x'.repeat(4000)}`,
	];

	it.each(tokens.map((token) => [token.slice(0, 40), token]))('echoes %j only as text/plain, byte for byte, and starts nothing', async (_label, token) => {
		for (const contentType of ['text/plain; charset=utf-8', 'application/json']) {
			const started = performance.now();
			const response = await fetch(`${inbox.url}?validationToken=${encodeURIComponent(token)}`, {
				method: 'POST',
				headers: { 'content-type': contentType },
				body: contentType === 'application/json' ? '{"value":[]}' : '',
			});
			const text = await response.text();
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^text\/plain(;|$)/);
			expect(response.headers.get('x-content-type-options')).toBe('nosniff');
			expect(text).toBe(token);
			expect(performance.now() - started).toBeLessThan(2000);
		}
		await expectNoNewExecutions({ inbox: 0, calendar: 0 }, 300);
	});
});

describe('oversized and malformed bodies', () => {
	it('a 10 MB body is refused or dropped quickly; n8n stays responsive', async () => {
		const padding = 'A'.repeat(10 * 1024 * 1024);
		const huge = JSON.stringify({
			value: [messageNotification(inboxSubscription, ADELE.id, 'AAMkHuge', 'wrong')],
			padding,
		});
		const json = await send(inbox, huge);
		const binary = await send(inbox, Buffer.alloc(10 * 1024 * 1024, 0x41), 'application/octet-stream');
		process.stderr.write(`[reliability 10 MB] JSON: ${json.status} in ${json.ms.toFixed(0)} ms; binary: ${binary.status} in ${binary.ms.toFixed(0)} ms\n`);
		for (const answer of [json, binary]) {
			expect([202, 413]).toContain(answer.status);
			expect(answer.ms).toBeLessThan(15_000);
			expect(answer.text.length).toBeLessThan(2000);
		}
		expect(await healthMs()).toBeLessThan(1000);
		await expectNoNewExecutions({ inbox: 0, calendar: 0 });
	});

	it('malformed JSON and wrong shapes: no 5xx, nothing runs', async () => {
		const bodies: Array<[string, string]> = [
			['{"value": [', 'application/json'],
			['{"value": [{"subscriptionId": "x", "clientState": ', 'application/json'],
			['null', 'application/json'],
			['[]', 'application/json'],
			['"value"', 'application/json'],
			['{"value": "not an array"}', 'application/json'],
			['{"value": [null, 1, "x", [], {"changeType": {}}]}', 'application/json'],
			['{"value": [{"subscriptionId": {"$ne": null}, "clientState": {"$ne": null}}]}', 'application/json'],
			['{"__proto__": {"polluted": true}, "value": []}', 'application/json'],
			['', 'application/json'],
			['value=1&clientState=x', 'application/x-www-form-urlencoded'],
			['<value><clientState>x</clientState></value>', 'application/xml'],
		];
		const seen: number[] = [];
		for (const [body, contentType] of bodies) {
			const answer = await send(inbox, body, contentType);
			expect({ body, status: answer.status < 500 }).toEqual({ body, status: true });
			seen.push(answer.status);
		}
		process.stderr.write(`[reliability malformed] statuses: ${seen.join(', ')}\n`);
		expect(await healthMs()).toBeLessThan(1000);
		await expectNoNewExecutions({ inbox: 0, calendar: 0 });
	});
});

describe('flood', () => {
	it('1,000 forged notifications with 10 legitimate mails in the middle: each legitimate one runs once, no forged one runs', async () => {
		const since = Date.now();
		const emulatorSince = ctx.emu.core.now();
		const [messageId] = seedMessages(ctx.emu.core, { userId: ADELE.id, count: 1, subjectPrefix: 'Flood target' }).ids;
		const forgedBody = (n: number) => ({
			value: [
				messageNotification(inboxSubscription, ADELE.id, `${messageId}${n}`, `wrong-${n}`),
				messageNotification({ id: UNKNOWN_SUBSCRIPTION }, ADELE.id, messageId, undefined),
				messageNotification(calendarSubscription, ADELE.id, messageId, 'nope'),
				{ subscriptionId: inboxSubscription.id, lifecycleEvent: 'subscriptionRemoved', clientState: `forged-${n}` },
			],
		});
		const POSTS = 250;
		// 8 at a time: with 16, n8n 2.41 on 2 busy cores answered some of Graph's own deliveries after every retry
		// (n8n's webhook pipeline, before this node runs), so the test measured the machine, not the node.
		const CONCURRENCY = 8;
		const statuses = new Map<number, number>();
		const latencies: number[] = [];
		const health: number[] = [];
		let next = 0;
		const legit = Array.from({ length: 10 }, (_, i) => `Flood legit ${i + 1}`);
		const deliveries = (async () => {
			for (const subject of legit) {
				await sleep(200);
				deliverMail(ctx.emu.core, { to: ADELE.userPrincipalName, subject, text: 'legitimate' });
				health.push(await healthMs());
			}
		})();
		const workers = Array.from({ length: CONCURRENCY }, async () => {
			while (next < POSTS) {
				const n = next++;
				const answer = await post(inbox.url, JSON.stringify(forgedBody(n)));
				statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
				latencies.push(answer.ms);
				if (answer.text) collectText(answer.text);
			}
		});
		await Promise.all([...workers, deliveries]);
		expect(Object.fromEntries(statuses)).toEqual({ 202: POSTS });

		const items = await until('the 10 legitimate executions', async () => {
			const emitted = await emittedItems(ctx.n8n, inbox);
			return emitted.length >= legit.length ? emitted : undefined;
			// A wait, not a speed check: n8n 2.41 starts webhook executions more slowly on a busy 2-core machine.
		}, 180_000);
		await sleep(2000);
		const final = await emittedItems(ctx.n8n, inbox);
		expect(final.map((item) => item.subject).sort()).toEqual([...legit].sort());
		expect(items.length).toBe(final.length);
		expect(await executionCount(ctx.n8n, calendar)).toBe(0);
		expect(subscriptionChanges(since)).toEqual([]);
		// Graph's own deliveries were acknowledged: at least one 202 per legitimate mail. Under this flood n8n 2.41
		// can take longer than Graph's 3 s for some of them; Graph then delivers again, and the run count above
		// proves the repeat started nothing twice. How many first attempts were late is reported, not asserted.
		const delivered = deliveryLog(ctx.emu.core).filter((entry) => entry.url === inbox.url && entry.at >= emulatorSince);
		expect(delivered.filter((entry) => entry.status === 202).length).toBeGreaterThanOrEqual(legit.length);
		const late = delivered.filter((entry) => entry.status !== 202).length;

		const sorted = [...latencies].sort((a, b) => a - b);
		const p95 = sorted[Math.floor(sorted.length * 0.95)];
		process.stderr.write(
			`[reliability flood] ${POSTS} POSTs × 4 notifications, concurrency ${CONCURRENCY}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, p95 ${p95.toFixed(0)} ms; healthz during flood max ${Math.max(...health).toFixed(0)} ms; Graph deliveries not acknowledged within 3 s: ${late}\n`,
		);
		// Speed is measured in the benchmarks (W3); here only "n8n did not stall": every answer and the health
		// check come back within Graph's longest retry interval's order of magnitude.
		expect(p95).toBeLessThan(10_000);
		expect(await healthMs()).toBeLessThan(5_000);
	});
});

describe('secrets', () => {
	it('no clientState, token or client secret in any webhook answer, n8n\'s log or output', async () => {
		for (const answer of answers) {
			expect(answer.text).not.toContain(inboxSubscription.clientState);
			expect(answer.text).not.toContain(calendarSubscription.clientState);
		}
		collectText(JSON.stringify(await emittedItems(ctx.n8n, inbox)));
		await expectNoSecrets(ctx);
	});
});
