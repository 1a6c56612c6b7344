/**
 * The trigger's webhook. Graph's validation request gets the decoded token back as text/plain and
 * nothing else happens. A delivery is acknowledged with 202 before anything slow (Graph wants a 2xx
 * within 3 s and throttles, then drops, slow endpoints); then notifications are authenticated by
 * clientState, lifecycle events handled, duplicates dropped and items built. A delivery that arrives
 * before n8n has stored the subscription's secret gets 503, so Graph sends it again.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { describeFailure, settle } from '../../shared/graph';
import { changeKey, checkDuplicates, duplicateScope, firstOfEachKey, memoryMs, notificationKey } from './dedupe';
import { ensureSubscription, webhookUrlOf, type EnsureOutcome, type EnsureReason } from '../subscription/lifecycle';
import { LOG_PREFIX } from '../common';
import { missedItem, notificationsOf, publicChange, resourceIdOf, type GraphNotification } from './notifications';
import { itemsOf, type Change } from './items';
import { matchesClientStateHash } from '../subscription/clientState';
import { decryptResourceData, ResourceDataError } from '../crypto/decryptResourceData';
import { MICROSOFT_OPENID_CONFIGURATION_URL, validateValidationTokens } from '../crypto/validationTokens';
import { rememberDelivered, resync } from '../resync/deltaResync';
import { privateKey } from '../crypto/richKeys';
import { claimOnce } from './sharedClaims';
import { readSettings, type TriggerSettings } from '../config/settings';
import { duplicateMemory, staticDataOf, storeDuplicateMemory, storedClientStateHash, storedSubscription } from '../staticData';

const NO_RUN: IWebhookResponseData = { noWebhookResponse: true };

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
	const notifications = notificationsOf(this.getBodyData());
	if (notifications.length === 0) {
		response.status(202).end();
		return NO_RUN;
	}
	const secret = storedClientStateHash(staticDataOf(this))?.clientStateHash;
	if (!secret) {
		// Graph delivers as soon as the subscription exists, but n8n stores the secret only when the activation
		// (or test listen) that created it has finished: nothing to check clientState against yet. A 5xx makes
		// Graph send the POST again later (change-notifications-delivery-webhooks.md), so nothing is lost.
		this.logger.warn(
			`${LOG_PREFIX} answered 503 to ${notifications.length} notification(s): this trigger holds no subscription secret yet (its activation is still finishing); Microsoft Graph sends them again. If this repeats, deactivate and activate the workflow.`,
		);
		response.status(503).set({ 'Retry-After': '1' }).end();
		return NO_RUN;
	}
	response.status(202).end();
	const outcome = await settle(processDelivery(this, notifications, secret));
	if (outcome.ok) return outcome.value;
	this.logger.error(`${LOG_PREFIX} processing a notification delivery failed: ${describeFailure(outcome.error)}`);
	return NO_RUN;
}

async function processDelivery(ctx: IWebhookFunctions, notifications: GraphNotification[], secret: string): Promise<IWebhookResponseData> {
	const data = staticDataOf(ctx);
	const authentic = notifications.filter((notification) => matchesClientStateHash(notification.clientState, secret));
	if (authentic.length < notifications.length) {
		ctx.logger.warn(`${LOG_PREFIX} dropped ${notifications.length - authentic.length} notification(s) whose clientState did not match`);
	}
	if (authentic.length === 0) return NO_RUN;

	const settings = await readSettings(ctx);
	const known = await knownSubscriptionIds(ctx, settings, data, authentic);
	const accepted = authentic.filter((notification) => known.has(notification.subscriptionId));
	if (accepted.length < authentic.length) {
		ctx.logger.warn(`${LOG_PREFIX} dropped ${authentic.length - accepted.length} notification(s) of a subscription this trigger does not know`);
	}
	if (accepted.length === 0) return NO_RUN;

	const items: INodeExecutionData[] = [];
	let ensured = false;
	const lifecycleEvents = firstOfEachKey(
		accepted.filter((n) => n.lifecycleEvent),
		(n) => `${n.lifecycleEvent}|${n.subscriptionId}`,
	);
	for (const event of lifecycleEvents) {
		const outcome = await handleLifecycleEvent(ctx, settings, event);
		if (outcome.item) items.push(outcome.item);
		if (outcome.items) items.push(...outcome.items);
		ensured = ensured || outcome.ensured === true;
	}
	const changes = accepted.filter((n) => !n.lifecycleEvent && n.changeType);
	const readable = settings.richNotifications ? await decryptedChanges(ctx, settings, data, changes) : changes;
	items.push(...(await changeItems(ctx, settings, webhookUrlOf(ctx), data, readable)));
	// Renewal past half-life, opportunistically on a delivery.
	if (!ensured) await ensureLogged(ctx, settings, 'delivery');
	return items.length > 0 ? { workflowData: [items], noWebhookResponse: true } : NO_RUN;
}

/** ensureSubscription from a delivery: failures are logged (the webhook has already answered Graph). */
async function ensureLogged(ctx: IWebhookFunctions, settings: TriggerSettings, reason: EnsureReason, subscriptionId?: string): Promise<EnsureOutcome> {
	const outcome = await settle(ensureSubscription(ctx, settings, reason, subscriptionId));
	const result: EnsureOutcome = outcome.ok ? outcome.value : { decision: 'fail', error: outcome.error };
	if (result.error !== undefined && result.decision !== 'renew') {
		ctx.logger.error(`${LOG_PREFIX} the subscription could not be ${result.decision === 'replace' ? 'created again' : 'checked'} (${reason}): ${describeFailure(result.error)}`);
	}
	return result;
}

