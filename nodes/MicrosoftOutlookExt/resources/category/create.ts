import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { requiredText } from '../../shared/fields';
import { inputError } from '../../shared/validation';

const showForCreate = { resource: ['category'], operation: ['create'] };

/** Outlook's 25 preset colors (the name is how Outlook on the web shows it). */
const PRESET_COLORS = [
	'Red', 'Orange', 'Brown', 'Yellow', 'Green', 'Teal', 'Olive', 'Blue', 'Purple', 'Cranberry', 'Steel', 'Dark Steel', 'Gray',
	'Dark Gray', 'Black', 'Dark Red', 'Dark Orange', 'Dark Brown', 'Dark Yellow', 'Dark Green', 'Dark Teal', 'Dark Olive',
	'Dark Blue', 'Dark Purple', 'Dark Cranberry',
];

export const categoryCreateDescription: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'displayName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Invoices',
		description: "The category's name, unique in the mailbox (it cannot be changed later). Messages refer to categories by this name.",
		displayOptions: { show: showForCreate },
	},
	{
		displayName: 'Color',
		name: 'color',
		type: 'options',
		options: [
			{ name: 'None', value: 'none' },
			...PRESET_COLORS.map((name, index) => ({ name: `${name} (preset${index})`, value: `preset${index}` })),
		],
		default: 'none',
		description: 'No color, or one of the 25 preset colors, e.g. preset0 (red); the exact shade depends on the Outlook client',
		displayOptions: { show: showForCreate },
	},
];

export async function prepareCategoryCreate(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const displayName = requiredText(this, 'displayName', 'Name', 'Enter the category name, e.g. Invoices.');
	const color = String(this.getNodeParameter('color', 'none') ?? '').trim();
	if (!/^(none|preset([0-9]|1[0-9]|2[0-4]))$/.test(color)) {
		throw inputError(this, `Color "${color}" is not a preset color`, 'Use none or preset0 … preset24, e.g. preset0 (red).');
	}
	requestOptions.body = { displayName, color };
	return requestOptions;
}
