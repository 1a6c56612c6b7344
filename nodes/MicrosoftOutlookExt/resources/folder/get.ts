import type { INodeProperties } from 'n8n-workflow';

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

export const folderGetDescription: INodeProperties[] = [
	folderLocator('get', 'The folder to get: name, parent, item and unread counts. By ID also takes well-known names such as inbox or archive.'),
];
