/**
 * The contract between the emulator's core (server, router, identity, state, control API)
 * and its feature modules (mail, calendar, subscriptions). Modules only talk to the core
 * through these types, so they can be written and tested independently.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface EmulatorOptions {
	/** Port to listen on; 0 (default) picks an ephemeral port. */
	port?: number;
	/** Host to bind; default 127.0.0.1. */
	host?: string;
	/** Access token lifetime in seconds (default 3600). */
	tokenLifetimeSeconds?: number;
	/** Allow http:// loopback notification URLs (emulator mode). Default true. */
	allowHttpNotificationUrls?: boolean;
	/** Concurrent requests allowed per mailbox (Graph: 4). 0 disables. Default 4. */
	concurrencyPerMailbox?: number;
	/** Rate limit per mailbox: at most `requests` in `windowMs`, else 429 + Retry-After. Default off. */
	rateLimit?: { requests: number; windowMs: number } | null;
	/** Seed the default sample data (users, folders, a few messages, calendars). Default true. */
	seedDefaults?: boolean;
	/** Log each request to stderr. Default false. */
	verbose?: boolean;
	/**
	 * Network round trip added to every HTTP request to Graph (benchmarks): a standalone request
	 * pays it once, a `$batch` POST pays it once for all its members. Default 0.
	 */
	latencyMs?: number;
	/** Graph's service time per operation: every standalone request and every `$batch` member pays it. Default 0. */
	serviceMs?: number;
}

export interface EmulatorUser {
	id: string; // GUID
	userPrincipalName: string;
	mail: string;
	displayName: string;
	givenName: string;
	surname: string;
	jobTitle: string | null;
	officeLocation: string | null;
	preferredLanguage: string | null;
	mobilePhone: string | null;
	businessPhones: string[];
}

/** An OAuth client registered in the emulator (client id + secret). */
export interface EmulatorClient {
	clientId: string;
	clientSecret: string;
	/** Tenant id or domain this app lives in. */
	tenant: string;
}

export interface TokenInfo {
	accessToken: string;
	clientId: string;
	/** Set for delegated tokens (authorization code / refresh); undefined for app-only tokens. */
	userId?: string;
	scopes: string[];
	/** Emulator-clock epoch ms. */
	expiresAt: number;
	appOnly: boolean;
}

/** Everything a handler needs to know about the incoming request. */
export interface GraphRequest {
	requestId: string;
	method: string;
	/** Full original URL (path + query) as received. */
	rawUrl: string;
	/** Path after `/v1.0`, e.g. `/me/mailFolders/inbox/messages` (percent-decoded per segment). */
	path: string;
	/** The same path as received (still percent-encoded); segment boundaries survive ids with `%2F`. */
	rawPath?: string;
	/** Query params, decoded; OData keys keep their `$` (e.g. `$top`). */
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
	/** Parsed JSON body when content-type is JSON, else undefined. */
	body: any;
	/** Route params from the pattern (`:id` → params.id), percent-decoded. */
	params: Record<string, string>;
	/** The validated bearer token (undefined on identity/control routes). */
	token?: TokenInfo;
	/** The mailbox a mailbox-route acts on (`/me` = the token's user, `/users/{id|upn}` = that user). */
	mailbox?: EmulatorUser;
	/** `/me/...` or `/users/{segment}/...` prefix exactly as received, to build @odata.id / nextLink. */
	mailboxPrefix?: string;
}

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	/** Object → JSON; string/Buffer → sent as-is (set content-type in headers). */
	body?: unknown;
}

export type Handler = (req: GraphRequest) => Promise<Reply> | Reply;

/** Change events modules emit so subscriptions can notify. */
export interface ChangeEvent {
	userId: string;
	kind: 'message' | 'event' | 'contact';
	changeType: 'created' | 'updated' | 'deleted';
	id: string;
	/** Messages: the folder id the message is (or was) in. Events: the calendar id. Contacts: the contact folder id. */
	containerId: string;
}

