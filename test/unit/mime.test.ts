import type { IBinaryData } from 'n8n-workflow';

import {
	mimeToExecutionData,
	NotMimeMessageError,
	parseMimeMessage,
	rawFileName,
	repairMime,
	unreadableReason,
	type BinaryPreparer,
} from '../../nodes/MicrosoftOutlookExt/shared/mime';
import { mimeCorpus } from '../emulator/mail-seed';
import { bareMailparserRead, missingFromNodeOutput, type NodeMimeOutput } from '../emulator/mime';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1');

function crlf(lines: string[]): Buffer {
	return Buffer.from(lines.join('\r\n'), 'latin1');
}

function base64Lines(data: Buffer): string[] {
	return data.toString('base64').match(/.{1,76}/g) ?? [];
}

/** mixed( related( alternative(text, html), inline png ), pdf attachment ) — what Exchange produces. */
function richMessage(): Buffer {
	return crlf([
		'Received: from mail.contoso.com (10.0.0.1) by mbx.contoso.com',
		'\twith Microsoft SMTP Server; Mon, 4 Sep 2017 03:00:08 -0700',
		'From: Megan Bowen <MeganB@contoso.com>',
		'To: Adele Vance <AdeleV@contoso.com>, "Team: Sales" <sales@contoso.com>',
		'Cc: Undisclosed: Lee Gu <LeeG@contoso.com>, Nestor <NestorW@contoso.com>;',
		'Reply-To: replies@contoso.com',
		'Subject: =?utf-8?B?UXVhcnRlcmx5IHJlcG9ydCDinJM=?=',
		'Date: Mon, 4 Sep 2017 10:00:00 +0000',
		'Message-ID: <report-42@contoso.com>',
		'In-Reply-To: <question-41@contoso.com>',
		'References: <root-1@contoso.com> <question-41@contoso.com>',
		'X-Custom-Flag: yes',
		'MIME-Version: 1.0',
		'Content-Type: multipart/mixed;',
		'\tboundary="_mixed_"',
		'',
		'--_mixed_',
		'Content-Type: multipart/related; boundary="_related_"; type="multipart/alternative"',
		'',
		'--_related_',
		'Content-Type: multipart/alternative; boundary="_alt_"',
		'',
		'--_alt_',
		'Content-Type: text/plain; charset="utf-8"',
		'Content-Transfer-Encoding: quoted-printable',
		'',
		'See the chart =E2=80=93 numbers are up.',
		'--_alt_',
		'Content-Type: text/html; charset="utf-8"',
		'',
		'<html><body><p>See the chart</p><img src="cid:chart@contoso"></body></html>',
		'--_alt_--',
		'',
		'--_related_',
		'Content-Type: image/png; name="chart.png"',
		'Content-Disposition: inline; filename="chart.png"',
		'Content-ID: <chart@contoso>',
		'Content-Transfer-Encoding: base64',
		'',
		...base64Lines(PNG),
		'--_related_--',
		'',
		'--_mixed_',
		'Content-Type: application/pdf; name="Q3 report.pdf"',
		'Content-Disposition: attachment; filename="Q3 report.pdf"',
		'Content-Transfer-Encoding: base64',
		'',
		...base64Lines(PDF),
		'--_mixed_--',
		'',
	]);
}

function simpleMessage(extraHeaders: string[] = []): Buffer {
	return crlf([
		'From: adele@contoso.com',
		'Date: Tue, 5 Sep 2017 08:00:00 +0200',
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=us-ascii',
		...extraHeaders,
		'',
		'Hello',
		'',
	]);
}

const fakeBinary: BinaryPreparer = {
	async prepareBinaryData(data: Buffer, filePath?: string, mimeType?: string): Promise<IBinaryData> {
		return { data: data.toString('base64'), fileName: filePath, mimeType: mimeType ?? 'application/octet-stream', fileSize: String(data.length) };
	},
};

/** The node's item as the corpus comparison needs it. */
async function nodeOutput(raw: Buffer): Promise<NodeMimeOutput> {
	const item = await mimeToExecutionData(fakeBinary, raw);
	const attachmentContents = Object.entries(item.binary ?? {}).map(([, b]) => Buffer.from(b.data, 'base64'));
	return { json: item.json, attachmentContents };
}

