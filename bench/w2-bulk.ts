/**
 * Workload 2: bulk Get Mail Message and Delete Message items with the emulator enforcing Outlook's
 * limits (4 concurrent requests per mailbox, a sliding-window rate limit answered with 429 +
 * Retry-After). Goal: zero failed items and a node time within 1.1× of the minimum the limits allow.
 * Both nodes run with "On Error: Continue", so a failed item is counted instead of stopping the run.
 */
import type { EmulatorCoreImpl } from '../test/emulator/core';
import { seedMessages } from '../test/emulator/mail';
import { ADELE } from '../test/e2e/support';
import { closeSeries, executeMeasured, lighten, listWorkflow, openSeries, outlookNode, workflowId, type MeasuredRun, type Rival, type Series } from './series';
import { sleep } from './measure';
import { count, divide, emptyResult, ms, statusOf, times, type Row, type WorkloadResult } from './report';

export interface BulkOptions {
	gets: number;
	deletes: number;
	latencies: number[];
	rateLimit: { requests: number; windowMs: number };
	/** Also run n8n's built-in node (skipped in quick mode to keep CI short). */
	builtin: boolean;
}

const CONCURRENCY = 4;
const GOAL_RATIO = 1.1;

type Operation = 'get' | 'delete';

interface BulkFigures {
	rival: Rival;
	operation: Operation;
	latencyMs: number;
	items: number;
	succeeded: number;
	failed: number;
	firstFailure?: string;
	throttled: number;
	maxInFlight: number;
	minimumMs: number;
	run: ReturnType<typeof lighten>;
}

/**
 * The earliest the last of `n` requests can finish: at most `concurrency` in flight, each taking
 * `latencyMs`, and at most `requests` admitted in any `windowMs`. Greedy earliest start is optimal
 * for identical requests: s_k = max(s_{k-R} + W, f_{k-C}), f_k = s_k + L.
 */
export function minimumTimeMs(n: number, latencyMs: number, concurrency: number, rate: { requests: number; windowMs: number }): number {
	const starts: number[] = [];
	const finishes: number[] = [];
	for (let k = 0; k < n; k++) {
		let start = 0;
		if (k >= rate.requests) start = Math.max(start, starts[k - rate.requests] + rate.windowMs);
		if (k >= concurrency) {
			// The k-th request needs one of the slots; the earliest free slot is the (k-C)-th smallest finish.
			const sorted = finishes.slice(0, k).sort((a, b) => a - b);
			start = Math.max(start, sorted[k - concurrency]);
		}
		starts.push(start);
		finishes.push(start + latencyMs);
	}
	return n === 0 ? 0 : Math.max(...finishes);
}

function parameters(rival: Rival, operation: Operation): Record<string, unknown> {
	const messageId = { __rl: true, mode: 'id', value: '={{ $json.id }}' };
	// One request per item, as W2 measures it (its floor assumes that); W6 measures JSON batching.
	if (rival === 'ours') return { resource: 'message', operation, messageId, requestOptions: { batchRequests: false } };
	return operation === 'get'
		? { resource: 'message', operation, messageId, output: 'raw', options: {} }
		: { resource: 'message', operation, messageId };
}

function isFailure(item: { json?: any; error?: any }): boolean {
	return item.error !== undefined || (item.json && typeof item.json === 'object' && 'error' in item.json);
}

function figuresOf(
	series: Series,
	rival: Rival,
	operation: Operation,
	latencyMs: number,
	items: number,
	minimumMs: number,
	run: MeasuredRun,
): BulkFigures {
	const failures = run.output.filter(isFailure);
	// Items the node never output (a run that stopped) are failures too.
	const succeeded = run.success || run.output.length > 0 ? run.output.length - failures.length : 0;
	const stats = series.emu.stats();
	return {
		rival,
		operation,
		latencyMs,
		items,
		succeeded,
		failed: items - succeeded,
		firstFailure: failures[0] ? String(failures[0].json?.error ?? failures[0].error?.message ?? '') : run.error,
		throttled: run.window.byStatus['429'] ?? 0,
		maxInFlight: Math.max(0, ...Object.values(stats.maxInFlightByMailbox)),
		minimumMs,
		run: lighten(run),
	};
}

