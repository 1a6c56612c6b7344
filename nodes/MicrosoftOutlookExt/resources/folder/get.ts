import type { INodeProperties } from 'n8n-workflow';

import { folderLocator } from './locator';

export const folderGetDescription: INodeProperties[] = [
	folderLocator('get', 'The folder to get: name, parent, item and unread counts. By ID also takes well-known names such as inbox or archive.'),
];
