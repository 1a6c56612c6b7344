/**
 * Pure logic of the Outlook trigger: duplicate memory, notification parsing, secret comparison,
 * subscription matching and renewal timing, URL checks and Graph's clock. The webhook lifecycle
 * itself runs in real n8n in test/e2e/trigger.test.ts.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { toNodeApiError } from '../../nodes/MicrosoftOutlookExt/shared/transport/errors';
import { MAX_REMEMBERED, ONCE_ONLY_MEMORY_MS, checkDuplicates, firstOfEachKey, memoryMs, notificationKey, rememberFresh } from '../../nodes/MicrosoftOutlookExt/trigger/delivery/dedupe';
import { graphNow, noteGraphDate } from '../../nodes/MicrosoftOutlookExt/shared/graph';
import { hashClientState, matchesClientStateHash as sameSecret } from '../../nodes/MicrosoftOutlookExt/trigger/subscription/clientState';
import { missedItem, notificationsOf, publicChange, resourceIdOf } from '../../nodes/MicrosoftOutlookExt/trigger/delivery/notifications';
import { calendarEventsResource } from '../../nodes/MicrosoftOutlookExt/trigger/config/settings';
import { type TriggerContext } from '../../nodes/MicrosoftOutlookExt/trigger/common';
import { clearSubscription, storeSubscription, storedSubscription, type SubscriptionRecord } from '../../nodes/MicrosoftOutlookExt/trigger/staticData';
import {
	assertUsableWebhookUrl,
	checkedChangeTypeList,
	graphIdProblem,
	isAboutToExpire,
	isUrlRefusal,
	matchesWanted,
	needsRenewal,
	notificationUrlProblem,
	urlRefusedError,
} from '../../nodes/MicrosoftOutlookExt/shared/subscriptions';
import { LruMap } from '../../nodes/MicrosoftOutlookExt/trigger/common';
import { validationTokenOf } from '../../nodes/MicrosoftOutlookExt/trigger/delivery/webhook';

const NODE: INode = { id: '1', name: 'Outlook Trigger', type: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExtTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
const ctx = { getNode: () => NODE } as unknown as TriggerContext;
const MINUTE = 60_000;
const URL_A = 'https://n8n.example.com/webhook/abc/notifications';

function graphError(status: number, code: string, message: string) {
	return toNodeApiError(NODE, {
		statusCode: status,
		headers: { 'request-id': '0f1e2d3c-0000-4000-8000-000000000001' },
		body: { error: { code, message, innerError: { 'request-id': '0f1e2d3c-0000-4000-8000-000000000001', date: '2026-01-01T00:00:00' } } },
	});
}

describe('duplicate memory', () => {
	test('keys depend on change type and item, and are short', () => {
		expect(notificationKey('created', 'AAMk1')).toBe(notificationKey('created', 'AAMk1'));
		expect(notificationKey('created', 'AAMk1')).not.toBe(notificationKey('updated', 'AAMk1'));
		expect(notificationKey('created', 'AAMk1')).not.toBe(notificationKey('created', 'AAMk2'));
		expect(notificationKey('created', 'x'.repeat(300))).toHaveLength(22);
	});

	test('created/deleted are remembered at least 10 minutes, updated for the window, nothing for 0', () => {
		expect(memoryMs('updated', 10)).toBe(10_000);
		expect(memoryMs('created', 10)).toBe(ONCE_ONLY_MEMORY_MS);
		expect(memoryMs('deleted', 3600)).toBe(3_600_000);
		expect(memoryMs('created', 0)).toBe(0);
	});

	test('firstOfEachKey keeps order and first occurrences', () => {
		expect(firstOfEachKey(['a1', 'b1', 'a2', 'c1', 'b2'], (s) => s[0])).toEqual(['a1', 'b1', 'c1']);
	});

	test('rememberFresh: repeats within the ttl are duplicates, after it fresh again; ttl 0 is never remembered', () => {
		const now = 1_000_000;
		const first = rememberFresh(undefined, [{ key: 'k', ttlMs: 5000 }, { key: 'z', ttlMs: 0 }], now);
		expect(first.fresh).toEqual([true, true]);
		expect(first.memory).toEqual({ k: now + 5000 });
		expect(rememberFresh(first.memory, [{ key: 'k', ttlMs: 5000 }, { key: 'z', ttlMs: 0 }], now + 4999).fresh).toEqual([false, true]);
		expect(rememberFresh(first.memory, [{ key: 'k', ttlMs: 5000 }], now + 5000).fresh).toEqual([true]);
	});

	test('the memory is capped, dropping the entries that expire first', () => {
		const now = 0;
		const memory = Object.fromEntries(Array.from({ length: MAX_REMEMBERED }, (_, i) => [`old${i}`, 1000 + i]));
		const next = rememberFresh(memory, [{ key: 'new', ttlMs: 1_000_000 }], now).memory;
		expect(Object.keys(next)).toHaveLength(MAX_REMEMBERED);
		expect(next.new).toBe(1_000_000);
		expect(next.old0).toBeUndefined();
	});

	test('checkDuplicates: two requests with the same stale static data in one process see each other', () => {
		const now = Date.now();
		const entries = [{ key: notificationKey('created', 'm1'), ttlMs: ONCE_ONLY_MEMORY_MS }];
		const first = checkDuplicates('https://x/webhook/1', {}, entries, now);
		const second = checkDuplicates('https://x/webhook/1', {}, entries, now + 1);
		expect(first.fresh).toEqual([true]);
		expect(second.fresh).toEqual([false]);
		// Another trigger has its own memory.
		expect(checkDuplicates('https://x/webhook/2', {}, entries, now + 2).fresh).toEqual([true]);
		// Static data written by another process is honoured too.
		const otherKey = [{ key: notificationKey('created', 'm9'), ttlMs: ONCE_ONLY_MEMORY_MS }];
		expect(checkDuplicates('https://x/webhook/3', { [otherKey[0].key]: now + 60_000 }, otherKey, now).fresh).toEqual([false]);
	});
});

describe('notifications', () => {
	const base = {
		subscriptionId: 'sub-1',
		clientState: 'secret',
		changeType: 'created',
		resource: 'Users/u-1/Messages/AAMk=',
		subscriptionExpirationDateTime: '2026-01-01T00:00:00Z',
		tenantId: 't-1',
		resourceData: { '@odata.type': '#Microsoft.Graph.Message', id: 'AAMk=' },
	};

	test('notificationsOf reads the value array and skips entries that are not Graph notifications', () => {
		expect(notificationsOf({ value: [base, { hello: 1 }, 'x', null, { subscriptionId: '' }] })).toHaveLength(1);
		expect(notificationsOf({ value: 'nope' })).toEqual([]);
		expect(notificationsOf(undefined)).toEqual([]);
		expect(notificationsOf([base])).toEqual([]);
	});

	test('resourceIdOf prefers resourceData.id and falls back to the resource path', () => {
		const [parsed] = notificationsOf({ value: [base] });
		expect(resourceIdOf(parsed)).toBe('AAMk=');
		expect(resourceIdOf({ subscriptionId: 's', resource: 'Users/u/Messages/AAMk2' })).toBe('AAMk2');
		expect(resourceIdOf({ subscriptionId: 's', resource: "Users('u')/messages('AAMk3')" })).toBe('AAMk3');
		expect(resourceIdOf({ subscriptionId: 's', resource: 'something/else' })).toBeUndefined();
	});

	test('outputs never carry the clientState', () => {
		const [parsed] = notificationsOf({ value: [base] });
		expect(publicChange(parsed)).toEqual({
			changeType: 'created',
			resourceId: 'AAMk=',
			resource: base.resource,
			subscriptionId: 'sub-1',
			subscriptionExpirationDateTime: base.subscriptionExpirationDateTime,
			tenantId: 't-1',
			resourceData: base.resourceData,
		});
		const missed = missedItem({ ...parsed, lifecycleEvent: 'missed' }, 'me/messages');
		expect(missed).toMatchObject({ lifecycleEvent: 'missed', resource: 'me/messages', subscriptionId: 'sub-1' });
		expect(JSON.stringify([publicChange(parsed), missed])).not.toContain('secret');
	});

	test('validationTokenOf reads the (already decoded) query', () => {
		expect(validationTokenOf({ validationToken: 'a b+c' })).toBe('a b+c');
		expect(validationTokenOf({ validationToken: ['first', 'second'] })).toBe('first');
		expect(validationTokenOf({ validationToken: '' })).toBe('');
		expect(validationTokenOf({})).toBeUndefined();
	});
});

describe('secrets and subscription matching', () => {
	test('sameSecret compares a clientState with the stored hash exactly and refuses non-strings', () => {
		expect(sameSecret('abc', hashClientState('abc'))).toBe(true);
		expect(sameSecret('abd', hashClientState('abc'))).toBe(false);
		expect(sameSecret('ab', hashClientState('abc'))).toBe(false);
		expect(sameSecret(hashClientState('abc'), hashClientState('abc'))).toBe(false);
		expect(sameSecret(undefined, hashClientState('abc'))).toBe(false);
		expect(sameSecret('', '')).toBe(false);
	});

	const wanted = {
		resource: "me/mailFolders('inbox')/messages",
		changeType: 'created,updated',
		notificationUrl: URL_A,
		secretMatches: (clientState: string) => sameSecret(clientState, hashClientState('s3cret')),
	};
	const current = {
		notificationUrl: URL_A,
		lifecycleNotificationUrl: URL_A,
		resource: "/Me/mailfolders('Inbox')/messages",
		changeType: 'updated,created',
		clientState: null,
	};

	test('matchesWanted tolerates case, slashes, change-type order and a hidden clientState', () => {
		expect(matchesWanted(current, wanted)).toBe(true);
		expect(matchesWanted({ ...current, clientState: 's3cret', lifecycleNotificationUrl: null }, wanted)).toBe(true);
	});

	test.each([
		['another notification URL', { notificationUrl: 'https://old.example.com/webhook/abc/notifications' }],
		['another lifecycle URL', { lifecycleNotificationUrl: 'https://elsewhere.example.com/' }],
		['another folder', { resource: "me/mailFolders('archive')/messages" }],
		['other change types', { changeType: 'created' }],
		['another secret', { clientState: 'other' }],
	])('matchesWanted refuses %s', (_, change) => {
		expect(matchesWanted({ ...current, ...change }, wanted)).toBe(false);
	});

	test('needsRenewal: past half of the lifetime since the create or last renewal', () => {
		const renewedAt = Date.parse('2026-01-01T00:00:00Z');
		const record = { renewedAt: new Date(renewedAt).toISOString(), expirationDateTime: new Date(renewedAt + 10_000 * MINUTE).toISOString() };
		expect(needsRenewal(record, renewedAt + 4_999 * MINUTE)).toBe(false);
		expect(needsRenewal(record, renewedAt + 5_001 * MINUTE)).toBe(true);
		expect(needsRenewal({ ...record, expirationDateTime: 'garbage' }, renewedAt)).toBe(true);
	});

	test('isAboutToExpire: gone, unreadable or within 5 minutes', () => {
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(isAboutToExpire('2026-01-01T00:04:00Z', now)).toBe(true);
		expect(isAboutToExpire('2026-01-01T00:06:00Z', now)).toBe(false);
		expect(isAboutToExpire(undefined, now)).toBe(true);
	});
});

describe('webhook URL checks and the activation error', () => {
	test('HTTPS and loopback HTTP pass; public HTTP is refused with the WEBHOOK_URL advice', () => {
		expect(() => assertUsableWebhookUrl(ctx, URL_A)).not.toThrow();
		expect(() => assertUsableWebhookUrl(ctx, 'http://127.0.0.1:5678/webhook/x/notifications')).not.toThrow();
		expect(() => assertUsableWebhookUrl(ctx, 'http://localhost:5678/webhook/x/notifications')).not.toThrow();
		let error: NodeOperationError | undefined;
		try {
			assertUsableWebhookUrl(ctx, 'http://n8n.example.com:5678/webhook/x/notifications');
		} catch (e) {
			error = e as NodeOperationError;
		}
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error!.message).toContain('only sends notifications to HTTPS URLs');
		expect(error!.description).toMatch(/WEBHOOK_URL.*tunnel/);
	});

	test.each([
		['validation failed', 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.'],
		['validation timed out', 'Subscription validation request timed out.'],
		['not HTTPS', 'Subscription validation request failed. The notification URL must use HTTPS.'],
	])('a Graph refusal (%s) becomes the user-words error with code and request-id', (_, message) => {
		const refusal = graphError(400, 'InvalidRequest', message);
		expect(isUrlRefusal(refusal)).toBe(true);
		const error = urlRefusedError(ctx, refusal, URL_A);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			`Microsoft Graph could not use this workflow's webhook URL ${URL_A}: set WEBHOOK_URL to n8n's public HTTPS address or use a tunnel [InvalidRequest, request-id: 0f1e2d3c-0000-4000-8000-000000000001]`,
		);
		expect(error.description).toContain(message);
		expect(error.httpCode).toBe('400');
	});

	test("the Subscription resource's refusal names its Notification URL, with the same code and request-id", () => {
		const error = urlRefusedError(ctx, graphError(400, 'InvalidRequest', 'Subscription validation request timed out.'), URL_A, 'the Notification URL');
		expect(error.message).toMatch(new RegExp(`^Microsoft Graph could not use the Notification URL ${URL_A.replace(/[.]/g, '\\.')}: .*\\[InvalidRequest, request-id: `));
	});

	test('the one URL, change-type and ID checks that the trigger and the Subscription resource share', () => {
		expect(notificationUrlProblem('https://n8n.example.com/webhook/x')).toBeUndefined();
		expect(notificationUrlProblem('http://127.0.0.1:5678/webhook/x')).toBeUndefined();
		expect(notificationUrlProblem('http://n8n.example.com/webhook/x')).toBe('notHttps');
		expect(notificationUrlProblem('webhook/x')).toBe('notAUrl');
		expect(notificationUrlProblem('ftp://n8n.example.com/x')).toBe('notAUrl');
		expect(checkedChangeTypeList(['deleted', 'created'])).toEqual({ types: ['created', 'deleted'] });
		expect(checkedChangeTypeList('created, updated')).toEqual({ types: ['created', 'updated'] });
		expect(checkedChangeTypeList(['created', 'moved'])).toEqual({ invalid: 'moved' });
		expect(checkedChangeTypeList([])).toEqual({ empty: true });
		expect(graphIdProblem('')).toBe('empty');
		expect(graphIdProblem('AAMk AA')).toBe('notAnId');
		expect(graphIdProblem('x'.repeat(2049))).toBe('notAnId');
		expect(graphIdProblem('AAMkAGI2=')).toBeUndefined();
	});

	test('other Graph errors are not mistaken for a refused URL', () => {
		expect(isUrlRefusal(graphError(400, 'ExtensionError', 'Subscription expiration can only be 4230 minutes in the future.'))).toBe(false);
		expect(isUrlRefusal(graphError(403, 'ExtensionError', 'Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]'))).toBe(false);
		expect(isUrlRefusal(new Error('socket hang up'))).toBe(false);
	});
});

describe('resources, state and clock', () => {
	test('calendarEventsResource uses OData key syntax for the calendar', () => {
		expect(calendarEventsResource('/me', 'AAMkCal=')).toBe("me/calendars('AAMkCal=')/events");
		expect(calendarEventsResource('/users/sales%40contoso.com', "a/b'c")).toBe("users/sales@contoso.com/calendars('a%2Fb''c')/events");
	});

	test('static data: a record needs every field; unchanged writes leave the object untouched; clear removes all', () => {
		const record: SubscriptionRecord = {
			subscriptionId: 'sub-1',
			clientStateHash: hashClientState('secret'),
			clientStateNonce: 'nonce-1',
			expirationDateTime: '2026-01-08T00:00:00Z',
			renewedAt: '2026-01-01T00:00:00Z',
			resource: 'me/events',
			changeType: 'created',
		};
		const writes: string[] = [];
		const data = new Proxy({} as IDataObject, {
			set(target, key, value) {
				writes.push(String(key));
				return Reflect.set(target, key, value);
			},
		});
		expect(storedSubscription(data)).toBeUndefined();
		storeSubscription(data, record);
		expect(storedSubscription(data)).toEqual(record);
		writes.length = 0;
		storeSubscription(data, record);
		expect(writes).toEqual([]);
		storeSubscription(data, { ...record, expirationDateTime: '2026-01-09T00:00:00Z' });
		expect(writes).toEqual(['expirationDateTime']);
		data.recentNotifications = { k: 1 };
		clearSubscription(data);
		expect(Object.keys(data)).toEqual([]);
	});

	test("Graph's clock comes from the Date header of its latest answer", () => {
		const root = 'https://graph.example.test/v1.0';
		const local = Date.parse('2026-01-01T00:00:00Z');
		expect(graphNow(root, local)).toBe(local);
		noteGraphDate(root, { Date: 'Thu, 08 Jan 2026 00:00:00 GMT' }, local);
		expect(graphNow(root, local + 1000)).toBe(Date.parse('2026-01-08T00:00:01Z'));
		noteGraphDate(root, { 'content-type': 'application/json' }, local);
		expect(graphNow(root, local)).toBe(Date.parse('2026-01-08T00:00:00Z'));
	});
});

describe('LruMap: the bound on per-process caches', () => {
	test('keeps at most its limit, forgetting the least recently used', () => {
		const cache = new LruMap<string, number>(2);
		cache.set('a', 1);
		cache.set('b', 2);
		expect(cache.get('a')).toBe(1);
		cache.set('c', 3);
		expect(cache.size).toBe(2);
		expect(cache.get('b')).toBeUndefined();
		expect([cache.get('a'), cache.get('c')]).toEqual([1, 3]);
	});
});
