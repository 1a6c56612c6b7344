/**
 * The real n8n of the sandbox: one persistent user folder, fixed ports, our package linked in the way a
 * community package is installed (`<userFolder>/.n8n/nodes/node_modules/<package>` → the repo).
 *
 * test/harness/n8n.ts does the same for tests but always in a fresh temp folder on random ports; the
 * sandbox keeps its folder between runs, so it has this small runner of its own.
 * n8n runs under `process.execPath`, so the Node that runs the sandbox runs n8n (Node 24 for the
 * newest-n8n run, see scripts/e2e-latest/run.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

import { n8nBinPath } from '../../test/harness/runtime';
import { REPO_ROOT } from './config';

export const PACKAGE_NAME = 'n8n-nodes-microsoft-outlook-ext';

const READY_LINE = 'Editor is now accessible via';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
const CLI_TIMEOUT_MS = 180_000;
/** Variables from the caller's shell that would change n8n behind the sandbox's back (jest sets NODE_ENV=test). */
const INHERITED_ENV_DROPPED = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_ENV$|NODE_OPTIONS$)/;

export interface N8nServerOptions {
	runtimeDir: string;
	userFolder: string;
	port: number;
	brokerPort: number;
	/** Everything n8n prints is appended here. */
	logFile: string;
	/** Also echo n8n's output to this process's stdout. */
	echo?: boolean;
}

export interface CliResult {
	stdout: string;
	stderr: string;
	exitCode: number | null;
}

