import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { requiredText } from '../../shared/fields';
import { folderLocator } from './locator';

const showOnlyForFolderUpdate = { resource: ['folder'], operation: ['update'] };

export const folderUpdateDescription: INodeProperties[] = [
	folderLocator('update', 'The folder to rename. Well-known folders such as Inbox cannot be renamed.'),
	{
		displayName: 'New Name',
		name: 'newDisplayName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Invoices 2026',
		description: 'The new display name of the folder (unique among its sibling folders)',
		displayOptions: { show: showOnlyForFolderUpdate },
	},
];

/** PATCH {displayName}: the only property Graph lets a folder change. */
export async function prepareFolderRename(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const displayName = requiredText(this, 'newDisplayName', 'New Name', 'Enter the new name of the folder, e.g. Invoices 2026.');
	requestOptions.body = { displayName };
	return requestOptions;
}
