/**
 * Graph change-notification subscriptions, shared by the action node and the trigger node:
 * the resource string for a mailbox, Outlook's expiration limits (and the single retry Graph's
 * "can only be N minutes" answer asks for), random clientState, duplicate detection and the
 * "is this on our n8n instance" test. Nothing here reads node parameters.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { graphApiRequestAllItems, type GraphContext, type GraphTarget } from './transport/request';

/** Outlook message/event lifetime limit for basic notifications (graph-facts §1, Correction note). */
export const MAX_SUBSCRIPTION_MINUTES = 10_080;
/** Default lifetime: just under the maximum, so clock skew never pushes a request over it. */
export const DEFAULT_SUBSCRIPTION_MINUTES = 10_070;
/** Graph raises shorter lifetimes to this. */
export const MIN_SUBSCRIPTION_MINUTES = 45;
/** subscription.md says 128 characters (another page says 255): stay within the stricter one. */
export const MAX_CLIENT_STATE_LENGTH = 128;

const MINUTE_MS = 60_000;
/** A retried expiration stays this far inside the maximum Graph named, to absorb clock skew. */
const RETRY_MARGIN_MINUTES = 1;

export type ChangeType = 'created' | 'updated' | 'deleted';

/** What a subscription watches in one mailbox. */
export type SubscriptionSource = { kind: 'events' } | { kind: 'messages' } | { kind: 'mailFolder'; folderId: string };

/**
 * `me/events`, `users/AdeleV@contoso.com/mailFolders('inbox')/messages`, ... — the `resource` property
 * of a subscription body, built from the transport's mailbox prefix (`/me` or `/users/{encoded id}`).
 */
export function subscriptionResource(mailboxPrefix: string, source: SubscriptionSource): string {
	const owner = mailboxPrefix
		.replace(/^\/+/, '')
		.split('/')
		.map((segment) => decodeURIComponent(segment))
		.join('/');
	switch (source.kind) {
		case 'events':
			return `${owner}/events`;
		case 'messages':
			return `${owner}/messages`;
		case 'mailFolder':
			// OData key syntax: quotes doubled; `/` (Outlook IDs may contain it), `?`, `#` and `%` percent-encoded.
			return `${owner}/mailFolders('${source.folderId.replace(/[%/?#]/g, encodeURIComponent).replace(/'/g, "''")}')/messages`;
	}
}

/** Comparable form of a resource: Graph echoes it as given, with varying case, slashes and encoding. */
export function normalizeResource(resource: string): string {
	const path = resource.trim().replace(/^\/+/, '');
	let decoded = path;
	try {
		decoded = decodeURIComponent(path);
	} catch {
		// Not percent-encoded: compare as given.
	}
	return decoded.replace(/\('([^']*)'\)/g, '/$1').toLowerCase();
}

/** ISO expiration `minutes` after `now`. */
export function expirationAfterMinutes(minutes: number, now = Date.now()): string {
	return new Date(now + minutes * MINUTE_MS).toISOString();
}

/**
 * The expiration to request: the default lifetime when none is given, and never beyond Outlook's
 * maximum (a later request is clamped to it).
 */
export function clampedExpiration(requestedMs: number | undefined, now = Date.now()): { expirationDateTime: string; clamped: boolean } {
	const latest = now + MAX_SUBSCRIPTION_MINUTES * MINUTE_MS;
	if (requestedMs === undefined) return { expirationDateTime: expirationAfterMinutes(DEFAULT_SUBSCRIPTION_MINUTES, now), clamped: false };
	if (requestedMs > latest) return { expirationDateTime: new Date(latest).toISOString(), clamped: true };
	return { expirationDateTime: new Date(requestedMs).toISOString(), clamped: false };
}

/**
 * The N of Graph's 400 "Subscription expiration can only be N minutes in the future." (older tenants
 * still enforce 4,230 minutes for Outlook). Reads the NodeApiError the transport builds, or a raw body.
 */
export function maxMinutesFromGraphError(error: unknown): number | undefined {
	const e = (error ?? {}) as { errorResponse?: { message?: unknown }; description?: unknown; message?: unknown };
	const texts = [e.errorResponse?.message, e.description, e.message].filter((t): t is string => typeof t === 'string');
	for (const text of texts) {
		const match = /expiration can only be (\d+) minutes in the future/i.exec(text);
		if (match) return Number(match[1]);
	}
	return undefined;
}

/**
 * Sends a create or renew body; when Graph answers that the expiration can only be N minutes away,
 * sends it once more with that maximum. Any other error, and a second refusal, reach the caller.
 */
export async function withExpirationRetry<T>(
	body: IDataObject,
	send: (body: IDataObject) => Promise<T>,
	now: () => number = Date.now,
): Promise<T> {
	let maxMinutes: number | undefined;
	let firstError: unknown;
	try {
		return await send(body);
	} catch (error) {
		maxMinutes = maxMinutesFromGraphError(error);
		firstError = error;
	}
	if (maxMinutes === undefined) throw firstError;
	const minutes = Math.max(maxMinutes - RETRY_MARGIN_MINUTES, MIN_SUBSCRIPTION_MINUTES);
	return await send({ ...body, expirationDateTime: expirationAfterMinutes(minutes, now()) });
}

/** A random clientState: 32 random bytes, base64url (43 characters). */
export function randomClientState(): string {
	return randomBytes(32).toString('base64url');
}

/** Subscriptions answered by Graph, without the clientState secret (a flag says whether one is set). */
export function withoutClientState(subscription: IDataObject): IDataObject {
	const { clientState, ...rest } = subscription;
	if (typeof clientState === 'string' && clientState !== '') return { ...rest, clientStateSet: true };
	return rest;
}

/** An existing subscription for the same notification URL and resource (change types may differ). */
export function findDuplicate(
	subscriptions: IDataObject[],
	wanted: { notificationUrl: string; resource: string },
): IDataObject | undefined {
	const resource = normalizeResource(wanted.resource);
	return subscriptions.find(
		(s) =>
			typeof s.notificationUrl === 'string' &&
			s.notificationUrl.trim() === wanted.notificationUrl.trim() &&
			typeof s.resource === 'string' &&
			normalizeResource(s.resource) === resource,
	);
}

/**
 * Whether a notification URL points at this n8n instance: same origin, and a path under the
 * instance's base path. `instanceBaseUrl` is n8n's `getInstanceBaseUrl()` (WEBHOOK_URL when set).
 */
export function isOnInstance(notificationUrl: unknown, instanceBaseUrl: string): boolean {
	if (typeof notificationUrl !== 'string' || !URL.canParse(notificationUrl) || !URL.canParse(instanceBaseUrl)) return false;
	const url = new URL(notificationUrl);
	const base = new URL(instanceBaseUrl);
	const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
	return url.origin === base.origin && (url.pathname + '/').startsWith(basePath);
}

export interface SubscriptionCreateBody extends IDataObject {
	changeType: string;
	notificationUrl: string;
	resource: string;
	expirationDateTime: string;
	clientState?: string;
	lifecycleNotificationUrl?: string;
}

/** Every subscription of this app that Graph lists (it pages with nextLink and supports no query options). */
export async function listSubscriptions(ctx: GraphContext, target: GraphTarget): Promise<IDataObject[]> {
	return await graphApiRequestAllItems<IDataObject>(ctx, target, { method: 'GET', url: '/subscriptions' });
}
