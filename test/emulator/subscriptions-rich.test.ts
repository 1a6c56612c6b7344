/**
 * Rich change notifications (includeResourceData) over real HTTP: create-time refusals, encrypted and signed
 * deliveries opened here with plain node:crypto (independently of the node's own module), validation tokens
 * checked against the JWKS the emulator publishes, and the tamper control.
 */
import { constants, createDecipheriv, createHash, createHmac, createPublicKey, privateDecrypt, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clearValidationKeyCache, validateValidationTokens } from '../../nodes/MicrosoftOutlookExt/trigger/crypto/validationTokens';
import { createEncryptionKeyPair, type EncryptionKeyPair } from '../../nodes/MicrosoftOutlookExt/trigger/crypto/certificate';
import { decryptResourceData } from '../../nodes/MicrosoftOutlookExt/trigger/crypto/decryptResourceData';
import { ADELE, DEFAULT_CLIENT, TENANT_ID, startEmulator, type Emulator } from './index';
import { deliverMail, mailboxOf } from './mail';
import { waitForDeliveries } from './subscriptions';
import { GRAPH_NOTIFICATION_PUBLISHER_APP_ID, RICH_MESSAGES } from './subscriptions-rich';

const MINUTE = 60_000;
const SELECT = 'Subject,bodyPreview,importance,receivedDateTime,from';

/** Answers validation requests with the token and notifications with 202; keeps what it got. */
class Receiver {
	url = '';
	notifications: Array<Record<string, any>> = [];
	private server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const token = new URL(req.url ?? '/', this.url).searchParams.get('validationToken');
			if (token !== null) {
				res.writeHead(200, { 'Content-Type': 'text/plain' }).end(token);
				return;
			}
			this.notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			res.writeHead(202).end();
		});
	});

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

let emu: Emulator;
const rx = new Receiver();
let keys: EncryptionKeyPair;
let adeleToken: string;

async function request(method: string, url: string, token?: string, body?: unknown) {
	const headers: Record<string, string> = {};
	if (token) headers.Authorization = `Bearer ${token}`;
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const graph = (method: string, path: string, body?: unknown) => request(method, `${emu.url}/v1.0${path}`, adeleToken, body);
const control = (method: string, path: string, body?: unknown) => request(method, `${emu.url}/_emulator${path}`, undefined, body);

function richBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		changeType: 'created,updated,deleted',
		notificationUrl: `${rx.url}/notify`,
		resource: `me/mailFolders('Inbox')/messages?$select=${SELECT}`,
		expirationDateTime: new Date(emu.core.now() + 600 * MINUTE).toISOString(),
		clientState: 'rich-state',
		includeResourceData: true,
		encryptionCertificate: keys.certificate,
		encryptionCertificateId: keys.certificateId,
		...overrides,
	};
}

async function createRich(overrides: Record<string, unknown> = {}) {
	const response = await graph('POST', '/subscriptions', richBody(overrides));
	if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
	return response.body as Record<string, any>;
}

/** The next notification POST the receiver got (waits for the emulator's log first). */
async function nextNotification(count = 1): Promise<Record<string, any>> {
	await waitForDeliveries(emu.core, count, 3000, { kind: 'notification' });
	return rx.notifications[count - 1];
}

