/**
 * The MIME floor, run in a fresh Node process per measurement (like `n8n execute`): download
 * `$value` with node:http, then call mailparser's simpleParser on the same bytes with the
 * options our node uses. Prints one JSON line: download and parse time, and the peak RSS this
 * process needed above what it held before the download.
 *
 *   BENCH_FLOOR_URL=<graph url of /$value> BENCH_FLOOR_TOKEN=<access token> node --import tsx bench/mime-floor.ts
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { simpleParser } from 'mailparser';

import { send } from './http';

function statusKb(field: 'VmRSS' | 'VmHWM'): number {
	const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
	return match ? Number(match[1]) : NaN;
}

async function main(): Promise<void> {
	const url = process.env.BENCH_FLOOR_URL;
	const token = process.env.BENCH_FLOOR_TOKEN;
	if (!url || !token) throw new Error('BENCH_FLOOR_URL and BENCH_FLOOR_TOKEN are required');
	const rssBeforeKb = statusKb('VmRSS');
	const t0 = performance.now();
	const response = await send(url, 'GET', { Authorization: `Bearer ${token}` });
	if (response.status !== 200) throw new Error(`download failed: HTTP ${response.status}`);
	const raw = response.body;
	const t1 = performance.now();
	const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
	const t2 = performance.now();
	const peakKb = statusKb('VmHWM');
	process.stdout.write(
		`${JSON.stringify({
			bytes: raw.length,
			attachments: parsed.attachments.length,
			attachmentBytes: parsed.attachments.reduce((sum, a) => sum + a.content.length, 0),
			downloadMs: t1 - t0,
			parseMs: t2 - t1,
			rssBeforeMb: rssBeforeKb / 1024,
			peakMb: peakKb / 1024,
			peakAboveStartMb: (peakKb - rssBeforeKb) / 1024,
		})}\n`,
	);
}

main().catch((error) => {
	process.stderr.write(`${(error as Error).message}\n`);
	process.exit(1);
});
