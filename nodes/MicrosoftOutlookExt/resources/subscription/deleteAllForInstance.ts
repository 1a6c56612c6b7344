import type { DeclarativeRestApiSettings, IExecutePaginationFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestNeeds } from '../../shared/descriptions';
import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import { deleteSubscription } from '../../shared/subscriptions';
import { followEveryPage } from './common';

const showOnlyForSubscriptionDeleteAll = { resource: ['subscription'], operation: ['deleteAllForInstance'] };

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

export const subscriptionDeleteAllForInstanceDescription: INodeProperties[] = [
	followEveryPage(showOnlyForSubscriptionDeleteAll),
	requestNeeds(showOnlyForSubscriptionDeleteAll, ['unbatched']),
];
