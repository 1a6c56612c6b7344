import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { filterOption, optionsCollection } from '../../shared/fields';
import { parentFolderLocator } from './locator';

const showOnlyForFolderGetAll = { resource: ['folder'], operation: ['getAll'] };

export const folderGetAllDescription: INodeProperties[] = [
	parentFolderLocator(
		showOnlyForFolderGetAll,
		'List the subfolders of this folder. Leave empty for the top-level folders. By ID also takes well-known names such as inbox.',
	),
	...listFields(showOnlyForFolderGetAll),
	optionsCollection({
		show: showOnlyForFolderGetAll,
		options: [
			{
				displayName: 'Include Hidden Folders',
				name: 'includeHiddenFolders',
				type: 'boolean',
				default: false,
				description: 'Whether to include folders created with Is Hidden',
			},
			filterOption("displayName eq 'Archive'"),
		],
	}),
];

/** Top level or a parent's children; hidden folders only on request. */
export async function prepareFolderList(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const parent = String(this.getNodeParameter('parentFolderId', '', { extractValue: true }) ?? '').trim();
	const options = this.getNodeParameter('options', {}) as IDataObject;
	requestOptions.url = parent ? '/me/mailFolders/{parentFolderId}/childFolders' : '/me/mailFolders';
	if (options.includeHiddenFolders === true) requestOptions.qs = { ...(requestOptions.qs ?? {}), includeHiddenFolders: true };
	return requestOptions;
}
