import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';
import { idSegment, type InvalidInputError } from '../../shared/transport/url';
import { inputError } from '../../shared/validation';
import { folderLocator } from './locators';

/** Move and Copy: the folder, and where it goes. */
export function folderRelocateDescription(operation: 'move' | 'copy'): INodeProperties[] {
	const what = operation === 'move' ? 'move (with its messages and subfolders)' : 'copy (with its messages and subfolders)';
	return [
		folderLocator(operation, `The folder to ${what}. Well-known folders such as Inbox cannot be ${operation === 'move' ? 'moved' : 'copied'}.`),
		resourceLocator({
			name: 'destinationFolderId',
			displayName: 'Destination Folder',
			searchListMethod: 'searchFolders',
			show: { resource: ['folder'], operation: [operation] },
			description: 'The folder to put it in. By ID also takes well-known names such as inbox, archive or msgfolderroot (the top level).',
			idPlaceholder: 'archive',
		}),
	];
}

/** `{destinationId}` from Destination Folder, checked before any request. */
export async function prepareFolderRelocate(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const value = this.getNodeParameter('destinationFolderId', '', { extractValue: true });
	try {
		idSegment(value, 'Destination Folder');
	} catch (error) {
		throw inputError(this, (error as InvalidInputError).message, (error as InvalidInputError).description);
	}
	requestOptions.body = { destinationId: String(value).trim() };
	return requestOptions;
}
