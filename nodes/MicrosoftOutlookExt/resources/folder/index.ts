import type { INodeProperties } from 'n8n-workflow';

import { deleteRouting, listRouting, prepareMoveOrCopy } from '../../shared/operations';
import { folderCreateDescription, prepareFolderCreate } from './create';
import { folderDeleteDescription } from './delete';
import { folderGetDescription } from './get';
import { folderGetAllDescription, prepareFolderList } from './getAll';
import { folderMoveOrCopyDescription } from './moveOrCopy';
import { folderUpdateDescription, prepareFolderRename } from './update';

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
				name: 'Copy Mail Folder',
				value: 'copy',
				action: 'Copy a mail folder',
				description: 'Copy a mail folder with its messages and subfolders into another folder; the copy gets new IDs',
				routing: {
					request: { method: 'POST', url: '/me/mailFolders/{folderId}/copy' },
					send: { preSend: [prepareMoveOrCopy] },
				},
			},
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
				routing: deleteRouting('/me/mailFolders/{folderId}'),
			},
			{
				name: 'Get Mail Folder',
				value: 'get',
				action: 'Get a mail folder',
				description: 'Get a mail folder: name, parent folder, number of subfolders, items and unread items',
				routing: { request: { method: 'GET', url: '/me/mailFolders/{folderId}' } },
			},
			{
				name: 'List Mail Folders',
				value: 'getAll',
				action: 'List mail folders',
				description: 'List the top-level mail folders, or the child folders of a folder (hidden folders on request)',
				routing: listRouting('/me/mailFolders', [prepareFolderList]),
			},
			{
				name: 'Move Mail Folder',
				value: 'move',
				action: 'Move a mail folder',
				description: 'Move a mail folder with its messages and subfolders into another folder',
				routing: {
					request: { method: 'POST', url: '/me/mailFolders/{folderId}/move' },
					send: { preSend: [prepareMoveOrCopy] },
				},
			},
			{
				name: 'Rename Mail Folder',
				value: 'update',
				action: 'Rename a mail folder',
				description: 'Change the display name of a mail folder',
				routing: {
					request: { method: 'PATCH', url: '/me/mailFolders/{folderId}' },
					send: { preSend: [prepareFolderRename] },
				},
			},
		],
		default: 'getAll',
	},
	...folderCreateDescription,
	...folderDeleteDescription,
	...folderGetAllDescription,
	...folderGetDescription,
	...folderMoveOrCopyDescription('move'),
	...folderMoveOrCopyDescription('copy'),
	...folderUpdateDescription,
];
