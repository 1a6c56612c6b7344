/**
 * The key pair of rich change notifications (subscriptions with `includeResourceData: true`):
 * `createEncryptionKeyPair` makes the RSA key and the self-signed X.509 certificate Graph encrypts with (Graph
 * uses only the certificate's public key and does not check its issuer). The certificate is built by a small
 * DER encoder here, so the package needs no X.509 library. Pure; only node:crypto is used.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';

/** Graph accepts RSA keys of 2,048 to 4,096 bits. */
const KEY_BITS = 2048;
const DEFAULT_VALID_DAYS = 365;
const DAY_MS = 24 * 3600 * 1000;

export interface EncryptionKeyPair {
	/** Base64 DER of the X.509 certificate (public key only): the subscription's `encryptionCertificate`. */
	certificate: string;
	/** The subscription's `encryptionCertificateId` (at most 128 characters). */
	certificateId: string;
	/** PKCS#8 PEM private key: keep it secret, it opens every notification. */
	privateKeyPem: string;
	/** SHA-1 of the certificate DER, upper-case hex: what Graph sends as `encryptionCertificateThumbprint`. */
	thumbprint: string;
}

export interface EncryptionKeyPairOptions {
	/** Subject/issuer common name (default: "n8n Microsoft Outlook trigger"). */
	commonName?: string;
	/** Certificate lifetime from now (default 365 days). */
	validDays?: number;
	/** Epoch ms used as "now" (tests). */
	now?: number;
	/** RSA modulus size (default 2048; Graph accepts 2048 to 4096). */
	keyBits?: number;
}

/** A fresh RSA-2048 key with a self-signed X.509 v3 certificate for `encryptionCertificate`. */
export function createEncryptionKeyPair(options: EncryptionKeyPairOptions = {}): EncryptionKeyPair {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: options.keyBits ?? KEY_BITS });
	const now = options.now ?? Date.now();
	const der = selfSignedCertificate({
		commonName: options.commonName ?? 'n8n Microsoft Outlook trigger',
		spki: publicKey.export({ type: 'spki', format: 'der' }),
		privateKey,
		// A day back, so a receiver whose clock is behind still sees a valid certificate.
		notBefore: now - DAY_MS,
		notAfter: now + (options.validDays ?? DEFAULT_VALID_DAYS) * DAY_MS,
	});
	return {
		certificate: der.toString('base64'),
		certificateId: `n8n-outlook-${randomUUID()}`,
		privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
		thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
	};
}

interface CertificateInput {
	commonName: string;
	spki: Buffer;
	privateKey: KeyObject;
	notBefore: number;
	notAfter: number;
}

// OIDs (dotted) used in the certificate.
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_COMMON_NAME = '2.5.4.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_KEY_ID = '2.5.29.14';

/** RFC 5280 Certificate: TBSCertificate, signatureAlgorithm, signatureValue (sha256WithRSAEncryption). */
function selfSignedCertificate(input: CertificateInput): Buffer {
	const serial = randomBytes(16);
	serial[0] &= 0x7f; // positive
	serial[0] |= 0x01; // and not starting with a zero byte
	const algorithm = derSequence(derOid(OID_SHA256_WITH_RSA), derNull());
	const name = derSequence(derSet(derSequence(derOid(OID_COMMON_NAME), derUtf8(input.commonName))));
	// keyEncipherment (bit 2) + dataEncipherment (bit 3): what Graph does with the key. 4 unused bits.
	const keyUsage = derBitString(Buffer.from([0x30]), 4);
	const subjectKeyId = derOctetString(createHash('sha1').update(input.spki).digest());
	const extensions = derSequence(
		extension(OID_BASIC_CONSTRAINTS, true, derSequence()),
		extension(OID_KEY_USAGE, true, keyUsage),
		extension(OID_SUBJECT_KEY_ID, false, subjectKeyId),
	);
	const tbs = derSequence(
		derExplicit(0, derInteger(Buffer.from([2]))), // v3
		derInteger(serial),
		algorithm,
		name,
		derSequence(derTime(input.notBefore), derTime(input.notAfter)),
		name,
		input.spki,
		derExplicit(3, extensions),
	);
	const signature = sign('sha256', tbs, input.privateKey);
	return derSequence(tbs, algorithm, derBitString(signature, 0));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
	return derSequence(derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value));
}

// ---- a minimal DER encoder (definite lengths, only the types a certificate needs) ----

function derTlv(tag: number, content: Buffer): Buffer {
	const length = content.length;
	let header: Buffer;
	if (length < 0x80) {
		header = Buffer.from([tag, length]);
	} else {
		const bytes: number[] = [];
		for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
		header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
	}
	return Buffer.concat([header, content]);
}

function derSequence(...items: Buffer[]): Buffer {
	return derTlv(0x30, Buffer.concat(items));
}

function derSet(...items: Buffer[]): Buffer {
	return derTlv(0x31, Buffer.concat(items));
}

function derExplicit(tagNumber: number, inner: Buffer): Buffer {
	return derTlv(0xa0 | tagNumber, inner);
}

/** Unsigned big-endian magnitude → INTEGER (a leading 0x00 keeps it positive). */
function derInteger(magnitude: Buffer): Buffer {
	let start = 0;
	while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
	const trimmed = magnitude.subarray(start);
	return derTlv(0x02, trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function derBoolean(value: boolean): Buffer {
	return derTlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

function derNull(): Buffer {
	return Buffer.from([0x05, 0x00]);
}

function derOctetString(content: Buffer): Buffer {
	return derTlv(0x04, content);
}

function derBitString(content: Buffer, unusedBits: number): Buffer {
	return derTlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

function derUtf8(text: string): Buffer {
	return derTlv(0x0c, Buffer.from(text, 'utf8'));
}

function derOid(dotted: string): Buffer {
	const arcs = dotted.split('.').map(Number);
	const bytes: number[] = [40 * arcs[0] + arcs[1]];
	for (const arc of arcs.slice(2)) {
		const chunk: number[] = [arc & 0x7f];
		for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift(0x80 | (rest & 0x7f));
		bytes.push(...chunk);
	}
	return derTlv(0x06, Buffer.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, always Zulu. */
function derTime(epochMs: number): Buffer {
	const iso = new Date(epochMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
	const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
	const year = Number(iso.slice(0, 4));
	return year < 2050 ? derTlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : derTlv(0x18, Buffer.from(digits, 'ascii'));
}
