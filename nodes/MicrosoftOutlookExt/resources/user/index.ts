import type { INodeProperties } from 'n8n-workflow';

const showOnlyForUser = { resource: ['user'] };

export const userDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForUser },
		options: [
			{
				name: 'Get Current User',
				value: 'getCurrent',
				action: 'Get the current user',
				description: 'Get the profile of the mailbox user (the signed-in user, or the Mailbox / User ID)',
				routing: { request: { method: 'GET', url: '/me' } },
			},
			{
				name: 'List Supported Languages',
				value: 'getSupportedLanguages',
				action: 'List supported languages',
				description: 'List the locales the mailbox user can choose in Outlook',
				routing: {
					request: { method: 'GET', url: '/me/outlook/supportedLanguages' },
					output: { postReceive: [{ type: 'rootProperty', properties: { property: 'value' } }] },
				},
			},
			{
				name: 'List Supported Timezones',
				value: 'getSupportedTimezones',
				action: 'List supported timezones',
				description: 'List the time zones the mailbox server supports',
				routing: {
					request: {
						method: 'GET',
						url: '={{ $parameter.timeZoneStandard === "iana" ? "/me/outlook/supportedTimeZones(TimeZoneStandard=microsoft.graph.timeZoneStandard\'Iana\')" : "/me/outlook/supportedTimeZones" }}',
					},
					output: { postReceive: [{ type: 'rootProperty', properties: { property: 'value' } }] },
				},
			},
		],
		default: 'getCurrent',
	},
	{
		displayName: 'Time Zone Format',
		name: 'timeZoneStandard',
		type: 'options',
		displayOptions: { show: { ...showOnlyForUser, operation: ['getSupportedTimezones'] } },
		options: [
			{ name: 'Windows', value: 'windows', description: 'Names such as "Pacific Standard Time" (what event times use)' },
			{ name: 'IANA', value: 'iana', description: 'Names such as "America/Los_Angeles"' },
		],
		default: 'windows',
	},
];
