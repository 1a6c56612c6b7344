/**
 * Exactly one run per change across n8n processes (queue mode with several webhook processes).
 * Static data cannot do it: n8n saves it last-write-wins after each request, so the same notification
 * POSTed to two webhook processes at once runs twice (measured: 43–45 of 45 repeats got through).
 * With the trigger's "Shared Duplicate Store" option, each change is claimed in a Redis every process
 * reaches: `SET key value NX PX ttl` is atomic, so the first process to claim a change runs it and
 * every other one sees it taken.
 *
 * A minimal RESP client over node:net/tls (no dependency), one short connection per delivery. When
 * Redis cannot be reached, callers fall back to the per-process and static-data memories (dedupe.ts)
 * and a warning is logged.
 */
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const KEY_PREFIX = 'n8n-nodes-microsoft-outlook-ext:change:';
const TIMEOUT_MS = 2_000;

export interface RedisSettings {
	host: string;
	port: number;
	db: number;
	username?: string;
	password?: string;
	tls: boolean;
}

/**
 * The Redis of the "Shared Duplicate Store" option: `redis://[user:password@]host[:port][/db]` or
 * `rediss://…` (TLS). A community node cannot read n8n's own QUEUE_BULL_REDIS_* settings (the
 * community-node rules forbid `process`), so the user names the Redis, usually the one n8n uses.
 */
export function redisFromUrl(url: string): RedisSettings | undefined {
	if (!URL.canParse(url)) return undefined;
	const parsed = new URL(url);
	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return undefined;
	const db = Number(parsed.pathname.replace(/^\//, '') || 0);
	return {
		host: parsed.hostname.replace(/^\[|\]$/g, ''),
		port: Number(parsed.port || 6379),
		db: Number.isInteger(db) && db >= 0 ? db : 0,
		username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
		password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
		tls: parsed.protocol === 'rediss:',
	};
}

function command(...args: string[]): string {
	return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Reads `count` simple replies (+OK, -ERR, $-1, :n, $n bulk); enough for AUTH/SELECT/SET. */
function parseReplies(buffer: string, count: number): Array<string | null> | undefined {
	const replies: Array<string | null> = [];
	let at = 0;
	while (replies.length < count) {
		const end = buffer.indexOf('\r\n', at);
		if (end === -1) return undefined;
		const line = buffer.slice(at, end);
		at = end + 2;
		if (line[0] === '-') throw new Error(`Redis: ${line.slice(1, 120)}`);
		if (line[0] === '$') {
			const length = Number(line.slice(1));
			if (length < 0) {
				replies.push(null);
				continue;
			}
			if (buffer.length < at + length + 2) return undefined;
			replies.push(buffer.slice(at, at + length));
			at += length + 2;
			continue;
		}
		replies.push(line.slice(1));
	}
	return replies;
}

async function exchange(settings: RedisSettings, commands: string[]): Promise<Array<string | null>> {
	return await new Promise((resolve, reject) => {
		const socket: Socket = settings.tls ? tlsConnect({ host: settings.host, port: settings.port, servername: settings.host }) : createConnection({ host: settings.host, port: settings.port });
		let received = '';
		const done = (error?: Error, replies?: Array<string | null>) => {
			socket.destroy();
			if (error) reject(error);
			else resolve(replies!);
		};
		socket.setTimeout(TIMEOUT_MS, () => done(new Error('Redis did not answer in time')));
		socket.on('error', (error) => done(error));
		socket.on('data', (chunk) => {
			received += chunk.toString('utf8');
			try {
				const replies = parseReplies(received, commands.length);
				if (replies) done(undefined, replies);
			} catch (error) {
				done(error as Error);
			}
		});
		socket.write(commands.join(''));
	});
}

/**
 * Claims each key for `ttlMs`; true = this process claimed it (run the change), false = another one
 * already has (a repeat). Throws when Redis cannot be used (the caller falls back).
 */
export async function claimOnce(settings: RedisSettings, keys: string[], ttlMs: number): Promise<boolean[]> {
	if (keys.length === 0) return [];
	const setup: string[] = [];
	if (settings.password) setup.push(settings.username ? command('AUTH', settings.username, settings.password) : command('AUTH', settings.password));
	if (settings.db) setup.push(command('SELECT', String(settings.db)));
	const claims = keys.map((key) => command('SET', `${KEY_PREFIX}${key}`, '1', 'NX', 'PX', String(Math.max(1000, Math.round(ttlMs)))));
	const replies = await exchange(settings, [...setup, ...claims]);
	return replies.slice(setup.length).map((reply) => reply === 'OK');
}
