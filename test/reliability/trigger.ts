/**
 * Trigger helpers for the reliability suite: activate a Microsoft Outlook Ext Trigger workflow through
 * n8n's public API and read what it did (subscriptions in the emulator, executions in n8n).
 */
import { allSubscriptions } from '../emulator/subscriptions';
import { CREDENTIAL_IDS, type Authentication } from '../e2e/support';
import { nodeType, type N8nHarness } from '../harness/n8n';
import { triggerWorkflow } from '../harness/workflows';
import type { Emulator } from '../emulator';
import { CREDENTIAL_TYPES, sleep } from './support';

export const TRIGGER = 'Outlook Trigger';

export interface ActiveTrigger {
	id: string;
	webhookId: string;
	url: string;
}

export function triggerNode(parameters: Record<string, unknown>, authentication: Authentication = 'oAuth2', typeVersion = 1) {
	return {
		name: TRIGGER,
		type: nodeType('microsoftOutlookExtTrigger'),
		typeVersion,
		parameters: { authentication, ...parameters },
		credentials: { [CREDENTIAL_TYPES[authentication]]: { id: CREDENTIAL_IDS[authentication], name: `Outlook ${authentication} (emulator)` } },
	};
}

/** Creates the workflow through the public API, not yet active. */
export async function createTriggerWorkflow(
	n8n: N8nHarness,
	name: string,
	parameters: Record<string, unknown>,
	authentication?: Authentication,
	typeVersion = 1,
): Promise<ActiveTrigger> {
	const workflow = triggerWorkflow({ id: name, name, trigger: triggerNode(parameters, authentication, typeVersion) });
	const webhookId = (workflow.nodes[0] as { webhookId: string }).webhookId;
	const id = await n8n.apiCreateWorkflow(workflow);
	return { id, webhookId, url: n8n.webhookUrl('notifications', webhookId) };
}

/** Creates the workflow through the public API and activates it (checkExists → create, with the handshake). */
export async function activateTrigger(
	n8n: N8nHarness,
	name: string,
	parameters: Record<string, unknown>,
	authentication?: Authentication,
	typeVersion = 1,
): Promise<ActiveTrigger> {
	const trigger = await createTriggerWorkflow(n8n, name, parameters, authentication, typeVersion);
	await n8n.activate(trigger.id);
	return trigger;
}

export interface SubscriptionRecord {
	id: string;
	expirationDateTime: string;
	clientState: string;
	[key: string]: any;
}

export function subscriptionOf(emu: Emulator, trigger: ActiveTrigger): SubscriptionRecord {
	const subscriptions = allSubscriptions(emu.core).filter((s) => s.notificationUrl === trigger.url);
	if (subscriptions.length !== 1) throw new Error(`expected one subscription for ${trigger.url}, found ${subscriptions.length}`);
	return subscriptions[0] as SubscriptionRecord;
}

export async function executionCount(n8n: N8nHarness, trigger: ActiveTrigger): Promise<number> {
	return (await n8n.executions(trigger.id, { includeData: false, limit: 250 })).length;
}

/**
 * Items the trigger emitted, over its finished executions (oldest first). Newer n8n lists a run while it is
 * still going, without run data yet; such a run counts once it has finished.
 */
export async function emittedItems(n8n: N8nHarness, trigger: ActiveTrigger): Promise<any[]> {
	const executions = (await n8n.executions(trigger.id, { includeData: true, limit: 250 })).filter((execution) => execution.finished || execution.stoppedAt);
	return executions.reverse().flatMap((execution) => n8n.nodeOutput(execution, TRIGGER).map((item) => item.json));
}

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(150);
	}
}

/** A Graph-shaped change notification for a message of a user. */
export function messageNotification(
	subscription: { id: string; expirationDateTime?: string },
	userId: string,
	messageId: string,
	clientState: string | undefined,
) {
	const resource = `Users/${userId}/Messages/${messageId}`;
	return {
		subscriptionId: subscription.id,
		subscriptionExpirationDateTime: subscription.expirationDateTime,
		clientState,
		changeType: 'created',
		resource,
		tenantId: '11111111-2222-3333-4444-555555555555',
		resourceData: { '@odata.type': '#Microsoft.Graph.Message', '@odata.id': resource, '@odata.etag': 'W/"x"', id: messageId },
	};
}

export interface Answer {
	status: number;
	contentType: string | null;
	text: string;
	ms: number;
}

export async function post(url: string, body: string | Buffer, contentType = 'application/json; charset=utf-8'): Promise<Answer> {
	const started = performance.now();
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
	const text = await response.text();
	return { status: response.status, contentType: response.headers.get('content-type'), text, ms: performance.now() - started };
}
