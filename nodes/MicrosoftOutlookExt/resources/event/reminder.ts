import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { timeZoneField } from '../../shared/descriptions';
import { wallClockTimeField } from '../../shared/fields';
import { checkedTimeZone, toDateTimeTimeZone, zonedDateTime } from '../../shared/timeZones';
import { eventLocatorFields } from './fields';

/** Snooze Reminder (event-snoozereminder.md) and Dismiss Reminder (event-dismissreminder.md): 200, no body. */

const showOnlyForSnooze = { resource: ['event'], operation: ['snoozeReminder'] };
const showOnlyForDismiss = { resource: ['event'], operation: ['dismissReminder'] };

export async function prepareSnoozeReminder(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const zone = checkedTimeZone(this, this.getNodeParameter('timeZone', 'UTC'), 'Time Zone');
	const time = zonedDateTime(this, this.getNodeParameter('newReminderTime', ''), 'New Reminder Time', zone);
	return { ...requestOptions, body: { newReminderTime: toDateTimeTimeZone(time) } };
}

export const eventSnoozeReminderDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForSnooze),
	wallClockTimeField(showOnlyForSnooze, {
		name: 'newReminderTime',
		displayName: 'New Reminder Time',
		placeholder: '2026-05-01T09:25:00',
		description: 'When the reminder shows again, without offset (e.g. 2026-05-01T09:25:00), in the Time Zone below',
	}),
	timeZoneField('timeZone', 'Time Zone', showOnlyForSnooze),
];

export const eventDismissReminderDescription: INodeProperties[] = [...eventLocatorFields(showOnlyForDismiss)];
