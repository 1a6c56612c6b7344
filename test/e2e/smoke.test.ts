/**
 * Foundation smoke test (issue 2): the built package loads in real n8n 2.8.4, each credential type
 * reaches the emulator, an expired token is refreshed through the emulator's token endpoint.
 */
import { ADELE, CREDENTIAL_IDS, credentialFixtures, runOutlookNode, useE2E } from './support';

const ctx = useE2E();

/** Token requests are form-encoded; the emulator records them as (redacted) text. */
function formField(body: unknown, name: string): string | null {
	return new URLSearchParams(String(body)).get(name);
}

const getCurrentUser = { resource: 'user', operation: 'getCurrent' };

it('returns the signed-in user with the authorization-code credential', async () => {
	const run = await runOutlookNode(ctx, { parameters: getCurrentUser });
	expect(run.error).toBeUndefined();
	expect(run.output).toHaveLength(1);
	expect(run.output[0].json).toMatchObject({ id: ADELE.id, userPrincipalName: ADELE.userPrincipalName, displayName: 'Adele Vance' });
	expect(run.output[0].pairedItem).toEqual({ item: 0 });
	expect(run.graphRequests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /me']);
	expect(run.graphRequests[0].headers.authorization).not.toMatch(/emu-at-/); // redacted in the log
});

it('refreshes an expired access token through the emulator token endpoint and saves it', async () => {
	const before = await ctx.n8n.exportCredential(CREDENTIAL_IDS.oAuth2);
	ctx.emu.expireAllTokens();
	const run = await runOutlookNode(ctx, { parameters: getCurrentUser });
	expect(run.error).toBeUndefined();
	expect(run.output[0].json.userPrincipalName).toBe(ADELE.userPrincipalName);
	const sequence = run.requests.map((r) => `${r.method} ${r.path}${r.status ? ` ${r.status}` : ''}`);
	expect(sequence).toEqual(['GET /me 401', 'POST /common/oauth2/v2.0/token 200', 'GET /me 200']);
	expect(formField(run.requests[1].body, 'grant_type')).toBe('refresh_token');
	expect(String(run.requests[1].body)).not.toContain(ctx.clientSecret);
	const after = await ctx.n8n.exportCredential(CREDENTIAL_IDS.oAuth2);
	const tokenOf = (c: Record<string, unknown>) => (c.oauthTokenData as { access_token: string }).access_token;
	expect(tokenOf(after)).not.toBe(tokenOf(before));
});

it('acts on the credential User ID with client credentials (token fetched from the tenant endpoint)', async () => {
	const run = await runOutlookNode(ctx, { parameters: getCurrentUser, authentication: 'clientCredentials' });
	expect(run.error).toBeUndefined();
	expect(run.output[0].json.id).toBe(ADELE.id);
	const token = run.requests.find((r) => r.path.endsWith('/oauth2/v2.0/token'));
	expect(token?.path).toBe('/contoso.onmicrosoft.com/oauth2/v2.0/token');
	expect(formField(token?.body, 'grant_type')).toBe('client_credentials');
	expect(run.graphRequests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /users/AdeleV@contoso.com']);
});

it('works with the deprecated credential and its editable URLs', async () => {
	const run = await runOutlookNode(ctx, { parameters: getCurrentUser, authentication: 'oAuth2Deprecated' });
	expect(run.error).toBeUndefined();
	expect(run.output[0].json.mail).toBe(ADELE.mail);
});

it('scopes to another mailbox when Mailbox is set, and refuses a bad one before any request', async () => {
	const run = await runOutlookNode(ctx, {
		parameters: { ...getCurrentUser, mailbox: 'MeganB@contoso.com' },
		authentication: 'clientCredentials',
	});
	expect(run.output[0].json.userPrincipalName).toBe('MeganB@contoso.com');

	const bad = await runOutlookNode(ctx, { parameters: { ...getCurrentUser, mailbox: 'not a mailbox' } });
	expect(bad.success).toBe(false);
	expect(bad.error?.message).toContain('Mailbox "not a mailbox" is not a mailbox');
	expect(bad.graphRequests).toHaveLength(0);
});

describe('credential tests (the "Test" button, through n8n\'s REST API)', () => {
	beforeAll(async () => {
		if (!ctx.n8n.isRunning) await ctx.n8n.start();
		await ctx.n8n.setupOwner();
	});

	/** Like the editor: save the credential (REST), then press "Test" — n8n tests the saved data. */
	async function testCredential(
		auth: keyof typeof CREDENTIAL_IDS,
		dataOverrides: Record<string, unknown> = {},
		mutate: (data: Record<string, any>) => void = () => {},
	) {
		const [fixture] = (await credentialFixtures(ctx, { [auth]: dataOverrides })).filter((c) => c.id === CREDENTIAL_IDS[auth]);
		mutate(fixture.data);
		const created = await ctx.n8n.rest('POST', '/credentials', { name: `${fixture.name} ${Date.now()}`, type: fixture.type, data: fixture.data });
		expect(created.status).toBe(200);
		const { id, name } = created.body.data as { id: string; name: string };
		const response = await ctx.n8n.rest('POST', '/credentials/test', { credentials: { id, name, type: fixture.type, data: fixture.data } });
		expect(response.status).toBe(200);
		return response.body.data as { status: string; message: string };
	}

	it.each(['oAuth2', 'oAuth2Deprecated', 'clientCredentials'] as const)('%s passes against the emulator', async (auth) => {
		const result = await testCredential(auth);
		expect(result).toEqual(expect.objectContaining({ status: 'OK' }));
	});

	it('client credentials with a bad secret fail with the token endpoint\'s reason', async () => {
		const result = await testCredential('clientCredentials', { clientSecret: 'wrong-secret' });
		expect(result.status).toBe('Error');
		// n8n's OAuth client words Entra's invalid_client (AADSTS7000215) this way.
		expect(result.message).toMatch(/Client authentication failed/);
		expect(result.message).not.toContain('wrong-secret');
	});

	it('authorization code with an expired token and a bad secret fails when n8n tries to refresh', async () => {
		const result = await testCredential('oAuth2', { clientSecret: 'wrong-secret' }, (data) => {
			data.oauthTokenData.access_token = 'emu-at-no-longer-valid';
		});
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain('wrong-secret');
	});
});
