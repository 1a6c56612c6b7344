import type { DeclarativeRestApiSettings, IExecutePaginationFunctions, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import { clampedExpiration, renewSubscription } from '../../shared/subscriptions';
import { checkedSubscriptionId, expirationDescription, requestedExpiration, subscriptionIdProperty } from './common';

const showOnlyForSubscriptionUpdateExpiration = { resource: ['subscription'], operation: ['updateExpiration'] };

export async function prepareExpirationUpdate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	checkedSubscriptionId(this);
	const requested = requestedExpiration(this, this.getNodeParameter('expirationDateTime', ''), 'Expiration');
	return { ...requestOptions, body: { expirationDateTime: clampedExpiration(requested).expirationDateTime } };
}

/** The shared renewal (as the trigger's), PATCHed through this item's transport: Graph's shorter maximum retried, the expiry checked. */
export async function renewWithRetry(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const body = requestData.options.body as { expirationDateTime: string };
	const renewed = await renewSubscription(this, await itemTarget(this), checkedSubscriptionId(this), { expirationDateTime: body.expirationDateTime }, async (attempt) => {
		return (await sendItemThroughGraph.call(this, { ...requestData, options: { ...requestData.options, body: attempt } }))[0]?.json ?? {};
	});
	return [{ json: renewed, pairedItem: { item: this.getItemIndex() } }];
}

export const subscriptionUpdateExpirationDescription: INodeProperties[] = [
	subscriptionIdProperty('renew', showOnlyForSubscriptionUpdateExpiration),
	{
		displayName: 'Expiration',
		name: 'expirationDateTime',
		type: 'dateTime',
		default: '',
		description: expirationDescription,
		displayOptions: { show: showOnlyForSubscriptionUpdateExpiration },
	},
];
