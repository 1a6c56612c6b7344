/**
 * Path parsing and route matching for the emulator. Graph paths are matched per segment,
 * case-insensitively for literals (Graph accepts `mailfolders` and `mailFolders`), and each
 * segment is percent-decoded on its own so ids may carry `/`, `+`, `=` when encoded.
 */
import type { Handler } from './types';

export interface ParsedPath {
	/** Decoded segments, OData key syntax `name('key')` expanded into `name`, `key`. */
	segments: string[];
	/** The same segments as received (still percent-encoded), for building links. */
	rawSegments: string[];
}

export class PathDecodeError extends Error {}

const ODATA_KEY_SEGMENT = /^([A-Za-z][\w.]*)\('((?:[^']|'')*)'\)$/;

function decodeSegment(raw: string): string {
	try {
		return decodeURIComponent(raw);
	} catch {
		throw new PathDecodeError(`Malformed percent-encoding in path segment '${raw}'.`);
	}
}

/** Splits a URL path (no query) into decoded segments, expanding `mailFolders('inbox')`. */
export function parsePath(pathname: string): ParsedPath {
	const segments: string[] = [];
	const rawSegments: string[] = [];
	for (const raw of pathname.split('/')) {
		if (raw === '') continue;
		const decoded = decodeSegment(raw);
		const key = ODATA_KEY_SEGMENT.exec(decoded);
		if (key) {
			segments.push(key[1], key[2].replace(/''/g, "'"));
			rawSegments.push(encodeURIComponent(key[1]), encodeURIComponent(key[2].replace(/''/g, "'")));
		} else {
			segments.push(decoded);
			rawSegments.push(raw);
		}
	}
	return { segments, rawSegments };
}

type PatternSegment = { param: string } | { literal: string };

export interface RouteEntry {
	method: string;
	pattern: string;
	segments: PatternSegment[];
	handler: Handler;
	/** `mailbox` routes are matched after a `/me` or `/users/{id}` prefix. */
	mailbox: boolean;
	/** Literal segments weigh more than params, so `/messages/delta` beats `/messages/:id`. */
	specificity: number;
}

export function compilePattern(pattern: string): { segments: PatternSegment[]; specificity: number } {
	const segments: PatternSegment[] = pattern
		.split('/')
		.filter((s) => s !== '')
		.map((s) => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s.toLowerCase() }));
	const specificity = segments.reduce((sum, s) => sum + ('literal' in s ? 2 : 1), 0);
	return { segments, specificity };
}

/** Matches pattern segments against path segments; returns params or null. */
function matchSegments(pattern: PatternSegment[], path: string[]): Record<string, string> | null {
	if (pattern.length !== path.length) return null;
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) {
		const p = pattern[i];
		if ('param' in p) params[p.param] = path[i];
		else if (p.literal !== path[i].toLowerCase()) return null;
	}
	return params;
}

/** How many leading path segments a pattern accepts (for "Resource not found for the segment"). */
function matchedPrefixLength(pattern: PatternSegment[], path: string[]): number {
	let n = 0;
	while (n < pattern.length && n < path.length) {
		const p = pattern[n];
		if ('literal' in p && p.literal !== path[n].toLowerCase()) break;
		n++;
	}
	return n;
}

export interface MailboxSelector {
	kind: 'me' | 'users';
	/** `users`: the decoded id or UPN segment. */
	user?: string;
	/** Prefix as received, e.g. `/me` or `/users/AdeleV%40contoso.com`. */
	prefix: string;
}

export type RouteResolution =
	| { kind: 'match'; entry: RouteEntry; params: Record<string, string>; mailbox?: MailboxSelector }
	| { kind: 'methodNotAllowed'; allowed: string[] }
	| { kind: 'notFound'; segment: string };

interface Candidate {
	entry: RouteEntry;
	params: Record<string, string>;
	mailbox?: MailboxSelector;
}

function mailboxSelector(path: ParsedPath): { selector: MailboxSelector; rest: string[] } | null {
	const [first, second] = path.segments;
	if (first?.toLowerCase() === 'me') {
		return { selector: { kind: 'me', prefix: '/me' }, rest: path.segments.slice(1) };
	}
	if (first?.toLowerCase() === 'users' && second !== undefined) {
		return {
			selector: { kind: 'users', user: second, prefix: `/users/${path.rawSegments[1]}` },
			rest: path.segments.slice(2),
		};
	}
	return null;
}

/** A table of routes; Graph and control areas each own one. */
export class RouteTable {
	private readonly entries: RouteEntry[] = [];

	add(method: string, pattern: string, handler: Handler, mailbox = false): void {
		const { segments, specificity } = compilePattern(pattern);
		this.entries.push({ method: method.toUpperCase(), pattern, segments, handler, mailbox, specificity });
	}

	/** `includeMailbox: false` ignores mailbox routes (for token-less access to plain routes). */
	resolve(method: string, path: ParsedPath, includeMailbox = true): RouteResolution {
		const candidates = this.candidates(path).filter((c) => includeMailbox || !c.entry.mailbox);
		if (candidates.length === 0) return { kind: 'notFound', segment: this.unmatchedSegment(path) };
		const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
		const forMethod = candidates.filter((c) => c.entry.method === wanted);
		if (forMethod.length === 0) {
			return { kind: 'methodNotAllowed', allowed: [...new Set(candidates.map((c) => c.entry.method))] };
		}
		forMethod.sort((a, b) => b.entry.specificity - a.entry.specificity);
		const best = forMethod[0];
		return { kind: 'match', entry: best.entry, params: best.params, mailbox: best.mailbox };
	}

	private candidates(path: ParsedPath): Candidate[] {
		const found: Candidate[] = [];
		const box = mailboxSelector(path);
		for (const entry of this.entries) {
			if (entry.mailbox) {
				if (!box) continue;
				const params = matchSegments(entry.segments, box.rest);
				if (params) found.push({ entry, params, mailbox: box.selector });
			} else {
				const params = matchSegments(entry.segments, path.segments);
				if (params) found.push({ entry, params });
			}
		}
		return found;
	}

	/** The first path segment no route accepts, as Graph names it in its 400 error. */
	private unmatchedSegment(path: ParsedPath): string {
		const box = mailboxSelector(path);
		let longest = 0;
		for (const entry of this.entries) {
			if (entry.mailbox) {
				if (!box) continue;
				const offset = path.segments.length - box.rest.length;
				longest = Math.max(longest, offset + matchedPrefixLength(entry.segments, box.rest));
			} else {
				longest = Math.max(longest, matchedPrefixLength(entry.segments, path.segments));
			}
		}
		return path.segments[Math.min(longest, path.segments.length - 1)] ?? '';
	}
}
