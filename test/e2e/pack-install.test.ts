/**
 * The published package, installed the way a user installs it by hand, runs in real n8n (issue 21):
 * the tarball `npm pack` makes from a clean clone of HEAD (test/harness/pack.ts: its `prepack` builds dist/) is
 * installed with `npm install <tarball>` into the n8n user folder's `.n8n/nodes` — the README's "With npm" route,
 * what `npm install n8n-nodes-microsoft-outlook-ext` does there with the published package — then n8n starts, loads
 * both nodes and the three credentials from it, and the action node runs against the emulator with each credential.
 *
 * Nothing of the repository's own install is used by n8n: luxon and mailparser come from the registry (npm's cache)
 * into `.n8n/nodes/node_modules`, and n8n-workflow is n8n's own (an optional peer dependency, so npm installs none).
 * One n8n start per version: ~25 s on 2.8.4 (npm install ~5-10 s of it), see the report in the run's output.
 *
 * Run: npx jest --selectProjects e2e --runInBand test/e2e/pack-install.test.ts            (n8n 2.8.4)
 *      npm run test:latest -- --no-build test/e2e/pack-install.test.ts                     (n8n 2.41.1)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEFAULT_CLIENT, TENANT_DOMAIN, startEmulator } from '../emulator';
import { N8nHarness, PACKAGE_NAME } from '../harness/n8n';
import { packFromCleanClone, type PackedTarball } from '../harness/pack';
import { ADELE, credentialFixtures, runOutlookNode, type Authentication, type E2EContext } from './support';

let ctx: E2EContext | undefined;
let packed: PackedTarball;
let nodesDir: string;
let installMs = 0;

beforeAll(async () => {
	packed = packFromCleanClone();
	const emu = await startEmulator();
	const n8n = await N8nHarness.create({ loadPackage: false });
	ctx = { emu, n8n, clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, tenant: TENANT_DOMAIN };

	nodesDir = join(n8n.userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	const started = Date.now();
	execFileSync('npm', ['install', '--no-audit', '--no-fund', packed.tarball], {
		cwd: nodesDir,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
		timeout: 5 * 60_000,
	});
	installMs = Date.now() - started;

	await n8n.importCredentials(await credentialFixtures(ctx));
	await n8n.start();
	await n8n.setupOwner();
}, 600_000);

afterAll(async () => {
	if (!ctx) return;
	process.stdout.write(
		`[pack-install] n8n ${ctx.n8n.n8nVersion}: npm pack ${packed?.packMs ?? 0} ms (0 = packed earlier for this commit), npm install ${installMs} ms, n8n start ${ctx.n8n.lastStartMs ?? '?'} ms\n`,
	);
	await ctx.n8n.dispose();
	await ctx.emu.close();
});

it('npm installs the package with its two runtime dependencies and no second n8n-workflow', () => {
	const installed = join(nodesDir, 'node_modules', PACKAGE_NAME);
	expect(lstatSync(installed).isSymbolicLink()).toBe(false);
	const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
	expect(pkg.version).toBe(JSON.parse(readFileSync(join(packed.packageDir, 'package.json'), 'utf8')).version);
	for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(existsSync(join(installed, file))).toBe(true);
	for (const dependency of ['luxon', 'mailparser']) {
		expect(lstatSync(join(nodesDir, 'node_modules', dependency)).isDirectory()).toBe(true);
	}
	expect(existsSync(join(nodesDir, 'node_modules', 'n8n-workflow'))).toBe(false);
});

it('n8n loads both nodes and all three credentials from the installed package', async () => {
	const n8n = ctx!.n8n;
	const nodeTypes = (await n8n.loadedNodeTypes()).map((type) => type.name);
	expect(nodeTypes).toEqual(
		expect.arrayContaining([`${PACKAGE_NAME}.microsoftOutlookExt`, `${PACKAGE_NAME}.microsoftOutlookExtTrigger`]),
	);
	const { cookie } = await n8n.setupOwner();
	const response = await fetch(`${n8n.baseUrl}/types/credentials.json`, { headers: { cookie } });
	expect(response.status).toBe(200);
	const credentialTypes = ((await response.json()) as Array<{ name: string }>).map((type) => type.name);
	expect(credentialTypes).toEqual(
		expect.arrayContaining([
			'microsoftOutlookExtOAuth2Api',
			'microsoftOutlookExtDeprecatedOAuth2Api',
			'microsoftOutlookExtClientCredentialsOAuth2Api',
		]),
	);
});

it.each<[Authentication, string]>([
	['oAuth2', 'GET /me'],
	['oAuth2Deprecated', 'GET /me'],
	['clientCredentials', `GET /users/${ADELE.userPrincipalName}`],
])('the installed action node runs Get Current User against the emulator with the %s credential', async (authentication, request) => {
	const run = await runOutlookNode(ctx!, { parameters: { resource: 'user', operation: 'getCurrent' }, authentication });
	expect(run.error).toBeUndefined();
	expect(run.output).toHaveLength(1);
	expect(run.output[0].json).toMatchObject({ id: ADELE.id, userPrincipalName: ADELE.userPrincipalName });
	expect(run.graphRequests.map((r) => `${r.method} ${r.path}`)).toEqual([request]);
});
