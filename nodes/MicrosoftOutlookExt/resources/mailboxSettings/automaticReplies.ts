import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { periodFields } from '../../shared/fields';
import { inputError } from '../../shared/validation';
import { assertEndAfterStart, checkedTimeZone, toDateTimeTimeZone, zonedDateTime } from '../../shared/timeZones';

const showOnlyForSet = { resource: ['mailboxSettings'], operation: ['setAutomaticReplies'] };
const showWhenScheduled = { ...showOnlyForSet, status: ['scheduled'] };

const STATUSES = ['disabled', 'alwaysEnabled', 'scheduled'];
const AUDIENCES = ['none', 'contactsOnly', 'all'];

function checkedChoice(ctx: IExecuteSingleFunctions, value: unknown, allowed: string[], field: string): string {
	const text = String(value ?? '').trim();
	const match = allowed.find((choice) => choice.toLowerCase() === text.toLowerCase());
	if (!match) throw inputError(ctx, `${field} "${text}" is not one of ${allowed.join(', ')}`, `Choose ${field} from the list, e.g. ${allowed[allowed.length - 1]}.`);
	return match;
}

/**
 * PATCH /mailboxSettings with only automaticRepliesSetting. A scheduled reply needs a start, an end after it and a
 * time zone Graph knows: all refused here, before any request.
 */
export async function prepareSetAutomaticReplies(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const status = checkedChoice(this, this.getNodeParameter('status', 'alwaysEnabled'), STATUSES, 'Status');
	const setting: IDataObject = { status };
	if (status !== 'disabled') {
		setting.externalAudience = checkedChoice(this, this.getNodeParameter('externalAudience', 'all'), AUDIENCES, 'External Audience');
	}
	for (const name of ['internalReplyMessage', 'externalReplyMessage']) {
		const message = String(this.getNodeParameter(name, '') ?? '');
		if (message.trim() !== '') setting[name] = message;
	}
	if (status === 'scheduled') {
		const start = String(this.getNodeParameter('scheduledStartDateTime', '') ?? '').trim();
		const end = String(this.getNodeParameter('scheduledEndDateTime', '') ?? '').trim();
		if (!start) throw inputError(this, 'Start At is empty', 'A scheduled automatic reply needs a start, e.g. 2026-08-01T00:00:00.');
		if (!end) throw inputError(this, 'End At is empty', 'A scheduled automatic reply needs an end, e.g. 2026-08-15T00:00:00. Use Status "Always" for a reply without an end.');
		const zone = checkedTimeZone(this, this.getNodeParameter('timeZone', 'UTC'), 'Time Zone');
		const startAt = zonedDateTime(this, start, 'Start At', zone);
		const endAt = zonedDateTime(this, end, 'End At', zone);
		assertEndAfterStart(this, startAt, endAt, { start: 'Start At', end: 'End At' });
		setting.scheduledStartDateTime = toDateTimeTimeZone(startAt);
		setting.scheduledEndDateTime = toDateTimeTimeZone(endAt);
	}
	return { ...requestOptions, body: { automaticRepliesSetting: setting } };
}

/** Graph answers with the updated properties (`{ automaticRepliesSetting }`): output the setting itself. */
export async function outputAutomaticReplies(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return items.map((item) => ({ ...item, json: (item.json.automaticRepliesSetting as IDataObject | undefined) ?? item.json }));
}

export const setAutomaticRepliesDescription: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Always', value: 'alwaysEnabled', description: 'Reply to every message until switched off' },
			{ name: 'Disabled', value: 'disabled', description: 'Switch automatic replies off' },
			{ name: 'Scheduled', value: 'scheduled', description: 'Reply only between Start At and End At' },
		],
		default: 'alwaysEnabled',
		description: 'Whether automatic replies are off, always on, or on between two times',
		displayOptions: { show: showOnlyForSet },
	},
	...periodFields(showWhenScheduled, {
		start: {
			name: 'scheduledStartDateTime',
			placeholder: '2026-08-01T00:00:00',
			description: 'When the automatic replies start, without offset (e.g. 2026-08-01T00:00:00), in the Time Zone below',
		},
		end: {
			name: 'scheduledEndDateTime',
			placeholder: '2026-08-15T00:00:00',
			description: 'When the automatic replies stop, without offset (e.g. 2026-08-15T00:00:00), in the Time Zone below',
		},
	}),
	{
		displayName: 'Internal Reply Message',
		name: 'internalReplyMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'I am out of the office until 15 August.',
		description: 'Reply sent to senders in your organization (HTML or plain text). Leave empty to keep the current message.',
		displayOptions: { show: showOnlyForSet },
	},
	{
		displayName: 'External Reply Message',
		name: 'externalReplyMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'Thank you for your message. I will answer after 15 August.',
		description: 'Reply sent to senders outside your organization (HTML or plain text). Leave empty to keep the current message.',
		displayOptions: { show: showOnlyForSet },
	},
	{
		displayName: 'External Audience',
		name: 'externalAudience',
		type: 'options',
		options: [
			{ name: 'All External Senders', value: 'all' },
			{ name: 'My Contacts Only', value: 'contactsOnly' },
			{ name: 'None', value: 'none', description: 'Outside senders get no automatic reply' },
		],
		default: 'all',
		description: 'Which senders outside your organization get the External Reply Message',
		displayOptions: { show: { ...showOnlyForSet, status: ['alwaysEnabled', 'scheduled'] } },
	},
];
