/**
 * Workload 6 (issue #11): JSON batching. N items of Get Message, Delete Message and Create Event,
 * at several network latencies, with the emulator enforcing Outlook's limits (4 concurrent requests
 * per app + mailbox, 10,000 requests per 10 minutes) and a small Graph service time per operation.
 * Three variants in the same series: our node batched (the default), our node with Request Options
 * → Batch Requests off (one HTTP request per item), and n8n's built-in Outlook node v2.
 *
 * The emulator's latency model (test/emulator/core.ts): `latencyMs` is the network round trip, paid
 * once per HTTP request (a `$batch` POST pays it once for its members); `serviceMs` is Graph's work
 * per operation (each standalone request and each batch member pays it, inside its mailbox slot).
 */
import type { EmulatorCoreImpl } from '../test/emulator/core';
import { calendarState, defaultCalendar } from '../test/emulator/calendar-model';
import { seedMessages } from '../test/emulator/mail';
import type { RecordedRequest } from '../test/emulator/types';
import { ADELE } from '../test/e2e/support';
import { closeSeries, executeMeasured, lighten, listWorkflow, openSeries, outlookNode, workflowId, type MeasuredRun, type Series } from './series';
import { sleep } from './measure';
import { count, divide, emptyResult, ms, statusOf, times, type Row, type WorkloadResult } from './report';

export interface BatchBenchOptions {
	items: number;
	latencies: number[];
	serviceMs: number;
	/** Also run n8n's built-in node (off in quick mode: it is sequential and slow). */
	builtin: boolean;
}

export type Variant = 'batched' | 'unbatched' | 'builtin';
export type BatchOperation = 'get' | 'delete' | 'createEvent';

const OPERATIONS: BatchOperation[] = ['get', 'delete', 'createEvent'];
/** Outlook: 4 concurrent requests per app ID + mailbox (concepts/throttling-limits.md). */
const CONCURRENCY = 4;
/** Outlook: 10,000 API requests in a 10-minute period per app ID + mailbox. */
const RATE_LIMIT = { requests: 10_000, windowMs: 600_000 };
/** Graph: at most 20 requests in one JSON batch (concepts/json-batching.md). */
const BATCH_SIZE = 20;
const GOALS_AT_MS = 150;
const GOAL_VS_UNBATCHED = 5;
const GOAL_VS_BUILTIN = 10;

const OPERATION_LABEL: Record<BatchOperation, string> = { get: 'Get Message', delete: 'Delete Message', createEvent: 'Create Event' };

/**
 * The least time the limits allow for N identical operations, each costing `serviceMs` at Graph
 * inside one of the mailbox's C = 4 slots, over a network round trip of `latencyMs`:
 * - unbatched (one HTTP request per item, 4 in flight): every request holds its slot for the round
 *   trip and the service time, so ⌈N/4⌉ × (L + S);
 * - batched (serial batches of up to 20 members, Graph runs their members one at a time, so one
 *   batch per slot and 4 in flight): each slot carries ⌈N/4⌉ items in ⌈⌈N/4⌉/20⌉ batches, each batch
 *   one round trip plus its members' service time: ⌈⌈N/4⌉/20⌉ × L + ⌈N/4⌉ × S;
 * - sequential (the built-in node: one request at a time): N × (L + S).
 * The service time is the same for both of ours (4 operations at Graph at a time); batching divides
 * the round trips by 20, so the ratio tends to 20 as L/S grows and to 1 as L → 0.
 */
export function floorMs(variant: Variant, n: number, latencyMs: number, serviceMs: number): number {
	if (n === 0) return 0;
	if (variant === 'unbatched') return Math.ceil(n / CONCURRENCY) * (latencyMs + serviceMs);
	if (variant === 'builtin') return n * (latencyMs + serviceMs);
	const perSlot = Math.ceil(n / CONCURRENCY);
	return Math.ceil(perSlot / BATCH_SIZE) * latencyMs + perSlot * serviceMs;
}

/** HTTP requests of the batched floor's schedule: ⌈⌈N/4⌉/20⌉ batches in each of the 4 slots. */
export function floorBatches(n: number): number {
	return Math.min(n, CONCURRENCY) * Math.ceil(Math.ceil(n / CONCURRENCY) / BATCH_SIZE);
}

