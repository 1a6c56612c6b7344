/**
 * Workload 8 (issue 18): triage N messages — Mark as Read, then Move to Archive — ours (per-item requests
 * in JSON batches, the default) against n8n's built-in Outlook node v2 (Message → Update with Is Read,
 * then Message → Move), at a network latency, with the emulator enforcing Outlook's limits as in W6
 * (4 concurrent requests per mailbox, 10,000 per 10 minutes, a small service time per operation).
 * Both variants do the same Graph work in the same order: one PATCH and one POST /move per message
 * (Mark as Read first: the built-in Move does not output the moved message's new ID).
 */
import type { EmulatorCoreImpl } from '../test/emulator/core';
import { mailboxOf, seedMessages } from '../test/emulator/mail';
import type { RecordedRequest } from '../test/emulator/types';
import { ADELE } from '../test/e2e/support';
import { sleep } from './measure';
import { count, divide, emptyResult, ms, statusOf, times, type Row, type WorkloadResult } from './report';
import { closeSeries, executeMeasured, listWorkflow, openSeries, outlookNode, workflowId, type MeasuredRun, type Rival, type Series } from './series';
import { floorMs } from './w6-batch';

export interface TriageBenchOptions {
	items: number;
	latencyMs: number;
	serviceMs: number;
	/** Also run n8n's built-in node (off in quick mode: it is sequential and slow). */
	builtin: boolean;
}

type Step = 'read' | 'move';

const CONCURRENCY = 4;
const RATE_LIMIT = { requests: 10_000, windowMs: 600_000 };
const GOAL_VS_BUILTIN = 10;
const DESTINATION = 'archive';

function locator(value: string): Record<string, unknown> {
	return { __rl: true, mode: 'id', value };
}

function parameters(rival: Rival, step: Step): Record<string, unknown> {
	const messageId = locator('={{ $json.id }}');
	if (rival === 'ours') {
		return step === 'read' ? { resource: 'message', operation: 'markAsRead', messageId } : { resource: 'message', operation: 'move', messageId, destinationFolderId: locator(DESTINATION) };
	}
	return step === 'read'
		? { resource: 'message', operation: 'update', messageId, updateFields: { isRead: true } }
		: { resource: 'message', operation: 'move', messageId, folderId: locator(DESTINATION) };
}

interface StepFigures {
	rival: Rival;
	step: Step;
	nodeMs: number;
	httpRequests: number;
	batches: number;
	failed: number;
	firstFailure?: string;
	/** Graph carried out the same operation on the same message more than once. */
	duplicates: number;
}

function isFailure(item: { json?: any; error?: any }): boolean {
	return item.error !== undefined || (item.json && typeof item.json === 'object' && 'error' in item.json);
}