/** Microsoft's documented steps, by hand: unwrap key (OAEP/SHA-1), HMAC before decrypting, AES-CBC, IV = key[0..16). */
function open(content: Record<string, string>, privateKeyPem = keys.privateKeyPem): { signatureOk: boolean; json?: any } {
	const key = privateDecrypt(
		{ key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
		Buffer.from(content.dataKey, 'base64'),
	);
	expect(key).toHaveLength(32);
	const data = Buffer.from(content.data, 'base64');
	const signatureOk = createHmac('sha256', key).update(data).digest('base64') === content.dataSignature;
	if (!signatureOk) return { signatureOk };
	const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
	return { signatureOk, json: JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8')) };
}

/** Follows the emulator's openid-configuration to its JWKS and checks an RS256 token's signature. */
async function verifyJwt(token: string): Promise<{ signatureOk: boolean; header: any; claims: any }> {
	const config = await request('GET', `${emu.url}/common/.well-known/openid-configuration`);
	const jwks = await request('GET', config.body.jwks_uri);
	const [header64, claims64, signature64] = token.split('.');
	const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8'));
	const claims = JSON.parse(Buffer.from(claims64, 'base64url').toString('utf8'));
	const jwk = jwks.body.keys.find((candidate: { kid: string }) => candidate.kid === header.kid);
	if (!jwk) return { signatureOk: false, header, claims };
	const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
	const signatureOk = verify('sha256', Buffer.from(`${header64}.${claims64}`), publicKey, Buffer.from(signature64, 'base64url'));
	return { signatureOk, header, claims };
}

beforeAll(async () => {
	emu = await startEmulator();
	await rx.start();
	keys = createEncryptionKeyPair();
});

afterAll(async () => {
	await emu.close();
	await rx.close();
});

beforeEach(() => {
	emu.reset();
	rx.notifications = [];
	adeleToken = emu.issueToken({ userId: ADELE.id });
});

describe('signing keys', () => {
	it('publishes an RS256 JWKS through the v1 and v2.0 OpenID configurations', async () => {
		const v1 = await request('GET', `${emu.url}/common/.well-known/openid-configuration`);
		expect(v1.status).toBe(200);
		expect(v1.body).toMatchObject({ jwks_uri: `${emu.url}/common/discovery/keys`, issuer: 'https://sts.windows.net/{tenantid}/' });
		const tenantV1 = await request('GET', `${emu.url}/${TENANT_ID}/.well-known/openid-configuration`);
		expect(tenantV1.body.issuer).toBe(`https://sts.windows.net/${TENANT_ID}/`);
		const v2 = await request('GET', `${emu.url}/common/v2.0/.well-known/openid-configuration`);
		expect(v2.body.jwks_uri).toBe(`${emu.url}/common/discovery/v2.0/keys`);

		const jwks = await request('GET', v1.body.jwks_uri);
		expect(jwks.status).toBe(200);
		expect(jwks.body.keys).toHaveLength(1);
		expect(jwks.body.keys[0]).toEqual({ kty: 'RSA', use: 'sig', kid: expect.any(String), x5t: jwks.body.keys[0].kid, n: expect.any(String), e: 'AQAB' });
		expect((await request('GET', v2.body.jwks_uri)).body).toEqual(jwks.body);
		expect((await request('GET', `${emu.url}/nosuchtenant/discovery/keys`)).status).toBe(400);
	});

	it('rotates on request and keeps the previous key published', async () => {
		const before = (await request('GET', `${emu.url}/common/discovery/keys`)).body.keys[0].kid;
		const rotated = await control('POST', '/subscriptions/signing-keys/rotate');
		expect(rotated.status).toBe(200);
		const after = (await request('GET', `${emu.url}/common/discovery/keys`)).body.keys.map((key: { kid: string }) => key.kid);
		expect(after).toEqual([rotated.body.kid, before]);
	});
});

describe('creating a rich subscription', () => {
	it('accepts a certificate, an id and $select, and shows them', async () => {
		const subscription = await createRich();
		expect(subscription).toMatchObject({
			includeResourceData: true,
			encryptionCertificate: keys.certificate,
			encryptionCertificateId: keys.certificateId,
			resource: `me/mailFolders('Inbox')/messages?$select=${SELECT}`,
		});
		const listed = await graph('GET', '/subscriptions');
		expect(listed.body.value[0]).toMatchObject({ includeResourceData: true, encryptionCertificateId: keys.certificateId });
		// "true" as a string is read as true, as Graph's deserializer does.
		expect((await createRich({ includeResourceData: 'true' })).includeResourceData).toBe(true);
	});

	it.each([
		['no certificate', { encryptionCertificate: undefined }, RICH_MESSAGES.certificateRequired],
		['an empty certificate', { encryptionCertificate: '' }, RICH_MESSAGES.certificateRequired],
		['no certificate id', { encryptionCertificateId: undefined }, RICH_MESSAGES.certificateIdRequired],
		['a 129-character id', { encryptionCertificateId: 'x'.repeat(129) }, RICH_MESSAGES.certificateIdTooLong],
		['a certificate that is not base64', { encryptionCertificate: '-----BEGIN CERTIFICATE-----' }, RICH_MESSAGES.certificateUnreadable],
		['base64 that is no certificate', { encryptionCertificate: Buffer.from('ssh-rsa AAAA').toString('base64') }, RICH_MESSAGES.certificateUnreadable],
		['a non-boolean flag', { includeResourceData: 5 }, "Invalid 'includeResourceData' attribute: '5'."],
	])('refuses %s with 400 InvalidRequest', async (_name, overrides, message) => {
		const response = await graph('POST', '/subscriptions', richBody(overrides));
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({ code: 'InvalidRequest', message });
		expect(rx.notifications).toHaveLength(0);
	});

	it('accepts a 128-character id', async () => {
		expect((await createRich({ encryptionCertificateId: 'x'.repeat(128) })).encryptionCertificateId).toHaveLength(128);
	});

	it('refuses RSA keys under 2048 bits', async () => {
		const weak = createEncryptionKeyPair({ keyBits: 1024 });
		const response = await graph('POST', '/subscriptions', richBody({ encryptionCertificate: weak.certificate }));
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({ code: 'InvalidRequest', message: RICH_MESSAGES.certificateKey });
	});

	it.each([
		['no $select', "me/mailFolders('Inbox')/messages", RICH_MESSAGES.selectRequired],
		['$select=body', "me/mailFolders('Inbox')/messages?$select=subject,Body", RICH_MESSAGES.selectBody],
		['$select=uniqueBody', 'me/messages?$select=uniqueBody', RICH_MESSAGES.selectBody],
	])('refuses a resource with %s as an Outlook ExtensionError', async (_name, resource, reason) => {
		const response = await graph('POST', '/subscriptions', richBody({ resource }));
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({
			code: 'ExtensionError',
			message: `Operation: Create; Exception: [Status Code: BadRequest; Reason: ${reason}]`,
		});
	});

	it('caps the lifetime at 1,440 minutes, on create and on renewal', async () => {
		const tooLong = await graph('POST', '/subscriptions', richBody({ expirationDateTime: new Date(emu.core.now() + 1441 * MINUTE).toISOString() }));
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error).toMatchObject({
			code: 'ExtensionError',
			message: 'Subscription expiration can only be 1440 minutes in the future.',
		});
		const subscription = await createRich({ expirationDateTime: new Date(emu.core.now() + 1440 * MINUTE).toISOString() });
		const renew = await graph('PATCH', `/subscriptions/${subscription.id}`, {
			expirationDateTime: new Date(emu.core.now() + 2000 * MINUTE).toISOString(),
		});
		expect(renew.status).toBe(400);
		expect(renew.body.error.message).toBe('Subscription expiration can only be 1440 minutes in the future.');
		// Basic subscriptions keep the general maximum.
		const basic = await graph('POST', '/subscriptions', richBody({ includeResourceData: false, expirationDateTime: new Date(emu.core.now() + 2000 * MINUTE).toISOString() }));
		expect(basic.status).toBe(201);
		expect(basic.body.includeResourceData).toBeNull();
	});
});

describe('rich notifications', () => {
	it('deliver the selected properties encrypted for the certificate, with a validation token', async () => {
		const subscription = await createRich();
		deliverMail(emu.core, { to: ADELE.mail, from: { name: 'Megan Brown', address: 'megan@fabrikam.com' }, subject: 'Rich hello', text: 'What is up?' });
		const payload = await nextNotification();
		const message = [...mailboxOf(emu.core, ADELE.id).messages.values()].find((m) => m.json.subject === 'Rich hello')!.json;
		const resource = `Users('${ADELE.id}')/messages('${message.id}')`;

		expect(payload.value).toHaveLength(1);
		const item = payload.value[0];
		expect(item).toEqual({
			id: expect.any(String),
			subscriptionId: subscription.id,
			subscriptionExpirationDateTime: subscription.expirationDateTime,
			clientState: 'rich-state',
			changeType: 'created',
			resource,
			tenantId: TENANT_ID,
			encryptedContent: {
				data: expect.any(String),
				dataKey: expect.any(String),
				dataSignature: expect.any(String),
				encryptionCertificateId: keys.certificateId,
				encryptionCertificateThumbprint: keys.thumbprint,
			},
			resourceData: { '@odata.type': '#microsoft.graph.message', '@odata.id': resource, '@odata.etag': message['@odata.etag'], id: message.id },
		});
		expect(keys.thumbprint).toBe(createHash('sha1').update(Buffer.from(keys.certificate, 'base64')).digest('hex').toUpperCase());

		const opened = open(item.encryptedContent);
		expect(opened.signatureOk).toBe(true);
		expect(opened.json).toEqual({
			'receivedDateTime@odata.type': '#DateTimeOffset',
			receivedDateTime: message.receivedDateTime,
			subject: 'Rich hello',
			bodyPreview: 'What is up?',
			'importance@odata.type': '#microsoft.graph.importance',
			importance: 'normal',
			from: {
				'@odata.type': '#microsoft.graph.recipient',
				emailAddress: { '@odata.type': '#microsoft.graph.emailAddress', name: 'Megan Brown', address: 'megan@fabrikam.com' },
			},
		});

		expect(payload.validationTokens).toHaveLength(1);
		const jwt = await verifyJwt(payload.validationTokens[0]);
		expect(jwt.signatureOk).toBe(true);
		expect(jwt.header).toMatchObject({ typ: 'JWT', alg: 'RS256' });
		const now = Math.floor(Date.now() / 1000);
		expect(jwt.claims).toMatchObject({
			aud: DEFAULT_CLIENT.clientId,
			iss: `https://sts.windows.net/${TENANT_ID}/`,
			appid: GRAPH_NOTIFICATION_PUBLISHER_APP_ID,
			tid: TENANT_ID,
			ver: '1.0',
		});
		expect(jwt.claims.nbf).toBeLessThanOrEqual(now + 1);
		expect(jwt.claims.exp).toBeGreaterThan(now + 3600);
	});

	it('use a fresh key per item, and one token per app and tenant in a batch', async () => {
		await createRich();
		deliverMail(emu.core, { to: ADELE.mail, subject: 'first' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'second' });
		const payload = await nextNotification();
		expect(payload.value).toHaveLength(2);
		expect(payload.value[0].encryptedContent.dataKey).not.toBe(payload.value[1].encryptedContent.dataKey);
		expect(payload.value.map((item: any) => open(item.encryptedContent).json.subject)).toEqual(['first', 'second']);
		expect(payload.validationTokens).toHaveLength(1);
	});

	it('carry event properties with their types', async () => {
		await createRich({ resource: 'me/events?$select=subject,start,showAs' });
		const created = await graph('POST', '/me/events', {
			subject: 'Rich sync',
			start: { dateTime: '2030-01-01T10:00:00', timeZone: 'UTC' },
			end: { dateTime: '2030-01-01T11:00:00', timeZone: 'UTC' },
		});
		expect(created.status).toBe(201);
		const item = (await nextNotification()).value[0];
		expect(item.resourceData).toMatchObject({ '@odata.type': '#microsoft.graph.event', id: created.body.id });
		expect(open(item.encryptedContent).json).toEqual({
			subject: 'Rich sync',
			'showAs@odata.type': '#microsoft.graph.freeBusyStatus',
			showAs: 'busy',
			start: { '@odata.type': '#microsoft.graph.dateTimeTimeZone', dateTime: expect.stringMatching(/^2030-01-01T10:00:00/), timeZone: 'UTC' },
		});
	});

	it('send no encryptedContent for a deleted item', async () => {
		await createRich({ changeType: 'deleted' });
		const sent = deliverMail(emu.core, { to: ADELE.mail, subject: 'short-lived' });
		const id = [...mailboxOf(emu.core, ADELE.id).messages.values()].find((m) => m.json.subject === 'short-lived')!.json.id;
		expect(sent).toBeDefined();
		expect((await graph('DELETE', `/me/messages/${encodeURIComponent(id)}`)).status).toBe(204);
		const payload = await nextNotification();
		expect(payload.value[0].changeType).toBe('deleted');
		expect(payload.value[0].encryptedContent).toBeUndefined();
		expect(payload.value[0].resourceData.id).toBe(id);
		expect(payload.validationTokens).toHaveLength(1);
	});

	it('leave basic notifications alone', async () => {
		await createRich({ includeResourceData: false });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'basic' });
		const payload = await nextNotification();
		expect(payload.validationTokens).toBeUndefined();
		expect(payload.value[0].encryptedContent).toBeUndefined();
		expect(payload.value[0].resourceData['@odata.type']).toBe('#Microsoft.Graph.Message');
	});

	it('switch to a new certificate after a PATCH (key rotation)', async () => {
		const subscription = await createRich();
		const next = createEncryptionKeyPair();
		const patched = await graph('PATCH', `/subscriptions/${subscription.id}`, {
			encryptionCertificate: next.certificate,
			encryptionCertificateId: next.certificateId,
		});
		expect(patched.status).toBe(200);
		expect(patched.body.encryptionCertificateId).toBe(next.certificateId);
		const refused = await graph('PATCH', `/subscriptions/${subscription.id}`, { encryptionCertificate: 'AAAA' });
		expect(refused.status).toBe(400);
		expect(refused.body.error.message).toBe(RICH_MESSAGES.certificateUnreadable);

		deliverMail(emu.core, { to: ADELE.mail, subject: 'rotated' });
		const content = (await nextNotification()).value[0].encryptedContent;
		expect(content).toMatchObject({ encryptionCertificateId: next.certificateId, encryptionCertificateThumbprint: next.thumbprint });
		expect(open(content, next.privateKeyPem).json.subject).toBe('rotated');
	});

	it('use notificationUrlAppId as the token audience when given', async () => {
		await createRich({ notificationUrlAppId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'audience' });
		const payload = await nextNotification();
		expect((await verifyJwt(payload.validationTokens[0])).claims.aud).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
	});
});

