import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { DELEGATED_SCOPES, delegatedTest, graphApiBaseUrl, hiddenOAuth2Fields } from './shared';

/** The original authorization code credential with editable URLs; kept so existing workflows keep working. */
export class MicrosoftOutlookExtDeprecatedOAuth2Api implements ICredentialType {
	name = 'microsoftOutlookExtDeprecatedOAuth2Api';

	displayName = 'Microsoft Outlook Ext (Deprecated) OAuth2 API';

	extends = ['oAuth2Api'];

	icon = { light: 'file:../icons/outlook.svg', dark: 'file:../icons/outlook.dark.svg' } as const;

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-microsoft-outlook-ext#credentials';

	properties: INodeProperties[] = [
		{
			displayName:
				'Deprecated: create a "Microsoft Outlook Ext OAuth2 API" credential instead (it derives these URLs from the tenant). This one still works.',
			name: 'deprecationNotice',
			type: 'notice',
			default: '',
		},
		graphApiBaseUrl,
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize?prompt=consent',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
			required: true,
		},
		{
			displayName: 'Scopes',
			name: 'scope',
			type: 'string',
			default: DELEGATED_SCOPES,
			description: 'Space-separated delegated permissions; keep offline_access so n8n can refresh the token',
		},
		...hiddenOAuth2Fields,
	];

	test: ICredentialTestRequest = delegatedTest;
}
