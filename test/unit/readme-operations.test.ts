/**
 * README truth for operations: each resource's section under "## Operations" lists every operation the node shows,
 * as "Name (`value`)" at the start of a table row, and lists nothing else. A renamed, added or removed operation
 * fails here until the README says the same. (A resource with one operation, Raw Request, is described in prose.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { MicrosoftOutlookExt } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExt.node';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const properties = new MicrosoftOutlookExt().description.properties;

const operationsPart = readme.slice(readme.indexOf('\n## Operations\n'), readme.indexOf('\n## ', readme.indexOf('\n## Operations\n') + 1));
/** "### Heading" → the text up to the next heading, within ## Operations. */
const sections = new Map(
	operationsPart
		.split('\n### ')
		.slice(1)
		.map((section) => [section.slice(0, section.indexOf('\n')), section] as const),
);

const resources = (properties.find((p) => p.name === 'resource')?.options ?? []) as INodePropertyOptions[];

function operationsOf(resource: string): INodePropertyOptions[] {
	const selector = properties.find((p: INodeProperties) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource));
	return (selector?.options ?? []) as INodePropertyOptions[];
}

function sectionOf(resourceName: string): string | undefined {
	for (const [heading, text] of sections) if (heading === resourceName || heading.startsWith(`${resourceName} (`)) return text;
	return undefined;
}

/** "| Name (`value`) |" at the start of a table row → [Name, value]. */
function rowsOf(section: string): Array<[string, string]> {
	return [...section.matchAll(/^\| ([^|`]+?) \(`(\w+)`\) \|/gm)].map((match) => [match[1], match[2]]);
}

describe('README: the Operations section names every operation the node shows', () => {
	it('finds the resources and their sections', () => {
		expect(resources.length).toBeGreaterThan(10);
		expect(sections.size).toBeGreaterThan(10);
	});

	it.each(resources.map((resource) => [resource.name, String(resource.value)] as const))('%s', (name, value) => {
		const section = sectionOf(name);
		expect(section).toBeDefined();
		const operations = operationsOf(value).map((operation) => [operation.name, String(operation.value)]);
		expect(operations.length).toBeGreaterThan(0);
		if (operations.length === 1) return;
		expect(rowsOf(section!).sort()).toEqual(operations.sort());
	});
});