/** Process groups still running; killed when this process exits without stop(). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
	});
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

function tail(text: string, lines: number): string {
	return text.split('\n').slice(-lines).join('\n');
}

export class N8nServer {
	readonly baseUrl: string;
	readonly env: NodeJS.ProcessEnv;
	/** Milliseconds the last start() took until /healthz answered. */
	lastStartMs?: number;

	private child?: ChildProcess;
	private exited?: Promise<void>;
	private log?: WriteStream;

	constructor(private readonly options: N8nServerOptions) {
		this.baseUrl = `http://127.0.0.1:${options.port}`;
		this.env = this.buildEnv();
		installExitHook();
	}

	get userFolder(): string {
		return this.options.userFolder;
	}

	private buildEnv(): NodeJS.ProcessEnv {
		const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INHERITED_ENV_DROPPED.test(key)));
		const noProxy = ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(',');
		return {
			...inherited,
			N8N_USER_FOLDER: this.options.userFolder,
			N8N_PORT: String(this.options.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			// Webhook URLs and the OAuth callback (<this>/rest/oauth2-credential/callback) are built from it.
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_RUNNERS_BROKER_PORT: String(this.options.brokerPort),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			NO_COLOR: '1',
			// The emulator is on localhost: never send that through a proxy from the environment.
			NO_PROXY: noProxy,
			no_proxy: noProxy,
		};
	}

	/** Route B of n8n-facts §4: what `npm i <package>` in ~/.n8n/nodes gives a real user. */
	linkPackage(): void {
		const link = join(this.options.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
		mkdirSync(dirname(link), { recursive: true });
		if (existsSync(link) || isDanglingLink(link)) {
			if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === REPO_ROOT) return;
			rmSync(link, { recursive: true, force: true });
		}
		symlinkSync(REPO_ROOT, link, 'dir');
	}

	private appendLog(source: string, text: string): void {
		if (!text) return;
		this.log ??= createWriteStream(this.options.logFile, { flags: 'a' });
		const block = text
			.replace(/\n$/, '')
			.split('\n')
			.map((line) => `[${source}] ${line}\n`)
			.join('');
		this.log.write(block);
		if (this.options.echo) process.stdout.write(block);
	}

	/** `n8n <args>` with the sandbox's environment; the server may be stopped or running (SQLite WAL). */
	cli(args: string[]): Promise<CliResult> {
		return new Promise((resolveRun, reject) => {
			const child = spawn(process.execPath, [n8nBinPath(this.options.runtimeDir), ...args], {
				cwd: this.options.runtimeDir,
				env: this.env,
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			const pid = child.pid;
			if (pid) liveGroups.add(pid);
			let stdout = '';
			let stderr = '';
			child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
			child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
			const timer = setTimeout(() => pid && killGroup(pid, 'SIGKILL'), CLI_TIMEOUT_MS);
			child.once('error', (error) => {
				clearTimeout(timer);
				reject(new Error(`could not start n8n ${args[0]}: ${error.message}`));
			});
			child.once('close', (exitCode) => {
				clearTimeout(timer);
				if (pid) liveGroups.delete(pid);
				this.appendLog(`cli ${args[0]}`, stdout + stderr);
				resolveRun({ stdout, stderr, exitCode });
			});
		});
	}

	async cliOrThrow(args: string[], expected: RegExp): Promise<CliResult> {
		const run = await this.cli(args);
		if (run.exitCode !== 0 || !expected.test(run.stdout + run.stderr)) {
			throw new Error(`n8n ${args[0]} failed (exit code ${run.exitCode}):\n${tail(run.stdout + run.stderr, 20)}`);
		}
		return run;
	}

	/** Writes `value` to a file only n8n reads, runs `n8n <command> --input=<file>`, deletes the file (it may hold secrets). */
	async importJson(command: 'import:credentials' | 'import:workflow', value: unknown): Promise<void> {
		const file = join(this.options.userFolder, `${command.replace(':', '-')}-${process.pid}.json`);
		mkdirSync(this.options.userFolder, { recursive: true });
		writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
		try {
			await this.cliOrThrow([command, `--input=${file}`], /Successfully imported/);
		} finally {
			rmSync(file, { force: true });
		}
	}

	/** Marks a workflow active; n8n registers its trigger at the next start. */
	async publish(workflowId: string): Promise<void> {
		await this.cliOrThrow(['publish:workflow', `--id=${workflowId}`], /Changes will not take effect|published|activated/i);
	}

	get isRunning(): boolean {
		return this.child !== undefined;
	}

	/** Settles when the running server exits (also after stop()); undefined when it is not running. */
	whenExited(): Promise<void> | undefined {
		return this.exited;
	}

	/** `n8n start`; resolves once the editor line is printed and /healthz answers 200. */
	async start(): Promise<void> {
		if (this.child) return;
		const started = Date.now();
		const child = spawn(process.execPath, [n8nBinPath(this.options.runtimeDir), 'start'], {
			cwd: this.options.runtimeDir,
			env: this.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const pid = child.pid;
		if (pid) liveGroups.add(pid);
		this.child = child;
		let printed = '';
		const onOutput = (source: string) => (chunk: string) => {
			printed += chunk;
			this.appendLog(source, chunk);
		};
		child.stdout?.setEncoding('utf8').on('data', onOutput('n8n'));
		child.stderr?.setEncoding('utf8').on('data', onOutput('n8n stderr'));
		let exited = false;
		this.exited = new Promise((done) =>
			child.once('exit', (code, signal) => {
				exited = true;
				if (pid) liveGroups.delete(pid);
				this.appendLog('sandbox', `n8n exited (code ${code}, signal ${signal})`);
				done();
			}),
		);
		while (!(printed.includes(READY_LINE) && (await this.healthy()))) {
			if (exited || Date.now() - started > START_TIMEOUT_MS) {
				await this.stop();
				throw new Error(`n8n did not start (${exited ? 'it exited' : 'timeout'}); last lines:\n${tail(printed, 30)}`);
			}
			await sleep(200);
		}
		this.lastStartMs = Date.now() - started;
	}

	private async healthy(): Promise<boolean> {
		try {
			return (await fetch(`${this.baseUrl}/healthz`)).status === 200;
		} catch {
			return false;
		}
	}

	/** SIGTERM to n8n (it stops its task runner itself); SIGKILL for the whole group after 20 s. */
	async stop(): Promise<void> {
		const child = this.child;
		if (!child) return;
		const pid = child.pid;
		if (pid) {
			try {
				process.kill(pid, 'SIGTERM');
			} catch {
				// already gone
			}
		}
		let timer: NodeJS.Timeout | undefined;
		const timedOut = await Promise.race([
			this.exited!.then(() => false),
			new Promise<boolean>((done) => (timer = setTimeout(() => done(true), STOP_TIMEOUT_MS))),
		]);
		clearTimeout(timer);
		if (pid) killGroup(pid, 'SIGKILL');
		if (timedOut) await this.exited;
		this.child = undefined;
		this.exited = undefined;
		await new Promise<void>((done) => (this.log ? this.log.end(done) : done()));
		this.log = undefined;
	}
}

function isDanglingLink(path: string): boolean {
	try {
		return lstatSync(path).isSymbolicLink();
	} catch {
		return false;
	}
}
