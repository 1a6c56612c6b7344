/**
 * Rich change notifications (subscriptions with `includeResourceData: true`), the receiving side:
 *
 * - `createEncryptionKeyPair` makes the RSA key and the self-signed X.509 certificate Graph encrypts with
 *   (Graph uses only the certificate's public key and does not check its issuer). The certificate is built by a
 *   small DER encoder here, so the package needs no X.509 library.
 * - `decryptResourceData` opens one notification's `encryptedContent`: RSA-OAEP unwraps the symmetric key,
 *   HMAC-SHA256 over the encrypted bytes is checked (constant time) BEFORE anything is decrypted, then
 *   AES-CBC (PKCS7, IV = the key's first 16 bytes) yields the JSON of the resource.
 * - `validateValidationTokens` checks the JWTs Graph puts in `validationTokens`: RS256 signatures against the
 *   keys published through an OpenID configuration document, audience, issuer per tenant, the Graph
 *   change-notification publisher as `appid`, and the token lifetime.
 *
 * Everything here is pure or takes its I/O (`fetchJson`) as a parameter; only node:crypto is used.
 * See graph-facts §1.8 and Microsoft's "Set up change notifications that include resource data".
 */
import {
	X509Certificate,
	createDecipheriv,
	createHash,
	createHmac,
	createPrivateKey,
	createPublicKey,
	constants as cryptoConstants,
	generateKeyPairSync,
	privateDecrypt,
	randomBytes,
	randomUUID,
	sign,
	timingSafeEqual,
	verify,
	type KeyObject,
} from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

/** The app id Graph's change-notification publisher signs validation tokens as (docs: "Critical" check). */
export const GRAPH_NOTIFICATION_PUBLISHER_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';
/** Where Microsoft publishes the keys that sign validation tokens (via its `jwks_uri`). */
export const MICROSOFT_OPENID_CONFIGURATION_URL = 'https://login.microsoftonline.com/common/.well-known/openid-configuration';

/** Graph accepts RSA keys of 2,048 to 4,096 bits. */
const KEY_BITS = 2048;
const DEFAULT_VALID_DAYS = 365;
const DAY_MS = 24 * 3600 * 1000;
/** Clock skew allowed on `nbf`/`exp`. */
const SKEW_SECONDS = 300;
/** Signing keys are re-read after this (Microsoft rotates them, announcing new ones ahead of use). */
const KEY_CACHE_MS = 6 * 3600 * 1000;
/** An unknown `kid` triggers a refetch, but not more often than this per jwks_uri (no fetch amplification). */
const REFETCH_MIN_INTERVAL_MS = 60 * 1000;

// ---------------------------------------------------------------------------------------------------------------
// Key pair and self-signed certificate

export interface EncryptionKeyPair {
	/** Base64 DER of the X.509 certificate (public key only): the subscription's `encryptionCertificate`. */
	certificate: string;
	/** The subscription's `encryptionCertificateId` (at most 128 characters). */
	certificateId: string;
	/** PKCS#8 PEM private key: keep it secret, it opens every notification. */
	privateKeyPem: string;
	/** SHA-1 of the certificate DER, upper-case hex: what Graph sends as `encryptionCertificateThumbprint`. */
	thumbprint: string;
}

export interface EncryptionKeyPairOptions {
	/** Subject/issuer common name (default: "n8n Microsoft Outlook trigger"). */
	commonName?: string;
	/** Certificate lifetime from now (default 365 days). */
	validDays?: number;
	/** Epoch ms used as "now" (tests). */
	now?: number;
	/** RSA modulus size (default 2048; Graph accepts 2048 to 4096). */
	keyBits?: number;
}

