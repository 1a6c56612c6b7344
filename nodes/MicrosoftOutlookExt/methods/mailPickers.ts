import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { graphApiRequest } from '../shared/transport/request';
import { matches, targetForEditor } from './editorTarget';
import { searchFolders } from './listSearch';

/** Pickers of Move/Copy (folders with well-known names) and of the category fields. */

/** Graph's well-known folder names: they work as a destinationId in any mailbox, whatever its language. */
const WELL_KNOWN_FOLDERS: Array<{ name: string; value: string }> = [
	{ name: 'Inbox', value: 'inbox' },
	{ name: 'Archive', value: 'archive' },
	{ name: 'Junk Email', value: 'junkemail' },
	{ name: 'Deleted Items', value: 'deleteditems' },
	{ name: 'Drafts', value: 'drafts' },
	{ name: 'Sent Items', value: 'sentitems' },
];

/** The well-known folders first (on the first page), then the mailbox's top-level folders. */
export async function searchDestinationFolders(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const folders = await searchFolders.call(this, filter, paginationToken);
	if (paginationToken) return folders;
	const wellKnown = WELL_KNOWN_FOLDERS.filter((folder) => matches(folder.name, filter)).map((folder) => ({
		name: `${folder.name} (well-known: ${folder.value})`,
		value: folder.value,
	}));
	return { results: [...wellKnown, ...folders.results], paginationToken: folders.paginationToken };
}

async function masterCategories(ctx: ILoadOptionsFunctions): Promise<IDataObject[]> {
	const target = await targetForEditor(ctx);
	const { body } = await graphApiRequest<{ value?: IDataObject[] }>(ctx, target, { method: 'GET', url: '/me/outlook/masterCategories' });
	return body.value ?? [];
}

export async function searchCategories(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const categories = await masterCategories(this);
	return {
		results: categories
			.filter((category) => matches(category.displayName, filter))
			.map((category) => ({ name: `${String(category.displayName)} (${String(category.color)})`, value: String(category.id) })),
	};
}

/** For Update → Categories: the value is the name, which is what a message stores. */
export async function getCategories(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const categories = await masterCategories(this);
	return categories
		.map((category) => ({ name: String(category.displayName), value: String(category.displayName), description: String(category.color) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
