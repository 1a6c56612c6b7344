/**
 * The one Graph change-notification subscription client, shared by the Subscription resource and the
 * trigger: the resource string for a mailbox, Outlook's expiration limits (and the single retry
 * Graph's "can only be N minutes" answer asks for), list/get/create/renew/delete, the checks of a
 * notification URL and of the expiry Graph answers with, and what "the subscription we want" means.
 * Nothing here reads node parameters.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { graphCall, graphErrorParts, graphNow, httpStatusOf, isNotFound, settle } from './graph';
import { assertNewPage, type GraphContext, type GraphTarget } from './transport/request';

/** Outlook message/event lifetime limit for basic notifications (graph-facts §1, Correction note). */
export const MAX_SUBSCRIPTION_MINUTES = 10_080;
/** Default lifetime: just under the maximum, so clock skew never pushes a request over it. */
export const DEFAULT_SUBSCRIPTION_MINUTES = 10_070;
/** Graph raises shorter lifetimes to this. */
export const MIN_SUBSCRIPTION_MINUTES = 45;
/** subscription.md says 128 characters (another page says 255): stay within the stricter one. */
export const MAX_CLIENT_STATE_LENGTH = 128;

const MINUTE_MS = 60_000;
/** A retried expiration stays this far inside the maximum Graph named, to absorb clock skew. */
const RETRY_MARGIN_MINUTES = 1;

export type ChangeType = 'created' | 'updated' | 'deleted';

/** What a subscription watches in one mailbox. */
export type SubscriptionSource =
	| { kind: 'events' }
	| { kind: 'messages' }
	| { kind: 'mailFolder'; folderId: string }
	| { kind: 'calendar'; calendarId: string }
	| { kind: 'contacts' }
	| { kind: 'contactFolder'; folderId: string };

/** OData key syntax: quotes doubled; `/` (Outlook IDs may contain it), `?`, `#` and `%` percent-encoded. */
function odataKey(id: string): string {
	return `'${id.replace(/[%/?#]/g, encodeURIComponent).replace(/'/g, "''")}'`;
}

/**
 * `me/events`, `users/AdeleV@contoso.com/mailFolders('inbox')/messages`, ... — the `resource` property
 * of a subscription body, built from the transport's mailbox prefix (`/me` or `/users/{encoded id}`).
 */
export function subscriptionResource(mailboxPrefix: string, source: SubscriptionSource): string {
	const owner = mailboxPrefix
		.replace(/^\/+/, '')
		.split('/')
		.map((segment) => decodeURIComponent(segment))
		.join('/');
	switch (source.kind) {
		case 'events':
			return `${owner}/events`;
		case 'messages':
			return `${owner}/messages`;
		case 'mailFolder':
			return `${owner}/mailFolders(${odataKey(source.folderId)})/messages`;
		// Graph (and the emulator) accept a calendar as the container of events.
		case 'calendar':
			return `${owner}/calendars(${odataKey(source.calendarId)})/events`;
		// subscription.md lists both forms for contacts.
		case 'contacts':
			return `${owner}/contacts`;
		case 'contactFolder':
			return `${owner}/contactFolders(${odataKey(source.folderId)})/contacts`;
	}
}

/** Comparable form of a resource: Graph echoes it as given, with varying case, slashes and encoding. */
export function normalizeResource(resource: string): string {
	const path = resource.trim().replace(/^\/+/, '');
	let decoded = path;
	try {
		decoded = decodeURIComponent(path);
	} catch {
		// Not percent-encoded: compare as given.
	}
	return decoded.replace(/\('([^']*)'\)/g, '/$1').toLowerCase();
}

/** ISO expiration `minutes` after `now`. */
export function expirationAfterMinutes(minutes: number, now = Date.now()): string {
	return new Date(now + minutes * MINUTE_MS).toISOString();
}

/**
 * The expiration to request: the default lifetime when none is given, and never beyond Outlook's
 * maximum (a later request is clamped to it).
 */
export function clampedExpiration(requestedMs: number | undefined, now = Date.now()): { expirationDateTime: string; clamped: boolean } {
	const latest = now + MAX_SUBSCRIPTION_MINUTES * MINUTE_MS;
	if (requestedMs === undefined) return { expirationDateTime: expirationAfterMinutes(DEFAULT_SUBSCRIPTION_MINUTES, now), clamped: false };
	if (requestedMs > latest) return { expirationDateTime: new Date(latest).toISOString(), clamped: true };
	return { expirationDateTime: new Date(requestedMs).toISOString(), clamped: false };
}