describe('tampering (control hook)', () => {
	it('refuses unknown targets', async () => {
		expect((await control('POST', '/subscriptions/tamper', { target: 'clientState' })).status).toBe(400);
		expect((await control('GET', '/subscriptions/tamper')).body).toEqual({ pending: [] });
	});

	it.each([
		['data', (content: any) => expect(open(content).signatureOk).toBe(false)],
		['dataSignature', (content: any) => expect(open(content).signatureOk).toBe(false)],
		['dataKey', (content: any) => expect(() => open(content)).toThrow()],
	])('corrupts %s of the next delivery only', async (target, check) => {
		await createRich();
		const armed = await control('POST', '/subscriptions/tamper', { target });
		expect(armed.body).toEqual({ pending: [target] });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'tampered' });
		const first = await nextNotification(1);
		check(first.value[0].encryptedContent);
		expect((await verifyJwt(first.validationTokens[0])).signatureOk).toBe(true);

		expect((await control('GET', '/subscriptions/tamper')).body).toEqual({ pending: [] });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'clean' });
		const second = await nextNotification(2);
		expect(open(second.value[0].encryptedContent).json.subject).toBe('clean');
	});

	it('breaks the validation token signature, or sends an expired token', async () => {
		await createRich();
		await control('POST', '/subscriptions/tamper', { target: 'validationToken' });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'bad token' });
		const bad = await nextNotification(1);
		expect((await verifyJwt(bad.validationTokens[0])).signatureOk).toBe(false);
		expect(open(bad.value[0].encryptedContent).signatureOk).toBe(true);

		await control('POST', '/subscriptions/tamper', { targets: ['expiredValidationToken'] });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'old token' });
		const expired = await verifyJwt((await nextNotification(2)).validationTokens[0]);
		expect(expired.signatureOk).toBe(true);
		expect(expired.claims.exp).toBeLessThan(Date.now() / 1000);
	});

	it('is cleared by DELETE and by a reset', async () => {
		await control('POST', '/subscriptions/tamper', { targets: ['data', 'dataKey'] });
		expect((await control('DELETE', '/subscriptions/tamper')).status).toBe(204);
		expect((await control('GET', '/subscriptions/tamper')).body).toEqual({ pending: [] });
		await control('POST', '/subscriptions/tamper', { target: 'data' });
		emu.reset();
		expect((await control('GET', '/subscriptions/tamper')).body).toEqual({ pending: [] });
	});
});