/** The ratio batched/unbatched that the floors allow. */
export function bestSpeedup(n: number, latencyMs: number, serviceMs: number): number {
	return floorMs('unbatched', n, latencyMs, serviceMs) / floorMs('batched', n, latencyMs, serviceMs);
}

export interface CellFigures {
	variant: Variant;
	operation: BatchOperation;
	latencyMs: number;
	serviceMs: number;
	items: number;
	/** HTTP requests to Graph the emulator received (a `$batch` POST counts once). */
	httpRequests: number;
	batches: number;
	/** Sub-requests inside those batches. */
	members: number;
	/** Graph operations refused with 429 (standalone or member) and answers by status. */
	throttled: number;
	byStatus: Record<string, number>;
	/** Token endpoint requests (a refresh), counted apart. */
	tokenRequests: number;
	succeeded: number;
	failed: number;
	firstFailure?: string;
	/** Operations Graph executed more than once for the same target (message path or event subject). */
	duplicates: number;
	/** Create Event: events in the calendar afterwards with this run's subjects (must be N, no repeats). */
	eventsCreated?: number;
	maxInFlight: number;
	floorMs: number;
	run: ReturnType<typeof lighten>;
}

function messageLocator(): Record<string, unknown> {
	return { __rl: true, mode: 'id', value: '={{ $json.id }}' };
}

function parameters(variant: Variant, operation: BatchOperation, calendarId: string): Record<string, unknown> {
	const ours = variant !== 'builtin';
	const requestOptions = variant === 'unbatched' ? { requestOptions: { batchRequests: false } } : {};
	const eventFields = { subject: '={{ $json.subject }}', startDateTime: '={{ $json.start }}', endDateTime: '={{ $json.end }}' };
	if (ours) {
		if (operation === 'createEvent') return { resource: 'event', operation: 'create', ...eventFields, timeZone: 'UTC', ...requestOptions };
		return { resource: 'message', operation, messageId: messageLocator(), ...requestOptions };
	}
	if (operation === 'get') return { resource: 'message', operation: 'get', messageId: messageLocator(), output: 'raw', options: {} };
	if (operation === 'delete') return { resource: 'message', operation: 'delete', messageId: messageLocator() };
	// The built-in node needs a calendar (POST /calendars/{id}/events); time zone UTC by default.
	return { resource: 'event', operation: 'create', calendarId: { __rl: true, mode: 'id', value: calendarId }, ...eventFields, additionalFields: {} };
}

function isFailure(item: { json?: any; error?: any }): boolean {
	return item.error !== undefined || (item.json && typeof item.json === 'object' && 'error' in item.json);
}

/** Graph operations of a run: standalone requests and batch members, never the `$batch` envelope. */
function operationsOf(requests: RecordedRequest[]): RecordedRequest[] {
	return requests.filter((r) => r.area === 'graph' && !(r.method === 'POST' && r.path.toLowerCase() === '/$batch'));
}

function duplicateCount(operations: RecordedRequest[], key: (r: RecordedRequest) => string | undefined): number {
	const seen = new Map<string, number>();
	for (const request of operations) {
		// A 429 (limits or fault) and a 424 never reached the handler: not an execution.
		if (request.status === 429 || request.status === 424 || request.status === undefined) continue;
		const k = key(request);
		if (k !== undefined) seen.set(k, (seen.get(k) ?? 0) + 1);
	}
	let duplicates = 0;
	for (const n of seen.values()) duplicates += Math.max(0, n - 1);
	return duplicates;
}

