/**
 * Mail resource (read side) in real n8n against the emulator: Get Mail Message (MIME download and
 * parse, attachments and inline images as binaries, raw .eml), non-MIME and unclosed multipart bodies,
 * List Mail Messages (folder, search, filter, select, order, refusals), Delete Message.
 * Run: npm run build && npx jest test/e2e/message.test.ts
 */
import { createHash } from 'node:crypto';

import { ADELE, byId, graph, runOutlookNode, useE2E } from './support';

const ctx = useE2E();

const message = (operation: string, parameters: Record<string, unknown> = {}) => ({ resource: 'message', operation, ...parameters });

/** Reads Graph directly as a user (test set-up and checks; not part of a node run). */
/** GET as a user, outside n8n; an error answer throws. */
const graphAs = async (userId: string, path: string) => await graph(ctx, 'GET', path, { userId, expectOk: true });

async function seedMime(raw: Buffer, folder = 'inbox'): Promise<string> {
	const response = await fetch(`${ctx.emu.url}/_emulator/seed/mime`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ userId: ADELE.userPrincipalName, folder, mimeBase64: raw.toString('base64') }),
	});
	if (response.status !== 201) throw new Error(`seed/mime: ${response.status} ${await response.text()}`);
	return ((await response.json()) as { id: string }).id;
}

async function messageIdBySubject(subject: string): Promise<string> {
	const page = await graphAs(ADELE.id, `/me/messages?$filter=${encodeURIComponent(`subject eq '${subject}'`)}&$select=id`);
	if (page.value.length !== 1) throw new Error(`expected one message "${subject}", got ${page.value.length}`);
	return page.value[0].id;
}

