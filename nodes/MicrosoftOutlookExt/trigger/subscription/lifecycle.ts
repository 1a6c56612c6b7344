/**
 * The trigger's subscription lifecycle: `ensureSubscription(reason)` asks decide() (decide.ts, the
 * whole policy) what to do, looks the subscription up on Graph when decide() needs it, and carries the
 * action out (create, renew, replace, adopt, ...), keeping static data in step. It is called from
 * checkExists and create (hooks/webhookMethods.ts), lifecycle events, deliveries (renewal past
 * half-life) and deliveries from a subscription the static data does not know (adoption).
 */
import type { IDataObject } from 'n8n-workflow';

import { LOG_PREFIX, type SubscriberContext } from '../common';
import { describeFailure, graphNow, httpStatusOf, isNotFound, settle } from '../../shared/graph';
import { assertUsableWebhookUrl, createSubscription, deleteSubscription, getSubscription, renewSubscription, subscriptionsDeliveringTo, type WantedSubscription } from '../../shared/subscriptions';
import type { GraphTarget } from '../../shared/transport/request';
import { clearRichKey, newCertificate, privateKey, storedCertificate, type RichCertificate } from '../crypto/richKeys';
import { clientStateSecret, matchesClientStateHash, replacementSecret, type ClientStateSecret } from './clientState';
import { decide, type Decision, type DecisionInput, type EnsureReason, type GraphView } from './decide';
import type { TriggerSettings } from '../config/settings';
import { clearSubscription, staticDataOf, storeSubscription, storedClientStateHash, storedSubscription, type SubscriptionRecord } from '../staticData';

export type { Decision, EnsureReason } from './decide';

export interface EnsureOutcome {
	decision: Decision;
	record?: SubscriptionRecord;
	/** Set when the decision could not be carried out (or was `fail`). */
	error?: unknown;
}

function isTransient(error: unknown): boolean {
	const status = httpStatusOf(error);
	return status === undefined || status === 429 || status >= 500;
}

async function viewOf(ctx: SubscriberContext, target: GraphTarget, subscriptionId: string): Promise<GraphView> {
	const fetched = await settle(getSubscription(ctx, target, subscriptionId));
	if (fetched.ok) return { kind: 'found', subscription: fetched.value };
	if (isNotFound(fetched.error)) return { kind: 'missing' };
	if (isTransient(fetched.error)) return { kind: 'unreachable', error: fetched.error };
	throw fetched.error;
}

export function webhookUrlOf(ctx: SubscriberContext): string {
	return String(ctx.getNodeWebhookUrl('default'));
}

export function wantedSubscription(settings: TriggerSettings, webhookUrl: string, clientStateHash: string | undefined, data?: IDataObject): WantedSubscription {
	return {
		resource: settings.resource,
		changeType: settings.changeType,
		notificationUrl: webhookUrl,
		secretMatches: (clientState) => matchesClientStateHash(clientState, clientStateHash),
		// Without a stored key, a rich subscription cannot be read: it is replaced (with a new key).
		...(settings.richNotifications ? { encryptionCertificateId: (data && storedCertificate(data)?.certificateId) ?? '(no key stored)' } : {}),
	};
}

function recordFrom(subscription: IDataObject, secret: Pick<ClientStateSecret, 'clientStateHash' | 'clientStateNonce'>, renewedAt: number, settings: TriggerSettings): SubscriptionRecord {
	return {
		subscriptionId: String(subscription.id),
		clientStateHash: secret.clientStateHash,
		clientStateNonce: secret.clientStateNonce,
		expirationDateTime: String(subscription.expirationDateTime),
		renewedAt: new Date(renewedAt).toISOString(),
		resource: typeof subscription.resource === 'string' ? subscription.resource : settings.resource,
		changeType: typeof subscription.changeType === 'string' ? subscription.changeType : settings.changeType,
	};
}

/**
 * Deletes every subscription delivering to this webhook except `keep`: leftovers of lost deletes
 * (SIGTERM and CLI unpublish never call delete) or of a renamed node. Failures are logged, not fatal.
 */
export async function removeOtherSubscriptions(ctx: SubscriberContext, target: GraphTarget, webhookUrl: string, keep?: string): Promise<void> {
	const listed = await settle(subscriptionsDeliveringTo(ctx, target, webhookUrl));
	if (!listed.ok) {
		ctx.logger.warn(`${LOG_PREFIX} could not list subscriptions to remove leftovers: ${describeFailure(listed.error)}`);
		return;
	}
	for (const id of listed.value.filter((id) => id !== keep)) {
		const deleted = await settle(deleteSubscription(ctx, target, id));
		if (!deleted.ok) ctx.logger.warn(`${LOG_PREFIX} could not delete leftover subscription ${id}: ${describeFailure(deleted.error)}`);
	}
}

