/**
 * Real n8n (2.8.4, or the newest with N8N_RUNTIME=latest: see runtime.ts) for the e2e tests, the
 * reliability and browser suites and the benchmarks.
 *
 * One N8nHarness = one fresh temp N8N_USER_FOLDER with our package loaded the way users install
 * community packages: `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-microsoft-outlook-ext` is a symlink
 * to the repo root (package.json "n8n" section -> dist/...), so node types are `<package>.<node>`.
 *
 *   const n8n = await N8nHarness.create();            // temp folder + 3 free ports; nothing runs yet
 *   await n8n.importCredentials([cred]);              // CLI; plain `data` is encrypted with the folder's key
 *   const result = await n8n.runWorkflow(manualWorkflow({ id, node, items }));  // CLI import + execute
 *   n8n.nodeOutput(result, 'Outlook');                // [{ json, binary?, pairedItem }]
 *   await n8n.start(); await n8n.setupOwner();        // server, owner, public API key
 *   await n8n.runOnServer(wf);                        // same result shape, ~0.1 s: editor-style manual run
 *   const id = await n8n.apiCreateWorkflow(wf); await n8n.activate(id);  // live webhook registration
 *   await fetch(n8n.webhookUrl('my-path'));
 *   await n8n.dispose();                              // stop + rm -rf (KEEP_N8N_FOLDERS=1 keeps it)
 *
 * Measured on this 2-core box (idle): CLI import ~1.8 s (3.6 s on a fresh folder: migrations), CLI
 * execute ~1.9-2.0 s (+0.8 s when a Code node needs the task runner), server start ~6-8 s, runOnServer
 * ~50-100 ms. Under load (other suites running) the CLI figures double or triple.
 *
 * Facts the code relies on (n8n 2.8.4):
 * - `execute --rawOutput` prints the run through the logger, success and failure alike, and only at
 *   level info or lower. CLI commands therefore run with N8N_LOG_FORMAT=json and level info (debug when
 *   the harness log level is debug); the run is the log record whose message is a JSON object.
 *   Exit code 1 = the workflow failed (the JSON is still printed).
 * - Every `execute` starts a task broker; it gets its own port so it never clashes with the server's.
 * - CLI commands are serialised per harness (one SQLite DB, one CLI broker port).
 * - `publish:workflow` only takes effect at the next `start()`; `activate()` (public API) is live.
 * Newer n8n (2.41, workflow publication service) publishes in the background: the activate call
 * answers 200 before any trigger hook ran, and a refused activation shows only in
 * `GET /rest/workflows/:id/publication-status` (triggers[].errorMessage). activate()/tryActivate(),
 * deactivate() and start() wait for that publication, so tests read the same on both versions.
 * Log level: option `logLevel`, else $N8N_LOG_LEVEL, else 'info'. Everything n8n prints is kept in
 * logs() and appended to `<userFolder>/n8n.log`.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { CLI_TIMEOUT_MS, N8nServerProcess, n8nEnv, runN8nCli, sleep, tail, type CliRun } from './n8n-process';
import { REPO_ROOT, assertRuntimeInstalled, installedN8nVersion, resolveRuntimeDir } from './runtime';

export const PACKAGE_NAME = 'n8n-nodes-microsoft-outlook-ext';

export type OutlookNodeName = 'microsoftOutlookExt' | 'microsoftOutlookExtTrigger';

/** Workflow `type` of one of our nodes, e.g. `n8n-nodes-microsoft-outlook-ext.microsoftOutlookExt`. */
export function nodeType(name: OutlookNodeName): string {
	return `${PACKAGE_NAME}.${name}`;
}

