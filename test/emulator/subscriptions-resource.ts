/**
 * Parses the `resource` property of a change-notification subscription into what the emulator needs
 * to match change events: whose mailbox, messages or events, and (optionally) which folder/calendar.
 * Pure: no emulator state, so it can be unit-tested on its own.
 */

export type ResourceKind = 'message' | 'event' | 'contact';

export type ResourceOwner = { kind: 'me' } | { kind: 'user'; idOrUpn: string };

export interface ParsedResource {
	owner: ResourceOwner;
	kind: ResourceKind;
	/** Messages: folder id or well-known name as given; events: calendar id. Undefined = whole mailbox. */
	container?: string;
	/** `$filter`/`$select` from the resource's query string; `$filter` is checked and applied by subscriptions-filter.ts. */
	query: Record<string, string>;
}

export type ParseResult = { ok: true; resource: ParsedResource } | { ok: false; reason: string };

/** Query options Graph accepts inside an Outlook subscription resource. */
const ALLOWED_QUERY_OPTIONS = new Set(['$filter', '$select']);

export function parseResource(resource: string): ParseResult {
	const trimmed = resource.trim().replace(/^\/+/, '');
	const queryStart = trimmed.indexOf('?');
	const pathPart = queryStart === -1 ? trimmed : trimmed.slice(0, queryStart);
	const queryPart = queryStart === -1 ? '' : trimmed.slice(queryStart + 1);

	const query = parseQuery(queryPart);
	if (!query.ok) return query;
	const segments = splitSegments(pathPart);
	if (!segments) return { ok: false, reason: 'the path is not well formed' };

	const owner = readOwner(segments);
	if (!owner) return { ok: false, reason: 'the path must start with me/ or users/{id}/' };
	const rest = segments.slice(owner.kind === 'me' ? 1 : 2);
	const target = readTarget(rest);
	if (!target) return { ok: false, reason: 'only messages, events and contacts of a mailbox are supported' };
	return { ok: true, resource: { owner, ...target, query: query.query } };
}

function parseQuery(queryPart: string): { ok: true; query: Record<string, string> } | { ok: false; reason: string } {
	const query: Record<string, string> = {};
	if (queryPart === '') return { ok: true, query };
	for (const pair of queryPart.split('&')) {
		if (pair === '') continue;
		const eq = pair.indexOf('=');
		const key = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
		const value = safeDecode((eq === -1 ? '' : pair.slice(eq + 1)).replace(/\+/g, ' '));
		if (key === undefined || value === undefined) return { ok: false, reason: 'the query string is not well formed' };
		const normalized = key.toLowerCase();
		if (!ALLOWED_QUERY_OPTIONS.has(normalized)) {
			return { ok: false, reason: `the query option '${key}' is not supported in a subscription resource` };
		}
		query[normalized] = value;
	}
	return { ok: true, query };
}

/**
 * Splits `a/b('x')/c` into `['a', 'b', 'x', 'c']`: OData key syntax `name('key')` is the same as `name/key`.
 * Returns undefined for malformed input.
 */
function splitSegments(path: string): string[] | undefined {
	const segments: string[] = [];
	for (const raw of path.split('/')) {
		if (raw === '') continue;
		const keyed = /^([^()]+)\((?:'((?:[^']|'')*)'|"([^"]*)"|([^'"()]*))\)$/.exec(raw);
		const parts = keyed ? [keyed[1], (keyed[2] ?? keyed[3] ?? keyed[4] ?? '').replace(/''/g, "'")] : [raw];
		for (const part of parts) {
			const decoded = safeDecode(part);
			if (decoded === undefined || decoded === '') return undefined;
			segments.push(decoded);
		}
	}
	return segments;
}

function readOwner(segments: string[]): ResourceOwner | undefined {
	const first = segments[0]?.toLowerCase();
	if (first === 'me') return { kind: 'me' };
	if (first === 'users' && segments.length > 1) return { kind: 'user', idOrUpn: segments[1] };
	return undefined;
}

function readTarget(rest: string[]): { kind: ResourceKind; container?: string } | undefined {
	const names = rest.map((segment) => segment.toLowerCase());
	if (names.length === 1 && names[0] === 'messages') return { kind: 'message' };
	if (names.length === 3 && names[0] === 'mailfolders' && names[2] === 'messages') {
		return { kind: 'message', container: rest[1] };
	}
	if (names.length === 1 && names[0] === 'events') return { kind: 'event' };
	if (names.length === 3 && names[0] === 'calendars' && names[2] === 'events') {
		return { kind: 'event', container: rest[1] };
	}
	// Outlook contacts (subscription.md: me/contacts, users/{id}/contactFolders/{id}/contacts).
	if (names.length === 1 && names[0] === 'contacts') return { kind: 'contact' };
	if (names.length === 3 && names[0] === 'contactfolders' && names[2] === 'contacts') {
		return { kind: 'contact', container: rest[1] };
	}
	return undefined;
}

function safeDecode(value: string): string | undefined {
	try {
		return decodeURIComponent(value);
	} catch {
		return undefined;
	}
}
