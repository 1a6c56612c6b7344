import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { graphApiBaseUrl, hiddenOAuth2Fields } from './shared';

/** OAuth2 client credentials (application permissions): the node acts on the mailbox named by User ID. */
export class MicrosoftOutlookExtClientCredentialsOAuth2Api implements ICredentialType {
	name = 'microsoftOutlookExtClientCredentialsOAuth2Api';

	displayName = 'Microsoft Outlook Ext Client Credentials OAuth2 API';

	extends = ['oAuth2Api'];

	icon = { light: 'file:../icons/outlook.svg', dark: 'file:../icons/outlook.dark.svg' } as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-microsoft-outlook-ext#credentials';

	properties: INodeProperties[] = [
		{
			displayName:
				'In Microsoft Entra ID, register an app, create a client secret, add the Microsoft Graph application permissions (Mail.ReadWrite, Mail.Send, Calendars.ReadWrite, User.Read.All) and grant admin consent. Consider an application access policy to limit which mailboxes the app can reach.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		graphApiBaseUrl,
		{
			displayName: 'Microsoft Entra ID Endpoint',
			name: 'entraEndpoint',
			type: 'string',
			default: 'https://login.microsoftonline.com',
			required: true,
			description:
				'Token host. Global: https://login.microsoftonline.com. US Government: https://login.microsoftonline.us. China: https://login.chinacloudapi.cn.',
		},
		{
			displayName: 'Tenant',
			name: 'tenantId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'contoso.onmicrosoft.com',
			description: 'Directory (tenant) ID or a verified domain of the tenant the app is registered in',
		},
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'clientCredentials' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: '' },
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{ $self["entraEndpoint"].replace(/\\/+$/, "") }}/{{ $self["tenantId"] }}/oauth2/v2.0/token',
		},
		{
			displayName: 'Scopes',
			name: 'scope',
			type: 'string',
			default: 'https://graph.microsoft.com/.default',
			description: 'Application permissions are granted in Entra ID; Graph expects <resource>/.default here',
		},
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'someone@contoso.com',
			description:
				'The mailbox user-specific operations act on (user principal name or object ID). Nodes can override it per item with the Mailbox option.',
		},
		...hiddenOAuth2Fields,
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.graphApiBaseUrl.replace(/\\/+$/, "")}}/v1.0',
			url: '={{"/users/" + encodeURIComponent($credentials.userId)}}',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'The token works, but no user matches User ID. Use the user principal name or object ID.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'The app lacks the User.Read.All application permission, or admin consent was not granted.',
				},
			},
		],
	};
}
