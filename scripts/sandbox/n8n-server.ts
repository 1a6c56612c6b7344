/**
 * The real n8n of the sandbox: one persistent user folder, fixed ports, our package linked in the way a
 * community package is installed (`<userFolder>/.n8n/nodes/node_modules/<package>` → the repo).
 * Processes, environment and CLI runs are test/harness/n8n-process.ts, shared with the test harness
 * (which uses a fresh temp folder on random ports and installs a copy of the package instead).
 */
import { createWriteStream, existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

import { N8nServerProcess, n8nEnv, runN8nCli, tail } from '../../test/harness/n8n-process';
import { REPO_ROOT } from './config';

export const PACKAGE_NAME = 'n8n-nodes-microsoft-outlook-ext';

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

export class N8nServer {
	readonly baseUrl: string;
	readonly env: NodeJS.ProcessEnv;
	/** Milliseconds the last start() took until /healthz answered. */
	lastStartMs?: number;

	private readonly server: N8nServerProcess;
	private log?: WriteStream;

	constructor(private readonly options: N8nServerOptions) {
		this.baseUrl = `http://127.0.0.1:${options.port}`;
		this.env = n8nEnv({ userFolder: options.userFolder, port: options.port, brokerPort: options.brokerPort });
		this.server = new N8nServerProcess(options.runtimeDir, this.env, this.baseUrl, (source, text) =>
			this.appendLog(source === 'exit' ? 'sandbox' : source === 'stderr' ? 'n8n stderr' : 'n8n', text),
		);
	}

	get userFolder(): string {
		return this.options.userFolder;
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
	async cli(args: string[]): Promise<CliResult> {
		const run = await runN8nCli(this.options.runtimeDir, args, this.env);
		this.appendLog(`cli ${args[0]}`, run.stdout + run.stderr);
		return run;
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
		return this.server.isRunning;
	}

	/** Settles when the running server exits (also after stop()); undefined when it is not running. */
	whenExited(): Promise<void> | undefined {
		return this.server.whenExited();
	}

	/** `n8n start`; resolves once the editor line is printed and /healthz answers 200. */
	async start(): Promise<void> {
		if (this.server.isRunning) return;
		this.lastStartMs = await this.server.start();
	}

	/** SIGTERM to n8n (it stops its task runner itself); SIGKILL for the whole group after 20 s. */
	async stop(): Promise<void> {
		await this.server.stop();
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
