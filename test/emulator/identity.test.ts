/**
 * The emulated identity platform over real HTTP: the authorize page and its code round trip,
 * every token grant (body and HTTP Basic client authentication), Entra ID error shapes,
 * refresh-token rotation and token lifetime on the emulator clock.
 */
import { DEFAULT_CLIENT, DEFAULT_USERS, TENANT_DOMAIN, TENANT_ID, startEmulator, type Emulator } from './index';

const { adele, megan } = DEFAULT_USERS;
const REDIRECT_URI = 'http://localhost:5678/rest/oauth2-credential/callback';
const SCOPE = 'openid offline_access https://graph.microsoft.com/Mail.ReadWrite https://graph.microsoft.com/User.Read';

let emu: Emulator;

interface TokenBody {
	token_type?: string;
	scope?: string;
	expires_in?: number;
	ext_expires_in?: number;
	access_token?: string;
	refresh_token?: string;
	error?: string;
	error_description?: string;
	error_codes?: number[];
	trace_id?: string;
	correlation_id?: string;
	timestamp?: string;
}

function tokenRequest(params: Record<string, string>, options: { tenant?: string; basic?: [string, string] } = {}): Promise<Response> {
	const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
	if (options.basic) {
		const [id, secret] = options.basic.map((part) => encodeURIComponent(part));
		headers.Authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
	}
	return fetch(`${emu.url}/${options.tenant ?? TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', headers, body: new URLSearchParams(params) });
}

async function tokenJson(params: Record<string, string>, options?: { tenant?: string; basic?: [string, string] }): Promise<{ status: number; body: TokenBody }> {
	const response = await tokenRequest(params, options);
	return { status: response.status, body: (await response.json()) as TokenBody };
}

const clientBody = { client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret };

function authorizeQuery(extra: Record<string, string> = {}): string {
	return new URLSearchParams({
		client_id: DEFAULT_CLIENT.clientId,
		redirect_uri: REDIRECT_URI,
		response_type: 'code',
		scope: SCOPE,
		state: 'state-123',
		...extra,
	}).toString();
}

/** Signs in as a user through the consent page and returns the code from the redirect. */
async function signIn(userId: string, tenant = 'common'): Promise<string> {
	const response = await fetch(`${emu.url}/${tenant}/oauth2/v2.0/authorize`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ client_id: DEFAULT_CLIENT.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: SCOPE, state: 's', user_id: userId }),
	});
	expect(response.status).toBe(302);
	return new URL(response.headers.get('location') as string).searchParams.get('code') as string;
}

async function meWith(token: string | undefined): Promise<Response> {
	return fetch(`${emu.url}/v1.0/me`, { headers: { Authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
	emu = await startEmulator({ seedDefaults: false });
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => emu.reset());

describe('authorize endpoint', () => {
	it('shows a consent page naming the app, the scopes and one button per user', async () => {
		const response = await fetch(`${emu.url}/common/oauth2/v2.0/authorize?${authorizeQuery()}`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/html/);
		const html = await response.text();
		expect(html).toContain('Emulated Microsoft sign-in');
		expect(html).toContain(DEFAULT_CLIENT.clientId);
		expect(html).toContain('https://graph.microsoft.com/Mail.ReadWrite');
		expect(html).toContain(`name="user_id" value="${adele.id}"`);
		expect(html).toContain(`name="user_id" value="${megan.id}"`);
		expect(html).toContain('method="post" action="/common/oauth2/v2.0/authorize"');
		expect(html).not.toContain(DEFAULT_CLIENT.clientSecret);
	});

	it('round trip: the form POST redirects with code and state, and the code buys tokens for that user', async () => {
		const page = await fetch(`${emu.url}/${TENANT_DOMAIN}/oauth2/v2.0/authorize?${authorizeQuery()}`);
		const html = await page.text();
		const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&')]));
		const post = await fetch(`${emu.url}/${TENANT_DOMAIN}/oauth2/v2.0/authorize`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ ...fields, user_id: megan.id }),
		});
		expect(post.status).toBe(302);
		const location = new URL(post.headers.get('location') as string);
		expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
		expect(location.searchParams.get('state')).toBe('state-123');
		const code = location.searchParams.get('code') as string;
		expect(code).toMatch(/^emu-code-/);

		const { status, body } = await tokenJson({ ...clientBody, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, scope: SCOPE });
		expect(status).toBe(200);
		expect(body.token_type).toBe('Bearer');
		expect(body.expires_in).toBe(3600);
		expect(body.ext_expires_in).toBe(3600);
		expect(body.access_token).toMatch(/^emu-at-/);
		expect(body.refresh_token).toMatch(/^emu-rt-/);
		expect(body.scope?.split(' ')).toEqual(expect.arrayContaining(['Mail.ReadWrite', 'User.Read']));
		expect(body.scope).not.toContain('offline_access');
		const me = (await (await meWith(body.access_token)).json()) as { id: string };
		expect(me.id).toBe(megan.id);

		const again = await tokenJson({ ...clientBody, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
		expect(again.status).toBe(400);
		expect(again.body.error).toBe('invalid_grant');
		expect(again.body.error_codes).toEqual([54005]);
	});

	it('redirects at once for prompt=none with a known login_hint', async () => {
		const response = await fetch(`${emu.url}/organizations/oauth2/v2.0/authorize?${authorizeQuery({ prompt: 'none', login_hint: adele.userPrincipalName })}`, {
			redirect: 'manual',
		});
		expect(response.status).toBe(302);
		const location = new URL(response.headers.get('location') as string);
		const code = location.searchParams.get('code') as string;
		const { body } = await tokenJson({ ...clientBody, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
		expect(((await (await meWith(body.access_token)).json()) as { id: string }).id).toBe(adele.id);

		const silentFail = await fetch(`${emu.url}/common/oauth2/v2.0/authorize?${authorizeQuery({ prompt: 'none' })}`, { redirect: 'manual' });
		expect(new URL(silentFail.headers.get('location') as string).searchParams.get('error')).toBe('login_required');
	});

	it('shows AADSTS700016 for an unknown client and AADSTS90002 for an unknown tenant', async () => {
		const unknownClient = await fetch(`${emu.url}/common/oauth2/v2.0/authorize?${authorizeQuery({ client_id: '99999999-9999-9999-9999-999999999999' })}`);
		expect(unknownClient.status).toBe(400);
		expect(await unknownClient.text()).toContain('AADSTS700016');
		const unknownTenant = await fetch(`${emu.url}/fabrikam.onmicrosoft.com/oauth2/v2.0/authorize?${authorizeQuery()}`);
		expect(await unknownTenant.text()).toContain('AADSTS90002');
	});

	it('redirects with access_denied when the user cancels', async () => {
		const response = await fetch(`${emu.url}/common/oauth2/v2.0/authorize`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ client_id: DEFAULT_CLIENT.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: SCOPE, state: 'x', cancel: '1' }),
		});
		expect(new URL(response.headers.get('location') as string).searchParams.get('error')).toBe('access_denied');
	});
});

describe('token endpoint', () => {
	it('client_credentials with the secret in the body gives an app-only token without refresh token', async () => {
		const { status, body } = await tokenJson({ ...clientBody, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' });
		expect(status).toBe(200);
		expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
		const users = await fetch(`${emu.url}/v1.0/users`, { headers: { Authorization: `Bearer ${body.access_token}` } });
		expect(users.status).toBe(200);
		expect((await meWith(body.access_token)).status).toBe(400);
	});

	it('accepts client id and secret in an HTTP Basic header', async () => {
		const { status, body } = await tokenJson(
			{ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
			{ basic: [DEFAULT_CLIENT.clientId, DEFAULT_CLIENT.clientSecret], tenant: 'common' },
		);
		expect(status).toBe(200);
		expect(body.access_token).toMatch(/^emu-at-/);
		const code = await signIn(adele.id);
		const delegated = await tokenJson(
			{ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
			{ basic: [DEFAULT_CLIENT.clientId, DEFAULT_CLIENT.clientSecret] },
		);
		expect(delegated.status).toBe(200);
		expect(delegated.body.refresh_token).toBeDefined();
	});

	it('rejects a wrong secret with invalid_client 7000215 in Entra ID\'s shape, never echoing the secret', async () => {
		for (const options of [{}, { basic: [DEFAULT_CLIENT.clientId, 'wrong-secret-value'] as [string, string] }]) {
			const params: Record<string, string> = { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' };
			if (!('basic' in options)) Object.assign(params, { client_id: DEFAULT_CLIENT.clientId, client_secret: 'wrong-secret-value' });
			const { status, body } = await tokenJson(params, options);
			expect(status).toBe(401);
			expect(body.error).toBe('invalid_client');
			expect(body.error_codes).toEqual([7000215]);
			expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
			expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
			expect(body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
			expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
			expect(JSON.stringify(body)).not.toContain('wrong-secret-value');
		}
	});

	it('requires a /.default scope for client_credentials', async () => {
		const { status, body } = await tokenJson({ ...clientBody, grant_type: 'client_credentials', scope: 'Mail.Read' });
		expect(status).toBe(400);
		expect(body.error).toBe('invalid_scope');
		expect(body.error_codes).toEqual([1002012]);
	});

	it('names unknown clients, missing parameters and unsupported grants', async () => {
		const unknown = await tokenJson({ grant_type: 'client_credentials', client_id: 'nope', client_secret: 'x', scope: 'https://graph.microsoft.com/.default' });
		expect(unknown.status).toBe(400);
		expect(unknown.body.error).toBe('unauthorized_client');
		expect(unknown.body.error_codes).toEqual([700016]);
		const noGrant = await tokenJson({ ...clientBody });
		expect(noGrant.body.error).toBe('invalid_request');
		expect(noGrant.body.error_description).toContain("'grant_type'");
		const noSecret = await tokenJson({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.clientId, scope: 'https://graph.microsoft.com/.default' });
		expect(noSecret.status).toBe(401);
		expect(noSecret.body.error_codes).toEqual([7000218]);
		const password = await tokenJson({ ...clientBody, grant_type: 'password' });
		expect(password.body.error).toBe('unsupported_grant_type');
	});

	it('rejects bad codes and codes sent with another redirect_uri', async () => {
		const bad = await tokenJson({ ...clientBody, grant_type: 'authorization_code', code: 'emu-code-bogus', redirect_uri: REDIRECT_URI });
		expect(bad.status).toBe(400);
		expect(bad.body.error).toBe('invalid_grant');
		const code = await signIn(adele.id);
		const mismatch = await tokenJson({ ...clientBody, grant_type: 'authorization_code', code, redirect_uri: 'http://localhost/other' });
		expect(mismatch.body.error).toBe('invalid_grant');
	});

	it('expires codes after 10 minutes on the emulator clock', async () => {
		const code = await signIn(adele.id);
		await emu.advanceClock(10 * 60_000 + 1);
		const { body } = await tokenJson({ ...clientBody, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
		expect(body.error).toBe('invalid_grant');
		expect(body.error_codes).toEqual([70008]);
	});

	it('refresh_token rotates, keeps the user, and the old token dies after the grace period', async () => {
		const code = await signIn(adele.id);
		const first = (await tokenJson({ ...clientBody, grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).body;

		await emu.advanceClock(3600_000 + 1);
		const expired = await meWith(first.access_token);
		expect(expired.status).toBe(401);
		expect(((await expired.json()) as { error: { message: string } }).error.message).toBe('Lifetime validation failed, the token is expired.');

		const refreshed = await tokenJson({ ...clientBody, grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
		expect(refreshed.status).toBe(200);
		expect(refreshed.body.refresh_token).toMatch(/^emu-rt-/);
		expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
		expect(((await (await meWith(refreshed.body.access_token)).json()) as { id: string }).id).toBe(adele.id);

		await emu.advanceClock(5 * 60_000);
		const reused = await tokenJson({ ...clientBody, grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
		expect(reused.status).toBe(400);
		expect(reused.body.error).toBe('invalid_grant');
		const next = await tokenJson({ ...clientBody, grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token as string });
		expect(next.status).toBe(200);

		const unknown = await tokenJson({ ...clientBody, grant_type: 'refresh_token', refresh_token: 'emu-rt-unknown' });
		expect(unknown.body.error).toBe('invalid_grant');
	});

	it('accepts every tenant spelling of this tenant', async () => {
		for (const tenant of ['common', 'organizations', TENANT_ID, TENANT_DOMAIN]) {
			const { status } = await tokenJson({ ...clientBody, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }, { tenant });
			expect(status).toBe(200);
		}
		const other = await tokenJson({ ...clientBody, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }, { tenant: 'fabrikam.com' });
		expect(other.status).toBe(400);
		expect(other.body.error_codes).toEqual([90002]);
	});
});

describe('token lifetime option', () => {
	it('uses tokenLifetimeSeconds for expires_in and for expiry', async () => {
		const short = await startEmulator({ tokenLifetimeSeconds: 60, seedDefaults: false });
		try {
			const response = await fetch(short.tokenUrl, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ ...clientBody, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
			});
			const body = (await response.json()) as TokenBody;
			expect(body.expires_in).toBe(60);
			const call = () => fetch(`${short.url}/v1.0/users`, { headers: { Authorization: `Bearer ${body.access_token}` } });
			expect((await call()).status).toBe(200);
			await short.advanceClock(61_000);
			expect((await call()).status).toBe(401);
		} finally {
			await short.close();
		}
	});
});
