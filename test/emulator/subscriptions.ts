/**
 * Change-notification subscriptions (Graph `/subscriptions`): create with the validation handshake,
 * list/get/renew/delete/reauthorize, delivery of change notifications to the subscriber, lifecycle
 * notifications, and control routes for tests. See graph-facts §1.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ChangeEvent, EmulatorCore, GraphRequest, Reply, TokenInfo } from './types';
import { parseResource } from './subscriptions-resource';
import { attachFilter, checkSubscriptionFilter, filteredChangeType } from './subscriptions-filter';
import {
	currentEntity,
	attachRich,
	isRichUpdatable,
	prepareRichUpdate,
	registerRich,
	richChangeItem,
	richMaxMinutes,
	richProperties,
	validateRichCreate,
	MAX_RICH_SUBSCRIPTION_MINUTES,
} from './subscriptions-rich';
import {
	type ChangeTypeName,
	type LifecycleEventName,
	type StoredSubscription,
	type SubscriptionsConfig,
	DEFAULT_CONFIG,
	applyConfig,
	clearState,
	isLive,
	stateOf,
	sweepExpired,
} from './subscriptions-state';
import { clearDeliveryLog, deliverNow, deliveryLog, enqueueDelivery } from './subscriptions-delivery';
import { validateEndpoint } from './subscriptions-validation';
import { resolveCalendarId, resolveContactFolderId, resolveMailFolderId, tenantIdOf } from './subscriptions-lookup';

export { deliveryLog, clearDeliveryLog, waitForDeliveries, deliveriesInProgress } from './subscriptions-delivery';
export type { DeliveryLogEntry, SubscriptionsConfig } from './subscriptions-state';

const ENTITY_CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity';
const COLLECTION_CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#subscriptions';
const CHANGE_TYPES: readonly ChangeTypeName[] = ['created', 'updated', 'deleted'];
const LIFECYCLE_EVENTS: readonly LifecycleEventName[] = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'];
const TLS_VERSIONS = ['v1_0', 'v1_1', 'v1_2', 'v1_3'];
const MAX_CLIENT_STATE_LENGTH = 255;
const MINUTE_MS = 60_000;
/** A subscription gets a reauthorizationRequired when it has less than this left (or < 1/4 of its lifetime). */
const REAUTHORIZE_BEFORE_MS = 60 * MINUTE_MS;

/** Properties a create body may carry; anything else is rejected the way Graph's deserializer does. */
const CREATE_PROPERTIES = new Set([
	'@odata.type',
	'changeType',
	'notificationUrl',
	'lifecycleNotificationUrl',
	'resource',
	'expirationDateTime',
	'clientState',
	'latestSupportedTlsVersion',
	'includeResourceData',
	'encryptionCertificate',
	'encryptionCertificateId',
	'notificationQueryOptions',
	'notificationContentType',
	'notificationUrlAppId',
	'id',
	'applicationId',
	'creatorId',
]);
const PAYLOAD_ERROR =
	'Could not process subscription creation payload. Are all property names spelled and camelCased properly?';
const ACCESS_DENIED = 'Access is denied. Check credentials and try again.';
const NOT_FOUND = 'The object was not found.';

type Outcome<T> = { ok: true; value: T } | { ok: false; reply: Reply };

