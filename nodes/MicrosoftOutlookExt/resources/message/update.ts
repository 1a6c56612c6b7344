import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { messageImportanceField, updateFieldsCollection, updateFieldsEmptyError } from '../../shared/fields';
import { itemTarget } from '../../shared/routing';
import { graphApiRequest } from '../../shared/transport/request';
import { checkedIdParameter, inputError, parseAddressList, parseLocalDateTime, textList, toRecipients } from '../../shared/validation';
import { messageLocator } from './locator';
import { bodyContentTypeField, bodyJson } from './body';
import { categoryNamesField } from './options';

/**
 * Update Message: PATCH /messages/{id} (200 + the message). Read state, flag, categories, importance and
 * Focused/Other, receipts and recipients work on any message; subject, body and Reply To only while it is a draft
 * (message-update.md: "Updatable only if isDraft = true").
 * Mark as Read / Mark as Unread are the same PATCH with `isRead` only.
 */

const showForUpdate = { resource: ['message'], operation: ['update'] };

export const messageUpdateDescription: INodeProperties[] = [
	messageLocator(
		{ resource: ['message'], operation: ['update', 'markAsRead', 'markAsUnread'] },
		'The message to change, e.g. the "id" of a message from a trigger or from List Mail Messages',
	),
	updateFieldsCollection({
		show: showForUpdate,
		options: [
			categoryNamesField(
				'addCategories',
				'Add Category Names or IDs',
				'Categories to add to the ones the message already has (e.g. ["Blue category"]), from the mailbox\'s master list; the node reads the message\'s categories first. A name not in the master list is refused before the change.',
			),
			{
				displayName: 'BCC',
				name: 'bccRecipients',
				type: 'string',
				default: '',
				description: 'Comma-separated email addresses replacing the BCC line',
			},
			{
				displayName: 'Body (Draft Only)',
				name: 'bodyContent',
				type: 'string',
				default: '',
				typeOptions: { rows: 4 },
				description: 'New body, HTML or text (see Body Content Type). Only while the message is a draft.',
			},
			bodyContentTypeField('bodyContentType'),
			categoryNamesField(
				'categories',
				'Category Names or IDs',
				'Categories of the message, replacing the current ones, from the mailbox\'s master list (e.g. ["Red category"]); an empty list removes all. A name not in the master list is refused before the change (create it with Category → Create first).',
			),
			{
				displayName: 'CC',
				name: 'ccRecipients',
				type: 'string',
				default: '',
				description: 'Comma-separated email addresses replacing the CC line',
			},
			{
				displayName: 'Delivery Receipt Requested',
				name: 'isDeliveryReceiptRequested',
				type: 'boolean',
				default: true,
				description: 'Whether a receipt is asked for when the message is delivered',
			},
			{
				displayName: 'Flag',
				name: 'flagStatus',
				type: 'options',
				options: [
					{ name: 'Not Flagged', value: 'notFlagged', description: 'Remove the flag' },
					{ name: 'Flagged', value: 'flagged', description: 'Flag for follow-up, optionally with Flag Start and Flag Due' },
					{ name: 'Complete', value: 'complete', description: 'Mark the follow-up as done' },
				],
				default: 'flagged',
				description: 'Follow-up flag of the message',
			},
			{
				displayName: 'Flag Due',
				name: 'flagDueDateTime',
				type: 'string',
				default: '',
				placeholder: '2026-05-08T17:00:00',
				description: 'When the follow-up is due, as a local date-time without offset (see Flag Time Zone). Needs Flag: Flagged and a Flag Start not after it.',
			},
			{
				displayName: 'Flag Start',
				name: 'flagStartDateTime',
				type: 'string',
				default: '',
				placeholder: '2026-05-01T09:00:00',
				description: 'When the follow-up starts, as a local date-time without offset (see Flag Time Zone). Needs Flag: Flagged.',
			},
			{
				displayName: 'Flag Time Zone Name or ID',
				name: 'flagTimeZone',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTimeZones' },
				default: 'UTC',
				description:
					'Time zone of Flag Start and Flag Due, e.g. "W. Europe Standard Time". Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Focused Inbox',
				name: 'inferenceClassification',
				type: 'options',
				options: [
					{ name: 'Focused', value: 'focused' },
					{ name: 'Other', value: 'other' },
				],
				default: 'focused',
				description: 'Whether the message belongs in the Focused or the Other tab of the inbox',
			},
			messageImportanceField(),
			{
				displayName: 'Is Read',
				name: 'isRead',
				type: 'boolean',
				default: true,
				description: 'Whether the message is marked as read (off: unread)',
			},
			{
				displayName: 'Read Receipt Requested',
				name: 'isReadReceiptRequested',
				type: 'boolean',
				default: true,
				description: 'Whether the recipients are asked for a receipt when they read the message',
			},
			{
				displayName: 'Reply To (Draft Only)',
				name: 'replyTo',
				type: 'string',
				default: '',
				placeholder: 'team@contoso.com',
				description: 'Comma-separated addresses that replies go to, replacing the current ones. Only while the message is a draft.',
			},
			{
				displayName: 'Subject (Draft Only)',
				name: 'subject',
				type: 'string',
				default: '',
				description: 'New subject. Only while the message is a draft.',
			},
			{
				displayName: 'To',
				name: 'toRecipients',
				type: 'string',
				default: '',
				placeholder: 'anna@contoso.com, ben@contoso.com',
				description: 'Comma-separated email addresses replacing the To line',
			},
		],
	}),
];

