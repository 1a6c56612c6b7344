import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS, MAX_PAGE_SIZE, type RequestNeed } from './descriptions';
import { checkedIdParameter } from './validation';
import { textFieldGuard } from './textFields';
import { GraphHttpError } from './transport/errors';
import {
	assertNewPage,
	assertParsedJson,
	parseErrorBody,
	checkedGraphUrl,
	GraphRedirect,
	NO_REDIRECTS,
	redirectOrThrow,
	redirectTarget,
	resolveTarget,
	withGraphPolicy,
	type GraphTarget,
} from './transport/request';
import { MAX_BATCH_SIZE, withBatchedHelper } from './transport/batch';
import { deadlineAfter } from './transport/deadline';
import { slotHolder } from './transport/gate';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './transport/retry';
import { GRAPH_TRANSPORT_PROPERTY, ItemChannel, responseMeta, takeResponseMeta } from './n8nAdapter';

export { itemKey } from './n8nAdapter';

/**
 * How the declarative node plugs into the shared transport: `graphTransport` is the FIRST property
 * of the node. It makes every operation "paginate", so n8n hands each item's prepared request to
 * `sendThroughGraph` (mailbox scoping, gate, retries, token refresh, nextLink), and its postReceive
 * runs first, so a non-2xx answer is turned into an error before any other postReceive sees it.
 * What this relies on in n8n is listed (and checked) in n8nAdapter.ts.
 */

/** Items repeating a DELETE whose first answer was lost: a 404 then means "already deleted". */
const deleteMayBeDone = new ItemChannel<true>();

async function captureGraphResponse(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const headers = (response.headers ?? {}) as Record<string, unknown>;
	if (response.statusCode === 404 && deleteMayBeDone.take(this)) {
		responseMeta.set(this, { statusCode: 204, headers });
		// The delete that lost its answer did it: what follows (e.g. Raw Request's output) sees Graph's 204.
		response.statusCode = 204;
		response.body = undefined;
		return items;
	}
	// 3xx too: n8n is told not to follow redirects, the transport decides (redirectTarget).
	if (response.statusCode >= 300) {
		throw new GraphHttpError({ statusCode: response.statusCode, headers, body: parseErrorBody(response.body) });
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

/** The node's first property; `properties` are the node's own, for the text-field check. */
export function graphTransportFor(properties: () => INodeProperties[]): INodeProperties {
	return {
		displayName: 'Graph Transport',
		name: GRAPH_TRANSPORT_PROPERTY,
		type: 'hidden',
		default: '',
		routing: {
			send: { paginate: true, preSend: [textFieldGuard(properties)] },
			output: { postReceive: [captureGraphResponse] },
		},
	};
}

/** Display names of the ID parameters that URL templates reference as `{name}`. */
const PATH_PARAMETER_LABELS: Record<string, string> = {
	calendarId: 'Calendar',
	eventId: 'Event',
	messageId: 'Message',
	folderId: 'Mail Folder',
	parentFolderId: 'Parent Folder',
	subscriptionId: 'Subscription',
	roomListEmail: 'Room List',
	draftId: 'Draft',
	attachmentId: 'Attachment',
	categoryId: 'Category',
	contactId: 'Contact',
	contactFolderId: 'Contact Folder',
	parentContactFolderId: 'Parent Contact Folder',
};

/** `/me/calendars/{calendarId}` → the item's (validated, encoded) calendar ID. */
function resolvePathParameters(ctx: IExecuteSingleFunctions, template: string): string {
	return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
		const label = PATH_PARAMETER_LABELS[name] ?? name;
		return checkedIdParameter(ctx, name, label);
	});
}

