import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../shared/validation';
import { contactBody, contactFields, contactFolderLocator, withContactFolder } from './fields';

const showOnlyForContactCreate = { resource: ['contact'], operation: ['create'] };

/** Fields a contact is found by; one of them must be given (Graph would store an empty, nameless contact). */
const IDENTIFYING = ['givenName', 'surname', 'displayName', 'companyName', 'emailAddresses'];

export async function prepareContactCreate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fields: IDataObject = {
		givenName: this.getNodeParameter('givenName', ''),
		surname: this.getNodeParameter('surname', ''),
		...(this.getNodeParameter('additionalFields', {}) as IDataObject),
	};
	for (const name of ['givenName', 'surname']) if (String(fields[name] ?? '').trim() === '') delete fields[name];
	const body = contactBody(this, fields);
	const identified = IDENTIFYING.some((name) => {
		const value = body[name];
		return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value !== '';
	});
	if (!identified) {
		throw inputError(
			this,
			'The contact has no name',
			'Fill in First Name or Last Name, or add Display Name, Company or an Email Address under Additional Fields.',
		);
	}
	return { ...withContactFolder(this, requestOptions), body };
}

export const contactCreateDescription: INodeProperties[] = [
	contactFolderLocator(showOnlyForContactCreate, 'Contact folder to create the contact in. Leave empty for the default Contacts folder.'),
	{
		displayName: 'First Name',
		name: 'givenName',
		type: 'string',
		default: '',
		placeholder: 'Pavel',
		description: 'Given name of the contact',
		displayOptions: { show: showOnlyForContactCreate },
	},
	{
		displayName: 'Last Name',
		name: 'surname',
		type: 'string',
		default: '',
		placeholder: 'Bansky',
		description: 'Surname of the contact. Outlook builds the Display Name from First Name and Last Name unless one is given.',
		displayOptions: { show: showOnlyForContactCreate },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: showOnlyForContactCreate },
		options: contactFields.filter((field) => field.name !== 'givenName' && field.name !== 'surname'),
	},
];
