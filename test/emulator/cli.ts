/**
 * `npm run emulator [-- --port 5580]`: runs the Graph emulator in the foreground until SIGINT/SIGTERM.
 * Flags win over environment variables (EMULATOR_PORT, EMULATOR_HOST, EMULATOR_TOKEN_LIFETIME,
 * EMULATOR_LATENCY_MS, EMULATOR_CONCURRENCY, EMULATOR_VERBOSE).
 */
import { DEFAULT_CLIENT, DEFAULT_USERS, TENANT_DOMAIN, TENANT_ID, startEmulator } from './index';
import type { EmulatorOptions } from './types';

const DEFAULT_PORT = 5580;

const USAGE = `Usage: npm run emulator -- [options]
  --port <n>              port to listen on (default ${DEFAULT_PORT}; 0 = any free port) [EMULATOR_PORT]
  --host <addr>           address to bind (default 127.0.0.1) [EMULATOR_HOST]
  --token-lifetime <s>    access token lifetime in seconds (default 3600) [EMULATOR_TOKEN_LIFETIME]
  --latency <ms>          extra latency on every Graph request (default 0) [EMULATOR_LATENCY_MS]
  --concurrency <n>       concurrent requests per app and mailbox (default 4, 0 = unlimited) [EMULATOR_CONCURRENCY]
  --rate-limit <n>/<ms>   at most n requests per mailbox in ms (default off)
  --no-seed               start with empty mailboxes and calendars
  --verbose               log every request to stderr [EMULATOR_VERBOSE=1]
  --help                  show this help`;

class UsageError extends Error {}

function numberOption(name: string, value: string | undefined): number | undefined {
	if (value === undefined || value === '') return undefined;
	const n = Number(value);
	if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} needs a non-negative number, got '${value}'`);
	return n;
}

function parseRateLimit(value: string | undefined): EmulatorOptions['rateLimit'] {
	if (value === undefined) return undefined;
	const match = /^(\d+)\/(\d+)$/.exec(value);
	if (!match) throw new UsageError(`--rate-limit needs <requests>/<windowMs>, e.g. 100/10000, got '${value}'`);
	return { requests: Number(match[1]), windowMs: Number(match[2]) };
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): EmulatorOptions | 'help' {
	const flags = new Map<string, string>();
	const switches = new Set<string>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') return 'help';
		if (arg === '--no-seed' || arg === '--verbose') {
			switches.add(arg);
			continue;
		}
		const [name, inline] = arg.split(/=(.*)/s, 2);
		if (!['--port', '--host', '--token-lifetime', '--latency', '--concurrency', '--rate-limit'].includes(name)) {
			throw new UsageError(`Unknown option '${arg}'`);
		}
		const value = inline ?? argv[++i];
		if (value === undefined) throw new UsageError(`${name} needs a value`);
		flags.set(name, value);
	}
	return {
		port: numberOption('--port', flags.get('--port') ?? env.EMULATOR_PORT) ?? DEFAULT_PORT,
		host: flags.get('--host') ?? env.EMULATOR_HOST ?? '127.0.0.1',
		tokenLifetimeSeconds: numberOption('--token-lifetime', flags.get('--token-lifetime') ?? env.EMULATOR_TOKEN_LIFETIME),
		latencyMs: numberOption('--latency', flags.get('--latency') ?? env.EMULATOR_LATENCY_MS),
		concurrencyPerMailbox: numberOption('--concurrency', flags.get('--concurrency') ?? env.EMULATOR_CONCURRENCY),
		rateLimit: parseRateLimit(flags.get('--rate-limit')),
		seedDefaults: !switches.has('--no-seed'),
		verbose: switches.has('--verbose') || env.EMULATOR_VERBOSE === '1' || env.EMULATOR_VERBOSE === 'true',
	};
}

async function main(): Promise<void> {
	let options: EmulatorOptions | 'help';
	try {
		options = parseArgs(process.argv.slice(2), process.env);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		process.stderr.write(`${error.message}\n\n${USAGE}\n`);
		process.exitCode = 2;
		return;
	}
	if (options === 'help') {
		process.stdout.write(`${USAGE}\n`);
		return;
	}
	const emulator = await startEmulator(options);
	const lines = [
		`Microsoft Graph emulator listening on ${emulator.url}`,
		`  Graph:          ${emulator.url}/v1.0`,
		`  Authorize URL:  ${emulator.authorizeUrl}`,
		`  Token URL:      ${emulator.tokenUrl}`,
		`  Tenant:         ${TENANT_ID} (${TENANT_DOMAIN})`,
		`  Client id:      ${DEFAULT_CLIENT.clientId} (secret: see test/emulator/identity.ts DEFAULT_CLIENT)`,
		'  Users:',
		...Object.values(DEFAULT_USERS).map((u) => `    ${u.displayName.padEnd(12)} ${u.userPrincipalName.padEnd(22)} ${u.id}`),
		`  Control API:    ${emulator.url}/_emulator/info`,
		'Press Ctrl+C to stop.',
	];
	process.stdout.write(`${lines.join('\n')}\n`);

	let stopping = false;
	const stop = (signal: NodeJS.Signals) => {
		if (stopping) return;
		stopping = true;
		process.stdout.write(`Received ${signal}, stopping the emulator.\n`);
		emulator.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`Emulator failed to start: ${(error as Error)?.message ?? String(error)}\n`);
		process.exit(1);
	});
}
