/**
 * OData query options for emulator collections, with Graph's (Outlook's) semantics:
 * $filter (a useful subset), $search (quoted, exclusive with $filter/$orderby), $orderby, $skip,
 * $top (bounded), $count, $select, and `@odata.nextLink` that keeps every original parameter and
 * advances `%24skip`.
 */
import type { EmulatorCore, GraphRequest, Reply } from './types';

export interface ListOptions<T> {
	defaultTop: number;
	maxTop: number;
	/** Value for @odata.context. */
	contextUrl: string;
	/** undefined = $search not supported (400). `terms` is the text inside the double quotes. */
	search?: (item: T, terms: string) => boolean;
	/** Default true. */
	filterable?: boolean;
	/**
	 * Outlook messages: with both $filter and $orderby, the $orderby properties must come first in
	 * $filter, in the same order, else 400 `InefficientFilter`. Default false.
	 */
	orderByMustLeadFilter?: boolean;
}

/** A query option Graph would reject; becomes a 400 reply. */
export class ODataQueryError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

// ---- query option access ---------------------------------------------------------------------

/** Reads `$name` from the query, accepting any case of the option name (`$Top`). */
export function queryOption(query: Record<string, string>, name: string): string | undefined {
	if (name in query) return query[name];
	const lower = name.toLowerCase();
	const key = Object.keys(query).find((k) => k.toLowerCase() === lower);
	return key === undefined ? undefined : query[key];
}

function parseTop(raw: string | undefined, options: { defaultTop: number; maxTop: number }): number {
	if (raw === undefined) return options.defaultTop;
	if (!/^\s*-?\d+\s*$/.test(raw)) throw new ODataQueryError('BadRequest', `Invalid value '${raw}' for $top query option found. The $top query option requires a non-negative integer value.`);
	const top = Number(raw);
	if (top < 1 || top > options.maxTop) {
		throw new ODataQueryError('ErrorInvalidParameter', `The value '${raw}' of parameter 'Top' is invalid: it must be between 1 and ${options.maxTop}.`);
	}
	return top;
}

function parseSkip(raw: string | undefined): number {
	if (raw === undefined) return 0;
	if (!/^\s*\d+\s*$/.test(raw)) throw new ODataQueryError('BadRequest', `Invalid value '${raw}' for $skip query option found. The $skip query option requires a non-negative integer value.`);
	return Number(raw);
}

function parseCount(raw: string | undefined): boolean {
	if (raw === undefined) return false;
	const value = raw.trim().toLowerCase();
	if (value === 'true') return true;
	if (value === 'false') return false;
	throw new ODataQueryError('BadRequest', `'${raw}' is not a valid count option.`);
}

function parseSearchTerms(raw: string): string {
	const trimmed = raw.trim();
	if (trimmed.length < 2 || !trimmed.startsWith('"') || !trimmed.endsWith('"')) {
		throw new ODataQueryError('BadRequest', `Syntax error: the $search value '${raw}' must be enclosed in double quotes.`);
	}
	return trimmed.slice(1, -1);
}

// ---- $filter: tokenizer ----------------------------------------------------------------------

type Token =
	| { t: 'punct'; v: '(' | ')' | ',' | ':' }
	| { t: 'string'; v: string }
	| { t: 'number'; v: number }
	| { t: 'date'; v: string }
	| { t: 'guid'; v: string }
	| { t: 'word'; v: string };

const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/i;
const GUID_LITERAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])/i;
const NUMBER_LITERAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w])/;
const WORD = /^[A-Za-z_@$][\w.@$]*(\/[A-Za-z_@$][\w.@$]*)*/;

class FilterSyntaxError extends Error {}

function tokenize(text: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < text.length) {
		const ch = text[i];
		if (/\s/.test(ch)) {
			i++;
			continue;
		}
		if (ch === '(' || ch === ')' || ch === ',' || ch === ':') {
			tokens.push({ t: 'punct', v: ch });
			i++;
			continue;
		}
		if (ch === "'") {
			let value = '';
			i++;
			for (;;) {
				if (i >= text.length) throw new FilterSyntaxError(`Unterminated string literal at position ${i}`);
				if (text[i] === "'") {
					if (text[i + 1] === "'") {
						value += "'";
						i += 2;
						continue;
					}
					i++;
					break;
				}
				value += text[i++];
			}
			tokens.push({ t: 'string', v: value });
			continue;
		}
		const rest = text.slice(i);
		const guid = GUID_LITERAL.exec(rest);
		if (guid) {
			tokens.push({ t: 'guid', v: guid[0] });
			i += guid[0].length;
			continue;
		}
		const date = DATE_LITERAL.exec(rest);
		if (date) {
			tokens.push({ t: 'date', v: date[0] });
			i += date[0].length;
			continue;
		}
		const num = NUMBER_LITERAL.exec(rest);
		if (num) {
			tokens.push({ t: 'number', v: Number(num[0]) });
			i += num[0].length;
			continue;
		}
		const word = WORD.exec(rest);
		if (word) {
			tokens.push({ t: 'word', v: word[0] });
			i += word[0].length;
			continue;
		}
		throw new FilterSyntaxError(`Syntax error: character '${ch}' is not valid at position ${i} in '${text}'.`);
	}
	return tokens;
}