async function unreadable(raw: Buffer): Promise<string> {
	const error = await mimeToExecutionData(fakeBinary, raw).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NotMimeMessageError);
	return (error as NotMimeMessageError).reason;
}

describe('what mailparser can read is output; only what it cannot read is refused', () => {
	it('outputs complete messages with no warnings (CRLF), and notes LF-only line ends', async () => {
		expect((await nodeOutput(richMessage())).json.warnings).toEqual([]);
		expect((await nodeOutput(simpleMessage())).json.warnings).toEqual([]);
		const lf = Buffer.from(richMessage().toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
		expect((await nodeOutput(lf)).json.warnings).toEqual(['the lines end in LF only, not CRLF']);
	});

	it('refuses, truthfully, only data in which mailparser reads no mail', async () => {
		expect(await unreadable(Buffer.alloc(0))).toMatch(/empty/);
		expect(await unreadable(Buffer.from('{"error":{"code":"x"}}'))).toBe('the body is JSON, not a mail message');
		expect(await unreadable(Buffer.from('  [1,2]'))).toMatch(/JSON/);
		expect(await unreadable(Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>'))).toMatch(/HTML/);
		expect(await unreadable(Buffer.from('Hello there,\r\nthis is just text.\r\n'))).toMatch(/no mail header can be read/);
		expect(unreadableReason(simpleMessage(), ['from'])).toBeUndefined();
	});

	it('reads messages the old pre-check refused: no From/Date, no MIME headers, a line without whitespace', async () => {
		expect((await nodeOutput(Buffer.from('Subject: hi\r\nX-A: b\r\n\r\nbody'))).json).toMatchObject({ subject: 'hi', text: 'body', warnings: [] });
		expect((await nodeOutput(Buffer.from('From: a@b.c\r\nSubject: hi\r\n\r\nbody'))).json).toMatchObject({ subject: 'hi', text: 'body' });
		const joined = await nodeOutput(Buffer.from('From: a@b.c\r\nSubject: this line\r\nis no header\r\nDate: Tue, 5 Sep 2017 08:00:00 +0200\r\n\r\nbody'));
		expect(joined.json).toMatchObject({
			subject: 'this line is no header',
			date: '2017-09-05T06:00:00.000Z',
			warnings: ['line 3 had no leading whitespace: joined to the previous header (Subject)'],
		});
	});

	it('reads cut-off and boundary-less messages as far as they go, and says so', async () => {
		const full = richMessage();
		const head = await nodeOutput(full.subarray(0, 200));
		expect(head.json.warnings).toEqual(['the header block never ends: there is no body (the message may be cut off)']);
		const cut = full.toString('latin1').lastIndexOf('--_mixed_--');
		const unclosed = await nodeOutput(full.subarray(0, cut));
		expect(unclosed.attachmentContents.map((c) => c.toString('hex'))).toEqual([PNG.toString('hex'), PDF.toString('hex')]);
		expect(unclosed.json.warnings).toEqual([
			'the multipart/mixed (boundary "_mixed_") has no closing line: the message may be cut off; the parts that are there were read',
		]);
		const none = await nodeOutput(crlf(['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed', '', 'x']));
		expect(none.json.warnings).toEqual(['the multipart/mixed declares no boundary: its content could not be read']);
	});

	it('repairs space-only separator lines in parts, so an attached message (message/rfc822) is not lost', async () => {
		const raw = crlf([
			'From: a@b.c',
			'Subject: fw',
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="XX"',
			' ',
			'--XX',
			'Content-Type: text/plain',
			' ',
			'hello',
			'--XX',
			'Content-Type: message/rfc822',
			' ',
			'From: inner@x.y',
			'Subject: Inner =?utf-8?B?4pyT?=',
			'',
			'inner body',
			'--XX--',
			'',
		]);
		const { json, attachmentContents } = await nodeOutput(raw);
		expect(json.text).toBe('hello');
		expect(json.attachments).toEqual([expect.objectContaining({ fileName: 'Inner ✓.eml', contentType: 'message/rfc822' })]);
		expect(attachmentContents[0].toString()).toContain('inner body');
		expect(json.warnings).toEqual([
			'line 5 ends the header block but held spaces: read as an empty line',
			'line 8 (headers of part 1) ends the header block but held spaces: read as an empty line',
			'line 12 (headers of part 2) ends the header block but held spaces: read as an empty line',
		]);
	});

	it('reads 8-bit Latin-1 part headers (a raw file name) as Windows-1252', async () => {
		const raw = crlf(['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=p', '', '--p', 'Content-Type: text/plain', '', 'x', '--p', 'Content-Type: application/pdf; name="\xdcbersicht.pdf"', 'Content-Transfer-Encoding: base64', '', PDF.toString('base64'), '--p--', '']);
		const { json, attachmentContents } = await nodeOutput(raw);
		expect(json.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['Übersicht.pdf']);
		expect(attachmentContents[0].equals(PDF)).toBe(true);
		expect(json.warnings).toEqual(['the headers of part 2 hold 8-bit text that is not UTF-8: read as Windows-1252']);
	});

	it('removes a byte order mark and empty lines before the headers', async () => {
		const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), crlf(['', ' ', 'From: a@b.c', 'Subject: late start', '', 'body'])]);
		const { json } = await nodeOutput(raw);
		expect(json).toMatchObject({ subject: 'late start', from: { address: 'a@b.c' }, text: 'body' });
		expect(json.warnings).toEqual(['the data starts with a UTF-8 byte order mark: removed', 'the first 2 lines were empty before the headers: removed']);
	});

	it('keeps a body that starts with header-like lines after the empty line', async () => {
		const raw = crlf(['From: a@b.c', 'Subject: Fwd: question', 'Date: Tue, 5 Sep 2017 08:00:00 +0200', '', 'Subject: question', 'Date: yesterday', '', 'See below.', '']);
		const { json } = await nodeOutput(raw);
		expect(json).toMatchObject({ subject: 'Fwd: question', text: 'Subject: question\nDate: yesterday\n\nSee below.\n', warnings: [] });
	});

	it('starts the body where a run of non-header lines is not followed by more headers', async () => {
		const raw = crlf(['From: a@b.c', 'Subject: no separator', 'Hello Adele,', 'the empty line is missing.', '']);
		const { json } = await nodeOutput(raw);
		expect(json).toMatchObject({ subject: 'no separator', text: 'Hello Adele,\nthe empty line is missing.\n' });
		expect(json.warnings).toEqual(['line 3 is not a header and no empty line came before it: read as the start of the body']);
	});

	it('survives deep multipart nesting and large attachments', async () => {
		const depth = 200;
		const open = Array.from({ length: depth }, (_, n) => [`Content-Type: multipart/mixed; boundary="b${n}"`, '', `--b${n}`]).flat();
		const close = Array.from({ length: depth }, (_, n) => `--b${depth - 1 - n}--`);
		const deep = crlf(['From: a@b.c', 'MIME-Version: 1.0', ...open, 'Content-Type: text/plain', '', 'deep', ...close, '']);
		expect((await nodeOutput(deep)).json.from).toEqual({ name: '', address: 'a@b.c' });

		const big = Buffer.alloc(20 * 1024 * 1024, 'PDF content ');
		const raw = crlf(['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=big', ' ', '--big', 'Content-Type: application/pdf; name=big.pdf', 'Content-Transfer-Encoding: base64', '', ...base64Lines(big), '--big--', '']);
		const started = Date.now();
		const { json, attachmentContents } = await nodeOutput(raw);
		expect(attachmentContents[0].equals(big)).toBe(true);
		expect(json.warnings).toEqual(['line 4 ends the header block but held spaces: read as an empty line']);
		expect(Date.now() - started).toBeLessThan(30_000);
	});

	it('leaves the bytes alone when nothing needs repair', () => {
		const raw = richMessage();
		expect(repairMime(raw).raw).toBe(raw);
	});
});

