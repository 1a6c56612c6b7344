import { getDelay, isRetryStatus, retryAfterMs, DEFAULT_RETRY_POLICY, MAX_DELAY_SECONDS } from '../../nodes/MicrosoftOutlookExt/shared/transport/retry';
import { assertGraphUrl, idSegment, mailboxPrefix, scopePath, validateMailbox } from '../../nodes/MicrosoftOutlookExt/shared/transport/url';
import { toNodeApiError } from '../../nodes/MicrosoftOutlookExt/shared/transport/errors';
import { acquire, pause } from '../../nodes/MicrosoftOutlookExt/shared/transport/gate';
import { headerValue } from '../../nodes/MicrosoftOutlookExt/shared/transport/headers';
import type { INode } from 'n8n-workflow';

const node: INode = {
	id: 'n1',
	name: 'Outlook',
	type: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExt',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('retry policy', () => {
	it('reads Retry-After as fractional seconds or an HTTP date', () => {
		expect(retryAfterMs({ 'Retry-After': '2.128' })).toBeCloseTo(2128);
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
		expect(retryAfterMs({})).toBeUndefined();
	});

	it('prefers Retry-After, else exponential backoff, always capped', () => {
		expect(getDelay(3, DEFAULT_RETRY_POLICY, { 'retry-after': '0.5' })).toBe(500);
		expect(getDelay(1, DEFAULT_RETRY_POLICY)).toBe(1000);
		expect(getDelay(3, DEFAULT_RETRY_POLICY)).toBe(4000);
		expect(getDelay(3, { ...DEFAULT_RETRY_POLICY, exponential: false })).toBe(1000);
		expect(getDelay(1, DEFAULT_RETRY_POLICY, { 'retry-after': '100000' })).toBe(MAX_DELAY_SECONDS * 1000);
	});

	it('repeats a POST only when Graph says it did not process it', () => {
		const post = { ...DEFAULT_RETRY_POLICY, idempotent: false };
		expect(isRetryStatus(429, post)).toBe(true);
		expect(isRetryStatus(503, post)).toBe(true);
		expect(isRetryStatus(504, post)).toBe(false);
		expect(isRetryStatus(500, post)).toBe(false);
		expect(isRetryStatus(504, DEFAULT_RETRY_POLICY)).toBe(true);
		expect(isRetryStatus(400, DEFAULT_RETRY_POLICY)).toBe(false);
		expect(isRetryStatus(400, { ...DEFAULT_RETRY_POLICY, retryOnAllErrors: true })).toBe(true);
		expect(isRetryStatus(401, { ...DEFAULT_RETRY_POLICY, retryOnAllErrors: true })).toBe(false);
	});
});

describe('mailbox scoping and URL safety', () => {
	it('uses /me for delegated credentials and /users/{encoded} for another mailbox', () => {
		expect(mailboxPrefix({ appOnly: false })).toBe('/me');
		expect(mailboxPrefix({ appOnly: false, mailbox: ' sales@contoso.com ' })).toBe('/users/sales%40contoso.com');
		expect(mailboxPrefix({ appOnly: true, credentialUserId: 'AdeleV@contoso.com' })).toBe('/users/AdeleV%40contoso.com');
		expect(mailboxPrefix({ appOnly: true, credentialUserId: 'a@x.com', mailbox: '87d349ed-44d7-43e1-9a83-5f2406dee5bd' })).toBe(
			'/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd',
		);
	});

	it('refuses app-only without a mailbox and values that are not mailboxes, naming the field', () => {
		expect(() => mailboxPrefix({ appOnly: true })).toThrow('No mailbox to act on');
		expect(() => validateMailbox('../admin')).toThrow('Mailbox "../admin" is not a mailbox');
		expect(() => mailboxPrefix({ appOnly: true, credentialUserId: 'not a user' })).toThrow('User ID "not a user"');
	});

	it('rewrites only /me paths', () => {
		expect(scopePath('/me/messages', '/users/x%40y.com')).toBe('/users/x%40y.com/messages');
		expect(scopePath('/me', '/users/u')).toBe('/users/u');
		expect(scopePath('/subscriptions', '/users/u')).toBe('/subscriptions');
		expect(scopePath('/mentions', '/users/u')).toBe('/mentions');
	});

	it('encodes opaque ids as one segment and refuses empty ones', () => {
		expect(idSegment('AAMk+a/b=', 'Message')).toBe('AAMk%2Ba%2Fb%3D');
		expect(() => idSegment('  ', 'Message')).toThrow('Message is empty');
		expect(() => idSegment('a b', 'Event')).toThrow('is not a Microsoft Graph ID');
	});

	it('keeps the token on the Graph host', () => {
		expect(() => assertGraphUrl('https://graph.microsoft.com/v1.0/me?$skip=10', 'https://graph.microsoft.com/v1.0')).not.toThrow();
		expect(() => assertGraphUrl('https://evil.example/v1.0/me', 'https://graph.microsoft.com/v1.0')).toThrow(
			'Refused to send the Microsoft token to https://evil.example',
		);
		expect(() => assertGraphUrl('http://graph.microsoft.com/v1.0/me', 'https://graph.microsoft.com/v1.0')).toThrow();
	});
});

