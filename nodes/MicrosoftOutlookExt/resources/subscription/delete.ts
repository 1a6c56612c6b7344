import type { IExecuteSingleFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkedSubscriptionId } from './common';

const showOnlyForSubscriptionDelete = { resource: ['subscription'], operation: ['delete'] };

/** Graph answers 204 with no body: say which subscription is gone. */
export async function confirmSubscriptionDeleted(
	this: IExecuteSingleFunctions,
): Promise<INodeExecutionData[]> {
	return [{ json: { id: checkedSubscriptionId(this), deleted: true } }];
}

export const subscriptionDeleteDescription: INodeProperties[] = [
	{
		displayName: 'Subscription ID',
		name: 'subscriptionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
		description: 'ID of the subscription to delete (its ID in the output of Create or List Subscriptions)',
		displayOptions: { show: showOnlyForSubscriptionDelete },
	},
];
