import type { ICredentialTestRequest, INodeProperties } from 'n8n-workflow';

/**
 * Every permission a user can consent to that the node's operations need: contacts, categories and
 * out-of-office (MailboxSettings) and Find Meeting Times (Calendars.Read.Shared) included. Rooms need
 * Place.Read.All, which only an admin can grant, so it is not a default (README: Permissions).
 */
export const DELEGATED_SCOPES = [
	'User.Read',
	'Calendars.ReadWrite',
	'Calendars.Read.Shared',
	'Mail.ReadWrite',
	'Mail.Send',
	'Contacts.ReadWrite',
	'MailboxSettings.ReadWrite',
]
	.map((permission) => `https://graph.microsoft.com/${permission}`)
	.concat('offline_access')
	.join(' ');

/** Base URL of Microsoft Graph; national clouds and the local emulator use another host. */
export const graphApiBaseUrl: INodeProperties = {
	displayName: 'Base URL',
	name: 'graphApiBaseUrl',
	type: 'string',
	default: 'https://graph.microsoft.com',
	required: true,
	placeholder: 'https://graph.microsoft.com',
	description:
		'Microsoft Graph root, without /v1.0. Global: https://graph.microsoft.com. US Government L4: https://graph.microsoft.us. US Government L5 (DOD): https://dod-graph.microsoft.us. China (21Vianet): https://microsoftgraph.chinacloudapi.cn. The local emulator prints its own URL.',
};

/** Hidden fields every Microsoft OAuth2 credential shares: token in the body, Graph-style query. */
export const hiddenOAuth2Fields: INodeProperties[] = [
	{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: 'response_mode=query' },
	{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
];

/** Delegated credentials prove themselves with GET /me. */
export const delegatedTest: ICredentialTestRequest = {
	request: {
		baseURL: '={{$credentials.graphApiBaseUrl.replace(/\\/+$/, "")}}/v1.0',
		url: '/me',
	},
	rules: [
		{
			type: 'responseCode',
			properties: {
				value: 401,
				message:
					'Microsoft Graph refused the token (401). Reconnect the credential, and check the Client Secret and the API permissions (User.Read, Mail.ReadWrite, Mail.Send, Calendars.ReadWrite, offline_access).',
			},
		},
	],
};
