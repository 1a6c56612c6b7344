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

/** Graph IDs are opaque (may contain `=`, `+`, `/`, `-`): validate presence, then encode as one segment. */
export function idSegment(value: unknown, field: string): string {
	const id = typeof value === 'string' ? value.trim() : '';
	if (!id) {
		throw new InvalidInputError(`${field} is empty`, `Pick an item from the list or paste its ID into "${field}".`);
	}
	if (/\s/.test(id) || id.length > 2048) {
		throw new InvalidInputError(
			`${field} "${id.slice(0, 60)}" is not a Microsoft Graph ID`,
			'IDs contain no spaces; pick the item from the list or copy the "id" field of a previous node.',
		);
	}
	return encodeURIComponent(id);
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
