/**
 * The emulator's core: state shared by all modules (users, clients, tokens, clock, module state,
 * change events), route registration, and the Graph request pipeline
 * (fault → auth → route → mailbox → limits → latency → handler).
 * The HTTP layer (server.ts) and $batch (batch.ts) both feed requests through `runGraph`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FaultInjector } from './faults';
import { MailboxLimiter } from './limits';
import { PathDecodeError, RouteTable, parsePath, type MailboxSelector, type ParsedPath } from './router';
import { TokenStore } from './tokens';
import type {
	ChangeEvent,
	EmulatorClient,
	EmulatorCore,
	EmulatorOptions,
	EmulatorUser,
	FaultRule,
	GraphRequest,
	Handler,
	RecordedRequest,
	Reply,
	TokenInfo,
} from './types';

/** Graph's own application id, named in WWW-Authenticate challenges. */
const GRAPH_RESOURCE_APP_ID = '00000003-0000-0000-c000-000000000000';

const JWT_NOT_WELL_FORMED =
	'IDX14100: JWT is not well formed, there are no dots (.).\n' +
	"The token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. " +
	"(JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.";

export interface RuntimeConfig {
	concurrencyPerMailbox: number;
	rateLimit: { requests: number; windowMs: number } | null;
	/** Network round trip: paid once per HTTP request (a `$batch` POST pays it once for all its members). */
	latencyMs: number;
	/** Graph's own work per operation: paid by every standalone request and by every `$batch` member. */
	serviceMs: number;
}

export type ConfigPatch = Partial<{
	concurrencyPerMailbox: number;
	rateLimit: { requests: number; windowMs: number } | null;
	latencyMs: number;
	serviceMs: number;
}>;

export function resolveOptions(options: EmulatorOptions = {}): EmulatorCore['options'] {
	return {
		port: options.port ?? 0,
		host: options.host ?? '127.0.0.1',
		tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
		allowHttpNotificationUrls: options.allowHttpNotificationUrls ?? true,
		concurrencyPerMailbox: options.concurrencyPerMailbox ?? 4,
		rateLimit: options.rateLimit ?? null,
		seedDefaults: options.seedDefaults ?? true,
		verbose: options.verbose ?? false,
		latencyMs: options.latencyMs ?? 0,
		serviceMs: options.serviceMs ?? 0,
	};
}

