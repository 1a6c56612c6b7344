import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { mailboxProperty, resourceLocator } from '../../shared/descriptions';
import { DEFAULT_BINARY_PROPERTY_PREFIX } from '../../shared/mime';
import { calendarLocator } from '../../resources/calendar/locator';
import { DEFAULT_DUPLICATE_WINDOW_SECONDS } from '../delivery/dedupe';

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

/**
 * Version 1: "Watch" (messages of a folder or calendar events) + Change Types. Version 2 (new nodes):
 * a Trigger On selector of presets, filters and resync. Version 1 workflows keep working unchanged.
 */
const V1 = { '@version': [1] };
const V2 = { '@version': [2] };

export const MAIL_EVENTS = ['newMail', 'newMailShared', 'mailFlagged', 'mailMentioningMe', 'mailChanged'] as const;
export const CALENDAR_EVENTS = ['eventCreated', 'eventUpdated', 'eventDeleted', 'eventChanged', 'eventStartingSoon'] as const;
/** Version 2 only (version 1's Watch offers messages and events). */
export const CONTACT_EVENTS = ['contactCreated', 'contactUpdated', 'contactDeleted', 'contactChanged'] as const;
export type TriggerEvent = (typeof MAIL_EVENTS)[number] | (typeof CALENDAR_EVENTS)[number] | (typeof CONTACT_EVENTS)[number];
const FOR_CONTACTS = { ...V2, event: [...CONTACT_EVENTS] };

/** The same property shown for mail (v1: Watch = messages; v2: a mail event) or for calendar events. */
function forEach(kind: 'mail' | 'calendar', property: INodeProperties, extra: IDisplayOptions['show'] = {}): INodeProperties[] {
	return [
		{ ...property, displayOptions: { show: { ...V1, watch: [kind === 'mail' ? 'messages' : 'events'], ...extra } } },
		{ ...property, displayOptions: { show: { ...V2, event: [...(kind === 'mail' ? MAIL_EVENTS : CALENDAR_EVENTS)], ...extra } } },
	];
}

const TRIGGER_EVENT_OPTIONS = [
	{ name: 'New Mail in Folder', value: 'newMail', action: 'On new mail in folder', description: 'A message arrives in (or is moved to) a folder, Inbox by default' },
	{ name: 'New Mail in Shared Mailbox', value: 'newMailShared', action: 'On new mail in shared mailbox', description: 'A message arrives in a folder of a shared mailbox or another user (client credentials)' },
	{ name: 'Mail Flagged', value: 'mailFlagged', action: 'On mail flagged', description: 'A message in a folder is flagged for follow-up' },
	{ name: 'Mail Mentioning Me', value: 'mailMentioningMe', action: 'On mail mentioning me', description: 'A new message @mentions the mailbox owner' },
	{ name: 'Any Mail Change in Folder', value: 'mailChanged', action: 'On any mail change in folder', description: 'Messages created, updated or deleted in a folder (choose which)' },
	{ name: 'Event Created', value: 'eventCreated', action: 'On event created', description: 'A calendar event is created' },
	{ name: 'Event Updated', value: 'eventUpdated', action: 'On event updated', description: 'A calendar event is changed' },
	{ name: 'Event Deleted', value: 'eventDeleted', action: 'On event deleted', description: 'A calendar event is deleted or cancelled' },
	{ name: 'Any Calendar Change', value: 'eventChanged', action: 'On any calendar change', description: 'Events created, updated or deleted (choose which)' },
	{
		name: 'Upcoming Event Starting Soon',
		value: 'eventStartingSoon',
		action: 'On upcoming event starting soon',
		description: 'An event starts within the chosen number of minutes (the calendar is read every 30 seconds; moved and cancelled events are followed)',
	},
	{ name: 'Contact Created', value: 'contactCreated', action: 'On contact created', description: 'A contact is added to the Contacts folder (or the contact folder chosen)' },
	{ name: 'Contact Updated', value: 'contactUpdated', action: 'On contact updated', description: 'A contact in the Contacts folder (or the contact folder chosen) is changed' },
	{ name: 'Contact Deleted', value: 'contactDeleted', action: 'On contact deleted', description: 'A contact is deleted from the Contacts folder (or the contact folder chosen)' },
	{ name: 'Any Contact Change', value: 'contactChanged', action: 'On any contact change', description: 'Contacts created, updated or deleted (choose which)' },
];