describe('the awkward-MIME corpus: the node outputs at least what bare mailparser reads', () => {
	const expected: Record<string, { subject?: string; files: string[]; warnings: RegExp[]; bareMisreads?: string[] }> = {
		'bad-folding': { subject: 'Quarterly figures for the northern region', files: [], warnings: [/line 3 had no leading whitespace.*\(To\)/, /line 5 had no leading whitespace.*\(Subject\)/] },
		'lf-only': { files: ['lf.pdf'], warnings: [/LF only/] },
		'space-separators': { files: ['Original invoice.eml', 'summary.pdf'], warnings: [/held spaces/] },
		'stray-space-line': { subject: 'Stray space line', files: [], warnings: [/line 3 held only spaces before a header: removed/] },
		// Bare mailparser ends the headers at the empty line and reads the rest (MIME headers, parts) as text.
		'stray-empty-line': { subject: 'Stray empty line', files: ['logo.png'], warnings: [/line 4 was empty but more headers followed it: removed/], bareMisreads: ['text'] },
		'nested-rfc822': { files: ['Original invoice.eml', 'forwarded.eml'], warnings: [] },
		'8bit-utf8-headers': { subject: 'Bestellung für Größe XL – Übersicht', files: [], warnings: [/8-bit \(UTF-8\)/] },
		'8bit-latin1-headers': { subject: 'Réunion déjà prévue à 10 h', files: [], warnings: [/not UTF-8: read as Windows-1252/] },
		'missing-closing-boundary': { files: ['unclosed.pdf'], warnings: [/no closing line/] },
		'missing-boundary-parameter': { files: ['noboundary.pdf'], warnings: [/declares no boundary: used "nb-b"/] },
		'wrong-boundary': { files: [], warnings: [/boundary "declared-b", which never occurs: used "used-b"/] },
		'tnef-winmail': { files: ['winmail.dat'], warnings: [/winmail.dat is a TNEF/] },
		'mbox-from-line': { subject: 'Exported from an mbox', files: [], warnings: [/mbox "From " separator/] },
	};

	it.each(mimeCorpus().map((entry) => [entry.key, entry] as const))('%s', async (key, entry) => {
		const bare = await bareMailparserRead(entry.raw);
		expect(bare.readable).toBe(entry.readable);
		if (!entry.readable) {
			expect(await unreadable(entry.raw)).toMatch(/no mail header can be read/);
			return;
		}
		const node = await nodeOutput(entry.raw);
		const want = expected[key];
		expect(missingFromNodeOutput(bare, node)).toEqual(want.bareMisreads ?? []);
		if (want.subject) expect(node.json.subject).toBe(want.subject);
		expect(node.json.attachments.map((a: { fileName: string }) => a.fileName).sort()).toEqual([...want.files].sort());
		expect(node.json.from).toEqual(expect.objectContaining({ address: expect.stringMatching(/@/) }));
		expect(node.json.text || node.json.html).not.toBe('');
		for (const warning of want.warnings) expect(node.json.warnings).toEqual(expect.arrayContaining([expect.stringMatching(warning)]));
		if (want.warnings.length === 0) expect(node.json.warnings).toEqual([]);
	});
});