/** `$top` must be a whole number in Graph's range; "1e3" or " 50 " is sent as 1000 / 50, never as typed. */
function checkPageLimit(ctx: IExecuteSingleFunctions, qs: IDataObject | undefined): void {
	const top = qs?.$top;
	if (top === undefined || !qs) return;
	const value = typeof top === 'string' && top.trim() !== '' ? Number(top) : typeof top === 'number' ? top : NaN;
	if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
		throw new NodeOperationError(ctx.getNode(), `Page Limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, {
			description: `It is ${typeof top === 'object' ? JSON.stringify(top) : String(top)}. Turn on Fetch All to get every result.`,
			itemIndex: ctx.getItemIndex(),
		});
	}
	qs.$top = value;
}

/** What the current operation declared it needs (descriptions.ts requestNeeds). */
function needsOf(ctx: IExecuteSingleFunctions): Set<RequestNeed> {
	const declared = String(ctx.getNodeParameter('requestNeeds', '') ?? '');
	return new Set(declared.split(',').filter(Boolean) as RequestNeed[]);
}

/**
 * Retry policy for one item. An operation with `userRequestOptions` (Raw Request) exposes the knobs to
 * the user (its `options` collection: maxRetryCount, retryDelay, useExponentialBackoff,
 * retryOnAllErrors); every other operation uses the default.
 */
function retryPolicyFor(ctx: IExecuteSingleFunctions, method: string): RetryPolicy {
	const needs = needsOf(ctx);
	const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, idempotent: method !== 'POST' || needs.has('readOnlyPost') };
	if (!needs.has('userRequestOptions')) return policy;
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	return {
		...policy,
		maxRetries: Number(options.maxRetryCount ?? 3),
		delayMs: Number(options.retryDelay ?? 1000),
		exponential: options.useExponentialBackoff !== false,
		retryOnAllErrors: options.retryOnAllErrors === true,
		// Retrying everything is the user's explicit choice, also for POST.
		idempotent: policy.idempotent || options.retryOnAllErrors === true,
	};
}

/** The credential and mailbox the current item acts on (for follow-up requests in preSend/postReceive). */
export async function itemTarget(ctx: IExecuteSingleFunctions): Promise<GraphTarget> {
	return await resolveTarget(ctx, {
		authentication: ctx.getNodeParameter('authentication', 'oAuth2') as string,
		mailbox: ctx.getNodeParameter('mailbox', '') as string,
		itemIndex: ctx.getItemIndex(),
		timeoutMs: itemTimeoutMs(ctx),
	});
}

/**
 * Request Options → Batch Requests / Batch Size, unless the operation is `unbatched` (lists, Raw
 * Request); a run whose items arrive alone simply sends them alone (batch.ts).
 */
function batchingFor(ctx: IExecuteSingleFunctions): { size: number } | undefined {
	if (needsOf(ctx).has('unbatched')) return undefined;
	const options = ctx.getNodeParameter('requestOptions', {}) as IDataObject;
	if (options.batchRequests === false) return undefined;
	const size = options.batchSize === undefined || options.batchSize === '' ? MAX_BATCH_SIZE : Number(options.batchSize);
	if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
		throw new NodeOperationError(ctx.getNode(), `Batch Size must be a whole number from 1 to ${MAX_BATCH_SIZE}`, {
			description: `It is ${String(options.batchSize)}. Microsoft Graph accepts at most ${MAX_BATCH_SIZE} requests per batch.`,
			itemIndex: ctx.getItemIndex(),
		});
	}
	return size === 1 ? undefined : { size };
}

/** Request Options → Timeout of this item (`userRequestOptions`: the operation's own Timeout option). */
function itemTimeoutMs(ctx: IExecuteSingleFunctions): number {
	const options = ctx.getNodeParameter(needsOf(ctx).has('userRequestOptions') ? 'options' : 'requestOptions', {}) as IDataObject;
	const timeout = Number(options.timeout);
	if (options.timeout === undefined || options.timeout === '') return DEFAULT_TIMEOUT_MS;
	if (!Number.isInteger(timeout) || timeout < 1) {
		throw new NodeOperationError(ctx.getNode(), 'Timeout must be a whole number of milliseconds, at least 1', {
			description: `It is ${String(options.timeout)}. The default is ${DEFAULT_TIMEOUT_MS} (2 minutes).`,
			itemIndex: ctx.getItemIndex(),
		});
	}
	return timeout;
}

/** The request loop for every operation: scoping, gate, retries, refresh, nextLink, paired items. */
type ItemRequestLoop = (
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
) => Promise<INodeExecutionData[]>;

/**
 * Wraps an operation's request loop: with Continue On Fail the item gets a paired error item
 * (n8n's own continueOnFail item carries no pairedItem when a list yields many items).
 * Operations that need their own loop (`routing.operations.pagination`) wrap it with this and
 * call `sendItemThroughGraph` inside.
 */
export function itemRequestLoop(loop: ItemRequestLoop): ItemRequestLoop {
	return async function (this: IExecutePaginationFunctions, requestData) {
		try {
			return await loop.call(this, requestData);
		} catch (error) {
			const failure = asNodeError(this, error);
			if (!this.continueOnFail()) throw failure;
			return [errorItem(this, failure)];
		}
	};
}

/**
 * The error item under Continue On Fail. n8n replaces the json of an item that carries an error with
 * `{ error: error.message }` (n8n-core WorkflowExecute), so Graph's own words go into that message:
 * `headline — Graph's message (request-id: …) [code]`. A failed run (no Continue On Fail) keeps the
 * short headline; n8n shows Graph's words from the description there.
 */
function errorItem(ctx: IExecuteSingleFunctions, failure: NodeApiError | NodeOperationError): INodeExecutionData {
	const graph = failure instanceof NodeApiError ? (failure.errorResponse as IDataObject | undefined) : undefined;
	const graphMessage = typeof graph?.message === 'string' ? graph.message.trim() : '';
	if (failure instanceof NodeApiError && Number.isInteger(Number(failure.httpCode)) && graphMessage !== '' && !failure.message.includes(graphMessage)) {
		const code = /( \[[^\]]+\])$/.exec(failure.message)?.[1] ?? '';
		const headline = code ? failure.message.slice(0, -code.length) : failure.message;
		const requestId = typeof graph?.requestId === 'string' && graph.requestId !== 'none' ? ` (request-id: ${graph.requestId})` : '';
		failure.message = `${headline} — ${graphMessage}${requestId}${code}`;
	}
	return {
		json: { error: failure.message, description: failure.description ?? undefined },
		error: failure,
		pairedItem: { item: ctx.getItemIndex() },
	};
}

function asNodeError(ctx: IExecuteSingleFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: ctx.getItemIndex() });
}