/** The master category names per execution and node: one read for all items of a run. */
const masterCategoryNames = new Map<string, { at: number; names: Promise<string[]> }>();

async function knownCategories(ctx: IExecuteSingleFunctions): Promise<string[]> {
	const key = `${String(ctx.getExecutionId())}|${ctx.getNode().name}|${String(ctx.getNodeParameter('mailbox', ''))}`;
	const now = Date.now();
	for (const [k, entry] of masterCategoryNames) if (now - entry.at > 60_000) masterCategoryNames.delete(k);
	let entry = masterCategoryNames.get(key);
	if (!entry) {
		const target = await itemTarget(ctx);
		const names = graphApiRequest<{ value?: IDataObject[] }>(ctx, target, { method: 'GET', url: '/me/outlook/masterCategories' }).then(({ body }) =>
			(body.value ?? []).map((category) => String(category.displayName)),
		);
		entry = { at: now, names };
		masterCategoryNames.set(key, entry);
		names.catch(() => masterCategoryNames.delete(key));
	}
	return await entry.names;
}

function flagOf(ctx: IExecuteSingleFunctions, fields: IDataObject): IDataObject | undefined {
	const start = String(fields.flagStartDateTime ?? '').trim();
	const due = String(fields.flagDueDateTime ?? '').trim();
	if (fields.flagStatus === undefined) {
		if (start || due) throw inputError(ctx, 'Flag Start and Flag Due need Flag: Flagged', 'Add the Flag field and set it to Flagged.');
		return undefined;
	}
	const status = String(fields.flagStatus);
	if (!['notFlagged', 'flagged', 'complete'].includes(status)) {
		throw inputError(ctx, `Flag "${status}" is not a flag status`, 'Use notFlagged, flagged or complete.');
	}
	const flag: IDataObject = { flagStatus: status };
	if (status !== 'flagged') {
		if (start || due) throw inputError(ctx, `Flag Start and Flag Due need Flag: Flagged (it is ${status})`, 'Set Flag to Flagged, or clear Flag Start and Flag Due.');
		return flag;
	}
	const timeZone = String(fields.flagTimeZone ?? 'UTC') || 'UTC';
	if (due && !start) throw inputError(ctx, 'Flag Due needs a Flag Start', 'Graph sets a due date only together with a start date: enter Flag Start too, e.g. 2026-05-01T09:00:00.');
	if (start) {
		const parsedStart = parseLocalDateTime(ctx, start, 'Flag Start', timeZone);
		flag.startDateTime = { dateTime: parsedStart.dateTime, timeZone };
		if (due) {
			const parsedDue = parseLocalDateTime(ctx, due, 'Flag Due', timeZone);
			if (parsedDue.millis < parsedStart.millis) {
				throw inputError(ctx, `Flag Due (${parsedDue.dateTime}) is before Flag Start (${parsedStart.dateTime})`, 'Set a due date on or after the start date.');
			}
			flag.dueDateTime = { dateTime: parsedDue.dateTime, timeZone };
		}
	}
	return flag;
}

