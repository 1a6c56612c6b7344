/**
 * Bad input × operations, in a real n8n server against the emulator: every item below must be refused
 * before ANY request reaches the emulator (Graph or identity), with an error on its own item that names
 * the field (its display name) and says how to fix it; the other items are unaffected (Continue On Fail).
 * One run per operation: each input item breaks one thing, through expressions over `$json`.
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/input.test.ts
 */
import { ADELE, MEGAN, byId } from '../e2e/support';
import { collectForSecrets, expectNoSecrets } from './secrets';
import { runNode, startReliability, stopReliability, type ReliabilityContext } from './support';

jest.setTimeout(300_000);

let ctx: ReliabilityContext;

beforeAll(async () => {
	ctx = await startReliability();
});

afterAll(async () => {
	await stopReliability(ctx);
});

interface BadItem {
	/** What the item breaks (test name). */
	what: string;
	json: Record<string, unknown>;
	/** The error message must contain this (it names the field). */
	message: string | RegExp;
}

interface InputCase {
	operation: string;
	parameters: Record<string, unknown>;
	items: BadItem[];
	binary?: boolean;
}

/** `={{ $json.<name> ?? <fallback> }}`: an item overrides one parameter, the rest stays valid. */
const from = (name: string, fallback: unknown) => `={{ $json.${name} ?? ${JSON.stringify(fallback)} }}`;
const idFrom = (name: string, fallback: string) => byId(from(name, fallback));

const MAILBOX = { mailbox: from('mailbox', '') };
const BAD_MAILBOX: BadItem = { what: 'a Mailbox that is not an address', json: { mailbox: 'not a mailbox' }, message: 'Mailbox "not a mailbox" is not a mailbox' };
const EMPTY_ID = (field: string, key: string): BadItem => ({ what: `an empty ${field}`, json: { [key]: '  ' }, message: `${field} is empty` });
const SPACED_ID = (field: string, key: string): BadItem => ({
	what: `a ${field} ID with spaces`,
	json: { [key]: 'AAMk not an id' },
	message: `${field} "AAMk not an id" is not a`,
});
const PAGE_LIMIT = (limit: number): BadItem => ({ what: `Page Limit ${limit}`, json: { limit }, message: 'Page Limit must be a whole number from 1 to 1000' });
const TWENTY_ONE = Array.from({ length: 21 }, (_, i) => `user${i}@contoso.com`).join(', ');

