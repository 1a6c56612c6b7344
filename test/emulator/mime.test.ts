import { simpleParser } from 'mailparser';
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';
import { mimeCorpus } from './mail-seed';
import { bareMailparserRead, buildMime, encodeQuotedPrintable, htmlToText, type MimeInput } from './mime';

const PNG_1X1 = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);

function sampleInput(overrides: Partial<MimeInput> = {}): MimeInput {
	return {
		from: { name: 'Adele Vance', address: 'AdeleV@contoso.com' },
		to: [{ name: 'Megan Bowen', address: 'MeganB@contoso.com' }],
		cc: [{ name: 'Doe, John "JD"', address: 'john@fabrikam.com' }],
		subject: 'Quarterly report – Größe & Übersicht 📈',
		date: new Date('2024-03-05T10:20:30Z'),
		messageId: '<abc123@contoso.com>',
		inReplyTo: '<parent@contoso.com>',
		references: ['<root@contoso.com>', '<parent@contoso.com>'],
		body: {
			contentType: 'html',
			content: '<html><body><p>Hello Megan,</p><p>see the chart: <img src="cid:chart1"></p></body></html>',
		},
		attachments: [
			{ name: 'report.csv', contentType: 'text/csv', content: Buffer.from('a,b\n1,2\n') },
			{ name: 'Übersicht März.pdf', contentType: 'application/pdf', content: Buffer.alloc(5000, 7) },
			{ name: 'chart.png', contentType: 'image/png', content: PNG_1X1, isInline: true, contentId: 'chart1' },
		],
		importance: 'high',
		...overrides,
	};
}

