import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { updateFieldsCollection, updateFieldsEmptyError } from '../../shared/fields';
import { contactBody, contactFields, contactLocator } from './fields';

const showOnlyForContactUpdate = { resource: ['contact'], operation: ['update'] };

/** PATCH with exactly the fields given; nothing to change is refused before any request. */
export async function prepareContactUpdate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = contactBody(this, this.getNodeParameter('updateFields', {}) as IDataObject);
	if (Object.keys(body).length === 0) {
		throw updateFieldsEmptyError(this, 'Add at least one field to change, e.g. Job Title or Phone Numbers.');
	}
	return { ...requestOptions, body };
}

export const contactUpdateDescription: INodeProperties[] = [
	contactLocator(showOnlyForContactUpdate, 'The contact to change'),
	updateFieldsCollection({
		show: showOnlyForContactUpdate,
		description:
			'Fields to change; the others keep their values. Email Addresses, Phone Numbers and Postal Addresses replace the whole list of that kind. Changing a name may change the Display Name unless Display Name is given too.',
		options: contactFields,
	}),
];
