import type { IExecuteSingleFunctions, IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { DateTime } from 'luxon';

import { idSegment } from './transport/url';

/**
 * Input checks that run in preSend, before any request: each names the field and the fix.
 * `ctx` is the item's context, so the error is attached to the right item.
 */

export function inputError(ctx: IExecuteSingleFunctions, message: string, description?: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { description, itemIndex: ctx.getItemIndex() });
}

// Deliberately simple: one @, no spaces, a dot in the domain. Graph does the real check.
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export function isEmail(value: string): boolean {
	return EMAIL.test(value);
}

/** "a@x.com, b@y.com" (also `;` or new lines) → validated list. */
export function parseAddressList(ctx: IExecuteSingleFunctions, value: unknown, field: string): string[] {
	const raw = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,;\n]/);
	const addresses = raw.map((a) => a.trim()).filter((a) => a !== '');
	const invalid = addresses.filter((a) => !isEmail(a));
	if (invalid.length) {
		throw inputError(
			ctx,
			`${field} contains an invalid email address: "${invalid[0]}"`,
			`Separate addresses with commas, e.g. "anna@contoso.com, ben@contoso.com".`,
		);
	}
	return addresses;
}

/** "a, b" or ["a", "b"] (a list field, or an expression giving an array) → the trimmed, non-empty entries. */
export function textList(value: unknown): string[] {
	const raw = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
	return raw.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** Graph's recipient shape. */
export function toRecipients(addresses: string[]): IDataObject[] {
	return addresses.map((address) => ({ emailAddress: { address } }));
}

/**
 * "2026-05-01T09:30:00" — a local date-time without offset (the time zone is a separate field).
 * Returns Graph's `dateTimeTimeZone`.
 */
export function parseLocalDateTime(
	ctx: IExecuteSingleFunctions,
	value: unknown,
	field: string,
	timeZone: string,
): { dateTime: string; timeZone: string; millis: number } {
	const text = String(value ?? '').trim();
	const parsed = DateTime.fromISO(text, { zone: 'UTC', setZone: false });
	const hasOffset = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text);
	if (!text || !parsed.isValid || hasOffset || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) {
		throw inputError(
			ctx,
			`${field} "${text}" is not an ISO date-time without offset`,
			`Use the form 2026-05-01T09:30:00 (no "Z" or "+02:00"); the time zone is chosen separately.`,
		);
	}
	return { dateTime: parsed.toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone, millis: parsed.toMillis() };
}

/** A JSON parameter that may arrive as text or as an already-parsed value. */
export function parseJsonParameter<T = unknown>(ctx: IExecuteSingleFunctions, value: unknown, field: string): T {
	if (typeof value !== 'string') return value as T;
	if (value.trim() === '') return undefined as T;
	try {
		return JSON.parse(value) as T;
	} catch (error) {
		throw inputError(ctx, `${field} is not valid JSON`, `${(error as Error).message}. Check quotes and commas.`);
	}
}

/**
 * A resource locator's ID, checked and URL-encoded, for a request a preSend or a request loop builds
 * itself (URL templates of the routing resolve theirs in routing.ts). Refused as bad input, per item.
 */
export function checkedIdParameter(ctx: IExecuteSingleFunctions, name: string, label: string): string {
	try {
		return idSegment(ctx.getNodeParameter(name, undefined, { extractValue: true }), label);
	} catch (error) {
		throw inputError(ctx, (error as Error).message, (error as { description?: string }).description);
	}
}
