import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	searchAttachments,
	searchCalendars,
	searchContactFolders,
	searchContacts,
	searchDrafts,
	searchEvents,
	searchFolders,
	searchMessages,
	searchRoomLists,
	searchRooms,
} from './methods/listSearch';
import { getCategories, searchCategories, searchDestinationFolders } from './methods/mailPickers';
import { getTimeZones } from './methods/loadOptions';
import { calendarDescription } from './resources/calendar';
import { categoryDescription } from './resources/category';
import { contactDescription } from './resources/contact';
import { contactFolderDescription } from './resources/contactFolder';
import { draftDescription } from './resources/draft';
import { eventDescription } from './resources/event';
import { folderDescription } from './resources/folder';
import { mailboxSettingsDescription } from './resources/mailboxSettings';
import { messageDescription } from './resources/message';
import { messageAttachmentDescription } from './resources/messageAttachment';
import { SEND_AND_WAIT, sendAndWaitExecute } from './resources/message/sendAndWait';
import { sendAndWaitWebhook, sendAndWaitWebhooks } from './resources/message/sendAndWaitWebhook';
import { rawRequestDescription } from './resources/rawRequest';
import { roomDescription } from './resources/room';
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
		description:
			'Mail, drafts, attachments, calendars, events, rooms, contacts, out-of-office and subscriptions in Microsoft Outlook (Microsoft Graph)',
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
					{ name: 'Category', value: 'category' },
					{ name: 'Contact', value: 'contact' },
					{ name: 'Contact Folder', value: 'contactFolder' },
					{ name: 'Draft', value: 'draft' },
					{ name: 'Event', value: 'event' },
					{ name: 'Mail', value: 'message' },
					{ name: 'Mail Folder', value: 'folder' },
					{ name: 'Mailbox Setting', value: 'mailboxSettings' },
					{ name: 'Message Attachment', value: 'messageAttachment' },
					{ name: 'Raw Request', value: 'rawRequest' },
					{ name: 'Room', value: 'room' },
					{ name: 'Subscription', value: 'subscription' },
					{ name: 'User', value: 'user' },
				],
				default: 'message',
			},
			...calendarDescription,
			...categoryDescription,
			...eventDescription,
			...messageDescription,
			...folderDescription,
			...subscriptionDescription,
			...userDescription,
			...rawRequestDescription,
			...roomDescription,
			...draftDescription,
			...messageAttachmentDescription,
			...contactDescription,
			...contactFolderDescription,
			...mailboxSettingsDescription,
			mailboxProperty,
			requestOptionsProperty,
		],
	};

	methods = {
		listSearch: {
			searchCalendars,
			searchEvents,
			searchFolders,
			searchMessages,
			searchRooms,
			searchRoomLists,
			searchDrafts,
			searchAttachments,
			searchCategories,
			searchDestinationFolders,
			searchContacts,
			searchContactFolders,
		},
		loadOptions: { getTimeZones, getCategories },
	};

	// The one operation that is not declarative: it mails the resume links and puts the execution to wait.
	customOperations = { message: { [SEND_AND_WAIT]: sendAndWaitExecute } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}
}