export interface CredentialFixture {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowFixture {
	id: string;
	name: string;
	nodes: unknown[];
	connections: unknown;
	settings?: unknown;
	pinData?: unknown;
	staticData?: unknown;
	active?: boolean;
}

export interface ExecutionError {
	message: string;
	description?: string;
	[key: string]: unknown;
}

/** A run as n8n saved it (execution_entity + execution_data). */
export interface StoredExecution {
	id: number;
	status: string;
	finished: boolean;
	mode: string;
	/** n8n's IRunExecutionData: `{ resultData: { runData, error?, lastNodeExecuted }, ... }`. */
	data: any;
}

export interface ExecutionResult {
	/** true = exit code 0, status success and no `data.resultData.error`. */
	success: boolean;
	/** The run as n8n saved it: `{ data: { resultData: { runData, error?, lastNodeExecuted } }, status, finished, mode }`. */
	data: any;
	/** `data.data.resultData.error` when the workflow failed. */
	error?: ExecutionError;
	stdout: string;
	stderr: string;
	exitCode: number | null;
	durationMs: number;
}

/** A binary property as n8n stores it: `id` for filesystem mode, base64 `data` for in-memory mode. */
export interface BinaryRef {
	data: string;
	id?: string;
	mimeType?: string;
	fileName?: string;
	fileExtension?: string;
	fileSize?: string;
	[key: string]: unknown;
}

export interface NodeItem {
	json: any;
	binary?: Record<string, BinaryRef>;
	pairedItem?: any;
	error?: any;
}

export interface OwnerSession {
	email: string;
	password: string;
	apiKey: string;
	/** `n8n-auth=...` for /rest calls. */
	cookie: string;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** n8n's publication service (newer n8n): `GET /rest/workflows/:id/publication-status`. */
export type PublicationStatusName = 'not_published' | 'in_progress' | 'published' | 'partial' | 'failed';

export interface PublicationState {
	status: PublicationStatusName;
	/** The version still being published; null when nothing is pending. */
	pendingVersionId: string | null;
	liveVersionId: string | null;
	/** One row per trigger node: `activated` or `failed` with the error message. */
	triggers: Array<{ nodeId: string; status: string; errorMessage?: string | null }>;
}

export interface ActivationOutcome {
	ok: boolean;
	/** The trigger's error when refused. */
	message?: string;
	/** HTTP status of the activate call: 400 = refused at once (2.8.4); 200 also when the publication failed. */
	httpStatus: number;
	/** Newer n8n keeps a workflow with failed triggers published: deactivate it to stop its retries. */
	stillPublished: boolean;
	/** Final publication state (undefined on n8n without a publication service). */
	publication?: PublicationState;
}

export interface HarnessOptions {
	/** Extra environment for every n8n process (server and CLI); wins over the harness defaults. */
	env?: Record<string, string>;
	logLevel?: LogLevel;
	/** Symlink our package into the user folder (default true). Needs `npm run build` first. */
	loadPackage?: boolean;
	/** More community package folders to link in, each under its package.json name (harness self-tests). */
	extraPackages?: string[];
}

interface CliOptions {
	env?: Record<string, string>;
	timeoutMs?: number;
}

const OWNER = { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'Passw0rd!Passw0rd' };
const START_TIMEOUT_MS = 90_000;
const LOGGED_MESSAGE_MAX = 2_000;
/** Background publication of one workflow (newer n8n); a trigger's create may retry with backoff. */
const PUBLICATION_TIMEOUT_MS = 60_000;
const SETTLED_PUBLISHED: PublicationStatusName[] = ['published', 'partial', 'failed'];
const handedOutPorts = new Set<number>();

/** A port that is free now and not yet given to another harness in this process. */
async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolvePort, reject) => {
			const server = createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
			});
		});
		if (port > 0 && !handedOutPorts.has(port)) {
			handedOutPorts.add(port);
			return port;
		}
	}
}

/** Turns one JSON log record into a readable line; long messages (the run JSON) are shortened. */
function jsonLogLineToText(line: string): string {
	try {
		const record = JSON.parse(line);
		if (record && typeof record.message === 'string') {
			const message =
				record.message.length > LOGGED_MESSAGE_MAX
					? `${record.message.slice(0, LOGGED_MESSAGE_MAX)}... (${record.message.length - LOGGED_MESSAGE_MAX} more chars)`
					: record.message;
			return `${record.level ?? 'log'}: ${message}`;
		}
	} catch {
		// not JSON: keep as printed
	}
	return line;
}

/** Accepts a CLI ExecutionResult or an execution from the public API (`includeData=true`). */
function runDataOf(result: ExecutionResult | { data?: any }): Record<string, any[]> {
	const runData = result.data?.data?.resultData?.runData ?? result.data?.resultData?.runData;
	if (!runData) throw new Error('no runData in this execution (public API: was includeData=true?)');
	return runData;
}

function resultErrorOf(result: ExecutionResult | { data?: any }): any {
	return result.data?.data?.resultData?.error ?? result.data?.resultData?.error;
}

export class N8nHarness {
	readonly userFolder: string;
	readonly port: number;
	readonly baseUrl: string;
	readonly logLevel: LogLevel;
	/** The n8n under test, e.g. '2.8.4' or '2.41.1' (N8N_RUNTIME / N8N_RUNTIME_DIR). */
	readonly n8nVersion: string;
	/** Milliseconds the last start() took until the editor/API answered. */
	lastStartMs?: number;

	private readonly runtimeDir: string;
	private readonly env: NodeJS.ProcessEnv;
	private readonly cliBrokerPort: number;
	private readonly logFile: string;
	private logText = '';
	private readonly server: N8nServerProcess;
	private cliQueue: Promise<unknown> = Promise.resolve();
	private owner?: OwnerSession;
	private fileCounter = 0;
	/** Workflow ids that have a DB row for runOnServer(). */
	private readonly workflowRows = new Set<string>();
	/** Learnt from the first publication-status call: newer n8n publishes workflows in the background. */
	private hasPublicationService?: boolean;

