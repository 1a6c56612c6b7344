import type { INodeProperties } from 'n8n-workflow';

import { formatRawResponse, prepareRawRequest, rawRequestSendDescription } from './send';

const showOnlyForRawRequest = { resource: ['rawRequest'] };

/*
 * Any Graph request through the shared transport (mailbox scoping of /me, token refresh, throttling
 * gate). The retry knobs in `options` are read by the transport's retryPolicyFor (shared/routing.ts).
 */
export const rawRequestDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForRawRequest },
		options: [
			{
				name: 'Raw Request',
				value: 'send',
				action: 'Send a raw request to Microsoft Graph',
				description: 'Call any Microsoft Graph endpoint with the node\'s credential',
				routing: {
					// Method and URL come from the Method and Path fields (validated in preSend).
					request: { method: 'GET', url: '/' },
					send: { preSend: [prepareRawRequest] },
					output: { postReceive: [formatRawResponse] },
				},
			},
		],
		default: 'send',
	},
	...rawRequestSendDescription,
];
