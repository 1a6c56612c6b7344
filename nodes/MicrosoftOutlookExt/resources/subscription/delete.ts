import type { IExecuteSingleFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkedSubscriptionId, subscriptionIdProperty } from './common';

const showOnlyForSubscriptionDelete = { resource: ['subscription'], operation: ['delete'] };

/** Graph answers 204 with no body: say which subscription is gone. */
export async function confirmSubscriptionDeleted(
	this: IExecuteSingleFunctions,
): Promise<INodeExecutionData[]> {
	return [{ json: { id: checkedSubscriptionId(this), deleted: true } }];
}

export const subscriptionDeleteDescription: INodeProperties[] = [
	subscriptionIdProperty('delete', showOnlyForSubscriptionDelete),
];