/**
 * Shared Duplicate Store: each change claimed in Redis (sharedClaims.ts), so simultaneous repeats received
 * by different webhook processes run once. Without it, or when Redis fails, the memories above decide.
 */
async function claimedAcrossProcesses(ctx: IWebhookFunctions, settings: TriggerSettings, webhookUrl: string, fresh: GraphNotification[]): Promise<GraphNotification[]> {
	const redis = settings.sharedDuplicateStore;
	if (!redis || fresh.length === 0) return fresh;
	const scope = notificationKey('trigger', webhookUrl);
	const ttlMs = Math.max(...fresh.map((n) => memoryMs(n.changeType ?? '', settings.duplicateWindowSeconds)));
	const claimed = await settle(claimOnce(redis, fresh.map((n) => `${scope}:${duplicateKeyOf(n)}`), ttlMs));
	if (!claimed.ok) {
		ctx.logger.warn(`${LOG_PREFIX} could not use the Shared Duplicate Store to drop repeats across processes (${describeFailure(claimed.error)}); repeats received by other processes at the same moment may run twice`);
		return fresh;
	}
	const repeats = claimed.value.filter((won) => !won).length;
	if (repeats > 0) ctx.logger.debug(`${LOG_PREFIX} ${repeats} repeat(s) already taken by another n8n process`);
	return fresh.filter((_, index) => claimed.value[index]);
}

/** Where Microsoft publishes the keys that sign validation tokens: the sign-in host of the credential. */
function openIdConfigurationUrl(credentials: IDataObject): string {
	const tokenUrl = String(credentials.accessTokenUrl ?? '');
	return URL.canParse(tokenUrl) ? `${new URL(tokenUrl).origin}/common/.well-known/openid-configuration` : MICROSOFT_OPENID_CONFIGURATION_URL;
}

/**
 * Rich notifications: the validation tokens of the POST are checked (signature by Microsoft's published
 * keys, audience = this app, issuer = the tenant, issued to Graph's notification publisher), then each
 * item's signature and decryption. Anything that fails starts no run and is logged (without content).
 * Deleted items carry no content and pass as they are.
 */
async function decryptedChanges(ctx: IWebhookFunctions, settings: TriggerSettings, data: IDataObject, changes: GraphNotification[]): Promise<GraphNotification[]> {
	const rich = changes.filter((n) => n.encryptedContent);
	if (rich.length === 0) return changes;
	const credentials = (await ctx.getCredentials(settings.target.credentialType)) as IDataObject;
	const validation = await validateValidationTokens((ctx.getBodyData() as IDataObject).validationTokens, {
		appId: String(credentials.clientId ?? ''),
		tenantIds: [...new Set(rich.map((n) => n.tenantId ?? ''))],
		openIdConfigurationUrl: openIdConfigurationUrl(credentials),
		fetchJson: async (url) => await ctx.helpers.httpRequest({ method: 'GET', url, json: true }),
	});
	const plain = changes.filter((n) => !n.encryptedContent);
	if (!validation.valid) {
		ctx.logger.warn(`${LOG_PREFIX} dropped ${rich.length} rich notification(s): ${validation.reason}`);
		return plain;
	}
	const opened = await settle(privateKey(ctx, settings.target.credentialType, data));
	const key = opened.ok ? opened.value : undefined;
	if (!key) {
		const why = opened.ok ? 'no key is stored for this trigger (deactivate and activate the workflow)' : describeFailure(opened.error);
		ctx.logger.error(`${LOG_PREFIX} dropped ${rich.length} rich notification(s): the key to decrypt them is not available: ${why}`);
		return plain;
	}
	const decrypted: GraphNotification[] = [];
	for (const notification of rich) {
		try {
			decrypted.push({ ...notification, decrypted: decryptResourceData(notification.encryptedContent, key.pem, key.certificateId) });
		} catch (error) {
			ctx.logger.warn(`${LOG_PREFIX} dropped a rich notification: ${error instanceof ResourceDataError ? error.message : `it could not be decrypted (${describeFailure(error)})`}`);
		}
	}
	return [...plain, ...decrypted];
}