function figuresOf(
	series: Series,
	variant: Variant,
	operation: BatchOperation,
	latencyMs: number,
	serviceMs: number,
	inputs: Array<Record<string, unknown>>,
	run: MeasuredRun,
): CellFigures {
	const items = inputs.length;
	const failures = run.output.filter(isFailure);
	let succeeded = run.success || run.output.length > 0 ? run.output.length - failures.length : 0;
	let firstFailure = failures[0] ? String(failures[0].json?.error ?? failures[0].error?.message ?? '') : run.error;
	if (operation === 'get') {
		// Every message must come back, each once.
		const wanted = new Set(inputs.map((input) => String(input.id)));
		const returned = new Set(run.output.filter((item) => !isFailure(item)).map((item) => String(item.json?.id)));
		const missing = [...wanted].filter((id) => !returned.has(id)).length;
		if (missing > 0) {
			succeeded = Math.min(succeeded, items - missing);
			firstFailure ??= `${missing} messages missing from the output`;
		}
	}
	const graph = run.requests.filter((r) => r.area === 'graph');
	const operations = operationsOf(run.requests);
	const members = graph.filter((r) => r.parentRequestId !== undefined);
	const byStatus: Record<string, number> = {};
	for (const op of operations) byStatus[String(op.status ?? 'none')] = (byStatus[String(op.status ?? 'none')] ?? 0) + 1;
	let duplicates: number;
	let eventsCreated: number | undefined;
	if (operation === 'createEvent') {
		duplicates = duplicateCount(
			operations.filter((r) => r.method === 'POST'),
			(r) => (r.body && typeof r.body === 'object' ? String((r.body as { subject?: unknown }).subject) : undefined),
		);
		// The truth is the calendar: every subject exactly once.
		const subjects = new Set(inputs.map((input) => String(input.subject)));
		const counts = new Map<string, number>();
		for (const event of calendarState(series.emu.core, ADELE.id).events.values()) {
			if (subjects.has(event.subject)) counts.set(event.subject, (counts.get(event.subject) ?? 0) + 1);
		}
		eventsCreated = [...counts.values()].reduce((a, b) => a + b, 0);
		duplicates = Math.max(duplicates, [...counts.values()].reduce((a, n) => a + Math.max(0, n - 1), 0));
		const missing = items - counts.size;
		if (missing > 0) {
			succeeded = Math.min(succeeded, items - missing);
			firstFailure ??= `${missing} events missing from the calendar`;
		}
	} else {
		duplicates = duplicateCount(operations, (r) => `${r.method} ${r.path}`);
	}
	const stats = series.emu.stats();
	return {
		variant,
		operation,
		latencyMs,
		serviceMs,
		items,
		httpRequests: graph.filter((r) => r.parentRequestId === undefined).length,
		batches: graph.filter((r) => r.parentRequestId === undefined && r.method === 'POST' && r.path.toLowerCase() === '/$batch').length,
		members: members.length,
		throttled: byStatus['429'] ?? 0,
		byStatus,
		tokenRequests: run.requests.filter((r) => r.area === 'identity').length,
		succeeded,
		failed: items - succeeded,
		firstFailure,
		duplicates,
		eventsCreated,
		maxInFlight: Math.max(0, ...Object.values(stats.maxInFlightByMailbox)),
		floorMs: floorMs(variant, items, latencyMs, serviceMs),
		run: lighten(run),
	};
}

function inputsFor(series: Series, variant: Variant, operation: BatchOperation, n: number, latencyMs: number, getIds: string[]): Array<Record<string, unknown>> {
	if (operation === 'get') return getIds.map((id) => ({ id }));
	if (operation === 'delete') {
		const ids = seedMessages(series.emu.core, { userId: ADELE.id, count: n, subjectPrefix: `W6 delete ${variant}` }).ids;
		return ids.map((id) => ({ id }));
	}
	const day = Date.UTC(2026, 5, 1);
	return Array.from({ length: n }, (_, i) => {
		const start = new Date(day + i * 30 * 60_000);
		const end = new Date(start.getTime() + 30 * 60_000);
		const local = (d: Date) => d.toISOString().slice(0, 19);
		return { subject: `W6 ${variant} @${latencyMs} #${i}`, start: local(start), end: local(end) };
	});
}

