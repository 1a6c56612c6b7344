/**
 * The large-attachment floor, run in its own Node process: read the file, then the fewest Graph
 * requests a send with one big attachment can take (draft, upload session, the largest chunks Graph
 * accepts, send) with node:http. Prints one JSON line with the time and the peak RSS above start.
 *
 *   BENCH_FLOOR_GRAPH=<emulator>/v1.0 BENCH_FLOOR_TOKEN=<token> BENCH_FLOOR_FILE=<path> node --import tsx bench/send-floor.ts
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

import { FLOOR_CHUNK_BYTES } from './fixtures';
import { send } from './http';


function statusKb(field: 'VmRSS' | 'VmHWM'): number {
	const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
	return match ? Number(match[1]) : NaN;
}

async function graph(root: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
	const json = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
	const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...(json ? { 'Content-Type': 'application/json' } : {}) };
	const response = await send(`${root}${path}`, method, headers, json);
	const text = response.body.toString('utf8');
	if (response.status >= 400) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
	return text ? JSON.parse(text) : undefined;
}

async function main(): Promise<void> {
	const root = process.env.BENCH_FLOOR_GRAPH;
	const token = process.env.BENCH_FLOOR_TOKEN;
	const file = process.env.BENCH_FLOOR_FILE;
	if (!root || !token || !file) throw new Error('BENCH_FLOOR_GRAPH, BENCH_FLOOR_TOKEN and BENCH_FLOOR_FILE are required');
	const rssBeforeKb = statusKb('VmRSS');
	const t0 = performance.now();
	const content = await readFile(file);
	const t1 = performance.now();
	const draft = await graph(root, token, 'POST', '/me/messages', {
		subject: 'Floor send',
		body: { contentType: 'Text', content: 'floor' },
		toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }],
	});
	const session = await graph(root, token, 'POST', `/me/messages/${encodeURIComponent(draft.id)}/attachments/createUploadSession`, {
		AttachmentItem: { attachmentType: 'file', name: basename(file), size: content.length, contentType: 'application/octet-stream' },
	});
	let requests = 2;
	for (let offset = 0; offset < content.length; offset += FLOOR_CHUNK_BYTES) {
		const end = Math.min(offset + FLOOR_CHUNK_BYTES, content.length) - 1;
		const response = await send(
			session.uploadUrl,
			'PUT',
			{ 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${offset}-${end}/${content.length}` },
			content.subarray(offset, end + 1),
		);
		requests++;
		if (response.status !== 200 && response.status !== 201) throw new Error(`chunk at ${offset}: HTTP ${response.status}`);
	}
	await graph(root, token, 'POST', `/me/messages/${encodeURIComponent(draft.id)}/send`);
	requests++;
	const t2 = performance.now();
	const peakKb = statusKb('VmHWM');
	process.stdout.write(
		`${JSON.stringify({ bytes: content.length, requests, readMs: t1 - t0, sendMs: t2 - t1, totalMs: t2 - t0, peakAboveStartMb: (peakKb - rssBeforeKb) / 1024 })}\n`,
	);
}

main().catch((error) => {
	process.stderr.write(`${(error as Error).message}\n`);
	process.exit(1);
});