// ---- $filter: parser -------------------------------------------------------------------------

type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'tolower', 'toupper']);

type Expr =
	| { e: 'literal'; value: unknown; date?: boolean }
	| { e: 'path'; path: string[] }
	| { e: 'compare'; op: CompareOp; left: Expr; right: Expr }
	| { e: 'and' | 'or'; left: Expr; right: Expr }
	| { e: 'not'; expr: Expr }
	| { e: 'call'; name: string; args: Expr[] }
	| { e: 'lambda'; quantifier: 'any' | 'all'; path: string[]; variable?: string; body?: Expr };

class FilterParser {
	private pos = 0;
	constructor(private readonly tokens: Token[]) {}

	parse(): Expr {
		if (this.tokens.length === 0) throw new FilterSyntaxError('The filter is empty.');
		const expr = this.parseOr();
		if (this.pos < this.tokens.length) throw new FilterSyntaxError(`Unexpected '${this.describe(this.tokens[this.pos])}'.`);
		return expr;
	}

	private describe(token: Token | undefined): string {
		return token === undefined ? 'end of filter' : String(token.v);
	}

	private peekWord(word: string): boolean {
		const token = this.tokens[this.pos];
		return token?.t === 'word' && token.v.toLowerCase() === word;
	}

	private peekPunct(p: string): boolean {
		const token = this.tokens[this.pos];
		return token?.t === 'punct' && token.v === p;
	}

	private expectPunct(p: string): void {
		if (!this.peekPunct(p)) throw new FilterSyntaxError(`Expected '${p}' but found '${this.describe(this.tokens[this.pos])}'.`);
		this.pos++;
	}

	private parseOr(): Expr {
		let left = this.parseAnd();
		while (this.peekWord('or')) {
			this.pos++;
			left = { e: 'or', left, right: this.parseAnd() };
		}
		return left;
	}

	private parseAnd(): Expr {
		let left = this.parseUnary();
		while (this.peekWord('and')) {
			this.pos++;
			left = { e: 'and', left, right: this.parseUnary() };
		}
		return left;
	}

	private parseUnary(): Expr {
		if (this.peekWord('not')) {
			this.pos++;
			return { e: 'not', expr: this.parseUnary() };
		}
		return this.parseComparison();
	}

	private parseComparison(): Expr {
		const left = this.parsePrimary();
		const token = this.tokens[this.pos];
		if (token?.t === 'word' && COMPARE_OPS.has(token.v.toLowerCase())) {
			this.pos++;
			return { e: 'compare', op: token.v.toLowerCase() as CompareOp, left, right: this.parsePrimary() };
		}
		return left;
	}

	private parsePrimary(): Expr {
		const token = this.tokens[this.pos];
		if (!token) throw new FilterSyntaxError('Unexpected end of filter.');
		if (token.t === 'punct') {
			if (token.v !== '(') throw new FilterSyntaxError(`Unexpected '${token.v}'.`);
			this.pos++;
			const inner = this.parseOr();
			this.expectPunct(')');
			return inner;
		}
		this.pos++;
		if (token.t === 'string' || token.t === 'number' || token.t === 'guid') return { e: 'literal', value: token.v };
		if (token.t === 'date') return { e: 'literal', value: token.v, date: true };
		const word = token.v;
		const lower = word.toLowerCase();
		if (lower === 'true' || lower === 'false') return { e: 'literal', value: lower === 'true' };
		if (lower === 'null') return { e: 'literal', value: null };
		if (COMPARE_OPS.has(lower) || lower === 'and' || lower === 'or') throw new FilterSyntaxError(`Unexpected operator '${word}'.`);
		if (this.peekPunct('(')) {
			const lambda = /^(.*)\/(any|all)$/i.exec(word);
			if (lambda) return this.parseLambda(lambda[1], lambda[2].toLowerCase() as 'any' | 'all');
			if (!FUNCTIONS.has(lower)) throw new FilterSyntaxError(`An unknown function with name '${word}' was found.`);
			return { e: 'call', name: lower, args: this.parseArgs() };
		}
		return { e: 'path', path: word.split('/') };
	}

