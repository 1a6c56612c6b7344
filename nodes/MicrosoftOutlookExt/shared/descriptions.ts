import type { INodeProperties } from 'n8n-workflow';

/** Optional other mailbox (shared mailbox / another user); resolved by the transport. */
export const mailboxProperty: INodeProperties = {
	displayName: 'Mailbox',
	name: 'mailbox',
	type: 'string',
	default: '',
	placeholder: 'shared@contoso.com',
	description:
		'Act on another mailbox (a shared mailbox or another user): user principal name, email address or object ID. Leave empty for the signed-in user, or for client credentials the credential\'s User ID.',
	displayOptions: { hide: { resource: ['rawRequest'] } },
};
