import type { IDataObject, IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import { inputError, isEmail, parseAddressList, parseJsonParameter } from '../../shared/validation';

/**
 * Attendees come from two inputs: the "Attendees" collection (a type + comma-separated addresses per entry)
 * and "Attendees Data Collection" (JSON, for lists built by earlier nodes). They are merged in that order and
 * de-duplicated by address, case-insensitively; the first occurrence wins.
 */

export const ATTENDEE_TYPES = ['required', 'optional', 'resource'] as const;
export type AttendeeType = (typeof ATTENDEE_TYPES)[number];

export interface Attendee {
	email: string;
	name?: string;
	type: AttendeeType;
}

const COLLECTION_FIELD = 'Attendees';
const DATA_FIELD = 'Attendees Data Collection';

/** Graph accepts the type case-insensitively; we send it in Graph's own (lower) case. */
function attendeeType(ctx: IExecuteSingleFunctions, value: unknown, where: string): AttendeeType {
	if (value === undefined || value === null || value === '') return 'required';
	const type = String(value).trim().toLowerCase();
	if (!(ATTENDEE_TYPES as readonly string[]).includes(type)) {
		throw inputError(ctx, `${where}: type "${String(value)}" is not an attendee type`, 'Use required, optional or resource.');
	}
	return type as AttendeeType;
}

function fromCollection(ctx: IExecuteSingleFunctions, collection: unknown): Attendee[] {
	const entries = ((collection ?? {}) as IDataObject).attendee;
	const list = Array.isArray(entries) ? (entries as IDataObject[]) : entries ? [entries as IDataObject] : [];
	return list.flatMap((entry) => {
		const type = attendeeType(ctx, entry.type, COLLECTION_FIELD);
		return parseAddressList(ctx, entry.emails, COLLECTION_FIELD).map((email) => ({ email, type }));
	});
}

function fromDataEntry(ctx: IExecuteSingleFunctions, entry: unknown, index: number): Attendee {
	const where = `${DATA_FIELD} entry ${index + 1}`;
	const shapeHint = 'Each entry is an address string or an object {"email": "...", "name": "...", "type": "required"}.';
	if (typeof entry === 'string') {
		const email = entry.trim();
		if (!isEmail(email)) throw inputError(ctx, `${where}: "${email}" is not a valid email address`, shapeHint);
		return { email, type: 'required' };
	}
	if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
		throw inputError(ctx, `${where} is neither an address nor an object`, shapeHint);
	}
	const { email, name, type } = entry as IDataObject;
	if (typeof email !== 'string' || !isEmail(email.trim())) {
		throw inputError(ctx, `${where}: "email" is missing or not a valid email address`, shapeHint);
	}
	if (name !== undefined && name !== null && typeof name !== 'string') {
		throw inputError(ctx, `${where}: "name" must be text`, shapeHint);
	}
	const attendee: Attendee = { email: email.trim(), type: attendeeType(ctx, type, where) };
	if (typeof name === 'string' && name.trim()) attendee.name = name.trim();
	return attendee;
}

function fromData(ctx: IExecuteSingleFunctions, value: unknown): Attendee[] | undefined {
	const data = parseJsonParameter<unknown>(ctx, value, DATA_FIELD);
	if (data === undefined || data === null) return undefined;
	if (!Array.isArray(data)) {
		throw inputError(
			ctx,
			`${DATA_FIELD} must be a JSON array`,
			'For example [{"email": "anna@contoso.com", "type": "optional"}, "ben@contoso.com"].',
		);
	}
	return data.map((entry, index) => fromDataEntry(ctx, entry, index));
}

function dedupe(attendees: Attendee[]): Attendee[] {
	const seen = new Set<string>();
	return attendees.filter((attendee) => {
		const key = attendee.email.toLowerCase();
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/**
 * Graph's `attendees` from both inputs, or undefined when neither input was given (so an update leaves the
 * attendees alone). An explicit `[]` in the data collection clears them.
 */
export function graphAttendees(
	ctx: IExecuteSingleFunctions,
	collection: unknown,
	data: unknown,
): IDataObject[] | undefined {
	const listed = fromCollection(ctx, collection);
	const fromJson = fromData(ctx, data);
	if (listed.length === 0 && fromJson === undefined) return undefined;
	return dedupe([...listed, ...(fromJson ?? [])]).map((attendee) => ({
		emailAddress: attendee.name ? { address: attendee.email, name: attendee.name } : { address: attendee.email },
		type: attendee.type,
	}));
}

/** The two attendee inputs (shown at the top level for Create Event, inside Update Fields for Update Event). */
export function attendeeFields(): INodeProperties[] {
	return [
		{
			displayName: 'Attendees',
			name: 'attendees',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Attendees',
			default: {},
			options: [
				{
					displayName: 'Attendee',
					name: 'attendee',
					values: [
						{
							displayName: 'Type',
							name: 'type',
							type: 'options',
							options: [
								{ name: 'Optional', value: 'optional' },
								{ name: 'Required', value: 'required' },
								{ name: 'Resource', value: 'resource', description: 'A room or equipment' },
							],
							default: 'required',
							required: true,
						},
						{
							displayName: 'Attendees',
							name: 'emails',
							type: 'string',
							default: '',
							placeholder: 'anna@contoso.com, ben@contoso.com',
							description: 'Email addresses, separated by commas',
						},
					],
				},
			],
		},
		{
			displayName: 'Attendees Data Collection',
			name: 'attendeesDataCollection',
			type: 'json',
			default: '',
			placeholder: '[{"email": "anna@contoso.com", "name": "Anna", "type": "optional"}, "ben@contoso.com"]',
			description:
				'More attendees as a JSON array of address strings or {email, name?, type?} objects (type: required, optional or resource; default required). Merged with Attendees; duplicate addresses are dropped.',
		},
	];
}
