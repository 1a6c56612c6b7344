/**
 * Operations declare what they need from the shared request loop (hidden `requestNeeds`,
 * shared/descriptions.ts) instead of the loop testing operation names. This checks the declarations
 * against the node's description: every list (it has Fetch All) and Raw Request are unbatched, and the
 * one read-only POST is declared as such. The behaviour itself runs in real n8n (batch, rawRequest,
 * fault-matrix suites).
 */
import type { INodeProperties } from 'n8n-workflow';

import { MicrosoftOutlookExt } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExt.node';

const properties = new MicrosoftOutlookExt().description.properties;

function operationsOf(property: INodeProperties): string[] {
	const show = property.displayOptions?.show ?? {};
	const resources = (show.resource ?? []) as string[];
	const operations = (show.operation ?? []) as string[];
	return resources.flatMap((resource) => operations.map((operation) => `${resource}.${operation}`));
}

function needsByOperation(): Map<string, string[]> {
	const map = new Map<string, string[]>();
	for (const property of properties.filter((p) => p.name === 'requestNeeds')) {
		for (const operation of operationsOf(property)) map.set(operation, String(property.default).split(','));
	}
	return map;
}

describe('declared request needs', () => {
	const needs = needsByOperation();

	test('every list (an operation with Fetch All) is unbatched', () => {
		const lists = properties.filter((p) => p.name === 'returnAll').flatMap(operationsOf);
		expect(lists.length).toBeGreaterThanOrEqual(6);
		for (const list of lists) expect([list, needs.get(list)]).toEqual([list, expect.arrayContaining(['unbatched'])]);
	});

	test('Raw Request: unbatched, its own retry/timeout options, any page size; Get Free/Busy: a read-only POST', () => {
		expect(needs.get('rawRequest.send')?.sort()).toEqual(['anyPageSize', 'unbatched', 'userRequestOptions']);
		expect(needs.get('calendar.getSchedule')).toEqual(['readOnlyPost']);
	});

	test('per-item writes declare nothing: they are batched and never repeated after a lost answer', () => {
		for (const operation of ['message.delete', 'event.create', 'event.cancel', 'folder.create', 'message.send']) expect(needs.get(operation)).toBeUndefined();
	});
});