/** A fresh RSA-2048 key with a self-signed X.509 v3 certificate for `encryptionCertificate`. */
export function createEncryptionKeyPair(options: EncryptionKeyPairOptions = {}): EncryptionKeyPair {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: options.keyBits ?? KEY_BITS });
	const now = options.now ?? Date.now();
	const der = selfSignedCertificate({
		commonName: options.commonName ?? 'n8n Microsoft Outlook trigger',
		spki: publicKey.export({ type: 'spki', format: 'der' }),
		privateKey,
		// A day back, so a receiver whose clock is behind still sees a valid certificate.
		notBefore: now - DAY_MS,
		notAfter: now + (options.validDays ?? DEFAULT_VALID_DAYS) * DAY_MS,
	});
	return {
		certificate: der.toString('base64'),
		certificateId: `n8n-outlook-${randomUUID()}`,
		privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
		thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
	};
}

interface CertificateInput {
	commonName: string;
	spki: Buffer;
	privateKey: KeyObject;
	notBefore: number;
	notAfter: number;
}

// OIDs (dotted) used in the certificate.
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_COMMON_NAME = '2.5.4.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_KEY_ID = '2.5.29.14';

/** RFC 5280 Certificate: TBSCertificate, signatureAlgorithm, signatureValue (sha256WithRSAEncryption). */
function selfSignedCertificate(input: CertificateInput): Buffer {
	const serial = randomBytes(16);
	serial[0] &= 0x7f; // positive
	serial[0] |= 0x01; // and not starting with a zero byte
	const algorithm = derSequence(derOid(OID_SHA256_WITH_RSA), derNull());
	const name = derSequence(derSet(derSequence(derOid(OID_COMMON_NAME), derUtf8(input.commonName))));
	// keyEncipherment (bit 2) + dataEncipherment (bit 3): what Graph does with the key. 4 unused bits.
	const keyUsage = derBitString(Buffer.from([0x30]), 4);
	const subjectKeyId = derOctetString(createHash('sha1').update(input.spki).digest());
	const extensions = derSequence(
		extension(OID_BASIC_CONSTRAINTS, true, derSequence()),
		extension(OID_KEY_USAGE, true, keyUsage),
		extension(OID_SUBJECT_KEY_ID, false, subjectKeyId),
	);
	const tbs = derSequence(
		derExplicit(0, derInteger(Buffer.from([2]))), // v3
		derInteger(serial),
		algorithm,
		name,
		derSequence(derTime(input.notBefore), derTime(input.notAfter)),
		name,
		input.spki,
		derExplicit(3, extensions),
	);
	const signature = sign('sha256', tbs, input.privateKey);
	return derSequence(tbs, algorithm, derBitString(signature, 0));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
	return derSequence(derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value));
}

// ---- a minimal DER encoder (definite lengths, only the types a certificate needs) ----

function derTlv(tag: number, content: Buffer): Buffer {
	const length = content.length;
	let header: Buffer;
	if (length < 0x80) {
		header = Buffer.from([tag, length]);
	} else {
		const bytes: number[] = [];
		for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
		header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
	}
	return Buffer.concat([header, content]);
}

function derSequence(...items: Buffer[]): Buffer {
	return derTlv(0x30, Buffer.concat(items));
}

function derSet(...items: Buffer[]): Buffer {
	return derTlv(0x31, Buffer.concat(items));
}

function derExplicit(tagNumber: number, inner: Buffer): Buffer {
	return derTlv(0xa0 | tagNumber, inner);
}

