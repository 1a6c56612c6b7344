/**
 * The trigger's Graph subscription: create (with Graph's validation handshake answered by the
 * webhook), compare with what the node wants, renew, delete, and the user-facing activation error
 * when Graph cannot use the webhook URL.
 */
import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_SUBSCRIPTION_MINUTES,
	expirationAfterMinutes,
	normalizeResource,
	withExpirationRetry,
	type SubscriptionCreateBody,
} from '../shared/subscriptions';
import type { GraphTarget } from '../shared/transport/request';
import { describeFailure, graphCall, graphErrorParts, graphNow, httpStatusOf, isNotFound } from './graph';
import type { TriggerContext, TriggerSettings } from './settings';
import { matchesClientStateHash, type ClientStateSecret } from './secret';
import type { SubscriptionRecord } from './state';

const MINUTE_MS = 60_000;
/** A subscription closer than this to its expiry is treated as gone: it could lapse before a renewal lands. */
export const EXPIRY_MARGIN_MS = 5 * MINUTE_MS;
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise's outcome as a value, so callers decide per error without rethrowing from a catch. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	try {
		return { ok: true, value: await promise };
	} catch (error) {
		return { ok: false, error };
	}
}

/** Constant-time comparison of secrets (hashing first makes the lengths equal). */
/** Does a clientState (from Graph) belong to the stored hash? */
export function sameSecret(given: unknown, expectedHash: string): boolean {
	return matchesClientStateHash(given, expectedHash);
}

export function webhookUrlOf(ctx: TriggerContext): string {
	return String(ctx.getNodeWebhookUrl('default'));
}

const PUBLIC_URL_HELP =
	"Set n8n's WEBHOOK_URL environment variable to its public https:// address (for example https://n8n.example.com/), or expose n8n through a tunnel (for example cloudflared or ngrok) and set WEBHOOK_URL to the tunnel's https:// address. Restart n8n and activate the workflow again.";

/** Graph only calls public HTTPS URLs; plain HTTP is let through for loopback (a local Graph emulator). */
export function assertUsableWebhookUrl(ctx: TriggerContext, url: string): void {
	const parsed = URL.canParse(url) ? new URL(url) : undefined;
	if (parsed?.protocol === 'https:') return;
	if (parsed?.protocol === 'http:' && LOOPBACK_HOSTS.includes(parsed.hostname.toLowerCase())) return;
	throw new NodeOperationError(ctx.getNode(), `Microsoft Graph only sends notifications to HTTPS URLs, and this workflow's webhook URL is ${url}`, {
		description: PUBLIC_URL_HELP,
	});
}

/** Graph's 400s for a notification URL it could not validate or will not call. */
export function isUrlRefusal(error: unknown): boolean {
	if (httpStatusOf(error) !== 400) return false;
	const { graphMessage } = graphErrorParts(error);
	const description = String((error as { description?: unknown } | undefined)?.description ?? '');
	return /validation request|notification endpoint|notification url|must use https|absolute url/i.test(`${graphMessage} ${description}`);
}

/** The activation error for a refused URL: user words first, Graph's code and request-id kept. */
export function urlRefusedError(ctx: TriggerContext, error: unknown, url: string): NodeApiError {
	const { code, requestId, graphMessage } = graphErrorParts(error);
	const errorResponse = ((error as { errorResponse?: JsonObject }).errorResponse ?? { message: graphMessage }) as JsonObject;
	const message = `Microsoft Graph could not use this workflow's webhook URL ${url}: set WEBHOOK_URL to n8n's public HTTPS address or use a tunnel [${code}, request-id: ${requestId}]`;
	const refused = new NodeApiError(ctx.getNode(), errorResponse, {
		message,
		// n8n shows the description instead of the message for some activation failures: it must stand alone.
		description: `${message}. Microsoft Graph answered: "${graphMessage}". Before it creates a subscription, Graph sends a validation request to the webhook URL, which must be a public HTTPS address that answers within 10 seconds. ${PUBLIC_URL_HELP}`,
		httpCode: '400',
	});
	refused.message = message;
	return refused;
}

function recordFrom(
	body: IDataObject,
	secret: Pick<ClientStateSecret, 'clientStateHash' | 'clientStateNonce'>,
	renewedAt: number,
	fallback: { resource: string; changeType: string },
): SubscriptionRecord {
	return {
		subscriptionId: String(body.id),
		clientStateHash: secret.clientStateHash,
		clientStateNonce: secret.clientStateNonce,
		expirationDateTime: String(body.expirationDateTime),
		renewedAt: new Date(renewedAt).toISOString(),
		resource: typeof body.resource === 'string' ? body.resource : fallback.resource,
		changeType: typeof body.changeType === 'string' ? body.changeType : fallback.changeType,
	};
}

/**
 * POST /subscriptions for this webhook (notifications and lifecycle events to the same URL). Graph
 * validates the URL before it answers; the webhook echoes the token. One retry when Graph names a
 * shorter maximum lifetime.
 */
export async function postSubscription(
	ctx: TriggerContext,
	settings: Pick<TriggerSettings, 'target' | 'resource' | 'changeType'>,
	webhookUrl: string,
	secret: ClientStateSecret,
): Promise<SubscriptionRecord> {
	const { target } = settings;
	const now = () => graphNow(target.root);
	const body: SubscriptionCreateBody = {
		changeType: settings.changeType,
		notificationUrl: webhookUrl,
		lifecycleNotificationUrl: webhookUrl,
		resource: settings.resource,
		expirationDateTime: expirationAfterMinutes(DEFAULT_SUBSCRIPTION_MINUTES, now()),
		clientState: secret.clientState,
		latestSupportedTlsVersion: 'v1_2',
	};
	const created = await settle(
		withExpirationRetry(body, async (attempt) => (await graphCall(ctx, target, { method: 'POST', url: '/subscriptions', body: attempt })).body, now),
	);
	if (!created.ok) {
		if (isUrlRefusal(created.error)) throw urlRefusedError(ctx, created.error, webhookUrl);
		throw created.error;
	}
	return recordFrom(created.value, secret, now(), settings);
}

