/**
 * Preloaded into every n8n process of a benchmark series (NODE_OPTIONS=--require <this file>).
 * On exit it writes the process's own peak resident set size (getrusage ru_maxrss, the same figure
 * as VmHWM) to `$BENCH_RSS_DIR/<pid>.json`, so the benchmark can read the true peak of a short
 * `n8n execute` without sampling. It also samples the RSS every BENCH_RSS_SAMPLE_MS (default 25 ms)
 * so the benchmark can tell the node's own peak (inside its start/end times) from the peak of what
 * n8n does after the node (building the run's JSON, saving it). Plain JavaScript: n8n runs it
 * before any TypeScript loader exists.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_RSS_DIR;

function highWaterMarkKb() {
	try {
		const status = fs.readFileSync('/proc/self/status', 'utf8');
		const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
		return match ? Number(match[1]) : undefined;
	} catch {
		return undefined;
	}
}

if (dir) {
	const startedAt = Date.now();
	const every = Number(process.env.BENCH_RSS_SAMPLE_MS) || 25;
	/** [epoch ms, RSS kB] pairs. */
	const samples = [];
	const sample = () => samples.push([Date.now(), Math.round(process.memoryUsage.rss() / 1024)]);
	setInterval(sample, every).unref();
	process.on('exit', () => {
		sample();
		try {
			const record = {
				pid: process.pid,
				ppid: process.ppid,
				argv: process.argv.slice(1),
				startedAt,
				exitedAt: Date.now(),
				maxRssKb: process.resourceUsage().maxRSS,
				vmHwmKb: highWaterMarkKb(),
				samples,
			};
			fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(record));
		} catch {
			// Measuring must never change how n8n exits.
		}
	});
}
