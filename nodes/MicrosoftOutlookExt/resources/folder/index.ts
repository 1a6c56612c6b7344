import type { INodeProperties } from 'n8n-workflow';

import { confirmation, unwrapList } from '../../shared/descriptions';
import { folderCreateDescription, prepareFolderCreate } from './create';
import { folderDeleteDescription } from './delete';
import { folderGetAllDescription, prepareFolderList } from './getAll';

const showOnlyForFolders = { resource: ['folder'] };

export const folderDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForFolders },
		options: [
			{
				name: 'Create Mail Folder',
				value: 'create',
				action: 'Create a mail folder',
				description: 'Create a mail folder at the top level or inside another folder',
				routing: {
					request: { method: 'POST', url: '/me/mailFolders' },
					send: { preSend: [prepareFolderCreate] },
				},
			},
			{
				name: 'Delete Mail Folder',
				value: 'delete',
				action: 'Delete a mail folder',
				description: 'Delete a mail folder with its messages and subfolders',
				routing: {
					request: { method: 'DELETE', url: '/me/mailFolders/{folderId}' },
					output: { postReceive: [confirmation({ deleted: true })] },
				},
			},
			{
				name: 'List Mail Folders',
				value: 'getAll',
				action: 'List mail folders',
				description: 'List the top-level mail folders or the subfolders of a folder',
				routing: {
					request: { method: 'GET', url: '/me/mailFolders' },
					send: { preSend: [prepareFolderList] },
					output: { postReceive: [unwrapList] },
				},
			},
		],
		default: 'getAll',
	},
	...folderCreateDescription,
	...folderDeleteDescription,
	...folderGetAllDescription,
];
