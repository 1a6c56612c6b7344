/**
 * Workflow items for accepted change notifications: the notification itself, the changed message or
 * event fetched from Graph, or the message's parsed MIME with attachments as binary data.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { mimeToExecutionData } from '../../shared/mime';
import { graphCall, graphErrorParts, httpStatusOf, settle } from '../../shared/graph';
import { publicChange, resourceIdOf, type GraphNotification } from './notifications';
import type { TriggerSettings } from '../config/settings';

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

async function fetchedJson(ctx: IWebhookFunctions, settings: TriggerSettings, id: string, select?: string): Promise<IDataObject> {
	const { body } = await graphCall<IDataObject>(ctx, settings.target, { method: 'GET', url: itemPath(settings, id), qs: select ? { $select: select } : undefined });
	const { '@odata.context': _context, ...resource } = body ?? {};
	return resource;
}

async function fetchedItem(ctx: IWebhookFunctions, settings: TriggerSettings, id: string, changeType: string, json?: IDataObject): Promise<INodeExecutionData> {
	if (settings.output === 'mime') {
		const response = await graphCall<unknown>(ctx, settings.target, { method: 'GET', url: `${itemPath(settings, id)}/$value`, binary: true });
		const item = await mimeToExecutionData(ctx.helpers, bytesOf(response.body), {
			binaryPropertyPrefix: settings.binaryPropertyPrefix,
			includeRaw: settings.includeRawEmail,
			fallbackName: id,
		});
		return { ...item, json: { id, changeType, ...item.json } };
	}
	const shaped = shapedJson(settings, json ?? (await fetchedJson(ctx, settings, id, selectFor(settings))));
	const item: INodeExecutionData = { json: { ...shaped, changeType } };
	if (settings.includeAttachments) await addAttachments(ctx, settings, id, item);
	return item;
}

/** Simple output: the properties most workflows use, flattened. */
const SIMPLE_SELECT = 'id,subject,from,toRecipients,ccRecipients,receivedDateTime,bodyPreview,importance,isRead,hasAttachments,categories,conversationId,webLink';

function selectFor(settings: TriggerSettings): string | undefined {
	if (settings.output === 'simple') return SIMPLE_SELECT;
	if (settings.output === 'fields') return settings.fields?.join(',');
	return undefined;
}

function addresses(value: unknown): string[] {
	return (Array.isArray(value) ? value : [])
		.map((recipient) => String(((recipient as IDataObject)?.emailAddress as IDataObject | undefined)?.address ?? ''))
		.filter(Boolean);
}

/** Full Item: as Graph answers; Simple: flattened addresses; Selected Fields: only those (rich items hold more). */
function shapedJson(settings: TriggerSettings, item: IDataObject): IDataObject {
	if (settings.output === 'simple') {
		return {
			id: item.id,
			subject: item.subject,
			from: addresses([item.from])[0],
			to: addresses(item.toRecipients),
			cc: addresses(item.ccRecipients),
			receivedDateTime: item.receivedDateTime,
			bodyPreview: item.bodyPreview,
			importance: item.importance,
			isRead: item.isRead,
			hasAttachments: item.hasAttachments,
			categories: item.categories,
			conversationId: item.conversationId,
			webLink: item.webLink,
		};
	}
	if (settings.output === 'fields' && settings.fields) return Object.fromEntries(settings.fields.filter((field) => field in item).map((field) => [field, item[field]]));
	return item;
}

/**
 * Include Attachments: every file attachment of the message as binary data (`attachment_0`, …), one
 * request for the list and one per attachment. Larger than the cap, or not a file (an attached item
 * or a link), it is listed in `attachmentsSkipped` instead.
 */
async function addAttachments(ctx: IWebhookFunctions, settings: TriggerSettings, id: string, item: INodeExecutionData): Promise<void> {
	const base = `${itemPath(settings, id)}/attachments`;
	const listed = await graphCall<IDataObject>(ctx, settings.target, { method: 'GET', url: base, qs: { $select: 'id,name,contentType,size,isInline' } });
	const attachments = (listed.body.value as IDataObject[] | undefined) ?? [];
	const skipped: IDataObject[] = [];
	item.binary = {};
	for (const attachment of attachments) {
		const name = String(attachment.name ?? 'attachment');
		const size = Number(attachment.size ?? 0);
		if (attachment['@odata.type'] !== '#microsoft.graph.fileAttachment') {
			skipped.push({ name, size, reason: 'not a file (an attached item or a link)' });
			continue;
		}
		if (size > settings.maxAttachmentBytes) {
			skipped.push({ name, size, reason: `larger than Max Attachment Size (${Math.round(settings.maxAttachmentBytes / 1048576)} MB)` });
			continue;
		}
		const content = await graphCall<unknown>(ctx, settings.target, { method: 'GET', url: `${base}/${encodeURIComponent(String(attachment.id))}/$value`, binary: true });
		const property = `${settings.binaryPropertyPrefix}${Object.keys(item.binary).length}`;
		item.binary[property] = await ctx.helpers.prepareBinaryData(bytesOf(content.body), name, String(attachment.contentType ?? 'application/octet-stream'));
	}
	if (skipped.length > 0) item.json.attachmentsSkipped = skipped;
}

/** Graph's `@odata.*` and `prop@odata.type` annotations left out. */
function withoutAnnotations(item: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(item).filter(([key]) => !key.includes('@')));
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

/** Decides from the fetched item whether a change starts a run (the trigger's client-side filters). */
export type ItemCheck = (item: IDataObject) => boolean;

/**
 * The item for one change notification, or undefined when `check` refuses the changed item. Deleted
 * items cannot be fetched (nor checked), and a fetch that fails (the item was moved or deleted
 * meanwhile, Graph unreachable) still yields the notification, with `error` saying why: the webhook
 * already acknowledged it, so dropping it would lose the change.
 */
export async function changeItem(
	ctx: IWebhookFunctions,
	settings: TriggerSettings,
	notification: GraphNotification,
	check?: { select: string; accepts: ItemCheck },
): Promise<INodeExecutionData | undefined> {
	const base = publicChange(notification);
	const id = resourceIdOf(notification);
	const changeType = notification.changeType ?? 'updated';
	if (changeType === 'deleted' || !id) return { json: base };
	// Rich notifications: the item came with the notification (Graph's selected properties).
	let json: IDataObject | undefined = notification.decrypted ? withoutAnnotations(notification.decrypted) : undefined;
	if (json) {
		if (check && !check.accepts(json)) return undefined;
		if (settings.output === 'notification') return { json: base };
		if (settings.output !== 'mime' && !settings.includeAttachments) return { json: { ...shapedJson(settings, json), changeType } };
	} else if (check) {
		// The full item doubles as the checked one; other outputs fetch only what the check reads.
		const checked = await settle(fetchedJson(ctx, settings, id, settings.output === 'resource' ? undefined : check.select));
		if (!checked.ok) return { json: { ...base, error: fetchError(checked.error) } };
		if (!check.accepts(checked.value)) return undefined;
		if (settings.output === 'resource') json = checked.value;
	}
	if (settings.output === 'notification') return { json: base };
	const fetched = await settle(fetchedItem(ctx, settings, id, changeType, json));
	if (fetched.ok) return fetched.value;
	return { json: { ...base, error: fetchError(fetched.error) } };
}
