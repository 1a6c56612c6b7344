import type { IDataObject, IDisplayOptions, IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import { messageImportanceField, optionsCollection } from '../../shared/fields';
import { inputError, parseAddressList, textList, toRecipients } from '../../shared/validation';

/** Categories from the mailbox's master list (the picker reads it); `description` is followed by n8n's standard sentence. */
export function categoryNamesField(name: string, displayName: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getCategories' },
		default: [],
		// eslint-disable-next-line n8n-nodes-base/node-param-description-excess-final-period -- several sentences; the rule cannot read a template
		description: `${description} Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}

/** Read Receipt Requested, for the Options and for Update Draft. */
export const readReceiptField: INodeProperties = {
	displayName: 'Read Receipt Requested',
	name: 'isReadReceiptRequested',
	type: 'boolean',
	default: false,
	description: 'Whether to ask the recipients for a receipt when they read the message',
};

/** Reply To, for the Options and for Update Draft. */
export const replyToField: INodeProperties = {
	displayName: 'Reply To',
	name: 'replyTo',
	type: 'string',
	default: '',
	placeholder: 'team@contoso.com',
	description: 'Comma-separated addresses that replies go to, instead of the sender',
};

/** From: send as (or on behalf of) another address; also an Update Field of Update Draft. */
export const fromField: INodeProperties = {
	displayName: 'From',
	name: 'from',
	type: 'string',
	default: '',
	placeholder: 'support@contoso.com',
	description:
		'Send as (or on behalf of) another address, such as a shared mailbox or a group. The account needs Send As or Send on Behalf rights on it in Exchange, otherwise Graph refuses (ErrorSendAsDenied). To send from a shared mailbox and keep the copy in its Sent Items, set Mailbox instead.',
};

/** `from` as Graph's recipient: one address, checked before any request. */
export function fromRecipient(ctx: IExecuteSingleFunctions, value: unknown, label: string): IDataObject | undefined {
	const from = parseAddressList(ctx, value, label);
	if (from.length > 1) throw inputError(ctx, `${label} has more than one address`, 'Give the one address to send as, e.g. support@contoso.com.');
	return from.length === 1 ? toRecipients(from)[0] : undefined;
}

/**
 * Options of an outgoing message (Send Message, Create Draft, Reply, Reply All, Forward): the message properties
 * n8n's built-in Outlook node offers as Additional Fields, under the same Graph names. Only the options given are
 * sent; for an answer they go in its `message` (message-reply.md: writable message properties).
 */
export function messageOptionsField(show: IDisplayOptions['show']): INodeProperties {
	return optionsCollection({
		show,
		options: [
			categoryNamesField(
				'categories',
				'Category Names or IDs',
				'Categories of the message (they show on your own copy, e.g. in Sent Items; recipients do not receive them).',
			),
			{
				displayName: 'Custom Headers',
				name: 'internetMessageHeaders',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Header',
				default: {},
				description: 'Internet message headers of your own. Microsoft Graph accepts only names that start with x- (e.g. X-Ticket-ID).',
				options: [
					{
						displayName: 'Header',
						name: 'header',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'X-Ticket-ID' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: '4711' },
						],
					},
				],
			},
			{
				displayName: 'Delivery Receipt Requested',
				name: 'isDeliveryReceiptRequested',
				type: 'boolean',
				default: false,
				description: 'Whether to ask for a receipt when the message is delivered',
			},
			fromField,
			messageImportanceField('How important the message is to the recipients'),
			readReceiptField,
			replyToField,
		],
	});
}

/** The Graph message properties of the Options given, checked before any request. */
export function messageOptionsJson(ctx: IExecuteSingleFunctions): IDataObject {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const json: IDataObject = {};
	if (options.importance !== undefined) json.importance = options.importance;
	const categories = textList(options.categories);
	if (categories.length > 0) json.categories = categories;
	if (options.isReadReceiptRequested !== undefined) json.isReadReceiptRequested = options.isReadReceiptRequested === true;
	if (options.isDeliveryReceiptRequested !== undefined) json.isDeliveryReceiptRequested = options.isDeliveryReceiptRequested === true;
	if (options.replyTo !== undefined) {
		const replyTo = parseAddressList(ctx, options.replyTo, 'Options → Reply To');
		if (replyTo.length > 0) json.replyTo = toRecipients(replyTo);
	}
	if (options.from !== undefined) {
		const from = fromRecipient(ctx, options.from, 'Options → From');
		if (from) json.from = from;
	}
	const headers = ((options.internetMessageHeaders as IDataObject | undefined)?.header ?? []) as Array<{ name?: unknown; value?: unknown }>;
	if (headers.length > 0) {
		json.internetMessageHeaders = headers.map((header) => {
			const name = String(header.name ?? '').trim();
			if (!/^x-[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name)) {
				throw inputError(
					ctx,
					`Options → Custom Headers: "${name.slice(0, 40)}" is not a custom header name`,
					'Microsoft Graph accepts only header names that start with x- and contain no spaces or colons, e.g. X-Ticket-ID.',
				);
			}
			return { name, value: String(header.value ?? '') };
		});
	}
	return json;
}
