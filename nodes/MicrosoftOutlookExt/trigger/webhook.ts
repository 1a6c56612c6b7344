/**
 * The trigger's webhook. Graph's validation request gets the decoded token back as text/plain and
 * nothing else happens. A delivery is acknowledged with 202 before anything slow (Graph wants a 2xx
 * within 3 s and throttles, then drops, slow endpoints); then notifications are authenticated by
 * clientState, lifecycle events handled, duplicates dropped and items built.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { checkDuplicates, firstOfEachKey, memoryMs, notificationKey } from './dedupe';
import { describeFailure, graphNow, isNotFound } from './graph';
import { missedItem, notificationsOf, resourceIdOf, type GraphNotification } from './notifications';
import { changeItem } from './output';
import { replacementSecret } from './secret';
import { readSettings, type TriggerSettings } from './settings';

type StoredSecret = { clientStateHash?: string; clientStateNonce?: string };
import {
	duplicateMemory,
	staticDataOf,
	storeDuplicateMemory,
	storeSubscription,
	storedClientStateHash,
	storedSubscription,
	type SubscriptionRecord,
} from './state';
import {
	deleteSubscription,
	getSubscription,
	isAboutToExpire,
	matchesWanted,
	needsRenewal,
	postSubscription,
	removeOtherSubscriptions,
	renewSubscription,
	sameSecret,
	settle,
	webhookUrlOf,
} from './subscription';

const LOG_PREFIX = 'Microsoft Outlook Ext Trigger:';
const NO_RUN: IWebhookResponseData = { noWebhookResponse: true };

/** Renewals and re-creations in flight in this process, so concurrent deliveries share one. */
const inFlight = new Map<string, Promise<SubscriptionRecord | undefined>>();

async function once(key: string, work: () => Promise<SubscriptionRecord | undefined>): Promise<SubscriptionRecord | undefined> {
	const running = inFlight.get(key);
	if (running) return await running;
	const promise = work().finally(() => inFlight.delete(key));
	inFlight.set(key, promise);
	return await promise;
}

/** The decoded `validationToken` (n8n has already URL-decoded the query), if this is a validation request. */
export function validationTokenOf(query: unknown): string | undefined {
	const value = (query as IDataObject | undefined)?.validationToken;
	if (typeof value === 'string') return value;
	if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
	return undefined;
}

/** Graph's tokens are opaque but short printable text; the bound is generous (real ones are ~100–300 chars). */
const MAX_VALIDATION_TOKEN_LENGTH = 4096;

export function isPlausibleValidationToken(token: string): boolean {
	return token.length > 0 && token.length <= MAX_VALIDATION_TOKEN_LENGTH && !/[\u0000-\u001f\u007f]/.test(token);
}

export async function handleWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const response = this.getResponseObject();
	const token = validationTokenOf(this.getQueryData());
	if (token !== undefined) {
		if (!isPlausibleValidationToken(token)) {
			// Not Graph's: do not reflect arbitrary (huge, binary, control-character) input.
			response.status(400).set({ 'Content-Type': 'text/plain; charset=utf-8' }).send('Invalid validationToken');
			return NO_RUN;
		}
		// Exactly the token, as text; no static data is touched (create() may still be running).
		response.status(200).set({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).send(token);
		return NO_RUN;
	}
	response.status(202).end();
	const outcome = await settle(processDelivery(this));
	if (outcome.ok) return outcome.value;
	this.logger.error(`${LOG_PREFIX} processing a notification delivery failed: ${describeFailure(outcome.error)}`);
	return NO_RUN;
}

async function processDelivery(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const notifications = notificationsOf(ctx.getBodyData());
	if (notifications.length === 0) return NO_RUN;
	const data = staticDataOf(ctx);
	const secret = storedClientStateHash(data)?.clientStateHash;
	if (!secret) return NO_RUN;
	const authentic = notifications.filter((notification) => sameSecret(notification.clientState, secret));
	if (authentic.length < notifications.length) {
		ctx.logger.warn(`${LOG_PREFIX} dropped ${notifications.length - authentic.length} notification(s) whose clientState did not match`);
	}
	if (authentic.length === 0) return NO_RUN;

	const settings = await readSettings(ctx);
	const webhookUrl = webhookUrlOf(ctx);
	const known = await knownSubscriptionIds(ctx, settings, webhookUrl, data, secret, authentic);
	const accepted = authentic.filter((notification) => known.has(notification.subscriptionId));
	if (accepted.length === 0) return NO_RUN;

	const items: INodeExecutionData[] = [];
	let renewed = false;
	const lifecycleEvents = firstOfEachKey(
		accepted.filter((n) => n.lifecycleEvent),
		(n) => `${n.lifecycleEvent}|${n.subscriptionId}`,
	);
	for (const event of lifecycleEvents) {
		const outcome = await handleLifecycleEvent(ctx, settings, webhookUrl, data, event);
		if (outcome.item) items.push(outcome.item);
		renewed = renewed || outcome.renewed === true;
	}
	items.push(...(await changeItems(ctx, settings, webhookUrl, data, accepted.filter((n) => !n.lifecycleEvent && n.changeType))));
	if (!renewed) await renewIfPastHalfLife(ctx, settings, webhookUrl, data);
	return items.length > 0 ? { workflowData: [items], noWebhookResponse: true } : NO_RUN;
}

