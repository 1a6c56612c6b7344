/**
 * A benchmark series: one Graph emulator and one fresh n8n user folder (every execution is saved to
 * its SQLite DB, so folders are never reused across series), with credentials for our node and for
 * n8n's built-in Outlook node pointing at the emulator, and a measured `n8n execute`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { DEFAULT_CLIENT, TENANT_DOMAIN, startEmulator, type Emulator } from '../test/emulator';
import type { EmulatorOptions, RecordedRequest } from '../test/emulator/types';
import { ADELE, CREDENTIAL_IDS, credentialFixtures, signIn } from '../test/e2e/support';
import { N8nHarness, nodeType, type NodeItem, type WorkflowFixture } from '../test/harness/n8n';
import { manualWorkflow, type NodeSpec } from '../test/harness/workflows';
import { executeProcess, nodeRequests, requestWindow, rssDuring, takeNewPeaks, type RequestWindow } from './measure';

export const NODE_NAME = 'Outlook';
export const BUILTIN_CREDENTIAL = { id: 'builtinOutlook01', name: 'Built-in Outlook (emulator)', type: 'microsoftOutlookOAuth2Api' };
const OURS_CREDENTIAL = { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } };
const PRELOAD = resolve(__dirname, 'peak-rss-preload.js');

export type Rival = 'ours' | 'builtin';

export interface Series {
	name: string;
	emu: Emulator;
	n8n: N8nHarness;
	rssDir: string;
	seenRss: Set<string>;
	extraDirs: string[];
}

export async function openSeries(
	name: string,
	emulator: EmulatorOptions = {},
	n8nEnv: Record<string, string> = {},
): Promise<Series> {
	const emu = await startEmulator({ seedDefaults: false, ...emulator });
	const rssDir = mkdtempSync(join(tmpdir(), 'n8n-bench-rss-'));
	try {
		const n8n = await N8nHarness.create({
			logLevel: 'info',
			env: { NODE_OPTIONS: `--require ${PRELOAD}`, BENCH_RSS_DIR: rssDir, ...n8nEnv },
		});
		const base = { emu, clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, tenant: TENANT_DOMAIN };
		const ours = await credentialFixtures(base);
		const tokens = await signIn(emu, { clientId: base.clientId, clientSecret: base.clientSecret, upn: ADELE.userPrincipalName });
		await n8n.importCredentials([
			...ours,
			{
				...BUILTIN_CREDENTIAL,
				data: {
					clientId: base.clientId,
					clientSecret: base.clientSecret,
					graphApiBaseUrl: emu.url,
					authUrl: emu.authorizeUrl,
					accessTokenUrl: emu.tokenUrl,
					useShared: false,
					oauthTokenData: tokens,
				},
			},
		]);
		return { name, emu, n8n, rssDir, seenRss: new Set(), extraDirs: [] };
	} catch (error) {
		await emu.close();
		rmSync(rssDir, { recursive: true, force: true });
		throw error;
	}
}

export async function closeSeries(series: Series | undefined): Promise<void> {
	if (!series) return;
	await series.n8n.dispose();
	await series.emu.close();
	for (const dir of [series.rssDir, ...series.extraDirs]) rmSync(dir, { recursive: true, force: true });
}

/** Our node (credential: delegated OAuth2) or n8n's built-in Outlook node v2, named NODE_NAME. */
export function outlookNode(rival: Rival, parameters: Record<string, unknown>, extra: Partial<NodeSpec> = {}): NodeSpec {
	if (rival === 'ours') {
		return {
			name: NODE_NAME,
			type: nodeType('microsoftOutlookExt'),
			parameters: { authentication: 'oAuth2', ...parameters },
			credentials: OURS_CREDENTIAL,
			...extra,
		};
	}
	return {
		name: NODE_NAME,
		type: 'n8n-nodes-base.microsoftOutlook',
		typeVersion: 2,
		parameters,
		credentials: { microsoftOutlookOAuth2Api: { id: BUILTIN_CREDENTIAL.id, name: BUILTIN_CREDENTIAL.name } },
		...extra,
	};
}

/** A workflow id n8n keeps (16 characters). */
export function workflowId(label: string): string {
	return `bench${label.replace(/[^a-zA-Z0-9]/g, '')}`.padEnd(16, '0').slice(0, 16);
}

export function listWorkflow(id: string, node: NodeSpec, items?: Array<Record<string, unknown>>): WorkflowFixture {
	return manualWorkflow({ id, node, items });
}