describe('parseMimeMessage', () => {
	it('extracts addresses, threading headers, bodies and attachments', async () => {
		const { json, attachments } = await parseMimeMessage(richMessage());
		expect(json.subject).toBe('Quarterly report ✓');
		expect(json.from).toEqual({ name: 'Megan Bowen', address: 'MeganB@contoso.com' });
		expect(json.to).toEqual([
			{ name: 'Adele Vance', address: 'AdeleV@contoso.com' },
			{ name: 'Team: Sales', address: 'sales@contoso.com' },
		]);
		// Group syntax is flattened to its members.
		expect(json.cc).toEqual([
			{ name: 'Lee Gu', address: 'LeeG@contoso.com' },
			{ name: 'Nestor', address: 'NestorW@contoso.com' },
		]);
		expect(json.bcc).toEqual([]);
		expect(json.replyTo).toEqual([{ name: '', address: 'replies@contoso.com' }]);
		expect(json.date).toBe('2017-09-04T10:00:00.000Z');
		expect(json.messageId).toBe('<report-42@contoso.com>');
		expect(json.inReplyTo).toBe('<question-41@contoso.com>');
		expect(json.references).toEqual(['<root-1@contoso.com>', '<question-41@contoso.com>']);
		expect(json.text).toBe('See the chart – numbers are up.');
		// cid references stay as they are: the image is a separate binary.
		expect(json.html).toContain('src="cid:chart@contoso"');
		const headers = json.headers as Record<string, unknown>;
		expect(headers['x-custom-flag']).toBe('yes');
		expect(headers.subject).toBe('Quarterly report ✓');
		expect(headers.date).toBe('2017-09-04T10:00:00.000Z');
		expect(headers['content-type']).toBe('multipart/mixed; boundary="_mixed_"');
		expect(String(headers.received)).toContain('with Microsoft SMTP Server');

		expect(attachments.map(({ content, ...meta }) => ({ ...meta, bytes: content.toString('hex') }))).toEqual([
			{
				fileName: 'chart.png',
				contentType: 'image/png',
				size: PNG.length,
				contentId: 'chart@contoso',
				inline: true,
				disposition: 'inline',
				bytes: PNG.toString('hex'),
			},
			{
				fileName: 'Q3 report.pdf',
				contentType: 'application/pdf',
				size: PDF.length,
				contentId: null,
				inline: false,
				disposition: 'attachment',
				bytes: PDF.toString('hex'),
			},
		]);
	});

	it('handles a message without attachments, html or threading headers', async () => {
		const { json, attachments } = await parseMimeMessage(simpleMessage());
		expect(attachments).toEqual([]);
		expect(json).toMatchObject({
			subject: '',
			from: { name: '', address: 'adele@contoso.com' },
			to: [],
			text: 'Hello\n',
			html: '',
			messageId: null,
			inReplyTo: null,
			references: [],
			date: '2017-09-05T06:00:00.000Z',
		});
	});

	it('names an attachment without a file name after its Content-ID or position', async () => {
		const raw = crlf([
			'From: a@contoso.com',
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary=b1',
			'',
			'--b1',
			'Content-Type: text/plain',
			'',
			'x',
			'--b1',
			'Content-Type: image/gif',
			'Content-ID: <logo>',
			'Content-Transfer-Encoding: base64',
			'',
			'R0lGODlhAQABAAAAACw=',
			'--b1',
			'Content-Type: application/octet-stream',
			'Content-Disposition: attachment',
			'',
			'raw bytes',
			'--b1--',
			'',
		]);
		const { attachments } = await parseMimeMessage(raw);
		expect(attachments.map((a) => [a.fileName, a.inline, a.contentId])).toEqual([
			['logo', true, 'logo'],
			['attachment_1', false, null],
		]);
	});
});