/**
 * The stored subscription, plus any other one that carries our secret and that Graph confirms
 * delivers to this webhook (its ID was lost to a concurrent static-data write): it is adopted.
 */
async function knownSubscriptionIds(
	ctx: IWebhookFunctions,
	settings: TriggerSettings,
	webhookUrl: string,
	data: IDataObject,
	secret: string,
	authentic: GraphNotification[],
): Promise<Set<string>> {
	const stored = storedSubscription(data);
	const known = new Set(stored ? [stored.subscriptionId] : []);
	const unknownIds = [...new Set(authentic.map((n) => n.subscriptionId))].filter((id) => !known.has(id));
	for (const id of unknownIds) {
		const fetched = await settle(getSubscription(ctx, settings.target, id));
		if (!fetched.ok) continue;
		const current = fetched.value;
		const wanted = { resource: settings.resource, changeType: settings.changeType, webhookUrl, clientStateHash: secret };
		if (!matchesWanted(current, wanted) || isAboutToExpire(current.expirationDateTime, graphNow(settings.target.root))) continue;
		storeSubscription(data, {
			subscriptionId: id,
			clientStateHash: secret,
			clientStateNonce: storedClientStateHash(data)?.clientStateNonce ?? '',
			expirationDateTime: String(current.expirationDateTime),
			// Unknown start: count the lifetime from now, which renews early rather than late.
			renewedAt: new Date(graphNow(settings.target.root)).toISOString(),
			resource: String(current.resource),
			changeType: String(current.changeType),
		});
		known.add(id);
		ctx.logger.info(`${LOG_PREFIX} adopted subscription ${id}, which delivers to this webhook`);
		// Two subscriptions to one webhook would double every notification: keep the adopted one only.
		if (stored && stored.subscriptionId !== id) {
			const removed = await settle(deleteSubscription(ctx, settings.target, stored.subscriptionId));
			if (!removed.ok) ctx.logger.warn(`${LOG_PREFIX} could not delete subscription ${stored.subscriptionId}: ${describeFailure(removed.error)}`);
		}
	}
	return known;
}

async function handleLifecycleEvent(
	ctx: IWebhookFunctions,
	settings: TriggerSettings,
	webhookUrl: string,
	data: IDataObject,
	event: GraphNotification,
): Promise<{ item?: INodeExecutionData; renewed?: boolean }> {
	switch (event.lifecycleEvent) {
		case 'reauthorizationRequired':
			return { renewed: await renewOrReplace(ctx, settings, webhookUrl, data) };
		case 'subscriptionRemoved': {
			const replaced = await settle(replaceSubscription(ctx, settings, webhookUrl, data));
			if (replaced.ok) return { renewed: true };
			ctx.logger.error(`${LOG_PREFIX} the subscription was removed and could not be created again: ${describeFailure(replaced.error)}`);
			// Without a subscription the trigger is deaf: say so in the workflow, not only in the log.
			return {
				item: {
					json: {
						lifecycleEvent: 'subscriptionRemoved',
						recreated: false,
						message:
							'Microsoft Graph removed the subscription and creating a new one failed, so no more notifications arrive. Deactivate and activate the workflow (or restart n8n) to subscribe again.',
						error: describeFailure(replaced.error),
						subscriptionId: event.subscriptionId,
					},
				},
			};
		}
		case 'missed':
			return { item: { json: missedItem(event, settings.resource) } };
		default:
			// Graph adds lifecycle events over time: unknown ones are ignored.
			ctx.logger.debug(`${LOG_PREFIX} ignored lifecycle event "${String(event.lifecycleEvent).slice(0, 60)}"`);
			return {};
	}
}

