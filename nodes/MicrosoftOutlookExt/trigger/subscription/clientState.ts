/**
 * The trigger's clientState, kept out of n8n's data. n8n copies the workflow's static data into
 * every execution it stores, so the secret itself is never stored: static data holds only
 * `clientStateHash` (to check deliveries) and `clientStateNonce`. The secret is
 * HMAC-SHA256(credential's client secret, nonce): any n8n process can derive it again when a
 * subscription must be replaced, and the same secret keeps deliveries verifiable in every process.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import type { TriggerContext } from '../common';

export interface ClientStateSecret {
	clientState: string;
	clientStateHash: string;
	clientStateNonce: string;
}

export function hashClientState(clientState: string): string {
	return createHash('sha256').update(clientState, 'utf8').digest('base64url');
}

/** Constant-time: does a notification's clientState hash to the stored one? */
export function matchesClientStateHash(given: unknown, expectedHash: string | undefined): boolean {
	if (typeof given !== 'string' || !expectedHash) return false;
	const a = createHash('sha256').update(hashClientState(given)).digest();
	const b = createHash('sha256').update(expectedHash).digest();
	return timingSafeEqual(a, b);
}

async function derivationKey(ctx: TriggerContext, credentialType: string): Promise<string> {
	const credentials = (await ctx.getCredentials(credentialType)) as IDataObject;
	const key = typeof credentials.clientSecret === 'string' ? credentials.clientSecret : '';
	if (!key) throw new Error('The credential has no client secret to derive the subscription secret (clientState) from');
	return key;
}

/** The clientState for a nonce (a new random nonce when none is given). */
export async function clientStateSecret(ctx: TriggerContext, credentialType: string, nonce?: string): Promise<ClientStateSecret> {
	const clientStateNonce = nonce || randomBytes(24).toString('base64url');
	const clientState = createHmac('sha256', await derivationKey(ctx, credentialType))
		.update(`n8n-nodes-microsoft-outlook-ext trigger clientState\0${clientStateNonce}`)
		.digest('base64url');
	return { clientState, clientStateHash: hashClientState(clientState), clientStateNonce };
}

/**
 * The secret for a replacement subscription: the stored one when it can be derived again, else (the
 * client secret was rotated, or static data from before this scheme) a new one.
 */
export async function replacementSecret(ctx: TriggerContext, credentialType: string, stored: { clientStateHash?: string; clientStateNonce?: string }): Promise<ClientStateSecret> {
	if (stored.clientStateNonce) {
		const again = await clientStateSecret(ctx, credentialType, stored.clientStateNonce);
		if (again.clientStateHash === stored.clientStateHash) return again;
	}
	return await clientStateSecret(ctx, credentialType);
}
