import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** Optional other mailbox (shared mailbox / another user); resolved by the transport. */
export const mailboxProperty: INodeProperties = {
	displayName: 'Mailbox',
	name: 'mailbox',
	type: 'string',
	default: '',
	placeholder: 'shared@contoso.com',
	description:
		"Act on another mailbox (a shared mailbox or another user): user principal name, email address or object ID. Leave empty for the signed-in user, or for client credentials the credential's User ID.",
	// Raw Request names its own path; rooms are the tenant's (/places), not a mailbox's.
	displayOptions: { hide: { resource: ['rawRequest', 'room'] } },
};

/** How long one request may wait for Graph's answer, unless the operation's Request Options say otherwise. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Request Options → Timeout, for every operation but Raw Request (which has its own). n8n's declarative
 * engine applies `requestOptions.timeout` to the request itself; the transport also uses it for every
 * follow-up request of the item and as its own deadline (which covers the token request).
 */
export const requestOptionsProperty: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { hide: { resource: ['rawRequest'] } },
	options: [
		{
			displayName: 'Batch Requests',
			name: 'batchRequests',
			type: 'boolean',
			default: true,
			description:
				"Whether to send the items' requests to Microsoft Graph in JSON batches (up to Batch Size per HTTP request) instead of one request per item. Output and errors stay per item; turn off to send every item's request on its own.",
		},
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 20 },
			default: 20,
			description: 'How many items go into one batch request (Microsoft Graph allows at most 20). Used when Batch Requests is on.',
		},
		{
			displayName: 'Timeout',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_TIMEOUT_MS,
			description:
				'How long to wait for Microsoft Graph to answer one request, in milliseconds. A request that does not answer in time fails the item; a send or create is then reported as possibly carried out, never repeated.',
		},
	],
};

/** Largest page Graph serves for Outlook lists (documented for messages; used for all Outlook lists). */
export const MAX_PAGE_SIZE = 1000;

/** Resource locator with "From list" (searchable, backed by a listSearch method) and "By ID". */
export function resourceLocator(options: {
	name: string;
	displayName: string;
	searchListMethod: string;
	show: IDisplayOptions['show'];
	required?: boolean;
	description?: string;
	idPlaceholder?: string;
}): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: options.required ?? true,
		description: options.description,
		displayOptions: { show: options.show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: options.idPlaceholder ?? 'AAMkAGI2TG93AAA=',
			},
		],
	};
}

/**
 * What an operation needs from the shared request loop (routing.ts), declared next to the operation so
 * the loop never tests operation names:
 * - `unbatched`: never sent in a JSON batch (lists: one page can be 1,000 items; Raw Request: exactly the
 *   HTTP request the user asked for);
 * - `userRequestOptions`: retries and timeout come from the operation's own `options` collection
 *   (Raw Request), not from Request Options;
 * - `readOnlyPost`: a POST that only reads, safe to repeat after a lost answer (Get Free/Busy);
 * - `anyPageSize`: `$top` passes through unchecked (other Graph APIs have other maxima).
 */
export type RequestNeed = 'unbatched' | 'userRequestOptions' | 'readOnlyPost' | 'anyPageSize';

export function requestNeeds(show: IDisplayOptions['show'], needs: RequestNeed[]): INodeProperties {
	return { displayName: 'Request Needs', name: 'requestNeeds', type: 'hidden', default: needs.join(','), displayOptions: { show } };
}

/**
 * Fetch All / Page Limit / Page Skip for a Graph list. Fetch All asks for the largest page and the
 * transport follows @odata.nextLink; otherwise one page of `$top` items after `$skip`.
 */
export function listFields(show: IDisplayOptions['show'], defaultLimit = 10): INodeProperties[] {
	return [
		requestNeeds(show, ['unbatched']),
		{
			displayName: 'Fetch All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
			routing: { send: { type: 'query', property: '$top', value: `={{ $value ? ${MAX_PAGE_SIZE} : undefined }}` } },
		},
		{
			displayName: 'Page Limit',
			name: 'limit',
			type: 'number',
			default: defaultLimit,
			typeOptions: { minValue: 1, maxValue: MAX_PAGE_SIZE },
			description: 'Max number of results to return ($top, 1 to 1000)',
			displayOptions: { show: { ...show, returnAll: [false] } },
			// Fetch All may be an expression (then this field is not hidden): it wins over the page limit.
			routing: { send: { type: 'query', property: '$top', value: '={{ $parameter.returnAll === true ? undefined : $value }}' } },
		},
		{
			displayName: 'Page Skip',
			name: 'skip',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: 'Number of results to skip before the page starts ($skip)',
			displayOptions: { show: { ...show, returnAll: [false] } },
			routing: {
				send: { type: 'query', property: '$skip', value: '={{ $parameter.returnAll === true ? undefined : $value || undefined }}' },
			},
		},
	];
}

/** Windows time zone names Graph accepts, loaded from the mailbox (UTC default). */
export function timeZoneField(name: string, displayName: string, show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTimeZones' },
		default: 'UTC',
		description:
			'Time zone of the times above. Choose from the list, or specify a Windows time zone name (e.g. "Pacific Standard Time") using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show },
	};
}

export const unwrapList = { type: 'rootProperty' as const, properties: { property: 'value' } };

/** 204 / 202 answers carry no body: output a small confirmation instead of an empty item. */
export function confirmation(json: Record<string, string | boolean>) {
	return { type: 'set' as const, properties: { value: `={{ ${JSON.stringify(json)} }}` } };
}