const ANY = { name: 'Any', value: '' };

/** Version 1, and the "Any … Change" presets of version 2. */
const CHANGE_TYPES_PROPERTY: INodeProperties = {
	displayName: 'Change Types',
	name: 'changeTypes',
	type: 'multiOptions',
	options: CHANGE_TYPE_OPTIONS,
	default: ['created'],
	required: true,
	description: 'Which changes start the workflow (at least one)',
};

/** Checked by the node on the changed item (Graph does not document contains() for subscriptions). */
const SUBJECT_CONTAINS_FILTER: INodeProperties = {
	displayName: 'Subject Contains',
	name: 'subjectContains',
	type: 'string',
	default: '',
	description: 'Text the subject must contain (case-insensitive)',
};

const MAIL_FILTERS: INodeProperties = {
	displayName: 'Filters',
	name: 'mailFilters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	description:
		'Only changes to messages that match start the workflow. Microsoft Graph applies From, Importance, Has Attachments, Is Read and Categories itself (nothing else is even sent to n8n); Subject Contains, To and To or CC are checked by the node before a run starts.',
	options: [
		{
			displayName: 'Categories',
			name: 'categories',
			type: 'string',
			default: '',
			placeholder: 'Red category, Customers',
			description: 'Comma-separated: messages with at least one of these categories',
		},
		{
			displayName: 'From',
			name: 'from',
			type: 'string',
			default: '',
			placeholder: 'alice@contoso.com, bob@fabrikam.com',
			description: 'Comma-separated sender addresses: messages from any of them',
		},
		{
			displayName: 'Has Attachments',
			name: 'hasAttachments',
			type: 'options',
			options: [ANY, { name: 'With Attachments', value: 'true' }, { name: 'Without Attachments', value: 'false' }],
			default: '',
		},
		{
			displayName: 'Importance',
			name: 'importance',
			type: 'options',
			options: [ANY, { name: 'High', value: 'high' }, { name: 'Normal', value: 'normal' }, { name: 'Low', value: 'low' }],
			default: '',
		},
		{
			displayName: 'Is Read',
			name: 'isRead',
			type: 'options',
			options: [ANY, { name: 'Read', value: 'true' }, { name: 'Unread', value: 'false' }],
			default: '',
		},
		SUBJECT_CONTAINS_FILTER,
		{
			displayName: 'To',
			name: 'to',
			type: 'string',
			default: '',
			placeholder: 'support@contoso.com, sales@contoso.com',
			description: 'Comma-separated addresses: messages with any of them in the To line (checked by the node)',
		},
		{
			displayName: 'To or CC',
			name: 'toOrCc',
			type: 'string',
			default: '',
			placeholder: 'support@contoso.com',
			description: 'Comma-separated addresses: messages with any of them in the To or CC line (checked by the node)',
		},
	],
};

const EVENT_FILTERS: INodeProperties = {
	displayName: 'Filters',
	name: 'eventFilters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	description:
		'Only changes to events that match start the workflow. Microsoft Graph applies Organizer and Show As itself; Subject Contains is checked by the node before a run starts. Deleted events cannot be checked against Subject Contains (they no longer exist) and are passed on.',
	options: [
		{
			displayName: 'Organizer',
			name: 'organizer',
			type: 'string',
			default: '',
			placeholder: 'alice@contoso.com',
			description: "Comma-separated organizer addresses: events organized by any of them",
		},
		{
			displayName: 'Show As',
			name: 'showAs',
			type: 'options',
			options: [
				ANY,
				{ name: 'Busy', value: 'busy' },
				{ name: 'Free', value: 'free' },
				{ name: 'Out of Office', value: 'oof' },
				{ name: 'Tentative', value: 'tentative' },
				{ name: 'Working Elsewhere', value: 'workingElsewhere' },
			],
			default: '',
		},
		SUBJECT_CONTAINS_FILTER,
	],
};

