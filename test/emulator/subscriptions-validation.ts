/**
 * The notification-URL validation handshake Graph performs before it creates (or re-points) a
 * subscription: POST {url}?validationToken=<url-encoded token>, expect 200 text/plain echoing the
 * decoded token within 10 seconds.
 */
import { randomBytes } from 'node:crypto';
import { postTo } from './subscriptions-http';

export const VALIDATION_MESSAGES = {
	notOk: 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
	mismatch: 'Subscription validation request failed. Response must exactly match validationToken query parameter.',
	timeout: 'Subscription validation request timed out.',
} as const;

/**
 * An opaque token full of characters that need URL encoding (space, `+`, `&`, `<`, `%`), so receivers
 * that echo it still encoded, half-decoded (`+` as space) or HTML-escaped fail like they would on Graph.
 */
export function createValidationToken(): string {
	return `Validation: Token-${randomBytes(9).toString('hex')} + <b>&x=y%</b>`;
}

export function validationUrl(notificationUrl: string, token: string): string {
	// A fragment is never sent over the wire; drop it so the query string lands where servers see it.
	const withoutFragment = notificationUrl.split('#')[0];
	const separator = withoutFragment.includes('?') ? '&' : '?';
	return `${withoutFragment}${separator}validationToken=${encodeURIComponent(token)}`;
}

/** Runs one handshake; resolves with the Graph error message on failure, undefined on success. */
export async function validateEndpoint(notificationUrl: string, timeoutMs: number): Promise<string | undefined> {
	const token = createValidationToken();
	const result = await postTo(validationUrl(notificationUrl, token), '', 'text/plain; charset=utf-8', timeoutMs);
	if (result.failure === 'timeout') return VALIDATION_MESSAGES.timeout;
	if (result.status !== 200) return VALIDATION_MESSAGES.notOk;
	if (!isTextPlain(result.contentType) || result.body !== token) return VALIDATION_MESSAGES.mismatch;
	return undefined;
}

function isTextPlain(contentType: string): boolean {
	return contentType.split(';')[0].trim().toLowerCase() === 'text/plain';
}
