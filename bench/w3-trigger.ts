/**
 * Workload 3: trigger latency and throughput in a running n8n server. Our push trigger (Graph change
 * notifications, output "Full Item") and, in full mode, n8n's built-in polling Outlook trigger at its
 * minimum interval (every minute; n8n refuses anything shorter) are active at the same time on the
 * same mailbox, so both see the very same mails:
 *   1. mails arrive one by one at random moments → time from arrival to the execution's start
 *      (p50/p95/p99) and the time our webhook took to acknowledge Graph's POST;
 *   2. a burst of mails (notifications in several POSTs) → executions started, items lost, duplicated.
 */
import { deliverMail, mailboxOf } from '../test/emulator/mail';
import { deliveryLog } from '../test/emulator/subscriptions';
import { ADELE, CREDENTIAL_IDS } from '../test/e2e/support';
import { nodeType } from '../test/harness/n8n';
import { triggerWorkflow } from '../test/harness/workflows';
import { allExecutions, closeSeries, openSeries, BUILTIN_CREDENTIAL, type Rival, type Series } from './series';
import { median, percentile, sleep } from './measure';
import { count, divide, emptyResult, ms, statusOf, times, type Row, type WorkloadResult } from './report';

export interface TriggerOptions {
	latencySamples: number;
	burst: number;
	/** Also run the built-in polling trigger (minutes of waiting: full mode only). */
	builtin: boolean;
	/** Full mode: spread the latency mails over this long (≥ a few poll periods). */
	builtinSpreadMs?: number;
	builtinLatencySamples?: number;
	latencyMs?: number;
}

const TRIGGER = 'Trigger';
const POLL_PERIOD_MS = 60_000;
const ACK_GOAL_MS = 3000;
/** "Far under" Graph's 3 s: at most a third of it, the bound the project's e2e trigger test uses too. */
const ACK_TARGET_MS = 1000;

interface ActiveWorkflow {
	rival: Rival;
	id: string;
}

interface SeenItem {
	subject: string;
	id: string;
	executionId: string;
	startedAtMs: number;
}

