import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields, resourceLocator } from '../../shared/descriptions';
import { optionsCollection } from '../../shared/fields';
import { inputError } from '../../shared/validation';

const showOnlyForMessageGetAll = { resource: ['message'], operation: ['getAll'] };

export const messageGetAllDescription: INodeProperties[] = [
	resourceLocator({
		name: 'folderId',
		displayName: 'Folder',
		searchListMethod: 'searchFolders',
		show: showOnlyForMessageGetAll,
		required: false,
		description:
			'The folder to list. Leave empty for every message of the mailbox. By ID also takes well-known names such as inbox, sentitems, drafts or deleteditems.',
		idPlaceholder: 'inbox',
	}),
	...listFields(showOnlyForMessageGetAll),
	{
		displayName: 'Search',
		name: 'search',
		type: 'string',
		default: '',
		placeholder: 'from:megan subject:report',
		description:
			'Search text ($search, KQL): plain words match sender, subject and body; properties such as from:, subject:, hasAttachments:true also work. The quoting Graph needs is added for you. Cannot be combined with Filter or Order By.',
		displayOptions: { show: showOnlyForMessageGetAll },
	},
	{
		displayName: 'Filter',
		name: 'filter',
		type: 'string',
		default: '',
		placeholder: "isRead eq false and importance eq 'high'",
		description: 'OData filter ($filter), e.g. isRead eq false. Cannot be combined with Search.',
		displayOptions: { show: showOnlyForMessageGetAll },
	},
	optionsCollection({
		show: showOnlyForMessageGetAll,
		options: [
			{
				displayName: 'Order By',
				name: 'orderBy',
				type: 'string',
				default: '',
				placeholder: 'receivedDateTime desc',
				description:
					'Sort order ($orderby). With a Filter, Graph wants the sorted properties in the filter too, in the same order. Not possible with Search (results come sorted by date).',
			},
			{
				displayName: 'Select Fields',
				name: 'select',
				type: 'string',
				default: '',
				placeholder: 'id,subject,from,receivedDateTime',
				description: 'Comma-separated properties to return ($select). Leave empty for the default set.',
			},
		],
	}),
];

/**
 * `$search` wants the whole value in double quotes. A value the user already quoted as a whole is
 * kept; otherwise it is wrapped, and inner quotes (e.g. subject:"weekly report") are escaped.
 */
export function quoteSearch(search: string): string {
	const inner = search.slice(1, -1);
	if (search.length >= 2 && search.startsWith('"') && search.endsWith('"') && !/(^|[^\\])"/.test(inner)) {
		return search;
	}
	return `"${search.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Folder → URL; Search / Filter / Order By → query, refusing the combinations Graph rejects. */
export async function prepareMessageList(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const search = String(this.getNodeParameter('search', '') ?? '').trim();
	const filter = String(this.getNodeParameter('filter', '') ?? '').trim();
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const orderBy = String(options.orderBy ?? '').trim();
	const select = String(options.select ?? '').trim();
	if (search && filter) {
		throw inputError(
			this,
			'Search and Filter cannot be combined: Microsoft Graph does not support $search with $filter. Clear one of them.',
			'Put the condition into the search instead (e.g. "from:megan hasAttachments:true"), or filter without searching.',
		);
	}
	if (search && orderBy) {
		throw inputError(
			this,
			'Search and Order By cannot be combined: Microsoft Graph does not support $search with $orderby. Clear one of them.',
			'Search results already come sorted by date, newest first.',
		);
	}
	const folder = String(this.getNodeParameter('folderId', '', { extractValue: true }) ?? '').trim();
	requestOptions.url = folder ? '/me/mailFolders/{folderId}/messages' : '/me/messages';
	const qs: IDataObject = { ...(requestOptions.qs ?? {}) };
	if (search) qs.$search = quoteSearch(search);
	if (filter) qs.$filter = filter;
	if (orderBy) qs.$orderby = orderBy;
	if (select) qs.$select = select.split(',').map((field) => field.trim()).filter(Boolean).join(',');
	requestOptions.qs = qs;
	return requestOptions;
}