export function register(core: EmulatorCore): void {
	core.route('POST', '/subscriptions', (req) => createSubscription(core, req));
	core.route('GET', '/subscriptions', (req) => listSubscriptions(core, req));
	core.route('GET', '/subscriptions/:id', (req) => getSubscription(core, req));
	core.route('PATCH', '/subscriptions/:id', (req) => updateSubscription(core, req));
	core.route('DELETE', '/subscriptions/:id', (req) => deleteSubscription(core, req));
	core.route('POST', '/subscriptions/:id/reauthorize', (req) => reauthorizeSubscription(core, req));

	core.controlRoute('GET', '/subscriptions', () => ({ status: 200, body: { value: allSubscriptions(core) } }));
	core.controlRoute('GET', '/subscriptions/config', () => ({ status: 200, body: { ...stateOf(core).config } }));
	core.controlRoute('POST', '/subscriptions/config', (req) => configureFromControl(core, req));
	core.controlRoute('DELETE', '/subscriptions/config', () => {
		configureSubscriptions(core, { ...DEFAULT_CONFIG });
		return { status: 200, body: { ...stateOf(core).config } };
	});
	core.controlRoute('POST', '/subscriptions/:id/lifecycle', (req) => lifecycleFromControl(core, req));
	core.controlRoute('GET', '/notifications', () => ({ status: 200, body: deliveryLog(core) }));
	core.controlRoute('DELETE', '/notifications', () => {
		clearDeliveryLog(core);
		return { status: 204 };
	});

	core.onChange((event) => notifySubscribers(core, event));
	core.onClockAdvance((now) => processClockAdvance(core, now));
	core.onReset(() => clearState(stateOf(core)));
	registerRich(core);
}

// ---------------------------------------------------------------------------------------------------------------
// Exported helpers for in-process tests

/** Changes limits/timings (e.g. `{maxMinutes: 4230}` to emulate an older tenant, small retry delays in tests). */
export function configureSubscriptions(core: EmulatorCore, patch: Partial<SubscriptionsConfig>): SubscriptionsConfig {
	const config = stateOf(core).config;
	const invalid = applyConfig(config, patch as Record<string, unknown>);
	if (invalid.length > 0) throw new Error(`Invalid subscriptions config: ${invalid.join(', ')}`);
	return { ...config };
}

/** Every live subscription of every app, with clientState (debug view). */
export function allSubscriptions(core: EmulatorCore): Array<Record<string, unknown>> {
	const state = stateOf(core);
	sweepExpired(state, core.now());
	return [...state.subscriptions.values()].map((subscription) => ({
		...toGraphSubscription(subscription, false),
		mailboxUserId: subscription.mailboxUserId,
	}));
}

/**
 * Sends a lifecycle notification for a subscription now (resolves after the first attempt).
 * `subscriptionRemoved` also removes the subscription. Returns undefined for an unknown subscription.
 */
export async function sendLifecycleEvent(
	core: EmulatorCore,
	subscriptionId: string,
	lifecycleEvent: LifecycleEventName,
): Promise<{ sent: boolean; removed: boolean } | undefined> {
	const state = stateOf(core);
	sweepExpired(state, core.now());
	const subscription = state.subscriptions.get(subscriptionId);
	if (!subscription) return undefined;
	const removed = lifecycleEvent === 'subscriptionRemoved';
	if (removed) state.subscriptions.delete(subscriptionId);
	if (!subscription.lifecycleNotificationUrl) return { sent: false, removed };
	const item = lifecycleItem(core, subscription, lifecycleEvent);
	await deliverNow(core, 'lifecycle', subscription.lifecycleNotificationUrl, [item]);
	return { sent: true, removed };
}

// ---------------------------------------------------------------------------------------------------------------
// POST /subscriptions