	private constructor(fields: {
		userFolder: string;
		port: number;
		serverBrokerPort: number;
		cliBrokerPort: number;
		logLevel: LogLevel;
		env?: Record<string, string>;
	}) {
		this.runtimeDir = resolveRuntimeDir();
		this.n8nVersion = installedN8nVersion(this.runtimeDir) ?? 'unknown';
		this.userFolder = fields.userFolder;
		this.port = fields.port;
		this.baseUrl = `http://127.0.0.1:${fields.port}`;
		this.cliBrokerPort = fields.cliBrokerPort;
		this.logLevel = fields.logLevel;
		this.logFile = join(fields.userFolder, 'n8n.log');
		this.env = {
			...n8nEnv({ userFolder: this.userFolder, port: this.port, brokerPort: fields.serverBrokerPort }),
			N8N_LOG_LEVEL: this.logLevel,
			...fields.env,
		};
		this.server = new N8nServerProcess(this.runtimeDir, this.env, this.baseUrl, (source, text) =>
			this.appendLog(source === 'exit' ? 'harness' : source === 'stderr' ? 'server stderr' : 'server', text),
		);
	}

	/** Fresh temp user folder and free ports; our package installed unless `loadPackage: false`. */
	static async create(opts: HarnessOptions = {}): Promise<N8nHarness> {
		assertRuntimeInstalled();
		const loadPackage = opts.loadPackage ?? true;
		if (loadPackage) assertPackageBuilt();
		const userFolder = await mkdtemp(join(tmpdir(), 'n8n-e2e-'));
		const harness = new N8nHarness({
			userFolder,
			port: await freePort(),
			serverBrokerPort: await freePort(),
			cliBrokerPort: await freePort(),
			logLevel: opts.logLevel ?? (process.env.N8N_LOG_LEVEL as LogLevel | undefined) ?? 'info',
			env: opts.env,
		});
		if (loadPackage) harness.installPackageCopy();
		for (const dir of opts.extraPackages ?? []) harness.linkPackage(dir);
		return harness;
	}

