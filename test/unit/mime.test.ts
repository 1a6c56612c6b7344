import type { IBinaryData } from 'n8n-workflow';

import {
	mimeProblem,
	mimeToExecutionData,
	NotMimeMessageError,
	parseMimeMessage,
	rawFileName,
	type BinaryPreparer,
} from '../../nodes/MicrosoftOutlookExt/shared/mime';

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

describe('mimeProblem', () => {
	it('accepts complete messages, single part and nested multipart', () => {
		expect(mimeProblem(richMessage())).toBeUndefined();
		expect(mimeProblem(simpleMessage())).toBeUndefined();
		// LF-only line ends (as some servers and the Graph docs example use) are fine too.
		expect(mimeProblem(Buffer.from(richMessage().toString('latin1').replace(/\r\n/g, '\n'), 'latin1'))).toBeUndefined();
	});

	it('refuses what is not a mail message', () => {
		expect(mimeProblem(Buffer.alloc(0))).toMatch(/empty/);
		expect(mimeProblem(Buffer.from('{"error":{"code":"x"}}'))).toMatch(/JSON/);
		expect(mimeProblem(Buffer.from('  [1,2]'))).toMatch(/JSON/);
		expect(mimeProblem(Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>'))).toMatch(/HTML/);
		expect(mimeProblem(Buffer.from('Hello there,\r\nthis is just text.\r\n'))).toMatch(/does not start with a mail header/);
		expect(mimeProblem(Buffer.from('Subject: hi\r\nX-A: b\r\n\r\nbody'))).toMatch(/neither a From nor a Date/);
		expect(mimeProblem(Buffer.from('From: a@b.c\r\nSubject: hi\r\n\r\nbody'))).toMatch(/neither a MIME-Version nor a Content-Type/);
		expect(mimeProblem(Buffer.from('From: a@b.c\r\nthis line is no header\r\nDate: x\r\n\r\nbody'))).toMatch(/not a header: "this line is no header"/);
	});

	it('spots truncated downloads', () => {
		const full = richMessage();
		// Cut inside the header block: it never ends.
		expect(mimeProblem(full.subarray(0, 200))).toMatch(/header block never ends/);
		// Cut inside the PDF part: the outer boundary is never closed.
		const cut = full.toString('latin1').lastIndexOf('--_mixed_--');
		expect(mimeProblem(full.subarray(0, cut))).toMatch(/boundary "_mixed_" never ends/);
		// A nested part that is not closed is caught too.
		const nested = full.toString('latin1').replace('--_alt_--', '');
		expect(mimeProblem(Buffer.from(nested, 'latin1'))).toMatch(/boundary "_alt_" never ends/);
		expect(mimeProblem(crlf(['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed', '', 'x']))).toMatch(
			/declares no boundary/,
		);
		expect(
			mimeProblem(crlf(['From: a@b.c', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=abc', '', 'preamble only'])),
		).toMatch(/boundary "abc" has no parts/);
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
