/**
 * Opaque access tokens, refresh tokens and authorization codes, all timed on the emulator clock.
 * Tokens are random strings (never JWTs), so a client cannot depend on decoding them.
 * Also the RS256 signing keys for the JWTs Graph itself signs (rich notifications' validationTokens).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { TokenInfo } from './types';

export interface RefreshTokenInfo {
	refreshToken: string;
	clientId: string;
	userId: string;
	scopes: string[];
	expiresAt: number;
	/** Set once the token was exchanged; it stays usable for a short grace (parallel refreshes). */
	rotatedAt?: number;
}

export interface AuthorizationCode {
	code: string;
	clientId: string;
	userId: string;
	redirectUri: string;
	scopes: string[];
	expiresAt: number;
	redeemed?: boolean;
}

/** Refresh tokens live 90 days, like Entra ID's default for confidential clients. */
export const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;
/** A rotated refresh token still works this long, so concurrent refreshes of one credential don't fail. */
export const ROTATION_GRACE_MS = 60 * 1000;
/** Authorization codes are single-use and live 10 minutes. */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;

function opaque(prefix: string): string {
	return prefix + randomBytes(24).toString('base64url');
}

export type AccessTokenCheck =
	| { ok: true; token: TokenInfo }
	| { ok: false; reason: 'empty' | 'malformed' | 'expired' };

export class TokenStore {
	private readonly access = new Map<string, TokenInfo>();
	private readonly refresh = new Map<string, RefreshTokenInfo>();
	private readonly codes = new Map<string, AuthorizationCode>();

	issueAccessToken(info: Omit<TokenInfo, 'accessToken'>): TokenInfo {
		const token: TokenInfo = { ...info, accessToken: opaque('emu-at-') };
		this.access.set(token.accessToken, token);
		return token;
	}

	checkAccessToken(value: string | undefined, now: number): AccessTokenCheck {
		if (!value) return { ok: false, reason: 'empty' };
		const token = this.access.get(value);
		if (!token) return { ok: false, reason: 'malformed' };
		if (token.expiresAt <= now) return { ok: false, reason: 'expired' };
		return { ok: true, token };
	}

	issueRefreshToken(info: Omit<RefreshTokenInfo, 'refreshToken' | 'rotatedAt'>): RefreshTokenInfo {
		const token: RefreshTokenInfo = { ...info, refreshToken: opaque('emu-rt-') };
		this.refresh.set(token.refreshToken, token);
		return token;
	}

	/** Returns the refresh token if it can still be redeemed (and marks it rotated), else why not. */
	redeemRefreshToken(value: string, now: number): RefreshTokenInfo | 'unknown' | 'expired' | 'rotated' {
		const token = this.refresh.get(value);
		if (!token) return 'unknown';
		if (token.expiresAt <= now) return 'expired';
		if (token.rotatedAt !== undefined && now - token.rotatedAt > ROTATION_GRACE_MS) return 'rotated';
		token.rotatedAt ??= now;
		return token;
	}

	issueCode(info: Omit<AuthorizationCode, 'code' | 'redeemed'>): AuthorizationCode {
		const code: AuthorizationCode = { ...info, code: opaque('emu-code-') };
		this.codes.set(code.code, code);
		return code;
	}

	/** Codes are single-use: a redeemed code stays known only to say so. */
	redeemCode(value: string, now: number): AuthorizationCode | 'unknown' | 'used' | 'expired' {
		const code = this.codes.get(value);
		if (!code) return 'unknown';
		if (code.redeemed) return 'used';
		code.redeemed = true;
		if (code.expiresAt <= now) return 'expired';
		return code;
	}

	/** Makes every access token already issued invalid (the next Graph call gets 401). */
	expireAllAccessTokens(now: number): void {
		for (const token of this.access.values()) token.expiresAt = Math.min(token.expiresAt, now - 1);
	}

	revokeAllRefreshTokens(): void {
		this.refresh.clear();
	}
}

// ---- signing keys (JWTs Graph signs: the validationTokens of rich change notifications) -------

/** A JSON Web Key as Entra ID publishes it under `jwks_uri` (RSA, signing). */
export interface PublishedJwk {
	kty: 'RSA';
	use: 'sig';
	kid: string;
	x5t: string;
	n: string;
	e: string;
}

interface SigningKey {
	kid: string;
	privateKey: KeyObject;
	jwk: PublishedJwk;
}

/**
 * The emulated identity platform's token-signing keys: RS256, published as a JWKS (current key first, the
 * previous one kept after a rotation, as Entra ID lists several). Keys are generated on first use.
 */
export class SigningKeySet {
	private keys: SigningKey[] = [];

	/** Signs `claims` as a compact JWS (RS256) with the current key; `kid`/`x5t` name the key. */
	sign(claims: Record<string, unknown>): string {
		const key = this.current();
		const header = { typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid };
		const input = `${base64urlJson(header)}.${base64urlJson(claims)}`;
		const signature = sign('sha256', Buffer.from(input, 'ascii'), key.privateKey);
		return `${input}.${signature.toString('base64url')}`;
	}

	/** The JWKS document: `{ keys: [...] }`. */
	jwks(): { keys: PublishedJwk[] } {
		this.current();
		return { keys: this.keys.map((key) => ({ ...key.jwk })) };
	}

	/** A new current key; the previous one stays published (tokens it signed still verify). */
	rotate(): void {
		this.keys = [newSigningKey(), ...this.keys.slice(0, 1)];
	}

	currentKid(): string {
		return this.current().kid;
	}

	private current(): SigningKey {
		if (this.keys.length === 0) this.keys = [newSigningKey()];
		return this.keys[0];
	}
}

function newSigningKey(): SigningKey {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const { n, e } = publicKey.export({ format: 'jwk' });
	// Entra ID's kid equals x5t (the base64url SHA-1 of its certificate); here: of the public key.
	const kid = createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
	return { kid, privateKey, jwk: { kty: 'RSA', use: 'sig', kid, x5t: kid, n: String(n), e: String(e) } };
}

function base64urlJson(value: unknown): string {
	return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

const signingKeySets = new WeakMap<object, SigningKeySet>();

/** The signing keys of one emulator (keyed by its core); they survive resets, as real keys do. */
export function signingKeysOf(owner: object): SigningKeySet {
	let keys = signingKeySets.get(owner);
	if (!keys) {
		keys = new SigningKeySet();
		signingKeySets.set(owner, keys);
	}
	return keys;
}
