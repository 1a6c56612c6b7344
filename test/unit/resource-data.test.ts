/**
 * The node's rich-notification module (trigger/crypto/) against the Graph emulator's own encryption and
 * token signing (test/emulator/subscriptions-rich.ts, tokens.ts): round trips, and every kind of tampering.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { GRAPH_NOTIFICATION_PUBLISHER_APP_ID, clearValidationKeyCache, validateValidationTokens, type ValidationTokenOptions } from '../../nodes/MicrosoftOutlookExt/trigger/crypto/validationTokens';
import { ResourceDataError, decryptResourceData } from '../../nodes/MicrosoftOutlookExt/trigger/crypto/decryptResourceData';
import { createEncryptionKeyPair, type EncryptionKeyPair } from '../../nodes/MicrosoftOutlookExt/trigger/crypto/certificate';
import {
	GRAPH_NOTIFICATION_PUBLISHER_APP_ID as EMULATOR_PUBLISHER_ID,
	createValidationToken,
	encryptResourceData,
	validationTokenClaims,
} from '../emulator/subscriptions-rich';
import { SigningKeySet } from '../emulator/tokens';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const TENANT = 'b6f5c7d3-2a41-4e8b-9c0d-7e1f3a5b9d20';
const OTHER_TENANT = '0e2f7a51-8c3d-4b6e-9f10-a2b3c4d5e6f7';
const CONFIG_URL = 'https://login.example/common/.well-known/openid-configuration';
const JWKS_URL = 'https://login.example/common/discovery/keys';
const HOUR = 3600_000;

let keys: EncryptionKeyPair;
let otherKeys: EncryptionKeyPair;

beforeAll(() => {
	keys = createEncryptionKeyPair();
	otherKeys = createEncryptionKeyPair();
});

function flip(base64: string): string {
	const bytes = Buffer.from(base64, 'base64');
	bytes[Math.floor(bytes.length / 2)] ^= 0x01;
	return bytes.toString('base64');
}

function failure(run: () => unknown): ResourceDataError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(ResourceDataError);
		return error as ResourceDataError;
	}
	throw new Error('expected a ResourceDataError');
}

describe('createEncryptionKeyPair', () => {
	it('makes a self-signed X.509 v3 certificate whose public key matches the private key', () => {
		const der = Buffer.from(keys.certificate, 'base64');
		const certificate = new X509Certificate(der);
		const fromPrivate = createPublicKey(createPrivateKey(keys.privateKeyPem)).export({ type: 'spki', format: 'der' });
		expect(certificate.publicKey.export({ type: 'spki', format: 'der' }).equals(fromPrivate)).toBe(true);
		expect(certificate.publicKey.asymmetricKeyType).toBe('rsa');
		expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
		expect(certificate.verify(certificate.publicKey)).toBe(true);
		expect(certificate.checkPrivateKey(createPrivateKey(keys.privateKeyPem))).toBe(true);
		expect(certificate.subject).toBe('CN=n8n Microsoft Outlook trigger');
		expect(certificate.issuer).toBe(certificate.subject);
		expect(certificate.ca).toBe(false);
		expect(keys.thumbprint).toBe(certificate.fingerprint.replace(/:/g, ''));
		expect(keys.thumbprint).toMatch(/^[0-9A-F]{40}$/);
		expect(Date.parse(certificate.validFrom)).toBeLessThan(Date.now());
		expect(Date.parse(certificate.validTo)).toBeGreaterThan(Date.now() + 300 * 24 * HOUR);
		expect(keys.certificateId.length).toBeLessThanOrEqual(128);
		expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
		expect(keys.certificate).not.toContain(keys.privateKeyPem.slice(40, 80));
	});

	it('writes dates from 2050 on as GeneralizedTime and gives each pair its own id', () => {
		const longLived = createEncryptionKeyPair({ validDays: 365 * 40, commonName: 'long' });
		const certificate = new X509Certificate(Buffer.from(longLived.certificate, 'base64'));
		expect(new Date(certificate.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2050);
		expect(longLived.certificateId).not.toBe(keys.certificateId);
		expect(longLived.thumbprint).not.toBe(keys.thumbprint);
	});
});

describe('decryptResourceData', () => {
	const resource = { subject: 'Hello', 'importance@odata.type': '#microsoft.graph.importance', importance: 'high', from: { emailAddress: { address: 'a@b.c' } } };

	it('opens what the emulator encrypts', () => {
		const content = encryptResourceData(JSON.stringify(resource), keys.certificate, keys.certificateId);
		expect(content.encryptionCertificateThumbprint).toBe(keys.thumbprint);
		expect(decryptResourceData(content, keys.privateKeyPem, keys.certificateId)).toEqual(resource);
	});

	it('refuses content for another certificate id before touching the key', () => {
		const content = encryptResourceData(JSON.stringify(resource), keys.certificate, keys.certificateId);
		expect(failure(() => decryptResourceData(content, keys.privateKeyPem, otherKeys.certificateId)).reason).toBe('unknownCertificate');
		expect(failure(() => decryptResourceData(content, 'not a key', otherKeys.certificateId)).reason).toBe('unknownCertificate');
	});

	it.each([
		['data', 'signatureMismatch'],
		['dataSignature', 'signatureMismatch'],
		['dataKey', 'notDecryptable'],
	] as const)('rejects tampered %s (%s)', (field, reason) => {
		const content = encryptResourceData(JSON.stringify(resource), keys.certificate, keys.certificateId);
		const error = failure(() => decryptResourceData({ ...content, [field]: flip(content[field]) }, keys.privateKeyPem, keys.certificateId));
		expect(error.reason).toBe(reason);
		expect(error.message).not.toContain(content.data.slice(0, 12));
	});

	it('checks the signature before decrypting: garbage data is a signature mismatch, not a padding error', () => {
		const content = encryptResourceData(JSON.stringify(resource), keys.certificate, keys.certificateId);
		const garbage = Buffer.alloc(Buffer.from(content.data, 'base64').length, 7).toString('base64');
		expect(failure(() => decryptResourceData({ ...content, data: garbage }, keys.privateKeyPem, keys.certificateId)).reason).toBe(
			'signatureMismatch',
		);
		expect(
			failure(() => decryptResourceData({ ...content, dataSignature: content.dataSignature.slice(4) }, keys.privateKeyPem, keys.certificateId))
				.reason,
		).toBe('signatureMismatch');
	});

	it('rejects a key wrapped for another certificate', () => {
		const content = encryptResourceData(JSON.stringify(resource), otherKeys.certificate, keys.certificateId);
		expect(failure(() => decryptResourceData(content, keys.privateKeyPem, keys.certificateId)).reason).toBe('notDecryptable');
	});

	it.each([['not json at all'], ['[1,2,3]'], ['"a string"'], ['null']])('rejects decrypted %s as not JSON', (plaintext) => {
		const content = encryptResourceData(plaintext, keys.certificate, keys.certificateId);
		const error = failure(() => decryptResourceData(content, keys.privateKeyPem, keys.certificateId));
		expect(error.reason).toBe('notJson');
		expect(error.message).toBe('Rich notification rejected: decrypted resource data is not a JSON object');
	});

	it.each([[undefined], [null], ['text'], [{ data: 'x', dataKey: 'y', encryptionCertificateId: 'z' }]])('rejects malformed content %p', (value) => {
		expect(failure(() => decryptResourceData(value, keys.privateKeyPem, keys.certificateId)).reason).toBe('malformed');
	});
});

describe('validateValidationTokens', () => {
	let signer: SigningKeySet;
	let fetched: string[];
	let base: ValidationTokenOptions;
	const now = Date.now();

	beforeEach(() => {
		clearValidationKeyCache();
		signer = new SigningKeySet();
		fetched = [];
		base = {
			appId: APP_ID,
			tenantIds: [TENANT],
			openIdConfigurationUrl: CONFIG_URL,
			now,
			fetchJson: async (url: string) => {
				fetched.push(url);
				if (url === CONFIG_URL) return { issuer: 'https://sts.windows.net/{tenantid}/', jwks_uri: JWKS_URL };
				if (url === JWKS_URL) return signer.jwks();
				throw new Error(`unexpected fetch ${url}`);
			},
		};
	});

	const token = (audience = APP_ID, tenant = TENANT, at = now) => createValidationToken(signer, audience, tenant, at);

	it('accepts the emulator’s tokens and caches the keys per jwks_uri', async () => {
		expect(EMULATOR_PUBLISHER_ID).toBe(GRAPH_NOTIFICATION_PUBLISHER_APP_ID);
		expect(await validateValidationTokens([token()], base)).toEqual({ valid: true });
		expect(await validateValidationTokens([token()], { ...base, now: now + 10 * 60_000 })).toEqual({ valid: true });
		expect(fetched).toEqual([CONFIG_URL, JWKS_URL]);
	});

	it.each([
		['a wrong audience', () => token('99999999-2222-3333-4444-555555555555'), 'audience mismatch'],
		['a wrong issuer', () => token(APP_ID, OTHER_TENANT), 'issuer mismatch'],
		['an expired token', () => token(APP_ID, TENANT, now - 9 * HOUR), 'expired'],
		['a token from the future', () => token(APP_ID, TENANT, now + HOUR), 'not yet valid'],
	])('rejects %s', async (_name, make, reason) => {
		expect(await validateValidationTokens([make()], base)).toEqual({ valid: false, reason: `validation token 1: ${reason}` });
	});

	it('allows five minutes of clock skew', async () => {
		const lifetime = 29_100_000;
		expect((await validateValidationTokens([token(APP_ID, TENANT, now - lifetime + 60_000)], base)).valid).toBe(true);
		expect((await validateValidationTokens([token(APP_ID, TENANT, now - lifetime - 4 * 60_000)], base)).valid).toBe(true);
		expect((await validateValidationTokens([token(APP_ID, TENANT, now - lifetime - 6 * 60_000)], base)).valid).toBe(false);
	});

	it('rejects a token not issued to the Graph notification publisher', async () => {
		const claims = { ...validationTokenClaims(APP_ID, TENANT, now), appid: APP_ID };
		expect(await validateValidationTokens([signer.sign(claims)], base)).toEqual({
			valid: false,
			reason: 'validation token 1: not issued to the Graph notification publisher',
		});
	});

	it('rejects a bad signature, other algorithms and non-JWTs', async () => {
		const [header, claims, signature] = token().split('.');
		const bad = `${header}.${claims}.${Buffer.from(flip(Buffer.from(signature, 'base64url').toString('base64')), 'base64').toString('base64url')}`;
		expect(await validateValidationTokens([bad], base)).toEqual({ valid: false, reason: 'validation token 1: bad signature' });

		// Claims swapped under a valid signature.
		const forged = validationTokenClaims('99999999-2222-3333-4444-555555555555', TENANT, now);
		const swapped = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
		expect((await validateValidationTokens([swapped], base)).reason).toBe('validation token 1: bad signature');

		const hs256 = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: signer.currentKid() })).toString('base64url')}.${claims}.${signature}`;
		expect((await validateValidationTokens([hs256], base)).reason).toBe('validation token 1: unsupported signing algorithm');
		const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${claims}.`;
		expect((await validateValidationTokens([none], base)).reason).toBe('validation token 1: unsupported signing algorithm');
		expect((await validateValidationTokens(['abc'], base)).reason).toBe('validation token 1: not a JWT');
		expect((await validateValidationTokens([42], base)).reason).toBe('validation token 1: not a JWT');
	});

	it('rejects an unknown kid after one refetch, and does not refetch again within a minute', async () => {
		const stranger = createValidationToken(new SigningKeySet(), APP_ID, TENANT, now);
		expect(await validateValidationTokens([token()], base)).toEqual({ valid: true });
		expect(await validateValidationTokens([stranger], { ...base, now: now + 2 * 60_000 })).toEqual({
			valid: false,
			reason: 'validation token 1: unknown signing key',
		});
		expect(fetched.filter((url) => url === JWKS_URL)).toHaveLength(2);
		expect((await validateValidationTokens([stranger], { ...base, now: now + 2 * 60_000 + 1000 })).valid).toBe(false);
		expect(fetched.filter((url) => url === JWKS_URL)).toHaveLength(2);
	});

	it('finds a rotated key by refetching the JWKS', async () => {
		expect((await validateValidationTokens([token()], base)).valid).toBe(true);
		signer.rotate();
		expect((await validateValidationTokens([token()], { ...base, now: now + 2 * 60_000 })).valid).toBe(true);
		expect(fetched.filter((url) => url === JWKS_URL)).toHaveLength(2);
	});

	it('needs a token for every tenant, and every token valid', async () => {
		const both = { ...base, tenantIds: [TENANT, OTHER_TENANT] };
		expect(await validateValidationTokens([token(), token(APP_ID, OTHER_TENANT)], both)).toEqual({ valid: true });
		expect(await validateValidationTokens([token()], both)).toEqual({ valid: false, reason: 'a tenant in the notification has no validation token' });
		expect((await validateValidationTokens([token(), token('99999999-2222-3333-4444-555555555555')], base)).reason).toBe(
			'validation token 2: audience mismatch',
		);
		expect(await validateValidationTokens([], base)).toEqual({ valid: false, reason: 'no validation tokens' });
		expect(await validateValidationTokens(undefined, base)).toEqual({ valid: false, reason: 'no validation tokens' });
	});

	it('fails closed when the keys cannot be fetched', async () => {
		const offline = { ...base, fetchJson: async () => Promise.reject(new Error('ECONNREFUSED')) };
		const refused = await validateValidationTokens([token()], offline);
		expect(refused.valid).toBe(false);
		expect(refused.reason).toMatch(/^validation token 1: signing keys could not be fetched \(.*ECONNREFUSED\)$/);
		const noJwks = { ...base, fetchJson: async () => ({ issuer: 'x' }) };
		const withoutJwks = await validateValidationTokens([token()], noJwks);
		expect(withoutJwks.valid).toBe(false);
		expect(withoutJwks.reason).toMatch(/signing keys could not be fetched \(.* has no jwks_uri\)/);
	});

	it('a key list without a usable key fails as an unknown key, not as a failed download', async () => {
		const brokenKeys = { ...base, fetchJson: async (url: string) => (url === CONFIG_URL ? { jwks_uri: 'https://keys.example/jwks' } : { keys: 'not a list' }) };
		expect((await validateValidationTokens([token()], brokenKeys)).reason).toBe('validation token 1: unknown signing key');
	});
});
