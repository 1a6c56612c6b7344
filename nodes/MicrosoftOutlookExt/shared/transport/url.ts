/**
 * Mailbox scoping and URL safety, in one place: every Graph path is written against `/me/...`
 * and rewritten here to the mailbox the node acts on.
 */

export class InvalidInputError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
	}
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN = /^[^\s@/\\?#]+@[^\s@/\\?#]+\.[^\s@/\\?#]+$/;

/** A mailbox is a user principal name / SMTP address or a directory object ID. */
export function validateMailbox(value: string, field = 'Mailbox'): string {
	const mailbox = value.trim();
	if (!GUID.test(mailbox) && !UPN.test(mailbox)) {
		throw new InvalidInputError(
			`${field} "${mailbox}" is not a mailbox`,
			`Use the user principal name or email address (e.g. sales@contoso.com) or the user's object ID (a GUID).`,
		);
	}
	return mailbox;
}

/**
 * `/me` for the signed-in user; `/users/{id}` for another mailbox. App-only credentials have no
 * signed-in user, so they always need a mailbox (the node's Mailbox or the credential's User ID).
 */
export function mailboxPrefix(options: { appOnly: boolean; mailbox?: string; credentialUserId?: string }): string {
	const chosen = options.mailbox?.trim() || (options.appOnly ? options.credentialUserId?.trim() : '');
	if (!chosen) {
		if (options.appOnly) {
			throw new InvalidInputError(
				'No mailbox to act on',
				'Client credentials have no signed-in user: set User ID in the credential, or the Mailbox field of the node.',
			);
		}
		return '/me';
	}
	return `/users/${encodeURIComponent(validateMailbox(chosen, options.mailbox?.trim() ? 'Mailbox' : 'User ID'))}`;
}

/** Rewrites a `/me/...` path to the mailbox prefix; other paths (e.g. `/subscriptions`) stay. */
export function scopePath(path: string, prefix: string): string {
	if (path === '/me' || path.startsWith('/me/') || path.startsWith('/me?')) {
		return prefix + path.slice(3);
	}
	return path;
}

/**
 * Graph IDs are opaque (may contain `=`, `+`, `/`, `-`): validate presence, then encode as one
 * segment. `.` and `..` survive encoding and a URL parser resolves them away (`/me/events/..` is
 * `/me`), so they would act on another resource: refused. A number (e.g. from an expression) is an ID.
 */
export function idSegment(value: unknown, field: string): string {
	const id = typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
	if (!id) {
		const given = value !== null && typeof value === 'object' ? ' (it is an object, not text)' : '';
		throw new InvalidInputError(`${field} is empty${given}`, `Pick an item from the list or paste its ID into "${field}".`);
	}
	if (/\s/.test(id) || id.length > 2048 || isDotSegment(id)) {
		throw new InvalidInputError(
			`${field} "${id.slice(0, 60)}" is not a Microsoft Graph ID`,
			'IDs contain no spaces and are never "." or ".."; pick the item from the list or copy the "id" field of a previous node.',
		);
	}
	return encodeURIComponent(id);
}

/** A path segment that URL normalisation removes or turns into "go up" (also percent-encoded forms). */
export function isDotSegment(segment: string): boolean {
	let decoded = segment;
	try {
		decoded = decodeURIComponent(segment);
	} catch {
		// not valid percent-encoding: judge the text as given
	}
	return /^\.{1,2}$/.test(segment) || /^\.{1,2}$/.test(decoded);
}

/**
 * A URL parser resolves `.` and `..` segments (`/me/events/../..` is `/v1.0/`), so a request would
 * land on another resource than the one named: refused, whichever field the segment came from.
 */
export function assertNoDotSegments(pathOrUrl: string): void {
	const path = pathOrUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0];
	if (path.split('/').some(isDotSegment)) {
		throw new InvalidInputError(
			`The request path "${path.slice(0, 120)}" contains a "." or ".." segment`,
			'An ID or path part is "." or "..", which would point the request at another resource. Use the real ID of the item.',
		);
	}
}

/**
 * The bearer token may only go to the credential's Graph host: an absolute URL (a nextLink or a
 * Raw Request path) on any other host or scheme is refused.
 */
export function assertGraphUrl(url: string, graphRoot: string): void {
	const target = URL.canParse(url) ? new URL(url) : undefined;
	if (!target) throw new InvalidInputError(`"${url}" is not a valid URL`);
	const root = new URL(graphRoot);
	if (target.origin !== root.origin) {
		throw new InvalidInputError(
			`Refused to send the Microsoft token to ${target.origin}`,
			`Only ${root.origin} (the credential's Base URL) receives the token.`,
		);
	}
}
