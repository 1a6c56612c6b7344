import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { requestNeeds } from '../../shared/descriptions';
import { inputError, parseAddressList } from '../../shared/validation';

const showOnlyForMailTips = { resource: ['mailboxSettings'], operation: ['getMailTips'] };

/** Graph's MailTipsOptions flags (user-getmailtips.md). */
const MAIL_TIPS_OPTIONS = [
	{ name: 'Automatic Replies (Out of Office)', value: 'automaticReplies' },
	{ name: 'Custom Mail Tip', value: 'customMailTip' },
	{ name: 'Delivery Restriction', value: 'deliveryRestriction' },
	{ name: 'External Member Count', value: 'externalMemberCount' },
	{ name: 'Mailbox Full', value: 'mailboxFullStatus' },
	{ name: 'Max Message Size', value: 'maxMessageSize' },
	{ name: 'Moderation', value: 'moderationStatus' },
	{ name: 'Recipient Scope (Internal/External)', value: 'recipientScope' },
	{ name: 'Recipient Suggestions', value: 'recipientSuggestions' },
	{ name: 'Total Member Count', value: 'totalMemberCount' },
];
const KNOWN_OPTIONS = new Set(MAIL_TIPS_OPTIONS.map((option) => option.value));

/** POST /getMailTips with Graph's PascalCase parameters; every address checked before the request. */
export async function prepareGetMailTips(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const addresses = parseAddressList(this, this.getNodeParameter('mailTipsAddresses', ''), 'Email Addresses');
	if (addresses.length === 0) {
		throw inputError(this, 'Email Addresses is empty', 'Give the recipients to check, separated by commas, e.g. "adelev@contoso.com, ben@fabrikam.com".');
	}
	const raw = this.getNodeParameter('mailTipsOptions', []) as unknown;
	const options = (Array.isArray(raw) ? raw : String(raw ?? '').split(',')).map((o) => String(o).trim()).filter(Boolean);
	if (options.length === 0) throw inputError(this, 'Mail Tips is empty', 'Choose at least one mail tip, e.g. Automatic Replies (Out of Office).');
	const unknown = options.find((option) => !KNOWN_OPTIONS.has(option));
	if (unknown) throw inputError(this, `Mail Tips "${unknown}" is not a mail tip`, `Choose from the list: ${[...KNOWN_OPTIONS].join(', ')}.`);
	return { ...requestOptions, body: { EmailAddresses: addresses, MailTipsOptions: options.join(', ') } };
}

export const getMailTipsDescription: INodeProperties[] = [
	requestNeeds(showOnlyForMailTips, ['readOnlyPost']),
	{
		displayName: 'Email Addresses',
		name: 'mailTipsAddresses',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'adelev@contoso.com, ben@fabrikam.com',
		description: 'Recipients to get mail tips for, separated by commas. One output item per recipient.',
		displayOptions: { show: showOnlyForMailTips },
	},
	{
		displayName: 'Mail Tips',
		name: 'mailTipsOptions',
		type: 'multiOptions',
		options: MAIL_TIPS_OPTIONS,
		default: ['automaticReplies', 'mailboxFullStatus'],
		description: 'Which mail tips to get for each recipient',
		displayOptions: { show: showOnlyForMailTips },
	},
];
