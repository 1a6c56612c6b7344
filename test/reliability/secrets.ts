/**
 * Secrets never leave: access/refresh tokens, the client secret and subscriptions' clientState must
 * not appear in n8n's log, in node output or in error messages. Each test file collects what its
 * runs produced and checks everything once at the end (`expectNoSecrets`).
 */
import { DEFAULT_CLIENT } from '../emulator';
import { allSubscriptions } from '../emulator/subscriptions';
import type { NodeRun } from '../e2e/support';
import type { ReliabilityContext } from './support';

const collected: string[] = [];

/** Keeps a run's output and error (as n8n stored them) for the final check. */
export function collectForSecrets(run: Pick<NodeRun, 'output' | 'error'>): void {
	collected.push(JSON.stringify(run.output), JSON.stringify(run.error ?? null));
}

export function collectText(text: string): void {
	collected.push(text);
}

interface TokenStoreInternals {
	access?: Map<string, unknown>;
	refresh?: Map<string, unknown>;
}

/** Every secret the emulator handed out or knows about, plus the ones the caller adds. */
export function knownSecrets(ctx: ReliabilityContext, extra: string[] = []): Array<{ kind: string; value: string }> {
	const store = (ctx.emu.core as unknown as { tokens: TokenStoreInternals }).tokens;
	const secrets: Array<{ kind: string; value: string }> = [{ kind: 'client secret', value: DEFAULT_CLIENT.clientSecret }];
	for (const token of store.access?.keys() ?? []) secrets.push({ kind: 'access token', value: token });
	for (const token of store.refresh?.keys() ?? []) secrets.push({ kind: 'refresh token', value: token });
	for (const subscription of allSubscriptions(ctx.emu.core)) {
		if (typeof subscription.clientState === 'string' && subscription.clientState.length >= 8) {
			secrets.push({ kind: 'clientState', value: subscription.clientState });
		}
	}
	for (const value of extra) secrets.push({ kind: 'secret', value });
	if ((store.access?.size ?? 0) === 0) throw new Error('the emulator issued no access token: the secrets check would prove nothing');
	return secrets;
}

/** Where each secret was found (empty = nothing leaked). */
export function leaks(haystacks: Record<string, string>, secrets: Array<{ kind: string; value: string }>): string[] {
	const found: string[] = [];
	for (const [where, text] of Object.entries(haystacks)) {
		for (const { kind, value } of secrets) if (text.includes(value)) found.push(`${kind} in ${where}`);
		// Token shapes, even ones the store no longer lists (rotated refresh tokens).
		for (const prefix of ['emu-at-', 'emu-rt-']) if (text.includes(prefix)) found.push(`"${prefix}…" in ${where}`);
	}
	return [...new Set(found)];
}

export async function expectNoSecrets(ctx: ReliabilityContext, extra: string[] = []): Promise<void> {
	const secrets = knownSecrets(ctx, extra);
	const found = leaks({ 'n8n log': ctx.n8n.logs(), 'node output and errors': collected.join('\n') }, secrets);
	expect(found).toEqual([]);
}