export interface RecordedRequest {
	requestId: string;
	at: number; // emulator clock
	method: string;
	url: string; // raw url incl. query
	path: string; // after /v1.0 (or raw path for non-Graph routes)
	query: Record<string, string>;
	headers: Record<string, string>;
	body: unknown; // parsed JSON or text (binary bodies: `<n bytes>`)
	bodyBytes: number;
	status?: number;
	/** When the response was finished (real ms since epoch) — for latency/concurrency measurements. */
	startedAtMs: number;
	finishedAtMs?: number;
	/** Which part of the emulator answered: Graph (`/v1.0`), identity (`/{tenant}/oauth2/...`) or a public route. */
	area?: 'graph' | 'identity' | 'public';
	/** Who called (from the bearer token), without the token itself. */
	auth?: { clientId: string; userId?: string; appOnly: boolean };
	/** The fault rule kind applied to this request, if any. */
	fault?: FaultRule['kind'];
	/** For $batch sub-requests: the request id of the enclosing `POST /$batch`. */
	parentRequestId?: string;
}

export interface FaultRule {
	id?: string;
	/** Only requests whose method matches (default any). */
	method?: string;
	/** Regex (string) matched against the request path after /v1.0 (or full path for others). */
	pathPattern?: string;
	/** How many matching requests get the fault (default 1). -1 = forever. */
	times?: number;
	/** Skip the first N matching requests before faulting (default 0). */
	after?: number;
	/** What happens. */
	kind:
		| 'status'
		| 'latency'
		| 'reset-before-body'
		| 'reset-after-body'
		| 'hang'
		| 'malformed-json'
		| 'truncated-json'
		| 'redirect'
		| 'html-error'
		| 'expire-token';
	/**
	 * kind=html-error: a proxy in front of Graph answers `status` (default 502) with an HTML page
	 * (text/html, no request-id: Graph never answered); the request is not processed.
	 * kind=expire-token: every access token expires just before this request is authenticated, so it
	 * gets Graph's own 401 (a token that runs out in the middle of a run); nothing is processed.
	 */
	/** kind=redirect: 301/302/303/307/308 with `Location: location` (what a proxy or a hijacked host could send). */
	location?: string;
	/** kind=status (and html-error): HTTP status, optional Graph error code/message, Retry-After header value. */
	status?: number;
	code?: string;
	message?: string;
	retryAfter?: string;
	/** kind=latency: extra ms before handling. */
	latencyMs?: number;
}

/**
 * What the core gives modules at registration time.
 * Mailbox routes are registered relative to the mailbox: `mailboxRoute('GET', '/mailFolders/:folderId')`
 * matches both `/me/mailFolders/x` and `/users/{id|upn}/mailFolders/x`.
 */
export interface EmulatorCore {
	readonly options: Required<Omit<EmulatorOptions, 'rateLimit'>> & { rateLimit: EmulatorOptions['rateLimit'] };
	/** Base URL, e.g. http://127.0.0.1:43123 (no trailing slash). Graph lives under `${url}/v1.0`. */
	readonly url: string;
	/** Emulator clock (epoch ms); advanced by the control API without waiting. */
	now(): number;
	advanceClock(ms: number): Promise<void>;
	newId(prefix?: string): string;
	users: Map<string, EmulatorUser>; // by id
	findUser(idOrUpn: string): EmulatorUser | undefined;
	route(method: string, pattern: string, handler: Handler): void;
	mailboxRoute(method: string, pattern: string, handler: Handler): void;
	/** Control routes live under `/_emulator/...`; no auth. */
	controlRoute(method: string, pattern: string, handler: Handler): void;
	/**
	 * Routes outside `/v1.0` that need no bearer token (e.g. pre-authenticated upload URLs
	 * `${core.url}/upload/:id`). Recorded, faults apply; `req.path` is the full path.
	 * (Patterns given to `route()` are also reachable this way, without a token, when requested
	 * outside `/v1.0`; prefer `publicRoute` for anything meant to be token-free.)
	 */
	publicRoute(method: string, pattern: string, handler: Handler): void;
	/** Per-user module state, created on first use. */
	moduleState<T>(userId: string, module: string, create: () => T): T;
	/** Emit/subscribe mailbox change events. */
	emitChange(event: ChangeEvent): void;
	onChange(listener: (event: ChangeEvent) => void): void;
	/** Called when the clock advances (after it moved), for expiry/lifecycle processing. */
	onClockAdvance(listener: (now: number) => Promise<void> | void): void;
	/** Register a reset hook (POST /_emulator/reset clears module state). */
	onReset(listener: () => void): void;
	/** Graph error reply in Graph's shape (request-id and date filled in). */
	graphError(status: number, code: string, message: string, req?: GraphRequest, headers?: Record<string, string>): Reply;
}

/** A feature module: `export function register(core: EmulatorCore): void`. */
export type EmulatorModule = (core: EmulatorCore) => void;
