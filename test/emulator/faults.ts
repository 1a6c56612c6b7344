/**
 * Scripted faults: each rule matches by method and path regex, skips its first `after` matches
 * and then fires `times` times (-1 = forever). Rules are tried in the order they were added.
 */
import { randomUUID } from 'node:crypto';
import type { FaultRule } from './types';

/** Kinds that only make sense on a real socket; inside $batch they are skipped. */
const SOCKET_KINDS = new Set<FaultRule['kind']>([
	'reset-before-body',
	'reset-after-body',
	'hang',
	'malformed-json',
	'truncated-json',
	// A proxy's page replaces the whole HTTP answer; a batch member cannot get one of its own.
	'html-error',
]);

const KNOWN_KINDS = new Set<FaultRule['kind']>([...SOCKET_KINDS, 'status', 'latency', 'redirect', 'expire-token']);

interface ActiveRule {
	rule: FaultRule & { id: string };
	regex?: RegExp;
	seen: number;
	fired: number;
}

export class FaultValidationError extends Error {}

export class FaultInjector {
	private rules: ActiveRule[] = [];

	add(rule: FaultRule): string {
		if (!KNOWN_KINDS.has(rule.kind)) throw new FaultValidationError(`Unknown fault kind '${String(rule.kind)}'.`);
		if (rule.kind === 'status' && !(Number(rule.status) >= 400 && Number(rule.status) <= 599)) {
			throw new FaultValidationError('A status fault needs "status" between 400 and 599.');
		}
		if (rule.kind === 'html-error' && rule.status !== undefined && !(Number(rule.status) >= 400 && Number(rule.status) <= 599)) {
			throw new FaultValidationError('An html-error fault\'s "status" must be between 400 and 599 (default 502).');
		}
		if (rule.kind === 'redirect' && (![301, 302, 303, 307, 308].includes(Number(rule.status)) || !rule.location)) {
			throw new FaultValidationError('A redirect fault needs "status" 301, 302, 303, 307 or 308 and a "location".');
		}
		let regex: RegExp | undefined;
		if (rule.pathPattern !== undefined) {
			try {
				regex = new RegExp(rule.pathPattern, 'i');
			} catch (error) {
				throw new FaultValidationError(`Invalid pathPattern: ${(error as Error).message}`);
			}
		}
		const id = rule.id ?? randomUUID();
		this.rules.push({ rule: { ...rule, id }, regex, seen: 0, fired: 0 });
		return id;
	}

	clear(): void {
		this.rules = [];
	}

	list(): Array<FaultRule & { id: string; seen: number; fired: number }> {
		return this.rules.map((r) => ({ ...r.rule, seen: r.seen, fired: r.fired }));
	}

	/**
	 * Finds the first rule that fires for this request and counts it. `socketAvailable` is false for
	 * $batch sub-requests, which can only get status and latency faults.
	 */
	take(method: string, path: string, socketAvailable: boolean): FaultRule | undefined {
		for (const active of this.rules) {
			const { rule } = active;
			if (!socketAvailable && SOCKET_KINDS.has(rule.kind)) continue;
			if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
			if (active.regex && !active.regex.test(path)) continue;
			active.seen++;
			if (active.seen <= (rule.after ?? 0)) continue;
			const times = rule.times ?? 1;
			if (times !== -1 && active.fired >= times) continue;
			active.fired++;
			return rule;
		}
		return undefined;
	}
}
