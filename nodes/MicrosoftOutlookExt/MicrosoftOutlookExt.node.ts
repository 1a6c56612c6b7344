import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchCalendars, searchEvents, searchFolders, searchMessages } from './methods/listSearch';
import { searchContactFolders, searchContacts } from './methods/listSearch';
import { getTimeZones } from './methods/loadOptions';
import { calendarDescription } from './resources/calendar';
import { contactDescription } from './resources/contact';
import { contactFolderDescription } from './resources/contactFolder';
import { eventDescription } from './resources/event';
import { folderDescription } from './resources/folder';
import { mailboxSettingsDescription } from './resources/mailboxSettings';
import { messageDescription } from './resources/message';
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
					{ name: 'Contact', value: 'contact' },
					{ name: 'Contact Folder', value: 'contactFolder' },
					{ name: 'Event', value: 'event' },
					{ name: 'Mail', value: 'message' },
					{ name: 'Mail Folder', value: 'folder' },
					{ name: 'Mailbox Setting', value: 'mailboxSettings' },
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
			...contactDescription,
			...contactFolderDescription,
			...mailboxSettingsDescription,
			mailboxProperty,
			requestOptionsProperty,
		],
	};

	methods = {
		listSearch: { searchCalendars, searchEvents, searchFolders, searchMessages, searchContacts, searchContactFolders },
		loadOptions: { getTimeZones },
	};
}
