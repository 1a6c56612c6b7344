/**
 * Running n8n processes: the environment, `n8n <command>` CLI runs and the `n8n start` server, each in
 * its own process group so nothing outlives the caller. Used by the test harness (test/harness/n8n.ts:
 * a fresh temp folder on random ports) and by the sandbox (scripts/sandbox/n8n-server.ts: one
 * persistent folder on fixed ports); what differs between them (folder, ports, package install, log
 * format) stays with them.
 *
 * n8n runs under `process.execPath`, so the Node that runs the caller runs n8n (Node 24 for the newest
 * n8n, see scripts/e2e-latest/run.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';

import { n8nBinPath } from './runtime';

/** What `n8n start` prints once the editor is served. */
export const READY_LINE = 'Editor is now accessible via';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;
export const CLI_TIMEOUT_MS = 180_000;

/**
 * Inherited variables that would change n8n's behaviour behind the caller's back. NODE_ENV matters most:
 * jest sets it to 'test', and n8n's logger is silent then.
 */
const INHERITED_ENV_DROPPED = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_ENV$|NODE_OPTIONS$)/;

export interface N8nEnvOptions {
	userFolder: string;
	port: number;
	/** The server's task broker; CLI runs get their own (see CliOptions.env). */
	brokerPort: number;
}

/** The environment of a local n8n: its folder and ports, no telemetry, our unverified package allowed. */
export function n8nEnv(options: N8nEnvOptions): NodeJS.ProcessEnv {
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INHERITED_ENV_DROPPED.test(key)));
	const noProxy = ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(',');
	return {
		...inherited,
		N8N_USER_FOLDER: options.userFolder,
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		// Webhook URLs and the OAuth callback (<this>/rest/oauth2-credential/callback) are built from it.
		WEBHOOK_URL: `http://127.0.0.1:${options.port}/`,
		N8N_RUNNERS_BROKER_PORT: String(options.brokerPort),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		// Our package is not verified by n8n (it has runtime dependencies); newer n8n asks admins to
		// opt in explicitly, and n8n 3 will stop loading unverified packages without this.
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		NO_COLOR: '1',
		// The emulator is on localhost: never send that through a proxy from the environment.
		NO_PROXY: noProxy,
		no_proxy: noProxy,
	};
}

/** Process groups still running; killed when this process exits without stopping them. */
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

function signalProcess(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(pid, signal);
	} catch {
		// already gone
	}
}

function spawnN8n(runtimeDir: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
	installExitHook();
	const child = spawn(process.execPath, [n8nBinPath(runtimeDir), ...args], { cwd: runtimeDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	if (child.pid) liveGroups.add(child.pid);
	return child;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

export function tail(text: string, lines: number): string {
	return text.split('\n').slice(-lines).join('\n');
}

/** true if `promise` settles within `ms`; the timer is cleared either way (no open handle for jest). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms)));
	try {
		return await Promise.race([promise.then(() => true), timeout]);
	} finally {
		clearTimeout(timer);
	}
}

export interface CliRun {
	stdout: string;
	stderr: string;
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	durationMs: number;
	/** Killed after `timeoutMs`. */
	timedOut: boolean;
}

/** `n8n <args>`; the whole process group is killed after `timeoutMs`. */
export function runN8nCli(runtimeDir: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = CLI_TIMEOUT_MS): Promise<CliRun> {
	const started = Date.now();
	return new Promise((resolveRun, reject) => {
		const child = spawnN8n(runtimeDir, args, env);
		const pid = child.pid;
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const timer = setTimeout(() => {
			timedOut = true;
			if (pid) killGroup(pid, 'SIGKILL');
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(new Error(`could not start n8n ${args[0]}: ${error.message}`));
		});
		child.once('close', (exitCode, signal) => {
			clearTimeout(timer);
			if (pid) liveGroups.delete(pid);
			resolveRun({ stdout, stderr, exitCode, signal, durationMs: Date.now() - started, timedOut });
		});
	});
}

/** `n8n start` as a child process group: start() waits for the editor line and /healthz, stop() ends it. */
export class N8nServerProcess {
	private child?: ChildProcess;
	private exited?: Promise<void>;

	/** `onOutput(source, text)` gets everything the server prints ('stdout' / 'stderr') and its exit line ('exit'). */
	constructor(
		private readonly runtimeDir: string,
		private readonly env: NodeJS.ProcessEnv,
		private readonly baseUrl: string,
		private readonly onOutput: (source: 'stdout' | 'stderr' | 'exit', text: string) => void,
	) {}

	get isRunning(): boolean {
		return this.child !== undefined;
	}

	/** Settles when the running server exits (also after stop()); undefined when it is not running. */
	whenExited(): Promise<void> | undefined {
		return this.exited;
	}

	/** Starts the server; resolves with the milliseconds until the editor line was printed and /healthz answered 200. */
	async start(timeoutMs = START_TIMEOUT_MS): Promise<number> {
		if (this.child) return 0;
		const started = Date.now();
		const child = spawnN8n(this.runtimeDir, ['start'], this.env);
		const pid = child.pid;
		this.child = child;
		let printed = '';
		const collect = (source: 'stdout' | 'stderr') => (chunk: string) => {
			printed += chunk;
			this.onOutput(source, chunk);
		};
		child.stdout?.setEncoding('utf8').on('data', collect('stdout'));
		child.stderr?.setEncoding('utf8').on('data', collect('stderr'));
		let exited = false;
		this.exited = new Promise((done) =>
			child.once('exit', (code, signal) => {
				exited = true;
				if (pid) liveGroups.delete(pid);
				this.onOutput('exit', `n8n server exited (code ${code}, signal ${signal})`);
				done();
			}),
		);
		while (!(printed.includes(READY_LINE) && (await this.healthy()))) {
			if (exited || Date.now() - started > timeoutMs) {
				await this.stop();
				throw new Error(`n8n did not start (${exited ? 'it exited' : 'timeout'}); last lines:\n${tail(printed, 40)}`);
			}
			await sleep(100);
		}
		return Date.now() - started;
	}

	private async healthy(): Promise<boolean> {
		try {
			return (await fetch(`${this.baseUrl}/healthz`)).status === 200;
		} catch {
			return false;
		}
	}

	/** SIGTERM to n8n only (it stops its task runner itself); SIGKILL for the whole group after 20 s. */
	async stop(): Promise<void> {
		const child = this.child;
		if (!child) return;
		const pid = child.pid;
		if (pid) signalProcess(pid, 'SIGTERM');
		const stopped = await settlesWithin(this.exited!, STOP_TIMEOUT_MS);
		if (!stopped && pid) {
			killGroup(pid, 'SIGKILL');
			await this.exited;
		}
		// The runner child can outlive a killed parent for a moment; make sure nothing of the group stays.
		if (pid) killGroup(pid, 'SIGKILL');
		this.child = undefined;
		this.exited = undefined;
	}
}
