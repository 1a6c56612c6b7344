/**
 * What every part of the trigger shares: its log prefix, the n8n contexts it runs in, what it watches and
 * the error a bad parameter gives. No imports from the trigger's own files, so nothing here closes a cycle.
 */
import type { IHookFunctions, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const LOG_PREFIX = 'Microsoft Outlook Ext Trigger:';

/** The n8n contexts the trigger runs in: webhook hooks, the webhook itself, and trigger(). */
export type TriggerContext = IHookFunctions | IWebhookFunctions | ITriggerFunctions;

/** Where subscriptions are managed: n8n's webhook hooks and the webhook itself (both know the webhook URL). */
export type SubscriberContext = IHookFunctions | IWebhookFunctions;

export type Watch = 'messages' | 'events';

/** A parameter that cannot be used: what is wrong (message) and how to fix it (description). */
export function settingsError(ctx: TriggerContext, message: string, description: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { description });
}
