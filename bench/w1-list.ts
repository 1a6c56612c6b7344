/**
 * Workload 1: List Mail Messages with Fetch All on an N-message mailbox, ours against n8n's built-in
 * Outlook node (v2, output Raw so both fetch Graph's default property set), with and without
 * injected latency. Goals: requests = ⌈N/1000⌉, ≥10× fewer requests and ≥5× faster at 50 ms than
 * the built-in; time and memory per message flat from 10,000 to 100,000 messages.
 */
import { seedMessages } from '../test/emulator/mail';
import { ADELE } from '../test/e2e/support';
import { closeSeries, executeMeasured, lighten, listWorkflow, openSeries, outlookNode, workflowId, type MeasuredRun, type Rival, type Series } from './series';
import { MB } from './measure';
import { count, divide, emptyResult, mb, ms, statusOf, times, type Row, type WorkloadResult } from './report';

export interface ListOptions {
	sizes: number[];
	latencies: number[];
	/** Runs per (size, latency, node) for mailboxes up to `repeatUpTo` messages; the fastest counts. */
	repeats?: number;
	repeatUpTo?: number;
}

const PAGE_MAX = 1000;
/** "Flat" per-message cost: the larger mailbox may cost at most this much more per message. */
const FLAT_TOLERANCE = 1.25;

interface ListFigures {
	rival: Rival;
	size: number;
	latencyMs: number;
	success: boolean;
	error?: string;
	items: number;
	uniqueIds: number;
	run: ReturnType<typeof lighten>;
}

function listParameters(rival: Rival, folder?: string): Record<string, unknown> {
	if (rival === 'ours') {
		const folderId = folder ? { folderId: { __rl: true, mode: 'id', value: folder } } : {};
		return { resource: 'message', operation: 'getAll', returnAll: true, ...folderId };
	}
	return { resource: 'message', operation: 'getAll', returnAll: true, output: 'raw', filtersUI: {}, options: {} };
}

function figuresOf(rival: Rival, size: number, latencyMs: number, run: MeasuredRun): ListFigures {
	const ids = new Set(run.output.map((item) => String(item.json?.id)));
	return {
		rival,
		size,
		latencyMs,
		success: run.success,
		error: run.error,
		items: run.output.length,
		uniqueIds: ids.size,
		run: lighten(run),
	};
}

export async function runListWorkload(opts: ListOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w1', 'List all messages (Fetch All)');
	const started = Date.now();
	const figures: ListFigures[] = [];
	const baselines: Record<number, number | undefined> = {};
	for (const size of opts.sizes) {
		let series: Series | undefined;
		try {
			series = await openSeries(`w1-${size}`);
			seedMessages(series.emu.core, { userId: ADELE.id, count: size });
			const workflows = {
				baseline: listWorkflow(workflowId(`w1base${size}`), outlookNode('ours', listParameters('ours', 'drafts'))),
				ours: listWorkflow(workflowId(`w1ours${size}`), outlookNode('ours', listParameters('ours'))),
				builtin: listWorkflow(workflowId(`w1builtin${size}`), outlookNode('builtin', listParameters('builtin'))),
			};
			await series.n8n.importWorkflows(Object.values(workflows));
			// n8n + our node with one tiny request: what the process costs before any message is held.
			const baseline = await executeMeasured(series, workflows.baseline);
			baselines[size] = baseline.peakRssMb;
			log(`w1 ${size}: baseline execute ${ms(baseline.wallMs)}, peak RSS ${mb(baseline.peakRssMb)}`);
			// ABBA order over the latencies, so neither node always runs on the fresher database.
			for (const [index, latencyMs] of opts.latencies.entries()) {
				series.emu.configure({ latencyMs });
				const order: Rival[] = index % 2 === 0 ? ['ours', 'builtin'] : ['builtin', 'ours'];
				const repeats = size <= (opts.repeatUpTo ?? 0) ? (opts.repeats ?? 1) : 1;
				for (let repeat = 0; repeat < repeats; repeat++) {
					for (const rival of repeat % 2 === 0 ? order : [...order].reverse()) {
						const run = await executeMeasured(series, workflows[rival], { latencyMs });
						const figure = figuresOf(rival, size, latencyMs, run);
						figures.push(figure);
						log(
							`w1 ${size} @${latencyMs} ms ${rival}: ${figure.items} items (${figure.uniqueIds} unique), ${run.window.requests} requests, node ${ms(run.window.windowMs)} (idle ${ms(run.window.idleMs)}, emulator ${ms(run.window.emulatorBusyMs)}), wall ${ms(run.wallMs)}, peak ${mb(run.peakRssMb)}${run.error ? `, error: ${run.error}` : ''}`,
						);
					}
				}
			}
		} finally {
			await closeSeries(series);
		}
	}
	result.raw = { figures, baselinePeakRssMb: baselines };
	checkFunctional(result, figures);
	result.rows.push(...comparisonRows(figures, opts.latencies));
	result.rows.push(...flatnessRows(figures, baselines, opts));
	result.durationMs = Date.now() - started;
	return result;
}

