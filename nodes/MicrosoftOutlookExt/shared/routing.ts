import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { GraphHttpError } from './transport/errors';
import {
	assertParsedJson,
	checkedGraphUrl,
	resolveTarget,
	withGraphPolicy,
	type GraphTarget,
} from './transport/request';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './transport/retry';

/**
 * How the declarative node plugs into the shared transport:
 * - `graphTransport` is the FIRST property of the node. It makes every operation "paginate",
 *   so n8n hands each item's prepared request to `sendThroughGraph` (mailbox scoping, gate,
 *   retries, token refresh, nextLink), and its postReceive runs first, so a non-2xx answer is
 *   turned into an error before any other postReceive sees it.
 */

interface ResponseMeta {
	statusCode: number;
	headers: Record<string, unknown>;
	nextLink?: string;
}

/** The last response per item context (one request at a time per item). */
const responseMeta = new WeakMap<object, ResponseMeta>();

async function captureGraphResponse(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const headers = (response.headers ?? {}) as Record<string, unknown>;
	if (response.statusCode >= 400) {
		throw new GraphHttpError({ statusCode: response.statusCode, headers, body: response.body });
	}
	assertParsedJson(response.statusCode, headers, response.body);
	const body = response.body as { '@odata.nextLink'?: string } | undefined;
	responseMeta.set(this, {
		statusCode: response.statusCode,
		headers,
		nextLink: body && typeof body === 'object' ? body['@odata.nextLink'] : undefined,
	});
	return items;
}

function takeResponseMeta(ctx: object): ResponseMeta {
	const key = responseMeta.has(ctx) ? ctx : Object.getPrototypeOf(ctx);
	const meta = responseMeta.get(key);
	responseMeta.delete(key);
	if (!meta) throw new Error('Graph response metadata missing');
	return meta;
}

export const graphTransport: INodeProperties = {
	displayName: 'Graph Transport',
	name: 'graphTransport',
	type: 'hidden',
	default: '',
	routing: {
		send: { paginate: true },
		output: { postReceive: [captureGraphResponse] },
	},
};

/** POSTs that only read (safe to repeat after a lost answer). */
const READ_ONLY_POST = /\/getSchedule$/i;

/** Per-item settings an operation can pass to the transport through hidden parameters. */
function retryPolicyFor(ctx: IExecuteSingleFunctions, method: string, url: string): RetryPolicy {
	const overrides = ctx.getNodeParameter('retryPolicy', {}) as Partial<RetryPolicy>;
	return {
		...DEFAULT_RETRY_POLICY,
		idempotent: method !== 'POST' || READ_ONLY_POST.test(url),
		...overrides,
	};
}

/** The request loop for every operation: scoping, gate, retries, refresh, nextLink, paired items. */
export async function sendThroughGraph(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const itemIndex = this.getItemIndex();
	const target: GraphTarget = await resolveTarget(this, {
		authentication: this.getNodeParameter('authentication', 'oAuth2') as string,
		mailbox: this.getNodeParameter('mailbox', '') as string,
		itemIndex,
	});
	const returnAll = this.getNodeParameter('returnAll', false) as boolean;
	const method = (requestData.options.method ?? 'GET').toUpperCase();
	let url = checkedGraphUrl(this, target, requestData.options.url ?? '');
	const policy = retryPolicyFor(this, method, url);

	const results: INodeExecutionData[] = [];
	let qs = requestData.options.qs;
	for (;;) {
		const page = await withGraphPolicy(
			this,
			target,
			async () => {
				const options = {
					...requestData.options,
					baseURL: undefined,
					url,
					qs: { ...(qs ?? {}) },
					headers: { ...(requestData.options.headers ?? {}) },
					ignoreHttpStatusErrors: true,
				};
				const items = await this.makeRoutingRequest({ ...requestData, options });
				const meta = takeResponseMeta(this);
				return { statusCode: meta.statusCode, headers: meta.headers, body: undefined, value: { items, meta } };
			},
			policy,
		);
		results.push(...page.items);
		const nextLink = page.meta.nextLink;
		if (!returnAll || !nextLink) break;
		// nextLink already carries every query option: send it verbatim, never the original qs on top.
		url = checkedGraphUrl(this, target, nextLink);
		qs = {};
	}
	for (const item of results) item.pairedItem ??= { item: itemIndex };
	return results;
}
