/**
 * Shared set-up for the e2e tests: the Graph emulator (in this process, real HTTP) + a real n8n 2.8.4
 * user folder with our package and the three credentials pointing at the emulator.
 *
 *   const ctx = await startE2E();
 *   const run = await runOutlookNode(ctx, { parameters: { resource: 'user', operation: 'getCurrent' } });
 *   run.output[0].json.userPrincipalName; run.requests.map((r) => r.path);
 *   await stopE2E(ctx);
 */
import { randomUUID } from 'node:crypto';

import { DEFAULT_CLIENT, TENANT_DOMAIN, startEmulator, type Emulator } from '../emulator';
import { deliveriesInProgress } from '../emulator/subscriptions';
import type { EmulatorOptions, RecordedRequest } from '../emulator/types';
import { DEFAULT_USERS } from '../emulator/users';
import { N8nHarness, nodeType, type CredentialFixture, type ExecutionResult, type NodeItem } from '../harness/n8n';
import { manualWorkflow, type BinaryItemSpec } from '../harness/workflows';

export type Authentication = 'oAuth2' | 'oAuth2Deprecated' | 'clientCredentials';

export const NODE_NAME = 'Outlook';
export const ADELE = DEFAULT_USERS.adele;
export const MEGAN = DEFAULT_USERS.megan;
export const SALES = DEFAULT_USERS.sales;

export const DELEGATED_SCOPES =
	'https://graph.microsoft.com/User.Read https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/Mail.ReadWrite https://graph.microsoft.com/Mail.Send offline_access';

export const CREDENTIAL_IDS: Record<Authentication, string> = {
	oAuth2: 'outlookExtOAuth2a',
	oAuth2Deprecated: 'outlookExtLegacy1',
	clientCredentials: 'outlookExtAppOnly',
};

const CREDENTIAL_TYPES: Record<Authentication, string> = {
	oAuth2: 'microsoftOutlookExtOAuth2Api',
	oAuth2Deprecated: 'microsoftOutlookExtDeprecatedOAuth2Api',
	clientCredentials: 'microsoftOutlookExtClientCredentialsOAuth2Api',
};

export interface E2EContext {
	emu: Emulator;
	n8n: N8nHarness;
	clientId: string;
	clientSecret: string;
	tenant: string;
}

interface TokenResponse {
	access_token: string;
	refresh_token?: string;
	token_type: string;
	expires_in: number;
	scope?: string;
}