/**
 * The N of Graph's 400 "Subscription expiration can only be N minutes in the future." (older tenants
 * still enforce 4,230 minutes for Outlook). Reads the NodeApiError the transport builds, or a raw body.
 */
export function maxMinutesFromGraphError(error: unknown): number | undefined {
	const e = (error ?? {}) as { errorResponse?: { message?: unknown }; description?: unknown; message?: unknown };
	const texts = [e.errorResponse?.message, e.description, e.message].filter((t): t is string => typeof t === 'string');
	for (const text of texts) {
		const match = /expiration can only be (\d+) minutes in the future/i.exec(text);
		if (match) return Number(match[1]);
	}
	return undefined;
}

/**
 * Sends a create or renew body; when Graph answers that the expiration can only be N minutes away,
 * sends it once more with that maximum. Any other error, and a second refusal, reach the caller.
 */
export async function withExpirationRetry<T>(
	body: IDataObject,
	send: (body: IDataObject) => Promise<T>,
	now: () => number = Date.now,
): Promise<T> {
	let maxMinutes: number | undefined;
	let firstError: unknown;
	try {
		return await send(body);
	} catch (error) {
		maxMinutes = maxMinutesFromGraphError(error);
		firstError = error;
	}
	if (maxMinutes === undefined) throw firstError;
	const minutes = Math.max(maxMinutes - RETRY_MARGIN_MINUTES, MIN_SUBSCRIPTION_MINUTES);
	return await send({ ...body, expirationDateTime: expirationAfterMinutes(minutes, now()) });
}

/** A random clientState: 32 random bytes, base64url (43 characters). */
export function randomClientState(): string {
	return randomBytes(32).toString('base64url');
}

/** Subscriptions answered by Graph, without the clientState secret (a flag says whether one is set). */
export function withoutClientState(subscription: IDataObject): IDataObject {
	const { clientState, ...rest } = subscription;
	if (typeof clientState === 'string' && clientState !== '') return { ...rest, clientStateSet: true };
	return rest;
}

/** An existing subscription for the same notification URL and resource (change types may differ). */
export function findDuplicate(
	subscriptions: IDataObject[],
	wanted: { notificationUrl: string; resource: string },
): IDataObject | undefined {
	const resource = normalizeResource(wanted.resource);
	return subscriptions.find(
		(s) =>
			typeof s.notificationUrl === 'string' &&
			s.notificationUrl.trim() === wanted.notificationUrl.trim() &&
			typeof s.resource === 'string' &&
			normalizeResource(s.resource) === resource,
	);
}

/**
 * Whether a notification URL points at this n8n instance: same origin, and a path under the
 * instance's base path. `instanceBaseUrl` is n8n's `getInstanceBaseUrl()` (WEBHOOK_URL when set).
 */
export function isOnInstance(notificationUrl: unknown, instanceBaseUrl: string): boolean {
	if (typeof notificationUrl !== 'string' || !URL.canParse(notificationUrl) || !URL.canParse(instanceBaseUrl)) return false;
	const url = new URL(notificationUrl);
	const base = new URL(instanceBaseUrl);
	const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
	return url.origin === base.origin && (url.pathname + '/').startsWith(basePath);
}

/** A create body without its expiration (createSubscription computes it from Graph's clock). */
export interface NewSubscriptionBody extends IDataObject {
	changeType: string;
	notificationUrl: string;
	resource: string;
	clientState?: string;
	lifecycleNotificationUrl?: string;
}

export interface SubscriptionCreateBody extends NewSubscriptionBody {
	expirationDateTime: string;
}

/**
 * Every subscription of this app that Graph lists (it pages with nextLink and supports no query
 * options). A next link Graph repeats ends with an error instead of looping.
 */
export async function listSubscriptions(ctx: GraphContext, target: GraphTarget): Promise<IDataObject[]> {
	const all: IDataObject[] = [];
	const followed = new Set<string>();
	let url: string | undefined = '/subscriptions';
	while (url) {
		// graphCall: the answer also sets Graph's clock, which the create that often follows needs.
		const page: { value?: IDataObject[]; '@odata.nextLink'?: string } = (await graphCall(ctx, target, { method: 'GET', url })).body;
		all.push(...(page.value ?? []));
		url = page['@odata.nextLink'];
		if (url) assertNewPage(ctx, target, followed, url);
	}
	return all;
}