	private parseArgs(): Expr[] {
		this.expectPunct('(');
		const args: Expr[] = [];
		if (!this.peekPunct(')')) {
			args.push(this.parseOr());
			while (this.peekPunct(',')) {
				this.pos++;
				args.push(this.parseOr());
			}
		}
		this.expectPunct(')');
		return args;
	}

	private parseLambda(path: string, quantifier: 'any' | 'all'): Expr {
		this.expectPunct('(');
		if (this.peekPunct(')')) {
			this.pos++;
			if (quantifier === 'all') throw new FilterSyntaxError("'all' needs a lambda expression.");
			return { e: 'lambda', quantifier, path: path.split('/') };
		}
		const variable = this.tokens[this.pos];
		if (variable?.t !== 'word' || variable.v.includes('/')) throw new FilterSyntaxError('Expected a lambda variable name.');
		this.pos++;
		this.expectPunct(':');
		const body = this.parseOr();
		this.expectPunct(')');
		return { e: 'lambda', quantifier, path: path.split('/'), variable: variable.v, body };
	}
}

/** Parses a $filter expression; throws ODataQueryError("Invalid filter clause") on bad syntax. */
export function parseFilter(text: string): Expr {
	try {
		return new FilterParser(tokenize(text)).parse();
	} catch (error) {
		if (error instanceof FilterSyntaxError) throw new ODataQueryError('BadRequest', `Invalid filter clause: ${error.message}`);
		throw error;
	}
}

// ---- $filter: evaluation ---------------------------------------------------------------------

/** Property lookup that tolerates Graph's case-insensitive property names (`IsRead`). */
function property(value: unknown, name: string): unknown {
	if (value === null || typeof value !== 'object') return undefined;
	const record = value as Record<string, unknown>;
	if (name in record) return record[name];
	const lower = name.toLowerCase();
	const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
	return key === undefined ? undefined : record[key];
}

export function valueAtPath(item: unknown, path: string[]): unknown {
	let current = item;
	for (const segment of path) current = property(current, segment);
	return current;
}

type Scope = { item: unknown; variables: Record<string, unknown> };