/** Signs a user in through the emulator's real authorize + token endpoints (what n8n's Connect button does). */
export async function signIn(
	emu: Emulator,
	opts: { clientId: string; clientSecret: string; upn: string; scope?: string },
): Promise<TokenResponse> {
	const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
	const authorize = new URL(`${emu.url}/common/oauth2/v2.0/authorize`);
	authorize.search = new URLSearchParams({
		client_id: opts.clientId,
		response_type: 'code',
		redirect_uri: redirectUri,
		scope: opts.scope ?? DELEGATED_SCOPES,
		state: 'e2e',
		login_hint: opts.upn,
		prompt: 'none',
	}).toString();
	const redirect = await fetch(authorize, { redirect: 'manual' });
	const location = redirect.headers.get('location');
	if (redirect.status !== 302 || !location) throw new Error(`authorize did not redirect (${redirect.status})`);
	const code = new URL(location).searchParams.get('code');
	if (!code) throw new Error('authorize redirect carries no code');
	const token = await fetch(`${emu.url}/common/oauth2/v2.0/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectUri,
			client_id: opts.clientId,
			client_secret: opts.clientSecret,
		}),
	});
	if (!token.ok) throw new Error(`token exchange failed (${token.status})`);
	return (await token.json()) as TokenResponse;
}

/** The three credentials as n8n imports them; hidden fields (derived URLs) are left to the credential's defaults. */
export async function credentialFixtures(ctx: Omit<E2EContext, 'n8n'>, overrides: Partial<Record<Authentication, Record<string, unknown>>> = {}): Promise<CredentialFixture[]> {
	const { emu, clientId, clientSecret, tenant } = ctx;
	const tokens = await signIn(emu, { clientId, clientSecret, upn: ADELE.userPrincipalName });
	const legacyTokens = await signIn(emu, { clientId, clientSecret, upn: ADELE.userPrincipalName });
	const base = { graphApiBaseUrl: emu.url, clientId, clientSecret };
	const data: Record<Authentication, Record<string, unknown>> = {
		oAuth2: { ...base, tenantUrl: `${emu.url}/common`, scope: DELEGATED_SCOPES, oauthTokenData: tokens },
		oAuth2Deprecated: {
			...base,
			authUrl: `${emu.url}/common/oauth2/v2.0/authorize?prompt=consent`,
			accessTokenUrl: `${emu.url}/common/oauth2/v2.0/token`,
			scope: DELEGATED_SCOPES,
			oauthTokenData: legacyTokens,
		},
		clientCredentials: {
			...base,
			entraEndpoint: emu.url,
			tenantId: tenant,
			scope: 'https://graph.microsoft.com/.default',
			userId: ADELE.userPrincipalName,
		},
	};
	return (Object.keys(data) as Authentication[]).map((auth) => ({
		id: CREDENTIAL_IDS[auth],
		name: `Outlook ${auth} (emulator)`,
		type: CREDENTIAL_TYPES[auth],
		data: { ...data[auth], ...overrides[auth] },
	}));
}

/**
 * Where workflows run: 'server' (default) = one `n8n start` per test file and editor-style manual runs
 * (~0.1 s each); 'cli' = `n8n execute` per run (~2-5 s each). E2E_RUN_ON=cli forces the CLI.
 */
export type RunOn = 'server' | 'cli';

export async function startE2E(
	options: { emulator?: EmulatorOptions; n8nEnv?: Record<string, string>; runOn?: RunOn } = {},
): Promise<E2EContext> {
	const emu = await startEmulator(options.emulator);
	const base = { emu, clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, tenant: TENANT_DOMAIN };
	const n8n = await N8nHarness.create({ env: options.n8nEnv });
	await n8n.importCredentials(await credentialFixtures(base));
	const runOn = (process.env.E2E_RUN_ON as RunOn | undefined) ?? options.runOn ?? 'server';
	if (runOn === 'server') {
		await n8n.start();
		await n8n.setupOwner();
	}
	return { ...base, n8n };
}

export async function stopE2E(ctx: E2EContext | undefined): Promise<void> {
	if (!ctx) return;
	await ctx.n8n.dispose();
	await ctx.emu.close();
}

export interface RunSpec {
	parameters: Record<string, unknown>;
	items?: Array<Record<string, unknown>>;
	binaryItems?: BinaryItemSpec[];
	authentication?: Authentication;
	continueOnFail?: boolean;
}

export interface NodeRun {
	success: boolean;
	output: NodeItem[];
	/** The node's error when the workflow failed. */
	error?: { message: string; description?: string; httpCode?: string; [key: string]: unknown };
	/** Requests the emulator received during this run (identity and Graph; control routes excluded). */
	requests: RecordedRequest[];
	/** Graph requests only (paths after /v1.0). */
	graphRequests: RecordedRequest[];
	result: ExecutionResult;
}

/**
 * The Graph operations the emulator carried out: standalone requests and the members of JSON batches
 * (recorded with their own method, path, query and body), without the `POST /$batch` envelopes that
 * carried them (see `requests` for what went over the wire) and without identity (token) requests.
 */
export function graphOperations(requests: RecordedRequest[]): RecordedRequest[] {
	return requests.filter((r) => !r.url.includes('/oauth2/') && r.area !== 'identity' && !(r.path === '/$batch' && !r.parentRequestId));
}

/** A resource locator value "By ID". */
export function byId(value: string): { __rl: true; mode: 'id'; value: string } {
	return { __rl: true, mode: 'id', value };
}

/** Runs one Outlook Ext node in real n8n (server manual run, or CLI execute) and collects what the emulator saw. */
export async function runOutlookNode(ctx: E2EContext, spec: RunSpec): Promise<NodeRun> {
	const authentication = spec.authentication ?? 'oAuth2';
	const workflow = manualWorkflow({
		id: `wf${randomUUID().replace(/-/g, '').slice(0, 14)}`,
		items: spec.items,
		binaryItems: spec.binaryItems,
		node: {
			name: NODE_NAME,
			type: nodeType('microsoftOutlookExt'),
			parameters: { authentication, ...spec.parameters },
			credentials: {
				[CREDENTIAL_TYPES[authentication]]: { id: CREDENTIAL_IDS[authentication], name: `Outlook ${authentication} (emulator)` },
			},
			...(spec.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	});
	ctx.emu.clearRequests();
	const result = ctx.n8n.isRunning ? await ctx.n8n.runOnServer(workflow) : await ctx.n8n.runWorkflow(workflow);
	const requests = ctx.emu.requests();
	const output = result.success || spec.continueOnFail ? safeOutput(ctx, result) : [];
	return {
		success: result.success,
		output,
		error: result.success ? undefined : (ctx.n8n.nodeError(result, NODE_NAME) ?? result.error),
		requests,
		graphRequests: graphOperations(requests),
		result,
	};
}

function safeOutput(ctx: E2EContext, result: ExecutionResult): NodeItem[] {
	try {
		return ctx.n8n.nodeOutput(result, NODE_NAME);
	} catch {
		return [];
	}
}

/** Input items run concurrently, so requests of different items arrive in any order. */
export function sortedByPath<T extends { method: string; path: string }>(requests: T[]): T[] {
	const key = (r: T) => `${r.method} ${r.path} ${canonicalJson(r)}`;
	return [...requests].sort((a, b) => key(a).localeCompare(key(b)));
}

/** JSON with object keys sorted, so equal requests give equal keys whatever the property order. */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
		return `{${entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

export interface GraphAnswer {
	status: number;
	body: any;
}

/**
 * A direct Graph call to the emulator (test set-up and checks, outside n8n): as a user (Adele by
 * default) or app-only. JSON in, JSON (or undefined for an empty answer) out.
 */
export async function graphAs(
	emu: Emulator,
	method: string,
	path: string,
	options: { body?: unknown; userId?: string; appOnly?: boolean } = {},
): Promise<GraphAnswer> {
	const token = emu.issueToken(options.appOnly ? { appOnly: true } : { userId: options.userId ?? ADELE.id });
	const response = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers: { Authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * The preamble of an e2e file: one emulator + n8n for the whole file, stopped after it. The context
 * object is returned at once and filled in by `beforeAll`, so tests simply use `ctx.emu`, `ctx.n8n`.
 *
 *   const ctx = useE2E();
 */
export function useE2E(
	options: Parameters<typeof startE2E>[0] | (() => Parameters<typeof startE2E>[0]) = {},
	timeoutMs = 240_000,
): E2EContext {
	jest.setTimeout(timeoutMs);
	const ctx = {} as E2EContext;
	beforeAll(async () => {
		// A function is read when the file starts (after the file's earlier beforeAll, e.g. a receiver's URL).
		Object.assign(ctx, await startE2E(typeof options === 'function' ? options() : options));
	});
	afterAll(async () => {
		if (ctx.n8n) await stopE2E(ctx);
	});
	return ctx;
}

/**
 * Direct Graph call as a user (set-up and checks, outside n8n): the answer's JSON with its status.
 * `expectOk` turns an error answer into a thrown error naming the request.
 */
export async function graph(
	ctx: E2EContext,
	method: string,
	path: string,
	options: { userId?: string; body?: unknown; appOnly?: boolean; expectOk?: boolean } = {},
): Promise<any> {
	const answer = await graphAs(ctx.emu, method, path, options);
	if (options.expectOk && answer.status >= 400) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
	return { status: answer.status, ...(answer.body as object | undefined) };
}

/**
 * How long a check that a change started no (further) run waits once everything observable has settled
 * (see deliveriesSettled): the trigger answers 202 first and decides afterwards, and n8n records a run's
 * execution as soon as the webhook hands it the items, so this covers one webhook's processing, not a guess
 * at Graph's timing.
 */
export const QUIET_MS = 500;

/**
 * Waits until the emulator has no notification queued, on its way or waiting for a retry to `url`: every
 * POST Graph would send there has been answered (and is in the delivery log).
 */
export async function deliveriesSettled(emu: Emulator, url: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (deliveriesInProgress(emu.core, url) > 0) {
		if (Date.now() > deadline) throw new Error(`deliveries to ${url} still in progress after ${timeoutMs} ms`);
		await new Promise((done) => setTimeout(done, 25));
	}
}
