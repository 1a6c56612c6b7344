/**
 * Generated test data: MIME messages of a given size with attachments (random, incompressible
 * bytes, base64 in 76-character lines as mail clients write them) and plain binary files.
 */
import { randomBytes } from 'node:crypto';

import { MB } from './measure';

/** Largest multiple of 320 KiB under 4 MB: the biggest upload chunk Graph accepts. */
export const FLOOR_CHUNK_BYTES = 12 * 320 * 1024;

const BOUNDARY_MIXED = '=_bench_mixed';
const BOUNDARY_ALT = '=_bench_alt';

function base64Lines(data: Buffer): string {
	return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** About `targetBytes` of MIME: text + HTML body and 1–5 attachments that make up the rest. */
export function mimeMessage(targetBytes: number, label: string): Buffer {
	const head = [
		'From: Megan Bowen <MeganB@contoso.com>',
		'To: Adele Vance <AdeleV@contoso.com>',
		`Subject: Benchmark ${label}`,
		'Date: Mon, 4 Sep 2017 10:00:00 +0000',
		`Message-ID: <bench-${label.replace(/\W/g, '')}@contoso.com>`,
		'MIME-Version: 1.0',
		`Content-Type: multipart/mixed; boundary="${BOUNDARY_MIXED}"`,
		'',
		`--${BOUNDARY_MIXED}`,
		`Content-Type: multipart/alternative; boundary="${BOUNDARY_ALT}"`,
		'',
		`--${BOUNDARY_ALT}`,
		'Content-Type: text/plain; charset=utf-8',
		'',
		'The figures are attached.',
		`--${BOUNDARY_ALT}`,
		'Content-Type: text/html; charset=utf-8',
		'',
		'<html><body><p>The figures are attached.</p></body></html>',
		`--${BOUNDARY_ALT}--`,
	].join('\r\n');
	const attachments = Math.min(5, Math.max(1, Math.round(targetBytes / (5 * MB))));
	// base64 grows 4/3 plus CRLF every 76 characters.
	const encodedBudget = Math.max(1024, targetBytes - head.length - 200 * attachments);
	const rawPerAttachment = Math.floor((encodedBudget / attachments) * (3 / 4) * (76 / 78));
	const parts = [head];
	for (let i = 0; i < attachments; i++) {
		parts.push(
			[
				`--${BOUNDARY_MIXED}`,
				`Content-Type: application/octet-stream; name="figures-${i}.bin"`,
				`Content-Disposition: attachment; filename="figures-${i}.bin"`,
				'Content-Transfer-Encoding: base64',
				'',
				base64Lines(randomBytes(rawPerAttachment)),
			].join('\r\n'),
		);
	}
	parts.push(`--${BOUNDARY_MIXED}--`, '');
	return Buffer.from(parts.join('\r\n'), 'latin1');
}

export function randomFile(bytes: number): Buffer {
	return randomBytes(bytes);
}
