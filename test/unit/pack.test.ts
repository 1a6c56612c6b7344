/**
 * What `npm publish` would upload, packed from a CLEAN CLONE of HEAD (test/harness/pack.ts: `git clone`, the
 * checkout's node_modules linked in instead of `npm ci`, then `npm pack`, whose `prepack` builds dist/). It must hold
 * exactly the runtime files n8n loads (compiled nodes and credentials, codex files, icons) plus index.js, LICENSE,
 * the README, its screenshots, the contributor documents it links to and package.json — no tsbuildinfo, no source
 * maps or declarations, no duplicate dist/package.json, no sources, tests or emulator code, and no compiled leftovers.
 * Uncommitted changes are not in the tarball: commit before running this test.
 */
import { readFileSync } from 'fs';
import { join, posix } from 'path';

import { committedFiles, packFromCleanClone, type PackedTarball } from '../harness/pack';

const ROOT = join(__dirname, '..', '..');

/** Every path in the package must match one of these. */
const ALLOWED: Array<[string, RegExp]> = [
	['package metadata and docs', /^(package\.json|README\.md|LICENSE|index\.js|CONTRIBUTING\.md|BENCHMARKS\.md|RELIABILITY\.md)$/],
	['README screenshots', /^docs\/screenshots\/[a-z0-9-]+\.png$/],
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
	['tests, emulator, scripts, benchmarks', /(^|\/)(test|tests|emulator|scripts|bench)\//],
	['node_modules', /(^|\/)node_modules\//],
	['dotfiles', /(^|\/)\./],
];

describe('npm pack from a clean clone', () => {
	let packed: PackedTarball;
	let paths: string[];
	let pkg: any;

	beforeAll(() => {
		packed = packFromCleanClone();
		paths = packed.files;
		pkg = JSON.parse(readFileSync(join(packed.packageDir, 'package.json'), 'utf8'));
	}, 600_000);

	it('has a prepack script that builds, so a checkout without dist/ packs the nodes', () => {
		expect(pkg.scripts?.prepack).toBe('npm run build');
		expect(paths.filter((path) => path.startsWith('dist/')).length).toBeGreaterThan(0);
	});

	it('ships only allowed paths', () => {
		const unexpected = paths.filter((path) => !ALLOWED.some(([, pattern]) => pattern.test(path)));
		expect(unexpected).toEqual([]);
	});

	it.each(FORBIDDEN)('ships no %s', (_what, pattern) => {
		expect(paths.filter((path) => pattern.test(path))).toEqual([]);
	});

	it('ships LICENSE, README.md, package.json and the main file', () => {
		expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', pkg.main]));
	});

	it('ships both nodes, all three credentials and each node’s codex file, as package.json registers them', () => {
		expect(pkg.n8n.nodes).toHaveLength(2);
		expect(pkg.n8n.credentials).toHaveLength(3);
		const registered: string[] = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		const codex = (pkg.n8n.nodes as string[]).map((file) => file.replace(/\.js$/, '.json'));
		expect(paths).toEqual(expect.arrayContaining([...registered, ...codex]));
	});

	it('ships exactly one compiled file per committed node/credential source — nothing stale, nothing missing', () => {
		const compiled = committedFiles(packed.commit, ['credentials', 'nodes'])
			.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
			.map((file) => `dist/${file.replace(/\.ts$/, '.js')}`)
			.sort();
		expect(paths.filter((path) => path.startsWith('dist/') && path.endsWith('.js'))).toEqual(compiled);
	});

	it('ships every icon a node or credential points at (file:…)', () => {
		const missing: string[] = [];
		let icons = 0;
		for (const path of paths.filter((file) => file.endsWith('.js'))) {
			const code = readFileSync(join(packed.packageDir, path), 'utf8');
			for (const [, target] of code.matchAll(/['"]file:([^'"]+)['"]/g)) {
				icons++;
				const resolved = posix.normalize(posix.join(posix.dirname(path), target));
				if (!paths.includes(resolved)) missing.push(`${path} → ${resolved}`);
			}
		}
		expect(icons).toBeGreaterThan(0);
		expect(missing).toEqual([]);
	});

	it('stays small (mailparser and luxon are dependencies, not bundled)', () => {
		expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(['luxon', 'mailparser']);
		// ~0.6 MB unpacked today (0.23 MB of it the two screenshots); bundling mailparser would add ~2 MB per node file.
		expect(packed.unpackedSize).toBeLessThan(1_500_000);
	});

	it('README links to files of the package point at files this tarball ships, at this version', () => {
		const readme = readFileSync(join(packed.packageDir, 'README.md'), 'utf8');
		const prefix = `https://cdn.jsdelivr.net/npm/${pkg.name}@`;
		const links = readmeTargets(readme).filter((target) => target.startsWith(prefix));
		expect(links.length).toBeGreaterThanOrEqual(2);
		const wrong = links.filter((link) => {
			const rest = link.slice(prefix.length);
			const slash = rest.indexOf('/');
			return rest.slice(0, slash) !== pkg.version || !paths.includes(rest.slice(slash + 1));
		});
		expect(wrong).toEqual([]);
	});
});

/** Link and image targets of a Markdown document: `](target)` and `src="…"`/`href="…"`. */
function readmeTargets(markdown: string): string[] {
	return [
		...[...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]),
		...[...markdown.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]),
	];
}

/** GitHub's and npm's heading anchors: lower case, punctuation dropped, spaces to '-'. */
function headingAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	for (const [, heading] of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
		anchors.add(
			heading
				.trim()
				.toLowerCase()
				.replace(/[^\p{L}\p{N}\s_-]/gu, '')
				.replace(/\s/g, '-'),
		);
	}
	return anchors;
}

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

	it('engines.node is the floor of the oldest n8n tested (test/n8n-runtime: n8n 2.8.4)', () => {
		const lock = JSON.parse(readFileSync(join(ROOT, 'test', 'n8n-runtime', 'package-lock.json'), 'utf8'));
		const n8nEngine: string = lock.packages['node_modules/n8n'].engines.node;
		const floor = /^>=\s*([\d.]+)/.exec(n8nEngine)?.[1];
		expect(floor).toBeDefined();
		expect(pkg.engines?.node).toBe(`>=${floor}`);
	});

	it('README links and images are absolute or in-page anchors (they must work on npmjs.com)', () => {
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		const targets = readmeTargets(readme);
		expect(targets.length).toBeGreaterThan(0);
		expect(targets.filter((target) => !/^(https?:\/\/|mailto:|#)/.test(target))).toEqual([]);
	});

	it('README in-page anchors name a heading of the README', () => {
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		const anchors = headingAnchors(readme);
		const broken = readmeTargets(readme).filter((target) => target.startsWith('#') && !anchors.has(target.slice(1)));
		expect(broken).toEqual([]);
	});

	it('README points at no GitHub repository (its placeholder does not exist): images and documents come from the package', () => {
		const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
		expect(readmeTargets(readme).filter((target) => /github(usercontent)?\.com\/n8n-nodes-microsoft-outlook-ext/.test(target))).toEqual([]);
	});
});
