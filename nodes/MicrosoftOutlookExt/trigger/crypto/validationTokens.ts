/**
 * Checks the JWTs Graph puts in a rich notification's `validationTokens`: RS256 signatures against the keys
 * published through an OpenID configuration document, audience, issuer per tenant, the Graph change-notification
 * publisher as `appid`, and the token lifetime. I/O (`fetchJson`) is a parameter; only node:crypto is used.
 */
import { X509Certificate, createPublicKey, verify, type KeyObject } from 'node:crypto';

import { LruMap } from '../common';

/** The app id Graph's change-notification publisher signs validation tokens as (docs: "Critical" check). */
export const GRAPH_NOTIFICATION_PUBLISHER_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';
/** Where Microsoft publishes the keys that sign validation tokens (via its `jwks_uri`). */
export const MICROSOFT_OPENID_CONFIGURATION_URL = 'https://login.microsoftonline.com/common/.well-known/openid-configuration';

/** Clock skew allowed on `nbf`/`exp`. */
const SKEW_SECONDS = 300;
/** Signing keys are re-read after this (Microsoft rotates them, announcing new ones ahead of use). */
const KEY_CACHE_MS = 6 * 3600 * 1000;
/** An unknown `kid` triggers a refetch, but not more often than this per jwks_uri (no fetch amplification). */
const REFETCH_MIN_INTERVAL_MS = 60 * 1000;


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

/** Per OpenID configuration URL and per jwks_uri (one per sign-in host in practice); bounded all the same. */
const jwksUriCache = new LruMap<string, { jwksUri: string; fetchedAt: number }>(16);
const keyCache = new LruMap<string, JwksCacheEntry>(16);

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
		} catch (error) {
			result = { ok: false, reason: failureReason(error) };
		}
		if (!result.ok) return { valid: false, reason: `validation token ${index + 1}: ${result.reason}` };
		covered.add(result.issuer);
	}
	for (const [issuer] of issuers) {
		if (!covered.has(issuer)) return { valid: false, reason: 'a tenant in the notification has no validation token' };
	}
	return { valid: true };
}

const KEY_FETCH_FAILED = 'signing keys could not be fetched';

/** Reading Microsoft's OpenID configuration or signing keys failed (network, HTTP error, no jwks_uri). */
function keyFetchError(detail: string): Error {
	return new Error(`${KEY_FETCH_FAILED} (${detail.slice(0, 200)})`);
}

/** What an exception during validation means, said as it is (no token content). */
function failureReason(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	if (message.startsWith(KEY_FETCH_FAILED)) return message;
	return `it could not be checked (${message.slice(0, 200)})`;
}

/** GET through the caller's helper; a failure says which document could not be read. */
async function fetched(opts: ValidationTokenOptions, url: string): Promise<unknown> {
	try {
		return await opts.fetchJson(url);
	} catch (error) {
		throw keyFetchError(`${url}: ${error instanceof Error ? error.message : String(error)}`);
	}
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
		// Not base64url JSON: the caller reports "not a JWT".
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
	const keys = parseJwks(await fetched(opts, jwksUri));
	keyCache.set(jwksUri, { keys, fetchedAt: now });
	return keys.get(kid);
}

async function jwksUriFor(opts: ValidationTokenOptions, now: number): Promise<string> {
	const cached = jwksUriCache.get(opts.openIdConfigurationUrl);
	if (cached && now - cached.fetchedAt < KEY_CACHE_MS) return cached.jwksUri;
	const document = await fetched(opts, opts.openIdConfigurationUrl);
	const jwksUri = isObject(document) ? document.jwks_uri : undefined;
	if (typeof jwksUri !== 'string' || !/^https?:\/\//i.test(jwksUri)) throw keyFetchError(`${opts.openIdConfigurationUrl} has no jwks_uri`);
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
