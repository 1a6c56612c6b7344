/**
 * The full fault matrix (issue #11 item 3): every operation of the action node × every fault, generated
 * from the one table in `operations.ts`, in a real n8n server (package installed like n8n's installer
 * does it) against the Graph emulator's fault injection. One fault on the row's target request per run,
 * Batch Requests off (batching has its own suite). Each cell asserts what Graph saw (the attempts of the
 * faulted request, the wait before a retry, the token refresh, the side effect in the emulator) and what
 * the user got (success and the right output, or an error naming Graph's code and request-id, or saying
 * that the request may have been carried out). A summary grid is printed at the end.
 *
 * Cells run side by side on a small pool of n8n servers, each with its own emulator (FM_WORKERS, default
 * 3): one cell per server at a time, so a cell's fault, request log and side effects are its own. Most of
 * a cell's time is waiting (Retry-After, backoff, a hang's Timeout), which is why a pool pays on 2 cores.
 *
 * Run: npm run build && npx jest --selectProjects reliability --runInBand test/reliability/fault-matrix.test.ts
 */
import { MicrosoftOutlookExt } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExt.node';
import type { RecordedRequest } from '../emulator/types';
import type { NodeRun } from '../e2e/support';
import { newEvent, startReceiver, type Receiver } from './fixtures';
import { CELLS, FAULTS, OPERATIONS, cellParameters, expectedEffects, type Cell, type MatrixEnv, type Prepared } from './operations';
import { collectForSecrets, expectNoSecrets } from './secrets';
import { errorText, runNode, startReliability, steps, stopReliability, type ReliabilityContext } from './support';

jest.setTimeout(900_000);

const WORKERS = Math.max(1, Number(process.env.FM_WORKERS ?? 3));
const pool: ReliabilityContext[] = [];
const idle: ReliabilityContext[] = [];
const waiting: Array<(ctx: ReliabilityContext) => void> = [];
let receiver: Receiver;
let counter = 0;
const startedAt = Date.now();

type Result = 'held' | 'FAILED' | 'knownBug' | 'knownBug no longer reproduces' | 'n/a';
const results = new Map<Cell, Result>();

function env(ctx: ReliabilityContext): MatrixEnv {
	return { emu: ctx.emu, receiverUrl: receiver.url, unique: (label) => `FM ${label} ${++counter}` };
}

/** Runs `work` on a server no other cell is using; its faults are cleared before the next cell gets it. */
async function onFreeServer<T>(work: (ctx: ReliabilityContext) => Promise<T>): Promise<T> {
	const ctx = idle.pop() ?? (await new Promise<ReliabilityContext>((resolve) => waiting.push(resolve)));
	try {
		return await work(ctx);
	} finally {
		ctx.emu.clearFaults();
		const next = waiting.shift();
		if (next) next(ctx);
		else idle.push(ctx);
	}
}

function faultedRequests(run: NodeRun, prepared: Prepared): RecordedRequest[] {
	const pattern = new RegExp(prepared.pattern, 'i');
	return run.graphRequests.filter((r) => r.method === prepared.method && pattern.test(r.path));
}

beforeAll(async () => {
	receiver = await startReceiver();
	const started = await Promise.allSettled(
		Array.from({ length: WORKERS }, async () => {
			const ctx = await startReliability({ n8nEnv: { WEBHOOK_URL: `${receiver.url}/n8n/` } });
			pool.push(ctx);
			// An event so that List Events has something on every run.
			await newEvent(ctx.emu, 'FM fixture event');
		}),
	);
	const failed = started.find((result) => result.status === 'rejected');
	if (failed) throw (failed as PromiseRejectedResult).reason;
	idle.push(...pool);
});

afterAll(async () => {
	printSummary();
	for (const ctx of pool) await stopReliability(ctx);
	await receiver?.close();
});