/** Items run concurrently: compare their requests in a stable order. */
function sorted<T>(list: T[]): T[] {
	return [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function calls(run: { graphRequests: Array<{ method: string; path: string; status?: number; query: Record<string, string> }> }, ...fields: Array<'method' | 'path' | 'status' | 'query'>) {
	return sorted(run.graphRequests.map((r) => fields.map((f) => r[f])));
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000a49444154789c6300010000050001', 'hex');
const PDF = Buffer.from(`%PDF-1.4\n${'0123456789abcdef'.repeat(512)}\n%%EOF\n`, 'latin1');

/** mixed( related( alternative(text, html with cid image), png ), pdf ), CRLF line ends. */
function reportMime(): Buffer {
	const b64 = (data: Buffer) => data.toString('base64').match(/.{1,76}/g) ?? [];
	return Buffer.from(
		[
			'From: Megan Bowen <MeganB@contoso.com>',
			'To: Adele Vance <AdeleV@contoso.com>',
			'Cc: Sales Team <sales@contoso.com>',
			'Subject: E2E quarterly report',
			'Date: Mon, 4 Sep 2017 10:00:00 +0000',
			'Message-ID: <e2e-report@contoso.com>',
			'In-Reply-To: <e2e-question@contoso.com>',
			'References: <e2e-root@contoso.com> <e2e-question@contoso.com>',
			'X-E2E: parsed',
			'MIME-Version: 1.0',
			'Content-Type: multipart/mixed; boundary="=_mixed"',
			'',
			'--=_mixed',
			'Content-Type: multipart/related; boundary="=_related"',
			'',
			'--=_related',
			'Content-Type: multipart/alternative; boundary="=_alt"',
			'',
			'--=_alt',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Numbers are up.',
			'--=_alt',
			'Content-Type: text/html; charset=utf-8',
			'',
			'<html><body><p>Numbers are up.</p><img src="cid:chart@e2e"></body></html>',
			'--=_alt--',
			'--=_related',
			'Content-Type: image/png',
			'Content-Disposition: inline; filename="chart.png"',
			'Content-ID: <chart@e2e>',
			'Content-Transfer-Encoding: base64',
			'',
			...b64(PNG),
			'--=_related--',
			'--=_mixed',
			'Content-Type: application/pdf; name="report.pdf"',
			'Content-Disposition: attachment; filename="report.pdf"',
			'Content-Transfer-Encoding: base64',
			'',
			...b64(PDF),
			'--=_mixed--',
			'',
		].join('\r\n'),
		'latin1',
	);
}

describe('Get Mail Message', () => {
	it('parses the MIME into JSON and outputs every attachment, the inline image and the raw .eml as binaries', async () => {
		const raw = reportMime();
		const seededId = await seedMime(raw);
		// A message the emulator stores as JSON (its $value is built on the fly), with a cid logo.
		const ticketId = await messageIdBySubject('Your support ticket #4711 was updated');

		const run = await runOutlookNode(ctx, {
			items: [{ id: seededId }, { id: ticketId }],
			parameters: message('get', {
				messageId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
				options: { includeRawEmail: true },
			}),
		});
		expect(run.error).toBeUndefined();
		expect(calls(run, 'method', 'path', 'status')).toEqual(
			sorted([
				['GET', `/me/messages/${seededId}/$value`, 200],
				['GET', `/me/messages/${ticketId}/$value`, 200],
			]),
		);
		expect(run.output).toHaveLength(2);

		const [report, ticket] = run.output;
		expect(report.pairedItem).toEqual({ item: 0 });
		expect(report.json).toMatchObject({
			id: seededId,
			messageId: '<e2e-report@contoso.com>',
			subject: 'E2E quarterly report',
			date: '2017-09-04T10:00:00.000Z',
			from: { name: 'Megan Bowen', address: 'MeganB@contoso.com' },
			to: [{ name: 'Adele Vance', address: 'AdeleV@contoso.com' }],
			cc: [{ name: 'Sales Team', address: 'sales@contoso.com' }],
			bcc: [],
			replyTo: [],
			inReplyTo: '<e2e-question@contoso.com>',
			references: ['<e2e-root@contoso.com>', '<e2e-question@contoso.com>'],
			text: 'Numbers are up.',
			attachments: [
				{ fileName: 'chart.png', contentType: 'image/png', size: PNG.length, contentId: 'chart@e2e', inline: true, disposition: 'inline', binaryProperty: 'attachment_0' },
				{ fileName: 'report.pdf', contentType: 'application/pdf', size: PDF.length, contentId: null, inline: false, disposition: 'attachment', binaryProperty: 'attachment_1' },
			],
		});
		expect(report.json.html).toContain('src="cid:chart@e2e"');
		expect(report.json.headers['x-e2e']).toBe('parsed');

		const binary = report.binary ?? {};
		expect(Object.keys(binary).sort()).toEqual(['attachment_0', 'attachment_1', 'raw']);
		expect(binary.attachment_0).toMatchObject({ fileName: 'chart.png', mimeType: 'image/png' });
		expect(sha256(ctx.n8n.readBinary(binary.attachment_0))).toBe(sha256(PNG));
		expect(binary.attachment_1).toMatchObject({ fileName: 'report.pdf', mimeType: 'application/pdf' });
		expect(sha256(ctx.n8n.readBinary(binary.attachment_1))).toBe(sha256(PDF));
		expect(binary.raw).toMatchObject({ fileName: 'E2E quarterly report.eml', mimeType: 'message/rfc822' });
		expect(ctx.n8n.readBinary(binary.raw).equals(raw)).toBe(true);

		expect(ticket.pairedItem).toEqual({ item: 1 });
		expect(ticket.json).toMatchObject({ id: ticketId, subject: 'Your support ticket #4711 was updated', to: [{ address: 'AdeleV@contoso.com' }] });
		expect(ticket.json.html).toContain('cid:fabrikam-logo@fabrikam.com');
		expect(ticket.json.attachments).toEqual([
			expect.objectContaining({ fileName: 'logo.png', contentType: 'image/png', contentId: 'fabrikam-logo@fabrikam.com', inline: true, binaryProperty: 'attachment_0' }),
		]);
		const logo = await graphAs(ADELE.id, `/me/messages/${encodeURIComponent(ticketId)}/attachments`);
		expect(ctx.n8n.readBinary(ticket.binary!.attachment_0).toString('base64')).toBe(logo.value[0].contentBytes);
		expect(ticket.binary!.raw.fileName).toBe('Your support ticket #4711 was updated.eml');
	});

	it('uses the Binary Property Prefix, leaves the raw .eml out by default, and adds Outlook Properties on request', async () => {
		const id = await messageIdBySubject('Floor plan and photos');
		const run = await runOutlookNode(ctx, {
			parameters: message('get', { messageId: byId(id), options: { binaryPropertyPrefix: 'file_', includeOutlookProperties: true } }),
		});
		expect(run.error).toBeUndefined();
		expect(Object.keys(run.output[0].binary ?? {}).sort()).toEqual(['file_0', 'file_1']);
		// Include Outlook Properties: one more GET with $select; what MIME cannot say comes under "outlook".
		expect(run.graphRequests.map((r) => [r.method, r.path, r.query?.$select])).toEqual([
			['GET', `/me/messages/${id}/$value`, undefined],
			['GET', `/me/messages/${id}`, 'isRead,isDraft,flag,categories,importance,inferenceClassification,parentFolderId,conversationId,webLink,receivedDateTime,lastModifiedDateTime'],
		]);
		expect(run.output[0].json.outlook).toMatchObject({ isRead: expect.any(Boolean), isDraft: false, flag: { flagStatus: expect.any(String) }, parentFolderId: expect.any(String) });
		expect(run.output[0].json.attachments.map((a: { fileName: string; binaryProperty: string }) => [a.fileName, a.binaryProperty])).toEqual([
			['floor-plan.pdf', 'file_0'],
			['entrance.png', 'file_1'],
		]);
	});

	it('refuses a body that is not MIME (JSON), naming the message; reads a message without its closing boundary, with a warning', async () => {
		const truncatedRaw = reportMime();
		const truncatedId = await seedMime(truncatedRaw.subarray(0, truncatedRaw.lastIndexOf('--=_mixed--')));
		const okId = await messageIdBySubject('Lunch on Friday?');
		// The next $value download answers 200 with a JSON body instead of MIME.
		ctx.emu.addFault({ method: 'GET', pathPattern: `/messages/${okId}/\\$value$`, kind: 'malformed-json', times: 1 });
		try {
			const run = await runOutlookNode(ctx, {
				continueOnFail: true,
				items: [{ id: okId }, { id: truncatedId }],
				parameters: message('get', { messageId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } }),
			});
			// No retry: a wrong body is not a transient failure.
			expect(run.graphRequests).toHaveLength(2);
			expect(run.graphRequests.find((r) => r.path === `/me/messages/${okId}/$value`)).toMatchObject({ status: 200, fault: 'malformed-json' });
			expect(run.graphRequests.find((r) => r.path === `/me/messages/${truncatedId}/$value`)).toMatchObject({ status: 200 });
			const errors = run.output.map((o) => JSON.stringify(o.json.error ?? o.error ?? o.json));
			expect(errors[0]).toContain(`The content of message \\"${okId}\\" is not a MIME message: the body is JSON, not a mail message`);
			// mailparser reads it (issue #12): output with both attachments and a warning that it may be cut off.
			expect(run.output[1].error).toBeUndefined();
			expect(Object.keys(run.output[1].binary ?? {}).length).toBe(2);
			expect(JSON.stringify(run.output[1].json.warnings)).toContain('has no closing line: the message may be cut off');
		} finally {
			ctx.emu.clearFaults();
		}
	});

	it('passes Graph’s 404 for an unknown message through, and refuses an empty Message before any request', async () => {
		const missing = await runOutlookNode(ctx, { parameters: message('get', { messageId: byId('AAMkAGNoSuchMessage0001') }) });
		expect(missing.success).toBe(false);
		expect(missing.graphRequests.map((r) => [r.path, r.status])).toEqual([['/me/messages/AAMkAGNoSuchMessage0001/$value', 404]]);
		expect(missing.error?.message).toMatch(/not found/i);

		// An expression that yields nothing (a literal empty value n8n itself flags before running).
		const empty = await runOutlookNode(ctx, { parameters: message('get', { messageId: byId('={{ "" }}') }) });
		expect(empty.success).toBe(false);
		expect(empty.error?.message).toBe('Message is empty');
		expect(empty.graphRequests).toEqual([]);
	});
});

describe('List Mail Messages', () => {
	it('lists one folder with Search (quoted for Graph, inner quotes escaped), and all messages with Filter, Select and Order By', async () => {
		const run = await runOutlookNode(ctx, {
			items: [{ q: 'audit' }, { q: 'subject:"weekly sync"' }],
			parameters: message('getAll', { folderId: byId('inbox'), search: '={{ $json.q }}', limit: 5 }),
		});
		expect(run.error).toBeUndefined();
		expect(calls(run, 'method', 'path', 'query')).toEqual([
			['GET', '/me/mailFolders/inbox/messages', { $top: '5', $search: '"audit"' }],
			['GET', '/me/mailFolders/inbox/messages', { $top: '5', $search: '"subject:\\"weekly sync\\""' }],
		]);
		const auditHits = run.output.filter((o) => o.pairedItem?.item === 0).map((o) => o.json.subject);
		expect(auditHits).toContain('Audit findings (CSV attached)');

		const filtered = await runOutlookNode(ctx, {
			parameters: message('getAll', {
				returnAll: true,
				filter: 'isRead eq false',
				options: { select: 'id, subject ,isRead', orderBy: 'receivedDateTime desc' },
			}),
		});
		expect(filtered.error).toBeUndefined();
		expect(filtered.graphRequests.map((r) => [r.method, r.path, r.query])).toEqual([
			['GET', '/me/messages', { $top: '1000', $filter: 'isRead eq false', $orderby: 'receivedDateTime desc', $select: 'id,subject,isRead' }],
		]);
		expect(filtered.output.length).toBeGreaterThan(3);
		for (const item of filtered.output) {
			expect(Object.keys(item.json).filter((k) => !k.startsWith('@odata')).sort()).toEqual(['id', 'isRead', 'subject']);
			expect(item.json.isRead).toBe(false);
		}
	});

	it('refuses Search with Filter or with Order By before any request, naming both fields', async () => {
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [{ filter: 'isRead eq false', order: '' }, { filter: '', order: 'receivedDateTime desc' }],
			parameters: message('getAll', { search: 'report', filter: '={{ $json.filter }}', options: { orderBy: '={{ $json.order }}' } }),
		});
		expect(run.graphRequests).toEqual([]);
		const errors = run.output.map((o) => JSON.stringify(o.json.error ?? o.error ?? o.json));
		expect(errors[0]).toContain('Search and Filter cannot be combined: Microsoft Graph does not support $search with $filter. Clear one of them.');
		expect(errors[1]).toContain('Search and Order By cannot be combined');
	});

	it('passes Graph’s error for an invalid filter through', async () => {
		const run = await runOutlookNode(ctx, { parameters: message('getAll', { filter: 'isRead eq' }) });
		expect(run.success).toBe(false);
		expect(run.graphRequests.map((r) => [r.path, r.status])).toEqual([['/me/messages', 400]]);
		expect(run.error?.description).toMatch(/filter/i);
	});
});

describe('Delete Message', () => {
	it('deletes a message (confirmation) and reports Graph’s 404 for a second, unknown one', async () => {
		const id = await messageIdBySubject('Team offsite');
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [{ id }, { id: 'AAMkAGNoSuchMessage0002' }],
			parameters: message('delete', { messageId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } }),
		});
		expect(calls(run, 'method', 'path', 'status')).toEqual(
			sorted([
				['DELETE', `/me/messages/${id}`, 204],
				['DELETE', '/me/messages/AAMkAGNoSuchMessage0002', 404],
			]),
		);
		expect(run.output[0].json).toEqual({ deleted: true });
		expect(JSON.stringify(run.output[1])).toContain('ErrorItemNotFound');
		const left = await graphAs(ADELE.id, `/me/messages?$filter=${encodeURIComponent("subject eq 'Team offsite'")}`);
		expect(left.value).toEqual([]);
	});
});
