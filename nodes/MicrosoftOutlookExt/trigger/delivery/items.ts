/**
 * The one item pipeline: changes → filter → flag memory → shape → attachments → items. Live
 * deliveries, rich notifications and resyncs all feed it, so the same change gives the same item
 * whichever way it arrived (a resync's item only adds `source: "resync"`). An item is the
 * notification itself, the changed message, event or contact as Graph gives it (Graph's `@odata.*` and
 * `prop@odata.type` annotations left out, one rule for all), or the message's parsed MIME with
 * attachments as binary data.
 */
import type { IDataObject, INodeExecutionData, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import { mimeToExecutionData } from '../../shared/mime';
import { graphCall, graphErrorParts, httpStatusOf, settle } from '../../shared/graph';
import { responseBytes } from '../../shared/operations';
import { LruMap } from '../common';
import { clientFilterSelect, isFlagged, matchesClientFilter, needsClientCheck } from '../config/filters';
import type { TriggerSettings } from '../config/settings';
import { flagMemory } from '../staticData';

/** Where items are built: the webhook (live and rich deliveries, resyncs it asks for) and trigger() (the resync at start). */
export type ItemContext = IWebhookFunctions | ITriggerFunctions;

/** One change on its way to becoming an item. */
export interface Change {
	changeType: string;
	/** The changed message or event; undefined when the notification named none (it is output as it is). */
	id?: string;
	/** What Notification Only outputs, and what a deleted item or a failed fetch shows. */
	notification: IDataObject;
	/** The item as it came with the change (rich notifications): it is not fetched. */
	content?: IDataObject;
	/** Set for changes a resync found: the item says so. */
	source?: 'resync';
}

/**
 * `/me/messages/{id}`, `/me/events/{id}` or `/me/contacts/{id}`: each watch kind is named after its
 * collection (the transport scopes `/me` to the watched mailbox). A contact in any contact folder is
 * found under `/me/contacts/{id}`, as an event of any calendar is under `/me/events/{id}`.
 */
function itemPath(settings: TriggerSettings, id: string): string {
	return `/me/${settings.watch}/${encodeURIComponent(id)}`;
}

/**
 * Graph's `@odata.*` and `prop@odata.type` annotations left out, at every depth (rich notifications
 * carry `@odata.type` inside `from`, `flag`, ...; a GET does not): the one rule for every item.
 */
export function withoutAnnotations(item: IDataObject): IDataObject {
	return stripped(item ?? {}) as IDataObject;
}

function stripped(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(stripped);
	if (value === null || typeof value !== 'object') return value;
	return Object.fromEntries(
		Object.entries(value)
			.filter(([key]) => !key.includes('@'))
			.map(([key, inner]) => [key, stripped(inner)]),
	);
}

async function fetchedJson(ctx: ItemContext, settings: TriggerSettings, id: string, select?: string): Promise<IDataObject> {
	const { body } = await graphCall<IDataObject>(ctx, settings.target, { method: 'GET', url: itemPath(settings, id), qs: select ? { $select: select } : undefined });
	return withoutAnnotations(body);
}

/** Simple output: the properties most workflows use, flattened. */
const SIMPLE_SELECT = 'id,subject,from,toRecipients,ccRecipients,receivedDateTime,bodyPreview,importance,isRead,hasAttachments,categories,conversationId,webLink';

/** What to fetch for an item; with rich notifications, Full Item holds what a rich notification carries. */
function selectFor(settings: TriggerSettings): string | undefined {
	if (settings.output === 'simple') return SIMPLE_SELECT;
	if (settings.output === 'fields') return settings.fields?.join(',');
	return settings.richSelect;
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
async function addAttachments(ctx: ItemContext, settings: TriggerSettings, id: string, item: INodeExecutionData): Promise<void> {
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
		item.binary[property] = await ctx.helpers.prepareBinaryData(responseBytes(content.body), name, String(attachment.contentType ?? 'application/octet-stream'));
	}
	if (skipped.length > 0) item.json.attachmentsSkipped = skipped;
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

/** The MIME output: the message as sent, parsed, attachments as binary data. */
async function mimeItem(ctx: ItemContext, settings: TriggerSettings, id: string, changeType: string): Promise<INodeExecutionData> {
	const response = await graphCall<unknown>(ctx, settings.target, { method: 'GET', url: `${itemPath(settings, id)}/$value`, binary: true });
	const item = await mimeToExecutionData(ctx.helpers, responseBytes(response.body), {
		binaryPropertyPrefix: settings.binaryPropertyPrefix,
		includeRaw: settings.includeRawEmail,
		fallbackName: id,
	});
	return { ...item, json: { id, changeType, ...item.json } };
}

/** Shape, then attachments: the item of a change that passed the filters. */
async function shapedItem(ctx: ItemContext, settings: TriggerSettings, id: string, changeType: string, content?: IDataObject): Promise<INodeExecutionData> {
	if (settings.output === 'mime') return await mimeItem(ctx, settings, id, changeType);
	const shaped = shapedJson(settings, content ?? (await fetchedJson(ctx, settings, id, selectFor(settings))));
	const item: INodeExecutionData = { json: { ...shaped, changeType } };
	if (settings.includeAttachments) await addAttachments(ctx, settings, id, item);
	return item;
}

/** Decides from the changed item whether it starts a run (the trigger's client-side filters, with the flag memory). */
interface ItemCheck {
	/** What the check reads, for outputs that would not fetch the item anyway. */
	select: string;
	accepts: (item: IDataObject) => boolean;
}

/** Addresses of the watched mailbox (for @mentions), per process: they do not change. Bounded: one per watched mailbox. */
const mailboxAddresses = new LruMap<string, string[]>(100);

export async function mailboxAddressesOf(ctx: ItemContext, settings: TriggerSettings): Promise<string[]> {
	const key = `${settings.target.root}|${settings.target.mailboxPrefix}`;
	const known = mailboxAddresses.get(key);
	if (known) return known;
	const { body } = await graphCall<IDataObject>(ctx, settings.target, { method: 'GET', url: '/me', qs: { $select: 'mail,userPrincipalName' } });
	const found = [body.mail, body.userPrincipalName].filter((a): a is string => typeof a === 'string' && a !== '');
	mailboxAddresses.set(key, found);
	return found;
}

/**
 * The client-side check of the trigger's filters, if any. Mail Flagged fires when a message becomes
 * flagged: flagged messages already reported are remembered (static data) until they are unflagged,
 * so later edits of a flagged message start nothing.
 */
async function itemCheck(ctx: ItemContext, settings: TriggerSettings, data: IDataObject): Promise<ItemCheck | undefined> {
	const filter = settings.clientFilter;
	if (!needsClientCheck(filter)) return undefined;
	const mailbox = filter.mentionsMailbox ? await mailboxAddressesOf(ctx, settings) : [];
	const flaggedSeen = flagMemory(data);
	return {
		select: clientFilterSelect(filter),
		accepts: (item) => {
			const id = String(item.id ?? '');
			if (filter.flagged && !isFlagged(item)) {
				if (id in flaggedSeen.ids) flaggedSeen.forget(id);
				return false;
			}
			if (!matchesClientFilter(filter, item, mailbox)) return false;
			if (filter.flagged) {
				if (id in flaggedSeen.ids) return false;
				flaggedSeen.remember(id);
			}
			return true;
		},
	};
}

/**
 * The item for one change, or undefined when the filters refuse the changed item. Deleted items
 * cannot be fetched (nor checked), and a fetch that fails (the item was moved or deleted meanwhile,
 * Graph unreachable) still yields the notification, with `error` saying why: the change was
 * acknowledged to Graph (or read from the delta), so dropping it would lose it.
 */
async function itemOf(ctx: ItemContext, settings: TriggerSettings, change: Change, check: ItemCheck | undefined): Promise<INodeExecutionData | undefined> {
	const { id, changeType, notification } = change;
	if (changeType === 'deleted' || !id) return { json: notification };
	let content = change.content ? withoutAnnotations(change.content) : undefined;
	if (check) {
		// The full item doubles as the checked one; other outputs fetch only what the check reads.
		const checked = content ? { ok: true as const, value: content } : await settle(fetchedJson(ctx, settings, id, settings.output === 'resource' ? selectFor(settings) : check.select));
		if (!checked.ok) return { json: { ...notification, error: fetchError(checked.error) } };
		if (!check.accepts(checked.value)) return undefined;
		if (settings.output === 'resource') content = checked.value;
	}
	if (settings.output === 'notification') return { json: notification };
	const shaped = await settle(shapedItem(ctx, settings, id, changeType, content));
	if (shaped.ok) return shaped.value;
	return { json: { ...notification, error: fetchError(shaped.error) } };
}

/** One entry per change: its item, or undefined when the filters refused it. */
export async function itemsOf(ctx: ItemContext, settings: TriggerSettings, data: IDataObject, changes: Change[]): Promise<Array<INodeExecutionData | undefined>> {
	if (changes.length === 0) return [];
	const check = await itemCheck(ctx, settings, data);
	const items = await Promise.all(changes.map(async (change) => await itemOf(ctx, settings, change, check)));
	return items.map((item, index) => (item && changes[index].source ? { ...item, json: { ...item.json, source: changes[index].source } } : item));
}
