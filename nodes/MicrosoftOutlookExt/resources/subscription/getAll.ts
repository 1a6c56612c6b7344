import type { INodeProperties } from 'n8n-workflow';

import { requestNeeds } from '../../shared/descriptions';
import { followEveryPage } from './common';

const showOnlyForSubscriptionGetAll = { resource: ['subscription'], operation: ['getAll'] };

export const subscriptionGetAllDescription: INodeProperties[] = [
	followEveryPage(showOnlyForSubscriptionGetAll),
	requestNeeds(showOnlyForSubscriptionGetAll, ['unbatched']),
	{
		displayName: 'Show Instance Webhooks',
		name: 'showInstanceWebhooks',
		type: 'boolean',
		default: false,
		description:
			"Whether to return only subscriptions whose Notification URL is on this n8n instance (under its webhook base URL, WEBHOOK_URL). Off: every subscription of the app that Microsoft Graph lists.",
		displayOptions: { show: showOnlyForSubscriptionGetAll },
	},
];
