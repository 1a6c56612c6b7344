import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { sendItemThroughGraph } from '../../shared/routing';
import { clampedExpiration, withExpirationRetry } from '../../shared/subscriptions';
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

/** PATCH, retried once when Graph names a shorter maximum lifetime. */
export async function renewWithRetry(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const body = requestData.options.body as { expirationDateTime: string };
	return await withExpirationRetry(
		body,
		async (attempt) => await sendItemThroughGraph.call(this, { ...requestData, options: { ...requestData.options, body: attempt } }),
	);
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
