/**
 * n8n-nodes-base's lint rules for collection parameters, applied to the BUILT descriptions. The linter only sees a
 * collection whose options are an array literal written inside it; collections made by shared builders
 * (optionsCollection, updateFieldsCollection in shared/fields.ts) or from a shared list (contactFields, the event
 * fields) are invisible to it, so this test holds every collection to the same rules:
 * - node-param-collection-type-unsorted-items: 5 or more options are sorted by display name (localeCompare);
 * - node-param-collection-type-item-required: no option of a collection is required.
 */
import type { INodeProperties } from 'n8n-workflow';

import { MicrosoftOutlookExt } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExt.node';
import { MicrosoftOutlookExtTrigger } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExtTrigger.node';

/** The linter's threshold (eslint-plugin-n8n-nodes-base constants MIN_ITEMS_TO_ALPHABETIZE). */
const MIN_ITEMS_TO_ALPHABETIZE = 5;

function collections(properties: INodeProperties[], path: string): Array<{ path: string; options: INodeProperties[] }> {
	return properties.flatMap((property) => {
		const shownFor = property.displayOptions?.show ? ` ${JSON.stringify(property.displayOptions.show)}` : '';
		const here = `${path} > ${property.displayName}${shownFor}`;
		const options = (property.options ?? []) as Array<INodeProperties & { values?: INodeProperties[] }>;
		const own = property.type === 'collection' ? [{ path: here, options: options as INodeProperties[] }] : [];
		const nested = options.flatMap((option) =>
			'type' in option && option.type ? collections([option], here) : collections(option.values ?? [], `${here} > ${option.displayName}`),
		);
		return [...own, ...nested];
	});
}

const all = [
	...collections(new MicrosoftOutlookExt().description.properties, 'Microsoft Outlook Ext'),
	...collections(new MicrosoftOutlookExtTrigger().description.properties, 'Microsoft Outlook Ext Trigger'),
];

describe('collection parameters (the lint rules, on the built descriptions)', () => {
	it('finds the collections', () => {
		expect(all.length).toBeGreaterThan(20);
	});

	it.each(all.filter((c) => c.options.length >= MIN_ITEMS_TO_ALPHABETIZE).map((c) => [c.path, c.options] as const))(
		'%s: options sorted by display name',
		(_path, options) => {
			const names = options.map((option) => option.displayName);
			expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		},
	);

	it.each(all.map((c) => [c.path, c.options] as const))('%s: no required option', (_path, options) => {
		expect(options.filter((option) => option.required === true).map((option) => option.displayName)).toEqual([]);
	});
});
