import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../shared/validation';
import { contactBody, contactFields, contactLocator } from './fields';

const showOnlyForContactUpdate = { resource: ['contact'], operation: ['update'] };

/** PATCH with exactly the fields given; nothing to change is refused before any request. */
export async function prepareContactUpdate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = contactBody(this, this.getNodeParameter('updateFields', {}) as IDataObject);
	if (Object.keys(body).length === 0) {
		throw inputError(this, 'Update Fields is empty', 'Add at least one field to change, e.g. Job Title or Phone Numbers.');
	}
	return { ...requestOptions, body };
}

export const contactUpdateDescription: INodeProperties[] = [
	contactLocator(showOnlyForContactUpdate, 'The contact to change'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description:
			'Fields to change; the others keep their values. Email Addresses, Phone Numbers and Postal Addresses replace the whole list of that kind. Changing a name may change the Display Name unless Display Name is given too.',
		displayOptions: { show: showOnlyForContactUpdate },
		options: contactFields,
	},
];
