/**
 * Workload 4: Get Mail Message (download `$value` and parse it) on 1, 10 and 25 MB messages with
 * attachments, against the floor: a fresh Node process that downloads the same bytes with node:http and
 * calls mailparser directly. Goals: node time ≤ 1.2× the floor, peak memory ≤ 3× the message size
 * (n8n's peak RSS above a run on a tiny message).
 */
import { resolve } from 'node:path';

import { seedMime } from '../test/emulator/mail';
import { ADELE } from '../test/e2e/support';
import { REPO_ROOT } from '../test/harness/runtime';
import { mimeMessage } from './fixtures';
import { MB, runFloorScript } from './measure';
import { closeSeries, executeMeasured, lighten, listWorkflow, openSeries, outlookNode, workflowId, type Series } from './series';
import { divide, emptyResult, mb, ms, statusOf, times, type Row, type WorkloadResult } from './report';

export interface MimeOptions {
	sizesMb: number[];
	/** Runs per size (node and floor each); the fastest counts, as the machine is shared. */
	repeats?: number;
}

const TIME_GOAL = 1.2;
const MEMORY_GOAL = 3;

interface FloorFigures {
	bytes: number;
	attachments: number;
	downloadMs: number;
	parseMs: number;
	peakAboveStartMb: number;
}

interface MimeFigures {
	sizeMb: number;
	bytes: number;
	attachments: number;
	node: Array<ReturnType<typeof lighten> & { binaries: number }>;
	floor: FloorFigures[];
	baselinePeakMb?: number;
}

function runFloor(url: string, token: string): Promise<FloorFigures> {
	return runFloorScript<FloorFigures>(resolve(__dirname, 'mime-floor.ts'), { BENCH_FLOOR_URL: url, BENCH_FLOOR_TOKEN: token }, REPO_ROOT);
}

function getParameters(messageId: string): Record<string, unknown> {
	return { resource: 'message', operation: 'get', messageId: { __rl: true, mode: 'id', value: messageId } };
}

function fastest<T>(values: T[], key: (value: T) => number | undefined): T | undefined {
	return [...values].sort((a, b) => (key(a) ?? Infinity) - (key(b) ?? Infinity))[0];
}

export async function runMimeWorkload(opts: MimeOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w4', 'MIME parse (Get Mail Message)');
	const started = Date.now();
	const repeats = opts.repeats ?? 1;
	const figures: MimeFigures[] = [];
	let series: Series | undefined;
	try {
		series = await openSeries('w4');
		const tiny = await seedMime(series.emu.core, { userId: ADELE.id, mimeBase64: mimeMessage(4096, 'tiny').toString('base64') });
		const messages: Array<{ sizeMb: number; id: string; bytes: number }> = [];
		for (const sizeMb of opts.sizesMb) {
			const raw = mimeMessage(sizeMb * MB, `${sizeMb}MB`);
			const seeded = await seedMime(series.emu.core, { userId: ADELE.id, mimeBase64: raw.toString('base64') });
			messages.push({ sizeMb, id: seeded.id, bytes: raw.length });
		}
		const baselineWf = listWorkflow(workflowId('w4tiny'), outlookNode('ours', getParameters(tiny.id)));
		const workflows = messages.map((m) => listWorkflow(workflowId(`w4get${m.sizeMb}mb`), outlookNode('ours', getParameters(m.id))));
		await series.n8n.importWorkflows([baselineWf, ...workflows]);
		const baseline = await executeMeasured(series, baselineWf);
		if (!baseline.success) result.functionalErrors.push(`w4: Get Mail Message on a 4 KB message failed: ${baseline.error}`);
		log(`w4 tiny message: node ${ms(baseline.nodeExecutionMs)}, peak RSS ${mb(baseline.peakRssMb)}`);
		const token = series.emu.issueToken({ userId: ADELE.id });
		for (const [index, message] of messages.entries()) {
			const figure: MimeFigures = { sizeMb: message.sizeMb, bytes: message.bytes, attachments: 0, node: [], floor: [], baselinePeakMb: baseline.peakRssMb };
			for (let repeat = 0; repeat < repeats; repeat++) {
				const run = await executeMeasured(series, workflows[index]);
				const item = run.output[0];
				const binaries = Object.keys(item?.binary ?? {}).length;
				figure.attachments = Array.isArray(item?.json?.attachments) ? item.json.attachments.length : 0;
				if (!run.success || binaries === 0) {
					result.functionalErrors.push(`w4: Get Mail Message on ${message.sizeMb} MB failed or gave no attachments: ${run.error ?? `${binaries} binaries`}`);
				}
				figure.node.push({ ...lighten(run), binaries });
				const floor = await runFloor(`${series.emu.url}/v1.0/me/messages/${encodeURIComponent(message.id)}/$value`, token);
				figure.floor.push(floor);
				log(
					`w4 ${message.sizeMb} MB (${message.bytes} bytes, ${binaries} binaries): node ${ms(run.nodeExecutionMs)} (download ${ms(run.window.windowMs)}), peak ${mb(run.peakRssMb)}, node added ${mb(run.nodeRss?.addedMb)}; floor download ${ms(floor.downloadMs)} + parse ${ms(floor.parseMs)}, +${mb(floor.peakAboveStartMb)}`,
				);
			}
			figures.push(figure);
		}
	} finally {
		await closeSeries(series);
	}
	result.raw = { figures };
	result.rows.push(...rows(figures));
	result.durationMs = Date.now() - started;
	return result;
}

function rows(figures: MimeFigures[]): Row[] {
	const out: Row[] = [];
	for (const figure of figures) {
		const node = fastest(figure.node, (run) => run.nodeExecutionMs);
		const floor = fastest(figure.floor, (f) => f.downloadMs + f.parseMs);
		if (!node || !floor) continue;
		const label = `${figure.sizeMb} MB, ${figure.attachments} attachments`;
		const row = (metric: string, a: string, b: string, ratio: string, goal: string, ok?: boolean): Row => ({
			workload: 'W4 MIME',
			case: label,
			metric,
			ours: a,
			other: b,
			ratio,
			goal,
			status: statusOf(ok),
		});
		const floorMs = floor.downloadMs + floor.parseMs;
		const timeRatio = divide(node.nodeExecutionMs, floorMs);
		out.push(
			row(
				'time: node (n8n executionTime) vs download + mailparser',
				ms(node.nodeExecutionMs),
				`${ms(floorMs)} (${ms(floor.downloadMs)} + ${ms(floor.parseMs)})`,
				times(timeRatio),
				`≤${TIME_GOAL}×`,
				timeRatio !== undefined && timeRatio <= TIME_GOAL,
			),
		);
		out.push(row('download as the emulator saw it', ms(node.window.windowMs), ms(floor.downloadMs), times(divide(node.window.windowMs, floor.downloadMs)), '–'));
		const sizeMb = figure.bytes / MB;
		const added = node.nodeRss?.addedMb;
		const memoryRatio = divide(added, sizeMb);
		out.push(
			row(
				'memory: RSS the node added while it ran, × message size',
				added === undefined ? '–' : `${mb(added)} (${times(memoryRatio)})`,
				`${mb(floor.peakAboveStartMb)} (${times(divide(floor.peakAboveStartMb, sizeMb))})`,
				times(divide(added, floor.peakAboveStartMb)),
				`≤${MEMORY_GOAL}× size`,
				memoryRatio !== undefined && memoryRatio <= MEMORY_GOAL,
			),
		);
		out.push(row('n8n execute wall time / peak RSS', ms(node.wallMs), mb(node.peakRssMb), '–', '–'));
	}
	return out;
}