/** PATCH a new expiration (renews and reauthorizes); 404 reaches the caller (the subscription is gone). */
export async function renewSubscription(ctx: TriggerContext, target: GraphTarget, record: SubscriptionRecord): Promise<SubscriptionRecord> {
	const now = () => graphNow(target.root);
	const url = `/subscriptions/${encodeURIComponent(record.subscriptionId)}`;
	const renewed = await withExpirationRetry(
		{ expirationDateTime: expirationAfterMinutes(DEFAULT_SUBSCRIPTION_MINUTES, now()) },
		async (attempt) => (await graphCall(ctx, target, { method: 'PATCH', url, body: attempt })).body,
		now,
	);
	return { ...recordFrom({ ...renewed, id: record.subscriptionId }, record, now(), record) };
}

export async function getSubscription(ctx: TriggerContext, target: GraphTarget, subscriptionId: string): Promise<IDataObject> {
	return (await graphCall(ctx, target, { method: 'GET', url: `/subscriptions/${encodeURIComponent(subscriptionId)}` })).body;
}

/** DELETE; a subscription that is already gone counts as deleted. */
export async function deleteSubscription(ctx: TriggerContext, target: GraphTarget, subscriptionId: string): Promise<void> {
	const deleted = await settle(graphCall(ctx, target, { method: 'DELETE', url: `/subscriptions/${encodeURIComponent(subscriptionId)}` }));
	if (!deleted.ok && !isNotFound(deleted.error)) throw deleted.error;
}

/** IDs of this app's subscriptions that deliver to `webhookUrl` (the URL holds the node's unique webhook ID). */
export async function subscriptionsDeliveringTo(ctx: TriggerContext, target: GraphTarget, webhookUrl: string): Promise<string[]> {
	const ids: string[] = [];
	let url: string | undefined = '/subscriptions';
	while (url) {
		const page: { value?: IDataObject[]; '@odata.nextLink'?: string } = (await graphCall(ctx, target, { method: 'GET', url })).body;
		for (const subscription of page.value ?? []) {
			if (subscription.notificationUrl === webhookUrl && typeof subscription.id === 'string') ids.push(subscription.id);
		}
		url = page['@odata.nextLink'];
	}
	return ids;
}

/**
 * Deletes every subscription delivering to this webhook except `keep`: leftovers of lost deletes
 * (SIGTERM and CLI unpublish never call delete) or of a renamed node. Failures are logged, not fatal.
 */
export async function removeOtherSubscriptions(ctx: TriggerContext, target: GraphTarget, webhookUrl: string, keep?: string): Promise<void> {
	const listed = await settle(subscriptionsDeliveringTo(ctx, target, webhookUrl));
	if (!listed.ok) {
		ctx.logger.warn(`Microsoft Outlook Ext Trigger: could not list subscriptions to remove leftovers: ${describeFailure(listed.error)}`);
		return;
	}
	for (const id of listed.value.filter((id) => id !== keep)) {
		const deleted = await settle(deleteSubscription(ctx, target, id));
		if (!deleted.ok) ctx.logger.warn(`Microsoft Outlook Ext Trigger: could not delete leftover subscription ${id}: ${describeFailure(deleted.error)}`);
	}
}

function changeTypeSet(value: unknown): string {
	return String(value ?? '')
		.split(',')
		.map((type) => type.trim().toLowerCase())
		.filter(Boolean)
		.sort()
		.join(',');
}

/** Whether Graph's subscription is the one this node wants: same URLs, resource, change types and secret. */
export function matchesWanted(
	current: IDataObject,
	wanted: { resource: string; changeType: string; webhookUrl: string; clientStateHash: string },
): boolean {
	if (current.notificationUrl !== wanted.webhookUrl) return false;
	// Graph may leave it out of answers; a different one would send lifecycle events elsewhere.
	if (typeof current.lifecycleNotificationUrl === 'string' && current.lifecycleNotificationUrl !== wanted.webhookUrl) return false;
	if (typeof current.resource !== 'string' || normalizeResource(current.resource) !== normalizeResource(wanted.resource)) return false;
	if (changeTypeSet(current.changeType) !== changeTypeSet(wanted.changeType)) return false;
	// Graph only sometimes returns the secret; when it does, it must be ours.
	if (typeof current.clientState === 'string' && current.clientState !== '' && !sameSecret(current.clientState, wanted.clientStateHash)) return false;
	return true;
}

/** Less than half of the lifetime left (the lifetime is from the create or last renewal to the expiry). */
export function needsRenewal(record: Pick<SubscriptionRecord, 'expirationDateTime' | 'renewedAt'>, now: number): boolean {
	const expiry = Date.parse(record.expirationDateTime);
	if (!Number.isFinite(expiry)) return true;
	const since = Date.parse(record.renewedAt);
	const lifetime = Number.isFinite(since) && expiry > since ? expiry - since : DEFAULT_SUBSCRIPTION_MINUTES * MINUTE_MS;
	return expiry - now < lifetime / 2;
}

export function isAboutToExpire(expirationDateTime: unknown, now: number): boolean {
	const expiry = Date.parse(String(expirationDateTime ?? ''));
	return !Number.isFinite(expiry) || expiry - now < EXPIRY_MARGIN_MS;
}
