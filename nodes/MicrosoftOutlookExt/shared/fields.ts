import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/**
 * Builders for description parts that several resources share, so each operation file writes only what is
 * its own. They return plain n8n properties: the node's description is the same as if written out by hand
 * (test/unit/description-snapshot.test.ts holds it to that).
 */

/** A resource's Operation dropdown: shown for that resource, one option (with its routing) per operation. */
export function operationSelector({
	resource,
	default: defaultOperation,
	options,
}: {
	resource: string;
	default: string;
	options: INodePropertyOptions[];
}): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: defaultOperation,
	};
}