async function createSubscription(core: EmulatorCore, req: GraphRequest): Promise<Reply> {
	const token = req.token;
	if (!token) return core.graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', req);
	const body = readJsonBody(req);
	if (!body || Object.keys(body).some((key) => !CREATE_PROPERTIES.has(key))) {
		return core.graphError(400, 'InvalidRequest', PAYLOAD_ERROR, req);
	}
	const state = stateOf(core);
	const input = validateCreateBody(core, req, body);
	if (!input.ok) return input.reply;
	const { changeType, changeTypes, notificationUrl, lifecycleNotificationUrl, clientState } = input.value;

	const target = resolveTarget(core, req, token, String(body.resource));
	if (!target.ok) return target.reply;
	// $filter in the resource: parsed and policed now, applied on delivery (subscriptions-filter.ts).
	const filterCheck = checkSubscriptionFilter(String(body.resource), target.value.kind);
	if (!filterCheck.ok) return core.graphError(filterCheck.refusal.status, filterCheck.refusal.code, filterCheck.refusal.message, req);

	// includeResourceData: certificate, id and $select checked here; lifetime capped at 1,440 minutes.
	const rich = validateRichCreate(core, req, body, token.clientId);
	if (!rich.ok) return rich.reply;

	const expiry = checkExpiration(core, req, body.expirationDateTime, 'Create', rich.value ? MAX_RICH_SUBSCRIPTION_MINUTES : undefined);
	if (!expiry.ok) return expiry.reply;

	if (mailboxIsFull(core, target.value.mailboxUserId)) {
		return extensionError(core, req, 403, 'Create', 'Forbidden', mailboxLimitReason(state.config.maxPerMailbox));
	}

	const handshakeError = await validateUrls(core, notificationUrl, lifecycleNotificationUrl);
	if (handshakeError) return core.graphError(400, 'InvalidRequest', handshakeError, req);
	// Other creates may have completed while the handshake ran.
	if (mailboxIsFull(core, target.value.mailboxUserId)) {
		return extensionError(core, req, 403, 'Create', 'Forbidden', mailboxLimitReason(state.config.maxPerMailbox));
	}

	const now = core.now();
	const subscription: StoredSubscription = {
		id: randomUUID(),
		resource: String(body.resource),
		changeType,
		changeTypes,
		clientState,
		notificationUrl,
		lifecycleNotificationUrl,
		latestSupportedTlsVersion: typeof body.latestSupportedTlsVersion === 'string' ? body.latestSupportedTlsVersion : 'v1_2',
		applicationId: token.clientId,
		creatorId: token.appOnly || !token.userId ? servicePrincipalId(token.clientId) : token.userId,
		createdByUserId: token.appOnly ? undefined : token.userId,
		mailboxUserId: target.value.mailboxUserId,
		kind: target.value.kind,
		containerId: target.value.containerId,
		expiresAt: Math.max(expiry.value, now + state.config.minMinutes * MINUTE_MS),
		periodStart: now,
	};
	if (filterCheck.filter) attachFilter(core, subscription, filterCheck.filter);
	if (rich.value) attachRich(subscription, rich.value);
	state.subscriptions.set(subscription.id, subscription);
	if (state.config.createdReplyDelayMs > 0) await new Promise((done) => setTimeout(done, state.config.createdReplyDelayMs));
	return { status: 201, body: { '@odata.context': ENTITY_CONTEXT, ...toGraphSubscription(subscription, false) } };
}

interface CreateInput {
	changeType: string;
	changeTypes: Set<ChangeTypeName>;
	notificationUrl: string;
	lifecycleNotificationUrl: string | null;
	clientState: string | null;
}

function validateCreateBody(core: EmulatorCore, req: GraphRequest, body: Record<string, unknown>): Outcome<CreateInput> {
	const fail = (message: string): Outcome<CreateInput> => ({
		ok: false,
		reply: core.graphError(400, 'InvalidRequest', message, req),
	});
	for (const property of ['changeType', 'notificationUrl', 'resource', 'expirationDateTime']) {
		const value = body[property];
		if (typeof value !== 'string' || value.trim() === '') {
			return fail(`${property} is a required property for subscription creation.`);
		}
	}
	const changeTypes = parseChangeTypes(String(body.changeType));
	if (!changeTypes) return fail(`Invalid 'changeType' attribute: '${String(body.changeType)}'.`);

	const notificationUrl = String(body.notificationUrl);
	const urlProblem = notificationUrlProblem(core, notificationUrl, 'notification URL');
	if (urlProblem) return fail(urlProblem);
	const lifecycleNotificationUrl = optionalString(body.lifecycleNotificationUrl);
	if (lifecycleNotificationUrl === false) return fail(PAYLOAD_ERROR);
	if (lifecycleNotificationUrl) {
		const lifecycleProblem = notificationUrlProblem(core, lifecycleNotificationUrl, 'lifecycle notification URL');
		if (lifecycleProblem) return fail(lifecycleProblem);
	}

	const clientState = optionalString(body.clientState);
	if (clientState === false) return fail(PAYLOAD_ERROR);
	if (clientState && clientState.length > MAX_CLIENT_STATE_LENGTH) {
		return fail(`The clientState property can be at most ${MAX_CLIENT_STATE_LENGTH} characters long.`);
	}
	const tls = body.latestSupportedTlsVersion;
	if (tls !== undefined && tls !== null && (typeof tls !== 'string' || !TLS_VERSIONS.includes(tls))) {
		return fail(`Invalid 'latestSupportedTlsVersion' attribute: '${String(tls)}'.`);
	}
	return {
		ok: true,
		value: {
			changeType: String(body.changeType),
			changeTypes,
			notificationUrl,
			lifecycleNotificationUrl: lifecycleNotificationUrl || null,
			clientState: clientState || null,
		},
	};
}