/** The one create path: leftovers for this webhook removed, then a subscription delivering notifications and lifecycle events here. */
export async function subscribe(ctx: SubscriberContext, settings: TriggerSettings, secret: ClientStateSecret, certificate?: RichCertificate): Promise<SubscriptionRecord> {
	const webhookUrl = webhookUrlOf(ctx);
	assertUsableWebhookUrl(ctx, webhookUrl);
	await removeOtherSubscriptions(ctx, settings.target, webhookUrl);
	const rich = certificate
		? { includeResourceData: true, encryptionCertificate: certificate.certificate, encryptionCertificateId: certificate.certificateId }
		: {};
	const created = await createSubscription(
		ctx,
		settings.target,
		{
			changeType: settings.changeType,
			notificationUrl: webhookUrl,
			lifecycleNotificationUrl: webhookUrl,
			resource: settings.resource,
			clientState: secret.clientState,
			latestSupportedTlsVersion: 'v1_2',
			...rich,
		},
		settings.lifetimeMinutes,
	);
	return recordFrom(created, secret, graphNow(settings.target.root), settings);
}

/** Work in flight in this process, so concurrent deliveries share one renewal or replacement. */
const inFlight = new Map<string, Promise<EnsureOutcome>>();

async function once(key: string, work: () => Promise<EnsureOutcome>): Promise<EnsureOutcome> {
	const running = inFlight.get(key);
	if (running) return await running;
	const promise = work().finally(() => inFlight.delete(key));
	inFlight.set(key, promise);
	return await promise;
}

/** An outdated subscription may deliver to an old URL that the leftover sweep does not look at. */
async function deleteOutdated(ctx: SubscriberContext, settings: TriggerSettings, graph: GraphView, stored?: SubscriptionRecord): Promise<void> {
	if (!stored || graph.kind !== 'found') return;
	const deleted = await settle(deleteSubscription(ctx, settings.target, stored.subscriptionId));
	if (!deleted.ok) ctx.logger.warn(`${LOG_PREFIX} could not delete an outdated subscription: ${describeFailure(deleted.error)}`);
}

async function replace(ctx: SubscriberContext, settings: TriggerSettings, data: IDataObject, graph: GraphView, stored?: SubscriptionRecord): Promise<EnsureOutcome> {
	await deleteOutdated(ctx, settings, graph, stored);
	// The same clientState when it can be derived again, so other processes keep verifying deliveries.
	const secret = await replacementSecret(ctx, settings.target.credentialType, storedClientStateHash(data) ?? {});
	const created = await settle(subscribe(ctx, settings, secret, await certificateFor(ctx, settings, data)));
	if (!created.ok) return { decision: 'replace', error: created.error };
	ctx.logger.info(`${LOG_PREFIX} created subscription ${created.value.subscriptionId} to replace one that was gone or outdated`);
	return { decision: 'replace', record: created.value };
}

/** Rich notifications: the stored certificate when its private key still opens, else a new key pair. */
export async function certificateFor(ctx: SubscriberContext, settings: TriggerSettings, data: IDataObject): Promise<RichCertificate | undefined> {
	if (!settings.richNotifications) return undefined;
	const stored = storedCertificate(data);
	if (stored) {
		const opened = await settle(privateKey(ctx, settings.target.credentialType, data));
		if (opened.ok && opened.value) return stored;
		if (!opened.ok) ctx.logger.warn(`${LOG_PREFIX} a new rich-notification key replaces the stored one: ${describeFailure(opened.error)}`);
	}
	return await newCertificate(ctx, settings.target.credentialType, data);
}

async function renew(ctx: SubscriberContext, settings: TriggerSettings, stored: SubscriptionRecord): Promise<EnsureOutcome> {
	const renewed = await settle(renewSubscription(ctx, settings.target, stored.subscriptionId, settings.lifetimeMinutes));
	if (renewed.ok) return { decision: 'renew', record: recordFrom(renewed.value, stored, graphNow(settings.target.root), settings) };
	if (isNotFound(renewed.error)) return { decision: 'renew', record: stored, error: renewed.error };
	// Still valid for a while: the next lifecycle event or delivery renews it.
	ctx.logger.warn(`${LOG_PREFIX} renewing the subscription failed, will retry later: ${describeFailure(renewed.error)}`);
	return { decision: 'renew', record: stored, error: renewed.error };
}

