/**
 * Which n8n the harness, the sandbox and the benchmarks run, and where it is. The definitions live in
 * test/harness/ensure-n8n.js (plain JS, runs before any build); this is the typed view of them.
 *
 * N8N_RUNTIME=latest selects the newest n8n (2.41.1, Node 24) instead of the pinned 2.8.4;
 * N8N_RUNTIME_DIR points at another install. n8n runs under `process.execPath`, so a suite against the
 * newest n8n runs under its Node 24 (scripts/e2e-latest/run.ts does that).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface RuntimeDefinition {
	name: string;
	n8nVersion: string;
	dirName: string;
	node?: { packageName: string; version: string };
}

const ensure = require('./ensure-n8n.js') as {
	N8N_VERSION: string;
	RUNTIMES: Record<'pinned' | 'latest', RuntimeDefinition>;
	selectedRuntime(env?: NodeJS.ProcessEnv): RuntimeDefinition;
	resolveRuntimeDir(env?: NodeJS.ProcessEnv): string;
	nodeBinOf(runtime: RuntimeDefinition): string;
};

/** The pinned version (`npm run test:compat` / the default runtime). */
export const N8N_VERSION = ensure.N8N_VERSION;
export const RUNTIMES = ensure.RUNTIMES;

/** The repo root: the folder with our package.json (test/harness/.. /..). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** The folder that holds node_modules/n8n for the selected runtime (N8N_RUNTIME, N8N_RUNTIME_DIR). */
export function resolveRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
	return ensure.resolveRuntimeDir(env);
}

/** The n8n entry script; run it with `process.execPath` so the same Node that runs the tests runs n8n. */
export function n8nBinPath(runtimeDir = resolveRuntimeDir()): string {
	return join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

/** The n8n version installed in a runtime folder (its package.json), e.g. '2.41.1'. */
export function installedN8nVersion(runtimeDir = resolveRuntimeDir()): string | undefined {
	try {
		return JSON.parse(readFileSync(join(runtimeDir, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	} catch {
		return undefined;
	}
}

export function assertRuntimeInstalled(runtimeDir = resolveRuntimeDir()): void {
	const runtime = ensure.selectedRuntime();
	if (!existsSync(n8nBinPath(runtimeDir))) {
		const hint = runtime.name === 'pinned' ? 'node test/harness/ensure-n8n.js' : `node test/harness/ensure-n8n.js ${runtime.name}`;
		throw new Error(`n8n ${runtime.n8nVersion} is not installed in ${runtimeDir}. Run: ${hint}`);
	}
	const [major] = process.versions.node.split('.').map(Number);
	const needed = runtime.node ? Number(runtime.node.version.split('.')[0]) : 20;
	if (major < needed) {
		throw new Error(
			`n8n ${runtime.n8nVersion} needs Node ${needed}+, and n8n runs under the Node that runs the tests (${process.version}): use npm run test:latest (it runs them under ${ensure.nodeBinOf(runtime)})`,
		);
	}
}
