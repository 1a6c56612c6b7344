import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

/** The folder an operation acts on (By ID also takes well-known names such as inbox). */
export function folderLocator(operation: string, description: string): INodeProperties {
	return resourceLocator({
		name: 'folderId',
		displayName: 'Mail Folder',
		searchListMethod: 'searchFolders',
		show: { resource: ['folder'], operation: [operation] },
		description,
		idPlaceholder: 'inbox',
	});
}

/** The optional folder under which to create or list folders; empty means the top level. */
export function parentFolderLocator(show: IDisplayOptions['show'], description: string): INodeProperties {
	return resourceLocator({
		name: 'parentFolderId',
		displayName: 'Parent Folder',
		searchListMethod: 'searchFolders',
		show,
		required: false,
		description,
		idPlaceholder: 'inbox',
	});
}