function checkFunctional(result: WorkloadResult, figures: ListFigures[]): void {
	for (const figure of figures) {
		const complete = figure.success && figure.items === figure.size && figure.uniqueIds === figure.size;
		if (complete) continue;
		const what = `${figure.rival} listed ${figure.items} items (${figure.uniqueIds} unique) of ${figure.size} at ${figure.latencyMs} ms${figure.error ? `: ${figure.error}` : ''}`;
		if (figure.rival === 'ours') result.functionalErrors.push(`w1: ${what}`);
		else result.notes.push(`w1: the built-in node ${what}`);
	}
}

/** The fastest run of a node for one case (the machine is shared; repeats only ever add noise upwards). */
function find(figures: ListFigures[], rival: Rival, size: number, latencyMs: number): ListFigures | undefined {
	return figures
		.filter((f) => f.rival === rival && f.size === size && f.latencyMs === latencyMs)
		.sort((a, b) => a.run.window.windowMs - b.run.window.windowMs)[0];
}

function comparisonRows(figures: ListFigures[], latencies: number[]): Row[] {
	const rows: Row[] = [];
	const sizes = [...new Set(figures.map((f) => f.size))];
	for (const size of sizes) {
		for (const latencyMs of latencies) {
			const ours = find(figures, 'ours', size, latencyMs);
			const builtin = find(figures, 'builtin', size, latencyMs);
			if (!ours || !builtin) continue;
			const label = `${count(size)} msgs @${latencyMs} ms`;
			const row = (metric: string, a: string, b: string, ratio: string, goal: string, ok?: boolean): Row => ({
				workload: 'W1 list',
				case: label,
				metric,
				ours: a,
				other: b,
				ratio,
				goal,
				status: statusOf(ok),
			});
			const expected = Math.ceil(size / PAGE_MAX);
			const fewer = divide(builtin.run.window.requests, ours.run.window.requests);
			rows.push(
				row(
					'HTTP requests',
					count(ours.run.window.requests),
					count(builtin.run.window.requests),
					`${times(fewer)} fewer`,
					`= ⌈N/1000⌉ (${expected}), ≥10× fewer`,
					ours.run.window.requests === expected && (fewer ?? 0) >= 10,
				),
			);
			const faster = divide(builtin.run.window.windowMs, ours.run.window.windowMs);
			rows.push(
				row(
					'node time (emulator: 1st req → last resp)',
					ms(ours.run.window.windowMs),
					ms(builtin.run.window.windowMs),
					`${times(faster)} faster`,
					latencyMs === 50 ? '≥5× faster' : '–',
					latencyMs === 50 ? (faster ?? 0) >= 5 : undefined,
				),
			);
			rows.push(
				row(
					'of which no request in flight (n8n handling pages)',
					ms(ours.run.window.idleMs),
					ms(builtin.run.window.idleMs),
					'–',
					'–',
				),
			);
			rows.push(
				row(
					'node time (n8n executionTime)',
					ms(ours.run.nodeExecutionMs),
					ms(builtin.run.nodeExecutionMs),
					`${times(divide(builtin.run.nodeExecutionMs, ours.run.nodeExecutionMs))} faster`,
					'–',
				),
			);
			rows.push(row('n8n execute wall time', ms(ours.run.wallMs), ms(builtin.run.wallMs), times(divide(builtin.run.wallMs, ours.run.wallMs)), '–'));
			rows.push(
				row(
					'peak RSS of n8n (whole execute)',
					mb(ours.run.peakRssMb),
					mb(builtin.run.peakRssMb),
					times(divide(builtin.run.peakRssMb, ours.run.peakRssMb)),
					'–',
				),
			);
			rows.push(
				row(
					'RSS the node added while it ran',
					mb(ours.run.nodeRss?.addedMb),
					mb(builtin.run.nodeRss?.addedMb),
					times(divide(builtin.run.nodeRss?.addedMb, ours.run.nodeRss?.addedMb)),
					'–',
				),
			);
		}
	}
	return rows;
}

