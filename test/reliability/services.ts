/**
 * Redis and PostgreSQL from the Debian packages (`apt-get install -y redis-server postgresql`), started
 * by the test on loopback with their own data folders and free ports, and stopped by it. Nothing
 * system-wide is used or changed: no service manager, no default cluster, no default port.
 * PostgreSQL refuses to run as root, so as root its processes run as the `postgres` user (runuser).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
	const binary = '/usr/bin/redis-server';
	if (!existsSync(binary)) throw new Error('redis-server is not installed: apt-get install -y redis-server');
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

/** `/usr/lib/postgresql/<newest>/bin` */
export function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
	if (versions.length === 0) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
	return join(root, versions[0], 'bin');
}

/** As root: run a PostgreSQL program as the `postgres` user. */
function asPostgres(binary: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

function pgReady(bin: string, port: number): Promise<boolean> {
	try {
		execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q'], { stdio: 'ignore' });
		return Promise.resolve(true);
	} catch {
		return Promise.resolve(false);
	}
}

export async function startPostgres(database: string): Promise<Service> {
	const bin = postgresBin();
	const dir = mkdtempSync(join(tmpdir(), 'rl-postgres-'));
	const data = join(dir, 'data');
	if (process.getuid?.() === 0) {
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
		chownSync(dir, uid, gid);
	}
	const [initdb, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-instructions']);
	execFileSync(initdb, initArgs, { stdio: 'pipe' });
	const port = await freePort();
	const [postgres, args] = asPostgres(join(bin, 'postgres'), [
		'-D', data,
		'-p', String(port),
		'-k', dir,
		'-c', 'listen_addresses=127.0.0.1',
		// A throw-away test database: durability is not needed, speed is.
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
	]);
	const server = startProcess(postgres, args);
	await waitFor('postgres', () => pgReady(bin, port), 30_000, server.output);
	execFileSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${database}`], {
		stdio: 'pipe',
	});
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