export async function sendItemThroughGraph(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const itemIndex = this.getItemIndex();
	const target = await itemTarget(this);
	const returnAll = this.getNodeParameter('returnAll', false) as boolean;
	const method = (requestData.options.method ?? 'GET').toUpperCase();
	let url = checkedGraphUrl(this, target, resolvePathParameters(this, requestData.options.url ?? ''));
	if (!needsOf(this).has('anyPageSize')) checkPageLimit(this, requestData.options.qs);
	const batching = batchingFor(this);
	const policy = { ...retryPolicyFor(this, method), timeoutMs: target.timeoutMs ?? DEFAULT_TIMEOUT_MS, gated: slotHolder(batching !== undefined) === 'attempt' };
	// Request Options → Timeout bounds the whole item: every page, redirect, attempt and token request.
	const deadline = deadlineAfter(policy.timeoutMs);

	const results: INodeExecutionData[] = [];
	const followed = new Set<string>();
	let qs = requestData.options.qs;
	for (let redirects = 0; ; ) {
		const page = await withGraphPolicy(
			this,
			target,
			async ({ afterLostResponse, timeoutMs }) => {
				if (method === 'DELETE' && afterLostResponse) deleteMayBeDone.set(this, true);
				else deleteMayBeDone.delete(this);
				const options = {
					...requestData.options,
					baseURL: undefined,
					url,
					qs: { ...(qs ?? {}) },
					headers: { ...(requestData.options.headers ?? {}) },
					// n8n reads Request Options of item 0 only: every item gets its own (what is left of it).
					timeout: timeoutMs,
					ignoreHttpStatusErrors: true,
					...NO_REDIRECTS,
				};
				const send = async () => await this.makeRoutingRequest({ ...requestData, options });
				const queue = { gateKey: target.gateKey, root: target.root, batchSize: batching?.size ?? 1, deadline };
				const items = batching ? await withBatchedHelper(this.helpers, this, queue, send) : await send();
				const meta = takeResponseMeta(this);
				return { statusCode: meta.statusCode, headers: meta.headers, body: undefined, value: { items, meta } };
			},
			policy,
			deadline,
		).catch(redirectOrThrow);
		if (page instanceof GraphRedirect) {
			url = redirectTarget(this, target, method, url, page, redirects++);
			qs = {};
			continue;
		}
		results.push(...page.items);
		const nextLink = page.meta.nextLink;
		if (!returnAll || !nextLink) break;
		assertNewPage(this, target, followed, nextLink);
		// nextLink already carries every query option: send it verbatim, never the original qs on top.
		url = checkedGraphUrl(this, target, nextLink);
		qs = {};
	}
	for (const item of results) item.pairedItem ??= { item: itemIndex };
	return results;
}

/** The node-level request loop: every operation without a loop of its own. */
export const sendThroughGraph = itemRequestLoop(sendItemThroughGraph);
