import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	INodeExecutionData,
	INodeProperties,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import { graphApiRequest, type GraphTarget } from '../../shared/transport/request';
import { followEveryPage } from './common';

const showOnlyForSubscriptionDeleteAll = { resource: ['subscription'], operation: ['deleteAllForInstance'] };

/** DELETE one subscription; one that is already gone (expired, removed) counts as deleted. */
async function deleteSubscription(ctx: IExecutePaginationFunctions, target: GraphTarget, id: string): Promise<void> {
	let failure: unknown;
	try {
		await graphApiRequest(ctx, target, { method: 'DELETE', url: `/subscriptions/${encodeURIComponent(id)}` });
		return;
	} catch (error) {
		failure = error;
	}
	if ((failure as NodeApiError).httpCode === '404') return;
	if (failure instanceof NodeApiError) throw failure;
	throw new NodeApiError(ctx.getNode(), failure as JsonObject, { itemIndex: ctx.getItemIndex() });
}

/**
 * Lists every subscription (all pages, filtered to this instance's webhook URL by the operation's
 * postReceive), then deletes them one by one. One output item per deleted subscription.
 */
export async function deleteInstanceSubscriptions(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const listed = await sendItemThroughGraph.call(this, requestData);
	const pairedItem = { item: this.getItemIndex() };
	if (listed.length === 0) return [{ json: { deleted: 0 }, pairedItem }];
	const target = await itemTarget(this);
	const results: INodeExecutionData[] = [];
	for (const { json } of listed) {
		const id = String(json.id);
		await deleteSubscription(this, target, id);
		results.push({ json: { id, deleted: true, notificationUrl: json.notificationUrl }, pairedItem });
	}
	return results;
}

export const subscriptionDeleteAllForInstanceDescription: INodeProperties[] = [followEveryPage(showOnlyForSubscriptionDeleteAll)];
