/**
 * `npm run sandbox:reset`: deletes the sandbox state (.sandbox/ or $SANDBOX_DIR): n8n's database, the
 * owner, credentials, workflows and executions. The next `npm start` sets everything up again.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

import { PID_FILE, sandboxDir } from './config';

function runningSandboxPid(dir: string): number | undefined {
	try {
		const pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
		if (!Number.isInteger(pid) || pid <= 0) return undefined;
		process.kill(pid, 0);
		return pid;
	} catch {
		return undefined;
	}
}

function main(): void {
	const dir = sandboxDir();
	const shown = relative(process.cwd(), dir) || dir;
	if (!existsSync(dir)) {
		process.stdout.write(`Nothing to reset: ${shown} does not exist.\n`);
		return;
	}
	const pid = runningSandboxPid(dir);
	if (pid) {
		process.stderr.write(`The sandbox is running (process ${pid}). Stop it with Ctrl-C first, then reset.\n`);
		process.exit(1);
	}
	rmSync(dir, { recursive: true, force: true });
	process.stdout.write(`Deleted ${shown}. The next npm start sets up a fresh sandbox.\n`);
}

main();
