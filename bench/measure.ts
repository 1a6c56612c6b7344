/**
 * What every workload measures: the node's own time as the emulator saw it, request counts, n8n's
 * per-node execution time, peak RSS of the n8n process (from peak-rss-preload.js), percentiles and
 * the machine the run happened on.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import type { RecordedRequest } from '../test/emulator/types';

export const MB = 1024 * 1024;

/** First request in → last response out, as the emulator recorded them. */
export interface RequestWindow {
	requests: number;
	/** Requests by HTTP status, e.g. {200: 10, 429: 3}. */
	byStatus: Record<string, number>;
	windowMs: number;
	/** Time the emulator spent on the requests beyond the injected latency (its own CPU share). */
	emulatorBusyMs: number;
	/** Time inside the window with no request in flight: the client's own work between requests. */
	idleMs: number;
	firstStartMs?: number;
	lastFinishMs?: number;
}

export function requestWindow(requests: RecordedRequest[], injectedLatencyMs = 0): RequestWindow {
	const byStatus: Record<string, number> = {};
	let first = Infinity;
	let last = -Infinity;
	let busy = 0;
	for (const request of requests) {
		const status = String(request.status ?? 'none');
		byStatus[status] = (byStatus[status] ?? 0) + 1;
		first = Math.min(first, request.startedAtMs);
		const finished = request.finishedAtMs ?? request.startedAtMs;
		last = Math.max(last, finished);
		// A throttled request never reaches the latency sleep; a $batch member travels inside its
		// envelope and pays no network latency of its own (the envelope pays it once).
		const slept = request.status === 429 || request.parentRequestId !== undefined ? 0 : injectedLatencyMs;
		busy += Math.max(0, finished - request.startedAtMs - slept);
	}
	if (requests.length === 0) return { requests: 0, byStatus, windowMs: 0, emulatorBusyMs: 0, idleMs: 0 };
	const windowMs = last - first;
	return { requests: requests.length, byStatus, windowMs, emulatorBusyMs: busy, idleMs: windowMs - inFlightMs(requests), firstStartMs: first, lastFinishMs: last };
}

/** Length of the union of the requests' [start, finish] intervals. */
function inFlightMs(requests: RecordedRequest[]): number {
	const intervals = requests.map((r) => [r.startedAtMs, r.finishedAtMs ?? r.startedAtMs]).sort((a, b) => a[0] - b[0]);
	let total = 0;
	let [start, end] = intervals[0];
	for (const [s, e] of intervals.slice(1)) {
		if (s > end) {
			total += end - start;
			[start, end] = [s, e];
		} else {
			end = Math.max(end, e);
		}
	}
	return total + (end - start);
}

/** Requests the node under test made: Graph, token endpoint and upload URLs (control routes are never recorded). */
export function nodeRequests(requests: RecordedRequest[]): RecordedRequest[] {
	return requests.filter((request) => request.area === 'graph' || request.area === 'identity' || request.area === 'public');
}

// ------------------------------------------------------------------------------------------ RSS

export interface ProcessPeak {
	pid: number;
	argv: string[];
	maxRssMb: number;
	/** [epoch ms, RSS kB] every ~25 ms. */
	samples: Array<[number, number]>;
}

/** Peak-RSS records written since `seen` was taken; `seen` is updated. */
export function takeNewPeaks(dir: string, seen: Set<string>): ProcessPeak[] {
	const peaks: ProcessPeak[] = [];
	for (const file of readdirSync(dir)) {
		if (!file.endsWith('.json') || seen.has(file)) continue;
		seen.add(file);
		try {
			const record = JSON.parse(readFileSync(join(dir, file), 'utf8'));
			const kb = Math.max(Number(record.maxRssKb) || 0, Number(record.vmHwmKb) || 0);
			peaks.push({ pid: record.pid, argv: record.argv ?? [], maxRssMb: kb / 1024, samples: record.samples ?? [] });
		} catch {
			// a half-written file of a process that is still exiting; it is read next time
			seen.delete(file);
		}
	}
	return peaks;
}

/** The n8n CLI process of an `execute` (not its task runner child, which has its own record). */
export function executeProcess(peaks: ProcessPeak[]): ProcessPeak | undefined {
	return peaks.filter((peak) => peak.argv.some((arg) => arg === 'execute')).sort((a, b) => b.maxRssMb - a.maxRssMb)[0];
}

/**
 * RSS while a node ran: the last sample before `startMs` and the highest sample up to the first one
 * after `endMs`. `addedMb` is what the node added on top of what the process held when it started.
 */
export function rssDuring(process: ProcessPeak | undefined, startMs: number | undefined, endMs: number | undefined): { atStartMb: number; peakMb: number; addedMb: number } | undefined {
	if (!process || startMs === undefined || endMs === undefined || process.samples.length === 0) return undefined;
	const before = process.samples.filter(([t]) => t <= startMs);
	const atStart = before.length ? before[before.length - 1][1] : process.samples[0][1];
	const firstAfter = process.samples.find(([t]) => t >= endMs);
	const inside = process.samples.filter(([t]) => t >= startMs && t <= endMs).map(([, kb]) => kb);
	const peak = Math.max(atStart, ...inside, firstAfter ? firstAfter[1] : atStart);
	return { atStartMb: atStart / 1024, peakMb: peak / 1024, addedMb: (peak - atStart) / 1024 };
}

// ------------------------------------------------------------------------------------------ stats

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	// Nearest rank: p99 of 30 samples is the largest one, never an interpolated value.
	const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
	return sorted[rank - 1];
}

export function median(values: number[]): number {
	return percentile(values, 50);
}

export function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

// ------------------------------------------------------------------------------------------ machine

export interface MachineInfo {
	nproc: number;
	cpuModel: string;
	memoryGiB: number;
	node: string;
	platform: string;
	loadAverageAtStart: number[];
}

export function machineInfo(): MachineInfo {
	let loadAverage: number[] = [];
	try {
		loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
	} catch {
		// not Linux
	}
	return {
		nproc: cpus().length,
		cpuModel: cpus()[0]?.model ?? 'unknown',
		memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
		node: process.version,
		platform: `${process.platform} ${process.arch}`,
		loadAverageAtStart: loadAverage,
	};
}

// ------------------------------------------------------------------------------------------ floors

/** Runs a floor script (TypeScript, via tsx) in a fresh Node process and returns the JSON it prints last. */
export function runFloorScript<T>(script: string, env: Record<string, string>, cwd: string): Promise<T> {
	return new Promise((done, fail) => {
		const child = spawn(process.execPath, ['--import', 'tsx', script], {
			cwd,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.once('error', fail);
		child.once('close', (code) => {
			if (code !== 0) return fail(new Error(`${script} exited with ${code}: ${stderr.slice(-400)}`));
			try {
				done(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
			} catch {
				fail(new Error(`${script} printed no figures: ${stdout.slice(-200)} ${stderr.slice(-200)}`));
			}
		});
	});
}
