/**
 * Rich change notifications (`includeResourceData: true`) for Outlook messages and events, the way Graph
 * documents them (graph-facts §1.1, §1.8; MGD concepts/change-notifications-with-resource-data.md 063894fb,
 * concepts/outlook-change-notifications-overview.md 0a75a47c, resources/changenotificationencryptedcontent.md):
 *
 * - create/update checks: an RSA 2048–4096-bit X.509 certificate (base64 DER), its app-chosen id (≤ 128
 *   characters), `$select` in the resource (and not body/uniqueBody), at most 1,440 minutes of lifetime;
 * - each notification item carries `resourceData` (@odata.type/@odata.id/@odata.etag/id) and `encryptedContent`:
 *   the `$select`ed properties as JSON, AES-256-CBC with a fresh 32-byte key per item (IV = its first 16 bytes,
 *   PKCS7), `dataSignature` = HMAC-SHA256 of the ciphertext keyed with that key, `dataKey` = the key under the
 *   certificate's RSA key with OAEP/SHA-1, `encryptionCertificateThumbprint` = SHA-1 of the certificate DER in
 *   upper-case hex (the docs' example thumbprint is 40 upper-case hex digits);
 * - every POST carrying rich items gets `validationTokens`: one RS256 JWT per distinct app + tenant, signed with
 *   the emulator's identity keys (JWKS at `{emulator}/common/discovery/keys`, found through
 *   `{emulator}/common/.well-known/openid-configuration`, see identity.ts);
 * - a control hook that corrupts the next rich delivery (`POST /_emulator/subscriptions/tamper`).
 *
 * Unclear in the docs (the emulator's choice in brackets):
 * - Graph's exact error texts for a missing/invalid certificate or id are not documented. [400 InvalidRequest
 *   with our own wording; for an unreadable certificate the message reported in microsoft-graph-docs-contrib#4898.]
 * - The `$select` refusals are observed, not documented (msgraph-sdk-javascript#1630, microsoft-graph-docs#17004):
 *   [400 ExtensionError, wrapped like the other Outlook extension errors.]
 * - What a `deleted` notification of a rich subscription carries: the item is gone. [resourceData only, no
 *   encryptedContent.]
 * - Which annotations the decrypted JSON has beyond the example's (`#DateTimeOffset`, enum and complex types):
 *   collections are not shown. [Annotated: DateTimeOffset, enums, complex values and complex collection
 *   elements; no `@odata.type` on collections themselves, none on strings/booleans/numbers.]
 * - Whether a retry re-sends identical validation tokens. [Each POST attempt signs fresh ones.]
 * - Token times: the docs' example lives 29,100 s (about 8 h). [Signed on the wall clock, not the emulator clock:
 *   receivers check them against their own clock, and tests advance the emulator clock by days.]
 * - Lifecycle notifications of rich subscriptions: whether they carry validationTokens. [They do not.]
 */
import {
	X509Certificate,
	constants as cryptoConstants,
	createCipheriv,
	createHash,
	createHmac,
	publicEncrypt,
	randomBytes,
	type KeyObject,
} from 'node:crypto';
import { calendarState, renderEvent } from './calendar-model';
import { contactsState } from './contacts';
import { mailboxOf } from './mail-store';
import { parseResource } from './subscriptions-resource';
import type { StoredSubscription } from './subscriptions-state';
import { signingKeysOf, type SigningKeySet } from './tokens';
import type { ChangeEvent, EmulatorCore, GraphRequest, Reply } from './types';

/** The app id Graph's change-notification publisher puts in `appid` of every validation token. */
export const GRAPH_NOTIFICATION_PUBLISHER_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';
/** Outlook subscriptions with resource data live at most 1 day (outlook-change-notifications-overview.md). */
export const MAX_RICH_SUBSCRIPTION_MINUTES = 1440;
export const MAX_CERTIFICATE_ID_LENGTH = 128;
/** exp − iat of the docs' example token (1565075913 − 1565046813). */
export const VALIDATION_TOKEN_LIFETIME_SECONDS = 29_100;

