import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { messageImportanceField, updateFieldsCollection, updateFieldsEmptyError } from '../../shared/fields';
import { inputError, parseAddressList, toRecipients } from '../../shared/validation';
import { bodyJson } from '../message/body';
import { fromField, fromRecipient, readReceiptField, replyToField } from '../message/options';
import { messageSendDescription } from '../message/send';
import { recipientFields } from './create';
import { draftLocator } from './locator';

/** One of Send Message's fields, for the Update Fields collection (which has no display options of its own). */
function sendField(name: string): INodeProperties {
	const { displayOptions: _shownForSend, ...field } = messageSendDescription.find((property) => property.name === name)!;
	return field;
}

const showOnlyForDraftUpdate = { resource: ['draft'], operation: ['update'] };

export const draftUpdateDescription: INodeProperties[] = [
	draftLocator(showOnlyForDraftUpdate, 'The draft to change. Only drafts (not sent messages) can change subject, body and recipients.'),
	updateFieldsCollection({
		show: showOnlyForDraftUpdate,
		description: 'The properties to change; the others keep their values. A recipient field replaces the whole list.',
		options: [
			{
				displayName: 'BCC',
				name: 'bccRecipients',
				type: 'string',
				default: '',
				placeholder: 'audit@contoso.com',
				description: 'Comma-separated email addresses that receive a hidden copy (replaces the current list; empty clears it)',
			},
			sendField('bodyContent'),
			sendField('bodyContentType'),
			{
				displayName: 'CC',
				name: 'ccRecipients',
				type: 'string',
				default: '',
				placeholder: 'carla@contoso.com',
				description: 'Comma-separated email addresses that receive a copy (replaces the current list; empty clears it)',
			},
			fromField,
			messageImportanceField('How important the message is to the recipients'),
			readReceiptField,
			replyToField,
			sendField('subject'),
			{
				displayName: 'To',
				name: 'toRecipients',
				type: 'string',
				default: '',
				placeholder: 'anna@contoso.com, ben@contoso.com',
				description: 'Comma-separated email addresses (replaces the current list; empty clears it)',
			},
		],
	}),
];

/** PATCH body from Update Fields (checked before any request). */
export async function prepareDraftUpdate(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const fields = this.getNodeParameter('updateFields', {}) as IDataObject;
	const body: IDataObject = recipientFields(this, fields);
	if (fields.replyTo !== undefined) body.replyTo = toRecipients(parseAddressList(this, fields.replyTo, 'Reply To'));
	if (fields.from !== undefined) {
		const from = fromRecipient(this, fields.from, 'From');
		if (from) body.from = from;
	}
	if (fields.subject !== undefined) body.subject = String(fields.subject);
	if (fields.bodyContent !== undefined) {
		body.body = bodyJson(String(fields.bodyContent), fields.bodyContentType);
	} else if (fields.bodyContentType !== undefined) {
		throw inputError(this, 'Body Content Type needs Body', 'Add the Body field too: Graph changes the type together with the text.');
	}
	if (fields.importance !== undefined) body.importance = fields.importance;
	if (fields.isReadReceiptRequested !== undefined) body.isReadReceiptRequested = fields.isReadReceiptRequested === true;
	if (Object.keys(body).length === 0) {
		throw updateFieldsEmptyError(this, 'Add at least one field to change, e.g. Subject or To.');
	}
	requestOptions.body = body;
	return requestOptions;
}
