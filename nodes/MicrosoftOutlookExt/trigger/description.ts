import type { INodeProperties } from 'n8n-workflow';

import { mailboxProperty, resourceLocator } from '../shared/descriptions';
import { DEFAULT_BINARY_PROPERTY_PREFIX } from '../shared/mime';
import { DEFAULT_DUPLICATE_WINDOW_SECONDS } from './dedupe';

const CHANGE_TYPE_OPTIONS = [
	{ name: 'Created', value: 'created' },
	{ name: 'Deleted', value: 'deleted' },
	{ name: 'Updated', value: 'updated' },
];

const FULL_ITEM_OUTPUT = {
	name: 'Full Item',
	value: 'resource',
	description: 'Fetch the changed item from Microsoft Graph (a deleted item can no longer be fetched: its notification is output)',
};
const NOTIFICATION_OUTPUT = {
	name: 'Notification Only',
	value: 'notification',
	description: 'Output what Microsoft Graph sent (change type and item ID) without fetching anything',
};

/** The trigger's parameters; the node file spreads them after the authentication choice. */
export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Watch',
		name: 'watch',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Calendar Events', value: 'events', description: 'Events in the calendars of the mailbox' },
			{ name: 'Mail Folder Messages', value: 'messages', description: 'Messages in one mail folder' },
		],
		default: 'messages',
	},
	{
		...resourceLocator({
			name: 'folderId',
			displayName: 'Mail Folder',
			searchListMethod: 'searchFolders',
			show: { watch: ['messages'] },
			description: 'Folder whose messages are watched (a well-known name such as "inbox" or "sentitems" works too)',
		}),
		default: { mode: 'id', value: 'inbox' },
	},
	{
		displayName: 'Calendars',
		name: 'calendarScope',
		type: 'options',
		options: [
			{ name: 'All Calendars', value: 'all', description: 'Events of every calendar of the mailbox' },
			{ name: 'One Calendar', value: 'one', description: 'Events of the calendar chosen below' },
		],
		default: 'all',
		displayOptions: { show: { watch: ['events'] } },
	},
	resourceLocator({
		name: 'calendarId',
		displayName: 'Calendar',
		searchListMethod: 'searchCalendars',
		show: { watch: ['events'], calendarScope: ['one'] },
		description: 'The calendar whose events are watched',
	}),
	{
		displayName: 'Change Types',
		name: 'changeTypes',
		type: 'multiOptions',
		options: CHANGE_TYPE_OPTIONS,
		default: ['created'],
		required: true,
		description: 'Which changes start the workflow (at least one)',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			FULL_ITEM_OUTPUT,
			NOTIFICATION_OUTPUT,
			{
				name: 'Parsed Email With Attachments',
				value: 'mime',
				description:
					'Download the message as MIME and parse it: headers and bodies as JSON, every attachment (inline images too) as binary data',
			},
		],
		default: 'resource',
		displayOptions: { show: { watch: ['messages'] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [FULL_ITEM_OUTPUT, NOTIFICATION_OUTPUT],
		default: 'resource',
		displayOptions: { show: { watch: ['events'] } },
	},
	{
		...mailboxProperty,
		description:
			"Watch another mailbox (a shared mailbox or another user): user principal name, email address or object ID. Leave empty for the signed-in user, or for client credentials the credential's User ID. Microsoft Graph only allows subscriptions on other mailboxes with application permissions (client credentials).",
		displayOptions: undefined,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Binary Property Prefix',
				name: 'binaryPropertyPrefix',
				type: 'string',
				default: DEFAULT_BINARY_PROPERTY_PREFIX,
				description: 'Attachments are output as binary properties named with this prefix and a number: attachment_0, attachment_1, …',
				displayOptions: { show: { '/output': ['mime'] } },
			},
			{
				displayName: 'Duplicate Window (Seconds)',
				name: 'duplicateWindowSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_DUPLICATE_WINDOW_SECONDS,
				description:
					'Microsoft Graph sometimes sends the same notification more than once. A repeated "updated" notification for the same item within this many seconds is dropped; "created" and "deleted" ones are remembered for at least 10 minutes (an item is created or deleted only once). 0 = drop repeats only within one delivery. For an exact guarantee across executions, add a Remove Duplicates node.',
			},
			{
				displayName: 'Include Raw Email',
				name: 'includeRawEmail',
				type: 'boolean',
				default: false,
				description: 'Whether to also output the whole message as an .eml file in the binary property "raw"',
				displayOptions: { show: { '/output': ['mime'] } },
			},
		],
	},
];
