/**
 * `npm run bench` (full) / `npm run bench:quick` (CI): every workload of issue 6 in one run on this
 * machine, ours against n8n's built-in Outlook node or against a floor, through a real n8n 2.8.4
 * and the Graph emulator. Prints a table with figures and ratios and writes the raw figures to
 * bench/results/<mode>.json.
 *
 *   tsx bench/run.ts [--quick] [--only w1,w3] [--out file.json]
 *
 * Exit code 1 only for functional errors of our node (lost, failed or duplicated items, wrong
 * counts) or a crash; a timing goal that is missed is reported, never fatal (the machine is shared).
 * Needs `npm run build` first (n8n loads our package from dist/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { machineInfo } from './measure';
import { markdownTable, textTable, type WorkloadResult } from './report';
import { runListWorkload } from './w1-list';
import { runBulkWorkload } from './w2-bulk';
import { runTriggerWorkload } from './w3-trigger';
import { runMimeWorkload } from './w4-mime';
import { runSendWorkload } from './w5-send';
import { runBatchWorkload } from './w6-batch';
import { runTriggerFiltersWorkload } from './w7-trigger-filters';
import { runTriageWorkload } from './w8-triage';

interface Args {
	quick: boolean;
	only?: Set<string>;
	out: string;
}

const WORKLOADS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'];

function parseArgs(argv: string[]): Args {
	let quick = false;
	let only: Set<string> | undefined;
	let out: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		const [name, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => inline ?? argv[++i];
		if (name === '--quick') quick = true;
		else if (name === '--only') only = new Set(value().split(',').map((w) => w.trim().toLowerCase()));
		else if (name === '--out') out = value();
		else throw new Error(`unknown option ${argv[i]} (use --quick, --only w1,w2, --out file.json)`);
	}
	for (const id of only ?? []) if (!WORKLOADS.includes(id)) throw new Error(`unknown workload ${id} (${WORKLOADS.join(', ')})`);
	return { quick, only, out: resolve(out ?? resolve(__dirname, 'results', quick ? 'quick.json' : 'full.json')) };
}

function log(line: string): void {
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

type Runner = () => Promise<WorkloadResult>;

function runners(quick: boolean): Record<string, Runner> {
	return {
		w1: () =>
			runListWorkload(quick ? { sizes: [2000], latencies: [50] } : { sizes: [10_000, 100_000], latencies: [0, 50], repeats: 3, repeatUpTo: 10_000 }, log),
		w2: () =>
			runBulkWorkload(
				quick
					? { gets: 40, deletes: 20, latencies: [50], rateLimit: { requests: 20, windowMs: 1000 }, builtin: false }
					: { gets: 500, deletes: 200, latencies: [50, 0], rateLimit: { requests: 50, windowMs: 1000 }, builtin: true },
				log,
			),
		w3: () =>
			runTriggerWorkload(
				quick
					? { latencySamples: 5, burst: 50, builtin: false }
					: { latencySamples: 30, burst: 1000, builtin: true, builtinLatencySamples: 30, builtinSpreadMs: 180_000 },
				log,
			),
		w4: () => runMimeWorkload(quick ? { sizesMb: [1] } : { sizesMb: [1, 10, 25], repeats: 2 }, log),
		w5: () => runSendWorkload({ sizesMb: quick ? [3, 5] : [3, 25, 100], latencyMs: 50 }, log),
		w6: () =>
			runBatchWorkload(
				quick ? { items: 40, latencies: [50], serviceMs: 5, builtin: false } : { items: 1000, latencies: [0, 50, 150], serviceMs: 5, builtin: true },
				log,
			),
		// Quick: 200 mails (10 matching, one every 40 ms) per filter variant and 100 for rich vs fetch; full: 1,000
		// (one every 100 ms: at 25/s one n8n process could not answer every POST of the unfiltered trigger within 3 s) and 200.
		w7: () =>
			runTriggerFiltersWorkload(
				quick
					? { mails: 200, matching: 10, intervalMs: 40, richMails: 100, richIntervalMs: 200 }
					: { mails: 1000, matching: 10, intervalMs: 100, richMails: 200, richIntervalMs: 200 },
				log,
			),
		// Triage (issue 18): Mark as Read + Move. Not in quick mode (CI): a series of its own costs ~1 min on a
		// loaded 2-core machine, and e2e/mail-actions.test.ts already checks the batched moves and reads.
		...(quick ? {} : { w8: () => runTriageWorkload({ items: 1000, latencyMs: 150, serviceMs: 5, builtin: true }, log) }),
	};
}

async function main(): Promise<number> {
	const args = parseArgs(process.argv.slice(2));
	const machine = machineInfo();
	const startedAt = new Date().toISOString();
	log(`${args.quick ? 'quick' : 'full'} run on ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
	const results: WorkloadResult[] = [];
	const crashes: string[] = [];
	for (const [id, run] of Object.entries(runners(args.quick))) {
		if (args.only && !args.only.has(id)) continue;
		log(`--- ${id} ---`);
		try {
			results.push(await run());
		} catch (error) {
			const message = (error as Error)?.stack ?? String(error);
			crashes.push(`${id}: ${message}`);
			log(`${id} crashed: ${message}`);
		}
	}
	const rows = results.flatMap((r) => r.rows);
	const functionalErrors = [...results.flatMap((r) => r.functionalErrors), ...crashes];
	const report = {
		mode: args.quick ? 'quick' : 'full',
		command: `tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
		startedAt,
		finishedAt: new Date().toISOString(),
		machine,
		rows,
		functionalErrors,
		notes: results.flatMap((r) => r.notes),
		workloads: Object.fromEntries(results.map((r) => [r.id, { title: r.title, durationMs: r.durationMs, raw: r.raw, notes: r.notes }])),
	};
	mkdirSync(dirname(args.out), { recursive: true });
	writeFileSync(args.out, `${JSON.stringify(report, null, '\t')}\n`);
	writeFileSync(args.out.replace(/\.json$/, '.md'), `${markdownTable(rows)}\n`);

	process.stdout.write(`\n${textTable(rows)}\n\n`);
	for (const note of report.notes) process.stdout.write(`note: ${note}\n`);
	const missed = rows.filter((row) => row.status === 'MISSED').length;
	process.stdout.write(`\n${rows.length} rows, ${rows.filter((r) => r.status === 'met').length} goals met, ${missed} missed${args.quick && missed ? ' (timing is not checked in quick mode)' : ''}.\n`);
	process.stdout.write(`raw figures: ${args.out}\n`);
	if (functionalErrors.length) {
		process.stdout.write(`\nFUNCTIONAL ERRORS (${functionalErrors.length}):\n${functionalErrors.map((e) => `  - ${e}`).join('\n')}\n`);
		return 1;
	}
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
		process.exit(1);
	},
);
