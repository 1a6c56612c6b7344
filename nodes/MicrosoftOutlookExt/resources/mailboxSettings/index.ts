import type { INodeProperties } from 'n8n-workflow';

import { unwrapList } from '../../shared/descriptions';
import { outputAutomaticReplies, prepareSetAutomaticReplies, setAutomaticRepliesDescription } from './automaticReplies';
import { getMailTipsDescription, prepareGetMailTips } from './mailTips';

const showOnlyForMailboxSettings = { resource: ['mailboxSettings'] };

export const mailboxSettingsDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForMailboxSettings },
		options: [
			{
				name: 'Get Automatic Replies',
				value: 'getAutomaticReplies',
				action: 'Get automatic replies',
				description: 'Get the out-of-office setting: status, schedule, internal and external message, external audience',
				routing: { request: { method: 'GET', url: '/me/mailboxSettings/automaticRepliesSetting' } },
			},
			{
				name: 'Get Mail Tips',
				value: 'getMailTips',
				action: 'Get mail tips',
				description: 'Check recipients before sending: out-of-office message, mailbox full, external recipient, max message size, moderation',
				routing: {
					request: { method: 'POST', url: '/me/getMailTips' },
					send: { preSend: [prepareGetMailTips] },
					output: { postReceive: [unwrapList] },
				},
			},
			{
				name: 'Get Mailbox Settings',
				value: 'get',
				action: 'Get mailbox settings',
				description: 'Get the time zone, working hours, language, date and time formats and automatic replies of the mailbox',
				routing: { request: { method: 'GET', url: '/me/mailboxSettings' } },
			},
			{
				name: 'Set Automatic Replies',
				value: 'setAutomaticReplies',
				action: 'Set automatic replies',
				description: 'Switch the out-of-office reply off, on, or on between two times, with its messages and external audience',
				routing: {
					request: { method: 'PATCH', url: '/me/mailboxSettings' },
					send: { preSend: [prepareSetAutomaticReplies] },
					output: { postReceive: [outputAutomaticReplies] },
				},
			},
		],
		default: 'get',
	},
	...setAutomaticRepliesDescription,
	...getMailTipsDescription,
];
