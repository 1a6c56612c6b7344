/**
 * `npm run start:latest`: the sandbox (`npm start`) on the newest n8n that installs here (2.41.1)
 * instead of the pinned 2.8.4. That n8n needs Node 24, so this provisions Node 24 and the n8n
 * (test/harness/ensure-n8n.js, cached in ~/.cache/n8n-outlook-ext) and runs scripts/sandbox/start.ts
 * under it. Its state lives in .sandbox-latest (or $SANDBOX_DIR): a database that n8n 2.41 has
 * migrated cannot be opened by 2.8.4 again, so the two sandboxes never share a folder.
 */
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

import { REPO_ROOT } from './config';

const ensure = require('../../test/harness/ensure-n8n.js') as {
	ensureRuntime(name: string): { n8nVersion: string; dir: string; nodeBin: string; nodeDir?: string };
};

const runtime = ensure.ensureRuntime('latest');
process.stdout.write(`[sandbox] n8n ${runtime.n8nVersion} on ${runtime.nodeBin}\n`);
const tsx = require.resolve('tsx/cli', { paths: [REPO_ROOT] });
const result = spawnSync(runtime.nodeBin, [tsx, join(__dirname, 'start.ts'), ...process.argv.slice(2)], {
	cwd: REPO_ROOT,
	stdio: 'inherit',
	env: {
		...process.env,
		PATH: `${join(runtime.nodeDir ?? '', 'bin')}${delimiter}${process.env.PATH ?? ''}`,
		N8N_RUNTIME: 'latest',
		N8N_RUNTIME_DIR: runtime.dir,
		SANDBOX_DIR: process.env.SANDBOX_DIR || join(REPO_ROOT, '.sandbox-latest'),
	},
});
process.exitCode = result.status ?? 1;
