/**
 * Opens one rich notification's `encryptedContent`: RSA-OAEP unwraps the symmetric key, HMAC-SHA256 over the
 * encrypted bytes is checked (constant time) BEFORE anything is decrypted, then AES-CBC (PKCS7, IV = the key's
 * first 16 bytes) yields the JSON of the resource. Pure; only node:crypto is used. See graph-facts §1.8 and
 * Microsoft's "Set up change notifications that include resource data".
 */
import { createDecipheriv, createHmac, createPrivateKey, constants as cryptoConstants, privateDecrypt, timingSafeEqual } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';


export interface EncryptedContent {
	data: string;
	dataSignature: string;
	dataKey: string;
	encryptionCertificateId: string;
	encryptionCertificateThumbprint?: string;
}

export type ResourceDataFailure = 'malformed' | 'unknownCertificate' | 'signatureMismatch' | 'notDecryptable' | 'notJson';

const FAILURE_MESSAGES: Record<ResourceDataFailure, string> = {
	malformed: 'Rich notification rejected: encryptedContent is missing or incomplete',
	unknownCertificate: 'Rich notification rejected: encrypted for an unknown certificate',
	signatureMismatch: 'Rich notification rejected: data signature mismatch',
	notDecryptable: 'Rich notification rejected: resource data could not be decrypted',
	notJson: 'Rich notification rejected: decrypted resource data is not a JSON object',
};

/** Why a rich notification's resource data was refused; the message names the failed step and nothing secret. */
export class ResourceDataError extends Error {
	constructor(readonly reason: ResourceDataFailure) {
		super(FAILURE_MESSAGES[reason]);
		this.name = 'ResourceDataError';
	}
}

/** AES-CBC variant by key length (Graph's documented samples use a 32-byte key, i.e. AES-256). */
const CBC_BY_KEY_LENGTH: Record<number, string> = { 16: 'aes-128-cbc', 24: 'aes-192-cbc', 32: 'aes-256-cbc' };

/**
 * Verifies and decrypts one notification's `encryptedContent` with the private key of the certificate
 * `expectedCertificateId`. Order as Microsoft requires: certificate id, unwrap the key (RSA-OAEP, SHA-1 as in
 * Graph's `RSA/ECB/OAEPWithSHA1AndMGF1Padding`), HMAC-SHA256 over the base64-decoded `data` compared in
 * constant time, and only then AES-CBC decryption and JSON parsing. Throws `ResourceDataError`.
 */
export function decryptResourceData(encryptedContent: unknown, privateKeyPem: string, expectedCertificateId: string): IDataObject {
	const content = readEncryptedContent(encryptedContent);
	if (!content) throw new ResourceDataError('malformed');
	if (!expectedCertificateId || content.encryptionCertificateId !== expectedCertificateId) {
		throw new ResourceDataError('unknownCertificate');
	}

	const key = attempt(() =>
		privateDecrypt(
			{ key: createPrivateKey(privateKeyPem), padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
			Buffer.from(content.dataKey, 'base64'),
		),
	);
	const cipher = key ? CBC_BY_KEY_LENGTH[key.length] : undefined;
	if (!key || !cipher) throw new ResourceDataError('notDecryptable');

	const encrypted = Buffer.from(content.data, 'base64');
	const expected = createHmac('sha256', key).update(encrypted).digest();
	const given = Buffer.from(content.dataSignature, 'base64');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		throw new ResourceDataError('signatureMismatch');
	}

	const plaintext = attempt(() => {
		const decipher = createDecipheriv(cipher, key, key.subarray(0, 16));
		return Buffer.concat([decipher.update(encrypted), decipher.final()]).toString('utf8');
	});
	if (plaintext === undefined) throw new ResourceDataError('notDecryptable');
	const parsed = attempt((): unknown => JSON.parse(plaintext));
	if (!isObject(parsed)) throw new ResourceDataError('notJson');
	return parsed as IDataObject;
}

/** The result of `run`, or undefined when it throws (crypto errors carry no detail worth passing on). */
function attempt<T>(run: () => T): T | undefined {
	try {
		return run();
	} catch {
		return undefined;
	}
}

function readEncryptedContent(value: unknown): EncryptedContent | undefined {
	if (!isObject(value)) return undefined;
	const { data, dataSignature, dataKey, encryptionCertificateId } = value;
	if (![data, dataSignature, dataKey, encryptionCertificateId].every((part) => typeof part === 'string' && part !== '')) {
		return undefined;
	}
	return value as unknown as EncryptedContent;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
