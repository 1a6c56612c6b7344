import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { optionsCollection } from '../../shared/fields';
import { inputError, isEmail } from '../../shared/validation';
import { contactFolderLocator, withContactFolder } from './fields';

const showOnlyForContactGetAll = { resource: ['contact'], operation: ['getAll'] };

/**
 * Folder, and the email filter in the one form Graph accepts on emailAddresses:
 * `emailAddresses/any(a:a/address eq '…')` (only `any`, `eq` and the address sub-property).
 */
export async function prepareContactList(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const filters: string[] = [];
	const email = String(options.emailAddress ?? '').trim();
	if (email) {
		if (!isEmail(email)) throw inputError(this, `Email Address "${email}" is not an email address`, 'Enter the full address, e.g. pavelb@contoso.com.');
		filters.push(`emailAddresses/any(a:a/address eq '${email.replace(/'/g, "''")}')`);
	}
	const filter = String(options.filter ?? '').trim();
	if (filter) filters.push(filters.length ? `(${filter})` : filter);
	const qs: IDataObject = { ...(requestOptions.qs ?? {}) };
	if (filters.length) qs.$filter = filters.join(' and ');
	const select = String(options.fields ?? '').trim();
	if (select) qs.$select = select;
	return { ...withContactFolder(this, requestOptions), qs };
}

export const contactGetAllDescription: INodeProperties[] = [
	contactFolderLocator(showOnlyForContactGetAll, 'Contact folder to list. Leave empty for the default Contacts folder.'),
	...listFields(showOnlyForContactGetAll),
	optionsCollection({
		show: showOnlyForContactGetAll,
		options: [
			{
				displayName: 'Email Address',
				name: 'emailAddress',
				type: 'string',
				default: '',
				placeholder: 'pavelb@contoso.com',
				description: 'Only contacts with this email address (exact match), e.g. pavelb@contoso.com',
			},
			{
				displayName: 'Fields',
				name: 'fields',
				type: 'string',
				default: '',
				placeholder: 'displayName,emailAddresses,mobilePhone',
				description: 'Only these contact properties ($select), separated by commas. Leave empty for all.',
			},
			{
				displayName: 'Filter',
				name: 'filter',
				type: 'string',
				default: '',
				placeholder: "companyName eq 'Contoso'",
				description:
					"OData filter ($filter) on other properties, e.g. <code>companyName eq 'Contoso'</code>. Email addresses can only be filtered with Email Address above.",
			},
		],
	}),
];
