/**
 * Workload 7 (issue #10): what the trigger's filters and rich notifications save, in a running n8n
 * server against the Graph emulator. Our trigger at typeVersion 2 (Trigger On: New Mail in Folder,
 * Output: Full Item), one workflow active at a time, so every POST, request and CPU second belongs to
 * one variant.
 *
 * 1. Filters: N mails arrive one by one at a steady rate (M of them from match@fabrikam.com with
 *    "MATCH" in the subject, spread evenly, the last mail is one of them). Three variants see the same
 *    sequence (fresh mails each):
 *    - From filter: `mailFilters.from` goes into the subscription's `$filter`, so Graph (the emulator
 *      evaluates it) does not even deliver the other mails;
 *    - Subject Contains: checked by the node on the fetched item before a run starts;
 *    - no filter: what users do today (trigger + IF node): every mail is delivered, fetched and runs.
 *    Counted: runs started, items, notification POSTs Graph delivered to n8n (delivery log), Graph
 *    requests the node made (the emulator's request log, area graph: deliveries go the other way and
 *    are not in it), n8n's CPU time and the wall time.
 * 2. Rich notifications vs fetch: K mails, one every I ms. Fetch-based (the default: one GET per
 *    notification) against `options.richNotifications` (includeResourceData: the item comes encrypted
 *    in the notification). Per notification: mail delivered → execution started (p50/p95), CPU of the
 *    n8n server process (utime + stime from /proc/<pid>/stat, minus its idle rate measured just
 *    before), Graph requests. When the build has no `richNotifications` option, only the fetch-based
 *    half runs and the workload says "rich notifications option not present".
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { deliverMail } from '../test/emulator/mail';
import { allSubscriptions, deliveryLog, type DeliveryLogEntry } from '../test/emulator/subscriptions';
import { stateOf } from '../test/emulator/subscriptions-state';
import type { RecordedRequest } from '../test/emulator/types';
import { ADELE, CREDENTIAL_IDS } from '../test/e2e/support';
import { nodeType } from '../test/harness/n8n';
import { triggerWorkflow } from '../test/harness/workflows';
import { allExecutions, closeSeries, openSeries, type Series } from './series';
import { percentile, sleep } from './measure';
import { count, divide, emptyResult, ms, statusOf, times, type Row, type WorkloadResult } from './report';

export interface TriggerFiltersOptions {
	/** Part 1: mails delivered per variant, of which `matching` match the filters. */
	mails: number;
	matching: number;
	/** Part 1: one mail every this many ms. */
	intervalMs: number;
	/** Part 2: mails per variant, one every `richIntervalMs`. */
	richMails: number;
	richIntervalMs: number;
	/** Network latency the emulator adds to every Graph request (default 50 ms, as in W3). */
	latencyMs?: number;
}

export const MATCH_SENDER = 'match@fabrikam.com';
const MATCH_WORD = 'MATCH';
/** The other mails' senders; no subject or address of theirs contains "match" in any case. */
const OTHER_SENDERS = ['orders@northwindtraders.com', 'news@tailspintoys.com', 'alerts@woodgrovebank.com', 'billing@contoso-billing.com', 'support@fabrikam.com'];
const TRIGGER = 'Trigger';
const WORKLOAD = 'W7 trigger filters';
const QUIET_MS = 2000;
const IDLE_SAMPLE_MS = 5000;
const SETTLE_TIMEOUT_MS = 300_000;

export type FilterVariant = 'graph' | 'client' | 'none';
export type RichVariant = 'fetch' | 'rich';

const FILTER_VARIANTS: Array<{ variant: FilterVariant; label: string; mailFilters: Record<string, string> }> = [
	{ variant: 'graph', label: `From = ${MATCH_SENDER} (Graph $filter)`, mailFilters: { from: MATCH_SENDER } },
	{ variant: 'client', label: `Subject Contains "${MATCH_WORD}" (checked by the node)`, mailFilters: { subjectContains: MATCH_WORD } },
	{ variant: 'none', label: 'no filter (filtered after the fact)', mailFilters: {} },
];

// ------------------------------------------------------------------------------------------ n8n process CPU

let clockTicks: number | undefined;

function ticksPerSecond(): number {
	if (clockTicks === undefined) {
		try {
			clockTicks = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
		} catch {
			clockTicks = 100;
		}
	}
	return clockTicks;
}

