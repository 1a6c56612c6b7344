import type { IDataObject, IDisplayOptions, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';
import { DateTime } from 'luxon';

import { resourceLocator } from '../../shared/descriptions';
import { inputError, isEmail, textList } from '../../shared/validation';

/**
 * What Create Contact and Update Contact share: the contact fields (all optional: Graph marks none required)
 * and one builder that turns the given fields into Graph's contact body, so Update sends exactly what was given.
 */

export function contactLocator(show: IDisplayOptions['show'], description: string): INodeProperties {
	return resourceLocator({ name: 'contactId', displayName: 'Contact', searchListMethod: 'searchContacts', show, description });
}

/** Contact folder (optional): empty = the mailbox's default Contacts folder. */
export function contactFolderLocator(show: IDisplayOptions['show'], description: string): INodeProperties {
	return resourceLocator({
		name: 'contactFolderId',
		displayName: 'Contact Folder',
		searchListMethod: 'searchContactFolders',
		show,
		required: false,
		description,
	});
}

/** `/me/contacts…` or, with a Contact Folder, `/me/contactFolders/{id}/contacts…`. */
export function withContactFolder(ctx: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): IHttpRequestOptions {
	const folder = String(ctx.getNodeParameter('contactFolderId', '', { extractValue: true }) ?? '').trim();
	if (!folder) return requestOptions;
	return { ...requestOptions, url: '/me/contactFolders/{contactFolderId}/contacts' };
}

const PHONE_TYPES = [
	{ name: 'Business', value: 'business' },
	{ name: 'Home', value: 'home' },
	{ name: 'Mobile', value: 'mobile' },
];

const ADDRESS_TYPES = [
	{ name: 'Business', value: 'business' },
	{ name: 'Home', value: 'home' },
	{ name: 'Other', value: 'other' },
];

const text = (name: string, displayName: string, placeholder: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	placeholder,
	description,
});

/** Every contact field, sorted by display name (Additional Fields of Create, Update Fields of Update). */
export const contactFields: INodeProperties[] = [
	text('assistantName', 'Assistant Name', 'Nestor Wilke', "Name of the contact's assistant"),
	text('birthday', 'Birthday', '1974-07-22', 'Date of birth as YYYY-MM-DD, e.g. 1974-07-22'),
	text('businessHomePage', 'Business Home Page', 'https://www.contoso.com', 'Web address of the contact\'s business'),
	text('categories', 'Categories', 'Customers, VIP', 'Outlook category names, separated by commas'),
	text('children', 'Children', 'Anna, Ben', "Names of the contact's children, separated by commas"),
	text('companyName', 'Company', 'Contoso', 'Name of the company the contact works for'),
	text('department', 'Department', 'Sales', 'Department of the contact in the company'),
	text('displayName', 'Display Name', 'Pavel Bansky', "Name shown in Outlook. Leave empty and Outlook builds it from the first name and last name."),
	{
		displayName: 'Email Addresses',
		name: 'emailAddresses',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Email Address',
		default: {},
		description: 'Email addresses of the contact (Outlook keeps at most 3)',
		options: [
			{
				displayName: 'Email Address',
				name: 'emailAddress',
				values: [
					text('address', 'Address', 'pavelb@contoso.com', 'The email address, e.g. pavelb@contoso.com'),
					text('name', 'Name', 'Pavel Bansky', 'Name shown with the address (optional)'),
				],
			},
		],
	},
	text('fileAs', 'File As', 'Bansky, Pavel', 'The name the contact is filed under in the address book'),
	text('givenName', 'First Name', 'Pavel', 'Given name of the contact'),
	text('generation', 'Generation', 'Jr.', 'Suffix of the name, e.g. Jr. or III'),
	text('imAddresses', 'IM Addresses', 'sip:pavelb@contoso.com', 'Instant messaging addresses, separated by commas'),
	text('initials', 'Initials', 'P.J.B.', 'Initials of the contact'),
	text('jobTitle', 'Job Title', 'Sales Manager', 'Job title of the contact'),
	text('surname', 'Last Name', 'Bansky', 'Surname of the contact'),
	text('manager', 'Manager', 'Alex Wilber', "Name of the contact's manager"),
	text('middleName', 'Middle Name', 'J.', 'Middle name of the contact'),
	text('nickName', 'Nickname', 'Pasha', 'Nickname of the contact'),
	{
		displayName: 'Notes',
		name: 'personalNotes',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Notes about the contact (plain text)',
	},
	text('officeLocation', 'Office Location', 'Building 4, room 1250', 'Where the contact works'),
	{
		displayName: 'Phone Numbers',
		name: 'phones',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Phone Number',
		default: {},
		description: 'Phone numbers of the contact: any number of business and home numbers, at most one mobile number',
		options: [
			{
				displayName: 'Phone',
				name: 'phone',
				values: [
					{ displayName: 'Type', name: 'type', type: 'options', options: PHONE_TYPES, default: 'business', description: 'Kind of number' },
					text('number', 'Number', '+1 425 555 0100', 'The phone number as it should be dialed, e.g. +1 425 555 0100'),
				],
			},
		],
	},
	{
		displayName: 'Postal Addresses',
		name: 'postalAddresses',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Postal Address',
		default: {},
		description: 'Postal addresses of the contact: at most one business, one home and one other address',
		options: [
			{
				displayName: 'Address',
				name: 'address',
				values: [
					{ displayName: 'Type', name: 'type', type: 'options', options: ADDRESS_TYPES, default: 'business', description: 'Kind of address' },
					text('street', 'Street', '123 Main St', 'Street and house number'),
					text('city', 'City', 'Redmond', 'City'),
					text('state', 'State', 'WA', 'State or province'),
					text('postalCode', 'Postal Code', '98052', 'Postal or ZIP code'),
					text('countryOrRegion', 'Country or Region', 'United States', 'Country or region'),
				],
			},
		],
	},
	text('profession', 'Profession', 'Engineer', 'Profession of the contact'),
	text('spouseName', 'Spouse Name', 'Maria Bansky', "Name of the contact's spouse or partner"),
	text('title', 'Title', 'Dr.', 'Title before the name, e.g. Dr. or Ms.'),
];

