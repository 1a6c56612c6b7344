/**
 * Set-up for the reliability suite: the Graph emulator + ONE running n8n 2.8.4 server per test file,
 * with our package installed the way n8n's Community Nodes installer does it, and a fast runner.
 *
 * The harness installs the package as n8n's installer does (no peer n8n-workflow next to it, so
 * `instanceof NodeApiError` sees n8n's own errors). Each run goes through the running server
 * (`runOnServer`, ~0.1 s), so one table can cover many faults.
 */
import { randomUUID } from 'node:crypto';

import { DEFAULT_CLIENT, TENANT_DOMAIN, startEmulator } from '../emulator';
import type { EmulatorOptions, RecordedRequest } from '../emulator/types';
import { credentialFixtures, CREDENTIAL_IDS, graphOperations, NODE_NAME, type Authentication, type E2EContext, type NodeRun, type RunSpec } from '../e2e/support';
import { N8nHarness, nodeType, type HarnessOptions } from '../harness/n8n';
import { manualWorkflow } from '../harness/workflows';

export const CREDENTIAL_TYPES: Record<Authentication, string> = {
	oAuth2: 'microsoftOutlookExtOAuth2Api',
	oAuth2Deprecated: 'microsoftOutlookExtDeprecatedOAuth2Api',
	clientCredentials: 'microsoftOutlookExtClientCredentialsOAuth2Api',
};

export type ReliabilityContext = E2EContext;

export interface StartOptions {
	emulator?: EmulatorOptions;
	n8nEnv?: Record<string, string>;
	/** Start the server (default true); without it only the CLI works. */
	server?: boolean;
}

export async function startReliability(options: StartOptions = {}): Promise<ReliabilityContext> {
	const emu = await startEmulator(options.emulator);
	const base = { emu, clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, tenant: TENANT_DOMAIN };
	const harnessOptions: HarnessOptions = { env: options.n8nEnv };
	const n8n = await N8nHarness.create(harnessOptions);
	const ctx: ReliabilityContext = { ...base, n8n };
	try {
		await n8n.importCredentials(await credentialFixtures(base));
		if (options.server ?? true) {
			await n8n.start();
			await n8n.setupOwner();
		}
	} catch (error) {
		await stopReliability(ctx);
		throw error;
	}
	return ctx;
}

/**
 * Imports one more credential: a copy of the `auth` one (fresh sign-in) with other fields, e.g. a
 * Graph Base URL that points at a proxy. Returns the reference for `runNode({ credential })`.
 */
export async function importExtraCredential(
	ctx: ReliabilityContext,
	auth: Authentication,
	id: string,
	overrides: Record<string, unknown>,
): Promise<{ id: string; name: string }> {
	const fixtures = await credentialFixtures(ctx, { [auth]: overrides });
	const fixture = fixtures.find((f) => f.type === CREDENTIAL_TYPES[auth])!;
	const name = `Outlook ${auth} (${id})`;
	await ctx.n8n.importCredentials([{ ...fixture, id, name }]);
	return { id, name };
}

export async function stopReliability(ctx: ReliabilityContext | undefined): Promise<void> {
	if (!ctx) return;
	await ctx.n8n.dispose();
	await ctx.emu.close();
}

export interface ReliabilitySpec extends RunSpec {
	/** Another imported credential of the same type (e.g. one whose Base URL is a proxy). */
	credential?: { id: string; name: string };
}

/** The same workflow runOutlookNode builds, for one Outlook Ext node. */
export function outlookWorkflow(spec: ReliabilitySpec) {
	const authentication = spec.authentication ?? 'oAuth2';
	const credential = spec.credential ?? { id: CREDENTIAL_IDS[authentication], name: `Outlook ${authentication} (emulator)` };
	return manualWorkflow({
		id: `rl${randomUUID().replace(/-/g, '').slice(0, 14)}`,
		items: spec.items,
		binaryItems: spec.binaryItems,
		node: {
			name: NODE_NAME,
			type: nodeType('microsoftOutlookExt'),
			parameters: { authentication, ...spec.parameters },
			credentials: { [CREDENTIAL_TYPES[authentication]]: credential },
			...(spec.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	});
}

/** runOutlookNode's result shape, but through the running server (editor-style manual run). */
export async function runNode(ctx: ReliabilityContext, spec: ReliabilitySpec): Promise<NodeRun> {
	ctx.emu.clearRequests();
	const result = await ctx.n8n.runOnServer(outlookWorkflow(spec));
	const requests = ctx.emu.requests();
	let output: NodeRun['output'] = [];
	try {
		output = ctx.n8n.nodeOutput(result, NODE_NAME);
	} catch {
		// the node did not run (or produced no data)
	}
	return {
		success: result.success,
		output,
		error: result.success ? undefined : (ctx.n8n.nodeError(result, NODE_NAME) ?? result.error),
		requests,
		graphRequests: graphOperations(requests),
		result,
	};
}

/** Error text of an output item (continueOnFail) or of the run. */
export function errorText(value: { json?: any; error?: any } | NodeRun['error'] | undefined): string {
	if (!value) return '';
	const v = value as { json?: any; error?: any; message?: string; description?: string };
	const parts = [v.json?.error, v.json?.description, v.error?.message, v.error?.description, v.message, v.description];
	return parts.filter((p) => typeof p === 'string').join(' | ');
}

/** `METHOD path status` per request, in order. */
export function steps(requests: RecordedRequest[]): string[] {
	return requests.map((r) => `${r.method} ${r.path} ${r.status ?? '-'}`);
}

export function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}