/** Unsigned big-endian magnitude → INTEGER (a leading 0x00 keeps it positive). */
function derInteger(magnitude: Buffer): Buffer {
	let start = 0;
	while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
	const trimmed = magnitude.subarray(start);
	return derTlv(0x02, trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function derBoolean(value: boolean): Buffer {
	return derTlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

function derNull(): Buffer {
	return Buffer.from([0x05, 0x00]);
}

function derOctetString(content: Buffer): Buffer {
	return derTlv(0x04, content);
}

function derBitString(content: Buffer, unusedBits: number): Buffer {
	return derTlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

function derUtf8(text: string): Buffer {
	return derTlv(0x0c, Buffer.from(text, 'utf8'));
}

function derOid(dotted: string): Buffer {
	const arcs = dotted.split('.').map(Number);
	const bytes: number[] = [40 * arcs[0] + arcs[1]];
	for (const arc of arcs.slice(2)) {
		const chunk: number[] = [arc & 0x7f];
		for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift(0x80 | (rest & 0x7f));
		bytes.push(...chunk);
	}
	return derTlv(0x06, Buffer.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, always Zulu. */
function derTime(epochMs: number): Buffer {
	const iso = new Date(epochMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
	const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
	const year = Number(iso.slice(0, 4));
	return year < 2050 ? derTlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : derTlv(0x18, Buffer.from(digits, 'ascii'));
}

// ---------------------------------------------------------------------------------------------------------------
// Decrypting encryptedContent

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

// ---------------------------------------------------------------------------------------------------------------
// Validation tokens

export interface ValidationTokenOptions {
	/** The subscribing app's client id: every token's `aud`. */
	appId: string;
	/** Tenants of the items in the batch: every token's issuer must be one of them, and each needs a token. */
	tenantIds: string[];
	/** Usually `MICROSOFT_OPENID_CONFIGURATION_URL`; its `jwks_uri` lists the signing keys. */
	openIdConfigurationUrl: string;
	/** GET a URL and return its parsed JSON body (the trigger passes its own HTTP helper). */
	fetchJson: (url: string) => Promise<unknown>;
	/** Epoch ms (default: Date.now()). */
	now?: number;
}

export interface ValidationResult {
	valid: boolean;
	/** Why not (no token content, no secrets). */
	reason?: string;
}

interface JwksCacheEntry {
	keys: Map<string, KeyObject>;
	fetchedAt: number;
}

const jwksUriCache = new Map<string, { jwksUri: string; fetchedAt: number }>();
const keyCache = new Map<string, JwksCacheEntry>();

/** Forgets cached OpenID configurations and signing keys (tests, or after a configuration change). */
export function clearValidationKeyCache(): void {
	jwksUriCache.clear();
	keyCache.clear();
}

/**
 * Validates every token of a rich notification's `validationTokens`. Microsoft asks to reject the whole
 * notification when any token fails. Checks: RS256 only; signature by a key (by `kid`) from the JWKS the
 * OpenID configuration points to (keys cached per jwks_uri; an unknown `kid` refetches once); `aud` = appId;
 * `iss` = https://sts.windows.net/{tenantId}/ for one of `tenantIds`, with every tenant covered; `appid` = the
 * Graph change-notification publisher; `exp`/`nbf` with five minutes of skew.
 */
export async function validateValidationTokens(tokens: unknown, opts: ValidationTokenOptions): Promise<ValidationResult> {
	if (!Array.isArray(tokens) || tokens.length === 0) return { valid: false, reason: 'no validation tokens' };
	const now = opts.now ?? Date.now();
	const issuers = new Map(opts.tenantIds.map((tenantId) => [issuerFor(tenantId), tenantId]));
	const covered = new Set<string>();
	for (let index = 0; index < tokens.length; index++) {
		const token: unknown = tokens[index];
		let result: { ok: true; issuer: string } | { ok: false; reason: string };
		try {
			result = await validateOne(token, opts, issuers, now);
		} catch {
			result = { ok: false, reason: 'signing keys could not be fetched' };
		}
		if (!result.ok) return { valid: false, reason: `validation token ${index + 1}: ${result.reason}` };
		covered.add(result.issuer);
	}
	for (const [issuer] of issuers) {
		if (!covered.has(issuer)) return { valid: false, reason: 'a tenant in the notification has no validation token' };
	}
	return { valid: true };
}

function issuerFor(tenantId: string): string {
	return `https://sts.windows.net/${tenantId.toLowerCase()}/`;
}

async function validateOne(
	token: unknown,
	opts: ValidationTokenOptions,
	issuers: Map<string, string>,
	now: number,
): Promise<{ ok: true; issuer: string } | { ok: false; reason: string }> {
	if (typeof token !== 'string') return { ok: false, reason: 'not a JWT' };
	const parts = token.split('.');
	if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
	const header = decodeJsonPart(parts[0]);
	const claims = decodeJsonPart(parts[1]);
	if (!header || !claims) return { ok: false, reason: 'not a JWT' };
	if (header.alg !== 'RS256') return { ok: false, reason: 'unsupported signing algorithm' };
	const kid = typeof header.kid === 'string' ? header.kid : typeof header.x5t === 'string' ? header.x5t : undefined;
	if (!kid) return { ok: false, reason: 'no key id' };

	const key = await signingKey(opts, kid, now);
	if (!key) return { ok: false, reason: 'unknown signing key' };
	const signature = Buffer.from(parts[2], 'base64url');
	if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'), key, signature)) {
		return { ok: false, reason: 'bad signature' };
	}

	const nowSeconds = now / 1000;
	if (typeof claims.exp !== 'number' || nowSeconds > claims.exp + SKEW_SECONDS) return { ok: false, reason: 'expired' };
	if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || nowSeconds < claims.nbf - SKEW_SECONDS)) {
		return { ok: false, reason: 'not yet valid' };
	}
	const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
	if (!audiences.some((aud) => typeof aud === 'string' && aud.toLowerCase() === opts.appId.toLowerCase())) {
		return { ok: false, reason: 'audience mismatch' };
	}
	const issuer = typeof claims.iss === 'string' ? claims.iss.toLowerCase() : '';
	if (!issuers.has(issuer)) return { ok: false, reason: 'issuer mismatch' };
	if (claims.appid !== GRAPH_NOTIFICATION_PUBLISHER_APP_ID) return { ok: false, reason: 'not issued to the Graph notification publisher' };
	return { ok: true, issuer };
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
		return isObject(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

/** The key for `kid`: from the cache, else (re)fetched once. */
async function signingKey(opts: ValidationTokenOptions, kid: string, now: number): Promise<KeyObject | undefined> {
	const jwksUri = await jwksUriFor(opts, now);
	const cached = keyCache.get(jwksUri);
	const fresh = cached && now - cached.fetchedAt < KEY_CACHE_MS;
	if (fresh && cached.keys.has(kid)) return cached.keys.get(kid);
	if (fresh && now - cached.fetchedAt < REFETCH_MIN_INTERVAL_MS) return undefined;
	const keys = parseJwks(await opts.fetchJson(jwksUri));
	keyCache.set(jwksUri, { keys, fetchedAt: now });
	return keys.get(kid);
}

async function jwksUriFor(opts: ValidationTokenOptions, now: number): Promise<string> {
	const cached = jwksUriCache.get(opts.openIdConfigurationUrl);
	if (cached && now - cached.fetchedAt < KEY_CACHE_MS) return cached.jwksUri;
	const document = await opts.fetchJson(opts.openIdConfigurationUrl);
	const jwksUri = isObject(document) ? document.jwks_uri : undefined;
	if (typeof jwksUri !== 'string' || !/^https?:\/\//i.test(jwksUri)) throw new Error('OpenID configuration has no jwks_uri');
	jwksUriCache.set(opts.openIdConfigurationUrl, { jwksUri, fetchedAt: now });
	return jwksUri;
}

/** RSA signing keys by kid (and x5t) from a JWKS; keys given only as an x5c certificate are read from it. */
function parseJwks(document: unknown): Map<string, KeyObject> {
	const keys = new Map<string, KeyObject>();
	const list = isObject(document) && Array.isArray(document.keys) ? document.keys : [];
	for (const jwk of list) {
		if (!isObject(jwk) || jwk.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
		const key = publicKeyOf(jwk);
		if (!key) continue;
		for (const id of [jwk.kid, jwk.x5t]) if (typeof id === 'string') keys.set(id, key);
	}
	return keys;
}

function publicKeyOf(jwk: Record<string, unknown>): KeyObject | undefined {
	try {
		if (typeof jwk.n === 'string' && typeof jwk.e === 'string') {
			return createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
		}
		if (Array.isArray(jwk.x5c) && typeof jwk.x5c[0] === 'string') {
			return new X509Certificate(Buffer.from(jwk.x5c[0], 'base64')).publicKey;
		}
	} catch {
		// An unreadable key is skipped; a token naming it fails as "unknown signing key".
	}
	return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}
