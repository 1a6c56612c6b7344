/**
 * The trigger's subscription policy as a table: decide(reason, stored, Graph's view, wanted, now), a
 * row for every reason. The actions themselves (renew, replace, adopt against Graph) run in real n8n
 * in test/e2e/trigger.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { MAX_SUBSCRIPTION_MINUTES, expiryProblem } from '../../nodes/MicrosoftOutlookExt/shared/subscriptions';
import { decide, type Decision, type EnsureReason, type GraphView } from '../../nodes/MicrosoftOutlookExt/trigger/subscription/decide';
import { hashClientState, matchesClientStateHash } from '../../nodes/MicrosoftOutlookExt/trigger/subscription/clientState';
import type { SubscriptionRecord } from '../../nodes/MicrosoftOutlookExt/trigger/staticData';

const MINUTE = 60_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const URL = 'https://n8n.example.com/webhook/abc/notifications';
const SECRET = 's3cret';
const RESOURCE = "me/mailFolders('inbox')/messages";

const wanted = {
	resource: RESOURCE,
	changeType: 'created',
	notificationUrl: URL,
	secretMatches: (clientState: string) => matchesClientStateHash(clientState, hashClientState(SECRET)),
};

/** Stored: renewed 1 minute ago for 10,070 minutes. */
const stored: SubscriptionRecord = {
	subscriptionId: 'sub-1',
	clientStateHash: hashClientState(SECRET),
	clientStateNonce: 'nonce',
	expirationDateTime: new Date(NOW + 10_069 * MINUTE).toISOString(),
	renewedAt: new Date(NOW - MINUTE).toISOString(),
	resource: RESOURCE,
	changeType: 'created',
};

function onGraph(change: IDataObject = {}, id = 'sub-1'): GraphView {
	return {
		kind: 'found',
		subscription: {
			id,
			resource: RESOURCE,
			changeType: 'created',
			notificationUrl: URL,
			lifecycleNotificationUrl: URL,
			expirationDateTime: stored.expirationDateTime,
			clientState: null,
			...change,
		},
	};
}

const at = (minutesFromNow: number) => new Date(NOW + minutesFromNow * MINUTE).toISOString();
const missing: GraphView = { kind: 'missing' };
const unreachable: GraphView = { kind: 'unreachable', error: new Error('ECONNREFUSED') };

const notAsked: GraphView = { kind: 'notAsked' };

type Row = [string, EnsureReason, SubscriptionRecord | undefined, string | undefined, GraphView, Decision, { subscribes?: boolean }?];