/** Plain text properties copied as given (trimmed). */
const TEXT_PROPERTIES = [
	'assistantName',
	'businessHomePage',
	'companyName',
	'department',
	'displayName',
	'fileAs',
	'generation',
	'givenName',
	'initials',
	'jobTitle',
	'manager',
	'middleName',
	'nickName',
	'officeLocation',
	'personalNotes',
	'profession',
	'spouseName',
	'surname',
	'title',
];

/** Properties that are lists of text in Graph, given comma-separated. */
const TEXT_LIST_PROPERTIES = ['categories', 'children', 'imAddresses'];

function checkedBirthday(ctx: IExecuteSingleFunctions, value: unknown): string {
	const raw = String(value ?? '').trim();
	const date = raw.slice(0, 10);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !DateTime.fromISO(date).isValid) {
		throw inputError(ctx, `Birthday "${raw}" is not a date`, 'Use the form YYYY-MM-DD, e.g. 1974-07-22.');
	}
	// Graph's birthday is a DateTimeOffset; the update example sends a date only ("1974-07-22"), so that is what is sent.
	return date;
}

function emailAddresses(ctx: IExecuteSingleFunctions, value: unknown): IDataObject[] {
	const entries = ((value as IDataObject | undefined)?.emailAddress ?? []) as IDataObject[];
	return entries.map((entry, index) => {
		const address = String(entry.address ?? '').trim();
		if (!isEmail(address)) {
			throw inputError(
				ctx,
				`Email Addresses: address ${index + 1} "${address}" is not an email address`,
				'Enter an address like pavelb@contoso.com, or remove the empty entry.',
			);
		}
		const name = String(entry.name ?? '').trim();
		return name ? { address, name } : { address };
	});
}

function phoneNumbers(ctx: IExecuteSingleFunctions, value: unknown): IDataObject {
	const entries = ((value as IDataObject | undefined)?.phone ?? []) as IDataObject[];
	const business: string[] = [];
	const home: string[] = [];
	const mobile: string[] = [];
	for (const [index, entry] of entries.entries()) {
		const number = String(entry.number ?? '').trim();
		if (!number) throw inputError(ctx, `Phone Numbers: number ${index + 1} is empty`, 'Enter a number like +1 425 555 0100, or remove the entry.');
		const type = String(entry.type ?? 'business');
		if (type === 'mobile') mobile.push(number);
		else if (type === 'home') home.push(number);
		else business.push(number);
	}
	if (mobile.length > 1) {
		throw inputError(ctx, 'Phone Numbers has more than one Mobile number', 'Outlook keeps one mobile number per contact: keep one, make the others Business or Home.');
	}
	const body: IDataObject = {};
	if (business.length) body.businessPhones = business;
	if (home.length) body.homePhones = home;
	if (mobile.length) body.mobilePhone = mobile[0];
	return body;
}

function postalAddresses(ctx: IExecuteSingleFunctions, value: unknown): IDataObject {
	const entries = ((value as IDataObject | undefined)?.address ?? []) as IDataObject[];
	const body: IDataObject = {};
	for (const entry of entries) {
		const type = String(entry.type ?? 'business');
		const key = `${type}Address`;
		if (body[key]) {
			throw inputError(ctx, `Postal Addresses has more than one ${type} address`, 'A contact has at most one business, one home and one other address.');
		}
		const address: IDataObject = {};
		for (const part of ['street', 'city', 'state', 'postalCode', 'countryOrRegion']) {
			const partValue = String(entry[part] ?? '').trim();
			if (partValue) address[part] = partValue;
		}
		body[key] = address;
	}
	return body;
}

/** The given fields → Graph's contact body (only what was given). */
export function contactBody(ctx: IExecuteSingleFunctions, fields: IDataObject): IDataObject {
	const body: IDataObject = {};
	for (const name of TEXT_PROPERTIES) {
		if (fields[name] === undefined) continue;
		body[name] = String(fields[name] ?? '').trim();
	}
	if (fields.birthday !== undefined && String(fields.birthday).trim() !== '') body.birthday = checkedBirthday(ctx, fields.birthday);
	for (const name of TEXT_LIST_PROPERTIES) {
		if (fields[name] === undefined) continue;
		body[name] = textList(fields[name]);
	}
	if (fields.emailAddresses !== undefined) body.emailAddresses = emailAddresses(ctx, fields.emailAddresses);
	if (fields.phones !== undefined) Object.assign(body, phoneNumbers(ctx, fields.phones));
	if (fields.postalAddresses !== undefined) Object.assign(body, postalAddresses(ctx, fields.postalAddresses));
	return body;
}