export async function runBatchWorkload(opts: BatchBenchOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w6', 'JSON batching: batched vs unbatched vs built-in');
	const started = Date.now();
	const figures: CellFigures[] = [];
	const variants: Variant[] = opts.builtin ? ['batched', 'unbatched', 'builtin'] : ['batched', 'unbatched'];
	for (const latencyMs of opts.latencies) {
		let series: Series | undefined;
		try {
			series = await openSeries(`w6-${latencyMs}`, {
				concurrencyPerMailbox: CONCURRENCY,
				rateLimit: RATE_LIMIT,
				latencyMs,
				serviceMs: opts.serviceMs,
			});
			const core = series.emu.core as EmulatorCoreImpl;
			const calendarId = defaultCalendar(calendarState(core, ADELE.id)).id;
			const getIds = seedMessages(core, { userId: ADELE.id, count: opts.items, subjectPrefix: 'W6 get' }).ids;
			// ABBA-like order per operation so no variant always runs on the fresher database.
			const plan: Array<[Variant, BatchOperation]> = [];
			for (const [index, operation] of OPERATIONS.entries()) {
				const order = index % 2 === 0 ? variants : [...variants].reverse();
				for (const variant of order) plan.push([variant, operation]);
			}
			const inputs = plan.map(([variant, operation]) => inputsFor(series as Series, variant, operation, opts.items, latencyMs, getIds));
			const workflows = plan.map(([variant, operation], index) =>
				listWorkflow(
					// workflowId keeps 16 characters: short codes keep the ids apart.
					workflowId(`w6${operation[0]}${variant.slice(0, 3)}${latencyMs}`),
					outlookNode(variant === 'builtin' ? 'builtin' : 'ours', parameters(variant, operation, calendarId), { onError: 'continueRegularOutput' }),
					inputs[index],
				),
			);
			await series.n8n.importWorkflows(workflows);
			for (const [index, [variant, operation]] of plan.entries()) {
				// Let in-flight work of the previous run end; fresh limit windows and statistics.
				await sleep(200);
				core.limiter.resetStats();
				const run = await executeMeasured(series, workflows[index], { latencyMs });
				const figure = figuresOf(series, variant, operation, latencyMs, opts.serviceMs, inputs[index], run);
				figures.push(figure);
				log(
					`w6 @${latencyMs} ms ${variant} ${operation} x${figure.items}: ${figure.succeeded} ok, ${figure.failed} failed, ${figure.duplicates} dup, ` +
						`${figure.httpRequests} HTTP (${figure.batches} batches, ${figure.members} members), ${figure.throttled} x 429, max in flight ${figure.maxInFlight}, ` +
						`node ${ms(run.window.windowMs)} (floor ${ms(figure.floorMs)}), exec ${ms(run.nodeExecutionMs)}, wall ${ms(run.wallMs)}` +
						`${figure.firstFailure ? `; first failure: ${figure.firstFailure.slice(0, 160)}` : ''}`,
				);
			}
		} finally {
			await closeSeries(series);
		}
	}
	result.raw = { figures, concurrency: CONCURRENCY, rateLimit: RATE_LIMIT, batchSize: BATCH_SIZE, serviceMs: opts.serviceMs };
	for (const figure of figures) {
		if (figure.variant === 'builtin') continue;
		const label = `w6: ours ${figure.variant} ${figure.operation} @${figure.latencyMs} ms`;
		if (figure.failed > 0) result.functionalErrors.push(`${label}: ${figure.failed} of ${figure.items} items failed (${figure.firstFailure ?? 'no message'})`);
		if (figure.duplicates > 0) result.functionalErrors.push(`${label}: ${figure.duplicates} duplicate sends/creates`);
		if (figure.maxInFlight > CONCURRENCY) result.functionalErrors.push(`${label}: ${figure.maxInFlight} operations in flight (limit ${CONCURRENCY})`);
	}
	const batched = figures.filter((f) => f.variant === 'batched');
	if (batched.length && batched.every((f) => f.batches === 0)) {
		result.notes.push('w6: our node sent no $batch request in any cell: batching is not in this build (Request Options → Batch Requests), so "batched" measured one request per item.');
	}
	result.rows.push(...rows(figures, opts));
	result.durationMs = Date.now() - started;
	return result;
}

