import type { INodeProperties } from 'n8n-workflow';

import { itemRequestLoop } from '../../shared/routing';

import { unwrapList } from '../../shared/descriptions';
import { checkSubscriptionId, hideClientState, keepInstanceSubscriptions } from './common';
import {
	createOrReuseSubscription,
	outputCreatedSubscription,
	prepareSubscriptionCreate,
	subscriptionCreateDescription,
} from './create';
import { confirmSubscriptionDeleted, subscriptionDeleteDescription } from './delete';
import { deleteInstanceSubscriptions, subscriptionDeleteAllForInstanceDescription } from './deleteAllForInstance';
import { subscriptionGetAllDescription } from './getAll';
import { prepareExpirationUpdate, renewWithRetry, subscriptionUpdateExpirationDescription } from './updateExpiration';

const showOnlyForSubscription = { resource: ['subscription'] };

/*
 * Subscriptions are app-wide in Graph: requests go to /subscriptions (never mailbox-scoped); only the
 * `resource` in a create body names the mailbox. Operations whose request loop needs more than one
 * request (reuse a duplicate, retry with Graph's maximum lifetime, delete what was listed) wrap the
 * shared transport with their own `operations.pagination`.
 */
export const subscriptionDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForSubscription },
		options: [
			{
				name: 'Create Subscription',
				value: 'create',
				action: 'Create a subscription',
				description: "Get change notifications for a mailbox's events or a mail folder's messages",
				routing: {
					request: { method: 'POST', url: '/subscriptions' },
					send: { preSend: [prepareSubscriptionCreate] },
					operations: { pagination: itemRequestLoop(createOrReuseSubscription) },
					output: { postReceive: [outputCreatedSubscription] },
				},
			},
			{
				name: 'Delete All Instance Subscriptions',
				value: 'deleteAllForInstance',
				action: 'Delete all subscriptions of this n8n instance',
				description: "Delete every subscription whose Notification URL is on this n8n instance's webhook URL",
				routing: {
					request: { method: 'GET', url: '/subscriptions' },
					operations: { pagination: itemRequestLoop(deleteInstanceSubscriptions) },
					output: { postReceive: [unwrapList, keepInstanceSubscriptions] },
				},
			},
			{
				name: 'Delete Subscription',
				value: 'delete',
				action: 'Delete a subscription',
				description: 'Stop the change notifications of one subscription',
				routing: {
					request: { method: 'DELETE', url: '/subscriptions/{subscriptionId}' },
					send: { preSend: [checkSubscriptionId] },
					output: { postReceive: [confirmSubscriptionDeleted] },
				},
			},
			{
				name: 'List Subscriptions',
				value: 'getAll',
				action: 'List subscriptions',
				description: 'List the active subscriptions of the app (optionally only those of this n8n instance)',
				routing: {
					request: { method: 'GET', url: '/subscriptions' },
					output: { postReceive: [unwrapList, keepInstanceSubscriptions, hideClientState] },
				},
			},
			{
				name: 'Update Subscription Expiration',
				value: 'updateExpiration',
				action: 'Update the expiration of a subscription',
				description: 'Renew a subscription (events or mail) until a new expiration',
				routing: {
					request: { method: 'PATCH', url: '/subscriptions/{subscriptionId}' },
					send: { preSend: [prepareExpirationUpdate] },
					operations: { pagination: itemRequestLoop(renewWithRetry) },
					output: { postReceive: [hideClientState] },
				},
			},
		],
		default: 'create',
	},
	...subscriptionCreateDescription,
	...subscriptionDeleteDescription,
	...subscriptionDeleteAllForInstanceDescription,
	...subscriptionGetAllDescription,
	...subscriptionUpdateExpirationDescription,
];