describe('Graph error mapping', () => {
	it('keeps Graph code, message and request-id', () => {
		const error = toNodeApiError(
			node,
			{
				statusCode: 404,
				headers: {},
				body: { error: { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.', innerError: { 'request-id': 'req-123' } } },
			},
			2,
		);
		expect(error.message).toBe('The item was not found in the mailbox: check the ID [ErrorItemNotFound]');
		expect(error.description).toBe('The specified object was not found in the store. (code: ErrorItemNotFound, request-id: req-123)');
		expect(error.httpCode).toBe('404');
		expect(error.context.itemIndex).toBe(2);
	});

	it('falls back to the status and the request-id header', () => {
		const error = toNodeApiError(node, { statusCode: 503, headers: { 'request-id': 'hdr-9' }, body: '' });
		expect(error.message).toContain('temporarily unavailable');
		expect(error.description).toContain('request-id: hdr-9');
	});
});

describe('mailbox gate', () => {
	it('keeps at most the limit in flight and hands slots over in order', async () => {
		let inFlight = 0;
		let maxInFlight = 0;
		const acquiredOrder: number[] = [];
		const releases: Array<() => void> = [];
		const all = Array.from({ length: 10 }, async (_, i) => {
			const release = await acquire('test|gate', 4);
			acquiredOrder.push(i);
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
			releases.push(() => {
				inFlight--;
				release();
			});
		});
		// Release one slot at a time: each goes to the longest-waiting request.
		for (let round = 0; round < 10; round++) {
			await new Promise((r) => setImmediate(r));
			releases.shift()?.();
		}
		await Promise.all(all);
		releases.forEach((release) => release());
		expect(maxInFlight).toBe(4);
		expect(acquiredOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
	});

	it('holds every request for a throttled mailbox until the pause ends', async () => {
		pause('test|paused', Date.now() + 150);
		const started = Date.now();
		const release = await acquire('test|paused', 4);
		release();
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
	});
});

describe('headerValue', () => {
	it('finds a header in any case, joins repeated values, and treats null as absent', () => {
		expect(headerValue({ 'Retry-After': '2' }, 'retry-after')).toBe('2');
		expect(headerValue({ 'set-cookie': ['a=1', 'b=2'] }, 'Set-Cookie')).toBe('a=1, b=2');
		expect(headerValue({ location: null }, 'Location')).toBeUndefined();
		expect(headerValue(undefined, 'date')).toBeUndefined();
	});
});

describe('mailbox gate and the item deadline', () => {
	it('a throttling pause shorter than the deadline is waited out; one longer ends at the deadline with nothing sent', async () => {
		const { deadlineAfter, NotSentError, notSentSignal } = await import('../../nodes/MicrosoftOutlookExt/shared/transport/deadline');
		pause('test|deadline-short', Date.now() + 200);
		let started = Date.now();
		const release = await acquire('test|deadline-short', 4, notSentSignal(deadlineAfter(5_000), 'a free mailbox slot'));
		expect(Date.now() - started).toBeGreaterThanOrEqual(150);
		expect(Date.now() - started).toBeLessThan(2_000);
		release();

		pause('test|deadline-long', Date.now() + 1_000);
		started = Date.now();
		await expect(acquire('test|deadline-long', 4, notSentSignal(deadlineAfter(200), 'a free mailbox slot'))).rejects.toBeInstanceOf(NotSentError);
		expect(Date.now() - started).toBeLessThan(900);
	});
});