describe('buildMime', () => {
	it('produces a message mailparser reads back with headers, bodies, attachments and the inline image', async () => {
		const raw = buildMime(sampleInput());
		const parsed = await simpleParser(raw);

		expect(parsed.subject).toBe('Quarterly report – Größe & Übersicht 📈');
		expect(parsed.from?.value[0]).toEqual({ name: 'Adele Vance', address: 'AdeleV@contoso.com' });
		const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
		expect(to?.value[0].address).toBe('MeganB@contoso.com');
		const cc = Array.isArray(parsed.cc) ? parsed.cc[0] : parsed.cc;
		expect(cc?.value[0]).toEqual({ name: 'Doe, John "JD"', address: 'john@fabrikam.com' });
		expect(parsed.messageId).toBe('<abc123@contoso.com>');
		expect(parsed.inReplyTo).toBe('<parent@contoso.com>');
		expect(parsed.references).toEqual(['<root@contoso.com>', '<parent@contoso.com>']);
		expect(parsed.date?.toISOString()).toBe('2024-03-05T10:20:30.000Z');
		expect(parsed.headers.get('priority')).toBe('high');
		expect(parsed.text).toContain('Hello Megan,');
		expect(parsed.html).toContain('<p>Hello Megan,</p>');

		expect(parsed.attachments).toHaveLength(3);
		const byName = new Map(parsed.attachments.map((a) => [a.filename, a]));
		expect(byName.get('report.csv')?.content.toString()).toBe('a,b\n1,2\n');
		expect(byName.get('report.csv')?.contentDisposition).toBe('attachment');
		const pdf = byName.get('Übersicht März.pdf');
		expect(pdf?.content.equals(Buffer.alloc(5000, 7))).toBe(true);
		expect(pdf?.contentType).toBe('application/pdf');
		const image = byName.get('chart.png');
		expect(image?.contentDisposition).toBe('inline');
		expect(image?.cid).toBe('chart1');
		expect(image?.related).toBe(true);
		expect(image?.content.equals(PNG_1X1)).toBe(true);
	});

	it('nests parts like Exchange: mixed > related > alternative', () => {
		const raw = buildMime(sampleInput()).toString('utf8');
		const unfolded = raw.replace(/\r\n[ \t]+/g, ' ');
		const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
		expect(head).toMatch(/^MIME-Version: 1\.0$/m);
		expect(head).toMatch(/Content-Type: multipart\/mixed; boundary="/);
		expect(unfolded).toMatch(/Content-Type: multipart\/related; boundary="[^"]+"; type="multipart\/alternative"/);
		expect(unfolded).toMatch(/Content-Type: multipart\/alternative; boundary="/);
		expect(raw).toContain('X-MS-Has-Attach: yes');
		// Every line ends in CRLF and stays within the RFC 5322 998-octet limit.
		expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
		expect(Math.max(...raw.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
	});

	it('keeps a text-only message as a single text/plain part and is deterministic', async () => {
		const input = sampleInput({ body: { contentType: 'text', content: 'Plain line 1\nline 2 = two' }, attachments: [] });
		const first = buildMime(input);
		expect(first.equals(buildMime(input))).toBe(true);
		const head = first.toString('utf8').split('\r\n\r\n')[0];
		expect(head).toContain('Content-Type: text/plain; charset="utf-8"');
		const parsed = await simpleParser(first);
		expect(parsed.text?.trim()).toBe('Plain line 1\nline 2 = two');
		expect(parsed.attachments).toHaveLength(0);
	});

	it('treats inline images as attachments when the body is text', async () => {
		const input = sampleInput({ body: { contentType: 'text', content: 'hi' } });
		const parsed = await simpleParser(buildMime(input));
		expect(parsed.attachments.map((a) => a.filename).sort()).toEqual(['chart.png', 'report.csv', 'Übersicht März.pdf']);
	});
});

describe('encodeQuotedPrintable', () => {
	it('soft-wraps long lines at 76 characters and escapes = and trailing spaces', () => {
		const encoded = encodeQuotedPrintable(Buffer.from(`${'x'.repeat(200)}\na=b \nü`, 'utf8'));
		const lines = encoded.split('\r\n');
		expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(76);
		expect(encoded).toContain('a=3Db=20');
		expect(encoded).toContain('=C3=BC');
	});
});

describe('htmlToText', () => {
	it('drops tags, head and decodes entities', () => {
		expect(htmlToText('<html><head><style>p{}</style></head><body><p>A &amp; B</p><p>C&nbsp;&#233;</p></body></html>')).toBe(
			'A & B\nC é',
		);
	});
});

describe('the awkward-MIME corpus', () => {
	let emu: Emulator;

	beforeAll(async () => {
		emu = await startEmulator();
	});

	afterAll(async () => {
		await emu.close();
	});

	it('is what bare mailparser reads (all but the one non-mail entry), with stable keys', async () => {
		const corpus = mimeCorpus();
		expect(corpus.map((entry) => entry.key)).toEqual([
			'bad-folding',
			'lf-only',
			'space-separators',
			'stray-space-line',
			'stray-empty-line',
			'nested-rfc822',
			'8bit-utf8-headers',
			'8bit-latin1-headers',
			'missing-closing-boundary',
			'missing-boundary-parameter',
			'wrong-boundary',
			'tnef-winmail',
			'mbox-from-line',
			'not-mail',
		]);
		for (const entry of corpus) expect([entry.key, (await bareMailparserRead(entry.raw)).readable]).toEqual([entry.key, entry.readable]);
		// Bare mailparser loses the space-separated parts: the text and the attached message.
		const spaced = await bareMailparserRead(corpus.find((entry) => entry.key === 'space-separators')!.raw);
		expect(spaced.text).toBe('');
		expect(spaced.attachments.map((a) => a.contentType)).not.toContain('message/rfc822');
	});

	it('is filed by /_emulator/seed/mime-corpus, each $value byte-identical to the corpus', async () => {
		const response = await fetch(`${emu.url}/_emulator/seed/mime-corpus`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ userId: DEFAULT_USERS.adele.id, folder: 'archive' }),
		});
		expect(response.status).toBe(201);
		const { value } = (await response.json()) as { value: Array<{ key: string; id: string; readable: boolean }> };
		const corpus = mimeCorpus();
		expect(value.map((entry) => entry.key)).toEqual(corpus.map((entry) => entry.key));
		const token = emu.issueToken({ userId: DEFAULT_USERS.adele.id });
		for (const [index, entry] of value.entries()) {
			const res = await fetch(`${emu.url}/v1.0/me/messages/${entry.id}/$value`, { headers: { Authorization: `Bearer ${token}` } });
			expect(res.status).toBe(200);
			expect(Buffer.from(await res.arrayBuffer()).equals(corpus[index].raw)).toBe(true);
		}
	});
});
