import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { userDescription } from './resources/user';
import { mailboxProperty } from './shared/descriptions';
import { graphTransport, sendThroughGraph } from './shared/routing';
import { authenticationProperty, nodeCredentials } from './shared/transport/credentials';

export class MicrosoftOutlookExt implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Outlook Ext',
		name: 'microsoftOutlookExt',
		icon: { light: 'file:../../icons/outlook.svg', dark: 'file:../../icons/outlook.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Mail, calendars, events and subscriptions in Microsoft Outlook (Microsoft Graph)',
		defaults: { name: 'Microsoft Outlook Ext' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		requestDefaults: { headers: { Accept: 'application/json' }, json: true },
		requestOperations: { pagination: sendThroughGraph },
		properties: [
			// Must stay first: routes every operation through the shared Graph transport.
			graphTransport,
			authenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'User', value: 'user' }],
				default: 'user',
			},
			...userDescription,
			mailboxProperty,
		],
	};
}