	/**
	 * Our package as `npm i` in ~/.n8n/nodes leaves it: package.json, dist/ and the runtime dependencies
	 * only. n8n-workflow (a peer dependency) is NOT there, so the nodes get n8n's own copy through
	 * NODE_PATH — as in production. (A symlink to the repo would resolve the repo's dev copy instead, a
	 * second n8n-workflow whose NodeApiError is not n8n's, which hides real behaviour.)
	 */
	private installPackageCopy(): void {
		const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
		const dir = join(this.userFolder, '.n8n', 'nodes', 'node_modules', ...String(pkg.name).split('/'));
		mkdirSync(join(dir, 'node_modules'), { recursive: true });
		const runtimeDependencies = Object.keys(pkg.dependencies ?? {});
		delete pkg.devDependencies;
		delete pkg.peerDependencies;
		delete pkg.scripts;
		writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
		cpSync(join(REPO_ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
		for (const name of runtimeDependencies) {
			mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
			symlinkSync(join(REPO_ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
		}
	}

	/** Route B of n8n-facts §4: a package folder linked into ~/.n8n/nodes/node_modules. */
	private linkPackage(packageDir: string): void {
		const name: string = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).name;
		const link = join(this.userFolder, '.n8n', 'nodes', 'node_modules', ...name.split('/'));
		mkdirSync(dirname(link), { recursive: true });
		symlinkSync(packageDir, link, 'dir');
	}

	// ---------------------------------------------------------------- logging

	/** Everything n8n printed (server and CLI), oldest first. */
	logs(): string {
		return this.logText;
	}

	private appendLog(source: string, text: string): void {
		if (!text) return;
		const lines = text.replace(/\n$/, '').split('\n').map((line) => `[${source}] ${line}\n`);
		const block = lines.join('');
		this.logText += block;
		try {
			appendFileSync(this.logFile, block);
		} catch {
			// the folder is being removed
		}
	}

	// ---------------------------------------------------------------- CLI

	/** Runs `n8n <args>` (queued behind other CLI calls of this harness). */
	runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
		const run = this.cliQueue.then(() => this.spawnCli(args, opts));
		this.cliQueue = run.catch(() => undefined);
		return run;
	}

	private async spawnCli(args: string[], opts: CliOptions): Promise<CliRun> {
		const source = `cli ${args[0]}`;
		const env = {
			...this.env,
			N8N_LOG_FORMAT: 'json',
			// The run is printed at level info; anything stricter would hide it.
			N8N_LOG_LEVEL: this.logLevel === 'debug' ? 'debug' : 'info',
			N8N_RUNNERS_BROKER_PORT: String(this.cliBrokerPort),
			...opts.env,
		};
		const timeoutMs = opts.timeoutMs ?? CLI_TIMEOUT_MS;
		const run = await runN8nCli(this.runtimeDir, args, env, timeoutMs);
		this.appendLog(source, run.stdout.split('\n').map(jsonLogLineToText).join('\n'));
		this.appendLog(`${source} stderr`, run.stderr);
		if (run.timedOut) throw new Error(`n8n ${args[0]} timed out after ${timeoutMs} ms:\n${tail(this.logText, 30)}`);
		return run;
	}

	private async runCliOrThrow(args: string[], expectedOutput: RegExp): Promise<CliRun> {
		const run = await this.runCli(args);
		if (run.exitCode !== 0 || !expectedOutput.test(run.stdout)) {
			const printed = run.stdout.split('\n').map(jsonLogLineToText).join('\n');
			throw new Error(`n8n ${args[0]} failed (exit code ${run.exitCode}):\n${tail(printed + run.stderr, 20)}`);
		}
		return run;
	}

	/** A file only n8n reads; callers delete it (it may hold secrets). */
	private writeTempJson(prefix: string, value: unknown): string {
		const file = join(this.userFolder, `${prefix}-${process.pid}-${++this.fileCounter}.json`);
		writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
		return file;
	}

	async importCredentials(creds: CredentialFixture[]): Promise<void> {
		const file = this.writeTempJson('credentials', creds);
		try {
			await this.runCliOrThrow(['import:credentials', `--input=${file}`], /Successfully imported/);
		} finally {
			rmSync(file, { force: true });
		}
	}

	async importWorkflow(wf: WorkflowFixture): Promise<void> {
		await this.importWorkflows([wf]);
	}

	/** One CLI process for many workflows (~1.8 s in total instead of per workflow). */
	async importWorkflows(wfs: WorkflowFixture[]): Promise<void> {
		const file = this.writeTempJson('workflows', wfs.map(withWorkflowDefaults));
		try {
			await this.runCliOrThrow(['import:workflow', `--input=${file}`], /Successfully imported/);
		} finally {
			rmSync(file, { force: true });
		}
	}

	/**
	 * `n8n execute --id`. Resolves for failed workflows too (`success: false`, `error`); rejects only
	 * when n8n saved no run at all (unknown id, crash, timeout). The run is read from n8n's database,
	 * not from what `execute --rawOutput` prints: for big runs n8n exits before its logger has written
	 * all of it (measured: 32.5 of 39 MB arrived). Log level warn, so n8n does not print the run either
	 * (debug with the harness's debug log level).
	 */
	async execute(workflowId: string, opts: { timeoutMs?: number } = {}): Promise<ExecutionResult> {
		const before = await this.lastExecutionId();
		const run = await this.runCli(['execute', `--id=${workflowId}`], {
			...opts,
			env: { N8N_LOG_LEVEL: this.logLevel === 'debug' ? 'debug' : 'warn' },
		});
		const [stored] = await this.storedExecutions(workflowId, before);
		if (stored === undefined) {
			const printed = run.stdout.split('\n').map(jsonLogLineToText).join('\n');
			throw new Error(
				`n8n execute --id=${workflowId} saved no execution (exit code ${run.exitCode}; an unknown workflow id, or n8n failed: its log level was warn, set the harness's logLevel to debug for more):\n${tail(printed + run.stderr, 20)}`,
			);
		}
		const data = { data: stored.data, status: stored.status, finished: stored.finished, mode: stored.mode };
		const error = resultErrorOf({ data });
		// n8n 2.41.1's `execute` (Node 24) ends with SIGSEGV after the run, so its exit code is lost: the
		// run's own status decides then. 2.8.4 exits 0 or 1 and the exit code counts.
		const crashedAfterRun = run.exitCode === null && run.signal === 'SIGSEGV';
		const runSucceeded = stored.status === 'success';
		return {
			success: !error && runSucceeded && (run.exitCode === 0 || crashedAfterRun),
			data,
			error,
			stdout: run.stdout,
			stderr: run.stderr,
			exitCode: crashedAfterRun ? (runSucceeded && !error ? 0 : 1) : run.exitCode,
			durationMs: run.durationMs,
		};
	}

	/**
	 * Executions of a workflow saved after execution `afterId`, newest first, read from the user folder's
	 * SQLite DB with n8n's own sqlite3 build and serializer (read-only: the server may be running).
	 */
	async storedExecutions(workflowId: string, afterId = 0): Promise<StoredExecution[]> {
		const rows = await this.queryDb<{ id: number; status: string; finished: number; mode: string; data: string | null }>(
			'SELECT e.id, e.status, e.finished, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? AND e.id > ? ORDER BY e.id DESC',
			workflowId,
			afterId,
		);
		const flatted = require(join(this.runtimeDir, 'node_modules', 'flatted'));
		return rows.map((row) => ({ id: Number(row.id), status: row.status, finished: Boolean(row.finished), mode: row.mode, data: row.data ? flatted.parse(row.data) : {} }));
	}

	private async lastExecutionId(): Promise<number> {
		if (!existsSync(this.databaseFile)) return 0;
		const [row] = await this.queryDb<{ id: number | null }>('SELECT MAX(id) AS id FROM execution_entity');
		return Number(row?.id ?? 0);
	}

	private get databaseFile(): string {
		return join(this.userFolder, '.n8n', 'database.sqlite');
	}

	private async queryDb<T>(sql: string, ...params: unknown[]): Promise<T[]> {
		const sqlite3 = require(join(this.runtimeDir, 'node_modules', 'sqlite3'));
		const db = await new Promise<any>((done, fail) => {
			const opened = new sqlite3.Database(this.databaseFile, sqlite3.OPEN_READONLY, (error: Error | null) => (error ? fail(error) : done(opened)));
		});
		try {
			return await new Promise<T[]>((done, fail) => db.all(sql, params, (error: Error | null, rows: T[]) => (error ? fail(error) : done(rows))));
		} finally {
			await new Promise<void>((done) => db.close(() => done()));
		}
	}

	async runWorkflow(wf: WorkflowFixture, opts: { timeoutMs?: number } = {}): Promise<ExecutionResult> {
		await this.importWorkflow(wf);
		return await this.execute(wf.id, opts);
	}

	/** Decrypted `data` of a stored credential (e.g. to see that a refreshed OAuth token was saved). */
	async exportCredential(id: string): Promise<Record<string, unknown>> {
		const file = join(this.userFolder, `export-${process.pid}-${++this.fileCounter}.json`);
		try {
			await this.runCliOrThrow(
				['export:credentials', `--id=${id}`, '--decrypted', `--output=${file}`],
				/Successfully exported/,
			);
			const exported = JSON.parse(readFileSync(file, 'utf8'));
			const credential = Array.isArray(exported) ? exported[0] : exported;
			if (!credential?.data) throw new Error(`export of credential ${id} has no data`);
			return credential.data;
		} finally {
			rmSync(file, { force: true });
		}
	}

	/** CLI publish (= activate on next start). Takes effect at the next start(); use activate() for live. */
	async publish(workflowId: string): Promise<void> {
		await this.runCliOrThrow(['publish:workflow', `--id=${workflowId}`], /Changes will not take effect/);
	}

	async unpublish(workflowId: string): Promise<void> {
		await this.runCliOrThrow(['unpublish:workflow', `--id=${workflowId}`], /unpublished successfully/);
	}

	// ---------------------------------------------------------------- results

	/** Items of one node's output (`main[outputIndex]`) in one run; throws when the node did not run. */
	nodeOutput(
		result: ExecutionResult | { data?: any },
		nodeName: string,
		runIndex = 0,
		outputIndex = 0,
	): NodeItem[] {
		const runData = runDataOf(result);
		const run = runData[nodeName]?.[runIndex];
		if (!run) {
			throw new Error(`node "${nodeName}" has no run ${runIndex}; nodes that ran: ${Object.keys(runData).join(', ')}`);
		}
		return run.data?.main?.[outputIndex] ?? [];
	}

	/** The error a node failed with (its run's `error`, or the workflow error raised by that node). */
	nodeError(result: ExecutionResult | { data?: any }, nodeName: string, runIndex = 0): any {
		const runData = result.data?.data?.resultData?.runData ?? result.data?.resultData?.runData ?? {};
		const own = runData[nodeName]?.[runIndex]?.error;
		if (own) return own;
		const workflowError = resultErrorOf(result);
		return workflowError?.node?.name === nodeName ? workflowError : undefined;
	}

	/** The bytes of a binary property from a node output, whichever mode n8n stored it in. */
	readBinary(binary: BinaryRef): Buffer {
		if (binary.id?.startsWith('filesystem-v2:') || binary.id?.startsWith('filesystem:')) {
			const relative = binary.id.slice(binary.id.indexOf(':') + 1);
			return readFileSync(join(this.userFolder, '.n8n', 'storage', relative));
		}
		if (binary.id) throw new Error(`binary mode of ${binary.id} is not readable by the harness`);
		return Buffer.from(binary.data, 'base64');
	}

	// ---------------------------------------------------------------- server

	get isRunning(): boolean {
		return this.server.isRunning;
	}

	/** `n8n start`; resolves once the editor line is printed and /healthz answers 200. */
	async start(): Promise<void> {
		if (this.server.isRunning) return;
		this.lastStartMs = await this.server.start(START_TIMEOUT_MS);
		// Newer n8n publishes active workflows in the background after the ready line (n8n-facts §5).
		if (this.owner) await this.waitForActiveWorkflows();
	}

	/**
	 * Waits until every active workflow is published (newer n8n re-publishes in-memory triggers at start,
	 * in the background). Needs the owner (REST); without one, poll the webhook instead (fetchWebhook).
	 */
	async waitForActiveWorkflows(timeoutMs = PUBLICATION_TIMEOUT_MS): Promise<void> {
		if (this.hasPublicationService === false) return;
		const active = await this.api('GET', '/workflows?active=true&limit=250');
		if (active.status !== 200) throw new Error(`GET /api/v1/workflows?active=true gave HTTP ${active.status}`);
		for (const workflow of active.body.data as Array<{ id: string }>) {
			await this.waitForPublication(workflow.id, 'published', timeoutMs);
		}
	}

	/**
	 * fetch() of a production webhook that retries while n8n answers 404 (not registered yet: newer n8n
	 * registers published workflows after the ready line). Any other answer is returned.
	 */
	async fetchWebhook(url: string, init?: RequestInit, timeoutMs = PUBLICATION_TIMEOUT_MS): Promise<Response> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const response = await fetch(url, init);
			if (response.status !== 404 || Date.now() > deadline) return response;
			await response.arrayBuffer();
			await sleep(200);
		}
	}