function subscriptionUrl(subscriptionId: string): string {
	return `/subscriptions/${encodeURIComponent(subscriptionId)}`;
}

export async function getSubscription(ctx: GraphContext, target: GraphTarget, subscriptionId: string): Promise<IDataObject> {
	return (await graphCall(ctx, target, { method: 'GET', url: subscriptionUrl(subscriptionId) })).body;
}

/** DELETE; a subscription that is already gone counts as deleted. */
export async function deleteSubscription(ctx: GraphContext, target: GraphTarget, subscriptionId: string): Promise<void> {
	const deleted = await settle(graphCall(ctx, target, { method: 'DELETE', url: subscriptionUrl(subscriptionId) }));
	if (!deleted.ok && !isNotFound(deleted.error)) throw deleted.error;
}

/** IDs of this app's subscriptions that deliver to `notificationUrl`. */
export async function subscriptionsDeliveringTo(ctx: GraphContext, target: GraphTarget, notificationUrl: string): Promise<string[]> {
	const all = await listSubscriptions(ctx, target);
	return all.filter((s) => s.notificationUrl === notificationUrl && typeof s.id === 'string').map((s) => String(s.id));
}

/** Graph's answers are trusted up to this far past the maximum lifetime (clock skew between Graph's servers). */
const EXPIRY_SLACK_MS = 10 * MINUTE_MS;

/**
 * What is wrong with an expiry Graph answered with: unreadable, already (nearly) past, or further
 * away than any Outlook subscription may live. undefined = usable.
 */
export function expiryProblem(expirationDateTime: unknown, now: number): string | undefined {
	const expiry = Date.parse(String(expirationDateTime ?? ''));
	if (!Number.isFinite(expiry)) return `an unreadable expirationDateTime (${String(expirationDateTime).slice(0, 40)})`;
	if (expiry - now < MINUTE_MS) return `an expirationDateTime that is not in the future (${new Date(expiry).toISOString()})`;
	if (expiry - now > MAX_SUBSCRIPTION_MINUTES * MINUTE_MS + EXPIRY_SLACK_MS) {
		return `an expirationDateTime beyond Outlook's ${MAX_SUBSCRIPTION_MINUTES}-minute maximum (${new Date(expiry).toISOString()})`;
	}
	return undefined;
}

/**
 * How a create or renew body reaches Graph and what Graph answered: the trigger calls Graph directly
 * (the default); the Subscription resource sends it through its item's transport (batching, retries).
 */
export type SubscriptionSend = (body: IDataObject) => Promise<IDataObject>;

/** How long a subscription should live: minutes from Graph's now, or an expiration the user gave. */
export type SubscriptionLifetime = number | { expirationDateTime: string };

function expirationFor(lifetime: SubscriptionLifetime, now: number): string {
	return typeof lifetime === 'number' ? expirationAfterMinutes(lifetime, now) : lifetime.expirationDateTime;
}

/** PATCH a new expiration (renews and reauthorizes); 404 reaches the caller (the subscription is gone). */
async function patchExpiration(ctx: GraphContext, target: GraphTarget, subscriptionId: string, lifetime: SubscriptionLifetime, send?: SubscriptionSend): Promise<IDataObject> {
	const now = () => graphNow(target.root);
	const patch: SubscriptionSend = send ?? (async (attempt) => (await graphCall<IDataObject>(ctx, target, { method: 'PATCH', url: subscriptionUrl(subscriptionId), body: attempt })).body);
	const renewed = await withExpirationRetry({ expirationDateTime: expirationFor(lifetime, now()) }, patch, now);
	return { ...renewed, id: subscriptionId };
}

