/**
 * `$filter` inside the `resource` of an Outlook change-notification subscription
 * (`me/mailFolders('inbox')/messages?$filter=isRead eq false`): which filter forms the emulator
 * accepts at create time, and how delivery applies an accepted filter.
 *
 * Delivery semantics (graph-facts §1.2, MGD concepts/outlook-change-notifications-overview.md 0a75a47c,
 * "Refine the conditions for a notification"): a filtered subscription watches the set of items that
 * match. An item that starts matching is reported as `created`, one that stops matching (or is deleted
 * while matching) as `deleted`, a change to a matching item that keeps matching as `updated`, and a
 * change to an item that neither matched before nor after is not reported at all.
 *
 * To know "matched before", each filtered subscription keeps which items of its scope matched,
 * computed over the mailbox when the subscription is created and kept up to date by every change
 * event. This needs no snapshot in `ChangeEvent`: the state after the change is read from the store
 * when the event is emitted (change events are dispatched synchronously).
 */
import { calendarState, renderEvent } from './calendar-model';
import { mailboxOf } from './mail-store';
import { ODataQueryError, compileFilter, parseFilter } from './odata';
import { parseResource, type ResourceKind } from './subscriptions-resource';
import type { ChangeEvent, EmulatorCore } from './types';

type Expr = ReturnType<typeof parseFilter>;
type ChangeTypeName = ChangeEvent['changeType'];

// ---------------------------------------------------------------------------------------------------------------
// What Graph accepts

export interface FilterSupportEntry {
	/** Which subscriptions the entry is about; 'any' = messages and events. */
	kind: ResourceKind | 'any';
	/**
	 * The form, as the emulator reduces a filter clause: a property path, the operator and the literal's type
	 * (`<string>`, `<boolean>`, ...); `<a> and <b>` for combinators. Property names compare case-insensitively.
	 */
	form: string;
	accepted: boolean;
	/** Where this comes from (MGD = microsoftgraph/microsoft-graph-docs-contrib). */
	source: string;
	/** Set when the sources do not settle the question; says which way the emulator went and why. */
	unclear?: string;
}

const OVERVIEW = 'MGD concepts/outlook-change-notifications-overview.md (0a75a47c), "Refine the conditions for a notification" + Example 3';
const OUTLOOK_V2 =
	'Outlook REST API v2.0 notify-rest-operations.md, "Refining notification conditions" (retired predecessor of Graph subscriptions; cited in microsoftgraph/microsoft-graph-docs#5926)';
const ISSUE_5373 = 'microsoftgraph/microsoft-graph-docs#5373 (2019, observed)';

/**
 * Every filter form the emulator knows for Outlook subscriptions, accepted or refused. A clause whose
 * form is not listed is refused too: the documentation only ever shows `eq` comparisons combined with
 * `and`, so anything else is treated as unsupported (the conservative choice).
 */
export const SUBSCRIPTION_FILTER_SUPPORT: readonly FilterSupportEntry[] = [
	// Messages
	{ kind: 'message', form: 'hasAttachments eq <boolean>', accepted: true, source: `${OVERVIEW}; ${OUTLOOK_V2}` },
	{ kind: 'message', form: 'importance eq <string>', accepted: true, source: `${OVERVIEW}; ${OUTLOOK_V2}` },
	{ kind: 'message', form: 'isRead eq <boolean>', accepted: true, source: `${OVERVIEW} (the unread-messages example); ${OUTLOOK_V2}` },
	{ kind: 'message', form: 'subject eq <string>', accepted: true, source: `${ISSUE_5373}: a sentitems subscription with subject eq 'Test' notified` },
	{
		kind: 'message',
		form: 'from/emailAddress/address eq <string>',
		accepted: true,
		source: 'filterable in list queries (MGD api-reference/v1.0/api/user-list-messages.md); no subscription doc shows it',
		unclear:
			'Not documented for subscriptions. The only report (microsoftgraph/microsoft-graph-docs#385, 2016: HTTP 500) predates documented $filter support in Graph subscriptions. Accepted, like the other eq forms on plain message properties.',
	},
	{
		kind: 'message',
		form: 'categories/any(x: x eq <string>)',
		accepted: true,
		source: `filterable in list queries; a lambda filter was accepted at subscription create in ${ISSUE_5373}`,
		unclear: `Not documented for subscriptions. ${ISSUE_5373} shows Graph accepting a lambda (singleValueExtendedProperties/any) in a subscription filter. Accepted and applied.`,
	},
	{
		kind: 'message',
		form: 'contains(subject, <string>)',
		accepted: false,
		source: 'no doc, example or issue shows contains() in a subscription resource; the docs only show eq',
		unclear: 'Undocumented either way; refused as the conservative choice (a client applies it itself).',
	},
	{
		kind: 'message',
		form: 'contains(from/emailAddress/address, <string>)',
		accepted: false,
		source: 'as contains(subject, ...)',
		unclear: 'Undocumented either way; refused as the conservative choice.',
	},
	{
		kind: 'message',
		form: 'singleValueExtendedProperties/any(...)',
		accepted: false,
		source: ISSUE_5373,
		unclear: 'Real Graph creates such a subscription but then never notifies; the emulator refuses it so that nobody relies on it.',
	},
	// Events
	{ kind: 'event', form: 'isAllDay eq <boolean>', accepted: true, source: `${OUTLOOK_V2} (the all-day event example)` },
	{
		kind: 'event',
		form: 'subject eq <string>',
		accepted: true,
		source: 'filterable in event list queries (MGD api-reference/v1.0/api/user-list-events.md)',
		unclear: 'Not documented for event subscriptions; accepted like subject eq on messages (observed there).',
	},
	{
		kind: 'event',
		form: 'organizer/emailAddress/address eq <string>',
		accepted: true,
		source: 'filterable in event list queries',
		unclear: 'Not documented for event subscriptions; accepted like from/emailAddress/address on messages.',
	},
	{
		kind: 'event',
		form: 'showAs eq <string>',
		accepted: true,
		source: 'filterable in event list queries',
		unclear: 'Not documented for event subscriptions; accepted like the documented eq forms.',
	},
	{
		kind: 'event',
		form: 'contains(subject, <string>)',
		accepted: false,
		source: 'as for messages',
		unclear: 'Undocumented either way; refused as the conservative choice.',
	},
	// Combinators, both kinds
	{ kind: 'any', form: '<a> and <b>', accepted: true, source: `${OVERVIEW} (hasAttachments eq true AND importance eq 'High')` },
	{
		kind: 'any',
		form: '<a> or <b>',
		accepted: true,
		source: 'OData; no subscription example',
		unclear: 'No doc example uses or in a subscription filter; accepted (plain OData, same evaluator as and), parentheses included.',
	},
	{ kind: 'any', form: 'not <a>', accepted: false, source: 'not in any doc example', unclear: 'Undocumented; refused.' },
];

