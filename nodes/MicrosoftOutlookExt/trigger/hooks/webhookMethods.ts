/**
 * n8n's webhook lifecycle for the trigger. checkExists runs on activation and at every start of n8n
 * (on newer n8n only because the node also has trigger(): see hooks/triggerFunction.ts) and lets
 * ensureSubscription ask Graph (static data alone can be stale: n8n-facts §8); create makes a fresh
 * subscription; delete is idempotent (n8n also calls it as cleanup after a failed create, and newer
 * n8n after any failed registration).
 */
import type { IHookFunctions } from 'n8n-workflow';

import { describeFailure, settle } from '../../shared/graph';
import { deleteSubscription, subscriptionsDeliveringTo } from '../../shared/subscriptions';
import { resolveTarget } from '../../shared/transport/request';
import { ensureSubscription, webhookUrlOf } from '../subscription/lifecycle';
import { LOG_PREFIX } from '../common';
import { clearResyncState, ensureBaseline } from '../resync/deltaResync';
import { clearRichKey } from '../crypto/richKeys';
import { readSettings } from '../config/settings';
import { clearSubscription, staticDataOf } from '../staticData';

/**
 * true = a subscription that is what the node wants is alive on Graph (kept, or renewed past
 * half-life), or the node needs none; false = nothing stored, or it is gone or outdated (then
 * deleted): n8n calls create().
 */
export async function subscriptionExists(this: IHookFunctions): Promise<boolean> {
	const outcome = await ensureSubscription(this, await readSettings(this), 'start');
	switch (outcome.decision) {
		case 'unsubscribe':
			// Switched to a preset without a subscription: the old one goes.
			await deleteSubscriptions.call(this);
			return true;
		case 'fail':
			// Graph unreachable with the stored subscription about to lapse: the activation error says why
			// (n8n 2.8.4 retries activation, newer n8n reports it).
			throw outcome.error;
		default:
			return outcome.decision !== 'leaveToCreate';
	}
}

/** A new subscription with a new clientState (subscription/clientState.ts), after removing any other one delivering to this webhook. */
export async function createSubscription(this: IHookFunctions): Promise<boolean> {
	const settings = await readSettings(this);
	const data = staticDataOf(this);
	clearSubscription(data);
	const outcome = await ensureSubscription(this, settings, 'activation');
	// A link kept from before (n8n down past the subscription's life) is resynced by trigger(); else start one.
	if (outcome.decision === 'create') await ensureBaseline(this, settings, data);
	return true;
}

/** Deletes the stored subscription and any other one delivering to this webhook; 404 is fine. */
export async function deleteSubscriptions(this: IHookFunctions): Promise<boolean> {
	const data = staticDataOf(this);
	const storedId = typeof data.subscriptionId === 'string' ? data.subscriptionId : undefined;
	clearSubscription(data);
	// Deactivated on purpose: changes until the next activation are not wanted.
	clearResyncState(data);
	clearRichKey(data);
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