describe('mimeToExecutionData', () => {
	it('puts every attachment into numbered binary properties and lists them in the JSON', async () => {
		const item = await mimeToExecutionData(fakeBinary, richMessage());
		expect(Object.keys(item.binary ?? {})).toEqual(['attachment_0', 'attachment_1']);
		expect(item.binary?.attachment_0).toMatchObject({ fileName: 'chart.png', mimeType: 'image/png', data: PNG.toString('base64') });
		expect(item.binary?.attachment_1).toMatchObject({ fileName: 'Q3 report.pdf', mimeType: 'application/pdf', data: PDF.toString('base64') });
		expect((item.json.attachments as Array<Record<string, unknown>>).map((a) => a.binaryProperty)).toEqual([
			'attachment_0',
			'attachment_1',
		]);
	});

	it('uses the prefix and adds the raw message on request', async () => {
		const raw = richMessage();
		const item = await mimeToExecutionData(fakeBinary, raw, { binaryPropertyPrefix: 'file', includeRaw: true, fallbackName: 'AAMk1' });
		expect(Object.keys(item.binary ?? {})).toEqual(['file0', 'file1', 'raw']);
		expect(item.binary?.raw).toMatchObject({ fileName: 'Quarterly report ✓.eml', mimeType: 'message/rfc822', data: raw.toString('base64') });
	});

	it('has no binary at all for a plain message, and refuses non-MIME data', async () => {
		const item = await mimeToExecutionData(fakeBinary, simpleMessage());
		expect(item.binary).toBeUndefined();
		expect(item.json.attachments).toEqual([]);
		await expect(mimeToExecutionData(fakeBinary, Buffer.from('<html></html>'))).rejects.toBeInstanceOf(NotMimeMessageError);
	});
});

describe('rawFileName', () => {
	it('makes a safe .eml name from the subject, else the fallback', () => {
		expect(rawFileName('Re: a/b "c"?')).toBe('Re_ a_b _c_.eml');
		expect(rawFileName('', 'AAMkAG/x=')).toBe('AAMkAG_x=.eml');
		expect(rawFileName(undefined)).toBe('message.eml');
	});
});