// ---------------------------------------------------------------------------------------------------------------
// Create-time check

export interface SubscriptionFilter {
	/** The `$filter` text as given. */
	text: string;
	matches: (item: unknown) => boolean;
}

/** Graph's answer to a filter it will not take (an ODataQueryError-like triple). */
export interface FilterRefusal {
	status: number;
	code: string;
	message: string;
}

export type FilterCheck = { ok: true; filter?: SubscriptionFilter } | { ok: false; refusal: FilterRefusal };

/**
 * Reads `$filter` from a subscription resource (already accepted by `parseResource`) and checks it.
 * - Unparsable: 400 `BadRequest` "Invalid filter clause: …" — what Graph answered for a subscription
 *   resource with a bad filter in microsoftgraph/microsoft-graph-docs#12319 (observed, 2021), and what the
 *   emulator's list queries answer.
 * - Parsable but not supported for subscriptions: 400 `ExtensionError` with Outlook's wrapper
 *   "Operation: Create; Exception: [Status Code: BadRequest; Reason: …]" — the shape Graph used to refuse
 *   other query options in a subscription resource (microsoftgraph/microsoft-graph-docs#17004, observed
 *   2022). The exact Reason Graph gives for a filter is not documented; ours names the clause.
 */
export function checkSubscriptionFilter(resource: string, kind: ResourceKind): FilterCheck {
	const parsed = parseResource(resource);
	const text = parsed.ok ? parsed.resource.query.$filter : undefined;
	if (text === undefined) return { ok: true };
	let expr: Expr;
	try {
		expr = parseFilter(text);
	} catch (error) {
		if (error instanceof ODataQueryError) return { ok: false, refusal: { status: 400, code: error.code, message: error.message } };
		throw error;
	}
	const problem = unsupportedClause(expr, kind);
	if (problem) {
		const reason = `The $filter clause '${problem.form}' is not supported in a subscription resource for ${kind}s${problem.why ? ` (${problem.why})` : ''}.`;
		return {
			ok: false,
			refusal: {
				status: 400,
				code: 'ExtensionError',
				message: `Operation: Create; Exception: [Status Code: BadRequest; Reason: ${reason}]`,
			},
		};
	}
	return { ok: true, filter: { text, matches: compileFilter(text) } };
}

function lookup(form: string, kind: ResourceKind): FilterSupportEntry | undefined {
	const wanted = form.toLowerCase();
	return SUBSCRIPTION_FILTER_SUPPORT.find(
		(entry) => (entry.kind === kind || entry.kind === 'any') && entry.form.toLowerCase() === wanted,
	);
}

