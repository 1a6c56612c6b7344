/**
 * Why the trigger also has a `trigger()` function (measured with scripts/e2e-latest/probe-lifecycle.ts):
 *
 * - n8n 2.8.4 calls checkExists at every start for every active webhook trigger.
 * - Newer n8n (2.41, workflow publication service) keeps a webhook-only trigger's registration in its
 *   database and calls **nothing** at start-up: a subscription deleted or expired while n8n was down
 *   would never be noticed. It does re-register, at every start, each node that has a `trigger()`
 *   function (an "in-memory" trigger), and for such a node it also re-registers its webhooks, which
 *   runs checkExists (activation `init`), the same as 2.8.4 does.
 *
 * So trigger() is what keeps the start-up check on every n8n version. In production it does no work
 * itself (checkExists asks Graph, renews or re-creates); its close function only runs at deactivation or
 * shutdown and must not delete the subscription (SIGTERM calls it too, and the subscription should
 * outlive a restart).
 *
 * The cost: a node with trigger() is executed as a trigger in manual (editor test) runs, where n8n calls
 * trigger() instead of passing the test webhook's items through. The webhook therefore leaves the items
 * of a manual run here, and trigger() hands them on (same process: n8n runs editor tests in the main
 * process unless manual executions are offloaded to workers, where the test run fails with a clear error).
 */
import type {
	INodeExecutionData,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeFailure, settle } from '../../shared/graph';
import { LOG_PREFIX, LruMap } from '../common';
import { resync, START_REASON } from '../resync/deltaResync';
import { readSettings, type TriggerSettings } from '../config/settings';
import { staticDataOf } from '../staticData';
import { dueEvents, POLL_CRON } from '../polling/upcomingEvents';

/** Items of a test webhook waiting for trigger() of the manual run it starts; short-lived. */
const testEvents = new Map<string, { at: number; data: INodeExecutionData[][] }>();
const TEST_EVENT_TTL_MS = 5 * 60_000;

function testEventKey(ctx: IWebhookFunctions | ITriggerFunctions): string {
	return `${String(ctx.getWorkflow().id)}|${ctx.getNode().name}`;
}

/** Called with every webhook answer: keeps a manual (test) run's items for trigger(). */
export function rememberTestEvent(ctx: IWebhookFunctions, response: IWebhookResponseData): void {
	if (ctx.getMode() !== 'manual' || !response.workflowData) return;
	const now = Date.now();
	for (const [key, event] of testEvents) if (now - event.at > TEST_EVENT_TTL_MS) testEvents.delete(key);
	testEvents.set(testEventKey(ctx), { at: now, data: response.workflowData });
}

function takeTestEvent(ctx: ITriggerFunctions): INodeExecutionData[][] | undefined {
	const key = testEventKey(ctx);
	const event = testEvents.get(key);
	testEvents.delete(key);
	return event && Date.now() - event.at <= TEST_EVENT_TTL_MS ? event.data : undefined;
}

export async function startTrigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
	const settings = await settle(readSettings(this));
	if (settings.ok && !settings.value.subscribes) return startPolling(this, settings.value);
	if (this.getMode() === 'manual') {
		return {
			manualTriggerFunction: async () => {
				const data = takeTestEvent(this);
				if (!data) {
					throw new NodeOperationError(this.getNode(), 'The test notification is not in this n8n process', {
						description:
							'The test run was started without the notification the webhook received (for example because manual executions run on queue-mode workers). Activate the workflow to receive notifications.',
					});
				}
				this.emit(data);
			},
		};
	}
	// n8n's start-up registration of this node runs checkExists (see above). Changes while n8n was
	// down (Graph stops retrying after hours) are recovered by a resync, in the background so the
	// activation is not delayed; its items start one run. Not on a user's activation: create() has just
	// taken the first delta link, and newer n8n runs this concurrently with create() on the same static data.
	if (settings.ok && settings.value.resync && START_ACTIVATIONS.has(this.getActivationMode())) void resyncAtStart(this, settings.value);
	return { closeFunction: async () => {} };
}

/** Upcoming Event Starting Soon: the calendar is read now and every 30 seconds (polling/upcomingEvents.ts). */
function startPolling(ctx: ITriggerFunctions, settings: TriggerSettings): ITriggerResponse {
	if (ctx.getMode() === 'manual') {
		return {
			manualTriggerFunction: async () => {
				const items = await dueEvents(ctx, settings, true);
				if (items.length === 0) {
					throw new NodeOperationError(ctx.getNode(), `No event starts in the next ${settings.minutesBefore} minutes`, {
						description: 'The test run outputs the next event that starts within Minutes Before Start. Create one, or raise the number for the test.',
					});
				}
				ctx.emit([items]);
			},
		};
	}
	let running = false;
	const poll = async () => {
		if (running) return;
		running = true;
		const due = await settle(dueEvents(ctx, settings));
		running = false;
		if (!due.ok) ctx.logger.warn(`${LOG_PREFIX} reading the calendar for upcoming events failed, will try again: ${describeFailure(due.error)}`);
		else if (due.value.length > 0) ctx.emit([due.value]);
	};
	void poll();
	// n8n's scheduler (community nodes may not use timers); it stops the schedule at deactivation.
	ctx.helpers.registerCron({ expression: POLL_CRON }, () => void poll());
	return { closeFunction: async () => {} };
}

/** Activation modes in which n8n (re)starts an already active workflow: n8n start, or another main taking over. */
const START_ACTIVATIONS = new Set<string>(['init', 'leadershipChange']);

/** Start-up resyncs done in this process, per workflow and node: n8n may register a trigger twice in a row. */
const recentStartResyncs = new LruMap<string, number>(1000);
const START_RESYNC_GAP_MS = 60_000;

async function resyncAtStart(ctx: ITriggerFunctions, settings: TriggerSettings): Promise<void> {
	// A second registration moments later would read the same (not yet saved) link and output it all again.
	const key = `${String(ctx.getWorkflow().id)}|${ctx.getNode().name}`;
	const now = Date.now();
	if (now - (recentStartResyncs.get(key) ?? 0) < START_RESYNC_GAP_MS) return;
	recentStartResyncs.set(key, now);
	const result = await settle(resync(ctx, settings, staticDataOf(ctx), START_REASON));
	if (!result.ok) {
		ctx.logger.error(`${LOG_PREFIX} resync at start failed; the next one catches up: ${describeFailure(result.error)}`);
		return;
	}
	if (result.value.items.length > 0) ctx.emit([result.value.items]);
}
