/**
 * A directory lock for the harness's installs (n8n runtimes, Debian services): `mkdir` is atomic, the
 * holder's pid is written inside, and a lock whose holder is gone is taken over. Used by
 * ensure-n8n.js and ensure-services.js, which can run at the same time (a sandbox and a test run).
 */
'use strict';

const childProcess = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function processIsAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/**
 * Waits (up to `waitMs`) for `lockDir`, then returns the function that releases it.
 * `what` names the work in messages ("install", "apt run"); `say` prints progress.
 */
function acquireDirLock(lockDir, { waitMs, what, say }) {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	const deadline = Date.now() + waitMs;
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
		}
		const holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
		if (holder > 0 && !processIsAlive(holder)) {
			say(`removing a stale ${what} lock left by process ${holder}`);
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (Date.now() > deadline) throw new Error(`another ${what} (pid ${holder}) still holds ${lockDir}`);
		if (!announced) say(`waiting for another ${what} (pid ${holder || '?'}) to finish...`);
		announced = true;
		childProcess.spawnSync('sleep', ['2']);
	}
}

module.exports = { acquireDirLock };