function oursTrigger() {
	return {
		name: TRIGGER,
		type: nodeType('microsoftOutlookExtTrigger'),
		parameters: {
			authentication: 'oAuth2',
			watch: 'messages',
			folderId: { __rl: true, mode: 'id', value: 'inbox' },
			changeTypes: ['created'],
			output: 'resource',
		},
		credentials: { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
	};
}

function builtinTrigger() {
	return {
		name: TRIGGER,
		type: 'n8n-nodes-base.microsoftOutlookTrigger',
		parameters: { event: 'messageReceived', pollTimes: { item: [{ mode: 'everyMinute' }] }, output: 'raw', filters: {}, options: {} },
		credentials: { microsoftOutlookOAuth2Api: { id: BUILTIN_CREDENTIAL.id, name: BUILTIN_CREDENTIAL.name } },
	};
}

async function activate(series: Series, rival: Rival): Promise<ActiveWorkflow> {
	const wf = triggerWorkflow({ id: `w3${rival}`, name: `w3 ${rival}`, trigger: rival === 'ours' ? oursTrigger() : builtinTrigger() });
	const id = await series.n8n.apiCreateWorkflow(wf);
	await series.n8n.activate(id);
	return { rival, id };
}

function itemsOf(execution: any): SeenItem[] {
	const run = execution.data?.resultData?.runData?.[TRIGGER]?.[0];
	const items: Array<{ json: any }> = run?.data?.main?.[0] ?? [];
	return items.map((item) => ({
		subject: String(item.json?.subject ?? ''),
		id: String(item.json?.id ?? ''),
		executionId: String(execution.id),
		startedAtMs: Date.parse(execution.startedAt),
	}));
}

async function seenItems(series: Series, workflow: ActiveWorkflow, prefix: string): Promise<{ items: SeenItem[]; executions: number }> {
	const executions = (await allExecutions(series, workflow.id)).filter((e) => e.finished || e.stoppedAt);
	const items = executions.flatMap(itemsOf).filter((item) => item.subject.startsWith(prefix));
	return { items, executions: new Set(items.map((item) => item.executionId)).size };
}

/** Mails at the given offsets from now; returns subject → arrival time (epoch ms). */
async function deliverAt(series: Series, prefix: string, offsetsMs: number[]): Promise<Map<string, number>> {
	const arrivals = new Map<string, number>();
	const start = Date.now();
	for (const [index, offset] of [...offsetsMs].sort((a, b) => a - b).entries()) {
		await sleep(Math.max(0, start + offset - Date.now()));
		const subject = `${prefix} ${index + 1}`;
		arrivals.set(subject, Date.now());
		deliverMail(series.emu.core, { to: ADELE.userPrincipalName, subject, text: 'Benchmark mail.' });
	}
	return arrivals;
}

interface LatencyFigures {
	rival: Rival;
	samples: number;
	seen: number;
	/** Mails that never started an execution, with what Graph stored and the poll windows around them. */
	missed: MissedMail[];
	latenciesMs: number[];
	p50?: number;
	p95?: number;
	p99?: number;
	max?: number;
}

interface MissedMail {
	subject: string;
	arrivedAt: string;
	receivedDateTime?: string;
	/** The built-in's `receivedDateTime ge A and lt B` filters that were sent around the arrival. */
	pollWindows: string[];
}

/** The built-in trigger's poll filters as the emulator received them. */
function pollFilters(series: Series): string[] {
	return series.emu
		.requests()
		.filter((r) => r.path === '/me/messages' && (r.query.$filter ?? '').includes('receivedDateTime ge'))
		.map((r) => r.query.$filter);
}

function missedMails(series: Series, arrivals: Map<string, number>, firstSeen: Map<string, number>, rival: Rival): MissedMail[] {
	const stored = [...mailboxOf(series.emu.core, ADELE.id).messages.values()];
	const filters = rival === 'builtin' ? pollFilters(series) : [];
	return [...arrivals]
		.filter(([subject]) => !firstSeen.has(subject))
		.map(([subject, at]) => {
			const windows = filters.filter((f) => {
				const [from, to] = [...f.matchAll(/receivedDateTime (?:ge|lt) (\S+)/g)].map((m) => Date.parse(m[1]));
				return Math.abs(from - at) < 90_000 || Math.abs(to - at) < 90_000;
			});
			return {
				subject,
				arrivedAt: new Date(at).toISOString(),
				receivedDateTime: stored.find((m) => m.json.subject === subject)?.json.receivedDateTime as string | undefined,
				pollWindows: windows,
			};
		});
}

function latencyFigures(series: Series, rival: Rival, arrivals: Map<string, number>, items: SeenItem[]): LatencyFigures {
	const firstSeen = new Map<string, number>();
	for (const item of items) {
		const known = firstSeen.get(item.subject);
		if (known === undefined || item.startedAtMs < known) firstSeen.set(item.subject, item.startedAtMs);
	}
	const latencies = [...arrivals].filter(([subject]) => firstSeen.has(subject)).map(([subject, at]) => (firstSeen.get(subject) as number) - at);
	return {
		rival,
		samples: arrivals.size,
		seen: latencies.length,
		missed: missedMails(series, arrivals, firstSeen, rival),
		latenciesMs: latencies,
		p50: percentile(latencies, 50),
		p95: percentile(latencies, 95),
		p99: percentile(latencies, 99),
		max: latencies.length ? Math.max(...latencies) : undefined,
	};
}

interface BurstFigures {
	rival: Rival;
	mails: number;
	executions: number;
	items: number;
	unique: number;
	lost: number;
	duplicated: number;
	lastExecutionAfterMs?: number;
}

function burstFigures(rival: Rival, mails: number, seen: { items: SeenItem[]; executions: number }, burstStart: number): BurstFigures {
	const unique = new Set(seen.items.map((item) => item.subject)).size;
	return {
		rival,
		mails,
		executions: seen.executions,
		items: seen.items.length,
		unique,
		lost: mails - unique,
		duplicated: seen.items.length - unique,
		lastExecutionAfterMs: seen.items.length ? Math.max(...seen.items.map((i) => i.startedAtMs)) - burstStart : undefined,
	};
}

/** Waits until the workflow has produced `expected` distinct mails with the prefix and then stays quiet. */
async function collect(series: Series, workflow: ActiveWorkflow, prefix: string, expected: number, timeoutMs: number, quietMs: number) {
	const deadline = Date.now() + timeoutMs;
	let seen = await seenItems(series, workflow, prefix);
	while (new Set(seen.items.map((i) => i.subject)).size < expected && Date.now() < deadline) {
		await sleep(1000);
		seen = await seenItems(series, workflow, prefix);
	}
	await sleep(quietMs);
	return await seenItems(series, workflow, prefix);
}

function randomOffsets(samples: number, spreadMs: number): number[] {
	return Array.from({ length: samples }, () => Math.random() * spreadMs);
}

export async function runTriggerWorkload(opts: TriggerOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w3', 'Trigger latency and burst');
	const started = Date.now();
	const latencyMs = opts.latencyMs ?? 50;
	let series: Series | undefined;
	const latency: LatencyFigures[] = [];
	const bursts: BurstFigures[] = [];
	let ack: { posts: number; p50?: number; p95?: number; p99?: number; max?: number; notDelivered: number; retried: number } | undefined;
	try {
		series = await openSeries('w3', { latencyMs });
		await series.n8n.start();
		await series.n8n.setupOwner();
		const ours = await activate(series, 'ours');
		const workflows: ActiveWorkflow[] = [ours];
		if (opts.builtin) workflows.push(await activate(series, 'builtin'));
		const webhook = series.n8n.baseUrl;
		log(`w3: ${workflows.map((w) => w.rival).join(' + ')} active`);

		// 1. Latency: with the built-in, mails at random moments over several poll periods.
		const samples = opts.builtin ? (opts.builtinLatencySamples ?? opts.latencySamples) : opts.latencySamples;
		const offsets = opts.builtin ? randomOffsets(samples, opts.builtinSpreadMs ?? 3 * POLL_PERIOD_MS) : Array.from({ length: samples }, (_, i) => i * 400);
		const arrivals = await deliverAt(series, 'W3 latency', offsets);
		for (const workflow of workflows) {
			const timeout = workflow.rival === 'builtin' ? POLL_PERIOD_MS + 30_000 : 30_000;
			const seen = await collect(series, workflow, 'W3 latency', samples, timeout, 1000);
			const figures = latencyFigures(series, workflow.rival, arrivals, seen.items);
			latency.push(figures);
			log(`w3 latency ${workflow.rival}: ${figures.seen}/${figures.samples} mails seen, p50 ${ms(figures.p50)}, p95 ${ms(figures.p95)}, p99 ${ms(figures.p99)}`);
			for (const missed of figures.missed) {
				const note = `w3: the ${workflow.rival} trigger never ran for "${missed.subject}" (arrived ${missed.arrivedAt}, receivedDateTime ${missed.receivedDateTime}); poll filters around it: ${missed.pollWindows.join(' | ') || 'none'}`;
				result.notes.push(note);
				log(note);
			}
		}

		// 2. Burst: the mails arrive in groups, so Graph's notifications come in several POSTs.
		const burstStart = Date.now();
		const group = Math.max(1, Math.ceil(opts.burst / 20));
		for (let sent = 0; sent < opts.burst; sent += group) {
			for (let i = sent; i < Math.min(opts.burst, sent + group); i++) {
				deliverMail(series.emu.core, { to: ADELE.userPrincipalName, subject: `W3 burst ${i + 1}`, text: 'Burst mail.' });
			}
			await sleep(40);
		}
		for (const workflow of workflows) {
			const timeout = workflow.rival === 'builtin' ? POLL_PERIOD_MS + 60_000 : 180_000;
			const seen = await collect(series, workflow, 'W3 burst', opts.burst, timeout, workflow.rival === 'ours' ? 3000 : 1000);
			const figures = burstFigures(workflow.rival, opts.burst, seen, burstStart);
			bursts.push(figures);
			log(`w3 burst ${workflow.rival}: ${figures.unique}/${figures.mails} mails in ${figures.executions} executions, ${figures.lost} lost, ${figures.duplicated} duplicated, last run ${ms(figures.lastExecutionAfterMs)} after the burst`);
		}

		const posts = deliveryLog(series.emu.core).filter((entry) => entry.kind === 'notification' && entry.url.startsWith(webhook));
		const durations = posts.filter((p) => p.delivered).map((p) => p.durationMs);
		ack = {
			posts: posts.length,
			p50: median(durations),
			p95: percentile(durations, 95),
			p99: percentile(durations, 99),
			max: durations.length ? Math.max(...durations) : undefined,
			notDelivered: posts.filter((p) => !p.delivered).length,
			retried: posts.filter((p) => p.attempt > 1).length,
		};
		log(`w3 ack: ${ack.posts} POSTs, p50 ${ms(ack.p50)}, p99 ${ms(ack.p99)}, max ${ms(ack.max)}, ${ack.notDelivered} not acknowledged`);
	} finally {
		await closeSeries(series);
	}
	result.raw = { latency, bursts, ack, latencyMs, pollPeriodMs: POLL_PERIOD_MS };
	checkFunctional(result, latency, bursts, ack);
	result.rows.push(...rows(latency, bursts, ack));
	if (!opts.builtin) result.notes.push('w3: the built-in polling trigger was not run (quick mode; it needs minutes of waiting at its 1-minute minimum interval)');
	result.durationMs = Date.now() - started;
	return result;
}

function checkFunctional(result: WorkloadResult, latency: LatencyFigures[], bursts: BurstFigures[], ack: { notDelivered: number } | undefined): void {
	for (const figures of latency.filter((l) => l.rival === 'ours')) {
		if (figures.seen < figures.samples) result.functionalErrors.push(`w3: our trigger started executions for ${figures.seen} of ${figures.samples} mails`);
	}
	for (const burst of bursts.filter((b) => b.rival === 'ours')) {
		if (burst.lost > 0 || burst.duplicated > 0) {
			result.functionalErrors.push(`w3: our trigger lost ${burst.lost} and duplicated ${burst.duplicated} of ${burst.mails} burst mails`);
		}
	}
	if (ack && ack.notDelivered > 0) result.functionalErrors.push(`w3: ${ack.notDelivered} notification POSTs were not acknowledged`);
}

function rows(latency: LatencyFigures[], bursts: BurstFigures[], ack: { posts: number; p50?: number; p99?: number; max?: number } | undefined): Row[] {
	const out: Row[] = [];
	const ours = latency.find((l) => l.rival === 'ours');
	const builtin = latency.find((l) => l.rival === 'builtin');
	const other = (value: number | undefined) => (builtin ? ms(value) : 'not run');
	const row = (testCase: string, metric: string, a: string, b: string, ratio: string, goal: string, ok?: boolean): Row => ({
		workload: 'W3 trigger',
		case: testCase,
		metric,
		ours: a,
		other: b,
		ratio,
		goal,
		status: statusOf(ok),
	});
	if (ours) {
		const label = `${ours.samples} mails (push vs poll every 1 min)`;
		out.push(
			row(label, 'mails that started no execution', count(ours.samples - ours.seen), builtin ? count(builtin.samples - builtin.seen) : 'not run', '–', '0', ours.seen === ours.samples),
		);
		for (const [metric, a, b] of [
			['arrival → execution start p50', ours.p50, builtin?.p50],
			['arrival → execution start p95', ours.p95, builtin?.p95],
			['arrival → execution start p99', ours.p99, builtin?.p99],
		] as Array<[string, number | undefined, number | undefined]>) {
			out.push(row(label, metric, ms(a), other(b), builtin ? `${times(divide(b, a))} sooner` : '–', '–'));
		}
	}
	if (ack) {
		out.push(
			row(
				`${count(ack.posts)} notification POSTs`,
				'ack time p50 / p99 / max',
				`${ms(ack.p50)} / ${ms(ack.p99)} / ${ms(ack.max)}`,
				`Graph: < ${ms(ACK_GOAL_MS)}`,
				times(divide(ACK_GOAL_MS, ack.max)),
				`far under 3 s (≤${ACK_TARGET_MS} ms)`,
				ack.max !== undefined && ack.max <= ACK_TARGET_MS,
			),
		);
	}
	const oursBurst = bursts.find((b) => b.rival === 'ours');
	const builtinBurst = bursts.find((b) => b.rival === 'builtin');
	if (oursBurst) {
		const label = `burst of ${count(oursBurst.mails)} mails`;
		const b = (f: (x: BurstFigures) => string) => (builtinBurst ? f(builtinBurst) : 'not run');
		out.push(row(label, 'executions started', count(oursBurst.executions), b((x) => count(x.executions)), '–', '–'));
		out.push(row(label, 'mails lost', count(oursBurst.lost), b((x) => count(x.lost)), '–', '0', oursBurst.lost === 0));
		out.push(row(label, 'mails duplicated', count(oursBurst.duplicated), b((x) => count(x.duplicated)), '–', '0', oursBurst.duplicated === 0));
		out.push(row(label, 'last execution after the burst', ms(oursBurst.lastExecutionAfterMs), b((x) => ms(x.lastExecutionAfterMs)), '–', '–'));
	}
	return out;
}
