/**
 * The trigger's filters. What Microsoft Graph can filter goes into the subscription's resource as
 * `$filter` (equality clauses joined with `and`, the only form Microsoft documents for Outlook
 * subscriptions), so non-matching changes are never even sent to n8n. What it cannot (Subject
 * Contains: `contains()` is not documented for subscriptions; To and To or CC: Microsoft documents no
 * lambda over recipients for subscriptions; flagged and @mention checks) is checked on the fetched item
 * before a run starts.
 */
import type { IDataObject } from 'n8n-workflow';

import type { TriggerEvent } from './description';
import { settingsError, type TriggerContext, type Watch } from '../common';

export interface ClientFilter {
	/** Lower case. */
	subjectContains?: string;
	/** Addresses, any of which must be in the message's To line. */
	to?: string[];
	/** Addresses, any of which must be in the message's To or CC line. */
	toOrCc?: string[];
	/** Mail Flagged: the message's flag status must be "flagged". */
	flagged?: boolean;
	/** Mail Mentioning Me: the body must @mention the mailbox. */
	mentionsMailbox?: boolean;
}

/** The filters Graph applies, as values (a resync applies them to delta items itself). Lists: any of. */
export interface GraphFilterValues {
	from?: string[];
	importance?: string;
	hasAttachments?: boolean;
	isRead?: boolean;
	categories?: string[];
	organizer?: string[];
	showAs?: string;
}

export interface Filters {
	/** `$filter` clauses for the subscription resource. */
	graph: string[];
	values: GraphFilterValues;
	client: Pick<ClientFilter, 'subjectContains' | 'to' | 'toOrCc'>;
}