/**
 * A new subscription with the same clientState (so deliveries stay verifiable in every process),
 * after removing leftovers for this webhook; listing them also reads Graph's clock.
 */
async function createReplacement(ctx: IWebhookFunctions, settings: TriggerSettings, webhookUrl: string, stored: StoredSecret): Promise<SubscriptionRecord> {
	await removeOtherSubscriptions(ctx, settings.target, webhookUrl);
	const secret = await replacementSecret(ctx, settings.target.credentialType, stored);
	const record = await postSubscription(ctx, settings, webhookUrl, secret);
	ctx.logger.info(`${LOG_PREFIX} created subscription ${record.subscriptionId} to replace one Graph no longer has`);
	return record;
}

/** createReplacement for a renewal that found the subscription gone; failures are logged. */
async function newSubscription(ctx: IWebhookFunctions, settings: TriggerSettings, webhookUrl: string, stored: StoredSecret): Promise<SubscriptionRecord | undefined> {
	const created = await settle(createReplacement(ctx, settings, webhookUrl, stored));
	if (created.ok) return created.value;
	ctx.logger.error(`${LOG_PREFIX} the subscription is gone and could not be created again: ${describeFailure(created.error)}`);
	return undefined;
}

/** After subscriptionRemoved: one replacement per process even when Graph repeats the event. */
async function replaceSubscription(ctx: IWebhookFunctions, settings: TriggerSettings, webhookUrl: string, data: IDataObject): Promise<SubscriptionRecord> {
	const secret = storedClientStateHash(data)!;
	const record = await once(`${webhookUrl}|replace`, async () => await createReplacement(ctx, settings, webhookUrl, secret));
	storeSubscription(data, record!);
	return record!;
}

/** PATCH the expiration; a subscription Graph no longer knows is replaced. */
async function renewOrReplace(ctx: IWebhookFunctions, settings: TriggerSettings, webhookUrl: string, data: IDataObject): Promise<boolean> {
	const record = storedSubscription(data);
	if (!record) return false;
	const { target } = settings;
	const renewed = await once(`${webhookUrl}|renew`, async () => {
		// Also reads Graph's clock just before the expiration is computed from it.
		const current = await settle(getSubscription(ctx, target, record.subscriptionId));
		if (!current.ok && isNotFound(current.error)) return await newSubscription(ctx, settings, webhookUrl, record);
		const patched = await settle(renewSubscription(ctx, target, record));
		if (patched.ok) return patched.value;
		if (!isNotFound(patched.error)) {
			ctx.logger.warn(`${LOG_PREFIX} renewing the subscription failed, will retry later: ${describeFailure(patched.error)}`);
			return undefined;
		}
		return await newSubscription(ctx, settings, webhookUrl, record);
	});
	if (!renewed) return false;
	storeSubscription(data, renewed);
	return true;
}

/** Opportunistic renewal: a delivery arrived and less than half of the lifetime is left. */
async function renewIfPastHalfLife(ctx: IWebhookFunctions, settings: TriggerSettings, webhookUrl: string, data: IDataObject): Promise<void> {
	const record = storedSubscription(data);
	if (record && needsRenewal(record, graphNow(settings.target.root))) await renewOrReplace(ctx, settings, webhookUrl, data);
}

function duplicateKeyOf(notification: GraphNotification): string {
	return notificationKey(notification.changeType ?? '', resourceIdOf(notification) ?? notification.resource ?? '');
}

/** One item per change: repeats within this POST always dropped, earlier POSTs' within the window. */
async function changeItems(
	ctx: IWebhookFunctions,
	settings: TriggerSettings,
	webhookUrl: string,
	data: IDataObject,
	changes: GraphNotification[],
): Promise<INodeExecutionData[]> {
	let fresh = firstOfEachKey(changes, duplicateKeyOf);
	if (settings.duplicateWindowSeconds > 0 && fresh.length > 0) {
		const entries = fresh.map((n) => ({ key: duplicateKeyOf(n), ttlMs: memoryMs(n.changeType ?? '', settings.duplicateWindowSeconds) }));
		const remembered = checkDuplicates(webhookUrl, duplicateMemory(data), entries, Date.now());
		storeDuplicateMemory(data, remembered.memory);
		fresh = fresh.filter((_, index) => remembered.fresh[index]);
	}
	return await Promise.all(fresh.map(async (notification) => await changeItem(ctx, settings, notification)));
}
