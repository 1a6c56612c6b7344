/**
 * n8n's webhook lifecycle for the trigger. checkExists runs on activation and at every start of n8n
 * (on newer n8n only because the node also has trigger(): see lifecycle.ts) and asks Graph (static
 * data alone can be stale: n8n-facts §8); create makes a fresh subscription; delete is idempotent
 * (n8n also calls it as cleanup after a failed create, and newer n8n after any failed registration).
 */
import type { IHookFunctions } from 'n8n-workflow';

import { resolveTarget } from '../shared/transport/request';
import { describeFailure, graphNow, httpStatusOf, isNotFound } from './graph';
import { clientStateSecret } from './secret';
import { readSettings } from './settings';
import { clearSubscription, staticDataOf, storeSubscription, storedSubscription } from './state';
import {
	assertUsableWebhookUrl,
	deleteSubscription,
	getSubscription,
	isAboutToExpire,
	matchesWanted,
	needsRenewal,
	postSubscription,
	removeOtherSubscriptions,
	renewSubscription,
	settle,
	subscriptionsDeliveringTo,
	webhookUrlOf,
} from './subscription';

const LOG_PREFIX = 'Microsoft Outlook Ext Trigger:';

/** Graph unreachable or overloaded (no HTTP status, 429, 5xx): the subscription's state is unknown, not gone. */
function isTransient(error: unknown): boolean {
	const status = httpStatusOf(error);
	return status === undefined || status === 429 || status >= 500;
}

/** true = the stored subscription is alive on Graph and is what the node wants (renewed when past half-life). */
export async function subscriptionExists(this: IHookFunctions): Promise<boolean> {
	const data = staticDataOf(this);
	const record = storedSubscription(data);
	if (!record) return false;
	const settings = await readSettings(this);
	const webhookUrl = webhookUrlOf(this);
	const fetched = await settle(getSubscription(this, settings.target, record.subscriptionId));
	if (!fetched.ok) {
		if (isNotFound(fetched.error)) {
			clearSubscription(data);
			return false;
		}
		// Graph down at n8n's start: throwing would make n8n tear the webhook down (and retry on 2.8.4
		// only). The stored subscription is still valid for a while; deliveries and lifecycle events renew it.
		if (isTransient(fetched.error) && !isAboutToExpire(record.expirationDateTime, graphNow(settings.target.root))) {
			this.logger.warn(`${LOG_PREFIX} could not check the subscription with Microsoft Graph, keeping the stored one: ${describeFailure(fetched.error)}`);
			return true;
		}
		throw fetched.error;
	}
	const current = fetched.value;
	const wanted = { resource: settings.resource, changeType: settings.changeType, webhookUrl, clientStateHash: record.clientStateHash };
	const now = graphNow(settings.target.root);
	if (!matchesWanted(current, wanted) || isAboutToExpire(current.expirationDateTime, now)) {
		// create() replaces it; delete it here because it may deliver to an old URL create() does not look at.
		const deleted = await settle(deleteSubscription(this, settings.target, record.subscriptionId));
		if (!deleted.ok) this.logger.warn(`${LOG_PREFIX} could not delete an outdated subscription: ${describeFailure(deleted.error)}`);
		clearSubscription(data);
		return false;
	}
	let alive = { ...record, expirationDateTime: String(current.expirationDateTime) };
	if (needsRenewal(alive, now)) {
		const renewed = await settle(renewSubscription(this, settings.target, alive));
		if (renewed.ok) alive = renewed.value;
		else if (isNotFound(renewed.error)) {
			clearSubscription(data);
			return false;
		} else {
			// Still valid for a while: the next lifecycle event or delivery renews it.
			this.logger.warn(`${LOG_PREFIX} renewal failed, will retry later: ${describeFailure(renewed.error)}`);
		}
	}
	storeSubscription(data, alive);
	return true;
}

/** A new subscription with a new clientState (secret.ts), after removing any other one delivering to this webhook. */
export async function createSubscription(this: IHookFunctions): Promise<boolean> {
	const settings = await readSettings(this);
	const webhookUrl = webhookUrlOf(this);
	assertUsableWebhookUrl(this, webhookUrl);
	await removeOtherSubscriptions(this, settings.target, webhookUrl);
	const data = staticDataOf(this);
	clearSubscription(data);
	const record = await postSubscription(this, settings, webhookUrl, await clientStateSecret(this, settings.target.credentialType));
	storeSubscription(data, record);
	return true;
}

/** Deletes the stored subscription and any other one delivering to this webhook; 404 is fine. */
export async function deleteSubscriptions(this: IHookFunctions): Promise<boolean> {
	const data = staticDataOf(this);
	const storedId = typeof data.subscriptionId === 'string' ? data.subscriptionId : undefined;
	clearSubscription(data);
	// Only the credential and mailbox are needed: other parameters may be invalid by now.
	const target = await settle(
		resolveTarget(this, {
			authentication: String(this.getNodeParameter('authentication', 'oAuth2')),
			mailbox: String(this.getNodeParameter('mailbox', '') ?? ''),
		}),
	);
	if (!target.ok) {
		this.logger.warn(`${LOG_PREFIX} could not delete the subscription: ${describeFailure(target.error)}`);
		return false;
	}
	const webhookUrl = webhookUrlOf(this);
	const ids = new Set(storedId ? [storedId] : []);
	const listed = await settle(subscriptionsDeliveringTo(this, target.value, webhookUrl));
	if (listed.ok) listed.value.forEach((id) => ids.add(id));
	else this.logger.warn(`${LOG_PREFIX} could not list subscriptions: ${describeFailure(listed.error)}`);
	let allDeleted = true;
	for (const id of ids) {
		const deleted = await settle(deleteSubscription(this, target.value, id));
		if (!deleted.ok) {
			allDeleted = false;
			this.logger.warn(`${LOG_PREFIX} could not delete subscription ${id}: ${describeFailure(deleted.error)}`);
		}
	}
	return allDeleted;
}
