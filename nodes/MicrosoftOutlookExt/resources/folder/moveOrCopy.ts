import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';
import { folderLocator } from './locator';

/** Move and Copy: the folder, and where it goes. */
export function folderMoveOrCopyDescription(operation: 'move' | 'copy'): INodeProperties[] {
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
