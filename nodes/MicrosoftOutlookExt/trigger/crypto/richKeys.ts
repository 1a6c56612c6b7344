/**
 * The key pair of rich notifications (includeResourceData). Graph encrypts each item for the
 * certificate the subscription names; the private key opens every notification, so, like the
 * clientState (subscription/clientState.ts), it never sits in static data in the clear (n8n copies static data into
 * every execution): static data holds the certificate (public), its id, and the private key sealed
 * with AES-256-GCM under a key derived from the credential's client secret and a nonce.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createEncryptionKeyPair } from './certificate';
import { LruMap, type TriggerContext } from '../common';

const CERTIFICATE = 'richCertificate';
const CERTIFICATE_ID = 'richCertificateId';
const SEALED_KEY = 'richKeySealed';
const KEY_NONCE = 'richKeyNonce';
export const RICH_KEY_FIELDS = [CERTIFICATE, CERTIFICATE_ID, SEALED_KEY, KEY_NONCE];

export interface RichCertificate {
	certificate: string;
	certificateId: string;
}

async function sealingKey(ctx: TriggerContext, credentialType: string, nonce: string): Promise<Buffer> {
	const credentials = (await ctx.getCredentials(credentialType)) as IDataObject;
	const secret = typeof credentials.clientSecret === 'string' ? credentials.clientSecret : '';
	if (!secret) throw new Error('The credential has no client secret to protect the rich-notification key with');
	return createHmac('sha256', secret).update(`n8n-nodes-microsoft-outlook-ext rich notification key\0${nonce}`).digest();
}

/** The stored certificate, if any. */
export function storedCertificate(data: IDataObject): RichCertificate | undefined {
	if (typeof data[CERTIFICATE] !== 'string' || typeof data[CERTIFICATE_ID] !== 'string') return undefined;
	return { certificate: data[CERTIFICATE], certificateId: data[CERTIFICATE_ID] };
}

/** A new key pair (activation): the certificate for the subscription; the private key sealed into static data. */
export async function newCertificate(ctx: TriggerContext, credentialType: string, data: IDataObject): Promise<RichCertificate> {
	const pair = createEncryptionKeyPair();
	const nonce = randomBytes(24).toString('base64url');
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', await sealingKey(ctx, credentialType, nonce), iv);
	const sealed = Buffer.concat([iv, cipher.update(pair.privateKeyPem, 'utf8'), cipher.final(), cipher.getAuthTag()]);
	data[CERTIFICATE] = pair.certificate;
	data[CERTIFICATE_ID] = pair.certificateId;
	data[SEALED_KEY] = sealed.toString('base64');
	data[KEY_NONCE] = nonce;
	return { certificate: pair.certificate, certificateId: pair.certificateId };
}

/** Opened keys per sealed value, so a delivery does not re-derive it; a cache, lost on restart, bounded. */
const opened = new LruMap<string, string>(64);

/**
 * The private key PEM and certificate id, or undefined when none is stored. Throws
 * a NodeOperationError when the key does not open (the client secret changed), and the credential's
 * own error when it cannot be read.
 */
export async function privateKey(ctx: TriggerContext, credentialType: string, data: IDataObject): Promise<{ pem: string; certificateId: string } | undefined> {
	const sealed = data[SEALED_KEY];
	const nonce = data[KEY_NONCE];
	const certificateId = data[CERTIFICATE_ID];
	if (typeof sealed !== 'string' || typeof nonce !== 'string' || typeof certificateId !== 'string') return undefined;
	const cached = opened.get(sealed);
	if (cached) return { pem: cached, certificateId };
	const bytes = Buffer.from(sealed, 'base64');
	const key = await sealingKey(ctx, credentialType, nonce);
	let pem: string;
	try {
		const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
		decipher.setAuthTag(bytes.subarray(bytes.length - 16));
		pem = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
	} catch {
		// AES-GCM's authentication failed: another key sealed it (or the stored value was altered).
		throw new NodeOperationError(
			ctx.getNode(),
			"The stored rich-notification key does not open with the credential's client secret (was the client secret changed? Deactivate and activate the workflow)",
		);
	}
	opened.set(sealed, pem);
	return { pem, certificateId };
}

export function clearRichKey(data: IDataObject): void {
	for (const field of RICH_KEY_FIELDS) if (field in data) delete data[field];
}