function resolvePath(path: string[], scope: Scope): unknown {
	const [head, ...rest] = path;
	if (head in scope.variables) return valueAtPath(scope.variables[head], rest);
	return valueAtPath(scope.item, path);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function asDate(value: unknown): number | undefined {
	if (typeof value !== 'string' || !ISO_DATE.test(value)) return undefined;
	// Graph dates without a zone are UTC.
	const normalized = /(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`;
	const ms = Date.parse(normalized);
	return Number.isNaN(ms) ? undefined : ms;
}

/** Orders two values the way Graph sorts and compares: nulls first, strings case-insensitively, dates by instant. */
export function compareValues(a: unknown, b: unknown): number {
	const aMissing = a === null || a === undefined;
	const bMissing = b === null || b === undefined;
	if (aMissing || bMissing) return aMissing && bMissing ? 0 : aMissing ? -1 : 1;
	const aDate = asDate(a);
	const bDate = asDate(b);
	if (aDate !== undefined && bDate !== undefined) return aDate - bDate;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
	const aText = String(a).toLowerCase();
	const bText = String(b).toLowerCase();
	return aText < bText ? -1 : aText > bText ? 1 : 0;
}

function compare(op: CompareOp, left: unknown, right: unknown): boolean {
	const leftMissing = left === null || left === undefined;
	const rightMissing = right === null || right === undefined;
	if (leftMissing || rightMissing) {
		const bothMissing = leftMissing && rightMissing;
		if (op === 'eq') return bothMissing;
		if (op === 'ne') return !bothMissing;
		return false;
	}
	const order = compareValues(left, right);
	switch (op) {
		case 'eq':
			return order === 0;
		case 'ne':
			return order !== 0;
		case 'gt':
			return order > 0;
		case 'ge':
			return order >= 0;
		case 'lt':
			return order < 0;
		case 'le':
			return order <= 0;
	}
}

function evaluate(expr: Expr, scope: Scope): unknown {
	switch (expr.e) {
		case 'literal':
			return expr.value;
		case 'path':
			return resolvePath(expr.path, scope);
		case 'compare':
			return compare(expr.op, evaluate(expr.left, scope), evaluate(expr.right, scope));
		case 'and':
			return evaluate(expr.left, scope) === true && evaluate(expr.right, scope) === true;
		case 'or':
			return evaluate(expr.left, scope) === true || evaluate(expr.right, scope) === true;
		case 'not':
			return evaluate(expr.expr, scope) !== true;
		case 'call':
			return callFunction(expr.name, expr.args.map((arg) => evaluate(arg, scope)));
		case 'lambda': {
			const collection = resolvePath(expr.path, scope);
			if (!Array.isArray(collection)) return false;
			if (!expr.body || !expr.variable) return collection.length > 0;
			const test = (element: unknown) =>
				evaluate(expr.body as Expr, { item: scope.item, variables: { ...scope.variables, [expr.variable as string]: element } }) === true;
			return expr.quantifier === 'any' ? collection.some(test) : collection.every(test);
		}
	}
}

function callFunction(name: string, args: unknown[]): unknown {
	const [first, second] = args;
	if (name === 'tolower' || name === 'toupper') {
		if (typeof first !== 'string') return null;
		return name === 'tolower' ? first.toLowerCase() : first.toUpperCase();
	}
	if (args.length !== 2) throw new ODataQueryError('BadRequest', `Invalid filter clause: '${name}' needs two arguments.`);
	if (typeof first !== 'string' || typeof second !== 'string') return false;
	const haystack = first.toLowerCase();
	const needle = second.toLowerCase();
	if (name === 'contains') return haystack.includes(needle);
	if (name === 'startswith') return haystack.startsWith(needle);
	return haystack.endsWith(needle);
}

/** Property paths in the order a filter mentions them (for Outlook's InefficientFilter rule). */
function filterPropertyOrder(expr: Expr): string[] {
	const paths: string[] = [];
	const walk = (e: Expr) => {
		switch (e.e) {
			case 'path':
				paths.push(e.path.join('/').toLowerCase());
				break;
			case 'compare':
			case 'and':
			case 'or':
				walk(e.left);
				walk(e.right);
				break;
			case 'not':
				walk(e.expr);
				break;
			case 'call':
				e.args.forEach(walk);
				break;
			case 'lambda':
				paths.push(e.path.join('/').toLowerCase());
				break;
			case 'literal':
				break;
		}
	};
	walk(expr);
	return [...new Set(paths)];
}

function assertOrderByLeadsFilter(filter: string, keys: OrderByKey[]): void {
	const mentioned = filterPropertyOrder(parseFilter(filter));
	const sorted = keys.map((k) => k.path.join('/').toLowerCase());
	if (sorted.some((path, i) => mentioned[i] !== path)) {
		throw new ODataQueryError('InefficientFilter', 'The restriction or sort order is too complex for this operation.');
	}
}

/** Returns a predicate for a $filter expression (parsed once). */
export function compileFilter(text: string): (item: unknown) => boolean {
	const expr = parseFilter(text);
	return (item) => evaluate(expr, { item, variables: {} }) === true;
}

// ---- $orderby --------------------------------------------------------------------------------

export interface OrderByKey {
	path: string[];
	descending: boolean;
}

export function parseOrderBy(text: string): OrderByKey[] {
	return text.split(',').map((part) => {
		const words = part.trim().split(/\s+/).filter(Boolean);
		const direction = words[1]?.toLowerCase();
		if (words.length === 0 || words.length > 2 || !WORD.test(words[0]) || (direction !== undefined && direction !== 'asc' && direction !== 'desc')) {
			throw new ODataQueryError('BadRequest', `Invalid $orderby clause '${text}'.`);
		}
		return { path: words[0].split('/'), descending: direction === 'desc' };
	});
}

function sortItems<T>(items: T[], keys: OrderByKey[]): T[] {
	return items
		.map((item, index) => ({ item, index }))
		.sort((a, b) => {
			for (const key of keys) {
				const order = compareValues(valueAtPath(a.item, key.path), valueAtPath(b.item, key.path));
				if (order !== 0) return key.descending ? -order : order;
			}
			return a.index - b.index;
		})
		.map((entry) => entry.item);
}

// ---- $select ---------------------------------------------------------------------------------

/** Annotations Graph keeps on every selected item. */
const ALWAYS_KEPT = new Set(['id', '@odata.etag', '@odata.type']);

/** Projects an item onto `$select` (case-insensitive); `id` and `@odata.etag` always stay. */
export function selectFields<T extends Record<string, unknown>>(item: T, select: string | undefined): Record<string, unknown> {
	if (select === undefined || select.trim() === '' || select.trim() === '*') return { ...item };
	const wanted = new Set(
		select
			.split(',')
			.map((name) => name.trim().split('/')[0].toLowerCase())
			.filter(Boolean),
	);
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(item)) {
		if (ALWAYS_KEPT.has(key) || wanted.has(key.toLowerCase())) out[key] = value;
	}
	return out;
}

// ---- nextLink --------------------------------------------------------------------------------

/** The request's path under /v1.0, still percent-encoded as received. */
function encodedGraphPath(req: GraphRequest): string {
	const q = req.rawUrl.indexOf('?');
	const path = q >= 0 ? req.rawUrl.slice(0, q) : req.rawUrl;
	return /^\/v1\.0(\/|$)/i.test(path) ? path : `/v1.0${path.startsWith('/') ? '' : '/'}${path}`;
}

/** Absolute nextLink on the emulator: original parameters in order, `$skip` replaced or appended. */
export function buildNextLink(core: EmulatorCore, req: GraphRequest, skip: number): string {
	const q = req.rawUrl.indexOf('?');
	const params = new URLSearchParams(q >= 0 ? req.rawUrl.slice(q + 1) : '');
	const parts: string[] = [];
	let replaced = false;
	for (const [key, value] of params) {
		if (key.toLowerCase() === '$skip') {
			if (!replaced) parts.push(`${encodeURIComponent('$skip')}=${skip}`);
			replaced = true;
			continue;
		}
		parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
	}
	if (!replaced) parts.push(`${encodeURIComponent('$skip')}=${skip}`);
	return `${core.url}${encodedGraphPath(req)}?${parts.join('&')}`;
}

/** `...#users('x')/messages` becomes `...#users('x')/messages(sender,subject)` under $select, as Graph does. */
function contextWithSelect(contextUrl: string, select: string | undefined): string {
	if (!select || select.trim() === '' || select.trim() === '*' || contextUrl.endsWith('$entity') || contextUrl.endsWith(')')) {
		return contextUrl;
	}
	const fields = select
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)
		.join(',');
	return `${contextUrl}(${fields})`;
}

// ---- the list reply --------------------------------------------------------------------------

function badRequest(core: EmulatorCore, req: GraphRequest, error: ODataQueryError): Reply {
	return core.graphError(400, error.code, error.message, req);
}

/** Applies the request's OData options to `items` and returns Graph's collection reply (or a 400). */
export function listResponse<T extends Record<string, unknown>>(core: EmulatorCore, req: GraphRequest, items: T[], options: ListOptions<T>): Reply {
	try {
		return { status: 200, body: buildListBody(core, req, items, options) };
	} catch (error) {
		if (error instanceof ODataQueryError) return badRequest(core, req, error);
		throw error;
	}
}

function buildListBody<T extends Record<string, unknown>>(core: EmulatorCore, req: GraphRequest, items: T[], options: ListOptions<T>): Record<string, unknown> {
	const query = req.query;
	const search = queryOption(query, '$search');
	const filter = queryOption(query, '$filter');
	const orderBy = queryOption(query, '$orderby');
	const select = queryOption(query, '$select');

	let terms: string | undefined;
	if (search !== undefined) {
		if (!options.search) {
			throw new ODataQueryError('BadRequest', "Query option 'Search' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.");
		}
		if (filter !== undefined) throw new ODataQueryError('BadRequest', "The query parameter '$filter' is not supported with '$search'.");
		if (orderBy !== undefined) throw new ODataQueryError('BadRequest', "The query parameter '$orderBy' is not supported with '$search'.");
		terms = parseSearchTerms(search);
	}
	if (filter !== undefined && options.filterable === false) {
		throw new ODataQueryError('BadRequest', "Query option 'Filter' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.");
	}
	const top = parseTop(queryOption(query, '$top'), options);
	const skip = parseSkip(queryOption(query, '$skip'));
	const withCount = parseCount(queryOption(query, '$count'));
	const predicate = filter !== undefined ? compileFilter(filter) : undefined;
	const sortKeys = orderBy !== undefined ? parseOrderBy(orderBy) : undefined;
	if (options.orderByMustLeadFilter && filter !== undefined && sortKeys) assertOrderByLeadsFilter(filter, sortKeys);

	let matching = predicate ? items.filter((item) => predicate(item)) : items;
	if (terms !== undefined && options.search) {
		const searchFn = options.search;
		const searchTerms = terms;
		matching = matching.filter((item) => searchFn(item, searchTerms));
	}
	if (sortKeys) matching = sortItems(matching, sortKeys);

	const page = matching.slice(skip, skip + top).map((item) => selectFields(item, select));
	const body: Record<string, unknown> = { '@odata.context': contextWithSelect(options.contextUrl, select) };
	if (withCount) body['@odata.count'] = matching.length;
	body.value = page;
	if (skip + top < matching.length) body['@odata.nextLink'] = buildNextLink(core, req, skip + top);
	return body;
}
