/**
 * The trigger's subscription policy, whole, as one pure function (its table is
 * test/unit/trigger-decide.test.ts): why we are deciding, what static data holds, what Graph says
 * about one subscription (when asked) and what the node's parameters want give the action.
 * subscription/lifecycle.ts carries the action out; nothing else decides.
 */
import type { IDataObject } from 'n8n-workflow';

import { isAboutToExpire, matchesWanted, needsRenewal, type WantedSubscription } from '../../shared/subscriptions';
import type { SubscriptionRecord } from '../staticData';

/**
 * Why a decision is needed:
 * - `start`: n8n's checkExists, at activation and at every start of n8n;
 * - `activation`: n8n's create(), after checkExists found nothing usable;
 * - `delivery`: a delivery came in (renewal past half-life, opportunistically);
 * - `reauthorizationRequired`, `subscriptionRemoved`: Graph's lifecycle events;
 * - `unknownSubscription`: a delivery from a subscription static data does not know;
 * - `renewNotFound`: a renewal Graph answered with 404.
 */
export type EnsureReason = 'start' | 'activation' | 'delivery' | 'reauthorizationRequired' | 'subscriptionRemoved' | 'unknownSubscription' | 'renewNotFound';

/** What Graph says about one subscription. Unreachable = no answer, 429 or 5xx: its state is unknown, not gone. `notAsked`: not looked up (yet). */
export type GraphView = { kind: 'found'; subscription: IDataObject } | { kind: 'missing' } | { kind: 'unreachable'; error: unknown } | { kind: 'notAsked' };

/**
 * - `lookUp`: ask Graph about the subscription, then decide again with its answer
 * - `keep`, `renew`, `replace` (delete the old one, create a new one with the same clientState), `adopt`, `ignore`, `fail`
 * - `create`: a new subscription with a new clientState and key (n8n's create())
 * - `leaveToCreate`: delete what is outdated and forget it; n8n's create() makes the new one (at `start`,
 *   Graph's validation request would not reach the webhook yet)
 * - `unsubscribe`: the node needs no subscription (Upcoming Event Starting Soon): every one for this webhook goes
 */
export type Decision = 'lookUp' | 'keep' | 'renew' | 'replace' | 'adopt' | 'ignore' | 'fail' | 'create' | 'leaveToCreate' | 'unsubscribe';

export interface DecisionInput {
	reason: EnsureReason;
	stored: SubscriptionRecord | undefined;
	/** The subscription in question: the stored one, or one a delivery or lifecycle event named. Undefined = none exists. */
	subscriptionId: string | undefined;
	graph: GraphView;
	wanted: WantedSubscription;
	/** false when the parameters need no subscription (Upcoming Event Starting Soon). */
	subscribes: boolean;
	now: number;
}

/** Before Graph is asked: the reasons that decide without it. undefined = ask Graph. */
function withoutGraph(input: DecisionInput): Decision | undefined {
	const { reason, stored, subscriptionId, subscribes, now } = input;
	if (reason === 'activation') return subscribes ? 'create' : 'ignore';
	if (reason === 'start') {
		if (!stored) return 'leaveToCreate';
		if (!subscribes) return 'unsubscribe';
	}
	if (reason === 'delivery' && (!stored || !needsRenewal(stored, now))) return 'keep';
	// Graph's word that the stored subscription is gone: no need to ask.
	if (reason === 'subscriptionRemoved' && stored !== undefined && subscriptionId === stored.subscriptionId) return 'replace';
	// Nothing to ask about: withGraph() decides for "none exists".
	if (subscriptionId === undefined) return withGraph({ ...input, graph: { kind: 'missing' } });
	return undefined;
}

/**
 * With Graph's view:
 * - the stored one: missing → replace; unreachable → keep while it is still valid for a while, else
 *   fail; found but different from what the parameters want or about to expire → replace; past half
 *   of its lifetime → renew; else keep (renew when Graph asked for reauthorization)
 * - another one (a delivery or event named it): ours and usable → adopt (its ID was lost to a concurrent
 *   static-data write); anything else → ignore
 * - at `start` a replacement is left to n8n's create()
 */
function withGraph({ reason, stored, subscriptionId, graph, wanted, now }: DecisionInput): Decision {
	const isStored = stored !== undefined && stored.subscriptionId === subscriptionId;
	const replace: Decision = reason === 'start' ? 'leaveToCreate' : 'replace';
	if (subscriptionId === undefined) return replace;
	if (graph.kind === 'unreachable') {
		if (!isStored) return 'ignore';
		if (isAboutToExpire(stored.expirationDateTime, now)) return 'fail';
		// Graph asked for a renewal: try it (a failed one is retried at the next event or delivery).
		return reason === 'reauthorizationRequired' ? 'renew' : 'keep';
	}
	if (graph.kind !== 'found') return isStored ? replace : 'ignore';
	const current = graph.subscription;
	const usable = matchesWanted(current, wanted) && !isAboutToExpire(current.expirationDateTime, now);
	if (!isStored) return usable ? 'adopt' : 'ignore';
	if (!usable) return replace;
	if (reason === 'reauthorizationRequired') return 'renew';
	return needsRenewal({ expirationDateTime: String(current.expirationDateTime), renewedAt: stored.renewedAt }, now) ? 'renew' : 'keep';
}

export function decide(input: DecisionInput): Decision {
	// Graph answered the renewal with 404: that is its view, the subscription is gone.
	if (input.reason === 'renewNotFound') return 'replace';
	if (input.graph.kind === 'notAsked') return withoutGraph(input) ?? 'lookUp';
	return withGraph(input);
}
