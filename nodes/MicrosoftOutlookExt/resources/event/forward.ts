import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { inputError, parseAddressList } from '../../shared/validation';
import { eventCommentField, eventLocatorFields } from './fields';

const showOnlyForEventForward = { resource: ['event'], operation: ['forward'] };

/**
 * event-forward.md names the parameters in PascalCase (`ToRecipients`, `Comment`, `EmailAddress`, `Address`), unlike
 * the other event actions; the body is sent exactly as documented.
 */
export async function prepareEventForward(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const recipients = parseAddressList(this, this.getNodeParameter('recipients', ''), 'Recipients');
	if (recipients.length === 0) {
		throw inputError(this, 'Recipients is empty', 'Give at least one email address, e.g. "alexw@contoso.com".');
	}
	const body: IDataObject = { ToRecipients: recipients.map((address) => ({ EmailAddress: { Address: address } })) };
	const comment = String(this.getNodeParameter('comment', '') ?? '');
	if (comment !== '') body.Comment = comment;
	return { ...requestOptions, body };
}

export const eventForwardDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForEventForward),
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'alexw@contoso.com, danas@contoso.com',
		description: 'Email addresses to forward the meeting invitation to, separated by commas',
		displayOptions: { show: showOnlyForEventForward },
	},
	eventCommentField(showOnlyForEventForward, 'Text sent with the forwarded invitation'),
];
