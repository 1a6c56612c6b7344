/**
 * Where the pinned n8n lives and how to run it. Mirrors test/harness/ensure-n8n.js (plain JS, runs before
 * any build); harness.test.ts checks that both resolve the same folder.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const N8N_VERSION = '2.8.4';

/** The repo root: the folder with our package.json (test/harness/.. /..). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Keep in step with ensure-n8n.js#resolveRuntimeDir. */
export function resolveRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
	return env.N8N_RUNTIME_DIR || join(homedir(), '.cache', 'n8n-outlook-ext', `n8n-${N8N_VERSION}`);
}

/** The n8n entry script; run it with `process.execPath` so the same Node that runs the tests runs n8n. */
export function n8nBinPath(runtimeDir = resolveRuntimeDir()): string {
	return join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

export function assertRuntimeInstalled(runtimeDir = resolveRuntimeDir()): void {
	if (!existsSync(n8nBinPath(runtimeDir))) {
		throw new Error(
			`n8n ${N8N_VERSION} is not installed in ${runtimeDir}. Run: node test/harness/ensure-n8n.js`,
		);
	}
}
