/**
 * Workload 5: Send Message with one large attachment (3, 25, 100 MB) read from disk by n8n's
 * Read/Write Files node, with latency on every request (Graph and the upload URL). Compared with the
 * bytes/latency floor: a fresh Node process that reads the same file and makes the fewest requests a
 * send can take (draft, upload session, the largest chunks Graph accepts, send) with node:http.
 * Also peak memory (n8n's peak RSS above a send with a 1 KB attachment).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

import { sentLog } from '../test/emulator/mail';
import { ADELE, MEGAN } from '../test/e2e/support';
import type { WorkflowFixture } from '../test/harness/n8n';
import { REPO_ROOT } from '../test/harness/runtime';
import { FLOOR_CHUNK_BYTES, randomFile } from './fixtures';
import { MB, runFloorScript } from './measure';
import { closeSeries, executeMeasured, lighten, openSeries, outlookNode, workflowId, type Series } from './series';
import { divide, emptyResult, mb, ms, statusOf, times, type Row, type WorkloadResult } from './report';

export interface SendOptions {
	sizesMb: number[];
	latencyMs: number;
}

interface SendFloor {
	bytes: number;
	requests: number;
	readMs: number;
	sendMs: number;
	totalMs: number;
	peakAboveStartMb: number;
}

interface SendFigures {
	sizeMb: number;
	bytes: number;
	success: boolean;
	error?: string;
	/** How the node sent it: 'sendMail' (inline) or 'draft+upload'. */
	route: string;
	chunks: number;
	delivered: boolean;
	run: ReturnType<typeof lighten>;
	floor?: SendFloor;
	/** The fewest requests × latency: the latency part of any floor. */
	latencyFloorMs: number;
	baselinePeakMb?: number;
}

