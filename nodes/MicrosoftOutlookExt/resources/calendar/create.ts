import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../shared/validation';

const showOnlyForCalendarCreate = { resource: ['calendar'], operation: ['create'] };

/** Graph's calendarColor enum (`auto` lets Outlook pick). */
const calendarColorOptions = [
	{ name: 'Auto', value: 'auto' },
	{ name: 'Light Blue', value: 'lightBlue' },
	{ name: 'Light Brown', value: 'lightBrown' },
	{ name: 'Light Gray', value: 'lightGray' },
	{ name: 'Light Green', value: 'lightGreen' },
	{ name: 'Light Orange', value: 'lightOrange' },
	{ name: 'Light Pink', value: 'lightPink' },
	{ name: 'Light Red', value: 'lightRed' },
	{ name: 'Light Teal', value: 'lightTeal' },
	{ name: 'Light Yellow', value: 'lightYellow' },
	{ name: 'Max Color', value: 'maxColor' },
];

/** Color of Create Calendar and of Update Calendar's Update Fields, sent as the body's `color`. */
export const calendarColorField: INodeProperties = {
	displayName: 'Color',
	name: 'color',
	type: 'options',
	options: calendarColorOptions,
	default: 'auto',
	description: 'Color Outlook shows the calendar in',
	routing: { send: { type: 'body', property: 'color' } },
};

/** A calendar name must say something: Graph would answer a blank one with a less helpful 400. */
export function checkedCalendarName(ctx: IExecuteSingleFunctions, value: unknown): string {
	const name = String(value ?? '').trim();
	if (!name) throw inputError(ctx, 'Name is empty', 'Give the calendar a name, e.g. "Team".');
	return name;
}

export async function prepareCalendarCreate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = (requestOptions.body ?? {}) as IDataObject;
	body.name = checkedCalendarName(this, this.getNodeParameter('name'));
	return { ...requestOptions, body };
}

export const calendarCreateDescription: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Team',
		description: 'Name of the new calendar',
		displayOptions: { show: showOnlyForCalendarCreate },
		routing: { send: { type: 'body', property: 'name' } },
	},
	{ ...calendarColorField, displayOptions: { show: showOnlyForCalendarCreate } },
];