export const RICH_MESSAGES = {
	includeResourceDataType: (value: unknown) => `Invalid 'includeResourceData' attribute: '${String(value)}'.`,
	certificateRequired: 'An encryptionCertificate is required when includeResourceData is true.',
	certificateIdRequired: 'An encryptionCertificateId is required when includeResourceData is true.',
	certificateIdTooLong: `The encryptionCertificateId can be at most ${MAX_CERTIFICATE_ID_LENGTH} characters long.`,
	/** Observed for a base64 value that is not an X.509 certificate (microsoft-graph-docs-contrib#4898). */
	certificateUnreadable: 'Certificate validation error: Cannot find the requested object.',
	certificateKey: 'Certificate validation error: the certificate key must be an RSA key of 2048 to 4096 bits.',
	/** Observed (msgraph-sdk-javascript#1630). */
	selectRequired: 'select clause should be present in query string to support rich notifications',
	/** Observed (microsoft-graph-docs#17004). */
	selectBody:
		'$top, $skip, $orderby, $select=body,uniqueBody and $expand other than singleValueExtendedProperties,multiValueExtendedProperties are not supported in subscription resource Url.',
} as const;

export interface EncryptedContent {
	data: string;
	dataKey: string;
	dataSignature: string;
	encryptionCertificateId: string;
	encryptionCertificateThumbprint: string;
}

interface RichSettings {
	certificate: string;
	certificateId: string;
	publicKey: KeyObject;
	thumbprint: string;
	/** `$select`ed property names, lower-case. */
	select: Set<string>;
	/** The validation tokens' `aud`: notificationUrlAppId when given, else the subscribing app. */
	audience: string;
	notificationUrlAppId: string | null;
}

type Item = Record<string, unknown>;
type Outcome<T> = { ok: true; value: T } | { ok: false; reply: Reply };

const richSubscriptions = new WeakMap<StoredSubscription, RichSettings>();
/** Rich notification items → whose validation token they need. */
const richItems = new WeakMap<Item, { audience: string; tenantId: string }>();

// ---------------------------------------------------------------------------------------------------------------
// Crypto as Graph does it (exported for tests of the receiving side)

/** SHA-1 of the certificate DER, upper-case hex. */
export function certificateThumbprint(certificateBase64: string): string {
	return createHash('sha1').update(Buffer.from(certificateBase64, 'base64')).digest('hex').toUpperCase();
}

/**
 * Encrypts `plaintext` for the holder of `certificateBase64`'s private key: fresh 32-byte key, AES-256-CBC
 * (IV = key[0..16), PKCS7), HMAC-SHA256 of the ciphertext, key wrapped with RSA-OAEP (SHA-1).
 */
export function encryptResourceData(plaintext: string, certificateBase64: string, certificateId: string): EncryptedContent {
	const publicKey = new X509Certificate(Buffer.from(certificateBase64, 'base64')).publicKey;
	return encryptWith(plaintext, publicKey, certificateId, certificateThumbprint(certificateBase64));
}