function parseChangeTypes(value: string): Set<ChangeTypeName> | undefined {
	const names = value.split(',').map((name) => name.trim());
	if (names.some((name) => !CHANGE_TYPES.includes(name as ChangeTypeName))) return undefined;
	return new Set(names as ChangeTypeName[]);
}

/** A string, undefined/null/'' (absent → ''), or false when the type is wrong. */
function optionalString(value: unknown): string | false {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : false;
}

/** Graph insists on HTTPS; the emulator also allows plain HTTP to loopback when configured to. */
function notificationUrlProblem(core: EmulatorCore, url: string, what: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `Subscription validation request failed. The ${what} is not a valid absolute URL.`;
	}
	if (parsed.protocol === 'https:') return undefined;
	const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname.toLowerCase());
	if (parsed.protocol === 'http:' && loopback && core.options.allowHttpNotificationUrls) return undefined;
	return `Subscription validation request failed. The ${what} must use HTTPS.`;
}

interface Target {
	mailboxUserId: string;
	kind: StoredSubscription['kind'];
	containerId?: string;
}

/** Parses the resource and applies Graph's access rules: app-only may not use /me, delegated only its own mailbox. */
function resolveTarget(core: EmulatorCore, req: GraphRequest, token: TokenInfo, resource: string): Outcome<Target> {
	const fail = (reply: Reply): Outcome<Target> => ({ ok: false, reply });
	const parsed = parseResource(resource);
	if (!parsed.ok) {
		return fail(
			extensionError(core, req, 400, 'Create', 'BadRequest', `Unsupported resource '${resource}': ${parsed.reason}.`),
		);
	}
	const { owner, kind, container } = parsed.resource;
	let mailboxUserId: string;
	if (owner.kind === 'me') {
		if (token.appOnly || !token.userId) {
			return fail(core.graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.', req));
		}
		mailboxUserId = token.userId;
	} else {
		const user = core.findUser(owner.idOrUpn);
		if (!user) {
			return fail(
				extensionError(core, req, 404, 'Create', 'NotFound', `The requested user '${owner.idOrUpn}' is invalid.`),
			);
		}
		mailboxUserId = user.id;
	}
	if (!token.appOnly && token.userId !== mailboxUserId) {
		return fail(extensionError(core, req, 403, 'Create', 'Forbidden', ACCESS_DENIED));
	}
	if (container === undefined) return { ok: true, value: { mailboxUserId, kind } };
	const containerId =
		kind === 'message'
			? resolveMailFolderId(core, mailboxUserId, container)
			: kind === 'contact'
				? resolveContactFolderId(core, mailboxUserId, container)
				: resolveCalendarId(core, mailboxUserId, container);
	if (!containerId) {
		return fail(
			extensionError(core, req, 404, 'Create', 'NotFound', 'The specified object was not found in the store.'),
		);
	}
	return { ok: true, value: { mailboxUserId, kind, containerId } };
}

/** Both URLs are validated, each with its own request, even when they are the same URL. */
async function validateUrls(
	core: EmulatorCore,
	notificationUrl: string,
	lifecycleNotificationUrl: string | null,
): Promise<string | undefined> {
	const timeoutMs = stateOf(core).config.validationTimeoutMs;
	const notificationError = await validateEndpoint(notificationUrl, timeoutMs);
	if (notificationError || !lifecycleNotificationUrl) return notificationError;
	return validateEndpoint(lifecycleNotificationUrl, timeoutMs);
}

/** Returns the accepted expiry (emulator ms) before the 45-minute floor is applied. */
function checkExpiration(
	core: EmulatorCore,
	req: GraphRequest,
	value: unknown,
	operation: string,
	capMinutes?: number,
): Outcome<number> {
	const config = stateOf(core).config;
	const maxMinutes = Math.min(config.maxMinutes, capMinutes ?? Number.POSITIVE_INFINITY);
	const expiresAt = typeof value === 'string' ? Date.parse(value) : Number.NaN;
	if (Number.isNaN(expiresAt)) {
		return { ok: false, reply: core.graphError(400, 'InvalidRequest', `Invalid 'expirationDateTime' attribute: '${String(value)}'.`, req) };
	}
	const now = core.now();
	if (expiresAt <= now) {
		return {
			ok: false,
			reply: extensionError(core, req, 400, operation, 'BadRequest', 'Subscription expiration must be in the future.'),
		};
	}
	if (expiresAt - now > maxMinutes * MINUTE_MS) {
		return {
			ok: false,
			reply: core.graphError(
				400,
				'ExtensionError',
				`Subscription expiration can only be ${maxMinutes} minutes in the future.`,
				req,
			),
		};
	}
	return { ok: true, value: expiresAt };
}

/** Graph allows 1,000 active subscriptions per mailbox, all applications combined. */
function mailboxIsFull(core: EmulatorCore, mailboxUserId: string): boolean {
	const state = stateOf(core);
	sweepExpired(state, core.now());
	let count = 0;
	for (const subscription of state.subscriptions.values()) {
		if (subscription.mailboxUserId === mailboxUserId) count++;
	}
	return count >= state.config.maxPerMailbox;
}

function mailboxLimitReason(limit: number): string {
	return `The number of subscriptions for this mailbox has reached the limit of ${limit}.`;
}

// ---------------------------------------------------------------------------------------------------------------
// GET / PATCH / DELETE / reauthorize

function listSubscriptions(core: EmulatorCore, req: GraphRequest): Reply {
	const token = req.token;
	if (!token) return core.graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', req);
	const state = stateOf(core);
	sweepExpired(state, core.now());
	const value = [...state.subscriptions.values()]
		.filter((subscription) => isVisibleTo(subscription, token))
		// clientState is "not returned for security purposes" in the list (subscription-list.md).
		.map((subscription) => toGraphSubscription(subscription, true));
	return { status: 200, body: { '@odata.context': COLLECTION_CONTEXT, value } };
}

function getSubscription(core: EmulatorCore, req: GraphRequest): Reply {
	const found = findOwnSubscription(core, req);
	if (!found.ok) return found.reply;
	return { status: 200, body: { '@odata.context': ENTITY_CONTEXT, ...toGraphSubscription(found.value, false) } };
}

async function updateSubscription(core: EmulatorCore, req: GraphRequest): Promise<Reply> {
	const found = findOwnSubscription(core, req);
	if (!found.ok) return found.reply;
	const subscription = found.value;
	const body = readJsonBody(req);
	if (!body) return core.graphError(400, 'InvalidRequest', PAYLOAD_ERROR, req);

	const immutable = immutableChange(subscription, body);
	if (immutable) return core.graphError(400, 'InvalidRequest', immutable, req);
	const richUpdate = prepareRichUpdate(core, req, subscription, body);
	if (!richUpdate.ok) return richUpdate.reply;

	let expiresAt: number | undefined;
	if (body.expirationDateTime !== undefined) {
		const expiry = checkExpiration(core, req, body.expirationDateTime, 'Update', richMaxMinutes(subscription));
		if (!expiry.ok) return expiry.reply;
		expiresAt = Math.max(expiry.value, core.now() + stateOf(core).config.minMinutes * MINUTE_MS);
	}
	let notificationUrl: string | undefined;
	if (body.notificationUrl !== undefined && body.notificationUrl !== subscription.notificationUrl) {
		if (typeof body.notificationUrl !== 'string') return core.graphError(400, 'InvalidRequest', PAYLOAD_ERROR, req);
		const problem = notificationUrlProblem(core, body.notificationUrl, 'notification URL');
		if (problem) return core.graphError(400, 'InvalidRequest', problem, req);
		const handshakeError = await validateEndpoint(body.notificationUrl, stateOf(core).config.validationTimeoutMs);
		if (handshakeError) return core.graphError(400, 'InvalidRequest', handshakeError, req);
		notificationUrl = body.notificationUrl;
	}
	// The handshake took time: the subscription may have been deleted or expired meanwhile.
	if (!stateOf(core).subscriptions.has(subscription.id) || !isLive(subscription, core.now())) {
		return core.graphError(404, 'ResourceNotFound', NOT_FOUND, req);
	}
	if (notificationUrl) subscription.notificationUrl = notificationUrl;
	richUpdate.value?.();
	if (expiresAt !== undefined) {
		// A renewal starts a new expiry period (and counts as reauthorization).
		subscription.expiresAt = expiresAt;
		subscription.periodStart = core.now();
		subscription.reauthorizedAt = core.now();
	}
	return { status: 200, body: { '@odata.context': ENTITY_CONTEXT, ...toGraphSubscription(subscription, false) } };
}

/** Only expirationDateTime and notificationUrl can change; read-only echoes of the current values are tolerated. */
function immutableChange(subscription: StoredSubscription, body: Record<string, unknown>): string | undefined {
	if ('lifecycleNotificationUrl' in body && (body.lifecycleNotificationUrl ?? null) !== subscription.lifecycleNotificationUrl) {
		return subscription.lifecycleNotificationUrl
			? 'The lifecycleNotificationUrl of a subscription cannot be changed.'
			: 'A lifecycleNotificationUrl cannot be added to an existing subscription. Delete the subscription and create a new one with the lifecycleNotificationUrl.';
	}
	const current = toGraphSubscription(subscription, false);
	for (const [key, value] of Object.entries(body)) {
		if (key === 'expirationDateTime' || key === 'notificationUrl' || key === 'lifecycleNotificationUrl') continue;
		if (key === '@odata.type' || key === '@odata.context') continue;
		if (isRichUpdatable(subscription, key)) continue;
		if (!(key in current)) return PAYLOAD_ERROR;
		if (value !== current[key]) return `The '${key}' property of a subscription cannot be updated.`;
	}
	return undefined;
}

function deleteSubscription(core: EmulatorCore, req: GraphRequest): Reply {
	const found = findOwnSubscription(core, req);
	if (!found.ok) return found.reply;
	stateOf(core).subscriptions.delete(found.value.id);
	return { status: 204 };
}

function reauthorizeSubscription(core: EmulatorCore, req: GraphRequest): Reply {
	const found = findOwnSubscription(core, req);
	if (!found.ok) return found.reply;
	found.value.reauthorizedAt = core.now();
	return { status: 204 };
}

/** Unknown, expired and other apps' (or other users') subscriptions all look the same: not found. */
function findOwnSubscription(core: EmulatorCore, req: GraphRequest): Outcome<StoredSubscription> {
	const token = req.token;
	if (!token) return { ok: false, reply: core.graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', req) };
	const state = stateOf(core);
	sweepExpired(state, core.now());
	const subscription = state.subscriptions.get(req.params.id ?? '');
	if (!subscription || !isVisibleTo(subscription, token)) {
		return { ok: false, reply: core.graphError(404, 'ResourceNotFound', NOT_FOUND, req) };
	}
	return { ok: true, value: subscription };
}

function isVisibleTo(subscription: StoredSubscription, token: TokenInfo): boolean {
	if (subscription.applicationId !== token.clientId) return false;
	return token.appOnly || subscription.createdByUserId === token.userId;
}

// ---------------------------------------------------------------------------------------------------------------
// Notifications

function notifySubscribers(core: EmulatorCore, event: ChangeEvent): void {
	const state = stateOf(core);
	const now = core.now();
	for (const subscription of state.subscriptions.values()) {
		if (!isLive(subscription, now) || !wantsEvent(subscription, event)) continue;
		// A filtered subscription reports entering/leaving its filter as created/deleted, or nothing.
		const changeType = filteredChangeType(core, subscription, event);
		if (!changeType || !subscription.changeTypes.has(changeType)) continue;
		const reported = changeType === event.changeType ? event : { ...event, changeType };
		if (state.config.loseNextChangeNotifications > 0) {
			state.config.loseNextChangeNotifications--;
			continue;
		}
		enqueueDelivery(core, 'notification', subscription.notificationUrl, changeItem(core, subscription, reported));
	}
}

function wantsEvent(subscription: StoredSubscription, event: ChangeEvent): boolean {
	return (
		subscription.mailboxUserId === event.userId &&
		subscription.kind === event.kind &&
		(subscription.containerId === undefined || subscription.containerId === event.containerId)
	);
}

function changeKeyOf(core: EmulatorCore, event: ChangeEvent): string {
	const etag = event.changeType === 'deleted' ? undefined : currentEntity(core, event)?.['@odata.etag'];
	return typeof etag === 'string' ? etag : `W/"CQAAABYAAAD${randomBytes(12).toString('base64')}"`;
}

/** How a basic notification names the changed item (Graph's example: `Users/{id}/Messages/{id}`, `#Microsoft.Graph.Message`). */
const RESOURCE_NAMES: Record<ChangeEvent['kind'], { collection: string; type: string }> = {
	message: { collection: 'Messages', type: '#Microsoft.Graph.Message' },
	event: { collection: 'Events', type: '#Microsoft.Graph.Event' },
	contact: { collection: 'Contacts', type: '#Microsoft.Graph.Contact' },
};

function changeItem(core: EmulatorCore, subscription: StoredSubscription, event: ChangeEvent): Record<string, unknown> {
	const collection = RESOURCE_NAMES[event.kind].collection;
	const resource = `Users/${event.userId}/${collection}/${event.id}`;
	const item = {
		id: randomBytes(10).toString('base64url'),
		subscriptionId: subscription.id,
		subscriptionExpirationDateTime: formatGraphDate(subscription.expiresAt),
		...(subscription.clientState !== null ? { clientState: subscription.clientState } : {}),
		changeType: event.changeType,
		resource,
		tenantId: tenantIdOf(core),
		resourceData: {
			'@odata.type': RESOURCE_NAMES[event.kind].type,
			'@odata.id': resource,
			// The item's current change key, as Graph sends it: a repeated notification of one change carries the same one.
			'@odata.etag': changeKeyOf(core, event),
			id: event.id,
		},
	};
	// includeResourceData: Graph's rich shape with encryptedContent (subscriptions-rich.ts).
	return richChangeItem(core, subscription, event, item) ?? item;
}

function lifecycleItem(
	core: EmulatorCore,
	subscription: StoredSubscription,
	lifecycleEvent: LifecycleEventName,
): Record<string, unknown> {
	return {
		subscriptionId: subscription.id,
		subscriptionExpirationDateTime: formatGraphDate(subscription.expiresAt),
		tenantId: tenantIdOf(core),
		...(subscription.clientState !== null ? { clientState: subscription.clientState } : {}),
		lifecycleEvent,
	};
}

/**
 * After the clock moves: expired subscriptions vanish silently; those close to expiry (under 1/4 of
 * their lifetime or under an hour left) get one reauthorizationRequired per expiry period.
 */
async function processClockAdvance(core: EmulatorCore, now: number): Promise<void> {
	const state = stateOf(core);
	sweepExpired(state, now);
	const itemsByUrl = new Map<string, Array<Record<string, unknown>>>();
	for (const subscription of state.subscriptions.values()) {
		if (!needsReauthorization(subscription, now)) continue;
		subscription.reauthorizationSentFor = subscription.expiresAt;
		if (!subscription.lifecycleNotificationUrl) continue;
		const items = itemsByUrl.get(subscription.lifecycleNotificationUrl) ?? [];
		items.push(lifecycleItem(core, subscription, 'reauthorizationRequired'));
		itemsByUrl.set(subscription.lifecycleNotificationUrl, items);
	}
	await Promise.all([...itemsByUrl].map(([url, items]) => deliverNow(core, 'lifecycle', url, items)));
}

function needsReauthorization(subscription: StoredSubscription, now: number): boolean {
	if (subscription.reauthorizationSentFor === subscription.expiresAt) return false;
	const remaining = subscription.expiresAt - now;
	const lifetime = subscription.expiresAt - subscription.periodStart;
	return remaining < lifetime / 4 || remaining < REAUTHORIZE_BEFORE_MS;
}

// ---------------------------------------------------------------------------------------------------------------
// Control routes

function configureFromControl(core: EmulatorCore, req: GraphRequest): Reply {
	const body = readJsonBody(req);
	if (!body) return { status: 400, body: { error: 'Expected a JSON object.' } };
	const invalid = applyConfig(stateOf(core).config, body);
	if (invalid.length > 0) return { status: 400, body: { error: `Invalid settings: ${invalid.join(', ')}` } };
	return { status: 200, body: { ...stateOf(core).config } };
}

async function lifecycleFromControl(core: EmulatorCore, req: GraphRequest): Promise<Reply> {
	const body = readJsonBody(req);
	const lifecycleEvent = body?.event;
	if (typeof lifecycleEvent !== 'string' || !LIFECYCLE_EVENTS.includes(lifecycleEvent as LifecycleEventName)) {
		return { status: 400, body: { error: `event must be one of ${LIFECYCLE_EVENTS.join(', ')}` } };
	}
	const result = await sendLifecycleEvent(core, req.params.id ?? '', lifecycleEvent as LifecycleEventName);
	if (!result) return core.graphError(404, 'ResourceNotFound', NOT_FOUND, req);
	return { status: 200, body: result };
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes and small helpers

function toGraphSubscription(subscription: StoredSubscription, hideClientState: boolean): Record<string, unknown> {
	return {
		id: subscription.id,
		resource: subscription.resource,
		applicationId: subscription.applicationId,
		changeType: subscription.changeType,
		clientState: hideClientState ? null : subscription.clientState,
		notificationUrl: subscription.notificationUrl,
		notificationQueryOptions: null,
		notificationContentType: null,
		lifecycleNotificationUrl: subscription.lifecycleNotificationUrl,
		expirationDateTime: formatGraphDate(subscription.expiresAt),
		creatorId: subscription.creatorId,
		includeResourceData: null,
		latestSupportedTlsVersion: subscription.latestSupportedTlsVersion,
		encryptionCertificate: null,
		encryptionCertificateId: null,
		notificationUrlAppId: null,
		...richProperties(subscription),
	};
}

/** Graph writes 7 fractional digits: 2022-01-01T21:42:18.2257768Z. */
function formatGraphDate(ms: number): string {
	return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** Graph's wrapper for errors raised by the Outlook subscription extension. */
function extensionError(
	core: EmulatorCore,
	req: GraphRequest,
	status: number,
	operation: string,
	statusName: string,
	reason: string,
): Reply {
	return core.graphError(
		status,
		'ExtensionError',
		`Operation: ${operation}; Exception: [Status Code: ${statusName}; Reason: ${reason}]`,
		req,
	);
}

/** The parsed JSON object body, also when the client forgot the JSON content type. */
function readJsonBody(req: GraphRequest): Record<string, unknown> | undefined {
	let body: unknown = req.body;
	if (body === undefined && req.rawBody && req.rawBody.length > 0) {
		try {
			body = JSON.parse(req.rawBody.toString('utf8'));
		} catch {
			return undefined;
		}
	}
	return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** App-only subscriptions are created by the app's service principal; derive a stable GUID for it. */
function servicePrincipalId(clientId: string): string {
	const hex = createHash('sha1').update(`service-principal:${clientId}`).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