const CASES: InputCase[] = [
	{ operation: 'user.getCurrent', parameters: { resource: 'user', operation: 'getCurrent', ...MAILBOX }, items: [BAD_MAILBOX] },
	{ operation: 'user.getSupportedLanguages', parameters: { resource: 'user', operation: 'getSupportedLanguages', ...MAILBOX }, items: [BAD_MAILBOX] },
	{ operation: 'user.getSupportedTimezones', parameters: { resource: 'user', operation: 'getSupportedTimezones', ...MAILBOX }, items: [BAD_MAILBOX] },
	{
		operation: 'calendar.getAll',
		parameters: { resource: 'calendar', operation: 'getAll', limit: from('limit', 10), ...MAILBOX },
		items: [BAD_MAILBOX, PAGE_LIMIT(0), PAGE_LIMIT(1001)],
	},
	{
		operation: 'calendar.create',
		parameters: { resource: 'calendar', operation: 'create', name: from('name', 'Valid'), ...MAILBOX },
		items: [BAD_MAILBOX, { what: 'a blank Name', json: { name: '   ' }, message: 'Name is empty' }],
	},
	{
		operation: 'calendar.update',
		parameters: { resource: 'calendar', operation: 'update', calendarId: idFrom('id', 'AAMkCal='), updateFields: { color: 'lightRed' }, ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Calendar', 'id'), SPACED_ID('Calendar', 'id')],
	},
	{
		operation: 'calendar.delete',
		parameters: { resource: 'calendar', operation: 'delete', calendarId: idFrom('id', 'AAMkCal='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Calendar', 'id'), SPACED_ID('Calendar', 'id')],
	},
	{
		operation: 'calendar.getSchedule',
		parameters: {
			resource: 'calendar',
			operation: 'getSchedule',
			schedules: from('schedules', ADELE.mail),
			startDateTime: from('start', '2031-02-03T09:00:00'),
			endDateTime: from('end', '2031-02-03T12:00:00'),
			timeZone: from('zone', 'UTC'),
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			{ what: 'an invalid address', json: { schedules: `${MEGAN.mail}, megan at contoso` }, message: 'Schedules contains an invalid email address: "megan at contoso"' },
			{ what: 'more than 20 schedules', json: { schedules: TWENTY_ONE }, message: 'Schedules has 21 addresses; Microsoft Graph accepts at most 20' },
			{ what: 'end before start', json: { end: '2031-02-03T08:00:00' }, message: 'End At must be after Start At' },
			{ what: 'a bad ISO date', json: { start: '03/02/2031 09:00' }, message: 'Start At "03/02/2031 09:00" is not an ISO date-time' },
			{ what: 'an offset in the date', json: { end: '2031-02-03T12:00:00Z' }, message: 'End At "2031-02-03T12:00:00Z" is not an ISO date-time' },
			{ what: 'an unknown time zone', json: { zone: 'Atlantis Standard Time' }, message: 'Time Zone "Atlantis Standard Time" is not a time zone' },
		],
	},
	{
		operation: 'event.getAll',
		parameters: {
			resource: 'event',
			operation: 'getAll',
			calendarId: idFrom('id', ''),
			limit: from('limit', 10),
			options: { outputTimeZone: from('zone', 'UTC') },
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			PAGE_LIMIT(1001),
			SPACED_ID('Calendar', 'id'),
			{ what: 'an unknown Output Time Zone', json: { zone: 'Mars/Olympus' }, message: 'Output Time Zone "Mars/Olympus" is not a time zone' },
		],
	},
	{
		operation: 'event.get',
		parameters: { resource: 'event', operation: 'get', eventId: idFrom('id', 'AAMkEvt='), options: { outputTimeZone: from('zone', 'UTC') }, ...MAILBOX },
		items: [
			BAD_MAILBOX,
			EMPTY_ID('Event', 'id'),
			SPACED_ID('Event', 'id'),
			{ what: 'an unknown Output Time Zone', json: { zone: 'Mars/Olympus' }, message: 'Output Time Zone "Mars/Olympus" is not a time zone' },
		],
	},
	{
		operation: 'event.create',
		parameters: {
			resource: 'event',
			operation: 'create',
			subject: 'Bad input',
			startDateTime: from('start', '2031-02-03T09:00:00'),
			endDateTime: from('end', '2031-02-03T10:00:00'),
			timeZone: from('zone', 'UTC'),
			attendees: { attendee: [{ type: 'required', emails: from('emails', MEGAN.mail) }] },
			attendeesDataCollection: from('data', ''),
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			{ what: 'a bad ISO date', json: { start: 'next monday' }, message: 'Start At "next monday" is not an ISO date-time' },
			{ what: 'end before start', json: { end: '2031-02-03T08:00:00' }, message: 'End At must be after Start At' },
			{ what: 'an unknown time zone', json: { zone: 'Mars Standard Time' }, message: 'Time Zone "Mars Standard Time" is not a time zone' },
			{ what: 'an invalid attendee', json: { emails: 'megan@' }, message: 'Attendees contains an invalid email address: "megan@"' },
			{ what: 'attendee JSON that is not JSON', json: { data: '[{"email":' }, message: 'Attendees Data Collection is not valid JSON' },
		],
	},
	{
		operation: 'event.update',
		parameters: {
			resource: 'event',
			operation: 'update',
			eventId: idFrom('id', 'AAMkEvt='),
			updateFields: {
				startDateTime: from('start', '2031-02-03T09:00:00'),
				endDateTime: from('end', '2031-02-03T10:00:00'),
				timeZone: from('zone', 'UTC'),
			},
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			EMPTY_ID('Event', 'id'),
			{ what: 'end before start', json: { end: '2031-02-03T08:59:00' }, message: 'End At must be after Start At' },
			{ what: 'an unknown time zone', json: { zone: 'Mars Standard Time' }, message: 'Time Zone "Mars Standard Time" is not a time zone' },
		],
	},
	{
		operation: 'event.delete',
		parameters: { resource: 'event', operation: 'delete', eventId: idFrom('id', 'AAMkEvt='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Event', 'id'), SPACED_ID('Event', 'id')],
	},
	{
		operation: 'event.cancel',
		parameters: { resource: 'event', operation: 'cancel', eventId: idFrom('id', 'AAMkEvt='), comment: 'x', ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Event', 'id'), SPACED_ID('Event', 'id')],
	},
	{
		operation: 'folder.getAll',
		parameters: { resource: 'folder', operation: 'getAll', parentFolderId: idFrom('id', ''), limit: from('limit', 10), ...MAILBOX },
		items: [BAD_MAILBOX, PAGE_LIMIT(0), SPACED_ID('Parent Folder', 'id')],
	},
	{
		operation: 'folder.create',
		parameters: { resource: 'folder', operation: 'create', displayName: from('name', 'Valid'), parentFolderId: idFrom('id', ''), ...MAILBOX },
		items: [BAD_MAILBOX, { what: 'an empty Display Name', json: { name: '' }, message: 'Display Name is empty' }, SPACED_ID('Parent Folder', 'id')],
	},
	{
		operation: 'folder.delete',
		parameters: { resource: 'folder', operation: 'delete', folderId: idFrom('id', 'AAMkFld='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Mail Folder', 'id'), SPACED_ID('Mail Folder', 'id')],
	},
	{
		operation: 'contact.create',
		parameters: {
			resource: 'contact',
			operation: 'create',
			contactFolderId: idFrom('folder', ''),
			givenName: from('first', 'Ann'),
			additionalFields: {
				birthday: from('birthday', '1974-07-22'),
				emailAddresses: { emailAddress: [{ address: from('email', 'ann@fabrikam.com') }] },
				phones: { phone: [{ type: from('phoneType', 'business'), number: '+1 425 555 0100' }, { type: 'mobile', number: '+1 425 555 0199' }] },
				postalAddresses: { address: [{ type: 'home', city: 'Redmond' }, { type: from('addressType', 'business'), city: 'Seattle' }] },
			},
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			SPACED_ID('Contact Folder', 'folder'),
			{ what: 'an email address that is not one', json: { email: 'ann at fabrikam' }, message: 'Email Addresses: address 1 "ann at fabrikam" is not an email address' },
			{ what: 'a birthday that is not a date', json: { birthday: '22/07/1974' }, message: 'Birthday "22/07/1974" is not a date' },
			{ what: 'two mobile numbers', json: { phoneType: 'mobile' }, message: 'Phone Numbers has more than one Mobile number' },
			{ what: 'two home addresses', json: { addressType: 'home' }, message: 'Postal Addresses has more than one home address' },
		],
	},
	{
		operation: 'contact.getAll',
		parameters: { resource: 'contact', operation: 'getAll', contactFolderId: idFrom('folder', ''), limit: from('limit', 10), options: { emailAddress: from('email', '') }, ...MAILBOX },
		items: [
			BAD_MAILBOX,
			PAGE_LIMIT(0),
			SPACED_ID('Contact Folder', 'folder'),
			{ what: 'an Email Address filter that is not an address', json: { email: 'pavel' }, message: 'Email Address "pavel" is not an email address' },
		],
	},
	{
		operation: 'contact.get',
		parameters: { resource: 'contact', operation: 'get', contactId: idFrom('id', 'AAMkCon='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Contact', 'id'), SPACED_ID('Contact', 'id')],
	},
	{
		operation: 'contact.update',
		parameters: { resource: 'contact', operation: 'update', contactId: idFrom('id', 'AAMkCon='), updateFields: { jobTitle: 'Buyer', birthday: from('birthday', '1974-07-22') }, ...MAILBOX },
		items: [
			BAD_MAILBOX,
			EMPTY_ID('Contact', 'id'),
			SPACED_ID('Contact', 'id'),
			{ what: 'a birthday that is not a date', json: { birthday: '1974-13-45' }, message: 'Birthday "1974-13-45" is not a date' },
		],
	},
	{
		operation: 'contact.delete',
		parameters: { resource: 'contact', operation: 'delete', contactId: idFrom('id', 'AAMkCon='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Contact', 'id'), SPACED_ID('Contact', 'id')],
	},
	{
		operation: 'contactFolder.create',
		parameters: { resource: 'contactFolder', operation: 'create', contactFolderName: from('name', 'Valid'), parentContactFolderId: idFrom('id', ''), ...MAILBOX },
		items: [BAD_MAILBOX, { what: 'a blank Name', json: { name: '  ' }, message: 'Name is empty' }, SPACED_ID('Parent Contact Folder', 'id')],
	},
	{
		operation: 'contactFolder.getAll',
		parameters: { resource: 'contactFolder', operation: 'getAll', parentContactFolderId: idFrom('id', ''), limit: from('limit', 10), ...MAILBOX },
		items: [BAD_MAILBOX, PAGE_LIMIT(1001), SPACED_ID('Parent Contact Folder', 'id')],
	},
	{ operation: 'mailboxSettings.get', parameters: { resource: 'mailboxSettings', operation: 'get', ...MAILBOX }, items: [BAD_MAILBOX] },
	{ operation: 'mailboxSettings.getAutomaticReplies', parameters: { resource: 'mailboxSettings', operation: 'getAutomaticReplies', ...MAILBOX }, items: [BAD_MAILBOX] },
	{
		operation: 'mailboxSettings.setAutomaticReplies',
		parameters: {
			resource: 'mailboxSettings',
			operation: 'setAutomaticReplies',
			status: 'scheduled',
			scheduledStartDateTime: from('start', '2031-08-01T00:00:00'),
			scheduledEndDateTime: from('end', '2031-08-02T00:00:00'),
			timeZone: from('zone', 'UTC'),
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			{ what: 'a scheduled reply without an end', json: { end: '' }, message: 'End At is empty' },
			{ what: 'an end before the start', json: { end: '2031-07-01T00:00:00' }, message: 'End At must be after Start At' },
			{ what: 'an unknown time zone', json: { zone: 'Mars/Olympus' }, message: 'Time Zone "Mars/Olympus" is not a time zone Microsoft Graph knows' },
			{ what: 'a start that is not a date-time', json: { start: 'next Monday' }, message: 'Start At "next Monday" is not an ISO date-time without offset' },
		],
	},
	{
		operation: 'mailboxSettings.getMailTips',
		parameters: { resource: 'mailboxSettings', operation: 'getMailTips', mailTipsAddresses: from('to', 'adelev@contoso.com'), ...MAILBOX },
		items: [
			BAD_MAILBOX,
			{ what: 'a bad address', json: { to: 'adele, ben@fabrikam.com' }, message: 'Email Addresses contains an invalid email address: "adele"' },
			{ what: 'no address', json: { to: ' ' }, message: 'Email Addresses is empty' },
		],
	},
	{
		operation: 'message.getAll',
		parameters: {
			resource: 'message',
			operation: 'getAll',
			folderId: idFrom('id', ''),
			search: from('search', ''),
			filter: from('filter', ''),
			limit: from('limit', 10),
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			{ what: 'Search and Filter together', json: { search: 'report', filter: 'isRead eq false' }, message: 'Search and Filter cannot be combined' },
			PAGE_LIMIT(1001),
			PAGE_LIMIT(-5),
			SPACED_ID('Mail Folder', 'id'),
		],
	},
	{
		operation: 'message.get',
		parameters: { resource: 'message', operation: 'get', messageId: idFrom('id', 'AAMkMsg='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Message', 'id'), SPACED_ID('Message', 'id')],
	},
	{
		operation: 'message.delete',
		parameters: { resource: 'message', operation: 'delete', messageId: idFrom('id', 'AAMkMsg='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Message', 'id'), SPACED_ID('Message', 'id')],
	},
	{
		operation: 'message.send',
		binary: true,
		parameters: {
			resource: 'message',
			operation: 'send',
			toRecipients: from('to', MEGAN.mail),
			ccRecipients: from('cc', ''),
			subject: 'Bad input',
			bodyContent: 'x',
			attachments: { attachment: [{ binaryPropertyName: from('property', 'data') }] },
			dynamicAttachments: from('dynamic', ''),
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			{ what: 'an invalid To address', json: { to: 'megan.contoso.com' }, message: 'To contains an invalid email address: "megan.contoso.com"' },
			{ what: 'an invalid CC address', json: { cc: 'a@b@c.com' }, message: 'CC contains an invalid email address' },
			{ what: 'no recipient', json: { to: '' }, message: 'The message has no recipient' },
			{ what: 'an attachment naming a missing binary property', json: { property: 'invoice' }, message: 'the input item has no binary property "invoice"' },
			{ what: 'Dynamic Attachments that are not JSON', json: { dynamic: '[{"key": "a.txt",' }, message: 'Dynamic Attachments' },
		],
	},
	...(['reply', 'replyAll', 'forward'] as const).map(
		(operation): InputCase => ({
			operation: `message.${operation}`,
			binary: true,
			parameters: {
				resource: 'message',
				operation,
				messageId: idFrom('id', 'AAMkMsg='),
				answerTo: from('to', MEGAN.mail),
				answerCc: from('cc', ''),
				comment: from('comment', 'Thanks'),
				answerBody: from('body', ''),
				attachments: { attachment: [{ binaryPropertyName: from('property', 'data') }] },
				...MAILBOX,
			},
			items: [
				BAD_MAILBOX,
				EMPTY_ID('Message', 'id'),
				SPACED_ID('Message', 'id'),
				{ what: 'a Comment together with a Body', json: { body: '<p>New text</p>' }, message: 'Comment and Body cannot be used together' },
				{ what: 'an invalid To address', json: { to: 'megan.contoso.com' }, message: 'To contains an invalid email address: "megan.contoso.com"' },
				{ what: 'an invalid CC address', json: { cc: 'a@b@c.com' }, message: 'CC contains an invalid email address' },
				{ what: 'an attachment naming a missing binary property', json: { property: 'invoice' }, message: 'the input item has no binary property "invoice"' },
				...(operation === 'forward' ? [{ what: 'a Forward without To', json: { to: '' }, message: 'Forward needs a recipient in To' }] : []),
			],
		}),
	),
	...(['move', 'copy'] as const).map(
		(operation): InputCase => ({
			operation: `message.${operation}`,
			parameters: { resource: 'message', operation, messageId: idFrom('id', 'AAMkMsg='), destinationFolderId: idFrom('folder', 'archive'), ...MAILBOX },
			items: [BAD_MAILBOX, EMPTY_ID('Message', 'id'), SPACED_ID('Message', 'id'), EMPTY_ID('Destination Folder', 'folder'), SPACED_ID('Destination Folder', 'folder')],
		}),
	),
	{
		operation: 'message.update',
		parameters: {
			resource: 'message',
			operation: 'update',
			messageId: idFrom('id', 'AAMkMsg='),
			updateFields: {
				flagStatus: from('flag', 'flagged'),
				flagStartDateTime: from('start', '2026-05-01T09:00:00'),
				flagDueDateTime: from('due', '2026-05-02T09:00:00'),
				toRecipients: from('to', MEGAN.mail),
				categories: '={{ $json.cats ?? [] }}',
				addCategories: '={{ $json.add ?? [] }}',
			},
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			EMPTY_ID('Message', 'id'),
			SPACED_ID('Message', 'id'),
			{ what: 'a Flag Due before Flag Start', json: { due: '2026-04-30T09:00:00' }, message: 'Flag Due (2026-04-30T09:00:00) is before Flag Start (2026-05-01T09:00:00)' },
			{ what: 'a Flag Due without Flag Start', json: { start: '' }, message: 'Flag Due needs a Flag Start' },
			{ what: 'a Flag Start that is not a date', json: { start: 'next monday' }, message: 'Flag Start "next monday" is not an ISO date-time without offset' },
			{ what: 'flag dates with Flag: Complete', json: { flag: 'complete' }, message: 'Flag Start and Flag Due need Flag: Flagged' },
			{ what: 'an unknown flag status', json: { flag: 'urgent' }, message: 'Flag "urgent" is not a flag status' },
			{ what: 'an invalid To address', json: { to: 'megan.contoso.com' }, message: 'To contains an invalid email address: "megan.contoso.com"' },
			{ what: 'Category Names with Add Category Names', json: { cats: ['Red category'], add: ['Blue category'] }, message: 'Category Names and Add Category Names cannot be used together' },
		],
	},
	...(['markAsRead', 'markAsUnread', 'exportEml'] as const).map(
		(operation): InputCase => ({
			operation: `message.${operation}`,
			parameters: { resource: 'message', operation, messageId: idFrom('id', 'AAMkMsg='), ...MAILBOX },
			items: [BAD_MAILBOX, EMPTY_ID('Message', 'id'), SPACED_ID('Message', 'id')],
		}),
	),
	{ operation: 'category.getAll', parameters: { resource: 'category', operation: 'getAll', ...MAILBOX }, items: [BAD_MAILBOX] },
	{
		operation: 'category.create',
		parameters: { resource: 'category', operation: 'create', displayName: from('name', 'Valid'), color: from('color', 'preset3'), ...MAILBOX },
		items: [
			BAD_MAILBOX,
			{ what: 'a blank Name', json: { name: '  ' }, message: 'Name is empty' },
			{ what: 'a color that is not a preset', json: { color: 'preset25' }, message: 'Color "preset25" is not a preset color' },
		],
	},
	{
		operation: 'category.delete',
		parameters: { resource: 'category', operation: 'delete', categoryId: idFrom('id', '7b7c8a3e-3f4e-4a3b-9d0e-2f1c5a6b7c8d'), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Category', 'id'), SPACED_ID('Category', 'id')],
	},
	{
		operation: 'draft.create',
		binary: true,
		parameters: {
			resource: 'draft',
			operation: 'create',
			toRecipients: from('to', MEGAN.mail),
			bccRecipients: from('bcc', ''),
			subject: 'Bad input',
			attachments: { attachment: [{ binaryPropertyName: from('property', 'data') }] },
			dynamicAttachments: from('dynamic', ''),
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			{ what: 'an invalid To address', json: { to: 'megan.contoso.com' }, message: 'To contains an invalid email address: "megan.contoso.com"' },
			{ what: 'an invalid BCC address', json: { bcc: 'a@b' }, message: 'BCC contains an invalid email address: "a@b"' },
			{ what: 'an attachment naming a missing binary property', json: { property: 'invoice' }, message: 'the input item has no binary property "invoice"' },
			{ what: 'Dynamic Attachments that are not an array', json: { dynamic: '{"key": "a.txt"}' }, message: 'Dynamic Attachments must be a JSON array' },
		],
	},
	{
		operation: 'draft.update',
		parameters: {
			resource: 'draft',
			operation: 'update',
			draftId: idFrom('id', 'AAMkDraft='),
			updateFields: { subject: 'Valid', ccRecipients: from('cc', 'carla@contoso.com'), replyTo: from('replyTo', 'support@contoso.com') },
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			EMPTY_ID('Draft', 'id'),
			SPACED_ID('Draft', 'id'),
			{ what: 'an invalid CC address', json: { cc: 'carla(at)contoso.com' }, message: 'CC contains an invalid email address' },
			{ what: 'an invalid Reply To address', json: { replyTo: 'support@' }, message: 'Reply To contains an invalid email address' },
		],
	},
	{
		operation: 'draft.update (nothing to change)',
		parameters: { resource: 'draft', operation: 'update', draftId: byId('AAMkDraft='), updateFields: {} },
		items: [{ what: 'no field to change', json: {}, message: 'Update Fields is empty' }],
	},
	{
		operation: 'draft.update (type without body)',
		parameters: { resource: 'draft', operation: 'update', draftId: byId('AAMkDraft='), updateFields: { bodyContentType: 'text' } },
		items: [{ what: 'Body Content Type without Body', json: {}, message: 'Body Content Type needs Body' }],
	},
	{
		operation: 'draft.get',
		parameters: { resource: 'draft', operation: 'get', draftId: idFrom('id', 'AAMkDraft='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Draft', 'id'), SPACED_ID('Draft', 'id')],
	},
	{
		operation: 'draft.getAll',
		parameters: { resource: 'draft', operation: 'getAll', limit: from('limit', 10), ...MAILBOX },
		items: [BAD_MAILBOX, PAGE_LIMIT(0), PAGE_LIMIT(1001)],
	},
	{
		operation: 'draft.send',
		parameters: { resource: 'draft', operation: 'send', draftId: idFrom('id', 'AAMkDraft='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Draft', 'id'), SPACED_ID('Draft', 'id')],
	},
	{
		operation: 'draft.delete',
		parameters: { resource: 'draft', operation: 'delete', draftId: idFrom('id', 'AAMkDraft='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Draft', 'id'), SPACED_ID('Draft', 'id')],
	},
	{
		operation: 'messageAttachment.getAll',
		parameters: { resource: 'messageAttachment', operation: 'getAll', messageId: idFrom('id', 'AAMkMsg='), limit: from('limit', 10), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Message', 'id'), PAGE_LIMIT(1001)],
	},
	{
		operation: 'messageAttachment.download',
		parameters: {
			resource: 'messageAttachment',
			operation: 'download',
			messageId: idFrom('id', 'AAMkMsg='),
			attachmentId: idFrom('attachment', 'AAMkAtt='),
			binaryPropertyName: from('property', 'data'),
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			SPACED_ID('Message', 'id'),
			EMPTY_ID('Attachment', 'attachment'),
			{ what: 'an empty output field', json: { property: ' ' }, message: 'Put Output File in Field is empty' },
		],
	},
	{
		operation: 'messageAttachment.add',
		binary: true,
		parameters: {
			resource: 'messageAttachment',
			operation: 'add',
			messageId: idFrom('id', 'AAMkMsg='),
			attachments: { attachment: [{ binaryPropertyName: from('property', 'data') }] },
			...MAILBOX,
		},
		items: [
			BAD_MAILBOX,
			EMPTY_ID('Message', 'id'),
			SPACED_ID('Message', 'id'),
			{ what: 'a missing binary property', json: { property: 'invoice' }, message: 'the input item has no binary property "invoice"' },
			{ what: 'an empty Binary Property', json: { property: ' ' }, message: 'Attachments: a row has no Binary Property' },
		],
	},
	{
		operation: 'messageAttachment.delete',
		parameters: { resource: 'messageAttachment', operation: 'delete', messageId: idFrom('id', 'AAMkMsg='), attachmentId: idFrom('attachment', 'AAMkAtt='), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Message', 'id'), SPACED_ID('Attachment', 'attachment')],
	},
	{
		operation: 'folder.get',
		parameters: { resource: 'folder', operation: 'get', folderId: idFrom('id', 'inbox'), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Mail Folder', 'id'), SPACED_ID('Mail Folder', 'id')],
	},
	{
		operation: 'folder.update',
		parameters: { resource: 'folder', operation: 'update', folderId: idFrom('id', 'AAMkFld='), newDisplayName: from('name', 'Valid'), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Mail Folder', 'id'), { what: 'an empty New Name', json: { name: '  ' }, message: 'New Name is empty' }],
	},
	{
		operation: 'folder.move',
		parameters: { resource: 'folder', operation: 'move', folderId: idFrom('id', 'AAMkFld='), destinationFolderId: idFrom('to', 'archive'), ...MAILBOX },
		items: [BAD_MAILBOX, SPACED_ID('Mail Folder', 'id'), EMPTY_ID('Destination Folder', 'to'), SPACED_ID('Destination Folder', 'to')],
	},
	{
		operation: 'folder.copy',
		parameters: { resource: 'folder', operation: 'copy', folderId: idFrom('id', 'AAMkFld='), destinationFolderId: idFrom('to', 'archive'), ...MAILBOX },
		items: [BAD_MAILBOX, EMPTY_ID('Mail Folder', 'id'), EMPTY_ID('Destination Folder', 'to')],
	},
	{
		operation: 'rawRequest.send',
		parameters: {
			resource: 'rawRequest',
			operation: 'send',
			method: from('method', 'POST'),
			path: from('path', '/me/mailFolders'),
			jsonData: from('body', '{"displayName": "x"}'),
		},
		items: [
			{ what: 'an absolute URL on another host', json: { path: 'https://graph.microsoft.com.evil.example/v1.0/me' }, message: /^Path ".*" is not on http:\/\/127\.0\.0\.1/ },
			{ what: 'an absolute http URL on another port', json: { path: 'http://127.0.0.1:1/v1.0/me' }, message: /^Path ".*" is not on / },
			{ what: 'an empty Path', json: { path: ' ' }, message: 'Path is empty' },
			{ what: 'a Path with spaces', json: { path: '/me/messages?$filter=isRead eq false' }, message: 'Path contains spaces' },
			{ what: 'JSON Data that is not JSON', json: { body: "{'displayName': 'x'}" }, message: 'JSON Data is not valid JSON' },
			{ what: 'an unsupported Method', json: { method: 'TRACE' }, message: 'Method "TRACE" is not supported' },
		],
	},
	{
		operation: 'subscription.create',
		parameters: {
			resource: 'subscription',
			operation: 'create',
			subscribeTo: from('to', 'events'),
			folderId: idFrom('folder', 'inbox'),
			changeTypes: `={{ $json.types ?? ["created"] }}`,
			notificationUrl: from('url', 'https://n8n.example.com/webhook/x'),
			expirationDateTime: from('expires', ''),
			clientState: from('state', ''),
		},
		items: [
			{ what: 'an http URL', json: { url: 'http://n8n.example.com/webhook/x' }, message: 'Notification URL must use HTTPS' },
			{ what: 'a Notification URL that is not a URL', json: { url: 'webhook/x' }, message: 'Notification URL "webhook/x" is not a URL' },
			{ what: 'no Change Types', json: { types: [] }, message: 'Change Types is empty' },
			{ what: 'a Client State over 128 characters', json: { state: 's'.repeat(129) }, message: 'Client State is longer than 128 characters' },
			{ what: 'an Expiration that is not a date', json: { expires: 'in two days' }, message: 'Expiration "in two days" is not a date and time' },
			{ what: 'an Expiration in the past', json: { expires: '2020-01-01T00:00:00Z' }, message: 'Expiration is in the past' },
			{ what: 'an empty Mail Folder', json: { to: 'mailFolder', folder: ' ' }, message: 'Mail Folder is empty' },
		],
	},
	{
		operation: 'subscription.getAll',
		parameters: { resource: 'subscription', operation: 'getAll', ...MAILBOX },
		items: [BAD_MAILBOX],
	},
	{
		operation: 'subscription.updateExpiration',
		parameters: {
			resource: 'subscription',
			operation: 'updateExpiration',
			subscriptionId: from('id', '7f105c7d-2dc5-4530-97cd-4e7ae6534c07'),
			expirationDateTime: from('expires', ''),
		},
		items: [
			{ what: 'an empty Subscription ID', json: { id: ' ' }, message: 'Subscription ID is empty' },
			{ what: 'a Subscription ID with spaces', json: { id: 'not an id' }, message: 'Subscription ID "not an id" is not a subscription ID' },
			{ what: 'an Expiration that is not a date', json: { expires: '31/12/2031' }, message: 'Expiration "31/12/2031" is not a date and time' },
			{ what: 'an Expiration in the past', json: { expires: '2001-01-01T00:00:00Z' }, message: 'Expiration is in the past' },
		],
	},
	{
		operation: 'subscription.delete',
		parameters: { resource: 'subscription', operation: 'delete', subscriptionId: from('id', '7f105c7d-2dc5-4530-97cd-4e7ae6534c07') },
		items: [
			{ what: 'an empty Subscription ID', json: { id: '' }, message: 'Subscription ID is empty' },
			{ what: 'a Subscription ID with spaces', json: { id: 'a b' }, message: 'Subscription ID "a b" is not a subscription ID' },
		],
	},
	{
		operation: 'subscription.deleteAllForInstance',
		parameters: { resource: 'subscription', operation: 'deleteAllForInstance', ...MAILBOX },
		items: [BAD_MAILBOX],
	},	...calendarActionCases(),
];

/** Invitations, reminders, recurring series, Calendar View, Find Meeting Times and rooms. */
function calendarActionCases(): InputCase[] {
	const proposal = { proposedStart: from('ps', ''), proposedEnd: from('pe', ''), proposedTimeZone: from('zone', 'UTC') };
	const window = { startDateTime: from('start', '2031-01-01T00:00:00'), endDateTime: from('end', '2031-02-01T00:00:00'), timeZone: from('zone', 'UTC') };
	const badZone: BadItem = { what: 'an unknown time zone', json: { zone: 'Mars/Olympus' }, message: 'Time Zone "Mars/Olympus" is not a time zone Microsoft Graph knows' };
	const windowItems: BadItem[] = [
		{ what: 'End At before Start At', json: { end: '2030-12-01T00:00:00' }, message: 'End At must be after Start At' },
		{ what: 'a window over 1825 days', json: { end: '2036-01-02T00:00:00' }, message: 'The time from Start At to End At must be at most 1825 days' },
		{ what: 'Start At with an offset', json: { start: '2031-01-01T00:00:00Z' }, message: 'Start At "2031-01-01T00:00:00Z" is not an ISO date-time without offset' },
		badZone,
	];
	const room = (key: string) => ({ __rl: true, mode: 'email', value: from(key, '') });
	const notARoom: BadItem = { what: 'a Room that is not an address', json: { room: 'conf room 1' }, message: 'Room "conf room 1" is not an email address' };
	return [
		{
			operation: 'event.accept',
			parameters: { resource: 'event', operation: 'accept', eventId: idFrom('id', 'AAMkEvt='), options: proposal, ...MAILBOX },
			items: [
				BAD_MAILBOX,
				EMPTY_ID('Event', 'id'),
				{ what: 'a proposed new time on Accept', json: { ps: '2031-01-01T10:00:00', pe: '2031-01-01T11:00:00' }, message: 'Accept cannot propose a new time' },
			],
		},
		{
			operation: 'event.decline',
			parameters: { resource: 'event', operation: 'decline', eventId: idFrom('id', 'AAMkEvt='), sendResponse: from('send', true), options: proposal },
			items: [
				{ what: 'a proposal with Send Response off', json: { send: false, ps: '2031-01-01T10:00:00', pe: '2031-01-01T11:00:00' }, message: 'A proposed new time needs Send Response on' },
				{ what: 'a proposal without end', json: { ps: '2031-01-01T10:00:00' }, message: 'Propose New End is missing' },
				{ what: 'a proposed end before its start', json: { ps: '2031-01-01T10:00:00', pe: '2031-01-01T09:00:00' }, message: 'Propose New End must be after Propose New Start' },
				{ what: 'a proposal in an unknown zone', json: { ps: '2031-01-01T10:00:00', pe: '2031-01-01T11:00:00', zone: 'Mars/Olympus' }, message: 'Propose New Time Zone "Mars/Olympus" is not a time zone' },
				{ what: 'a proposed start that is not a date', json: { ps: 'tomorrow', pe: '2031-01-01T11:00:00' }, message: 'Propose New Start "tomorrow" is not an ISO date-time' },
				SPACED_ID('Event', 'id'),
			],
		},
		{
			operation: 'event.tentativelyAccept',
			parameters: { resource: 'event', operation: 'tentativelyAccept', eventId: idFrom('id', 'AAMkEvt='), options: proposal },
			items: [SPACED_ID('Event', 'id'), { what: 'a proposal without start', json: { pe: '2031-01-01T11:00:00' }, message: 'Propose New Start is missing' }],
		},
		{
			operation: 'event.forward',
			parameters: { resource: 'event', operation: 'forward', eventId: idFrom('id', 'AAMkEvt='), recipients: from('to', 'alexw@contoso.com'), ...MAILBOX },
			items: [
				BAD_MAILBOX,
				EMPTY_ID('Event', 'id'),
				{ what: 'no Recipients', json: { to: ' ' }, message: 'Recipients is empty' },
				{ what: 'a Recipient that is not an address', json: { to: 'alexw@contoso.com, alex' }, message: 'Recipients contains an invalid email address: "alex"' },
			],
		},
		{
			operation: 'event.getInstances',
			parameters: { resource: 'event', operation: 'getInstances', eventId: idFrom('id', 'AAMkEvt='), ...window, limit: from('limit', 10), ...MAILBOX },
			items: [BAD_MAILBOX, SPACED_ID('Event', 'id'), PAGE_LIMIT(0), ...windowItems],
		},
		{
			operation: 'event.snoozeReminder',
			parameters: { resource: 'event', operation: 'snoozeReminder', eventId: idFrom('id', 'AAMkEvt='), newReminderTime: from('at', '2031-01-01T08:55:00'), timeZone: from('zone', 'UTC') },
			items: [
				EMPTY_ID('Event', 'id'),
				{ what: 'a New Reminder Time that is not a date', json: { at: 'soon' }, message: 'New Reminder Time "soon" is not an ISO date-time' },
				badZone,
			],
		},
		{
			operation: 'event.dismissReminder',
			parameters: { resource: 'event', operation: 'dismissReminder', eventId: idFrom('id', 'AAMkEvt='), ...MAILBOX },
			items: [BAD_MAILBOX, EMPTY_ID('Event', 'id'), SPACED_ID('Event', 'id')],
		},
		{
			operation: 'event.create, room',
			parameters: {
				resource: 'event',
				operation: 'create',
				subject: 'x',
				startDateTime: '2031-01-01T10:00:00',
				endDateTime: '2031-01-01T11:00:00',
				room: room('room'),
			},
			items: [notARoom],
		},
		{
			operation: 'event.update, room',
			parameters: { resource: 'event', operation: 'update', eventId: idFrom('id', 'AAMkEvt='), room: room('room') },
			items: [notARoom, { what: 'a Room and an Event ID with spaces', json: { room: 'cf101@contoso.com', id: 'AAMk not an id' }, message: 'Event "AAMk not an id" is not a' }],
		},
		{
			operation: 'calendar.get',
			parameters: { resource: 'calendar', operation: 'get', calendarId: idFrom('id', ''), ...MAILBOX },
			items: [BAD_MAILBOX, SPACED_ID('Calendar', 'id')],
		},
		{
			operation: 'calendar.calendarView',
			parameters: { resource: 'calendar', operation: 'calendarView', calendarId: idFrom('id', ''), ...window, limit: from('limit', 10), ...MAILBOX },
			items: [BAD_MAILBOX, SPACED_ID('Calendar', 'id'), PAGE_LIMIT(1001), ...windowItems],
		},
		{
			operation: 'calendar.findMeetingTimes',
			parameters: {
				resource: 'calendar',
				operation: 'findMeetingTimes',
				requiredAttendees: from('required', 'meganb@contoso.com'),
				optionalAttendees: from('optional', ''),
				room: room('room'),
				meetingDuration: from('minutes', 30),
				maxCandidates: from('max', 5),
				options: { minimumAttendeePercentage: from('percent', 50) },
				startDateTime: from('start', '2031-01-06T08:00:00'),
				endDateTime: from('end', '2031-01-06T17:00:00'),
				timeZone: from('zone', 'UTC'),
				...MAILBOX,
			},
			items: [
				BAD_MAILBOX,
				{ what: 'a Required Attendee that is not an address', json: { required: 'megan' }, message: 'Required Attendees contains an invalid email address: "megan"' },
				{ what: 'an Optional Attendee that is not an address', json: { optional: 'a@b' }, message: 'Optional Attendees contains an invalid email address' },
				notARoom,
				{ what: 'Meeting Duration 0', json: { minutes: 0 }, message: 'Meeting Duration must be a whole number of minutes from 1 to 1440' },
				{ what: 'a meeting longer than the window', json: { minutes: 600 }, message: 'Meeting Duration (600 minutes) is longer than the time from Start At to End At' },
				{ what: 'Max Candidates 0', json: { max: 0 }, message: 'Max Candidates must be a whole number, at least 1' },
				{ what: 'Minimum Attendee Percentage 150', json: { percent: 150 }, message: 'Minimum Attendee Percentage must be a number from 0 to 100' },
				{ what: 'End At before Start At', json: { end: '2031-01-06T07:00:00' }, message: 'End At must be after Start At' },
				badZone,
			],
		},
		{
			operation: 'room.getAll',
			parameters: { resource: 'room', operation: 'getAll', limit: from('limit', 10) },
			items: [PAGE_LIMIT(0)],
		},
		{
			operation: 'room.getRoomLists',
			parameters: { resource: 'room', operation: 'getRoomLists', limit: from('limit', 10) },
			items: [PAGE_LIMIT(1001)],
		},
		{
			operation: 'room.getRoomsInList',
			parameters: { resource: 'room', operation: 'getRoomsInList', roomListEmail: room('list') },
			items: [
				{ what: 'an empty Room List', json: { list: ' ' }, message: 'Room List is empty' },
				{ what: 'a Room List that is not an address', json: { list: 'bldg1' }, message: 'Room List "bldg1" is not an email address' },
			],
		},
	];
}

function binaryItems(items: BadItem[]) {
	const data = { base64: Buffer.from('attachment').toString('base64'), fileName: 'a.txt', mimeType: 'text/plain' };
	return items.map((item) => ({ json: item.json, binary: { data } }));
}

describe.each(CASES)('$operation', ({ parameters, items, binary }) => {
	it(`refuses ${items.map((item) => item.what).join('; ')} — before any request, naming the field`, async () => {
		const run = await runNode(ctx, {
			parameters,
			continueOnFail: true,
			...(binary ? { binaryItems: binaryItems(items) } : { items: items.map((item) => item.json) }),
		});
		collectForSecrets(run);
		expect(run.requests.map((r) => `${r.method} ${r.url}`)).toEqual([]);
		expect(run.success).toBe(true);
		expect(run.output.map((item) => item.pairedItem?.item)).toEqual(items.map((_, index) => index));
		const refusals = run.output.map((item) => {
			const description = item.error?.description ?? item.json.description;
			return {
				message: String(item.error?.message ?? item.json.error ?? ''),
				hasFix: typeof description === 'string' && description.length > 10,
				bad: item.error?.name === 'NodeOperationError',
			};
		});
		items.forEach((item, index) => {
			const { message, hasFix, bad } = refusals[index];
			expect({ what: item.what, bad }).toEqual({ what: item.what, bad: true });
			if (typeof item.message === 'string') expect({ what: item.what, message }).toEqual({ what: item.what, message: expect.stringContaining(item.message) });
			else expect({ what: item.what, message }).toEqual({ what: item.what, message: expect.stringMatching(item.message) });
			expect({ what: item.what, hasFix }).toEqual({ what: item.what, hasFix: true });
		});
	});
});

describe('secrets', () => {
	it('no token, client secret or clientState in n8n\'s log, node outputs or errors', async () => {
		await expectNoSecrets(ctx);
	});
});