/** With Graph's view: the same for every reason that asks Graph (delivery past half-life stands for them). */
const table: Row[] = [
	['nothing stored, nothing in question', 'delivery', undefined, undefined, missing, 'replace'],
	['stored and alive as wanted', 'delivery', stored, 'sub-1', onGraph(), 'keep'],
	['stored, past half of its lifetime', 'delivery', { ...stored, renewedAt: at(-6_000) }, 'sub-1', onGraph({ expirationDateTime: at(4_000) }), 'renew'],
	['stored, gone from Graph', 'delivery', stored, 'sub-1', missing, 'replace'],
	['stored, expires within 5 minutes', 'delivery', stored, 'sub-1', onGraph({ expirationDateTime: at(4) }), 'replace'],
	['stored, expiry already past', 'delivery', stored, 'sub-1', onGraph({ expirationDateTime: at(-60) }), 'replace'],
	['stored, another folder (parameters changed)', 'delivery', stored, 'sub-1', onGraph({ resource: "me/mailFolders('archive')/messages" }), 'replace'],
	['stored, a filter added to the parameters', 'delivery', stored, 'sub-1', onGraph({ resource: `${RESOURCE}?$filter=isRead eq false` }), 'replace'],
	['stored, other change types', 'delivery', stored, 'sub-1', onGraph({ changeType: 'created,updated' }), 'replace'],
	['stored, delivers to another URL', 'delivery', stored, 'sub-1', onGraph({ notificationUrl: 'https://old.example.com/webhook/x' }), 'replace'],
	['stored, lifecycle events go elsewhere', 'delivery', stored, 'sub-1', onGraph({ lifecycleNotificationUrl: 'https://old.example.com/' }), 'replace'],
	['stored, Graph shows another secret', 'delivery', stored, 'sub-1', onGraph({ clientState: 'other' }), 'replace'],
	['stored, Graph shows our secret', 'delivery', stored, 'sub-1', onGraph({ clientState: SECRET }), 'keep'],
	['stored, Graph unreachable, still valid for days', 'delivery', stored, 'sub-1', unreachable, 'keep'],
	['stored, Graph unreachable, about to lapse', 'delivery', { ...stored, expirationDateTime: at(3) }, 'sub-1', unreachable, 'fail'],
	['another one of ours delivers here', 'unknownSubscription', stored, 'sub-2', onGraph({}, 'sub-2'), 'adopt'],
	['another one when nothing is stored', 'unknownSubscription', undefined, 'sub-2', onGraph({}, 'sub-2'), 'adopt'],
	['another one, gone', 'unknownSubscription', stored, 'sub-2', missing, 'ignore'],
	['another one, Graph unreachable', 'unknownSubscription', stored, 'sub-2', unreachable, 'ignore'],
	['another one, for another folder', 'unknownSubscription', stored, 'sub-2', onGraph({ resource: "me/mailFolders('archive')/messages" }, 'sub-2'), 'ignore'],
	['another one, with another secret', 'unknownSubscription', stored, 'sub-2', onGraph({ clientState: 'other' }, 'sub-2'), 'ignore'],
	['another one, about to expire', 'unknownSubscription', stored, 'sub-2', onGraph({ expirationDateTime: at(2) }, 'sub-2'), 'ignore'],
	['another one, before Graph is asked', 'unknownSubscription', stored, 'sub-2', notAsked, 'lookUp'],

	// start: n8n's checkExists at activation and at every n8n start
	['start, nothing stored: n8n creates one', 'start', undefined, undefined, notAsked, 'leaveToCreate'],
	['start, stored: Graph is asked', 'start', stored, 'sub-1', notAsked, 'lookUp'],
	['start, stored and alive as wanted', 'start', stored, 'sub-1', onGraph(), 'keep'],
	['start, stored but gone: left to create()', 'start', stored, 'sub-1', missing, 'leaveToCreate'],
	['start, stored but outdated: left to create()', 'start', stored, 'sub-1', onGraph({ changeType: 'created,updated' }), 'leaveToCreate'],
	['start, Graph unreachable, about to lapse', 'start', { ...stored, expirationDateTime: at(3) }, 'sub-1', unreachable, 'fail'],
	['start, the preset needs no subscription', 'start', stored, 'sub-1', notAsked, 'unsubscribe', { subscribes: false }],
	['start, the preset needs none and none is stored', 'start', undefined, undefined, notAsked, 'leaveToCreate', { subscribes: false }],

	// activation: n8n's create()
	['activation: a new subscription', 'activation', undefined, undefined, notAsked, 'create'],
	['activation, something still stored: a new one all the same', 'activation', stored, 'sub-1', notAsked, 'create'],
	['activation, the preset needs no subscription', 'activation', undefined, undefined, notAsked, 'ignore', { subscribes: false }],

	// delivery: renewal past half-life, without asking Graph before
	['delivery, nothing stored', 'delivery', undefined, undefined, notAsked, 'keep'],
	['delivery, stored and fresh: Graph is not asked', 'delivery', stored, 'sub-1', notAsked, 'keep'],
	['delivery, stored past half-life: Graph is asked', 'delivery', { ...stored, renewedAt: at(-6_000), expirationDateTime: at(4_000) }, 'sub-1', notAsked, 'lookUp'],

	// reauthorizationRequired: Graph asks for a renewal
	['reauthorizationRequired, before Graph is asked', 'reauthorizationRequired', stored, 'sub-1', notAsked, 'lookUp'],
	['reauthorizationRequired, fresh and alive: renewed all the same', 'reauthorizationRequired', stored, 'sub-1', onGraph(), 'renew'],
	['reauthorizationRequired, gone', 'reauthorizationRequired', stored, 'sub-1', missing, 'replace'],
	['reauthorizationRequired, Graph unreachable: renewal tried all the same', 'reauthorizationRequired', stored, 'sub-1', unreachable, 'renew'],
	['reauthorizationRequired for another one of ours', 'reauthorizationRequired', stored, 'sub-2', onGraph({}, 'sub-2'), 'adopt'],

	// subscriptionRemoved: Graph's word that the named one is gone
	['subscriptionRemoved, the stored one: replaced without asking', 'subscriptionRemoved', stored, 'sub-1', notAsked, 'replace'],
	['subscriptionRemoved, another one: Graph is asked', 'subscriptionRemoved', stored, 'sub-2', notAsked, 'lookUp'],
	['subscriptionRemoved, another one, gone', 'subscriptionRemoved', stored, 'sub-2', missing, 'ignore'],
	['subscriptionRemoved, nothing stored', 'subscriptionRemoved', undefined, 'sub-2', missing, 'ignore'],

	// renewNotFound: Graph answered the renewal with 404
	['renew got 404', 'renewNotFound', stored, 'sub-1', onGraph(), 'replace'],
	['renew got 404, before Graph is asked', 'renewNotFound', stored, 'sub-1', notAsked, 'replace'],
];

describe('decide(): the trigger subscription policy', () => {
	test.each(table.map((row) => [row[0], row[5], row] as const))('%s → %s', (_, expected, [, reason, record, subscriptionId, graph, , options]) => {
		expect(decide({ reason, stored: record, subscriptionId, graph, wanted, subscribes: options?.subscribes ?? true, now: NOW })).toBe(expected);
	});

	test('every decision and every reason appears in the table', () => {
		expect(new Set(table.map((row) => row[5]))).toEqual(new Set(['lookUp', 'keep', 'renew', 'replace', 'adopt', 'ignore', 'fail', 'create', 'leaveToCreate', 'unsubscribe']));
		expect(new Set(table.map((row) => row[1]))).toEqual(
			new Set(['start', 'activation', 'delivery', 'reauthorizationRequired', 'subscriptionRemoved', 'unknownSubscription', 'renewNotFound']),
		);
	});
});

describe('expiryProblem(): the expiry Graph answers with', () => {
	test.each([
		['days ahead', at(10_000), false],
		['the maximum lifetime', at(MAX_SUBSCRIPTION_MINUTES), false],
		['30 seconds ahead', new Date(NOW + 30_000).toISOString(), true],
		['in the past', at(-5), true],
		['far beyond the maximum', at(MAX_SUBSCRIPTION_MINUTES + 60 * 24), true],
		['unreadable', 'soon', true],
		['missing', undefined, true],
	])('%s → problem: %s', (_, expiry, isProblem) => {
		expect(expiryProblem(expiry, NOW) !== undefined).toBe(isProblem);
	});
});