function unusableExpiryError(ctx: GraphContext, subscriptionId: string, problem: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Microsoft Graph answered subscription ${subscriptionId} with ${problem}`, {
		description:
			"A renewal did not fix it. Check the clock of the machine n8n runs on and Microsoft Graph's status; then deactivate and activate the workflow.",
	});
}

/**
 * Renews for `lifetime` (the default lifetime when not given). An answer whose expiry is unusable is
 * renewed once more, then reported: a subscription with a past expiry is a deaf trigger.
 */
export async function renewSubscription(
	ctx: GraphContext,
	target: GraphTarget,
	subscriptionId: string,
	lifetime: SubscriptionLifetime = DEFAULT_SUBSCRIPTION_MINUTES,
	send?: SubscriptionSend,
): Promise<IDataObject> {
	const renewed = await patchExpiration(ctx, target, subscriptionId, lifetime, send);
	if (!expiryProblem(renewed.expirationDateTime, graphNow(target.root))) return renewed;
	const again = await patchExpiration(ctx, target, subscriptionId, lifetime, send);
	const problem = expiryProblem(again.expirationDateTime, graphNow(target.root));
	if (problem) throw unusableExpiryError(ctx, subscriptionId, problem);
	return again;
}

/**
 * POST /subscriptions (Graph validates the notification URL before it answers), one retry when Graph
 * names a shorter maximum lifetime, and an expiry check of the answer: an unusable one is renewed
 * once; if that does not help, the subscription is deleted and the problem reported. A URL Graph
 * refuses is reported with urlRefusedError (`whose` names it: the trigger's webhook URL, or the
 * action's Notification URL).
 */
export async function createSubscription(
	ctx: GraphContext,
	target: GraphTarget,
	body: NewSubscriptionBody,
	lifetime: SubscriptionLifetime = DEFAULT_SUBSCRIPTION_MINUTES,
	options: { send?: SubscriptionSend; whose?: string } = {},
): Promise<IDataObject> {
	const now = () => graphNow(target.root);
	const post: SubscriptionSend = options.send ?? (async (attempt) => (await graphCall<IDataObject>(ctx, target, { method: 'POST', url: '/subscriptions', body: attempt })).body);
	const created = await settle(withExpirationRetry({ ...body, expirationDateTime: expirationFor(lifetime, now()) }, post, now));
	if (!created.ok) {
		if (isUrlRefusal(created.error)) throw urlRefusedError(ctx, created.error, body.notificationUrl, options.whose);
		throw created.error;
	}
	const subscription = created.value;
	if (!expiryProblem(subscription.expirationDateTime, now())) return subscription;
	const id = String(subscription.id);
	const renewed = await settle(renewSubscription(ctx, target, id, lifetime));
	if (renewed.ok) return { ...subscription, ...renewed.value };
	await settle(deleteSubscription(ctx, target, id));
	throw renewed.error;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The one notification-URL check (the trigger's webhook URL, the action's Notification URLs): Graph only
 * calls HTTPS URLs; plain HTTP passes for loopback (a local Graph emulator). undefined = usable.
 */
export function notificationUrlProblem(url: string): 'notAUrl' | 'notHttps' | undefined {
	const parsed = URL.canParse(url) ? new URL(url) : undefined;
	if (!parsed || !['https:', 'http:'].includes(parsed.protocol)) return 'notAUrl';
	if (parsed.protocol === 'http:' && !LOOPBACK_HOSTS.includes(parsed.hostname.toLowerCase())) return 'notHttps';
	return undefined;
}

export const CHANGE_TYPES: readonly ChangeType[] = ['created', 'updated', 'deleted'];

/**
 * The one change-type check: the values (a list or comma-separated text) as Graph's change types in a
 * stable order, or what is wrong with them (the first value that is not one, or none given).
 */
export function checkedChangeTypeList(raw: unknown): { types: ChangeType[] } | { invalid: string } | { empty: true } {
	const values = (Array.isArray(raw) ? raw : String(raw ?? '').split(',')).map((v) => String(v).trim()).filter(Boolean);
	const invalid = values.find((v) => !CHANGE_TYPES.includes(v as ChangeType));
	if (invalid !== undefined) return { invalid };
	if (values.length === 0) return { empty: true };
	// Graph's order does not matter, but a stable one makes subscriptions comparable.
	return { types: CHANGE_TYPES.filter((type) => values.includes(type)) };
}

/** The one ID check for folders, calendars and subscriptions: Graph IDs are never empty and contain no white space. */
export function graphIdProblem(id: string): 'empty' | 'notAnId' | undefined {
	if (!id) return 'empty';
	if (/\s/.test(id) || id.length > 2048) return 'notAnId';
	return undefined;
}

const PUBLIC_URL_HELP =
	"Set n8n's WEBHOOK_URL environment variable to its public https:// address (for example https://n8n.example.com/), or expose n8n through a tunnel (for example cloudflared or ngrok) and set WEBHOOK_URL to the tunnel's https:// address. Restart n8n and activate the workflow again.";

/** Graph only calls public HTTPS URLs; plain HTTP is let through for loopback (a local Graph emulator). */
export function assertUsableWebhookUrl(ctx: Pick<GraphContext, 'getNode'>, url: string): void {
	if (notificationUrlProblem(url) === undefined) return;
	throw new NodeOperationError(ctx.getNode(), `Microsoft Graph only sends notifications to HTTPS URLs, and this workflow's webhook URL is ${url}`, {
		description: PUBLIC_URL_HELP,
	});
}

