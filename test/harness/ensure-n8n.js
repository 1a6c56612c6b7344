#!/usr/bin/env node
/**
 * Makes sure the pinned real n8n (used by the e2e tests, the sandbox and the benchmarks) is installed.
 *
 *   node test/harness/ensure-n8n.js
 *
 * The runtime lives outside the repo (2 GB, 2090 packages) in $N8N_RUNTIME_DIR, default
 * ~/.cache/n8n-outlook-ext/n8n-2.8.4. It is installed from test/n8n-runtime/{package.json,package-lock.json}
 * with `npm ci`. After a successful install a marker file records a hash of both files; the next run
 * compares that hash and checks that `n8n --version` answers, and otherwise exits at once.
 *
 * Plain Node JS on purpose: it runs before anything is compiled. test/harness/runtime.ts repeats
 * resolveRuntimeDir() for the TypeScript side; keep both in step (harness.test.ts checks they agree).
 */
'use strict';

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const N8N_VERSION = '2.8.4';
const SPEC_DIR = path.join(__dirname, '..', 'n8n-runtime');
const MARKER_FILE = '.outlook-ext-runtime.json';
/** Present while npm ci runs: a tree left by an interrupted install is never adopted. */
const INSTALLING_FILE = '.outlook-ext-installing';
/** sqlite3 is built from source here (its prebuilt download is offline); n8n cannot start without it. */
const SQLITE_BINDING = path.join('node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
const LOCK_DIR = '.outlook-ext-install.lock';
const LOCK_WAIT_MS = 15 * 60 * 1000;

/** The folder that holds node_modules/n8n. Keep in step with runtime.ts#resolveRuntimeDir. */
function resolveRuntimeDir(env = process.env) {
	return env.N8N_RUNTIME_DIR || path.join(os.homedir(), '.cache', 'n8n-outlook-ext', `n8n-${N8N_VERSION}`);
}

function n8nBinPath(runtimeDir) {
	return path.join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

function say(message) {
	process.stdout.write(`[ensure-n8n] ${message}\n`);
}

/** Hash of the two spec files: any change to either means the installed tree may be stale. */
function specHash() {
	const hash = crypto.createHash('sha256');
	for (const file of ['package.json', 'package-lock.json']) {
		hash.update(file).update('\0').update(fs.readFileSync(path.join(SPEC_DIR, file))).update('\0');
	}
	return hash.digest('hex');
}

function readMarker(runtimeDir) {
	try {
		return JSON.parse(fs.readFileSync(path.join(runtimeDir, MARKER_FILE), 'utf8'));
	} catch {
		return undefined;
	}
}

function writeMarker(runtimeDir, hash, extra) {
	const marker = { n8nVersion: N8N_VERSION, specHash: hash, writtenAt: new Date().toISOString(), ...extra };
	fs.writeFileSync(path.join(runtimeDir, MARKER_FILE), JSON.stringify(marker, null, '\t') + '\n');
}

/** "Working" = sqlite3 is built and `n8n --version` (a 70 ms fast path) prints the pinned version. */
function installedVersion(runtimeDir) {
	const bin = n8nBinPath(runtimeDir);
	if (!fs.existsSync(bin) || !fs.existsSync(path.join(runtimeDir, SQLITE_BINDING))) return undefined;
	const result = childProcess.spawnSync(process.execPath, [bin, '--version'], {
		cwd: runtimeDir,
		encoding: 'utf8',
		timeout: 60_000,
	});
	return result.status === 0 ? result.stdout.trim() : undefined;
}

function sameFileContents(a, b) {
	try {
		return fs.readFileSync(a).equals(fs.readFileSync(b));
	} catch {
		return false;
	}
}

/** An install made by hand (or before this script existed) from the same spec files is adopted, not redone. */
function installedFromSameSpec(runtimeDir) {
	return ['package.json', 'package-lock.json'].every((file) =>
		sameFileContents(path.join(SPEC_DIR, file), path.join(runtimeDir, file)),
	);
}

function isReady(runtimeDir, hash) {
	const marker = readMarker(runtimeDir);
	if (marker?.specHash === hash) return installedVersion(runtimeDir) === N8N_VERSION;
	const interrupted = fs.existsSync(path.join(runtimeDir, INSTALLING_FILE));
	if (!marker && !interrupted && installedFromSameSpec(runtimeDir) && installedVersion(runtimeDir) === N8N_VERSION) {
		writeMarker(runtimeDir, hash, { adopted: true });
		say('adopted an existing install made from the same package-lock.json');
		return true;
	}
	return false;
}

function assertSupportedNode() {
	const [major, minor] = process.versions.node.split('.').map(Number);
	const supported = (major === 20 && minor >= 19) || (major > 20 && major <= 24);
	if (!supported) {
		throw new Error(`n8n ${N8N_VERSION} needs Node >=20.19 <=24.x, this is Node ${process.versions.node}`);
	}
}

function processIsAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** A directory lock, so a sandbox and a test run starting together do not run two installs. */
function acquireInstallLock(runtimeDir) {
	const lockDir = path.join(runtimeDir, LOCK_DIR);
	const deadline = Date.now() + LOCK_WAIT_MS;
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
			say(`removing a stale install lock left by process ${holder}`);
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (Date.now() > deadline) throw new Error(`another install (pid ${holder}) still holds ${lockDir}`);
		if (!announced) say(`waiting for another install (pid ${holder || '?'}) to finish...`);
		announced = true;
		childProcess.spawnSync('sleep', ['2']);
	}
}

function runNpmCi(runtimeDir) {
	const args = ['ci', '--no-audit', '--no-fund', '--prefer-offline'];
	say(`running npm ${args.join(' ')} in ${runtimeDir} (about 3 min with a warm npm cache, longer cold)`);
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const result = childProcess.spawnSync(npm, args, { cwd: runtimeDir, stdio: 'inherit' });
	if (result.error) throw new Error(`could not start npm: ${result.error.message}`);
	if (result.status !== 0) throw new Error(`npm ci failed with exit code ${result.status} (see the npm output above)`);
}

function install(runtimeDir, hash) {
	const started = Date.now();
	// The marker goes first, so an interrupted install is never mistaken for a finished one.
	fs.rmSync(path.join(runtimeDir, MARKER_FILE), { force: true });
	fs.writeFileSync(path.join(runtimeDir, INSTALLING_FILE), `${new Date().toISOString()} pid ${process.pid}\n`);
	for (const file of ['package.json', 'package-lock.json']) {
		fs.copyFileSync(path.join(SPEC_DIR, file), path.join(runtimeDir, file));
	}
	runNpmCi(runtimeDir);
	const version = installedVersion(runtimeDir);
	if (version !== N8N_VERSION) {
		throw new Error(`after npm ci, n8n --version printed ${JSON.stringify(version)} instead of ${N8N_VERSION}`);
	}
	const installSeconds = Math.round((Date.now() - started) / 1000);
	writeMarker(runtimeDir, hash, { installSeconds });
	fs.rmSync(path.join(runtimeDir, INSTALLING_FILE), { force: true });
	say(`installed n8n ${N8N_VERSION} in ${installSeconds} s`);
}

/** Returns the runtime dir once n8n is ready there; installs first when needed. */
function ensureN8n(env = process.env) {
	assertSupportedNode();
	const runtimeDir = resolveRuntimeDir(env);
	const hash = specHash();
	fs.mkdirSync(runtimeDir, { recursive: true });
	if (!isReady(runtimeDir, hash)) {
		say(`n8n ${N8N_VERSION} is missing or stale in ${runtimeDir}`);
		const release = acquireInstallLock(runtimeDir);
		try {
			// Someone else may have finished the install while we waited for the lock.
			if (!isReady(runtimeDir, hash)) install(runtimeDir, hash);
		} finally {
			release();
		}
	}
	say(`n8n ${N8N_VERSION} ready at ${runtimeDir}`);
	return runtimeDir;
}

module.exports = { N8N_VERSION, resolveRuntimeDir, n8nBinPath, ensureN8n };

if (require.main === module) {
	try {
		ensureN8n();
	} catch (error) {
		process.stderr.write(`[ensure-n8n] FAILED: ${error.message}\n`);
		process.exit(1);
	}
}
