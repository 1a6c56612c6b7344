/**
 * Opaque access tokens, refresh tokens and authorization codes, all timed on the emulator clock.
 * Tokens are random strings (never JWTs), so a client cannot depend on decoding them.
 */
import { randomBytes } from 'node:crypto';
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
