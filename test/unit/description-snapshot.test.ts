/**
 * Guard for refactors of the node descriptions: the full `description` of both nodes and all credentials (every
 * property with its routing, display options and defaults) must stay byte-identical to the committed snapshot
 * (test/unit/description-snapshot.json). Object keys are sorted so that moving a key inside a property object is
 * not a change; array order is kept, because n8n shows fields, options and operations in array order.
 * Functions (preSend, postReceive, …) are written as their name and source, so swapping one is caught.
 *
 * A deliberate change to a description: regenerate with `npm run snapshot:descriptions` and review the diff.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import { MicrosoftOutlookExtClientCredentialsOAuth2Api } from '../../credentials/MicrosoftOutlookExtClientCredentialsOAuth2Api.credentials';
import { MicrosoftOutlookExtDeprecatedOAuth2Api } from '../../credentials/MicrosoftOutlookExtDeprecatedOAuth2Api.credentials';
import { MicrosoftOutlookExtOAuth2Api } from '../../credentials/MicrosoftOutlookExtOAuth2Api.credentials';
import { MicrosoftOutlookExt } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExt.node';
import { MicrosoftOutlookExtTrigger } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExtTrigger.node';

const SNAPSHOT = join(__dirname, 'description-snapshot.json');

/**
 * A function as its name and source. Compiled imports read `(0, module_1.name)` or `module_1.name`, and the
 * module alias depends on the importing file's import list, so it is dropped: moving a function between files
 * is not a change, changing its body is.
 */
function describeFunction(fn: (...args: unknown[]) => unknown): string {
	const source = fn
		.toString()
		.replace(/\(0,\s*[A-Za-z_$][\w$]*_\d+\.([A-Za-z_$][\w$]*)\)/g, '$1')
		.replace(/\b[A-Za-z_$][\w$]*_\d+\.([A-Za-z_$][\w$]*)/g, '$1');
	return `[function ${fn.name || '(anonymous)'}] ${source}`;
}

/** A deterministic plain copy: keys sorted, arrays in order, functions described, undefined keys dropped. */
function normalise(value: unknown, path: unknown[] = []): unknown {
	if (typeof value === 'function') return describeFunction(value as (...args: unknown[]) => unknown);
	if (value === null || typeof value !== 'object') return value;
	if (path.includes(value)) return '[circular]';
	const inside = [...path, value];
	if (Array.isArray(value)) return value.map((entry) => normalise(entry, inside));
	const result: Record<string, unknown> = {};
	for (const key of Object.keys(value).sort()) {
		const entry = (value as Record<string, unknown>)[key];
		if (entry !== undefined) result[key] = normalise(entry, inside);
	}
	return result;
}

function currentDescriptions(): string {
	const credentials = [
		new MicrosoftOutlookExtOAuth2Api(),
		new MicrosoftOutlookExtDeprecatedOAuth2Api(),
		new MicrosoftOutlookExtClientCredentialsOAuth2Api(),
	];
	const all = {
		nodes: {
			MicrosoftOutlookExt: new MicrosoftOutlookExt().description,
			MicrosoftOutlookExtTrigger: new MicrosoftOutlookExtTrigger().description,
		},
		credentials: Object.fromEntries(credentials.map((credential) => [credential.name, credential])),
	};
	return `${JSON.stringify(normalise(all), null, '\t')}\n`;
}

describe('node and credential descriptions', () => {
	it('are identical to the committed snapshot (regenerate deliberately: npm run snapshot:descriptions)', () => {
		const current = currentDescriptions();
		if (process.env.UPDATE_SNAPSHOT === '1') writeFileSync(SNAPSHOT, current);
		const committed = readFileSync(SNAPSHOT, 'utf8');
		// Name the first differing line rather than diffing a whole megabyte of JSON.
		const currentLines = current.split('\n');
		const committedLines = committed.split('\n');
		const lineCount = Math.max(currentLines.length, committedLines.length);
		const first = Array.from({ length: lineCount }, (_, index) => index).find(
			(index) => currentLines[index] !== committedLines[index],
		);
		const difference =
			first === undefined
				? 'identical'
				: `line ${first + 1} differs:\n  now:      ${currentLines[first]}\n  snapshot: ${committedLines[first]}`;
		expect(difference).toBe('identical');
		expect(current).toBe(committed);
	});
});