/** Graph's 400s for a notification URL it could not validate or will not call. */
export function isUrlRefusal(error: unknown): boolean {
	if (httpStatusOf(error) !== 400) return false;
	const { graphMessage } = graphErrorParts(error);
	const description = String((error as { description?: unknown } | undefined)?.description ?? '');
	return /validation request|notification endpoint|notification url|must use https|absolute url/i.test(`${graphMessage} ${description}`);
}

/** The error for a refused URL: user words first, Graph's code and request-id kept. */
export function urlRefusedError(ctx: Pick<GraphContext, 'getNode'>, error: unknown, url: string, whose = "this workflow's webhook URL"): NodeApiError {
	const { code, requestId, graphMessage } = graphErrorParts(error);
	const errorResponse = ((error as { errorResponse?: JsonObject }).errorResponse ?? { message: graphMessage }) as JsonObject;
	const message = `Microsoft Graph could not use ${whose} ${url}: set WEBHOOK_URL to n8n's public HTTPS address or use a tunnel [${code}, request-id: ${requestId}]`;
	const refused = new NodeApiError(ctx.getNode(), errorResponse, {
		message,
		// n8n shows the description instead of the message for some activation failures: it must stand alone.
		description: `${message}. Microsoft Graph answered: "${graphMessage}". Before it creates a subscription, Graph sends a validation request to the webhook URL, which must be a public HTTPS address that answers within 10 seconds. ${PUBLIC_URL_HELP}`,
		httpCode: '400',
	});
	refused.message = message;
	return refused;
}

/** A subscription closer than this to its expiry is treated as gone: it could lapse before a renewal lands. */
export const EXPIRY_MARGIN_MS = 5 * MINUTE_MS;

export function isAboutToExpire(expirationDateTime: unknown, now: number): boolean {
	const expiry = Date.parse(String(expirationDateTime ?? ''));
	return !Number.isFinite(expiry) || expiry - now < EXPIRY_MARGIN_MS;
}

/** Less than half of the lifetime left (the lifetime is from the create or last renewal to the expiry). */
export function needsRenewal(record: { expirationDateTime: string; renewedAt: string }, now: number): boolean {
	const expiry = Date.parse(record.expirationDateTime);
	if (!Number.isFinite(expiry)) return true;
	const since = Date.parse(record.renewedAt);
	const lifetime = Number.isFinite(since) && expiry > since ? expiry - since : DEFAULT_SUBSCRIPTION_MINUTES * MINUTE_MS;
	return expiry - now < lifetime / 2;
}

function changeTypeSet(value: unknown): string {
	return String(value ?? '')
		.split(',')
		.map((type) => type.trim().toLowerCase())
		.filter(Boolean)
		.sort()
		.join(',');
}

/** What a subscription must be: same URLs, resource and change types; a secret it carries must pass `secretMatches`. */
export interface WantedSubscription {
	resource: string;
	changeType: string;
	notificationUrl: string;
	secretMatches: (clientState: string) => boolean;
	/** Rich notifications: the subscription must send resource data encrypted for this certificate. */
	encryptionCertificateId?: string;
}

/** Whether Graph's subscription is the wanted one. */
export function matchesWanted(current: IDataObject, wanted: WantedSubscription): boolean {
	if (current.notificationUrl !== wanted.notificationUrl) return false;
	// Graph may leave it out of answers; a different one would send lifecycle events elsewhere.
	if (typeof current.lifecycleNotificationUrl === 'string' && current.lifecycleNotificationUrl !== wanted.notificationUrl) return false;
	if (typeof current.resource !== 'string' || normalizeResource(current.resource) !== normalizeResource(wanted.resource)) return false;
	if (changeTypeSet(current.changeType) !== changeTypeSet(wanted.changeType)) return false;
	// Graph only sometimes returns the secret; when it does, it must be ours.
	if (typeof current.clientState === 'string' && current.clientState !== '' && !wanted.secretMatches(current.clientState)) return false;
	// Graph answers null for properties it does not report; a value it reports must be what is wanted.
	const rich = wanted.encryptionCertificateId !== undefined;
	if (typeof current.includeResourceData === 'boolean' && current.includeResourceData !== rich) return false;
	if (rich && typeof current.encryptionCertificateId === 'string' && current.encryptionCertificateId !== wanted.encryptionCertificateId) return false;
	return true;
}