function stepFigures(rival: Rival, step: Step, items: number, run: MeasuredRun): StepFigures {
	const graph = run.requests.filter((r) => r.area === 'graph');
	const operations = graph.filter((r) => !(r.method === 'POST' && r.path.toLowerCase() === '/$batch'));
	const seen = new Map<string, number>();
	for (const op of operations as RecordedRequest[]) {
		if (op.status === undefined || op.status === 429 || op.status === 424 || op.status >= 300) continue;
		const key = `${op.method} ${op.path}`;
		seen.set(key, (seen.get(key) ?? 0) + 1);
	}
	const failures = run.output.filter(isFailure);
	const succeeded = run.success || run.output.length > 0 ? run.output.length - failures.length : 0;
	return {
		rival,
		step,
		nodeMs: run.window.windowMs,
		httpRequests: graph.filter((r) => r.parentRequestId === undefined).length,
		batches: graph.filter((r) => r.parentRequestId === undefined && r.path.toLowerCase() === '/$batch').length,
		failed: items - succeeded,
		firstFailure: failures[0] ? String(failures[0].json?.error ?? failures[0].error?.message ?? '') : run.error,
		duplicates: [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
	};
}

/** The truth after a variant: every message read and in Archive exactly once, none left in the inbox. */
function mailboxCheck(series: Series, subjectPrefix: string): { inArchive: number; unread: number; leftInInbox: number } {
	const state = mailboxOf(series.emu.core, ADELE.id);
	let inArchive = 0;
	let unread = 0;
	let leftInInbox = 0;
	const archiveId = state.wellKnown.get(DESTINATION);
	const inboxId = state.wellKnown.get('inbox');
	for (const message of state.messages.values()) {
		if (!message.json.subject.startsWith(`${subjectPrefix} `)) continue;
		if (message.json.parentFolderId === archiveId) inArchive++;
		if (message.json.parentFolderId === inboxId) leftInInbox++;
		if (!message.json.isRead) unread++;
	}
	return { inArchive, unread, leftInInbox };
}

export async function runTriageWorkload(opts: TriageBenchOptions, log: (line: string) => void): Promise<WorkloadResult> {
	const result = emptyResult('w8', 'Triage: Mark as Read + Move, ours vs built-in');
	const started = Date.now();
	const rivals: Rival[] = opts.builtin ? ['ours', 'builtin'] : ['ours'];
	const totals: Record<string, { nodeMs: number; failed: number; duplicates: number; httpRequests: number; batches: number; check: ReturnType<typeof mailboxCheck> }> = {};
	let series: Series | undefined;
	try {
		series = await openSeries(`w8-${opts.latencyMs}`, { concurrencyPerMailbox: CONCURRENCY, rateLimit: RATE_LIMIT, latencyMs: opts.latencyMs, serviceMs: opts.serviceMs });
		const core = series.emu.core as EmulatorCoreImpl;
		for (const rival of rivals) {
			const prefix = `W8 triage ${rival}`;
			const ids = seedMessages(core, { userId: ADELE.id, count: opts.items, subjectPrefix: prefix }).ids;
			const inputs = ids.map((id) => ({ id }));
			const figures: StepFigures[] = [];
			for (const step of ['read', 'move'] as Step[]) {
				const workflow = listWorkflow(workflowId(`w8${rival.slice(0, 3)}${step}${opts.latencyMs}`), outlookNode(rival, parameters(rival, step), { onError: 'continueRegularOutput' }), inputs);
				await series.n8n.importWorkflows([workflow]);
				await sleep(200);
				core.limiter.resetStats();
				const run = await executeMeasured(series, workflow, { latencyMs: opts.latencyMs });
				const figure = stepFigures(rival, step, opts.items, run);
				figures.push(figure);
				log(
					`w8 @${opts.latencyMs} ms ${rival} ${step} x${opts.items}: ${opts.items - figure.failed} ok, ${figure.failed} failed, ${figure.duplicates} dup, ` +
						`${figure.httpRequests} HTTP (${figure.batches} batches), node ${ms(figure.nodeMs)}${figure.firstFailure ? `; first failure: ${figure.firstFailure.slice(0, 160)}` : ''}`,
				);
			}
			const check = mailboxCheck(series, prefix);
			totals[rival] = {
				nodeMs: figures.reduce((sum, f) => sum + f.nodeMs, 0),
				failed: Math.max(...figures.map((f) => f.failed)),
				duplicates: figures.reduce((sum, f) => sum + f.duplicates, 0),
				httpRequests: figures.reduce((sum, f) => sum + f.httpRequests, 0),
				batches: figures.reduce((sum, f) => sum + f.batches, 0),
				check,
			};
			log(`w8 ${rival}: ${check.inArchive} in Archive, ${check.unread} unread, ${check.leftInInbox} left in the inbox`);
		}
	} finally {
		await closeSeries(series);
	}
	const ours = totals.ours;
	if (ours.failed > 0) result.functionalErrors.push(`w8: ours: ${ours.failed} of ${opts.items} items failed`);
	if (ours.duplicates > 0) result.functionalErrors.push(`w8: ours: ${ours.duplicates} operations carried out twice`);
	if (ours.check.inArchive !== opts.items || ours.check.unread > 0 || ours.check.leftInInbox > 0) {
		result.functionalErrors.push(`w8: ours: ${ours.check.inArchive}/${opts.items} in Archive, ${ours.check.unread} unread, ${ours.check.leftInInbox} left in the inbox`);
	}
	const builtin = totals.builtin;
	const label = `${count(opts.items)} × (Mark as Read + Move) @${opts.latencyMs} ms + ${opts.serviceMs} ms service, ${CONCURRENCY} conc.`;
	const row = (metric: string, o: string, other: string, ratio: string, goal: string, ok?: boolean): Row => ({
		workload: 'W8 triage',
		case: label,
		metric,
		ours: o,
		other,
		ratio,
		goal,
		status: statusOf(ok),
	});
	const b = (value: (t: typeof ours) => string) => (builtin ? value(builtin) : 'not run');
	const floor = 2 * floorMs('batched', opts.items, opts.latencyMs, opts.serviceMs);
	result.rows.push(
		row('failed items', count(ours.failed), b((t) => count(t.failed)), '–', '0', ours.failed === 0),
		row('operations carried out twice', count(ours.duplicates), b((t) => count(t.duplicates)), '–', '0', ours.duplicates === 0),
		row('messages in Archive, read (of N)', `${count(ours.check.inArchive)}, ${count(opts.items - ours.check.unread)}`, b((t) => `${count(t.check.inArchive)}, ${count(opts.items - t.check.unread)}`), '–', `${count(opts.items)}, ${count(opts.items)}`),
		row('HTTP requests (batches)', `${count(ours.httpRequests)} (${count(ours.batches)})`, b((t) => count(t.httpRequests)), times(builtin ? divide(builtin.httpRequests, ours.httpRequests) : undefined), '–'),
		row('node time (both steps) vs batched floor', ms(ours.nodeMs), `${ms(floor)} (floor)`, times(divide(ours.nodeMs, floor)), '–'),
	);
	const speedup = builtin ? divide(builtin.nodeMs, ours.nodeMs) : undefined;
	result.rows.push(
		row(
			'node time (both steps): ours vs built-in',
			ms(ours.nodeMs),
			b((t) => ms(t.nodeMs)),
			!builtin ? '–' : builtin.failed > 0 ? `n/a: built-in failed ${count(builtin.failed)}` : `${times(speedup)} faster`,
			builtin ? `≥${GOAL_VS_BUILTIN}×` : '–',
			builtin ? speedup !== undefined && speedup >= GOAL_VS_BUILTIN && builtin.failed === 0 && ours.failed === 0 && ours.duplicates === 0 : undefined,
		),
	);
	result.raw = { totals, options: opts };
	result.durationMs = Date.now() - started;
	return result;
}