function encryptWith(plaintext: string, publicKey: KeyObject, certificateId: string, thumbprint: string): EncryptedContent {
	const key = randomBytes(32);
	const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
	const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
	return {
		data: data.toString('base64'),
		dataKey: publicEncrypt({ key: publicKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString(
			'base64',
		),
		dataSignature: createHmac('sha256', key).update(data).digest('base64'),
		encryptionCertificateId: certificateId,
		encryptionCertificateThumbprint: thumbprint,
	};
}

/** The claims of a validation token for `audience` (app id) in `tenantId`, as in the docs' example. */
export function validationTokenClaims(audience: string, tenantId: string, nowMs: number): Record<string, unknown> {
	const iat = Math.floor(nowMs / 1000);
	const issuer = `https://sts.windows.net/${tenantId}/`;
	return {
		aud: audience,
		iss: issuer,
		iat,
		nbf: iat,
		exp: iat + VALIDATION_TOKEN_LIFETIME_SECONDS,
		aio: randomBytes(20).toString('base64'),
		appid: GRAPH_NOTIFICATION_PUBLISHER_APP_ID,
		appidacr: '2',
		idp: issuer,
		tid: tenantId,
		uti: randomBytes(16).toString('base64url'),
		ver: '1.0',
	};
}

/** A signed validation token (RS256 with `keys`' current key); `nowMs` defaults to the wall clock. */
export function createValidationToken(keys: SigningKeySet, audience: string, tenantId: string, nowMs = Date.now()): string {
	return keys.sign(validationTokenClaims(audience, tenantId, nowMs));
}

// ---------------------------------------------------------------------------------------------------------------
// Create / update checks

/** `includeResourceData` as Graph's deserializer reads it: a boolean or "true"/"false" (any case). */
function readFlag(value: unknown): boolean | 'invalid' {
	if (value === undefined || value === null) return false;
	if (typeof value === 'boolean') return value;
	if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
	return 'invalid';
}

/**
 * For POST /subscriptions, after the resource was resolved: undefined for a basic subscription, the rich
 * settings to attach, or Graph's refusal.
 */
export function validateRichCreate(
	core: EmulatorCore,
	req: GraphRequest,
	body: Record<string, unknown>,
	applicationId: string,
): Outcome<RichSettings | undefined> {
	const flag = readFlag(body.includeResourceData);
	if (flag === 'invalid') return refuse(core, req, RICH_MESSAGES.includeResourceDataType(body.includeResourceData));
	if (!flag) return { ok: true, value: undefined };

	const certificate = readCertificate(core, req, body.encryptionCertificate, body.encryptionCertificateId);
	if (!certificate.ok) return certificate;

	const parsed = parseResource(String(body.resource));
	const selectText = parsed.ok ? parsed.resource.query.$select : undefined;
	const select = new Set(
		(selectText ?? '')
			.split(',')
			.map((name) => name.trim().split('/')[0].toLowerCase())
			.filter(Boolean),
	);
	if (select.size === 0) return { ok: false, reply: extensionError(core, req, 'Create', RICH_MESSAGES.selectRequired) };
	if (select.has('body') || select.has('uniquebody')) {
		return { ok: false, reply: extensionError(core, req, 'Create', RICH_MESSAGES.selectBody) };
	}
	const notificationUrlAppId =
		typeof body.notificationUrlAppId === 'string' && body.notificationUrlAppId.trim() !== '' ? body.notificationUrlAppId : null;
	return {
		ok: true,
		value: { ...certificate.value, select, audience: notificationUrlAppId ?? applicationId, notificationUrlAppId },
	};
}

function readCertificate(
	core: EmulatorCore,
	req: GraphRequest,
	certificateValue: unknown,
	idValue: unknown,
): Outcome<Pick<RichSettings, 'certificate' | 'certificateId' | 'publicKey' | 'thumbprint'>> {
	if (certificateValue === undefined || certificateValue === null || certificateValue === '') {
		return refuse(core, req, RICH_MESSAGES.certificateRequired);
	}
	if (idValue === undefined || idValue === null || idValue === '') return refuse(core, req, RICH_MESSAGES.certificateIdRequired);
	if (typeof certificateValue !== 'string') return refuse(core, req, RICH_MESSAGES.certificateUnreadable);
	if (typeof idValue !== 'string') return refuse(core, req, RICH_MESSAGES.certificateIdRequired);
	if (idValue.length > MAX_CERTIFICATE_ID_LENGTH) return refuse(core, req, RICH_MESSAGES.certificateIdTooLong);

	const compact = certificateValue.replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return refuse(core, req, RICH_MESSAGES.certificateUnreadable);
	let publicKey: KeyObject;
	try {
		publicKey = new X509Certificate(Buffer.from(compact, 'base64')).publicKey;
	} catch {
		return refuse(core, req, RICH_MESSAGES.certificateUnreadable);
	}
	const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
	if (publicKey.asymmetricKeyType !== 'rsa' || bits < 2048 || bits > 4096) return refuse(core, req, RICH_MESSAGES.certificateKey);
	return {
		ok: true,
		value: { certificate: certificateValue, certificateId: idValue, publicKey, thumbprint: certificateThumbprint(compact) },
	};
}

export function attachRich(subscription: StoredSubscription, settings: RichSettings): void {
	richSubscriptions.set(subscription, settings);
}

export function isRich(subscription: StoredSubscription): boolean {
	return richSubscriptions.has(subscription);
}

/** The lifetime cap for this subscription, when it is stricter than the general one. */
export function richMaxMinutes(subscription: StoredSubscription): number | undefined {
	return isRich(subscription) ? MAX_RICH_SUBSCRIPTION_MINUTES : undefined;
}

/** PATCH may replace the certificate (key rotation, with-resource-data doc): these keys are not "immutable". */
export function isRichUpdatable(subscription: StoredSubscription, key: string): boolean {
	return isRich(subscription) && (key === 'encryptionCertificate' || key === 'encryptionCertificateId');
}

/** Checks a PATCH's certificate change; the returned function applies it once the whole PATCH is accepted. */
export function prepareRichUpdate(
	core: EmulatorCore,
	req: GraphRequest,
	subscription: StoredSubscription,
	body: Record<string, unknown>,
): Outcome<(() => void) | undefined> {
	const settings = richSubscriptions.get(subscription);
	if (!settings || (body.encryptionCertificate === undefined && body.encryptionCertificateId === undefined)) {
		return { ok: true, value: undefined };
	}
	const certificate = readCertificate(
		core,
		req,
		body.encryptionCertificate === undefined ? settings.certificate : body.encryptionCertificate,
		body.encryptionCertificateId === undefined ? settings.certificateId : body.encryptionCertificateId,
	);
	if (!certificate.ok) return certificate;
	return { ok: true, value: () => richSubscriptions.set(subscription, { ...settings, ...certificate.value }) };
}

/** The subscription properties a rich subscription shows instead of the nulls of a basic one. */
export function richProperties(subscription: StoredSubscription): Record<string, unknown> {
	const settings = richSubscriptions.get(subscription);
	if (!settings) return {};
	return {
		includeResourceData: true,
		encryptionCertificate: settings.certificate,
		encryptionCertificateId: settings.certificateId,
		notificationUrlAppId: settings.notificationUrlAppId,
	};
}

function refuse(core: EmulatorCore, req: GraphRequest, message: string): { ok: false; reply: Reply } {
	return { ok: false, reply: core.graphError(400, 'InvalidRequest', message, req) };
}

/** Graph's wrapper for errors raised by the Outlook subscription extension (as subscriptions.ts writes it). */
function extensionError(core: EmulatorCore, req: GraphRequest, operation: string, reason: string): Reply {
	return core.graphError(400, 'ExtensionError', `Operation: ${operation}; Exception: [Status Code: BadRequest; Reason: ${reason}]`, req);
}

// ---------------------------------------------------------------------------------------------------------------
// Notification items

/**
 * The rich form of a change notification item, or undefined for a basic subscription. `basic` is the item
 * subscriptions.ts built (its id, subscription, expiry, clientState, tenant are kept); the resource switches
 * to the `Users('…')/messages('…')` form of Graph's rich example.
 */
export function richChangeItem(core: EmulatorCore, subscription: StoredSubscription, event: ChangeEvent, basic: Item): Item | undefined {
	const settings = richSubscriptions.get(subscription);
	if (!settings) return undefined;
	const collection = `${event.kind}s`;
	const resource = `Users('${event.userId}')/${collection}('${event.id}')`;
	const entity = event.changeType === 'deleted' ? undefined : currentEntity(core, event);
	const basicData = (basic.resourceData ?? {}) as Item;
	const resourceData = {
		'@odata.type': `#microsoft.graph.${event.kind}`,
		'@odata.id': resource,
		'@odata.etag': typeof entity?.['@odata.etag'] === 'string' ? entity['@odata.etag'] : basicData['@odata.etag'],
		id: event.id,
	};
	const encryptedContent = entity
		? encryptWith(JSON.stringify(selectedProperties(entity, settings.select)), settings.publicKey, settings.certificateId, settings.thumbprint)
		: undefined;

	const item: Item = {};
	for (const [key, value] of Object.entries(basic)) {
		if (key === 'resourceData') {
			if (encryptedContent) item.encryptedContent = encryptedContent;
			item.resourceData = resourceData;
		} else {
			item[key] = key === 'resource' ? resource : value;
		}
	}
	richItems.set(item, { audience: settings.audience, tenantId: String(basic.tenantId) });
	return item;
}

/** The item as a GET returns it now (events in UTC), or undefined when it is gone. */
/** The changed message or event as Graph would render it now (undefined when gone). */
export function currentEntity(core: EmulatorCore, event: ChangeEvent): Item | undefined {
	if (event.kind === 'message') {
		const message = mailboxOf(core, event.userId).messages.get(event.id);
		return message ? (message.json as Item) : undefined;
	}
	if (event.kind === 'contact') {
		const contact = contactsState(core, event.userId).contacts.get(event.id);
		return contact ? { '@odata.etag': `W/"${String(contact.changeKey)}"`, ...contact } : undefined;
	}
	const record = calendarState(core, event.userId).events.get(event.id);
	return record ? renderEvent(record, {}) : undefined;
}

const DATE_TIME_OFFSET = new Set(['createdDateTime', 'lastModifiedDateTime', 'receivedDateTime', 'sentDateTime']);
const ENUM_TYPES: Record<string, string> = {
	importance: 'importance',
	inferenceClassification: 'inferenceClassificationType',
	sensitivity: 'sensitivity',
	showAs: 'freeBusyStatus',
	type: 'eventType',
	onlineMeetingProvider: 'onlineMeetingProviderType',
};
/** Complex-typed properties (top level and nested) → their Graph type. */
const COMPLEX_TYPES: Record<string, string> = {
	from: 'recipient',
	sender: 'recipient',
	toRecipients: 'recipient',
	ccRecipients: 'recipient',
	bccRecipients: 'recipient',
	replyTo: 'recipient',
	organizer: 'recipient',
	emailAddress: 'emailAddress',
	flag: 'followupFlag',
	body: 'itemBody',
	start: 'dateTimeTimeZone',
	end: 'dateTimeTimeZone',
	dueDateTime: 'dateTimeTimeZone',
	startDateTime: 'dateTimeTimeZone',
	completedDateTime: 'dateTimeTimeZone',
	location: 'location',
	locations: 'location',
	address: 'physicalAddress',
	coordinates: 'outlookGeoCoordinates',
	attendees: 'attendee',
	status: 'responseStatus',
	responseStatus: 'responseStatus',
	recurrence: 'patternedRecurrence',
};

/**
 * Only the `$select`ed properties, in the entity's own order and spelling, with the type annotations of
 * Graph's decrypted example (`receivedDateTime@odata.type`, `importance@odata.type`, `@odata.type` inside
 * complex values).
 */
export function selectedProperties(entity: Item, select: Set<string>): Item {
	const out: Item = {};
	for (const [key, value] of Object.entries(entity)) {
		if (key.startsWith('@odata.') || !select.has(key.toLowerCase())) continue;
		if (value !== null && DATE_TIME_OFFSET.has(key)) out[`${key}@odata.type`] = '#DateTimeOffset';
		if (value !== null && ENUM_TYPES[key]) out[`${key}@odata.type`] = `#microsoft.graph.${ENUM_TYPES[key]}`;
		out[key] = annotate(key, value);
	}
	return out;
}

function annotate(key: string, value: unknown): unknown {
	const type = COMPLEX_TYPES[key];
	if (Array.isArray(value)) return type ? value.map((element) => annotate(key, element)) : value;
	if (!type || value === null || typeof value !== 'object') return value;
	const out: Item = { '@odata.type': `#microsoft.graph.${type}` };
	for (const [innerKey, inner] of Object.entries(value as Item)) out[innerKey] = annotate(innerKey, inner);
	return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The POST body, and tampering with it

export const TAMPER_TARGETS = ['data', 'dataSignature', 'dataKey', 'validationToken', 'expiredValidationToken'] as const;
export type TamperTarget = (typeof TAMPER_TARGETS)[number];

const pendingTamper = new WeakMap<EmulatorCore, Set<TamperTarget>>();

function tamperSet(core: EmulatorCore): Set<TamperTarget> {
	let set = pendingTamper.get(core);
	if (!set) {
		set = new Set();
		pendingTamper.set(core, set);
	}
	return set;
}

/**
 * Corrupts the next POST that carries rich items (all its rich items / all its tokens), then nothing more:
 * - data: one ciphertext bit flipped after signing (the signature no longer matches);
 * - dataSignature: one signature bit flipped;
 * - dataKey: one bit of the RSA-wrapped key flipped (it no longer unwraps);
 * - validationToken: one bit of each token's signature flipped;
 * - expiredValidationToken: tokens correctly signed but expired an hour ago.
 */
export function tamperNextDelivery(core: EmulatorCore, target: TamperTarget): TamperTarget[] {
	tamperSet(core).add(target);
	return [...tamperSet(core)];
}

/** `{ value }`, plus `validationTokens` (one per app + tenant) when any item is a rich one. */
export function notificationPayload(core: EmulatorCore, items: Item[]): { value: Item[]; validationTokens?: string[] } {
	const pairs = new Map<string, { audience: string; tenantId: string }>();
	for (const item of items) {
		const info = richItems.get(item);
		if (info) pairs.set(`${info.audience}\n${info.tenantId}`, info);
	}
	if (pairs.size === 0) return { value: items };

	const tamper = new Set(tamperSet(core));
	tamperSet(core).clear();
	const value = tamper.size === 0 ? items : items.map((item) => (richItems.has(item) ? tamperItem(item, tamper) : item));
	const keys = signingKeysOf(core);
	const issuedAt = tamper.has('expiredValidationToken') ? Date.now() - (VALIDATION_TOKEN_LIFETIME_SECONDS + 3600) * 1000 : Date.now();
	let validationTokens = [...pairs.values()].map((pair) => createValidationToken(keys, pair.audience, pair.tenantId, issuedAt));
	if (tamper.has('validationToken')) {
		validationTokens = validationTokens.map((token) => {
			const [header, claims, signature] = token.split('.');
			return `${header}.${claims}.${flipBit(signature, 'base64url')}`;
		});
	}
	return { value, validationTokens };
}

function tamperItem(item: Item, tamper: Set<TamperTarget>): Item {
	const content = item.encryptedContent as EncryptedContent | undefined;
	if (!content) return item;
	const changed = { ...content };
	if (tamper.has('data')) changed.data = flipBit(content.data, 'base64');
	if (tamper.has('dataSignature')) changed.dataSignature = flipBit(content.dataSignature, 'base64');
	if (tamper.has('dataKey')) changed.dataKey = flipBit(content.dataKey, 'base64');
	return { ...item, encryptedContent: changed };
}

function flipBit(encoded: string, encoding: 'base64' | 'base64url'): string {
	const bytes = Buffer.from(encoded, encoding);
	bytes[Math.floor(bytes.length / 2)] ^= 0x01;
	return bytes.toString(encoding);
}

// ---------------------------------------------------------------------------------------------------------------
// Control routes

/** `/_emulator/subscriptions/tamper` (GET/POST/DELETE) and `/_emulator/subscriptions/signing-keys/rotate`. */
export function registerRich(core: EmulatorCore): void {
	core.controlRoute('GET', '/subscriptions/tamper', () => ({ status: 200, body: { pending: [...tamperSet(core)] } }));
	core.controlRoute('POST', '/subscriptions/tamper', (req) => {
		const body = req.body as { target?: unknown; targets?: unknown } | undefined;
		const targets = Array.isArray(body?.targets) ? body.targets : [body?.target];
		if (targets.length === 0 || !targets.every((target) => TAMPER_TARGETS.includes(target as TamperTarget))) {
			return { status: 400, body: { error: `target must be one of ${TAMPER_TARGETS.join(', ')}` } };
		}
		for (const target of targets) tamperNextDelivery(core, target as TamperTarget);
		return { status: 200, body: { pending: [...tamperSet(core)] } };
	});
	core.controlRoute('DELETE', '/subscriptions/tamper', () => {
		tamperSet(core).clear();
		return { status: 204 };
	});
	core.controlRoute('POST', '/subscriptions/signing-keys/rotate', () => {
		const keys = signingKeysOf(core);
		keys.rotate();
		return { status: 200, body: { kid: keys.currentKid() } };
	});
	core.onReset(() => tamperSet(core).clear());
}
