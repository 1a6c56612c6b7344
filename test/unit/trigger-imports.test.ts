/**
 * The trigger's modules import each other without cycles (a cycle made filters.ts and settings.ts load
 * half-initialised): every relative import reachable from the trigger node's file, followed through the
 * sources, never leads back to a file on its own path. Type-only imports count too (they still tie files).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const ENTRY = join(ROOT, 'nodes/MicrosoftOutlookExt/MicrosoftOutlookExtTrigger.node.ts');

function importsOf(file: string): string[] {
	const source = readFileSync(file, 'utf8');
	const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((match) => match[1]);
	return specifiers
		.map((specifier) => resolve(dirname(file), specifier))
		.map((base) => [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate)))
		.filter((path): path is string => path !== undefined);
}

function cyclesFrom(entry: string): string[][] {
	const cycles: string[][] = [];
	const done = new Set<string>();
	const visit = (file: string, path: string[]) => {
		const at = path.indexOf(file);
		if (at >= 0) {
			cycles.push([...path.slice(at), file].map((p) => relative(ROOT, p)));
			return;
		}
		if (done.has(file)) return;
		for (const next of importsOf(file)) visit(next, [...path, file]);
		done.add(file);
	};
	visit(entry, []);
	return cycles;
}

test('no circular imports among the files the trigger node loads', () => {
	const cycles = cyclesFrom(ENTRY);
	expect(cycles.map((cycle) => cycle.join(' → '))).toEqual([]);
});