describe('the node’s resourceData module against a delivery', () => {
	it('validates the tokens through the emulator’s OpenID configuration and decrypts the item', async () => {
		clearValidationKeyCache();
		await createRich();
		deliverMail(emu.core, { to: ADELE.mail, subject: 'for the node' });
		const payload = await nextNotification(1);
		const options = {
			appId: DEFAULT_CLIENT.clientId,
			tenantIds: [...new Set<string>(payload.value.map((item: { tenantId: string }) => item.tenantId))],
			openIdConfigurationUrl: `${emu.url}/common/.well-known/openid-configuration`,
			fetchJson: async (url: string) => (await request('GET', url)).body as unknown,
		};
		expect(await validateValidationTokens(payload.validationTokens, options)).toEqual({ valid: true });
		expect(decryptResourceData(payload.value[0].encryptedContent, keys.privateKeyPem, keys.certificateId)).toMatchObject({
			subject: 'for the node',
		});

		await control('POST', '/subscriptions/tamper', { targets: ['validationToken', 'data'] });
		deliverMail(emu.core, { to: ADELE.mail, subject: 'tampered for the node' });
		const tampered = await nextNotification(2);
		expect(await validateValidationTokens(tampered.validationTokens, options)).toEqual({
			valid: false,
			reason: 'validation token 1: bad signature',
		});
		expect(() => decryptResourceData(tampered.value[0].encryptedContent, keys.privateKeyPem, keys.certificateId)).toThrow(
			'Rich notification rejected: data signature mismatch',
		);
	});
});
