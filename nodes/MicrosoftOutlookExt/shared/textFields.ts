import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties, INodePropertyCollection } from 'n8n-workflow';

import { inputError } from './validation';

/**
 * A text field whose expression returns an object or array would reach Graph as
 * "[object Object]" (or as a JSON object where Graph wants text). Every text field of the
 * operation is checked before any request and refused by its name.
 */
export function textFieldGuard(properties: () => INodeProperties[]) {
	return async function rejectObjectsInTextFields(
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const given = this.getNode().parameters;
		const byName = new Map<string, INodeProperties[]>();
		for (const property of properties()) byName.set(property.name, [...(byName.get(property.name) ?? []), property]);
		for (const [name, definitions] of byName) {
			if (!(name in given)) continue;
			checkValue(this, definitions, this.getNodeParameter(name, undefined) as unknown, definitions[0].displayName);
		}
		return requestOptions;
	};
}

function isObject(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object';
}

/** Checks a value against all definitions sharing its name (same name, other operations). */
function checkValue(ctx: IExecuteSingleFunctions, definitions: INodeProperties[], value: unknown, label: string): void {
	if (value === undefined || value === null) return;
	const types = new Set(definitions.map((d) => d.type));
	if (types.size !== 1) return;
	const [type] = types;
	if ((type === 'string' || type === 'options' || type === 'dateTime') && isObject(value)) {
		throw inputError(
			ctx,
			`${label} must be text, but its expression returns ${Array.isArray(value) ? 'an array' : 'an object'}`,
			`Point the expression at the text inside it (e.g. {{ $json.subject }} instead of {{ $json }}), or turn it into text with JSON.stringify(…).`,
		);
	}
	if (type === 'resourceLocator' && isObject(value) && isObject(value.value)) {
		throw inputError(ctx, `${label} must be an ID or URL, but its expression returns an object`, 'Point the expression at the "id" field of the item.');
	}
	if (!isObject(value) || Array.isArray(value)) return;
	if (type === 'collection') {
		// Same-named collections of other operations (e.g. Update Fields) have other options: all count.
		const options = definitions.flatMap((definition) => (definition.options ?? []) as INodeProperties[]);
		for (const name of Object.keys(value)) {
			const same = options.filter((option) => option.name === name);
			if (same.length > 0) checkValue(ctx, same, value[name], `${label} → ${same[0].displayName}`);
		}
	}
	if (type === 'fixedCollection' && definitions.length === 1) {
		for (const group of (definitions[0].options ?? []) as INodePropertyCollection[]) {
			const rows = value[group.name];
			for (const row of Array.isArray(rows) ? rows : rows === undefined ? [] : [rows]) {
				if (!isObject(row)) continue;
				for (const field of group.values) {
					if (field.name in row) checkValue(ctx, [field], row[field.name], `${label} → ${field.displayName}`);
				}
			}
		}
	}
}