/** The first clause that is not an accepted form, or undefined when the whole filter is accepted. */
function unsupportedClause(expr: Expr, kind: ResourceKind): { form: string; why?: string } | undefined {
	if (expr.e === 'and' || expr.e === 'or' || expr.e === 'not') {
		const combinator = expr.e === 'not' ? 'not <a>' : `<a> ${expr.e} <b>`;
		const entry = lookup(combinator, kind);
		if (!entry?.accepted) return { form: formOf(expr), why: 'only and/or combinations of eq comparisons are supported' };
		return expr.e === 'not' ? unsupportedClause(expr.expr, kind) : (unsupportedClause(expr.left, kind) ?? unsupportedClause(expr.right, kind));
	}
	const form = formOf(expr);
	const entry = lookup(form, kind);
	if (entry?.accepted) return undefined;
	return { form, why: entry ? undefined : 'only eq comparisons on the documented properties are supported' };
}

/** Reduces one clause to the notation of SUBSCRIPTION_FILTER_SUPPORT. */
function formOf(expr: Expr): string {
	switch (expr.e) {
		case 'literal':
			return literalType(expr);
		case 'path':
			return expr.path.join('/');
		case 'compare':
			return `${formOf(expr.left)} ${expr.op} ${formOf(expr.right)}`;
		case 'call':
			return `${expr.name}(${expr.args.map(formOf).join(', ')})`;
		case 'lambda': {
			const path = expr.path.join('/');
			const body = expr.body;
			const variable = expr.variable;
			const isElementEq =
				body?.e === 'compare' &&
				body.op === 'eq' &&
				body.left.e === 'path' &&
				body.left.path.length === 1 &&
				body.left.path[0] === variable &&
				body.right.e === 'literal';
			if (expr.quantifier === 'any' && isElementEq) return `${path}/any(x: x eq ${formOf(body.right)})`;
			return `${path}/${expr.quantifier}(...)`;
		}
		case 'and':
		case 'or':
			return `${formOf(expr.left)} ${expr.e} ${formOf(expr.right)}`;
		case 'not':
			return `not ${formOf(expr.expr)}`;
	}
}

function literalType(expr: Extract<Expr, { e: 'literal' }>): string {
	if (expr.date) return '<date>';
	if (expr.value === null) return '<null>';
	return `<${typeof expr.value}>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Delivery

/** The part of a stored subscription this module needs. */
export interface FilterScope {
	mailboxUserId: string;
	kind: ResourceKind;
	containerId?: string;
}

interface FilterState {
	filter: SubscriptionFilter;
	/** Item id → whether it matched after the last change the subscription saw. */
	matched: Map<string, boolean>;
}

/** Per subscription object; entries go away with the subscriptions (delete, expiry, reset). */
const filterStates = new WeakMap<object, FilterState>();

/** Attaches an accepted filter to a stored subscription and records which existing items match it now. */
export function attachFilter(core: EmulatorCore, subscription: FilterScope, filter: SubscriptionFilter): void {
	const matched = new Map<string, boolean>();
	for (const [id, item] of itemsInScope(core, subscription)) matched.set(id, filter.matches(item));
	filterStates.set(subscription, { filter, matched });
}

/**
 * The change type a subscription should report for `event` (the event is already known to be in the
 * subscription's scope), or undefined for none. Unfiltered subscriptions get the event's own type.
 * Call exactly once per in-scope event: it also records whether the item now matches.
 */
export function filteredChangeType(core: EmulatorCore, subscription: FilterScope, event: ChangeEvent): ChangeTypeName | undefined {
	const state = filterStates.get(subscription);
	if (!state) return event.changeType;
	const current = event.changeType === 'deleted' ? undefined : currentItem(core, event);
	const after = current !== undefined && state.filter.matches(current);
	const known = state.matched.get(event.id);
	// An item the subscription never saw (added without a change event, e.g. silent seeding): assume its
	// last change did not alter whether it matched.
	const before = known ?? (event.changeType === 'updated' ? after : false);
	if (event.changeType === 'deleted') state.matched.delete(event.id);
	else state.matched.set(event.id, after);

	if (before && after) return event.changeType;
	if (before) return 'deleted';
	if (after) return 'created';
	return undefined;
}

/** The item in Graph's shape as it is now, or undefined when it is gone. */
function currentItem(core: EmulatorCore, event: ChangeEvent): unknown {
	if (event.kind === 'message') return mailboxOf(core, event.userId).messages.get(event.id)?.json;
	// Contacts: no $filter form is accepted for them (FILTER_SUPPORT), so no filter state exists to ask.
	if (event.kind === 'contact') return undefined;
	const record = calendarState(core, event.userId).events.get(event.id);
	return record ? renderEvent(record, {}) : undefined;
}

function* itemsInScope(core: EmulatorCore, scope: FilterScope): Iterable<[string, unknown]> {
	if (scope.kind === 'message') {
		for (const message of mailboxOf(core, scope.mailboxUserId).messages.values()) {
			if (scope.containerId === undefined || message.json.parentFolderId === scope.containerId) yield [message.json.id, message.json];
		}
		return;
	}
	for (const record of calendarState(core, scope.mailboxUserId).events.values()) {
		if (scope.containerId === undefined || record.calendarId === scope.containerId) yield [record.id, renderEvent(record, {})];
	}
}
