import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

const showOnlyForFolderDelete = { resource: ['folder'], operation: ['delete'] };

export const folderDeleteDescription: INodeProperties[] = [
	resourceLocator({
		name: 'folderId',
		displayName: 'Mail Folder',
		searchListMethod: 'searchFolders',
		show: showOnlyForFolderDelete,
		description: 'The folder to delete (with its messages and subfolders). Well-known folders such as Inbox cannot be deleted.',
	}),
];
