import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchCalendars, searchEvents, searchFolders, searchMessages } from './methods/listSearch';
import { getTimeZones } from './methods/loadOptions';
import { calendarDescription } from './resources/calendar';
import { eventDescription } from './resources/event';
import { folderDescription } from './resources/folder';
import { messageDescription } from './resources/message';
import { SEND_AND_WAIT, sendAndWaitExecute } from './resources/message/sendAndWait';
import { sendAndWaitWebhook, sendAndWaitWebhooks } from './resources/message/sendAndWaitWebhook';
import { rawRequestDescription } from './resources/rawRequest';
import { subscriptionDescription } from './resources/subscription';
import { userDescription } from './resources/user';
import { mailboxProperty, requestOptionsProperty } from './shared/descriptions';
import { graphTransportFor, sendThroughGraph } from './shared/routing';
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
		// The resume links of Send and Wait for Response (n8n's waiting webhooks; see sendAndWaitWebhook.ts).
		webhooks: sendAndWaitWebhooks,
		properties: [
			// Must stay first: routes every operation through the shared Graph transport.
			graphTransportFor(() => this.description.properties),
			authenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Calendar', value: 'calendar' },
					{ name: 'Event', value: 'event' },
					{ name: 'Mail', value: 'message' },
					{ name: 'Mail Folder', value: 'folder' },
					{ name: 'Raw Request', value: 'rawRequest' },
					{ name: 'Subscription', value: 'subscription' },
					{ name: 'User', value: 'user' },
				],
				default: 'message',
			},
			...calendarDescription,
			...eventDescription,
			...messageDescription,
			...folderDescription,
			...subscriptionDescription,
			...userDescription,
			...rawRequestDescription,
			mailboxProperty,
			requestOptionsProperty,
		],
	};

	methods = {
		listSearch: { searchCalendars, searchEvents, searchFolders, searchMessages },
		loadOptions: { getTimeZones },
	};

	// The one operation that is not declarative: it mails the resume links and puts the execution to wait.
	customOperations = { message: { [SEND_AND_WAIT]: sendAndWaitExecute } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}
}