	/** SIGTERM to n8n (it stops its task runner itself); SIGKILL for the whole process group after 20 s. */
	async stop(): Promise<void> {
		await this.server.stop();
	}

	// ---------------------------------------------------------------- owner + APIs

	/** Owner account + public API key (once per user folder; the server must run). */
	async setupOwner(): Promise<OwnerSession> {
		if (this.owner) return this.owner;
		this.assertRunning('setupOwner');
		const setup = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		if (setup.status !== 200) throw new Error(`owner setup failed: HTTP ${setup.status} ${await setup.text()}`);
		const cookie = setup.headers
			.getSetCookie()
			.map((header) => header.split(';')[0])
			.find((pair) => pair.startsWith('n8n-auth='));
		if (!cookie) throw new Error('owner setup returned no n8n-auth cookie');
		const scopes = await this.restWithCookie(cookie, 'GET', '/api-keys/scopes');
		const created = await this.restWithCookie(cookie, 'POST', '/api-keys', {
			label: 'e2e',
			scopes: scopes.body.data,
			expiresAt: null,
		});
		const apiKey = created.body?.data?.rawApiKey;
		if (created.status !== 200 || typeof apiKey !== 'string') {
			throw new Error(`API key creation failed: HTTP ${created.status}`);
		}
		this.owner = { email: OWNER.email, password: OWNER.password, apiKey, cookie };
		return this.owner;
	}