describe('the table', () => {
	const properties = new MicrosoftOutlookExt().description.properties;

	it('has a row for every resource/operation of the node (and every Raw Request method)', () => {
		const described: string[] = [];
		for (const property of properties.filter((p) => p.name === 'operation')) {
			const resources = (property.displayOptions?.show?.resource ?? []) as string[];
			for (const resource of resources) {
				for (const option of (property.options ?? []) as Array<{ value: string }>) described.push(`${resource}.${option.value}`);
			}
		}
		const methods = ((properties.find((p) => p.name === 'method')?.options ?? []) as Array<{ value: string }>).map((o) => o.value);
		expect(described.length).toBeGreaterThanOrEqual(27);
		const rows = new Set(OPERATIONS.map((row) => `${row.resource}.${row.operation}`));
		expect(described.filter((pair) => !rows.has(pair))).toEqual([]);
		// No stale row either.
		expect([...rows].filter((pair) => !described.includes(pair))).toEqual([]);
		const rawRows = OPERATIONS.filter((row) => row.resource === 'rawRequest').map((row) => row.rawMethod);
		expect([...methods].sort()).toEqual([...rawRows].sort());
	});

	it('has one cell per row and fault, each either runnable or with a reason', () => {
		expect(CELLS).toHaveLength(OPERATIONS.length * FAULTS.length);
		for (const cell of CELLS) if (cell.notApplicable !== undefined) expect(cell.notApplicable.length).toBeGreaterThan(20);
		expect(new Set(OPERATIONS.map((row) => row.name)).size).toBe(OPERATIONS.length);
	});
});

async function runCell(cell: Cell): Promise<void> {
	await onFreeServer(async (ctx) => await runCellOn(ctx, cell));
}

async function runCellOn(ctx: ReliabilityContext, cell: Cell): Promise<void> {
	const { fault, expectation } = cell;
	const prepared = await cell.row.prepare(env(ctx));
	const rule = fault.rule();
	ctx.emu.addFault({ ...rule, method: prepared.method, pathPattern: prepared.pattern, times: 1 });
	const run = await runNode(ctx, { parameters: cellParameters(cell, prepared), binaryItems: prepared.binaryItems });
	collectForSecrets(run);
	const attempts = faultedRequests(run, prepared);
	if (process.env.FM_VERBOSE) console.log(evidence(cell, run));
	try {
		// What Graph saw.
		expect(attempts[0]?.fault).toBe(rule.kind);
		const message = errorText(run.error);
		if (expectation === 'recovers') {
			const succeeded = run.success || (prepared.waits === true && run.result.data?.status === 'waiting');
			expect({ success: succeeded, error: message }).toEqual({ success: true, error: '' });
			expect(attempts).toHaveLength(2);
			if (fault.key === 'token expiry') {
				expect(attempts[0].status).toBe(401);
				// One refresh, between the rejected attempt and its repeat.
				const refreshes = run.requests.filter((r) => r.area === 'identity' && r.method === 'POST' && r.startedAtMs >= attempts[0].startedAtMs);
				expect(refreshes).toHaveLength(1);
			}
			// A DELETE repeated after Graph carried out the first one finds the item gone.
			const gone = prepared.method === 'DELETE' && fault.handlerRan;
			expect([200, 201, 202, 204, ...(gone ? [404] : [])]).toContain(attempts[1].status);
			if (fault.minWaitMs) {
				const waited = attempts[1].startedAtMs - (attempts[0].finishedAtMs ?? attempts[0].startedAtMs);
				expect(waited).toBeGreaterThanOrEqual(fault.minWaitMs(rule, attempts[0]) - 100);
			}
			// What the user got.
			expect(run.output.every((item) => !item.error && !item.json.error)).toBe(true);
			prepared.checkOutput(run);
		} else {
			expect(run.success).toBe(false);
			// Sent once, never repeated.
			expect(attempts).toHaveLength(1);
			if (expectation === 'fails with Graph code') {
				expect(run.error?.name).toBe('NodeApiError');
				expect(run.error?.httpCode).toBe(String(fault.status));
				expect(message).toMatch(/\[\w+\]/);
				expect(message).toContain(`request-id: ${attempts[0].requestId}`);
			} else if (expectation === 'fails: proxy error page') {
				expect(run.error?.name).toBe('NodeApiError');
				expect(run.error?.httpCode).toBe(String(fault.status));
				expect(run.error?.message).toMatch(/bad gateway/i);
				expect(run.error?.message).toContain(`[HTTP ${fault.status}]`);
				// No Graph request-id came back: the error says so instead of inventing one.
				expect(message).toContain('request-id: none');
			} else if (expectation === 'fails: no answer within the Timeout') {
				expect(run.error?.name).toBe('NodeApiError');
				expect(message).toMatch(/^No usable answer from Microsoft Graph after 1 attempt /);
			} else if (expectation === 'fails: may have been carried out') {
				expect(run.error?.name).toBe('NodeApiError');
				expect(message).toMatch(/may have been carried out/);
				// Never the generic advice to just try again.
				expect(message).not.toMatch(/retry the request immediately/i);
			} else {
				expect(message).toMatch(/not a MIME message/);
			}
		}
		if (prepared.countEffect) expect(await prepared.countEffect()).toBe(expectedEffects(cell));
	} catch (error) {
		if (!process.env.FM_VERBOSE) console.log(evidence(cell, run));
		throw error;
	}
}

