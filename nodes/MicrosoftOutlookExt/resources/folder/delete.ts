import type { INodeProperties } from 'n8n-workflow';

import { folderLocator } from './locator';

export const folderDeleteDescription: INodeProperties[] = [
	folderLocator('delete', 'The folder to delete (with its messages and subfolders). Well-known folders such as Inbox cannot be deleted.'),
];