/** User + system CPU time of a process in ms (/proc/<pid>/stat fields 14 and 15), undefined if unreadable. */
export function processCpuMs(pid: number | undefined): number | undefined {
	if (pid === undefined) return undefined;
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) is in parentheses and may hold spaces: count from after it (field 3).
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
	} catch {
		return undefined;
	}
}

/**
 * The `n8n start` process of a series: the one whose environment carries the series' own
 * BENCH_RSS_DIR (unique per series). Its task runner child is not counted (no Code node runs here).
 */
export function n8nServerPid(series: Series): number | undefined {
	const wanted = `BENCH_RSS_DIR=${series.rssDir}`;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (!argv.some((arg) => /n8n[/\\]bin[/\\]n8n$/.test(arg)) || argv[argv.length - 2] !== 'start') continue;
			if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(wanted)) return Number(entry);
		} catch {
			// a process that ended meanwhile, or one that is not ours
		}
	}
	// The harness keeps its child private; its pid is the same process.
	return (series.n8n as unknown as { server?: { pid?: number } }).server?.pid;
}

// ------------------------------------------------------------------------------------------ rich option

/** Whether trigger v2 has `options.richNotifications`, in the source and in the build n8n loads. */
export function richOption(): { present: boolean; message?: string } {
	const root = resolve(__dirname, '..');
	const source = resolve(root, 'nodes/MicrosoftOutlookExt/trigger/config/description.ts');
	const built = resolve(root, 'dist/nodes/MicrosoftOutlookExt/trigger/config/description.js');
	const has = (file: string) => existsSync(file) && readFileSync(file, 'utf8').includes('richNotifications');
	if (!has(source)) return { present: false, message: 'rich notifications option not present (no "richNotifications" in nodes/MicrosoftOutlookExt/trigger/config/description.ts): only the fetch-based half of the row ran' };
	if (!has(built)) return { present: false, message: 'rich notifications option not present in dist/ (run npm run build): only the fetch-based half of the row ran' };
	return { present: true };
}

// ------------------------------------------------------------------------------------------ workflows

interface ActiveTrigger {
	id: string;
	webhookId: string;
	/** The subscription's resource as Graph stored it (with `$filter`, `$select`). */
	resource?: string;
	includeResourceData?: boolean;
}