export function sleep(ms: number): Promise<void> {
	return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Graph's innerError date: UTC, seconds precision, no zone suffix ("2020-08-18T12:51:51"). */
export function graphDate(epochMs: number): string {
	return new Date(epochMs).toISOString().slice(0, 19);
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value.join(', ') : value;
}

function isJsonContentType(contentType: string | undefined): boolean {
	return !!contentType && /\bjson\b/i.test(contentType);
}

/** Parses a JSON body; `undefined` for non-JSON or empty bodies, throws on malformed JSON. */
export function parseJsonBody(headers: IncomingHttpHeaders, rawBody: Buffer): unknown {
	if (rawBody.length === 0 || !isJsonContentType(headerValue(headers, 'content-type'))) return undefined;
	return JSON.parse(rawBody.toString('utf8'));
}

export function parseQuery(search: string): Record<string, string> {
	const query: Record<string, string> = {};
	for (const [key, value] of new URLSearchParams(search)) query[key] = value;
	return query;
}

/** Everything the core knows beyond the module contract; used by the core's own files. */
export class EmulatorCoreImpl implements EmulatorCore {
	readonly options: EmulatorCore['options'];
	url = '';
	readonly users = new Map<string, EmulatorUser>();
	/** Shared mailboxes: addressable under /users, but nobody signs in as them. */
	readonly sharedMailboxIds = new Set<string>();
	readonly clients: EmulatorClient[] = [];
	tenantId = '';
	tenantDomain = '';
	readonly tokens = new TokenStore();
	readonly graphRoutes = new RouteTable();
	readonly controlRoutes = new RouteTable();
	readonly identityRoutes = new RouteTable();
	readonly publicRoutes = new RouteTable();
	readonly faults = new FaultInjector();
	readonly limiter: MailboxLimiter;
	readonly requestLog: RecordedRequest[] = [];
	readonly config: RuntimeConfig;

	private clockOffsetMs = 0;
	private readonly moduleStates = new Map<string, unknown>();
	private readonly changeListeners: Array<(event: ChangeEvent) => void> = [];
	private readonly clockListeners: Array<(now: number) => Promise<void> | void> = [];
	private readonly resetListeners: Array<() => void> = [];

	constructor(options: EmulatorOptions = {}) {
		this.options = resolveOptions(options);
		this.config = {
			concurrencyPerMailbox: this.options.concurrencyPerMailbox,
			rateLimit: this.options.rateLimit ?? null,
			latencyMs: this.options.latencyMs,
			serviceMs: this.options.serviceMs,
		};
		this.limiter = new MailboxLimiter(() => this.config);
	}

	// ---- clock -------------------------------------------------------------------------------

	now(): number {
		return Date.now() + this.clockOffsetMs;
	}

	async advanceClock(ms: number): Promise<void> {
		if (!Number.isFinite(ms) || ms < 0) throw new Error('advanceClock needs a non-negative number of ms');
		this.clockOffsetMs += ms;
		const now = this.now();
		for (const listener of this.clockListeners) await listener(now);
	}

	onClockAdvance(listener: (now: number) => Promise<void> | void): void {
		this.clockListeners.push(listener);
	}

	// ---- ids, users, state -------------------------------------------------------------------

	newId(prefix = ''): string {
		return prefix + randomBytes(18).toString('base64url');
	}

	findUser(idOrUpn: string): EmulatorUser | undefined {
		const wanted = idOrUpn.trim().toLowerCase();
		for (const user of this.users.values()) {
			if (
				user.id.toLowerCase() === wanted ||
				user.userPrincipalName.toLowerCase() === wanted ||
				user.mail.toLowerCase() === wanted
			) {
				return user;
			}
		}
		return undefined;
	}

	findClient(clientId: string | undefined): EmulatorClient | undefined {
		return clientId ? this.clients.find((c) => c.clientId.toLowerCase() === clientId.toLowerCase()) : undefined;
	}

	/** Users who can sign in (shared mailboxes cannot). */
	signInUsers(): EmulatorUser[] {
		return [...this.users.values()].filter((u) => !this.sharedMailboxIds.has(u.id));
	}

	moduleState<T>(userId: string, module: string, create: () => T): T {
		const key = `${userId}\u0000${module}`;
		if (!this.moduleStates.has(key)) this.moduleStates.set(key, create());
		return this.moduleStates.get(key) as T;
	}

	emitChange(event: ChangeEvent): void {
		for (const listener of this.changeListeners) listener(event);
	}

	onChange(listener: (event: ChangeEvent) => void): void {
		this.changeListeners.push(listener);
	}

	onReset(listener: () => void): void {
		this.resetListeners.push(listener);
	}

	/** Clears module state, the request log, faults and limit statistics; tokens and clock stay. */
	reset(): void {
		this.moduleStates.clear();
		this.requestLog.length = 0;
		this.faults.clear();
		this.limiter.resetStats();
		this.config.concurrencyPerMailbox = this.options.concurrencyPerMailbox;
		this.config.rateLimit = this.options.rateLimit ?? null;
		this.config.latencyMs = this.options.latencyMs;
		this.config.serviceMs = this.options.serviceMs;
		for (const listener of this.resetListeners) listener();
	}

	configure(patch: ConfigPatch): RuntimeConfig {
		if (patch.concurrencyPerMailbox !== undefined) {
			this.config.concurrencyPerMailbox = Math.max(0, Math.floor(Number(patch.concurrencyPerMailbox)) || 0);
		}
		if (patch.rateLimit !== undefined) {
			const rate = patch.rateLimit;
			this.config.rateLimit =
				rate && Number(rate.requests) > 0 && Number(rate.windowMs) > 0
					? { requests: Number(rate.requests), windowMs: Number(rate.windowMs) }
					: null;
		}
		if (patch.latencyMs !== undefined) this.config.latencyMs = Math.max(0, Number(patch.latencyMs) || 0);
		if (patch.serviceMs !== undefined) this.config.serviceMs = Math.max(0, Number(patch.serviceMs) || 0);
		return { ...this.config };
	}

	issueToken(opts: { userId?: string; appOnly?: boolean; lifetimeSeconds?: number; clientId?: string; scopes?: string[] }): TokenInfo {
		const clientId = opts.clientId ?? this.clients[0]?.clientId ?? 'unknown-client';
		const appOnly = opts.appOnly ?? !opts.userId;
		let userId: string | undefined;
		if (!appOnly) {
			const user = this.findUser(opts.userId ?? '');
			if (!user) throw new Error(`issueToken: unknown user '${opts.userId ?? ''}'`);
			userId = user.id;
		}
		const lifetime = opts.lifetimeSeconds ?? this.options.tokenLifetimeSeconds;
		return this.tokens.issueAccessToken({
			clientId,
			userId,
			appOnly,
			scopes: opts.scopes ?? (appOnly ? ['https://graph.microsoft.com/.default'] : DEFAULT_DELEGATED_SCOPES),
			expiresAt: this.now() + lifetime * 1000,
		});
	}

	// ---- routes ------------------------------------------------------------------------------

	route(method: string, pattern: string, handler: Handler): void {
		this.graphRoutes.add(method, pattern, handler, false);
	}

	mailboxRoute(method: string, pattern: string, handler: Handler): void {
		this.graphRoutes.add(method, pattern, handler, true);
	}

	controlRoute(method: string, pattern: string, handler: Handler): void {
		this.controlRoutes.add(method, pattern.replace(/^\/_emulator(?=\/|$)/, ''), handler, false);
	}

	publicRoute(method: string, pattern: string, handler: Handler): void {
		this.publicRoutes.add(method, pattern, handler, false);
	}

	/** Identity endpoints (`/{tenant}/oauth2/v2.0/...`); no bearer token. */
	identityRoute(method: string, pattern: string, handler: Handler): void {
		this.identityRoutes.add(method, pattern, handler, false);
	}

	// ---- errors ------------------------------------------------------------------------------

	graphError(status: number, code: string, message: string, req?: GraphRequest, headers?: Record<string, string>): Reply {
		return {
			status,
			headers: { ...headers },
			body: {
				error: {
					code,
					message,
					innerError: {
						date: graphDate(this.now()),
						'request-id': req?.requestId ?? '',
						'client-request-id': req ? clientRequestId(req) : '',
					},
				},
			},
		};
	}

	/** A status fault's reply; 429s look like Graph's throttling example. */
	faultReply(rule: FaultRule, req: GraphRequest): Reply {
		const status = Number(rule.status ?? 500);
		if (rule.kind === 'redirect') return { status, headers: { Location: String(rule.location) }, body: undefined };
		const headers: Record<string, string> = rule.retryAfter !== undefined ? { 'Retry-After': String(rule.retryAfter) } : {};
		if (status === 429) {
			return {
				status,
				headers,
				body: {
					error: {
						code: rule.code ?? 'TooManyRequests',
						innerError: {
							code: '429',
							date: graphDate(this.now()),
							message: 'Please retry after',
							'request-id': req.requestId,
							status: '429',
							'client-request-id': clientRequestId(req),
						},
						message: rule.message ?? 'Please retry again later.',
					},
				},
			};
		}
		const [code, message] = DEFAULT_STATUS_ERRORS[status] ?? ['generalException', 'An unexpected error occurred.'];
		return this.graphError(status, rule.code ?? code, rule.message ?? message, req, headers);
	}

	// ---- the Graph pipeline ------------------------------------------------------------------

	/**
	 * Runs one Graph request (already read) through fault, auth, routing, mailbox resolution,
	 * limits, latency and the handler. `record` receives who called. `batchMember`: a sub-request
	 * of a `$batch` POST, which travels inside its envelope and so pays no network latency of its own.
	 */
	async runGraph(req: GraphRequest, fault: FaultRule | undefined, record?: RecordedRequest, batchMember = false): Promise<Reply> {
		if (fault?.kind === 'status' || fault?.kind === 'redirect') return this.faultReply(fault, req);
		// The token runs out right now: this request gets the real 401 of an expired token.
		if (fault?.kind === 'expire-token') this.tokens.expireAllAccessTokens(this.now());

		const auth = this.authenticate(req);
		if ('status' in auth) return auth;
		req.token = auth.token;
		if (record) record.auth = { clientId: auth.token.clientId, userId: auth.token.userId, appOnly: auth.token.appOnly };

		let parsed: ParsedPath;
		try {
			parsed = parsePath(req.rawPath ?? req.path);
		} catch (error) {
			if (error instanceof PathDecodeError) return this.graphError(400, 'BadRequest', error.message, req);
			throw error;
		}
		const resolution = this.graphRoutes.resolve(req.method, parsed);
		if (resolution.kind === 'notFound') {
			return this.graphError(400, 'BadRequest', `Resource not found for the segment '${resolution.segment}'.`, req);
		}
		if (resolution.kind === 'methodNotAllowed') {
			return this.graphError(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`, req, {
				Allow: resolution.allowed.join(', '),
			});
		}
		req.params = resolution.params;
		const isMailboxItem = resolution.entry.mailbox && resolution.entry.segments.length > 0;
		if (resolution.mailbox) {
			const mailboxError = this.resolveMailbox(req, resolution.mailbox, isMailboxItem);
			if (mailboxError) return mailboxError;
		}

		const bodyError = this.parseBodyInto(req);
		if (bodyError) return bodyError;

		let release: (() => void) | undefined;
		if (isMailboxItem && req.mailbox) {
			const admission = this.limiter.admit(auth.token.clientId, req.mailbox.id, this.now());
			if (!admission.ok) return this.throttledReply(req, admission.reason, admission.retryAfter);
			release = admission.release;
		}
		try {
			await sleep(this.simulatedMs(req, fault, batchMember));
			return await resolution.entry.handler(req);
		} catch (error) {
			return this.handlerFailure(req, error);
		} finally {
			release?.();
		}
	}

	/**
	 * How long a Graph request takes besides the emulator's own work. A standalone request pays the
	 * network round trip (`latencyMs`) and Graph's service time (`serviceMs`); a `$batch` POST pays the
	 * round trip once (its members' time is their own); a batch member pays only `serviceMs`. For a
	 * mailbox request the time is spent holding its concurrency slot, as before: a standalone request
	 * costs latency + service of one of the mailbox's 4 slots, exactly what W2's minimum assumes.
	 */
	private simulatedMs(req: GraphRequest, fault: FaultRule | undefined, batchMember: boolean): number {
		const envelope = !batchMember && req.method === 'POST' && req.path.toLowerCase() === '/$batch';
		const network = batchMember ? 0 : this.config.latencyMs;
		const service = envelope ? 0 : this.config.serviceMs;
		return network + service + (fault?.kind === 'latency' ? Number(fault.latencyMs ?? 0) : 0);
	}

	/** Runs a request on a route table without a bearer token (identity and public routes). */
	async runUnauthenticated(
		table: RouteTable,
		req: GraphRequest,
		fault: FaultRule | undefined,
		includeMailbox = true,
	): Promise<Reply | undefined> {
		let parsed: ParsedPath;
		try {
			parsed = parsePath(req.rawPath ?? req.path);
		} catch (error) {
			if (error instanceof PathDecodeError) return this.graphError(400, 'BadRequest', error.message, req);
			throw error;
		}
		const resolution = table.resolve(req.method, parsed, includeMailbox);
		if (resolution.kind === 'notFound') return undefined;
		if (fault?.kind === 'status' || fault?.kind === 'redirect') return this.faultReply(fault, req);
		if (resolution.kind === 'methodNotAllowed') {
			return this.graphError(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`, req, {
				Allow: resolution.allowed.join(', '),
			});
		}
		req.params = resolution.params;
		const bodyError = this.parseBodyInto(req);
		if (bodyError) return bodyError;
		try {
			await sleep(fault?.kind === 'latency' ? Number(fault.latencyMs ?? 0) : 0);
			return await resolution.entry.handler(req);
		} catch (error) {
			return this.handlerFailure(req, error);
		}
	}

	private authenticate(req: GraphRequest): { token: TokenInfo } | Reply {
		const header = headerValue(req.headers, 'authorization') ?? '';
		const bearer = /^Bearer\s*(.*)$/i.exec(header.trim());
		const value = bearer ? bearer[1].trim() : header.trim();
		const check = this.tokens.checkAccessToken(value || undefined, this.now());
		if (check.ok) return { token: check.token };
		const challenge = {
			'WWW-Authenticate': `Bearer realm="", authorization_uri="${this.url}/common/oauth2/v2.0/authorize", client_id="${GRAPH_RESOURCE_APP_ID}"`,
		};
		const message =
			check.reason === 'empty'
				? 'Access token is empty.'
				: check.reason === 'expired'
					? 'Lifetime validation failed, the token is expired.'
					: value.includes('.')
						? 'Access token validation failure. Invalid audience.'
						: JWT_NOT_WELL_FORMED;
		return this.graphError(401, 'InvalidAuthenticationToken', message, req, challenge);
	}

	/** Sets req.mailbox/mailboxPrefix, or returns Graph's error for `/me` app-only, unknown or foreign users. */
	private resolveMailbox(req: GraphRequest, selector: MailboxSelector, isMailboxItem: boolean): Reply | undefined {
		const token = req.token as TokenInfo;
		let user: EmulatorUser | undefined;
		if (selector.kind === 'me') {
			if (token.appOnly) {
				return this.graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.', req);
			}
			user = this.users.get(token.userId ?? '');
			if (!user) return this.graphError(404, 'ErrorInvalidUser', `The requested user '${token.userId ?? ''}' is invalid.`, req);
		} else {
			const wanted = selector.user ?? '';
			user = this.findUser(wanted);
			if (!user) {
				return isMailboxItem
					? this.graphError(404, 'ErrorInvalidUser', `The requested user '${wanted}' is invalid.`, req)
					: this.graphError(
							404,
							'Request_ResourceNotFound',
							`Resource '${wanted}' does not exist or one of its queried reference-property objects are not present.`,
							req,
						);
			}
			// Delegated tokens reach only the signed-in user's mailbox and shared mailboxes.
			if (isMailboxItem && !token.appOnly && user.id !== token.userId && !this.sharedMailboxIds.has(user.id)) {
				return this.graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.', req);
			}
		}
		req.mailbox = user;
		req.mailboxPrefix = selector.prefix;
		return undefined;
	}

	private parseBodyInto(req: GraphRequest): Reply | undefined {
		if (req.body !== undefined) return undefined;
		try {
			req.body = parseJsonBody(req.headers, req.rawBody);
			return undefined;
		} catch {
			return this.graphError(
				400,
				'BadRequest',
				'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
				req,
			);
		}
	}

	private throttledReply(req: GraphRequest, reason: 'concurrency' | 'rate', retryAfter: string): Reply {
		const message =
			reason === 'concurrency'
				? 'Application is over its MailboxConcurrency limit.'
				: 'Application is over its MailboxRequestRate limit.';
		return this.graphError(429, 'ApplicationThrottled', message, req, { 'Retry-After': retryAfter });
	}

	private handlerFailure(req: GraphRequest, error: unknown): Reply {
		const detail = error instanceof Error ? error.message : String(error);
		if (this.options.verbose) process.stderr.write(`[emulator] handler error on ${req.method} ${req.path}: ${String((error as Error)?.stack ?? detail)}\n`);
		return this.graphError(500, 'generalException', `An unexpected error occurred in the emulator: ${detail}`, req);
	}

	// ---- request log -------------------------------------------------------------------------

	startRecord(req: GraphRequest, area: RecordedRequest['area'], parentRequestId?: string): RecordedRequest {
		const record: RecordedRequest = {
			requestId: req.requestId,
			at: this.now(),
			method: req.method,
			url: req.rawUrl,
			path: req.path,
			query: { ...req.query },
			headers: redactHeaders(req.headers),
			body: recordableBody(req.headers, req.rawBody),
			bodyBytes: req.rawBody.length,
			startedAtMs: Date.now(),
			area,
		};
		if (parentRequestId) record.parentRequestId = parentRequestId;
		this.requestLog.push(record);
		return record;
	}

	finishRecord(record: RecordedRequest, status: number | undefined): void {
		record.status = status;
		record.finishedAtMs = Date.now();
		if (this.options.verbose) {
			const url = redactUrlSecrets(record.url);
			process.stderr.write(`[emulator] ${record.method} ${url} -> ${status ?? '(no response)'}${record.fault ? ` [fault ${record.fault}]` : ''}\n`);
		}
	}

	/**
	 * Builds a GraphRequest with a fresh request id. `path` is the received (encoded) path; the
	 * request carries it decoded per segment (OData keys expanded) plus `rawPath` for routing.
	 */
	newGraphRequest(init: { method: string; rawUrl: string; path: string; search: string; headers: IncomingHttpHeaders; rawBody: Buffer }): GraphRequest {
		return {
			requestId: randomUUID(),
			method: init.method.toUpperCase(),
			rawUrl: init.rawUrl,
			path: displayPath(init.path),
			rawPath: init.path,
			query: parseQuery(init.search),
			headers: init.headers,
			rawBody: init.rawBody,
			body: undefined,
			params: {},
		};
	}
}

export const DEFAULT_DELEGATED_SCOPES = [
	'openid',
	'profile',
	'email',
	'offline_access',
	'User.Read',
	'Mail.ReadWrite',
	'Mail.Send',
	'Calendars.ReadWrite',
];

const DEFAULT_STATUS_ERRORS: Record<number, [string, string]> = {
	400: ['BadRequest', 'Bad request.'],
	401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
	403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
	404: ['ErrorItemNotFound', 'The specified object was not found in the store.'],
	409: ['ErrorIrresolvableConflict', 'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.'],
	500: ['generalException', 'An unexpected error occurred.'],
	502: ['BadGateway', 'Bad gateway.'],
	503: ['serviceNotAvailable', 'The service is temporarily unavailable. Please retry after a delay.'],
	504: ['GatewayTimeout', 'The gateway did not receive a timely response from the upstream server.'],
};

/** `/users/a%40b.com/mailFolders('inbox')` → `/users/a@b.com/mailFolders/inbox`; undecodable paths stay as received. */
export function displayPath(rawPath: string): string {
	try {
		return `/${parsePath(rawPath).segments.join('/')}`;
	} catch {
		return rawPath;
	}
}

export function clientRequestId(req: GraphRequest): string {
	return headerValue(req.headers, 'client-request-id') ?? req.requestId;
}

const SECRET_FIELDS = new Set(['client_secret', 'code', 'refresh_token', 'access_token', 'client_assertion', 'password']);
const REDACTED = '[redacted]';

/** For log lines: hides secret-bearing query parameters (codes, tokens, pre-authenticated upload tokens). */
function redactUrlSecrets(url: string): string {
	return url.replace(/([?&])(code|client_secret|refresh_token|access_token|authtoken|client_assertion)=[^&#]*/gi, '$1$2=' + REDACTED);
}

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		const text = Array.isArray(value) ? value.join(', ') : value;
		if (name === 'authorization' || name === 'cookie') {
			const scheme = /^(\w+)\s/.exec(text)?.[1];
			out[name] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
		} else {
			out[name] = text;
		}
	}
	return out;
}

function redactJson(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(redactJson);
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, inner] of Object.entries(value)) out[key] = SECRET_FIELDS.has(key) ? REDACTED : redactJson(inner);
		return out;
	}
	return value;
}

function redactForm(text: string): string {
	const params = new URLSearchParams(text);
	for (const key of [...params.keys()]) if (SECRET_FIELDS.has(key)) params.set(key, REDACTED);
	return params.toString();
}

/** What the request log keeps of a body: JSON parsed, forms and text as strings, binary as a size. */
function recordableBody(headers: IncomingHttpHeaders, rawBody: Buffer): unknown {
	if (rawBody.length === 0) return undefined;
	const contentType = headerValue(headers, 'content-type') ?? '';
	const text = rawBody.toString('utf8');
	if (isJsonContentType(contentType)) {
		try {
			return redactJson(JSON.parse(text));
		} catch {
			return text;
		}
	}
	if (/x-www-form-urlencoded/i.test(contentType)) return redactForm(text);
	if (/^text\//i.test(contentType) || contentType === '') {
		return Buffer.from(text, 'utf8').equals(rawBody) ? text : `<${rawBody.length} bytes>`;
	}
	return `<${rawBody.length} bytes>`;
}
