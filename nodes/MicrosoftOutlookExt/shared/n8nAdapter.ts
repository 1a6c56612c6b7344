/**
 * Every assumption this package makes about n8n's internals, in one place. Each one is checked in
 * real n8n (both supported versions) by test/e2e/n8n-contract.test.ts, which names the assumption
 * that broke.
 *
 * 1. Property order: n8n's declarative engine applies the `routing` of the node's properties in
 *    order. `graphTransport` must be the node's FIRST property: its `paginate` hands every
 *    operation's prepared request to our request loop, and its postReceive runs before any other,
 *    so a non-2xx answer becomes an error before another postReceive reads it.
 * 2. The response side channel: n8n gives the request loop (`makeRoutingRequest`) only the items
 *    the postReceives made, not the HTTP status and headers. A postReceive records them per item
 *    (`ItemChannel`), keyed by workflow, execution, node and item index, which agree between the
 *    loop's context and the postReceive's although they are different objects.
 * 3. The helper swap: n8n's declarative engine sends through `helpers.httpRequestWithAuthentication`
 *    of the request loop's own context. Batching replaces that function for one request.
 */
import type { IExecuteSingleFunctions, INodeProperties, RequestHelperFunctions } from 'n8n-workflow';

/** The name of the node's first property (assumption 1). */
export const GRAPH_TRANSPORT_PROPERTY = 'graphTransport';

/** Fails loudly at load time if the transport property is not first (assumption 1). */
export function assertGraphTransportFirst(properties: INodeProperties[]): void {
	if (properties[0]?.name !== GRAPH_TRANSPORT_PROPERTY) {
		throw new Error(
			`Microsoft Outlook Ext: "${GRAPH_TRANSPORT_PROPERTY}" must be the node's first property (it is "${properties[0]?.name}"): n8n applies property routing in order (shared/n8nAdapter.ts)`,
		);
	}
}

/**
 * The item a request belongs to: execution, node and item index. The request loop and n8n's
 * postReceive calls for the same item get different context objects, but these agree (assumption 2).
 */
export function itemKey(ctx: IExecuteSingleFunctions): string {
	return `${String(ctx.getWorkflow().id)}|${String(ctx.getExecutionId())}|${ctx.getNode().name}|${ctx.getItemIndex()}`;
}

/** At most this many items' entries per channel; the oldest go first (a lost item must not leak forever). */
export const MAX_ITEM_ENTRIES = 10_000;

/**
 * Per-item values handed between n8n's callbacks for the same item (preSend, the request loop,
 * postReceive), which get different context objects. Bounded: entries that are never taken (an item
 * that failed between the callbacks) are evicted oldest first.
 */
export class ItemChannel<T> {
	private readonly entries = new Map<string, T>();

	constructor(private readonly maxEntries = MAX_ITEM_ENTRIES) {}

	set(ctx: IExecuteSingleFunctions, value: T): void {
		const key = itemKey(ctx);
		this.entries.delete(key);
		this.entries.set(key, value);
		while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
	}

	get(ctx: IExecuteSingleFunctions): T | undefined {
		return this.entries.get(itemKey(ctx));
	}

	/** The value, removed from the channel. */
	take(ctx: IExecuteSingleFunctions): T | undefined {
		const key = itemKey(ctx);
		const value = this.entries.get(key);
		this.entries.delete(key);
		return value;
	}

	delete(ctx: IExecuteSingleFunctions): void {
		this.entries.delete(itemKey(ctx));
	}

	get size(): number {
		return this.entries.size;
	}
}

/** What the transport's postReceive saw of the item's last answer (assumption 2). */
export interface ResponseMeta {
	statusCode: number;
	headers: Record<string, unknown>;
	nextLink?: string;
}

/** The last response per item (one request at a time per item), written by postReceive, read by the loop. */
export const responseMeta = new ItemChannel<ResponseMeta>();

/** The loop's side of the channel: a missing entry means n8n no longer runs our postReceive as assumed. */
export function takeResponseMeta(ctx: IExecuteSingleFunctions): ResponseMeta {
	const meta = responseMeta.take(ctx);
	if (!meta) {
		throw new Error(
			`Graph response metadata missing for item ${ctx.getItemIndex()}: n8n did not run the "${GRAPH_TRANSPORT_PROPERTY}" postReceive for this request, or ran it with another execution/node/item (shared/n8nAdapter.ts, assumption 2)`,
		);
	}
	return meta;
}

/** The function n8n's declarative engine sends an item's routing request through (assumption 3). */
export type AuthenticatedRequest = RequestHelperFunctions['httpRequestWithAuthentication'];

/**
 * Runs `work` with the item's `helpers.httpRequestWithAuthentication` replaced by what `replace`
 * builds from the original, and puts the original back afterwards (assumption 3).
 */
export async function withAuthenticatedRequestReplaced<T>(
	helpers: { httpRequestWithAuthentication: AuthenticatedRequest },
	replace: (original: AuthenticatedRequest) => AuthenticatedRequest,
	work: () => Promise<T>,
): Promise<T> {
	const original = helpers.httpRequestWithAuthentication;
	helpers.httpRequestWithAuthentication = replace(original);
	try {
		return await work();
	} finally {
		helpers.httpRequestWithAuthentication = original;
	}
}
