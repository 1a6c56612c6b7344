import type { INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';
import { messageLocator } from './locator';

/** Move and Copy: POST /messages/{id}/move|copy {destinationId}; Graph answers 201 with the message under a NEW id. */

const showForMoveCopy = { resource: ['message'], operation: ['move', 'copy'] };

export const messageMoveOrCopyDescription: INodeProperties[] = [
	messageLocator(
		showForMoveCopy,
		'The message to move or copy, e.g. the "id" of a message from a trigger or from List Mail Messages',
	),
	resourceLocator({
		name: 'destinationFolderId',
			displayName: 'Destination Folder',
			searchListMethod: 'searchDestinationFolders',
			show: showForMoveCopy,
			description:
				'The folder to put the message in: pick it from the list, or give a folder ID or a well-known folder name (inbox, archive, junkemail, deleteditems, drafts, sentitems)',
			idPlaceholder: 'archive',
	}),
];