function triggerNode(parameters: Record<string, unknown>) {
	return {
		name: TRIGGER,
		type: nodeType('microsoftOutlookExtTrigger'),
		typeVersion: 2,
		parameters: { authentication: 'oAuth2', event: 'newMail', output: 'resource', ...parameters },
		credentials: { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
	};
}

async function activate(series: Series, name: string, parameters: Record<string, unknown>): Promise<ActiveTrigger> {
	const wf = triggerWorkflow({ id: name, name, trigger: triggerNode(parameters) });
	const webhookId = String((wf.nodes[0] as { webhookId?: string }).webhookId);
	const id = await series.n8n.apiCreateWorkflow(wf);
	await series.n8n.activate(id);
	const subscription = allSubscriptions(series.emu.core).find((s) => String(s.notificationUrl).includes(`/${webhookId}/`));
	return {
		id,
		webhookId,
		resource: subscription ? String(subscription.resource) : undefined,
		includeResourceData: subscription ? subscription.includeResourceData === true : undefined,
	};
}

function isOurs(entry: DeliveryLogEntry, trigger: ActiveTrigger): boolean {
	return entry.kind === 'notification' && entry.url.includes(`/${trigger.webhookId}/`);
}

interface RunItem {
	id: string;
	subject: string;
	executionId: string;
	startedAtMs: number;
	stoppedAtMs: number;
}

function itemsOf(execution: any): RunItem[] {
	const items: Array<{ json: any }> = execution.data?.resultData?.runData?.[TRIGGER]?.[0]?.data?.main?.[0] ?? [];
	return items.map((item) => ({
		id: String(item.json?.id ?? ''),
		subject: String(item.json?.subject ?? ''),
		executionId: String(execution.id),
		startedAtMs: Date.parse(execution.startedAt),
		stoppedAtMs: Date.parse(execution.stoppedAt ?? execution.startedAt),
	}));
}

// ------------------------------------------------------------------------------------------ delivering

interface Mail {
	subject: string;
	/** Adele's copy. */
	messageId: string;
	matching: boolean;
	arrivedAtMs: number;
}

/** Mail i (0-based) of n matches when it is one of `matching` evenly spread ones, the last mail included. */
export function isMatching(i: number, n: number, matching: number): boolean {
	if (matching <= 0) return false;
	const step = n / matching;
	return Math.floor((i + 1) / step) !== Math.floor(i / step);
}

/** One mail every `intervalMs` (on an absolute schedule, so a slow step does not stretch the rest). */
async function deliverSteadily(series: Series, prefix: string, n: number, matching: number, intervalMs: number): Promise<Mail[]> {
	const mails: Mail[] = [];
	const start = Date.now();
	let other = 0;
	for (let i = 0; i < n; i++) {
		await sleep(Math.max(0, start + i * intervalMs - Date.now()));
		const match = isMatching(i, n, matching);
		const subject = match ? `${prefix} ${MATCH_WORD} ${i + 1}` : `${prefix} other ${i + 1}`;
		const from = match ? MATCH_SENDER : OTHER_SENDERS[other++ % OTHER_SENDERS.length];
		const arrivedAtMs = Date.now();
		const record = deliverMail(series.emu.core, { to: ADELE.userPrincipalName, from, subject, text: 'Benchmark mail.' });
		const messageId = record.deliveredTo.find((d) => d.userId === ADELE.id)?.messageId ?? '';
		mails.push({ subject, messageId, matching: match, arrivedAtMs });
	}
	return mails;
}

interface Progress {
	executions: number;
	/** Changes delivered, plus those Graph gave up on (every attempt failed): both are settled. */
	notifications: number;
	graphRequests: number;
}

function changesIn(entries: DeliveryLogEntry[]): number {
	return entries.reduce((sum, entry) => sum + entry.payload.value.filter((item) => item.changeType).length, 0);
}

/** POST attempts that were the last one Graph makes and failed: their changes are lost (Graph would send `missed`). */
function givenUp(series: Series, entries: DeliveryLogEntry[]): DeliveryLogEntry[] {
	const maxAttempts = stateOf(series.emu.core).config.maxAttempts;
	return entries.filter((entry) => !entry.delivered && entry.attempt >= maxAttempts);
}

async function progressOf(series: Series, trigger: ActiveTrigger, logStart: number, withExecutions: boolean): Promise<Progress> {
	const posts = deliveryLog(series.emu.core).slice(logStart).filter((e) => isOurs(e, trigger));
	return {
		executions: withExecutions ? (await allExecutions(series, trigger.id, false)).filter((e) => e.finished || e.stoppedAt).length : 0,
		notifications: changesIn(posts.filter((p) => p.delivered)) + changesIn(givenUp(series, posts)),
		graphRequests: series.emu.requests().filter((r) => r.area === 'graph').length,
	};
}

/**
 * Waits until Graph has delivered (or given up on) at least `notifications` change notifications to
 * the trigger and then nothing moves (executions, deliveries, Graph requests) for QUIET_MS.
 */
async function settle(series: Series, trigger: ActiveTrigger, logStart: number, notifications: number): Promise<void> {
	const deadline = Date.now() + SETTLE_TIMEOUT_MS;
	let last = await progressOf(series, trigger, logStart, true);
	let stableSince = Date.now();
	while (Date.now() < deadline) {
		await sleep(500);
		const now = await progressOf(series, trigger, logStart, true);
		if (now.executions !== last.executions || now.notifications !== last.notifications || now.graphRequests !== last.graphRequests) {
			last = now;
			stableSince = Date.now();
			continue;
		}
		if (now.notifications >= notifications && Date.now() - stableSince >= QUIET_MS) return;
	}
}

interface WindowFigures {
	/** Notification POSTs Graph made to the trigger (attempts), delivered ones, and the changes they carried. */
	posts: number;
	postsDelivered: number;
	notifications: number;
	/** Attempts without a 2xx within Graph's 3 s (timeouts), and changes Graph gave up on after its last attempt. */
	failedAttempts: number;
	changesLost: number;
	/** Rich items (with `encryptedContent`) among them. */
	encryptedNotifications: number;
	graphRequests: number;
	graphRequestsByRoute: Record<string, number>;
	/** Token, JWKS and other non-Graph requests (counted apart). */
	otherRequests: number;
	ackP50Ms?: number;
	ackMaxMs?: number;
}

function routeOf(request: RecordedRequest): string {
	const path = request.path
		.replace(/\/messages\/[^/?]+/i, '/messages/{id}')
		.replace(/\/subscriptions\/[^/?]+/i, '/subscriptions/{id}')
		.replace(/\/users\/[^/?]+/i, '/users/{id}');
	return `${request.method} ${path}`;
}

function windowFigures(series: Series, trigger: ActiveTrigger, logStart: number): WindowFigures {
	const posts = deliveryLog(series.emu.core).slice(logStart).filter((e) => isOurs(e, trigger));
	const delivered = posts.filter((p) => p.delivered);
	const changes = delivered.flatMap((p) => p.payload.value).filter((item) => item.changeType);
	const lost = givenUp(series, posts);
	const requests = series.emu.requests();
	const graph = requests.filter((r) => r.area === 'graph');
	const byRoute: Record<string, number> = {};
	for (const request of graph) byRoute[routeOf(request)] = (byRoute[routeOf(request)] ?? 0) + 1;
	const acks = delivered.map((p) => p.durationMs);
	return {
		posts: posts.length,
		postsDelivered: delivered.length,
		notifications: changes.length,
		failedAttempts: posts.length - delivered.length,
		changesLost: changesIn(lost),
		encryptedNotifications: changes.filter((item) => item.encryptedContent !== undefined).length,
		graphRequests: graph.length,
		graphRequestsByRoute: byRoute,
		otherRequests: requests.length - graph.length,
		ackP50Ms: acks.length ? percentile(acks, 50) : undefined,
		ackMaxMs: acks.length ? Math.max(...acks) : undefined,
	};
}

/** The server's own CPU rate (ms per ms) when nothing happens (timers, pollers), to take out of a window's figure. */
async function idleCpuRate(pid: number | undefined): Promise<number | undefined> {
	const start = processCpuMs(pid);
	await sleep(IDLE_SAMPLE_MS);
	const end = processCpuMs(pid);
	return start !== undefined && end !== undefined ? (end - start) / IDLE_SAMPLE_MS : undefined;
}

/** Only the emulator is watched until Graph has delivered `notifications` (polling n8n's API costs its CPU). */
async function waitForNotifications(series: Series, trigger: ActiveTrigger, logStart: number, notifications: number): Promise<void> {
	const deadline = Date.now() + SETTLE_TIMEOUT_MS;
	while (Date.now() < deadline && (await progressOf(series, trigger, logStart, false)).notifications < notifications) await sleep(250);
}

function netCpu(grossMs: number | undefined, idleRate: number | undefined, windowMs: number): number | undefined {
	return grossMs !== undefined && idleRate !== undefined ? Math.max(0, grossMs - idleRate * windowMs) : undefined;
}

// ------------------------------------------------------------------------------------------ part 1: filters

export interface FilterFigures extends WindowFigures {
	variant: FilterVariant;
	label: string;
	mails: number;
	matching: number;
	resource?: string;
	runs: number;
	items: number;
	/** Matching mails that started no run; other mails that did; items of the same mail more than once. */
	matchingMissing: number;
	unexpected: number;
	duplicated: number;
	/** First mail → last run finished; last mail → last run finished. */
	wallMs?: number;
	afterLastMailMs?: number;
	/** CPU time of the n8n server process from the first mail until everything settled; its idle rate; the difference. */
	cpuGrossMs?: number;
	idleCpuPerSecondMs?: number;
	windowMs: number;
	cpuMs?: number;
}

/**
 * One measured burst of mails for an active trigger: deliver them, wait until Graph's deliveries and
 * n8n's runs settle, deactivate, and read the figures, the runs' items and which mail each item is.
 */
async function measureBurst(series: Series, trigger: ActiveTrigger, pid: number | undefined, expectedNotifications: number, deliver: () => Promise<Mail[]>) {
	series.emu.clearRequests();
	const logStart = deliveryLog(series.emu.core).length;
	const cpuStart = processCpuMs(pid);
	const started = Date.now();
	const mails = await deliver();
	await waitForNotifications(series, trigger, logStart, expectedNotifications);
	await settle(series, trigger, logStart, expectedNotifications);
	const cpuEnd = processCpuMs(pid);
	const windowMs = Date.now() - started;
	const window = windowFigures(series, trigger, logStart);
	const executions = await allExecutions(series, trigger.id, true);
	await series.n8n.deactivate(trigger.id);
	const byId = new Map(mails.map((mail) => [mail.messageId, mail]));
	const bySubject = new Map(mails.map((mail) => [mail.subject, mail]));
	return {
		mails,
		executions,
		items: executions.flatMap(itemsOf),
		window,
		windowMs,
		cpuGross: cpuStart !== undefined && cpuEnd !== undefined ? cpuEnd - cpuStart : undefined,
		mailOf: (item: RunItem) => byId.get(item.id) ?? bySubject.get(item.subject),
	};
}

async function runFilterVariant(
	series: Series,
	spec: (typeof FILTER_VARIANTS)[number],
	opts: TriggerFiltersOptions,
	pid: number | undefined,
	log: (line: string) => void,
): Promise<FilterFigures> {
	const trigger = await activate(series, `w7 filter ${spec.variant}`, { mailFilters: spec.mailFilters });
	log(`w7 ${spec.variant}: active, subscription resource ${trigger.resource ?? '(none found)'}`);
	await sleep(1000);
	const idleRate = await idleCpuRate(pid);
	const expectedNotifications = spec.variant === 'graph' ? opts.matching : opts.mails;
	const { mails, items, executions, window, windowMs, cpuGross, mailOf } = await measureBurst(series, trigger, pid, expectedNotifications, () =>
		deliverSteadily(series, `W7 ${spec.variant}`, opts.mails, opts.matching, opts.intervalMs),
	);
	const seen = new Map<string, number>();
	for (const item of items) {
		const mail = mailOf(item);
		const key = mail?.subject ?? `?${item.id}`;
		seen.set(key, (seen.get(key) ?? 0) + 1);
	}
	const wanted = spec.variant === 'none' ? mails : mails.filter((m) => m.matching);
	const wantedSubjects = new Set(wanted.map((m) => m.subject));
	const stopped = items.map((i) => i.stoppedAtMs).filter(Number.isFinite);
	const lastRun = stopped.length ? Math.max(...stopped) : undefined;
	return {
		variant: spec.variant,
		label: spec.label,
		mails: opts.mails,
		matching: opts.matching,
		resource: trigger.resource,
		runs: executions.length,
		items: items.length,
		matchingMissing: wanted.filter((m) => !seen.has(m.subject)).length,
		unexpected: [...seen.keys()].filter((subject) => !wantedSubjects.has(subject)).length,
		duplicated: [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
		wallMs: lastRun !== undefined ? lastRun - mails[0].arrivedAtMs : undefined,
		afterLastMailMs: lastRun !== undefined ? lastRun - mails[mails.length - 1].arrivedAtMs : undefined,
		cpuGrossMs: cpuGross,
		idleCpuPerSecondMs: idleRate !== undefined ? idleRate * 1000 : undefined,
		windowMs,
		cpuMs: netCpu(cpuGross, idleRate, windowMs),
		...window,
	};
}

// ------------------------------------------------------------------------------------------ part 2: rich vs fetch

export interface RichFigures extends WindowFigures {
	variant: RichVariant;
	mails: number;
	intervalMs: number;
	resource?: string;
	includeResourceData?: boolean;
	runs: number;
	items: number;
	/** Mails that started no run; items of the same mail more than once; items that carry no subject. */
	missing: number;
	duplicated: number;
	withoutSubject: number;
	latenciesMs: number[];
	p50?: number;
	p95?: number;
	max?: number;
	/** n8n server CPU from the first mail until settled, its idle rate just before, and the difference. */
	cpuGrossMs?: number;
	idleCpuPerSecondMs?: number;
	windowMs: number;
	cpuNetMs?: number;
	cpuPerNotificationMs?: number;
	requestsPerNotification?: number;
}

async function runRichVariant(series: Series, variant: RichVariant, opts: TriggerFiltersOptions, pid: number | undefined, log: (line: string) => void): Promise<RichFigures> {
	const trigger = await activate(series, `w7 ${variant}`, variant === 'rich' ? { options: { richNotifications: true } } : {});
	log(`w7 ${variant}: active, subscription resource ${trigger.resource ?? '(none found)'}, includeResourceData ${trigger.includeResourceData}`);
	await sleep(1000);
	const idleRate = await idleCpuRate(pid);

	const { mails, items, executions, window, windowMs, cpuGross, mailOf } = await measureBurst(series, trigger, pid, opts.richMails, () =>
		deliverSteadily(series, `W7 ${variant}`, opts.richMails, 0, opts.richIntervalMs),
	);
	const firstStart = new Map<string, number>();
	let duplicated = 0;
	for (const item of items) {
		const mail = mailOf(item);
		if (!mail) continue;
		const known = firstStart.get(mail.subject);
		if (known !== undefined) duplicated++;
		if (known === undefined || item.startedAtMs < known) firstStart.set(mail.subject, item.startedAtMs);
	}
	const latencies = mails.filter((m) => firstStart.has(m.subject)).map((m) => (firstStart.get(m.subject) as number) - m.arrivedAtMs);
	const cpuNet = netCpu(cpuGross, idleRate, windowMs);
	return {
		variant,
		mails: mails.length,
		intervalMs: opts.richIntervalMs,
		resource: trigger.resource,
		includeResourceData: trigger.includeResourceData,
		runs: executions.length,
		items: items.length,
		missing: mails.length - firstStart.size,
		duplicated,
		withoutSubject: items.filter((i) => !i.subject).length,
		latenciesMs: latencies,
		p50: latencies.length ? percentile(latencies, 50) : undefined,
		p95: latencies.length ? percentile(latencies, 95) : undefined,
		max: latencies.length ? Math.max(...latencies) : undefined,
		cpuGrossMs: cpuGross,
		idleCpuPerSecondMs: idleRate !== undefined ? idleRate * 1000 : undefined,
		windowMs,
		cpuNetMs: cpuNet,
		cpuPerNotificationMs: divide(cpuNet, window.notifications),
		requestsPerNotification: divide(window.graphRequests, window.notifications),
		...window,
	};
}

// ------------------------------------------------------------------------------------------ the workload

export async function runTriggerFiltersWorkload(opts: TriggerFiltersOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w7', 'Trigger filters and rich notifications');
	const started = Date.now();
	const latencyMs = opts.latencyMs ?? 50;
	const filters: FilterFigures[] = [];
	const rich: RichFigures[] = [];
	const option = richOption();

	let series: Series | undefined;
	try {
		series = await openSeries('w7-filters', { latencyMs });
		await series.n8n.start();
		await series.n8n.setupOwner();
		const pid = n8nServerPid(series);
		log(`w7: n8n ${series.n8n.n8nVersion}, server pid ${pid ?? 'unknown'}; ${opts.mails} mails per filter variant (${opts.matching} matching), one every ${opts.intervalMs} ms`);
		for (const spec of FILTER_VARIANTS) {
			const figures = await runFilterVariant(series, spec, opts, pid, log);
			filters.push(figures);
			log(
				`w7 ${figures.variant}: ${figures.runs} runs, ${figures.items} items, ${figures.postsDelivered} POSTs (${figures.notifications} notifications), ` +
					`${figures.graphRequests} Graph requests, n8n CPU ${ms(figures.cpuMs)} net (gross ${ms(figures.cpuGrossMs)}, idle ${ms(figures.idleCpuPerSecondMs)}/s over ${ms(figures.windowMs)}), wall ${ms(figures.wallMs)} (${ms(figures.afterLastMailMs)} after the last mail); ` +
					`${figures.matchingMissing} wanted mails missing, ${figures.unexpected} unwanted, ${figures.duplicated} duplicated`,
			);
		}
	} finally {
		await closeSeries(series);
		series = undefined;
	}

	if (!option.present) {
		log(`w7: ${option.message}`);
		result.notes.push(`w7: ${option.message}`);
	}
	try {
		series = await openSeries('w7-rich', { latencyMs });
		await series.n8n.start();
		await series.n8n.setupOwner();
		const pid = n8nServerPid(series);
		log(`w7: rich vs fetch, ${opts.richMails} mails one every ${opts.richIntervalMs} ms, server pid ${pid ?? 'unknown'}`);
		const variants: RichVariant[] = option.present ? ['fetch', 'rich'] : ['fetch'];
		for (const variant of variants) {
			try {
				const figures = await runRichVariant(series, variant, opts, pid, log);
				rich.push(figures);
				log(
					`w7 ${variant}: ${figures.items}/${figures.mails} mails in ${figures.runs} runs, p50 ${ms(figures.p50)}, p95 ${ms(figures.p95)}, ` +
						`CPU ${ms(figures.cpuPerNotificationMs)}/notification (gross ${ms(figures.cpuGrossMs)}, idle ${ms(figures.idleCpuPerSecondMs)}/s over ${ms(figures.windowMs)}), ` +
						`${figures.graphRequests} Graph requests (${figures.requestsPerNotification?.toFixed(2)}/notification), ${figures.encryptedNotifications} encrypted notifications`,
				);
			} catch (error) {
				if (variant === 'fetch') throw error;
				result.functionalErrors.push(`w7: the rich-notification variant failed: ${(error as Error)?.message ?? String(error)}`);
				log(`w7 rich failed: ${(error as Error)?.stack ?? String(error)}`);
			}
		}
	} finally {
		await closeSeries(series);
	}

	result.raw = { filters, rich, latencyMs, richOptionPresent: option.present, options: opts };
	checkFunctional(result, filters, rich);
	result.rows.push(...filterRows(filters), ...richRows(rich, option.present));
	result.notes.push(
		`w7: quick/full figures: ${opts.mails} mails (${opts.matching} matching) one every ${opts.intervalMs} ms per filter variant; ${opts.richMails} mails one every ${opts.richIntervalMs} ms for rich vs fetch; Graph latency ${latencyMs} ms`,
	);
	result.durationMs = Date.now() - started;
	return result;
}

function checkFunctional(result: WorkloadResult, filters: FilterFigures[], rich: RichFigures[]): void {
	for (const f of filters) {
		const label = `w7 ${f.variant} (${f.label})`;
		if (f.variant === 'none') {
			// The baseline is measured for its cost; mails it loses (n8n too slow to answer Graph) are a finding, not a failure of the filters.
			if (f.matchingMissing > 0 || f.changesLost > 0) {
				result.notes.push(
					`${label}: ${f.matchingMissing} of ${f.mails} mails started no run; Graph gave up on ${f.changesLost} changes after ${f.failedAttempts} POST attempts got no 2xx within 3 s (n8n busy; real Graph would then send "missed" and the trigger would resync)`,
				);
			}
			if (f.duplicated > 0) result.functionalErrors.push(`${label}: ${f.duplicated} duplicated items`);
			continue;
		}
		if (f.runs !== f.matching) result.functionalErrors.push(`${label}: ${f.runs} runs started, expected ${f.matching}`);
		if (f.matchingMissing > 0) result.functionalErrors.push(`${label}: ${f.matchingMissing} wanted mails started no run`);
		if (f.unexpected > 0) result.functionalErrors.push(`${label}: ${f.unexpected} mails that do not match started a run`);
		if (f.duplicated > 0) result.functionalErrors.push(`${label}: ${f.duplicated} duplicated items`);
		if (f.variant === 'graph' && f.notifications > f.matching) {
			result.functionalErrors.push(`${label}: Graph delivered ${f.notifications} notifications for ${f.matching} matching mails (the From filter is not in the subscription's $filter)`);
		}
	}
	for (const r of rich) {
		const label = `w7 ${r.variant}`;
		if (r.missing > 0) result.functionalErrors.push(`${label}: ${r.missing} of ${r.mails} mails started no run`);
		if (r.duplicated > 0) result.functionalErrors.push(`${label}: ${r.duplicated} duplicated items`);
		if (r.variant === 'rich' && r.encryptedNotifications === 0) result.functionalErrors.push(`${label}: no notification carried encryptedContent (the subscription is not a rich one)`);
		if (r.variant === 'rich' && r.withoutSubject > 0) result.notes.push(`${label}: ${r.withoutSubject} items without a subject (the rich item carries fewer properties than a fetched one)`);
	}
}

function row(testCase: string, metric: string, ours: string, other: string, ratio: string, goal = '–', ok?: boolean): Row {
	return { workload: WORKLOAD, case: testCase, metric, ours, other, ratio, goal, status: statusOf(ok) };
}

/** "100× fewer" when the other figure is the larger one, "1.2× more" when it is the smaller one. */
function fewer(ours: number | undefined, other: number | undefined): string {
	if (ours === 0 && other !== undefined && other > 0) return 'none at all';
	const ratio = divide(other, ours);
	if (ratio === undefined) return '–';
	if (Math.abs(ratio - 1) < 0.05) return 'about the same';
	return ratio > 1 ? `${times(ratio)} fewer` : `${times(1 / ratio)} more`;
}

/** Gross CPU and, in brackets, what is left after the idle rate; a net figure under a quarter of the idle share is noise. */
function cpuCell(f: FilterFigures): string {
	if (f.cpuGrossMs === undefined) return '–';
	const idleShare = ((f.idleCpuPerSecondMs ?? 0) * f.windowMs) / 1000;
	const net = f.cpuMs === undefined ? '–' : f.cpuMs < idleShare / 4 ? '≈ idle' : ms(f.cpuMs);
	return `${ms(f.cpuGrossMs)} (${net})`;
}

function filterRows(filters: FilterFigures[]): Row[] {
	const none = filters.find((f) => f.variant === 'none');
	const out: Row[] = [];
	for (const f of filters.filter((x) => x.variant !== 'none')) {
		const testCase = `${count(f.mails)} mails, ${count(f.matching)} match: ${f.label} vs no filter`;
		const other = (value: number | undefined, format: (v: number | undefined) => string = count) => (none ? format(value) : 'not run');
		out.push(row(testCase, 'runs started', count(f.runs), other(none?.runs), fewer(f.runs, none?.runs), count(f.matching), f.runs === f.matching));
		out.push(row(testCase, 'items output', count(f.items), other(none?.items), fewer(f.items, none?.items), count(f.matching), f.items === f.matching));
		out.push(
			row(
				testCase,
				'notification POSTs Graph delivered (changes in them)',
				`${count(f.postsDelivered)} (${count(f.notifications)})`,
				none ? `${count(none.postsDelivered)} (${count(none.notifications)})` : 'not run',
				fewer(f.postsDelivered, none?.postsDelivered),
			),
		);
		out.push(
			row(
				testCase,
				'POST attempts with no 2xx in 3 s / changes Graph gave up on',
				`${count(f.failedAttempts)} / ${count(f.changesLost)}`,
				none ? `${count(none.failedAttempts)} / ${count(none.changesLost)}` : 'not run',
				'–',
				'0 lost',
				f.changesLost === 0,
			),
		);
		out.push(row(testCase, 'Graph requests by the node', count(f.graphRequests), other(none?.graphRequests), fewer(f.graphRequests, none?.graphRequests)));
		out.push(
			row(
				testCase,
				'n8n server CPU in the window: gross (net of its idle rate)',
				cpuCell(f),
				none ? cpuCell(none) : 'not run',
				fewer(f.cpuGrossMs, none?.cpuGrossMs).replace('fewer', 'less (gross)'),
			),
		);
		out.push(
			row(
				testCase,
				'wall: first mail → last run (last mail → last run)',
				`${ms(f.wallMs)} (${ms(f.afterLastMailMs)})`,
				none ? `${ms(none.wallMs)} (${ms(none.afterLastMailMs)})` : 'not run',
				'–',
			),
		);
	}
	return out;
}

function richRows(rich: RichFigures[], present: boolean): Row[] {
	const fetch = rich.find((r) => r.variant === 'fetch');
	const on = rich.find((r) => r.variant === 'rich');
	if (!fetch && !on) return [];
	const base = (fetch ?? on) as RichFigures;
	const testCase = `${count(base.mails)} mails, one every ${ms(base.intervalMs)}: rich notifications vs one fetch per notification`;
	const ours = (value: string) => (on ? value : present ? 'failed' : 'option not present');
	const sooner = (a: number | undefined, b: number | undefined) => {
		const ratio = divide(b, a);
		return ratio === undefined ? '–' : ratio >= 1 ? `${times(ratio)} sooner` : `${times(1 / ratio)} later`;
	};
	return [
		row(testCase, 'mail delivered → execution started p50', ours(ms(on?.p50)), ms(fetch?.p50), sooner(on?.p50, fetch?.p50)),
		row(testCase, 'mail delivered → execution started p95', ours(ms(on?.p95)), ms(fetch?.p95), sooner(on?.p95, fetch?.p95)),
		row(testCase, 'n8n server CPU per notification (net of idle)', ours(ms(on?.cpuPerNotificationMs)), ms(fetch?.cpuPerNotificationMs), fewer(on?.cpuPerNotificationMs, fetch?.cpuPerNotificationMs)),
		row(
			testCase,
			'Graph requests per notification',
			ours(on?.requestsPerNotification?.toFixed(2) ?? '–'),
			fetch?.requestsPerNotification?.toFixed(2) ?? '–',
			fewer(on?.requestsPerNotification, fetch?.requestsPerNotification),
			'0 (rich)',
			on ? on.graphRequests === 0 : undefined,
		),
		row(
			testCase,
			'mails that started no run / duplicated',
			ours(on ? `${count(on.missing)} / ${count(on.duplicated)}` : '–'),
			fetch ? `${count(fetch.missing)} / ${count(fetch.duplicated)}` : '–',
			'–',
			'0 / 0',
			(on ? on.missing + on.duplicated === 0 : true) && (fetch ? fetch.missing + fetch.duplicated === 0 : true),
		),
	];
}
