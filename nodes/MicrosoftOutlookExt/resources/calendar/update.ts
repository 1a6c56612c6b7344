import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { updateFieldsCollection, updateFieldsEmptyError } from '../../shared/fields';
import { calendarColorField, checkedCalendarName } from './create';
import { calendarLocator } from './locator';

const showOnlyForCalendarUpdate = { resource: ['calendar'], operation: ['update'] };

/** PATCH sends only the fields given (routed by the collection); nothing given would be a pointless request. */
export async function prepareCalendarUpdate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fields = this.getNodeParameter('updateFields', {}) as IDataObject;
	if (Object.keys(fields).length === 0) {
		throw updateFieldsEmptyError(this, 'Add at least one field to change: Name, Color or Is Default Calendar.');
	}
	const body = { ...((requestOptions.body ?? {}) as IDataObject) };
	if (fields.name !== undefined) body.name = checkedCalendarName(this, fields.name);
	return { ...requestOptions, body };
}

export const calendarUpdateDescription: INodeProperties[] = [
	calendarLocator(showOnlyForCalendarUpdate, 'The calendar to change'),
	updateFieldsCollection({
		show: showOnlyForCalendarUpdate,
		options: [
			calendarColorField,
			{
				displayName: 'Is Default Calendar',
				name: 'isDefaultCalendar',
				type: 'boolean',
				default: true,
				description: 'Whether this becomes the default calendar of the mailbox',
				routing: { send: { type: 'body', property: 'isDefaultCalendar' } },
			},
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'New name of the calendar',
				routing: { send: { type: 'body', property: 'name' } },
			},
		],
	}),
];
