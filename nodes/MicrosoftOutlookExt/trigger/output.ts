/**
 * Workflow items for accepted change notifications: the notification itself, the changed message or
 * event fetched from Graph, or the message's parsed MIME with attachments as binary data.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { mimeToExecutionData } from '../shared/mime';
import { graphCall, graphErrorParts, httpStatusOf } from './graph';
import { publicChange, resourceIdOf, type GraphNotification } from './notifications';
import type { TriggerSettings } from './settings';
import { settle } from './subscription';

function bytesOf(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (typeof body === 'string') return Buffer.from(body, 'latin1');
	return Buffer.alloc(0);
}

/** `/me/messages/{id}` or `/me/events/{id}` (the transport scopes `/me` to the watched mailbox). */
function itemPath(settings: TriggerSettings, id: string): string {
	return `/me/${settings.watch === 'messages' ? 'messages' : 'events'}/${encodeURIComponent(id)}`;
}

async function fetchedItem(ctx: IWebhookFunctions, settings: TriggerSettings, id: string, changeType: string): Promise<INodeExecutionData> {
	if (settings.output === 'mime') {
		const response = await graphCall<unknown>(ctx, settings.target, { method: 'GET', url: `${itemPath(settings, id)}/$value`, binary: true });
		const item = await mimeToExecutionData(ctx.helpers, bytesOf(response.body), {
			binaryPropertyPrefix: settings.binaryPropertyPrefix,
			includeRaw: settings.includeRawEmail,
			fallbackName: id,
		});
		return { ...item, json: { id, changeType, ...item.json } };
	}
	const { body } = await graphCall<IDataObject>(ctx, settings.target, { method: 'GET', url: itemPath(settings, id) });
	const { '@odata.context': _context, ...resource } = body ?? {};
	return { json: { ...resource, changeType } };
}

/** What a failed fetch looks like in the item: enough to act on, nothing secret. */
function fetchError(error: unknown): IDataObject {
	const status = httpStatusOf(error);
	const { code, requestId } = graphErrorParts(error);
	const e = error as { message?: unknown; description?: unknown };
	return {
		message: String(e?.message ?? error),
		...(typeof e?.description === 'string' ? { description: e.description } : {}),
		...(status ? { httpCode: String(status), code, requestId } : {}),
	};
}

/**
 * The item for one change notification. Deleted items cannot be fetched, and a fetch that fails
 * (the item was moved or deleted meanwhile, Graph unreachable) still yields the notification, with
 * `error` saying why: the webhook already acknowledged it, so dropping it would lose the change.
 */
export async function changeItem(ctx: IWebhookFunctions, settings: TriggerSettings, notification: GraphNotification): Promise<INodeExecutionData> {
	const base = publicChange(notification);
	const id = resourceIdOf(notification);
	const changeType = notification.changeType ?? 'updated';
	if (settings.output === 'notification' || changeType === 'deleted' || !id) return { json: base };
	const fetched = await settle(fetchedItem(ctx, settings, id, changeType));
	if (fetched.ok) return fetched.value;
	return { json: { ...base, error: fetchError(fetched.error) } };
}
