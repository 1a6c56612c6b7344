import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { searchCalendars, searchContactFolders, searchFolders } from './methods/listSearch';
import { authenticationProperty, nodeCredentials } from './shared/transport/credentials';
import { triggerProperties } from './trigger/config/description';
import { createSubscription, deleteSubscriptions, subscriptionExists } from './trigger/hooks/webhookMethods';
import { rememberTestEvent, startTrigger } from './trigger/hooks/triggerFunction';
import { handleWebhook } from './trigger/delivery/webhook';

export class MicrosoftOutlookExtTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Outlook Ext Trigger',
		name: 'microsoftOutlookExtTrigger',
		icon: { light: 'file:../../icons/outlook.svg', dark: 'file:../../icons/outlook.dark.svg' },
		group: ['trigger'],
		// 2: the Trigger On selector with filters (trigger/config/description.ts); 1 keeps Watch + Change Types.
		version: [1, 2],
		defaultVersion: 2,
		subtitle:
			'={{$parameter["event"] ? {"newMail":"New mail","newMailShared":"New mail in shared mailbox","mailFlagged":"Mail flagged","mailMentioningMe":"Mail mentioning me","mailChanged":"Mail changes","eventCreated":"Event created","eventUpdated":"Event updated","eventDeleted":"Event deleted","eventChanged":"Calendar changes","contactCreated":"Contact created","contactUpdated":"Contact updated","contactDeleted":"Contact deleted","contactChanged":"Contact changes"}[$parameter["event"]] : ($parameter["watch"] === "events" ? "Calendar events" : "Mail folder messages")}}',
		description:
			'Starts the workflow at once when mail, calendar events or contacts change in Microsoft Outlook (Microsoft Graph push notifications, renewed automatically)',
		defaults: { name: 'Microsoft Outlook Ext Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials,
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// The webhook answers Graph itself (validation token, 202); 'noData' keeps n8n from adding a body.
				responseMode: 'onReceived',
				responseData: 'noData',
				path: 'notifications',
			},
		],
		properties: [authenticationProperty, ...triggerProperties],
	};

	methods = {
		listSearch: { searchCalendars, searchContactFolders, searchFolders },
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await subscriptionExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await createSubscription.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await deleteSubscriptions.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const response = await handleWebhook.call(this);
		rememberTestEvent(this, response);
		return response;
	}

	/** Makes newer n8n (2.41) run checkExists at every start too: see trigger/hooks/triggerFunction.ts. */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startTrigger.call(this);
	}
}
