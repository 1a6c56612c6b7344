// Copies what tsc does not: node/credential icons and the codex (.node.json) files, into dist/.
// Then prunes dist/ to exactly what the current sources produce, so `npm pack` never ships leftovers from older builds
// (a compiled file whose source was deleted, source maps, declarations, tsbuildinfo) — done in place rather than by
// wiping dist/ first, so an n8n that is running from this dist/ (tests, sandbox) never sees it empty.
const fs = require('fs');
const path = require('path');
const { src, dest, parallel, series } = require('gulp');

const ROOT = __dirname;
const DIST = path.join(ROOT, 'dist');

function copyIcons() {
	return src('icons/**/*.svg').pipe(dest('dist/icons'));
}

function copyCodex() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

/** Every file below `dir` (absolute paths); none if it does not exist. */
function walk(dir) {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? walk(full) : [full];
	});
}

/** The dist/ files the current sources produce (paths relative to dist/, with '/' separators). */
function expectedDistFiles() {
	const expected = new Set();
	const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');
	for (const file of [...walk(path.join(ROOT, 'credentials')), ...walk(path.join(ROOT, 'nodes'))].map(rel)) {
		if (file.endsWith('.ts') && !file.endsWith('.d.ts')) expected.add(file.replace(/\.ts$/, '.js'));
		if (file.endsWith('.node.json')) expected.add(file);
	}
	for (const file of walk(path.join(ROOT, 'icons')).map(rel)) {
		if (file.endsWith('.svg')) expected.add(file);
	}
	return expected;
}

function pruneDist(done) {
	const expected = expectedDistFiles();
	for (const file of walk(DIST)) {
		const relative = path.relative(DIST, file).split(path.sep).join('/');
		if (!expected.has(relative)) fs.rmSync(file);
	}
	// Directories left empty (e.g. a removed resource) go too, deepest first.
	const dirs = [];
	const collect = (dir) => {
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			if (entry.isDirectory()) collect(path.join(dir, entry.name));
		}
		dirs.push(dir);
	};
	if (fs.existsSync(DIST)) collect(DIST);
	for (const dir of dirs) {
		if (dir !== DIST && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
	}
	done();
}

exports['build:assets'] = series(parallel(copyIcons, copyCodex), pruneDist);
exports['build:icons'] = copyIcons;
exports['clean:dist'] = pruneDist;
exports.default = exports['build:assets'];
