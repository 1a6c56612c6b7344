import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { optionsCollection, requiredText } from '../../shared/fields';
import { parentFolderLocator } from './locator';

const showOnlyForFolderCreate = { resource: ['folder'], operation: ['create'] };

export const folderCreateDescription: INodeProperties[] = [
	{
		displayName: 'Display Name',
		name: 'displayName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Invoices',
		description: 'Name of the new folder (unique among its sibling folders)',
		displayOptions: { show: showOnlyForFolderCreate },
	},
	parentFolderLocator(
		showOnlyForFolderCreate,
		'Folder to create the new folder in. Leave empty for a top-level folder. By ID also takes well-known names such as inbox.',
	),
	optionsCollection({
		show: showOnlyForFolderCreate,
		options: [
			{
				displayName: 'Is Hidden',
				name: 'isHidden',
				type: 'boolean',
				default: false,
				description:
					'Whether the folder is hidden from Outlook (it can only be set now, not changed later). List it with Include Hidden Folders.',
			},
		],
	}),
];

/** Root or child folder URL, and the body (display name checked before any request). */
export async function prepareFolderCreate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const displayName = requiredText(this, 'displayName', 'Display Name', 'Enter a name for the new folder.');
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const parent = String(this.getNodeParameter('parentFolderId', '', { extractValue: true }) ?? '').trim();
	requestOptions.url = parent ? '/me/mailFolders/{parentFolderId}/childFolders' : '/me/mailFolders';
	const body: IDataObject = { displayName };
	if (options.isHidden === true) body.isHidden = true;
	requestOptions.body = body;
	return requestOptions;
}