export async function runBulkWorkload(opts: BulkOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w2', 'Bulk get + delete under Graph limits');
	const started = Date.now();
	const figures: BulkFigures[] = [];
	for (const latencyMs of opts.latencies) {
		let series: Series | undefined;
		try {
			series = await openSeries(`w2-${latencyMs}`, { concurrencyPerMailbox: CONCURRENCY, rateLimit: opts.rateLimit, latencyMs });
			const getIds = seedMessages(series.emu.core, { userId: ADELE.id, count: opts.gets, subjectPrefix: 'Bulk get' }).ids;
			const deleteIds: Record<Rival, string[]> = {
				ours: seedMessages(series.emu.core, { userId: ADELE.id, count: opts.deletes, subjectPrefix: 'Bulk delete ours' }).ids,
				builtin: seedMessages(series.emu.core, { userId: ADELE.id, count: opts.deletes, subjectPrefix: 'Bulk delete builtin' }).ids,
			};
			const workflowFor = (rival: Rival, operation: Operation) => {
				const ids = operation === 'get' ? getIds : deleteIds[rival];
				return listWorkflow(
					workflowId(`w2${operation}${rival}${latencyMs}`),
					outlookNode(rival, parameters(rival, operation), { onError: 'continueRegularOutput' }),
					ids.map((id) => ({ id })),
				);
			};
			const plan: Array<[Rival, Operation]> = (
				[
					['ours', 'get'],
					['builtin', 'get'],
					['builtin', 'delete'],
					['ours', 'delete'],
				] as Array<[Rival, Operation]>
			).filter(([rival]) => rival === 'ours' || opts.builtin);
			const workflows = plan.map(([rival, operation]) => workflowFor(rival, operation));
			await series.n8n.importWorkflows(workflows);
			for (const [index, [rival, operation]] of plan.entries()) {
				const items = operation === 'get' ? opts.gets : opts.deletes;
				const minimumMs = minimumTimeMs(items, latencyMs, CONCURRENCY, opts.rateLimit);
				// Start every run with an empty rate window and fresh limit statistics.
				await sleep(opts.rateLimit.windowMs);
				(series.emu.core as EmulatorCoreImpl).limiter.resetStats();
				const run = await executeMeasured(series, workflows[index], { latencyMs });
				const figure = figuresOf(series, rival, operation, latencyMs, items, minimumMs, run);
				figures.push(figure);
				log(
					`w2 @${latencyMs} ms ${rival} ${operation} x${items}: ${figure.succeeded} ok, ${figure.failed} failed, ${figure.throttled} x 429, max in flight ${figure.maxInFlight}, node ${ms(run.window.windowMs)} (min ${ms(minimumMs)}), wall ${ms(run.wallMs)}${figure.firstFailure ? `; first failure: ${figure.firstFailure.slice(0, 160)}` : ''}`,
				);
			}
		} finally {
			await closeSeries(series);
		}
	}
	result.raw = { figures, concurrency: CONCURRENCY, rateLimit: opts.rateLimit };
	for (const figure of figures) {
		if (figure.rival === 'ours' && figure.failed > 0) {
			result.functionalErrors.push(`w2: ours ${figure.operation} @${figure.latencyMs} ms: ${figure.failed} of ${figure.items} items failed (${figure.firstFailure ?? 'no message'})`);
		}
		if (figure.rival === 'ours' && figure.maxInFlight > CONCURRENCY) {
			result.functionalErrors.push(`w2: ours ${figure.operation} had ${figure.maxInFlight} requests in flight (limit ${CONCURRENCY})`);
		}
	}
	result.rows.push(...rows(figures, opts));
	result.durationMs = Date.now() - started;
	return result;
}

function rows(figures: BulkFigures[], opts: BulkOptions): Row[] {
	const out: Row[] = [];
	for (const latencyMs of opts.latencies) {
		for (const operation of ['get', 'delete'] as const) {
			const ours = figures.find((f) => f.rival === 'ours' && f.operation === operation && f.latencyMs === latencyMs);
			const builtin = figures.find((f) => f.rival === 'builtin' && f.operation === operation && f.latencyMs === latencyMs);
			if (!ours) continue;
			const label = `${count(ours.items)} × ${operation} @${latencyMs} ms, ${CONCURRENCY} conc., ${opts.rateLimit.requests}/${opts.rateLimit.windowMs} ms`;
			const row = (metric: string, a: string, b: string, ratio: string, goal: string, ok?: boolean): Row => ({
				workload: 'W2 bulk',
				case: label,
				metric,
				ours: a,
				other: b,
				ratio,
				goal,
				status: statusOf(ok),
			});
			const other = (value: (f: BulkFigures) => string) => (builtin ? value(builtin) : 'not run');
			out.push(row('failed items', count(ours.failed), other((f) => count(f.failed)), '–', '0', ours.failed === 0));
			const ratio = divide(ours.run.window.windowMs, ours.minimumMs);
			out.push(
				row('ours: node time (emulator) vs limits minimum', ms(ours.run.window.windowMs), `${ms(ours.minimumMs)} (min)`, times(ratio), `≤${GOAL_RATIO}× min`, ratio !== undefined && ratio <= GOAL_RATIO),
			);
			const execRatio = divide(ours.run.nodeExecutionMs, ours.minimumMs);
			out.push(
				row(
					'ours: node time (n8n executionTime) vs minimum',
					ms(ours.run.nodeExecutionMs),
					`${ms(ours.minimumMs)} (min)`,
					times(execRatio),
					`≤${GOAL_RATIO}× min`,
					execRatio !== undefined && execRatio <= GOAL_RATIO,
				),
			);
			out.push(
				row(
					'node time: ours vs built-in',
					ms(ours.run.window.windowMs),
					other((f) => ms(f.run.window.windowMs)),
					!builtin ? '–' : builtin.failed > 0 ? `n/a: built-in failed ${count(builtin.failed)}` : `${times(divide(builtin.run.window.windowMs, ours.run.window.windowMs))} faster`,
					'–',
				),
			);
			out.push(
				row(
					'ours: before the first request (n8n prepares every item first)',
					ms(ours.run.beforeFirstRequestMs),
					other((f) => ms(f.run.beforeFirstRequestMs)),
					'–',
					'–',
				),
			);
			out.push(row('429 answers received', count(ours.throttled), other((f) => count(f.throttled)), '–', '–'));
			out.push(row('max requests in flight', count(ours.maxInFlight), other((f) => count(f.maxInFlight)), '–', `≤${CONCURRENCY}`, ours.maxInFlight <= CONCURRENCY));
			out.push(
				row('n8n execute wall time', ms(ours.run.wallMs), other((f) => ms(f.run.wallMs)), builtin ? times(divide(builtin.run.wallMs, ours.run.wallMs)) : '–', '–'),
			);
		}
	}
	return out;
}
