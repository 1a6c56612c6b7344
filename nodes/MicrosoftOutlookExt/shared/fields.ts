import type { IDisplayOptions, IExecuteSingleFunctions, INodeProperties, NodeOperationError } from 'n8n-workflow';

import { timeZoneField } from './descriptions';
import { inputError } from './validation';

/**
 * Builders for description parts that several resources share, so each operation file writes only what is
 * its own. They return plain n8n properties: the node's description is the same as if written out by hand
 * (test/unit/description-snapshot.test.ts holds it to that).
 */

/** What differs between two wall-clock time fields: an example value and what the time means. */
interface WallClockTime {
	name: string;
	displayName: string;
	placeholder: string;
	description: string;
}

/** A required date and time without offset (e.g. 2026-05-01T09:30:00), read in the Time Zone field after it. */
export function wallClockTimeField(show: IDisplayOptions['show'], time: WallClockTime): INodeProperties {
	return {
		displayName: time.displayName,
		name: time.name,
		type: 'dateTime',
		required: true,
		default: '',
		placeholder: time.placeholder,
		description: time.description,
		displayOptions: { show },
	};
}

type PeriodEnd = Omit<WallClockTime, 'name' | 'displayName'> & { name?: string };

/**
 * Start At, End At and the Time Zone both are read in (a period sent as Graph dateTimeTimeZone values).
 * The fields are named startDateTime and endDateTime unless a period end names its own.
 */
export function periodFields(show: IDisplayOptions['show'], period: { start: PeriodEnd; end: PeriodEnd }): INodeProperties[] {
	return [
		wallClockTimeField(show, { name: 'startDateTime', displayName: 'Start At', ...period.start }),
		wallClockTimeField(show, { name: 'endDateTime', displayName: 'End At', ...period.end }),
		timeZoneField('timeZone', 'Time Zone', show),
	];
}

/** A message's or an event's importance (Low, Normal, High; Graph's default is normal, the same enum for both). */
export function messageImportanceField(description?: string): INodeProperties {
	return {
		displayName: 'Importance',
		name: 'importance',
		type: 'options',
		options: [
			{ name: 'Low', value: 'low' },
			{ name: 'Normal', value: 'normal' },
			{ name: 'High', value: 'high' },
		],
		default: 'normal',
		description,
	};
}

/** Update Fields of an update operation: only the fields added are sent (PATCH), the others keep their values. */
export function updateFieldsCollection(collection: {
	show: IDisplayOptions['show'];
	description?: string;
	options: INodeProperties[];
}): INodeProperties {
	return {
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: collection.description,
		displayOptions: { show: collection.show },
		options: collection.options,
	};
}

/** Refuses an update with nothing to change, before any request; `description` says which fields to add. */
export function updateFieldsEmptyError(ctx: IExecuteSingleFunctions, description: string): NodeOperationError {
	return inputError(ctx, 'Update Fields is empty', description);
}

/** The Options collection of an operation: optional settings, none sent unless added. */
export function optionsCollection(collection: { show: IDisplayOptions['show']; options: INodeProperties[] }): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: collection.show },
		options: collection.options,
	};
}

/** A required text parameter, trimmed; an empty one is refused before any request ("<label> is empty", then `hint`). */
export function requiredText(ctx: IExecuteSingleFunctions, parameter: string, label: string, hint: string): string {
	const value = String(ctx.getNodeParameter(parameter, '') ?? '').trim();
	if (!value) throw inputError(ctx, `${label} is empty`, hint);
	return value;
}

/** Options → Select Fields: only these properties ($select), sent as given; empty sends none (Graph's default set). */
export function selectFieldsOption(placeholder: string): INodeProperties {
	return {
		displayName: 'Select Fields',
		name: 'select',
		type: 'string',
		default: '',
		placeholder,
		description: 'Comma-separated properties to return ($select). Leave empty for all.',
		routing: { send: { type: 'query', property: '$select', value: '={{ $value || undefined }}' } },
	};
}

/** Options → Filter: an OData `$filter`, sent as given (Graph checks it and answers 400 with its reason). */
export function filterOption(example: string): INodeProperties {
	return {
		displayName: 'Filter',
		name: 'filter',
		type: 'string',
		default: '',
		placeholder: example,
		description: `OData filter ($filter), e.g. <code>${example}</code>`,
		routing: { send: { type: 'query', property: '$filter', value: '={{ $value || undefined }}' } },
	};
}
