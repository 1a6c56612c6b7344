import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../shared/validation';
import { attendeeFields } from './attendees';
import {
	TIME_ZONE_DESCRIPTION,
	bodyField,
	endField,
	eventBody,
	eventLocatorFields,
	extraEventFields,
	locationField,
	startField,
	subjectField,
	withTimeZonePreference,
} from './fields';

const showOnlyForEventUpdate = { resource: ['event'], operation: ['update'] };

/** PATCH with exactly the fields given; nothing to change is refused before any request. */
export async function prepareEventUpdate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fields = this.getNodeParameter('updateFields', {}) as IDataObject;
	const body = eventBody(this, fields, false);
	if (Object.keys(body).length === 0) {
		throw inputError(
			this,
			'Update Fields is empty',
			'Add at least one field to change, e.g. Subject or Start At with Time Zone.',
		);
	}
	return withTimeZonePreference({ ...requestOptions, body }, fields.timeZone);
}

const updateTimeZoneField: INodeProperties = {
	displayName: 'Time Zone',
	name: 'timeZone',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getTimeZones' },
	default: 'UTC',
	description: TIME_ZONE_DESCRIPTION,
};

const updateFieldOptions: INodeProperties[] = [
	...attendeeFields(),
	bodyField,
	endField('New end, without offset (e.g. 2026-05-01T10:00:00), in Time Zone'),
	locationField,
	startField('New start, without offset (e.g. 2026-05-01T09:30:00), in Time Zone'),
	subjectField,
	updateTimeZoneField,
	...extraEventFields,
].sort((a, b) => a.displayName.localeCompare(b.displayName));

export const eventUpdateDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForEventUpdate),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: showOnlyForEventUpdate },
		options: updateFieldOptions,
	},
];
