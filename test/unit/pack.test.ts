/**
 * What `npm publish` would upload: `npm pack --dry-run --json` must list exactly the runtime files n8n loads
 * (compiled nodes and credentials, codex files, icons) plus index.js, LICENSE, README.md and package.json — no
 * tsbuildinfo, no source maps or declarations, no duplicate dist/package.json, no sources, tests or emulator code,
 * and no compiled leftovers of deleted sources. Needs a build (`npm test` builds before the unit tests).
 */
import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, posix } from 'path';

const ROOT = join(__dirname, '..', '..');

interface PackEntry {
	path: string;
	size: number;
}

interface PackResult {
	name: string;
	size: number;
	unpackedSize: number;
	files: PackEntry[];
}

/** Every path in the package must match one of these. */
const ALLOWED: Array<[string, RegExp]> = [
	['package metadata and docs', /^(package\.json|README\.md|LICENSE|index\.js)$/],
	['compiled credentials', /^dist\/credentials\/[A-Za-z0-9]+(\.credentials)?\.js$/],
	['compiled nodes', /^dist\/nodes\/MicrosoftOutlookExt\/([A-Za-z0-9]+\/)*[A-Za-z0-9]+(\.node)?\.js$/],
	['node codex files', /^dist\/nodes\/MicrosoftOutlookExt\/[A-Za-z0-9]+\.node\.json$/],
	['icons', /^dist\/icons\/[a-z0-9.]+\.svg$/],
];

/** Named explicitly so a failure says what went wrong (all of these also fail the allow-list). */
const FORBIDDEN: Array<[string, RegExp]> = [
	['tsbuildinfo', /tsbuildinfo/],
	['source maps', /\.map$/],
	['declarations', /\.d\.ts$/],
	['TypeScript sources', /\.ts$/],
	['a second package.json', /.\/package\.json$/],
	['tests, emulator, scripts, benchmarks', /(^|\/)(test|tests|emulator|scripts|bench|docs)\//],
	['dotfiles', /(^|\/)\./],
];

function pack(): PackResult {
	const stdout = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, npm_config_loglevel: 'error' },
	});
	const [result] = JSON.parse(stdout) as PackResult[];
	return result;
}

/** The TypeScript sources tsc compiles into dist/ (relative paths with '/'). */
function sourceFiles(dir: string): string[] {
	return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
		.map((file) => `${dir}/${file.split('\\').join('/')}`)
		.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
}

describe('npm pack', () => {
	let result: PackResult;
	let paths: string[];

	beforeAll(() => {
		const builtNode = join(ROOT, 'dist', 'nodes', 'MicrosoftOutlookExt', 'MicrosoftOutlookExt.node.js');
		if (!existsSync(builtNode)) {
			throw new Error('dist/ is missing: run `npm run build` before this test (`npm test` does)');
		}
		result = pack();
		paths = result.files.map((file) => file.path).sort();
	}, 60_000);

	it('ships only allowed paths', () => {
		const unexpected = paths.filter((path) => !ALLOWED.some(([, pattern]) => pattern.test(path)));
		expect(unexpected).toEqual([]);
	});

	it.each(FORBIDDEN)('ships no %s', (_what, pattern) => {
		expect(paths.filter((path) => pattern.test(path))).toEqual([]);
	});

	it('ships LICENSE, README.md, package.json and the main file', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
		expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', pkg.main]));
	});

	it('ships every node and credential package.json registers, and each node’s codex file', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
		const registered: string[] = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(registered.length).toBeGreaterThan(0);
		const codex = (pkg.n8n.nodes as string[]).map((file) => file.replace(/\.js$/, '.json'));
		expect(paths).toEqual(expect.arrayContaining([...registered, ...codex]));
	});

	it('ships exactly one compiled file per node/credential source — nothing stale, nothing missing', () => {
		const compiled = [...sourceFiles('credentials'), ...sourceFiles('nodes')]
			.map((file) => `dist/${file.replace(/\.ts$/, '.js')}`)
			.sort();
		expect(paths.filter((path) => path.startsWith('dist/') && path.endsWith('.js'))).toEqual(compiled);
	});

	it('ships every icon a node or credential points at (file:…)', () => {
		const missing: string[] = [];
		for (const path of paths.filter((file) => file.endsWith('.js'))) {
			const code = readFileSync(join(ROOT, path), 'utf8');
			for (const [, target] of code.matchAll(/['"]file:([^'"]+)['"]/g)) {
				const resolved = posix.normalize(posix.join(posix.dirname(path), target));
				if (!paths.includes(resolved)) missing.push(`${path} → ${resolved}`);
			}
		}
		expect(missing).toEqual([]);
	});

	it('stays small (mailparser and luxon are dependencies, not bundled)', () => {
		const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
		expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(['luxon', 'mailparser']);
		// ~0.3 MB unpacked today; bundling mailparser would add ~2 MB per node file.
		expect(result.unpackedSize).toBeLessThan(1_000_000);
	});
});

describe('published metadata', () => {
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

	it('has license, repository, homepage, bugs and an author with an email', () => {
		expect(pkg.license).toBe('MIT');
		expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
		expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
		expect(pkg.homepage).toMatch(/^https:\/\//);
		expect(pkg.bugs?.url).toMatch(/^https:\/\//);
		expect(pkg.author?.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
	});

	it('README links and images are absolute or in-page anchors (they must work on npmjs.com)', () => {
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		const targets = [
			...[...readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]),
			...[...readme.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]),
		];
		expect(targets.length).toBeGreaterThan(0);
		expect(targets.filter((target) => !/^(https?:\/\/|mailto:|#)/.test(target))).toEqual([]);
	});
});