const ADDRESS = /^[^\s@'"<>,;]+@[^\s@'"<>,;]+$/;

/** An OData string literal, safe inside the resource's query string (`'` doubled; `%&#+` percent-encoded). */
export function odataString(value: string): string {
	return `'${value.replace(/'/g, "''").replace(/[%&#+]/g, encodeURIComponent)}'`;
}

function listOf(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

/** `(a eq 'x' or a eq 'y')`, or the single clause. */
function anyOf(clauses: string[]): string {
	return clauses.length === 1 ? clauses[0] : `(${clauses.join(' or ')})`;
}

function addresses(ctx: TriggerContext, field: string, value: unknown): string[] {
	const list = listOf(value);
	const bad = list.find((address) => !ADDRESS.test(address));
	if (bad !== undefined) {
		throw settingsError(ctx, `Filters → ${field} contains "${bad.slice(0, 60)}", which is not an email address`, 'Give email addresses separated by commas, for example alice@contoso.com, bob@fabrikam.com.');
	}
	return list;
}

function oneOf(ctx: TriggerContext, field: string, value: unknown, allowed: string[]): string | undefined {
	const text = String(value ?? '');
	if (text === '') return undefined;
	if (!allowed.includes(text)) throw settingsError(ctx, `Filters → ${field} is "${text.slice(0, 40)}"`, `Choose one of: ${allowed.join(', ')}.`);
	return text;
}

function subjectContains(value: unknown): string | undefined {
	const text = String(value ?? '').trim();
	return text ? text.toLowerCase() : undefined;
}

function mailFilters(ctx: TriggerContext, raw: IDataObject): Filters {
	const graph: string[] = [];
	const from = addresses(ctx, 'From', raw.from);
	if (from.length > 0) graph.push(anyOf(from.map((address) => `from/emailAddress/address eq ${odataString(address)}`)));
	const importance = oneOf(ctx, 'Importance', raw.importance, ['low', 'normal', 'high']);
	if (importance) graph.push(`importance eq ${odataString(importance)}`);
	const hasAttachments = oneOf(ctx, 'Has Attachments', raw.hasAttachments, ['true', 'false']);
	if (hasAttachments) graph.push(`hasAttachments eq ${hasAttachments}`);
	const isRead = oneOf(ctx, 'Is Read', raw.isRead, ['true', 'false']);
	if (isRead) graph.push(`isRead eq ${isRead}`);
	const categories = listOf(raw.categories);
	if (categories.length > 0) graph.push(anyOf(categories.map((category) => `categories/any(c:c eq ${odataString(category)})`)));
	const values: GraphFilterValues = {
		...(from.length > 0 ? { from } : {}),
		...(importance ? { importance } : {}),
		...(hasAttachments ? { hasAttachments: hasAttachments === 'true' } : {}),
		...(isRead ? { isRead: isRead === 'true' } : {}),
		...(categories.length > 0 ? { categories } : {}),
	};
	const to = addresses(ctx, 'To', raw.to);
	const toOrCc = addresses(ctx, 'To or CC', raw.toOrCc);
	const client = {
		subjectContains: subjectContains(raw.subjectContains),
		...(to.length > 0 ? { to } : {}),
		...(toOrCc.length > 0 ? { toOrCc } : {}),
	};
	return { graph, values, client };
}

function eventFilters(ctx: TriggerContext, raw: IDataObject): Filters {
	const graph: string[] = [];
	const organizers = addresses(ctx, 'Organizer', raw.organizer);
	if (organizers.length > 0) graph.push(anyOf(organizers.map((address) => `organizer/emailAddress/address eq ${odataString(address)}`)));
	const showAs = oneOf(ctx, 'Show As', raw.showAs, ['free', 'tentative', 'busy', 'oof', 'workingElsewhere']);
	if (showAs) graph.push(`showAs eq ${odataString(showAs)}`);
	const values: GraphFilterValues = { ...(organizers.length > 0 ? { organizer: organizers } : {}), ...(showAs ? { showAs } : {}) };
	return { graph, values, client: { subjectContains: subjectContains(raw.subjectContains) } };
}

/**
 * The filters of a version 2 node (version 1 has none). Contacts have none: Microsoft documents
 * subscription `$filter` examples for messages and events only, none for contacts (the emulator refuses one).
 */
export function readFilters(ctx: TriggerContext, event: TriggerEvent | 'v1', watch: Watch): Filters {
	if (event === 'v1' || watch === 'contacts') return { graph: [], values: {}, client: {} };
	const raw = (ctx.getNodeParameter(watch === 'messages' ? 'mailFilters' : 'eventFilters', {}) ?? {}) as IDataObject;
	return watch === 'messages' ? mailFilters(ctx, raw) : eventFilters(ctx, raw);
}

export function graphFilterOf(filters: Filters): string | undefined {
	return filters.graph.length > 0 ? filters.graph.join(' and ') : undefined;
}

export function needsClientCheck(filter: ClientFilter): boolean {
	return Boolean(filter.subjectContains || filter.to || filter.toOrCc || filter.flagged || filter.mentionsMailbox);
}

/** The properties the client-side checks read, for a fetch that would otherwise not need the item. */
export function clientFilterSelect(filter: ClientFilter): string {
	return [
		'id',
		'subject',
		...(filter.to || filter.toOrCc ? ['toRecipients'] : []),
		...(filter.toOrCc ? ['ccRecipients'] : []),
		...(filter.flagged ? ['flag'] : []),
		...(filter.mentionsMailbox ? ['body'] : []),
	].join(',');
}

export function isFlagged(item: IDataObject): boolean {
	return (item.flag as IDataObject | undefined)?.flagStatus === 'flagged';
}

/**
 * Whether the body @mentions one of `addresses`. Outlook writes an @mention as a mailto: link to the
 * person (the `mentions` API that says so directly is beta-only in Microsoft Graph).
 */
export function mentions(item: IDataObject, addresses: string[]): boolean {
	const content = String((item.body as IDataObject | undefined)?.content ?? '').toLowerCase();
	return addresses.some((address) => address && content.includes(`mailto:${address.toLowerCase()}`));
}

const sameText = (a: unknown, b: string) => String(a ?? '').toLowerCase() === b.toLowerCase();

function addressOf(value: unknown): string {
	return String(((value as IDataObject | undefined)?.emailAddress as IDataObject | undefined)?.address ?? '');
}

/** Whether one of `wanted` is among the addresses of the item's recipient lists (case ignored). */
function sentToAnyOf(item: IDataObject, lists: Array<'toRecipients' | 'ccRecipients'>, wanted: string[]): boolean {
	const recipients = lists.flatMap((list) => (Array.isArray(item[list]) ? (item[list] as unknown[]) : []));
	return recipients.some((recipient) => wanted.some((address) => sameText(addressOf(recipient), address)));
}

/** Subject, recipient and @mention checks (flag transitions need memory: delivery/items.ts). */
export function matchesClientFilter(filter: ClientFilter, item: IDataObject, mailboxAddresses: string[]): boolean {
	if (filter.subjectContains && !String(item.subject ?? '').toLowerCase().includes(filter.subjectContains)) return false;
	if (filter.to && !sentToAnyOf(item, ['toRecipients'], filter.to)) return false;
	if (filter.toOrCc && !sentToAnyOf(item, ['toRecipients', 'ccRecipients'], filter.toOrCc)) return false;
	if (filter.mentionsMailbox && !mentions(item, mailboxAddresses)) return false;
	if (filter.flagged && !isFlagged(item)) return false;
	return true;
}

/** What Graph's `$filter` would decide for an item (string comparisons ignore case, as Graph's do). */
export function matchesGraphFilter(values: GraphFilterValues, item: IDataObject): boolean {
	if (values.from && !values.from.some((address) => sameText(addressOf(item.from), address))) return false;
	if (values.importance && !sameText(item.importance, values.importance)) return false;
	if (values.hasAttachments !== undefined && item.hasAttachments !== values.hasAttachments) return false;
	if (values.isRead !== undefined && item.isRead !== values.isRead) return false;
	const categories = Array.isArray(item.categories) ? item.categories : [];
	if (values.categories && !values.categories.some((wanted) => categories.some((c) => sameText(c, wanted)))) return false;
	if (values.organizer && !values.organizer.some((address) => sameText(addressOf(item.organizer), address))) return false;
	if (values.showAs && !sameText(item.showAs, values.showAs)) return false;
	return true;
}
