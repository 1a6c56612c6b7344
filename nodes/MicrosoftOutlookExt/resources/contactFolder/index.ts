import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields, resourceLocator } from '../../shared/descriptions';
import { requiredText } from '../../shared/fields';
import { listRouting } from '../../shared/operations';

const showOnlyForContactFolder = { resource: ['contactFolder'] };
const showOnlyForCreate = { ...showOnlyForContactFolder, operation: ['create'] };
const showOnlyForGetAll = { ...showOnlyForContactFolder, operation: ['getAll'] };

function parentFolderLocator(show: { resource: string[]; operation: string[] }, description: string): INodeProperties {
	return resourceLocator({
		name: 'parentContactFolderId',
		displayName: 'Parent Contact Folder',
		searchListMethod: 'searchContactFolders',
		show,
		required: false,
		description,
	});
}

/** Top level (children of the default Contacts folder) or a parent's child folders. */
function withParentFolder(ctx: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): IHttpRequestOptions {
	const parent = String(ctx.getNodeParameter('parentContactFolderId', '', { extractValue: true }) ?? '').trim();
	return parent ? { ...requestOptions, url: '/me/contactFolders/{parentContactFolderId}/childFolders' } : requestOptions;
}

export async function prepareContactFolderCreate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const displayName = requiredText(this, 'contactFolderName', 'Name', 'Enter a name for the new contact folder, e.g. "Customers".');
	return { ...withParentFolder(this, requestOptions), body: { displayName } };
}

export async function prepareContactFolderList(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	return withParentFolder(this, requestOptions);
}

export const contactFolderDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForContactFolder },
		options: [
			{
				name: 'Create Contact Folder',
				value: 'create',
				action: 'Create a contact folder',
				description: 'Create a contact folder under the default Contacts folder or inside another contact folder',
				routing: {
					request: { method: 'POST', url: '/me/contactFolders' },
					send: { preSend: [prepareContactFolderCreate] },
				},
			},
			{
				name: 'List Contact Folders',
				value: 'getAll',
				action: 'List contact folders',
				description: 'List the contact folders under the default Contacts folder, or the child folders of one',
				routing: listRouting('/me/contactFolders', [prepareContactFolderList]),
			},
		],
		default: 'getAll',
	},
	{
		displayName: 'Name',
		name: 'contactFolderName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Customers',
		description: 'Name of the new contact folder',
		displayOptions: { show: showOnlyForCreate },
	},
	parentFolderLocator(
		showOnlyForCreate,
		'Contact folder to create the new folder in. Leave empty to create it under the default Contacts folder.',
	),
	parentFolderLocator(
		showOnlyForGetAll,
		'List the child folders of this contact folder. Leave empty for the folders under the default Contacts folder.',
	),
	...listFields(showOnlyForGetAll),
];