/** Per-message time and memory, smallest against largest mailbox (ours; the built-in for context). */
function flatnessRows(figures: ListFigures[], baselines: Record<number, number | undefined>, opts: ListOptions): Row[] {
	if (opts.sizes.length < 2) return [];
	const small = Math.min(...opts.sizes);
	const large = Math.max(...opts.sizes);
	const rows: Row[] = [];
	for (const latencyMs of opts.latencies) {
		const a = find(figures, 'ours', small, latencyMs);
		const b = find(figures, 'ours', large, latencyMs);
		if (!a || !b) continue;
		const perMessageUs = (f: ListFigures) => (f.run.window.windowMs * 1000) / f.size;
		const perMessageKb = (f: ListFigures, baseline: number | undefined) =>
			f.run.peakRssMb !== undefined && baseline !== undefined ? ((f.run.peakRssMb - baseline) * MB) / 1024 / f.size : undefined;
		const nodePerMessageKb = (f: ListFigures) => (f.run.nodeRss ? (f.run.nodeRss.addedMb * MB) / 1024 / f.size : undefined);
		const timeGrowth = divide(perMessageUs(b), perMessageUs(a));
		const memA = perMessageKb(a, baselines[small]);
		const memB = perMessageKb(b, baselines[large]);
		const memGrowth = divide(memB, memA);
		const nodeMemA = nodePerMessageKb(a);
		const nodeMemB = nodePerMessageKb(b);
		const nodeMemGrowth = divide(nodeMemB, nodeMemA);
		const label = `${count(small)} → ${count(large)} @${latencyMs} ms`;
		rows.push({
			workload: 'W1 list',
			case: label,
			metric: 'ours: node time per message',
			ours: `${perMessageUs(b).toFixed(1)} µs`,
			other: `${perMessageUs(a).toFixed(1)} µs (at ${count(small)})`,
			ratio: times(timeGrowth),
			goal: `flat (≤${FLAT_TOLERANCE}×)`,
			status: statusOf(timeGrowth !== undefined ? timeGrowth <= FLAT_TOLERANCE : undefined),
		});
		rows.push({
			workload: 'W1 list',
			case: label,
			metric: 'ours: RSS added while the node ran, per message',
			ours: nodeMemB === undefined ? '–' : `${nodeMemB.toFixed(2)} KB`,
			other: nodeMemA === undefined ? '–' : `${nodeMemA.toFixed(2)} KB (at ${count(small)})`,
			ratio: times(nodeMemGrowth),
			goal: `flat (≤${FLAT_TOLERANCE}×)`,
			status: statusOf(nodeMemGrowth !== undefined ? nodeMemGrowth <= FLAT_TOLERANCE : undefined),
		});
		const builtinA = find(figures, 'builtin', small, latencyMs);
		const builtinB = find(figures, 'builtin', large, latencyMs);
		const builtinMemA = builtinA ? nodePerMessageKb(builtinA) : undefined;
		const builtinMemB = builtinB ? nodePerMessageKb(builtinB) : undefined;
		rows.push({
			workload: 'W1 list',
			case: label,
			metric: 'built-in, for comparison: RSS added per message',
			ours: builtinMemB === undefined ? '–' : `${builtinMemB.toFixed(2)} KB`,
			other: builtinMemA === undefined ? '–' : `${builtinMemA.toFixed(2)} KB (at ${count(small)})`,
			ratio: times(divide(builtinMemB, builtinMemA)),
			goal: '–',
			status: 'info',
		});
		// The whole process includes n8n's own work after the node (the run's JSON, the DB write).
		rows.push({
			workload: 'W1 list',
			case: label,
			metric: 'n8n execute peak RSS over baseline, per message',
			ours: memB === undefined ? '–' : `${memB.toFixed(2)} KB`,
			other: memA === undefined ? '–' : `${memA.toFixed(2)} KB (at ${count(small)})`,
			ratio: times(memGrowth),
			goal: '–',
			status: 'info',
		});
	}
	return rows;
}