/** Manual Trigger → Read/Write Files (the file as binary `data`) → Send Message with that attachment. */
function sendWorkflow(id: string, file: string, subject: string): WorkflowFixture {
	const place = (name: string, type: string, typeVersion: number, column: number, parameters: Record<string, unknown>) => ({
		id: randomUUID(),
		name,
		type,
		typeVersion,
		position: [column * 220, 0],
		parameters,
	});
	const send = outlookNode('ours', {
		resource: 'message',
		operation: 'send',
		toRecipients: MEGAN.mail,
		subject,
		bodyContent: '<p>The file is attached.</p>',
		attachments: { attachment: [{ binaryPropertyName: 'data' }] },
	});
	const nodes = [
		place('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
		place('Read File', 'n8n-nodes-base.readWriteFile', 1, 1, { operation: 'read', fileSelector: file, options: {} }),
		{ ...place(send.name, send.type, send.typeVersion ?? 1, 2, send.parameters ?? {}), credentials: send.credentials },
	];
	return {
		id,
		name: id,
		nodes,
		connections: {
			Start: { main: [[{ node: 'Read File', type: 'main', index: 0 }]] },
			'Read File': { main: [[{ node: send.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

export async function runSendWorkload(opts: SendOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w5', 'Large attachment send');
	const started = Date.now();
	const figures: SendFigures[] = [];
	let series: Series | undefined;
	try {
		// Files n8n may read must be inside N8N_RESTRICT_FILE_ACCESS_TO and outside ~/.n8n.
		const filesDir = mkdtempSync(join(tmpdir(), 'n8n-bench-files-'));
		try {
			series = await openSeries('w5', { latencyMs: opts.latencyMs }, { N8N_RESTRICT_FILE_ACCESS_TO: filesDir });
		} finally {
			if (series) series.extraDirs.push(filesDir);
			else rmSync(filesDir, { recursive: true, force: true });
		}
		// Graph's upload server is on the internet too: the same latency on every chunk.
		series.emu.addFault({ kind: 'latency', pathPattern: '^/upload/', times: -1, latencyMs: opts.latencyMs });
		const cases = [{ sizeMb: 0, bytes: 1024 }, ...opts.sizesMb.map((sizeMb) => ({ sizeMb, bytes: Math.round(sizeMb * MB) }))];
		const workflows = cases.map((c) => {
			const file = join(filesDir, `attachment-${c.sizeMb}MB.bin`);
			writeFileSync(file, randomFile(c.bytes));
			return { ...c, file, subject: `Benchmark send ${c.sizeMb} MB`, wf: sendWorkflow(workflowId(`w5send${c.sizeMb}mb`), file, `Benchmark send ${c.sizeMb} MB`) };
		});
		await series.n8n.importWorkflows(workflows.map((w) => w.wf));
		const token = series.emu.issueToken({ userId: ADELE.id });
		let baselinePeakMb: number | undefined;
		for (const c of workflows) {
			const run = await executeMeasured(series, c.wf, { latencyMs: opts.latencyMs });
			const uploads = run.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/upload/'));
			const route = run.requests.some((r) => r.path.endsWith('/sendMail')) ? 'sendMail' : 'draft+upload';
			const delivered = sentLog(series.emu.core).some((record) => record.subject === c.subject);
			if (c.sizeMb === 0) {
				baselinePeakMb = run.peakRssMb;
				if (!run.success || !delivered) result.functionalErrors.push(`w5: sending a 1 KB attachment failed: ${run.error ?? 'not delivered'}`);
				log(`w5 1 KB baseline: node ${ms(run.nodeExecutionMs)}, peak RSS ${mb(run.peakRssMb)}`);
				continue;
			}
			const chunksMin = Math.ceil(c.bytes / FLOOR_CHUNK_BYTES);
			const figure: SendFigures = {
				sizeMb: c.sizeMb,
				bytes: c.bytes,
				success: run.success,
				error: run.error,
				route,
				chunks: uploads.length,
				delivered,
				run: lighten(run),
				latencyFloorMs: (3 + chunksMin) * opts.latencyMs,
				baselinePeakMb,
			};
			if (!run.success || !delivered) {
				result.functionalErrors.push(`w5: sending a ${c.sizeMb} MB attachment failed (${route}): ${run.error ?? 'not delivered'}`);
			}
			figure.floor = await runFloorScript<SendFloor>(
				resolve(__dirname, 'send-floor.ts'),
				{ BENCH_FLOOR_GRAPH: `${series.emu.url}/v1.0`, BENCH_FLOOR_TOKEN: token, BENCH_FLOOR_FILE: c.file },
				REPO_ROOT,
			);
			figures.push(figure);
			log(
				`w5 ${c.sizeMb} MB via ${route}: ${run.success ? 'sent' : `FAILED (${run.error})`}, ${run.window.requests} requests (${uploads.length} chunks), node ${ms(run.nodeExecutionMs)}, emulator window ${ms(run.window.windowMs)}, peak ${mb(run.peakRssMb)}, node added ${mb(run.nodeRss?.addedMb)}; floor ${figure.floor.requests} requests ${ms(figure.floor.totalMs)}, +${mb(figure.floor.peakAboveStartMb)}`,
			);
		}
	} finally {
		await closeSeries(series);
	}
	result.raw = { figures, floorChunkBytes: FLOOR_CHUNK_BYTES, latencyMs: opts.latencyMs };
	result.rows.push(...rows(figures, opts));
	result.durationMs = Date.now() - started;
	return result;
}

function rows(figures: SendFigures[], opts: SendOptions): Row[] {
	const out: Row[] = [];
	for (const figure of figures) {
		const label = `${figure.sizeMb} MB @${opts.latencyMs} ms (${figure.route})`;
		const row = (metric: string, a: string, b: string, ratio: string, goal: string, ok?: boolean): Row => ({
			workload: 'W5 send',
			case: label,
			metric,
			ours: a,
			other: b,
			ratio,
			goal,
			status: statusOf(ok),
		});
		out.push(row('sent', figure.success && figure.delivered ? 'yes' : `NO: ${figure.error ?? 'not delivered'}`.slice(0, 80), '–', '–', 'sent', figure.success && figure.delivered));
		if (!figure.success) continue;
		const floor = figure.floor;
		out.push(
			row(
				'HTTP requests (chunks)',
				`${figure.run.window.requests} (${figure.chunks})`,
				floor ? `${floor.requests} (${floor.requests - 3})` : '–',
				times(divide(figure.run.window.requests, floor?.requests)),
				'–',
			),
		);
		out.push(
			row(
				'time: node (n8n executionTime) vs read + fewest requests',
				ms(figure.run.nodeExecutionMs),
				floor ? `${ms(floor.totalMs)} (latency part ${ms(figure.latencyFloorMs)})` : '–',
				times(divide(figure.run.nodeExecutionMs, floor?.totalMs)),
				'–',
			),
		);
		out.push(row('node time as the emulator saw it', ms(figure.run.window.windowMs), floor ? ms(floor.sendMs) : '–', times(divide(figure.run.window.windowMs, floor?.sendMs)), '–'));
		const sizeMb = figure.bytes / MB;
		const added = figure.run.nodeRss?.addedMb;
		out.push(
			row(
				'memory: RSS the node added while it ran, × file size',
				added === undefined ? '–' : `${mb(added)} (${times(divide(added, sizeMb))})`,
				floor ? `${mb(floor.peakAboveStartMb)} (${times(divide(floor.peakAboveStartMb, sizeMb))})` : '–',
				times(divide(added, floor?.peakAboveStartMb)),
				'–',
			),
		);
		const above = figure.run.peakRssMb !== undefined && figure.baselinePeakMb !== undefined ? figure.run.peakRssMb - figure.baselinePeakMb : undefined;
		out.push(row('n8n execute peak RSS above the 1 KB send', above === undefined ? '–' : `${mb(above)} (${times(divide(above, sizeMb))})`, '–', '–', '–'));
	}
	return out;
}