/** Builds the PATCH body from Update Fields; an unknown category is refused before the write. */
export async function prepareMessageUpdate(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const fields = this.getNodeParameter('updateFields', {}) as IDataObject;
	const body: IDataObject = {};
	for (const key of ['isRead', 'isReadReceiptRequested', 'isDeliveryReceiptRequested']) {
		if (fields[key] !== undefined) body[key] = fields[key] === true || fields[key] === 'true';
	}
	if (fields.importance !== undefined) body.importance = fields.importance;
	if (fields.inferenceClassification !== undefined) body.inferenceClassification = fields.inferenceClassification;
	const flag = flagOf(this, fields);
	if (flag) body.flag = flag;
	if (fields.subject !== undefined) body.subject = String(fields.subject);
	if (fields.bodyContent !== undefined) body.body = bodyJson(String(fields.bodyContent), fields.bodyContentType);
	for (const [field, label] of [['toRecipients', 'To'], ['ccRecipients', 'CC'], ['bccRecipients', 'BCC'], ['replyTo', 'Reply To']] as const) {
		if (fields[field] !== undefined) body[field] = toRecipients(parseAddressList(this, fields[field], label));
	}
	let categories: string[] | undefined;
	if (fields.categories !== undefined) {
		categories = textList(fields.categories);
		body.categories = categories;
	}
	const added = fields.addCategories === undefined ? [] : textList(fields.addCategories);
	if (added.length && categories !== undefined) {
		throw inputError(this, 'Category Names and Add Category Names cannot be used together', 'Category Names replaces the categories, Add Category Names adds to them: keep one of the two.');
	}
	if (Object.keys(body).length === 0 && added.length === 0) {
		throw updateFieldsEmptyError(this, 'Add at least one field to change, e.g. Is Read or Flag.');
	}
	const named = [...(categories ?? []), ...added];
	if (named.length) {
		const known = await knownCategories(this);
		const unknown = named.filter((name) => !known.some((k) => k.toLowerCase() === name.toLowerCase()));
		if (unknown.length) {
			throw inputError(
				this,
				`Category "${unknown[0]}" is not in the mailbox's master list`,
				`Known categories: ${known.join(', ') || '(none)'}. Pick one of them, or create it first with Category → Create.`,
			);
		}
	}
	if (added.length) body.categories = await withAddedCategories(this, added);
	requestOptions.body = body;
	return requestOptions;
}

/** The message's current categories plus the added ones (each name once, the message's spelling kept). */
async function withAddedCategories(ctx: IExecuteSingleFunctions, added: string[]): Promise<string[]> {
	const messageId = checkedIdParameter(ctx, 'messageId', 'Message');
	const target = await itemTarget(ctx);
	const { body } = await graphApiRequest<{ categories?: string[] }>(ctx, target, { method: 'GET', url: `/me/messages/${messageId}`, qs: { $select: 'categories' } });
	const result = [...(body.categories ?? [])];
	for (const name of added) if (!result.some((existing) => existing.toLowerCase() === name.toLowerCase())) result.push(name);
	return result;
}
