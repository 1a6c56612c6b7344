/**
 * The tarball `npm publish` would upload, made the way a maintainer makes it: `git clone` of the committed
 * HEAD into a temp folder, then `npm pack` there (its `prepack` script builds dist/). Nothing from the working
 * tree reaches it — not an uncommitted change, not a dist/ someone built by hand.
 *
 * One deviation from `git clone → npm ci → npm pack`: instead of `npm ci` (minutes, and ~1 GB per clone), the
 * clone's node_modules is a symlink to this checkout's node_modules. That is the install `npm ci` would make
 * only if the lockfiles agree, so packing refuses to run when the clone's package-lock.json differs from this
 * checkout's. The symlink is fine for tsc and gulp (they resolve through it); node_modules is never packed.
 *
 * The result is cached per commit in `$TMPDIR/n8n-outlook-ext-pack/<commit>/` (tarball + unpacked `package/`),
 * so the unit pack test and the e2e install test of both n8n versions pack once per commit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from './runtime';

const { acquireDirLock } = require('./dir-lock.js') as {
	acquireDirLock(lockDir: string, opts: { waitMs: number; what: string; say: (text: string) => void }): () => void;
};

export interface PackedTarball {
	/** The commit that was packed. */
	commit: string;
	/** Absolute path of the .tgz. */
	tarball: string;
	/** The tarball unpacked: its `package/` folder. */
	packageDir: string;
	/** Every file in the tarball, relative to `package/`, sorted. */
	files: string[];
	/** Sum of the file sizes (what npm calls unpackedSize). */
	unpackedSize: number;
	/** How long `npm pack` took (0 when the cached tarball was used). */
	packMs: number;
}

function git(args: string[], cwd = REPO_ROOT): string {
	return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Files below `dir`, relative, with '/' separators. */
function listFiles(dir: string, prefix = ''): string[] {
	return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
		const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
		return entry.isDirectory() ? listFiles(dir, relative) : [relative];
	});
}

function describePack(commit: string, dir: string, packMs: number): PackedTarball {
	const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
	if (!tarball) throw new Error(`no tarball in ${dir}`);
	const packageDir = join(dir, 'package');
	const files = listFiles(packageDir).sort();
	const unpackedSize = files.reduce((sum, file) => sum + statSync(join(packageDir, file)).size, 0);
	return { commit, tarball: join(dir, tarball), packageDir, files, unpackedSize, packMs };
}

/** The committed source files under `folders` at `commit` (paths relative to the repo root). */
export function committedFiles(commit: string, folders: string[]): string[] {
	const out = git(['ls-tree', '-r', '--name-only', commit, '--', ...folders]);
	return out ? out.split('\n') : [];
}

/** Tarballs of other commits packed more than a day ago (each is ~1 MB unpacked); a busy folder is left alone. */
function removeOldPacks(root: string, keep: string): void {
	const dayAgo = Date.now() - 24 * 60 * 60_000;
	for (const name of readdirSync(root)) {
		const done = join(root, name, 'done');
		if (name === keep || !/^[0-9a-f]{40}$/.test(name) || !existsSync(done)) continue;
		if (statSync(done).mtimeMs < dayAgo) rmSync(join(root, name), { recursive: true, force: true });
	}
}

/** Packs HEAD from a fresh clone (or returns the tarball already packed for HEAD). */
export function packFromCleanClone(): PackedTarball {
	const commit = git(['rev-parse', 'HEAD']);
	const root = join(tmpdir(), 'n8n-outlook-ext-pack');
	const dir = join(root, commit);
	if (existsSync(join(dir, 'done'))) return describePack(commit, dir, 0);

	const release = acquireDirLock(join(root, `${commit}.lock`), {
		waitMs: 10 * 60_000,
		what: 'npm pack',
		say: (text) => process.stderr.write(`[pack] ${text}\n`),
	});
	try {
		if (existsSync(join(dir, 'done'))) return describePack(commit, dir, 0);
		rmSync(dir, { recursive: true, force: true });
		const work = join(root, `${commit}.work-${process.pid}`);
		rmSync(work, { recursive: true, force: true });
		const clone = join(work, 'clone');
		const out = join(work, 'out');
		mkdirSync(out, { recursive: true });
		git(['clone', '--quiet', '--no-checkout', REPO_ROOT, clone], work);
		git(['checkout', '--quiet', '--detach', commit], clone);
		if (existsSync(join(clone, 'dist'))) throw new Error('the clone has a dist/ folder: dist/ must not be committed');
		const lockfile = (folder: string) => readFileSync(join(folder, 'package-lock.json'), 'utf8');
		if (lockfile(clone) !== lockfile(REPO_ROOT)) {
			throw new Error(
				'package-lock.json of HEAD differs from the checked-out one: this checkout\'s node_modules is not what `npm ci` installs for HEAD. Commit the lockfile (and run `npm ci`) first.',
			);
		}
		symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');

		const started = Date.now();
		try {
			// --foreground-scripts: the prepack build prints into this call's output, so a failed build is shown.
			execFileSync('npm', ['pack', '--pack-destination', out, '--foreground-scripts'], {
				cwd: clone,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'pipe'],
				env: { ...process.env, npm_config_loglevel: 'warn', npm_config_update_notifier: 'false' },
				timeout: 8 * 60_000,
			});
		} catch (error) {
			const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
			throw new Error(`npm pack in a clean clone of ${commit} failed:\n${`${stdout}\n${stderr}`.trim().slice(-4000)}`);
		}
		const packMs = Date.now() - started;
		const [tarball] = readdirSync(out).filter((name) => name.endsWith('.tgz'));
		if (!tarball) throw new Error(`npm pack made no tarball in ${out}`);
		execFileSync('tar', ['-xzf', join(out, tarball), '-C', out]);

		rmSync(clone, { recursive: true, force: true });
		renameSync(out, dir);
		writeFileSync(join(dir, 'done'), `${packMs}\n`);
		rmSync(work, { recursive: true, force: true });
		removeOldPacks(root, commit);
		return describePack(commit, dir, packMs);
	} finally {
		release();
	}
}
