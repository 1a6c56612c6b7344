/**
 * The trigger's subscription policy as a table: decide(stored, Graph's view, wanted, now). The
 * actions themselves (renew, replace, adopt against Graph) run in real n8n in test/e2e/trigger.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { MAX_SUBSCRIPTION_MINUTES, expiryProblem } from '../../nodes/MicrosoftOutlookExt/shared/subscriptions';
import { decide, type Decision, type GraphView } from '../../nodes/MicrosoftOutlookExt/trigger/subscription/lifecycle';
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

type Row = [string, SubscriptionRecord | undefined, string | undefined, GraphView, Decision];

const table: Row[] = [
	['nothing stored, nothing in question', undefined, undefined, missing, 'replace'],
	['stored and alive as wanted', stored, 'sub-1', onGraph(), 'keep'],
	['stored, past half of its lifetime', { ...stored, renewedAt: at(-6_000) }, 'sub-1', onGraph({ expirationDateTime: at(4_000) }), 'renew'],
	['stored, gone from Graph', stored, 'sub-1', missing, 'replace'],
	['stored, expires within 5 minutes', stored, 'sub-1', onGraph({ expirationDateTime: at(4) }), 'replace'],
	['stored, expiry already past', stored, 'sub-1', onGraph({ expirationDateTime: at(-60) }), 'replace'],
	['stored, another folder (parameters changed)', stored, 'sub-1', onGraph({ resource: "me/mailFolders('archive')/messages" }), 'replace'],
	['stored, a filter added to the parameters', stored, 'sub-1', onGraph({ resource: `${RESOURCE}?$filter=isRead eq false` }), 'replace'],
	['stored, other change types', stored, 'sub-1', onGraph({ changeType: 'created,updated' }), 'replace'],
	['stored, delivers to another URL', stored, 'sub-1', onGraph({ notificationUrl: 'https://old.example.com/webhook/x' }), 'replace'],
	['stored, lifecycle events go elsewhere', stored, 'sub-1', onGraph({ lifecycleNotificationUrl: 'https://old.example.com/' }), 'replace'],
	['stored, Graph shows another secret', stored, 'sub-1', onGraph({ clientState: 'other' }), 'replace'],
	['stored, Graph shows our secret', stored, 'sub-1', onGraph({ clientState: SECRET }), 'keep'],
	['stored, Graph unreachable, still valid for days', stored, 'sub-1', unreachable, 'keep'],
	['stored, Graph unreachable, about to lapse', { ...stored, expirationDateTime: at(3) }, 'sub-1', unreachable, 'fail'],
	['another one of ours delivers here', stored, 'sub-2', onGraph({}, 'sub-2'), 'adopt'],
	['another one when nothing is stored', undefined, 'sub-2', onGraph({}, 'sub-2'), 'adopt'],
	['another one, gone', stored, 'sub-2', missing, 'ignore'],
	['another one, Graph unreachable', stored, 'sub-2', unreachable, 'ignore'],
	['another one, for another folder', stored, 'sub-2', onGraph({ resource: "me/mailFolders('archive')/messages" }, 'sub-2'), 'ignore'],
	['another one, with another secret', stored, 'sub-2', onGraph({ clientState: 'other' }, 'sub-2'), 'ignore'],
	['another one, about to expire', stored, 'sub-2', onGraph({ expirationDateTime: at(2) }, 'sub-2'), 'ignore'],
];

describe('decide(): the trigger subscription policy', () => {
	test.each(table.map((row) => [row[0], row[4], row] as const))('%s → %s', (_, expected, [, record, subscriptionId, graph]) => {
		expect(decide({ stored: record, subscriptionId, graph, wanted, now: NOW })).toBe(expected);
	});

	test('every decision appears in the table', () => {
		expect(new Set(table.map((row) => row[4]))).toEqual(new Set(['keep', 'renew', 'replace', 'adopt', 'ignore', 'fail']));
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