/** The trigger's parameters; the node file spreads them after the authentication choice. */
export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Trigger On',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		options: TRIGGER_EVENT_OPTIONS,
		default: 'newMail',
		displayOptions: { show: V2 },
	},
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
		displayOptions: { show: V1 },
	},
	...forEach('mail', {
		...resourceLocator({
			name: 'folderId',
			displayName: 'Mail Folder',
			searchListMethod: 'searchFolders',
			show: {},
			description: 'Folder whose messages are watched (a well-known name such as "inbox" or "sentitems" works too)',
		}),
		default: { mode: 'id', value: 'inbox' },
	}),
	...forEach('calendar', {
		displayName: 'Calendars',
		name: 'calendarScope',
		type: 'options',
		options: [
			{ name: 'All Calendars', value: 'all', description: 'Events of every calendar of the mailbox' },
			{ name: 'One Calendar', value: 'one', description: 'Events of the calendar chosen below' },
		],
		default: 'all',
	}),
	...forEach('calendar', calendarLocator({}, 'The calendar whose events are watched'), { calendarScope: ['one'] }),
	{ ...CHANGE_TYPES_PROPERTY, displayOptions: { show: V1 } },
	{ ...CHANGE_TYPES_PROPERTY, displayOptions: { show: { ...V2, event: ['mailChanged', 'eventChanged'] } } },
	{
		displayName: 'Contact Folder',
		name: 'contactFolderScope',
		type: 'options',
		options: [
			{ name: 'Contacts (Default Folder)', value: 'default', description: "Contacts of the mailbox's default Contacts folder" },
			{ name: 'One Contact Folder', value: 'one', description: 'Contacts of the contact folder chosen below' },
		],
		default: 'default',
		description: 'Which contacts are watched',
		displayOptions: { show: FOR_CONTACTS },
	},
	resourceLocator({
		name: 'contactFolderId',
		displayName: 'Folder',
		searchListMethod: 'searchContactFolders',
		show: { ...FOR_CONTACTS, contactFolderScope: ['one'] },
		description: 'The contact folder whose contacts are watched, for example one named "Customers"',
	}),
	{ ...CHANGE_TYPES_PROPERTY, displayOptions: { show: { ...V2, event: ['contactChanged'] } } },
	{
		displayName: 'Minutes Before Start',
		name: 'minutesBefore',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10080 },
		default: 15,
		description: 'How long before an event starts the workflow runs for it',
		displayOptions: { show: { ...V2, event: ['eventStartingSoon'] } },
	},
	{ ...MAIL_FILTERS, displayOptions: { show: { ...V2, event: [...MAIL_EVENTS] } } },
	{ ...EVENT_FILTERS, displayOptions: { show: { ...V2, event: [...CALENDAR_EVENTS] } } },
	...forEach('mail', {
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			FULL_ITEM_OUTPUT,
			{ name: 'Simple', value: 'simple', description: 'The properties most workflows use (sender, recipients as addresses, subject, preview, dates, flags)' },
			{ name: 'Selected Fields', value: 'fields', description: 'Only the message properties listed in Fields' },
			NOTIFICATION_OUTPUT,
			{
				name: 'Parsed Email With Attachments',
				value: 'mime',
				description:
					'Download the message as MIME and parse it: headers and bodies as JSON, every attachment (inline images too) as binary data',
			},
		],
		default: 'resource',
	}),
	...forEach(
		'mail',
		{
			displayName: 'Fields',
			name: 'fields',
			type: 'string',
			default: 'subject,from,receivedDateTime',
			required: true,
			description: 'Message properties to output, separated by commas (the ID is always included)',
		},
		{ output: ['fields'] },
	),
	...forEach('calendar', {
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [FULL_ITEM_OUTPUT, NOTIFICATION_OUTPUT],
		default: 'resource',
	}),
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [FULL_ITEM_OUTPUT, NOTIFICATION_OUTPUT],
		default: 'resource',
		description: 'Full Item outputs the contact as Microsoft Graph gives it (names, email addresses, phone numbers, addresses, company); a deleted contact is output as its notification',
		displayOptions: { show: FOR_CONTACTS },
	},
	{
		...mailboxProperty,
		description:
			"Watch another mailbox (a shared mailbox or another user): user principal name, email address or object ID. Leave empty for the signed-in user, or for client credentials the credential's User ID. Microsoft Graph only allows subscriptions on other mailboxes with application permissions (client credentials).",
		displayOptions: { hide: { event: ['newMailShared'] } },
	},
	{
		...mailboxProperty,
		required: true,
		description:
			'The shared mailbox (or other user) to watch: user principal name, email address or object ID. Microsoft Graph only allows subscriptions on other mailboxes with application permissions (client credentials).',
		displayOptions: { show: { ...V2, event: ['newMailShared'] } },
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
				displayOptions: { show: { '/output': ['mime', 'resource', 'simple', 'fields'] }, hide: { '/event': [...CONTACT_EVENTS] } },
			},
			{
				displayName: 'Duplicate Window (Seconds)',
				name: 'duplicateWindowSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_DUPLICATE_WINDOW_SECONDS,
				description:
					'Microsoft Graph sometimes sends the same notification more than once. A repeat of the same change (same item, change type and change key) within this many seconds is dropped; "created" and "deleted" ones are remembered for at least 10 minutes. A new change of the same item always runs. 0 = drop repeats only within one delivery. For an exact guarantee across executions, add a Remove Duplicates node.',
			},
			{
				displayName: 'Include Attachments',
				name: 'includeAttachments',
				type: 'boolean',
				default: false,
				description:
					"Whether to output the message's file attachments as binary data (one request for the list and one per attachment; Parsed Email always includes them)",
				displayOptions: { show: { '/output': ['resource', 'simple', 'fields'] }, hide: { '/event': [...CONTACT_EVENTS] } },
			},
			{
				displayName: 'Include Raw Email',
				name: 'includeRawEmail',
				type: 'boolean',
				default: false,
				description: 'Whether to also output the whole message as an .eml file in the binary property "raw"',
				displayOptions: { show: { '/output': ['mime'] } },
			},
			{
				displayName: 'Max Attachment Size (MB)',
				name: 'maxAttachmentSizeMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 25,
				description: 'With Include Attachments: larger attachments are not downloaded but listed in attachmentsSkipped',
				displayOptions: { show: { '/output': ['resource', 'simple', 'fields'] }, hide: { '/event': [...CONTACT_EVENTS] } },
			},
			{
				displayName: 'Max Resync Items',
				name: 'maxResyncItems',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 500,
				description:
					'When notifications were lost (Microsoft Graph reports "missed", the subscription had to be created again, or n8n was down), the trigger reads what changed since its last sync and outputs each change no notification delivered, marked source "resync". At most this many per resync; the rest are counted in a final summary item.',
				displayOptions: { show: { '@version': [2] } },
			},
			{
				displayName: 'Rich Notifications',
				name: 'richNotifications',
				type: 'boolean',
				default: false,
				description:
					"Whether Microsoft Graph should send the changed item itself, encrypted for a key this node creates, instead of only its ID: no request per notification (Full Item output holds Graph's selected properties, without the body). The subscription then lives at most a day and is renewed more often. Not with Mail Mentioning Me.",
				displayOptions: { show: { '@version': [2] } },
			},
			{
				displayName: 'Shared Duplicate Store (Redis URL)',
				name: 'sharedDuplicateStore',
				type: 'string',
				default: '',
				placeholder: 'redis://redis:6379/0',
				description:
					'Queue mode with several webhook processes: a Redis every n8n process reaches (usually the one n8n itself uses). Each change is claimed there, so a notification Graph repeats to two processes at the same moment runs once. Leave empty with a single n8n process. A password in the URL is stored in the workflow: prefer a Redis user limited to this use.',
				displayOptions: { show: { '@version': [2] } },
			},
		],
	},
];