export interface MeasuredRun {
	success: boolean;
	error?: string;
	/** `n8n execute` from spawn to exit (includes n8n's start-up and the DB write). */
	wallMs: number;
	/** n8n's own per-node figure (runData executionTime). */
	nodeExecutionMs?: number;
	/** From the node's start (runData startTime) to its first request, and from the last response to its end. */
	beforeFirstRequestMs?: number;
	afterLastResponseMs?: number;
	/** The node's requests as the emulator saw them. */
	window: RequestWindow;
	peakRssMb?: number;
	/** RSS while the node ran (sampled every 25 ms): at its start, its peak, and what it added. */
	nodeRss?: { atStartMb: number; peakMb: number; addedMb: number };
	output: NodeItem[];
	requests: RecordedRequest[];
	/** `runData` of the whole run, from n8n's database. */
	runData: Record<string, any[]>;
}

/** `n8n execute` of an imported workflow with every figure the workloads report. */
export async function executeMeasured(series: Series, wf: WorkflowFixture, opts: { latencyMs?: number; timeoutMs?: number } = {}): Promise<MeasuredRun> {
	series.emu.clearRequests();
	takeNewPeaks(series.rssDir, series.seenRss);
	// Level warn: n8n still builds the run's JSON (a real cost of `execute`) but does not print it.
	// The run is read from n8n's database (storedExecutions): `execute --rawOutput` loses the end of big runs.
	const cli = await series.n8n.runCli(['execute', `--id=${wf.id}`, '--rawOutput'], {
		timeoutMs: opts.timeoutMs ?? 900_000,
		env: { N8N_LOG_LEVEL: 'warn' },
	});
	const requests = nodeRequests(series.emu.requests());
	// The exit hook runs before the process closes its pipes, so the record is there already.
	const n8nProcess = executeProcess(takeNewPeaks(series.rssDir, series.seenRss));
	const [execution] = await series.n8n.storedExecutions(wf.id);
	if (!execution) throw new Error(`n8n execute --id=${wf.id} saved no execution (exit code ${cli.exitCode}): ${cli.stderr.slice(-300)}`);
	const runData = execution.data.resultData?.runData ?? {};
	const nodeRun = runData[NODE_NAME]?.[0];
	const output: NodeItem[] = nodeRun?.data?.main?.[0] ?? [];
	const failure = nodeRun?.error ?? execution.data.resultData?.error;
	const success = cli.exitCode === 0 && execution.status === 'success' && !failure;
	const window = requestWindow(requests, opts.latencyMs ?? 0);
	const nodeStart = typeof nodeRun?.startTime === 'number' ? nodeRun.startTime : undefined;
	const nodeExecutionMs = typeof nodeRun?.executionTime === 'number' ? nodeRun.executionTime : undefined;
	return {
		success,
		error: success ? undefined : describeError(failure, cli.exitCode),
		wallMs: cli.durationMs,
		nodeExecutionMs,
		beforeFirstRequestMs: nodeStart !== undefined && window.firstStartMs !== undefined ? window.firstStartMs - nodeStart : undefined,
		afterLastResponseMs:
			nodeStart !== undefined && nodeExecutionMs !== undefined && window.lastFinishMs !== undefined
				? nodeStart + nodeExecutionMs - window.lastFinishMs
				: undefined,
		window,
		peakRssMb: n8nProcess?.maxRssMb,
		nodeRss: rssDuring(n8nProcess, nodeStart, nodeStart !== undefined && nodeExecutionMs !== undefined ? nodeStart + nodeExecutionMs : undefined),
		output,
		requests,
		runData,
	};
}

function describeError(error: { message?: string; description?: string } | undefined, exitCode: number | null): string {
	const text = error ? `${error.message ?? ''}${error.description ? ` (${error.description})` : ''}` : `exit code ${exitCode}`;
	return text.slice(0, 400);
}

/** Drops the (possibly huge) output after a run has been checked, so the next run has the memory. */
export function lighten(run: MeasuredRun): Omit<MeasuredRun, 'output' | 'requests' | 'runData'> {
	const { output: _output, requests: _requests, runData: _runData, ...rest } = run;
	return rest;
}

/** Every execution of a workflow (public API, following the cursor). */
export async function allExecutions(series: Series, workflowId: string, includeData = true): Promise<any[]> {
	const executions: any[] = [];
	let cursor: string | undefined;
	do {
		const query = new URLSearchParams({ workflowId, includeData: String(includeData), limit: '250', ...(cursor ? { cursor } : {}) });
		const response = await series.n8n.api('GET', `/executions?${query.toString()}`);
		if (response.status !== 200) throw new Error(`GET /executions: HTTP ${response.status}`);
		executions.push(...response.body.data);
		cursor = response.body.nextCursor ?? undefined;
	} while (cursor);
	return executions;
}