/** A resync from a delivery (missed changes); failures are logged (the next one catches up). */
async function resyncLogged(ctx: IWebhookFunctions, settings: TriggerSettings, reason: string): Promise<INodeExecutionData[]> {
	const result = await settle(resync(ctx, settings, staticDataOf(ctx), reason));
	if (result.ok) return result.value.items;
	ctx.logger.error(`${LOG_PREFIX} resync after "${reason}" failed; the next resync catches up: ${describeFailure(result.error)}`);
	return [];
}

/**
 * The stored subscription, plus any other one that carries our secret and that Graph confirms
 * delivers to this webhook (its ID was lost to a concurrent static-data write): it is adopted.
 */
async function knownSubscriptionIds(ctx: IWebhookFunctions, settings: TriggerSettings, data: IDataObject, authentic: GraphNotification[]): Promise<Set<string>> {
	const stored = storedSubscription(data);
	const known = new Set(stored ? [stored.subscriptionId] : []);
	const unknownIds = [...new Set(authentic.map((n) => n.subscriptionId))].filter((id) => !known.has(id));
	for (const id of unknownIds) {
		const outcome = await ensureLogged(ctx, settings, 'unknownSubscription', id);
		if (outcome.decision === 'adopt') known.add(id);
	}
	return known;
}

async function handleLifecycleEvent(
	ctx: IWebhookFunctions,
	settings: TriggerSettings,
	event: GraphNotification,
): Promise<{ item?: INodeExecutionData; items?: INodeExecutionData[]; ensured?: boolean }> {
	switch (event.lifecycleEvent) {
		case 'reauthorizationRequired':
			await ensureLogged(ctx, settings, 'reauthorizationRequired', event.subscriptionId);
			return { ensured: true };
		case 'subscriptionRemoved': {
			const outcome = await ensureLogged(ctx, settings, 'subscriptionRemoved', event.subscriptionId);
			// Changes between the removal and the new subscription were never notified.
			if (outcome.decision === 'replace' && !outcome.error) return { ensured: true, items: await resyncLogged(ctx, settings, 'subscription created again') };
			if (outcome.decision !== 'replace' || !outcome.error) return { ensured: true };
			// Without a subscription the trigger is deaf: say so in the workflow, not only in the log.
			return {
				ensured: true,
				item: {
					json: {
						lifecycleEvent: 'subscriptionRemoved',
						recreated: false,
						message:
							'Microsoft Graph removed the subscription and creating a new one failed, so no more notifications arrive. Deactivate and activate the workflow (or restart n8n) to subscribe again.',
						error: describeFailure(outcome.error),
						subscriptionId: event.subscriptionId,
					},
				},
			};
		}
		case 'missed':
			if (!settings.resync) return { item: { json: missedItem(event, settings.resource) } };
			return { items: await resyncLogged(ctx, settings, 'missed') };
		default:
			// Graph adds lifecycle events over time: unknown ones are ignored.
			ctx.logger.debug(`${LOG_PREFIX} ignored lifecycle event "${String(event.lifecycleEvent).slice(0, 60)}"`);
			return {};
	}
}

/** A notification as the item pipeline's change: rich ones bring the item with them. */
function changeOf(notification: GraphNotification): Change {
	return { changeType: notification.changeType ?? 'updated', id: resourceIdOf(notification), notification: publicChange(notification), content: notification.decrypted };
}

function duplicateKeyOf(notification: GraphNotification): string {
	return changeKey(notification.changeType ?? '', resourceIdOf(notification) ?? notification.resource ?? '', notification.resourceData?.['@odata.etag']);
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
		const remembered = checkDuplicates(duplicateScope(ctx), duplicateMemory(data), entries, Date.now());
		storeDuplicateMemory(data, remembered.memory);
		fresh = fresh.filter((_, index) => remembered.fresh[index]);
		fresh = await claimedAcrossProcesses(ctx, settings, webhookUrl, fresh);
	}
	const items = await itemsOf(ctx, settings, data, fresh.map(changeOf));
	// A later resync must not output these again.
	rememberDelivered(
		data,
		fresh
			.filter((_, index) => items[index] !== undefined)
			.map((n) => ({ id: resourceIdOf(n) ?? '', etag: n.resourceData?.['@odata.etag'], changeType: n.changeType ?? '' })),
	);
	const dropped = items.filter((item) => item === undefined).length;
	if (dropped > 0) ctx.logger.debug(`${LOG_PREFIX} ${dropped} change(s) did not match the trigger's filters`);
	return items.filter((item): item is INodeExecutionData => item !== undefined);
}