function rows(figures: CellFigures[], opts: BatchBenchOptions): Row[] {
	const out: Row[] = [];
	for (const latencyMs of opts.latencies) {
		for (const operation of OPERATIONS) {
			const find = (variant: Variant) => figures.find((f) => f.variant === variant && f.operation === operation && f.latencyMs === latencyMs);
			const batched = find('batched');
			const unbatched = find('unbatched');
			const builtin = find('builtin');
			if (!batched || !unbatched) continue;
			const label = `${count(batched.items)} × ${OPERATION_LABEL[operation]} @${latencyMs} ms + ${opts.serviceMs} ms service, ${CONCURRENCY} conc.`;
			const row = (metric: string, ours: string, other: string, ratio: string, goal: string, ok?: boolean): Row => ({
				workload: 'W6 batch',
				case: label,
				metric,
				ours,
				other,
				ratio,
				goal,
				status: statusOf(ok),
			});
			const b = (value: (f: CellFigures) => string) => (builtin ? value(builtin) : 'not run');
			const node = (f: CellFigures) => f.run.window.windowMs;
			out.push(
				row(
					'failed items: batched | unbatched / built-in',
					count(batched.failed),
					`${count(unbatched.failed)} / ${b((f) => count(f.failed))}`,
					'–',
					'0 (ours)',
					batched.failed === 0 && unbatched.failed === 0,
				),
			);
			out.push(
				row(
					'duplicate sends/creates: batched | unbatched / built-in',
					count(batched.duplicates),
					`${count(unbatched.duplicates)} / ${b((f) => count(f.duplicates))}`,
					'–',
					'0 (ours)',
					batched.duplicates === 0 && unbatched.duplicates === 0,
				),
			);
			out.push(
				row(
					'HTTP requests (batch members): batched | unbatched / built-in',
					`${count(batched.httpRequests)} (${count(batched.members)})`,
					`${count(unbatched.httpRequests)} / ${b((f) => count(f.httpRequests))}`,
					`${times(divide(unbatched.httpRequests, batched.httpRequests))} fewer`,
					`≤ 4 × ⌈⌈N/4⌉/${BATCH_SIZE}⌉ = ${count(floorBatches(batched.items))}`,
					batched.httpRequests <= floorBatches(batched.items),
				),
			);
			out.push(row('429 answers: batched | unbatched / built-in', count(batched.throttled), `${count(unbatched.throttled)} / ${b((f) => count(f.throttled))}`, '–', '–'));
			out.push(row('batched: node time (emulator) vs floor', ms(node(batched)), `${ms(batched.floorMs)} (floor)`, times(divide(node(batched), batched.floorMs)), '–'));
			out.push(row('unbatched: node time (emulator) vs floor', ms(node(unbatched)), `${ms(unbatched.floorMs)} (floor)`, times(divide(node(unbatched), unbatched.floorMs)), '–'));
			if (builtin) out.push(row('built-in: node time (emulator) vs sequential floor', ms(node(builtin)), `${ms(builtin.floorMs)} (floor)`, times(divide(node(builtin), builtin.floorMs)), '–'));
			const goalsApply = latencyMs === GOALS_AT_MS;
			const vsUnbatched = divide(node(unbatched), node(batched));
			const bound = bestSpeedup(batched.items, latencyMs, opts.serviceMs);
			out.push(
				row(
					'node time: batched vs unbatched',
					ms(node(batched)),
					ms(node(unbatched)),
					`${times(vsUnbatched)} faster (floors allow ${times(bound)})`,
					goalsApply ? `≥${GOAL_VS_UNBATCHED}×` : '–',
					goalsApply ? vsUnbatched !== undefined && vsUnbatched >= GOAL_VS_UNBATCHED : undefined,
				),
			);
			const vsBuiltin = builtin ? divide(node(builtin), node(batched)) : undefined;
			out.push(
				row(
					'node time: batched vs built-in',
					ms(node(batched)),
					b((f) => ms(node(f))),
					!builtin ? '–' : builtin.failed > 0 ? `n/a: built-in failed ${count(builtin.failed)}` : `${times(vsBuiltin)} faster`,
					goalsApply && builtin ? `≥${GOAL_VS_BUILTIN}×` : '–',
					goalsApply && builtin ? vsBuiltin !== undefined && vsBuiltin >= GOAL_VS_BUILTIN && builtin.failed === 0 : undefined,
				),
			);
			out.push(
				row(
					'n8n executionTime: batched | unbatched / built-in',
					ms(batched.run.nodeExecutionMs),
					`${ms(unbatched.run.nodeExecutionMs)} / ${b((f) => ms(f.run.nodeExecutionMs))}`,
					times(divide(unbatched.run.nodeExecutionMs, batched.run.nodeExecutionMs)),
					'–',
				),
			);
			out.push(
				row(
					'n8n execute wall time: batched | unbatched / built-in',
					ms(batched.run.wallMs),
					`${ms(unbatched.run.wallMs)} / ${b((f) => ms(f.run.wallMs))}`,
					'–',
					'–',
				),
			);
		}
	}
	return out;
}