	/** Public API (`/api/v1<path>`) with the owner's API key; sets the owner up on first use. */
	async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
		const { apiKey } = await this.setupOwner();
		return await this.http(method, `/api/v1${path}`, { 'X-N8N-API-KEY': apiKey }, body);
	}

	/** Internal REST API (`/rest<path>`) with the owner's cookie, e.g. `rest('GET', '/credentials')`. */
	async rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
		const { cookie } = await this.setupOwner();
		return await this.restWithCookie(cookie, method, path, body);
	}

	/** Node types the server loaded (`GET /types/nodes.json`), e.g. to check that our package is there. */
	async loadedNodeTypes(): Promise<Array<{ name: string; version: number | number[] }>> {
		const { cookie } = await this.setupOwner();
		const response = await this.http('GET', '/types/nodes.json', { cookie });
		if (response.status !== 200 || !Array.isArray(response.body)) {
			throw new Error(`GET /types/nodes.json gave HTTP ${response.status}`);
		}
		return response.body.map((type: { name: string; version: number | number[] }) => ({ name: type.name, version: type.version }));
	}

	private async restWithCookie(cookie: string, method: string, path: string, body?: unknown) {
		return await this.http(method, `/rest${path}`, { cookie }, body);
	}

	private async http(
		method: string,
		path: string,
		headers: Record<string, string>,
		body?: unknown,
	): Promise<{ status: number; body: any }> {
		this.assertRunning(`${method} ${path}`);
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			// not JSON: keep the text
		}
		return { status: response.status, body: parsed };
	}

	/** POST /api/v1/workflows (the API picks the id and ignores ours); returns the new id. */
	async apiCreateWorkflow(wf: Omit<WorkflowFixture, 'id'> & { id?: string }): Promise<string> {
		const created = await this.api('POST', '/workflows', {
			name: wf.name,
			nodes: wf.nodes,
			connections: wf.connections,
			settings: wf.settings ?? { executionOrder: 'v1' },
		});
		if (created.status !== 200) throw new Error(`workflow create failed: HTTP ${created.status} ${JSON.stringify(created.body)}`);
		return created.body.id;
	}

	/**
	 * Live activation through the public API, finished: on n8n 2.8.4 the answer comes after the trigger's
	 * checkExists/create ran; newer n8n answers at once and publishes in the background, so this then
	 * waits for the publication (see waitForPublication). Throws with the trigger's error when refused.
	 */
	async activate(workflowId: string): Promise<void> {
		const outcome = await this.tryActivate(workflowId);
		if (!outcome.ok) throw new Error(`activating workflow ${workflowId} failed: ${outcome.message}`);
	}

	/**
	 * Activation whose refusal is a result, the same on every n8n version: `ok: false` with the trigger's
	 * error message, whether n8n answered the activate call with an error (2.8.4: HTTP 400) or reported
	 * it only in the publication status (newer n8n: the call answers 200, the status says `failed`).
	 * `stillPublished`: newer n8n keeps a workflow whose triggers failed published (and retries it).
	 */
	async tryActivate(workflowId: string, timeoutMs = PUBLICATION_TIMEOUT_MS): Promise<ActivationOutcome> {
		const response = await this.api('POST', `/workflows/${workflowId}/activate`);
		if (response.status !== 200) {
			return { ok: false, message: String(response.body?.message ?? JSON.stringify(response.body)), httpStatus: response.status, stillPublished: false };
		}
		const state = await this.waitForPublication(workflowId, 'published', timeoutMs);
		if (state && (state.status === 'failed' || state.status === 'partial')) {
			const messages = state.triggers.map((trigger) => trigger.errorMessage).filter((message): message is string => Boolean(message));
			return { ok: false, message: messages.join('; ') || `publication ${state.status}`, httpStatus: 200, stillPublished: true, publication: state };
		}
		return { ok: true, httpStatus: 200, stillPublished: true, publication: state };
	}

	/** Live deactivation through the public API: runs the trigger's delete (newer n8n: waits until it ran). */
	async deactivate(workflowId: string): Promise<void> {
		await this.expectOk('POST', `/workflows/${workflowId}/deactivate`);
		await this.waitForPublication(workflowId, 'not_published');
	}

	/**
	 * `GET /rest/workflows/:id/publication-status` of n8n's publication service (newer n8n, e.g. 2.41:
	 * N8N_USE_WORKFLOW_PUBLICATION_SERVICE). undefined on n8n without it (2.8.4 answers 404).
	 */
	async publicationStatus(workflowId: string): Promise<PublicationState | undefined> {
		if (this.hasPublicationService === false) return undefined;
		const response = await this.rest('GET', `/workflows/${workflowId}/publication-status`);
		if (response.status === 404 && this.hasPublicationService !== true) {
			this.hasPublicationService = false;
			return undefined;
		}
		if (response.status !== 200) {
			throw new Error(`GET /rest/workflows/${workflowId}/publication-status gave HTTP ${response.status} ${JSON.stringify(response.body)}`);
		}
		this.hasPublicationService = true;
		const body = response.body?.data ?? response.body;
		return {
			status: body.status,
			pendingVersionId: body.pendingVersionId ?? null,
			liveVersionId: body.liveVersionId ?? null,
			triggers: Array.isArray(body.triggers) ? body.triggers : [],
		};
	}

	/**
	 * Waits until n8n's background publication of a workflow has finished: `published` = settled as
	 * published, partial or failed with nothing pending; `not_published` = its triggers are down.
	 * Returns the final state; undefined at once on n8n without a publication service (activation
	 * there is finished when the API call answers).
	 */
	async waitForPublication(
		workflowId: string,
		want: 'published' | 'not_published',
		timeoutMs = PUBLICATION_TIMEOUT_MS,
	): Promise<PublicationState | undefined> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const state = await this.publicationStatus(workflowId);
			if (!state) return undefined;
			const settled =
				state.pendingVersionId === null &&
				(want === 'published' ? SETTLED_PUBLISHED.includes(state.status) : state.status === 'not_published');
			if (settled) return state;
			if (Date.now() > deadline) {
				throw new Error(`workflow ${workflowId}: publication not ${want} after ${timeoutMs} ms (last state ${JSON.stringify(state)})`);
			}
			await sleep(100);
		}
	}

	private async expectOk(method: string, path: string): Promise<any> {
		const response = await this.api(method, path);
		if (response.status !== 200) {
			const message = response.body?.message ?? JSON.stringify(response.body);
			throw new Error(`${method} /api/v1${path} failed: HTTP ${response.status} ${message}`);
		}
		return response.body;
	}

	/** Executions of a workflow, newest first (public API; `includeData` gives runData for nodeOutput()). */
	async executions(workflowId: string, opts: { includeData?: boolean; limit?: number } = {}): Promise<any[]> {
		const query = new URLSearchParams({
			workflowId,
			includeData: String(opts.includeData ?? true),
			limit: String(opts.limit ?? 100),
		});
		const body = await this.expectOk('GET', `/executions?${query.toString()}`);
		return body.data;
	}

	/** Polls until the workflow has at least `count` finished executions (webhook/trigger runs are async). */
	async waitForExecutions(workflowId: string, count: number, timeoutMs = 15_000): Promise<any[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const finished = (await this.executions(workflowId)).filter((execution) => execution.finished || execution.stoppedAt);
			if (finished.length >= count) return finished;
			if (Date.now() > deadline) {
				throw new Error(`workflow ${workflowId}: ${finished.length} of ${count} executions after ${timeoutMs} ms`);
			}
			await sleep(200);
		}
	}

	/**
	 * Fast path (~50-100 ms instead of ~4 s for CLI import + execute): runs a manual-trigger workflow in
	 * the running server the way the editor's "Execute workflow" button does (`POST /rest/workflows/:id/run`,
	 * mode 'manual'), then reads the finished execution from the public API. Same result shape as execute().
	 * The DB row is created on first use; the run always uses `wf` as passed. `pinData` is dropped unless
	 * `usePinData` (manual mode would otherwise replace pinned nodes' output, which CLI execute never does).
	 */
	async runOnServer(
		wf: WorkflowFixture,
		opts: { usePinData?: boolean; timeoutMs?: number } = {},
	): Promise<ExecutionResult> {
		const started = Date.now();
		const workflowData = withWorkflowDefaults(opts.usePinData ? wf : { ...wf, pinData: undefined });
		await this.ensureWorkflowRow(workflowData);
		const trigger = (wf.nodes as Array<{ name: string; type: string }>).find(
			(node) => node.type === 'n8n-nodes-base.manualTrigger',
		);
		if (!trigger) throw new Error(`runOnServer: workflow ${wf.id} has no Manual Trigger node`);
		const run = await this.rest('POST', `/workflows/${wf.id}/run`, {
			workflowData,
			triggerToStartFrom: { name: trigger.name },
		});
		const executionId = run.body?.data?.executionId;
		if (run.status !== 200 || !executionId) {
			throw new Error(`runOnServer: POST /rest/workflows/${wf.id}/run gave HTTP ${run.status} ${JSON.stringify(run.body)}`);
		}
		const execution = await this.waitForExecution(executionId, opts.timeoutMs ?? CLI_TIMEOUT_MS);
		const data = {
			data: execution.data,
			mode: execution.mode,
			startedAt: execution.startedAt,
			stoppedAt: execution.stoppedAt,
			status: execution.status,
			finished: execution.finished,
		};
		const error = resultErrorOf({ data });
		return {
			success: execution.status === 'success' && !error,
			data,
			error,
			stdout: '',
			stderr: '',
			exitCode: null,
			durationMs: Date.now() - started,
		};
	}

	/** The run endpoint checks permissions on the stored workflow, so a row must exist (its content is not used). */
	private async ensureWorkflowRow(wf: WorkflowFixture): Promise<void> {
		if (this.workflowRows.has(wf.id)) return;
		const created = await this.rest('POST', '/workflows', wf);
		const exists = created.status === 400 && /exists already/.test(String(created.body?.message));
		if (created.status !== 200 && !exists) {
			throw new Error(`runOnServer: creating workflow ${wf.id} gave HTTP ${created.status} ${JSON.stringify(created.body)}`);
		}
		this.workflowRows.add(wf.id);
	}

	/** Polls the public API until the execution has finished (any final status). */
	async waitForExecution(executionId: string, timeoutMs = 30_000): Promise<any> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const response = await this.api('GET', `/executions/${executionId}?includeData=true`);
			const status = response.body?.status;
			if (response.status === 200 && (response.body.stoppedAt || ['success', 'error', 'crashed', 'canceled'].includes(status))) {
				return response.body;
			}
			if (Date.now() > deadline) throw new Error(`execution ${executionId} not finished after ${timeoutMs} ms (status ${status})`);
			await sleep(25);
		}
	}

	/** Production webhook URL: `webhook/<path>`, or `webhook/<webhookId>/<path>` as trigger nodes get. */
	webhookUrl(path: string, webhookId?: string): string {
		const trimmed = path.replace(/^\/+/, '');
		return webhookId ? `${this.baseUrl}/webhook/${webhookId}/${trimmed}` : `${this.baseUrl}/webhook/${trimmed}`;
	}

	private assertRunning(what: string): void {
		if (!this.server.isRunning) throw new Error(`${what} needs the n8n server: call start() first`);
	}

	/** stop() + remove the temp folder (kept, and its path printed, with KEEP_N8N_FOLDERS=1). */
	async dispose(): Promise<void> {
		await this.stop();
		await this.cliQueue;
		if (process.env.KEEP_N8N_FOLDERS === '1') {
			process.stderr.write(`[n8n harness] kept ${this.userFolder}\n`);
			return;
		}
		rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/** n8n needs these fields on import; fixtures may leave them out. */
function withWorkflowDefaults(wf: WorkflowFixture): WorkflowFixture {
	return { active: false, settings: { executionOrder: 'v1' }, ...wf };
}

/** Our package.json "n8n" section lists dist files; n8n cannot load our nodes without them. */
function assertPackageBuilt(): void {
	const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
	const files: string[] = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = files.filter((file) => !existsSync(join(REPO_ROOT, file)));
	if (missing.length > 0) {
		throw new Error(
			`${PACKAGE_NAME} is not built (missing ${missing.join(', ')}): run \`npm run build\`, or pass { loadPackage: false }`,
		);
	}
}