function adopt(ctx: SubscriberContext, settings: TriggerSettings, data: IDataObject, subscription: IDataObject): EnsureOutcome {
	const secret = storedClientStateHash(data);
	// Unknown start: count the lifetime from now, which renews early rather than late.
	const record = recordFrom(subscription, { clientStateHash: secret?.clientStateHash ?? '', clientStateNonce: secret?.clientStateNonce ?? '' }, graphNow(settings.target.root), settings);
	ctx.logger.info(`${LOG_PREFIX} adopted subscription ${record.subscriptionId}, which delivers to this webhook`);
	return { decision: 'adopt', record };
}

/** A new subscription with a new clientState (and, for rich notifications, a new key pair): n8n's create(). */
async function createFresh(ctx: SubscriberContext, settings: TriggerSettings, data: IDataObject): Promise<EnsureOutcome> {
	clearSubscription(data);
	clearRichKey(data);
	const certificate = settings.richNotifications ? await newCertificate(ctx, settings.target.credentialType, data) : undefined;
	return { decision: 'create', record: await subscribe(ctx, settings, await clientStateSecret(ctx, settings.target.credentialType), certificate) };
}

/** Asks decide() what the subscription needs for `reason` (looking it up on Graph when decide() needs that) and does it; static data is updated with the result. */
export async function ensureSubscription(ctx: SubscriberContext, settings: TriggerSettings, reason: EnsureReason, subscriptionId?: string): Promise<EnsureOutcome> {
	const data = staticDataOf(ctx);
	const stored = storedSubscription(data);
	const id = subscriptionId ?? stored?.subscriptionId;
	const webhookUrl = webhookUrlOf(ctx);
	const inputFor = (why: EnsureReason, graph: GraphView): DecisionInput => ({
		reason: why,
		stored,
		subscriptionId: id,
		graph,
		wanted: wantedSubscription(settings, webhookUrl, storedClientStateHash(data)?.clientStateHash, data),
		subscribes: settings.subscribes,
		// After a lookup: its answer sets Graph's clock (n8n may just have started after days down).
		now: graphNow(settings.target.root),
	});
	let graph: GraphView = { kind: 'notAsked' };
	let decision = decide(inputFor(reason, graph));
	if (decision === 'lookUp' && id !== undefined) {
		graph = await viewOf(ctx, settings.target, id);
		decision = decide(inputFor(reason, graph));
	}

	let outcome: EnsureOutcome;
	switch (decision) {
		case 'lookUp':
		case 'ignore':
		case 'unsubscribe':
			return { decision };
		case 'fail':
			return { decision, error: graph.kind === 'unreachable' ? graph.error : undefined };
		case 'keep': {
			// Decided without Graph (a delivery before half-life): nothing changed, nothing to write.
			if (graph.kind === 'notAsked' || !stored) return { decision, record: stored };
			const current = graph.kind === 'found' ? String(graph.subscription.expirationDateTime) : stored.expirationDateTime;
			if (graph.kind === 'unreachable') ctx.logger.warn(`${LOG_PREFIX} could not check the subscription with Microsoft Graph, keeping the stored one: ${describeFailure(graph.error)}`);
			outcome = { decision, record: { ...stored, expirationDateTime: current } };
			break;
		}
		case 'adopt':
			outcome = adopt(ctx, settings, data, (graph as { subscription: IDataObject }).subscription);
			// Two subscriptions to one webhook would double every notification: keep the adopted one only.
			if (stored) {
				const removed = await settle(deleteSubscription(ctx, settings.target, stored.subscriptionId));
				if (!removed.ok) ctx.logger.warn(`${LOG_PREFIX} could not delete subscription ${stored.subscriptionId}: ${describeFailure(removed.error)}`);
			}
			break;
		case 'renew':
			outcome = await once(`${webhookUrl}|renew`, async () => await renew(ctx, settings, stored!));
			if (outcome.error !== undefined && isNotFound(outcome.error) && decide(inputFor('renewNotFound', graph)) === 'replace') {
				outcome = await once(`${webhookUrl}|replace`, async () => await replace(ctx, settings, data, { kind: 'missing' }, stored));
			}
			break;
		case 'replace':
			outcome = await once(`${webhookUrl}|replace`, async () => await replace(ctx, settings, data, graph, stored));
			break;
		case 'leaveToCreate':
			// n8n calls create() next, once the webhook is registered: Graph's validation request would not reach it yet.
			await deleteOutdated(ctx, settings, graph, stored);
			clearSubscription(data);
			return { decision };
		case 'create':
			outcome = await createFresh(ctx, settings, data);
			break;
	}
	// A failed replacement leaves the old record: the next check finds it gone and tries again.
	if (outcome.record) storeSubscription(data, outcome.record);
	return outcome;
}