/** The evidence for a report: every request of the run and what the user got. */
function evidence(cell: Cell, run: NodeRun): string {
	return [
		`${cell.row.name} × ${cell.fault.key}: expected "${cell.expectation}"`,
		...steps(run.requests).map((line, index) => `  ${index + 1}. ${line}${run.requests[index].fault ? ` [fault ${run.requests[index].fault}]` : ''}`),
		`  user got: success=${run.success} ${run.error ? `${String(run.error.name)} httpCode=${String(run.error.httpCode)}: ${errorText(run.error)}` : JSON.stringify(run.output.map((item) => item.json)).slice(0, 400)}`,
	].join('\n');
}

describe.each(OPERATIONS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
	for (const cell of CELLS.filter((c) => c.row === row)) {
		const title = `× ${cell.fault.key}: ${cell.expectation}${cell.why ? ` (${cell.why})` : ''}`;
		if (cell.notApplicable !== undefined) {
			// Skipped visibly (jest lists it as skipped with the reason), never counted as a passing test.
			results.set(cell, 'n/a');
			it.skip(`× ${cell.fault.key}: not applicable — ${cell.notApplicable}`, () => undefined);
			continue;
		}
		if (cell.knownBug !== undefined) {
			// Expected to fail while the bug is there; when it is fixed this test fails: remove the marker.
			it.concurrent.failing(`${title} — KNOWN BUG: ${cell.knownBug}`, async () => {
				try {
					await runCell(cell);
				} catch (error) {
					results.set(cell, 'knownBug');
					throw error;
				}
				results.set(cell, 'knownBug no longer reproduces');
			});
			continue;
		}
		it.concurrent(title, async () => {
			results.set(cell, 'FAILED');
			await runCell(cell);
			results.set(cell, 'held');
		});
	}
});

describe('secrets', () => {
	it("no token, client secret or clientState in n8n's log, node outputs or errors", async () => {
		for (const ctx of pool) await expectNoSecrets(ctx);
	});
});

const SYMBOL: Record<Result, string> = { held: '✓', FAILED: '✗', knownBug: 'B', 'knownBug no longer reproduces': '!', 'n/a': '–' };

function printSummary(): void {
	const width = Math.max(...OPERATIONS.map((row) => row.name.length));
	const columns = FAULTS.map((fault, index) => String.fromCharCode(65 + index));
	const lines = [
		`Fault matrix: ${OPERATIONS.length} rows × ${FAULTS.length} faults = ${CELLS.length} cells, ${Math.round((Date.now() - startedAt) / 1000)} s`,
		...FAULTS.map((fault, index) => `  ${columns[index]} = ${fault.key}: ${fault.label}`),
		`  ✓ held  ✗ failed  B known bug  ! known bug no longer reproduces  – not applicable  ? not run`,
		'',
		`${''.padEnd(width)}  ${columns.join(' ')}  held`,
	];
	for (const row of OPERATIONS) {
		const cells = CELLS.filter((cell) => cell.row === row);
		const marks = cells.map((cell) => SYMBOL[results.get(cell) as Result] ?? '?');
		lines.push(`${row.name.padEnd(width)}  ${marks.join(' ')}  ${cells.filter((cell) => results.get(cell) === 'held').length}/${cells.length}`);
	}
	const count = (result: Result) => CELLS.filter((cell) => results.get(cell) === result).length;
	const notRun = CELLS.filter((cell) => !results.has(cell)).length;
	lines.push(
		'',
		`held ${count('held')}, failed ${count('FAILED')}, known bug ${count('knownBug')}, known bug no longer reproduces ${count('knownBug no longer reproduces')}, not applicable ${count('n/a')}, not run ${notRun}`,
		'Per fault (held / runnable):',
		...FAULTS.map((fault) => {
			const column = CELLS.filter((cell) => cell.fault === fault && cell.notApplicable === undefined);
			return `  ${fault.key.padEnd(18)} ${column.filter((cell) => results.get(cell) === 'held').length}/${column.length}`;
		}),
	);
	const reasons = new Map<string, string[]>();
	for (const cell of CELLS) {
		const reason = cell.notApplicable ?? (cell.knownBug !== undefined ? `KNOWN BUG: ${cell.knownBug}` : undefined);
		if (reason) reasons.set(reason, [...(reasons.get(reason) ?? []), `${cell.row.name} × ${cell.fault.key}`]);
	}
	for (const [reason, cells] of reasons) lines.push(`${cells.length} cell(s) ${reason}:`, `  ${cells.join(', ')}`);
	console.log(lines.join('\n'));
}
