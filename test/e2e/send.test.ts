/**
 * Send Message in real n8n against the emulator: one POST /sendMail with attachments from binary
 * properties and Dynamic Attachments; a 5 MB attachment through a draft, an upload session and
 * chunked PUTs (no token), sent exactly once, Sent Items copy removed on request; a failed final
 * send that names the draft; Options (importance, Reply To, receipts, custom headers, From) on Send and Create
 * Draft; bad input refused with no request; Graph's recipient error.
 * Run: npm run build && npx jest test/e2e/send.test.ts
 */
import { createHash, randomBytes } from 'node:crypto';

import { ADELE, MEGAN, SALES, graph, runOutlookNode, useE2E } from './support';

const ctx = useE2E({}, 300_000);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** GET as a user, outside n8n; an error answer throws. */
const graphAs = async (userId: string, path: string) => await graph(ctx, 'GET', path, { userId, expectOk: true });

/** Messages with this subject in a folder of a mailbox, attachments (with content) expanded. */
async function messagesWithSubject(userId: string, folder: string, subject: string): Promise<any[]> {
	const filter = encodeURIComponent(`subject eq '${subject}'`);
	const page = await graphAs(userId, `/me/mailFolders/${folder}/messages?$filter=${filter}&$expand=attachments`);
	return page.value;
}

/** The emulator's log of submitted mail for one subject. */
async function sentRecords(subject: string): Promise<any[]> {
	const log = (await (await fetch(`${ctx.emu.url}/_emulator/mail/sent`)).json()) as { value: any[] };
	return log.value.filter((record) => record.subject === subject);
}

const NOTES = Buffer.from('Meeting notes\r\n- budget approved\r\n', 'utf8');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000a49444154789c6300010000050001', 'hex');
const CSV = Buffer.from('item,amount\r\nTravel,1200\r\n', 'utf8');

const file = (data: Buffer, fileName: string, mimeType: string) => ({ base64: data.toString('base64'), fileName, mimeType });
const send = (parameters: Record<string, unknown>) => ({ resource: 'message', operation: 'send', ...parameters });

describe('Send Message', () => {
	it('sends small attachments (binary properties and Dynamic Attachments) in one POST /sendMail', async () => {
		const subject = 'E2E small send';
		const run = await runOutlookNode(ctx, {
			binaryItems: [
				{
					json: { to: 'MeganB@contoso.com' },
					binary: { data: file(NOTES, 'notes-original.txt', 'text/plain'), logo: file(PNG, 'logo.png', 'image/png') },
				},
			],
			parameters: send({
				toRecipients: '={{ $json.to }}',
				ccRecipients: 'sales@contoso.com',
				subject,
				bodyContent: '<p>Hello <b>Megan</b></p>',
				attachments: { attachment: [{ binaryPropertyName: 'data', fileName: 'notes.txt' }, { binaryPropertyName: 'logo' }] },
				dynamicAttachments: JSON.stringify([
					{ key: 'numbers.csv', value: CSV.toString('base64') },
					{ key: 'logo-copy.png', value: 'logo' },
				]),
			}),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/me/sendMail', 202]]);
		const attachment = (name: string, contentType: string, data: Buffer) => ({
			'@odata.type': '#microsoft.graph.fileAttachment',
			name,
			contentType,
			contentBytes: data.toString('base64'),
		});
		expect(run.graphRequests[0].body).toEqual({
			message: {
				subject,
				body: { contentType: 'HTML', content: '<p>Hello <b>Megan</b></p>' },
				toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }],
				ccRecipients: [{ emailAddress: { address: 'sales@contoso.com' } }],
				attachments: [
					attachment('notes.txt', 'text/plain', NOTES),
					attachment('logo.png', 'image/png', PNG),
					attachment('numbers.csv', 'text/csv', CSV),
					attachment('logo-copy.png', 'image/png', PNG),
				],
			},
			saveToSentItems: true,
		});
		expect(run.output).toHaveLength(1);
		expect(run.output[0].json).toEqual({
			sent: true,
			to: ['MeganB@contoso.com'],
			cc: ['sales@contoso.com'],
			bcc: [],
			subject,
			attachments: ['notes.txt', 'logo.png', 'numbers.csv', 'logo-copy.png'],
		});
		expect(run.output[0].pairedItem).toEqual({ item: 0 });

		const [received] = await messagesWithSubject(MEGAN.id, 'inbox', subject);
		expect(received.from.emailAddress.address).toBe(ADELE.mail);
		expect(received.body.content).toContain('Hello <b>Megan</b>');
		expect(received.attachments.map((a: any) => [a.name, a.contentBytes])).toEqual([
			['notes.txt', NOTES.toString('base64')],
			['logo.png', PNG.toString('base64')],
			['numbers.csv', CSV.toString('base64')],
			['logo-copy.png', PNG.toString('base64')],
		]);
		const records = await sentRecords(subject);
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({ via: 'sendMail', savedToSentItems: true, attachmentCount: 4 });
		expect(records[0].deliveredTo.map((d: any) => d.userId).sort()).toEqual([MEGAN.id, SALES.id].sort());
	});

	it('sends a 5 MB attachment through a draft and an upload session, exactly once, and removes the Sent Items copy', async () => {
		const subject = 'E2E large send';
		const big = randomBytes(5 * 1024 * 1024);
		const run = await runOutlookNode(ctx, {
			binaryItems: [{ json: {}, binary: { big: file(big, 'dataset.bin', 'application/octet-stream'), data: file(NOTES, 'n.txt', 'text/plain') } }],
			parameters: send({
				toRecipients: 'MeganB@contoso.com',
				subject,
				bodyContent: 'Dataset attached.',
				bodyContentType: 'text',
				attachments: { attachment: [{ binaryPropertyName: 'big' }, { binaryPropertyName: 'data', fileName: 'notes.txt' }] },
				saveToSentItems: false,
			}),
		});
		expect(run.error).toBeUndefined();
		const draftId = run.output[0]?.json.draftId as string;
		expect(draftId).toMatch(/^AAMk/);
		const steps = run.graphRequests.map((r) => `${r.method} ${r.path.replace(draftId, '{draft}').replace(/AttachmentSessions\/.*/, 'AttachmentSessions/{session}')} ${r.status}`);
		expect(steps).toEqual([
			'POST /me/messages 201',
			'POST /me/messages/{draft}/attachments/createUploadSession 201',
			'PUT /upload/AttachmentSessions/{session} 200',
			'PUT /upload/AttachmentSessions/{session} 201',
			'POST /me/messages/{draft}/attachments 201',
			'POST /me/messages/{draft}/send 202',
			'GET /me/mailFolders/sentitems/messages 200',
			expect.stringMatching(/^DELETE \/me\/messages\/AAMk\S+ 204$/),
		]);
		const [draft, session, firstChunk, lastChunk, small] = run.graphRequests;
		expect(draft.body).toEqual({
			subject,
			body: { contentType: 'Text', content: 'Dataset attached.' },
			toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }],
		});
		expect(session.body).toEqual({
			AttachmentItem: { attachmentType: 'file', name: 'dataset.bin', size: big.length, contentType: 'application/octet-stream' },
		});
		// Chunks: multiples of 320 KiB, under 4 MB, and never the Graph token.
		expect([firstChunk, lastChunk].map((r) => [r.headers['content-range'], r.bodyBytes, r.headers.authorization])).toEqual([
			['bytes 0-3932159/5242880', 3932160, undefined],
			['bytes 3932160-5242879/5242880', 5242880 - 3932160, undefined],
		]);
		expect((small.body as any).name).toBe('notes.txt');
		expect(run.graphRequests[6].query).toEqual({ $filter: expect.stringMatching(/^internetMessageId eq '<.+>'$/), $select: 'id' });

		expect(run.output[0].json).toEqual({
			sent: true,
			to: ['MeganB@contoso.com'],
			cc: [],
			bcc: [],
			subject,
			attachments: ['dataset.bin', 'notes.txt'],
			draftId,
			sentItemsCopyRemoved: true,
		});

		const records = await sentRecords(subject);
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({ via: 'send', attachmentCount: 2, attachmentBytes: big.length + NOTES.length });
		const [received] = await messagesWithSubject(MEGAN.id, 'inbox', subject);
		const bigCopy = received.attachments.find((a: any) => a.name === 'dataset.bin');
		expect(bigCopy.size).toBe(big.length);
		expect(sha256(Buffer.from(bigCopy.contentBytes, 'base64'))).toBe(sha256(big));
		expect(await messagesWithSubject(ADELE.id, 'sentitems', subject)).toEqual([]);
		expect(await messagesWithSubject(ADELE.id, 'drafts', subject)).toEqual([]);
	});

	it('names the draft when the final send fails, and sends nothing', async () => {
		const subject = 'E2E failed send';
		// 2 x 1.6 MB: too much for one sendMail request, each small enough for POST /attachments.
		const part = randomBytes(1_600_000);
		ctx.emu.addFault({ method: 'POST', pathPattern: '/messages/[^/]+/send$', kind: 'status', status: 500, code: 'ErrorInternalServerError', times: 1 });
		try {
			const run = await runOutlookNode(ctx, {
				binaryItems: [{ json: {}, binary: { a: file(part, 'part-a.bin', 'application/octet-stream'), b: file(part, 'part-b.bin', 'application/octet-stream') } }],
				parameters: send({
					toRecipients: 'MeganB@contoso.com',
					subject,
					attachments: { attachment: [{ binaryPropertyName: 'a' }, { binaryPropertyName: 'b' }] },
				}),
			});
			expect(run.success).toBe(false);
			const draftId = run.graphRequests[1].path.split('/')[3];
			expect(run.graphRequests.map((r) => `${r.method} ${r.path.replace(draftId, '{draft}')} ${r.status}`)).toEqual([
				'POST /me/messages 201',
				'POST /me/messages/{draft}/attachments 201',
				'POST /me/messages/{draft}/attachments 201',
				// A 500 on a send is not repeated: Graph may have sent it.
				'POST /me/messages/{draft}/send 500',
			]);
			expect(run.error?.message).toContain('(while sending the draft)');
			expect(run.error?.description).toContain(`draft with ID ${draftId}`);
			expect(await sentRecords(subject)).toEqual([]);
			const [draft] = await messagesWithSubject(ADELE.id, 'drafts', subject);
			expect(draft.id).toBe(draftId);
			expect(draft.attachments.map((a: any) => a.name)).toEqual(['part-a.bin', 'part-b.bin']);
		} finally {
			ctx.emu.clearFaults();
		}
	});

	it('Options (importance, Reply To, receipts, custom headers, From) reach the recipient; Create Draft takes the same Options; a bad header name or Reply To is refused before any request', async () => {
		const subject = 'E2E send options';
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [
				{ header: 'X-Ticket-ID', replyTo: 'team@contoso.com' },
				{ header: 'Ticket-ID', replyTo: 'team@contoso.com' },
				{ header: 'X-Ticket-ID', replyTo: 'team at contoso' },
			],
			parameters: send({
				toRecipients: 'MeganB@contoso.com',
				subject,
				bodyContent: 'With options',
				options: {
					importance: 'high',
					categories: ['Red category'],
					replyTo: '={{ $json.replyTo }}',
					isReadReceiptRequested: true,
					isDeliveryReceiptRequested: true,
					from: 'sales@contoso.com',
					internetMessageHeaders: { header: [{ name: '={{ $json.header }}', value: '4711' }] },
				},
			}),
		});
		const errors = run.output.map((o) => JSON.stringify(o.json.error ?? o.error ?? ''));
		expect(errors[1]).toContain('Options → Custom Headers: \\"Ticket-ID\\" is not a custom header name');
		expect(errors[2]).toContain('Options → Reply To contains an invalid email address: \\"team at contoso\\"');
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/me/sendMail', 202]]);
		expect((run.graphRequests[0].body as any).message).toMatchObject({
			importance: 'high',
			categories: ['Red category'],
			replyTo: [{ emailAddress: { address: 'team@contoso.com' } }],
			isReadReceiptRequested: true,
			isDeliveryReceiptRequested: true,
			from: { emailAddress: { address: 'sales@contoso.com' } },
			internetMessageHeaders: [{ name: 'X-Ticket-ID', value: '4711' }],
		});
		const select = '$select=subject,importance,replyTo,from,isReadReceiptRequested,isDeliveryReceiptRequested,internetMessageHeaders';
		const filter = encodeURIComponent(`subject eq '${subject}'`);
		const [received] = (await graphAs(MEGAN.id, `/me/mailFolders/inbox/messages?$filter=${filter}&${select}`)).value;
		expect(received).toMatchObject({
			importance: 'high',
			replyTo: [{ emailAddress: { address: 'team@contoso.com' } }],
			from: { emailAddress: { address: 'sales@contoso.com' } },
			isReadReceiptRequested: true,
		});
		expect(received.internetMessageHeaders).toEqual(expect.arrayContaining([{ name: 'X-Ticket-ID', value: '4711' }]));

		const draftRun = await runOutlookNode(ctx, {
			parameters: {
				resource: 'draft',
				operation: 'create',
				subject: 'E2E draft options',
				options: { importance: 'low', internetMessageHeaders: { header: [{ name: 'X-Source', value: 'n8n' }] } },
			},
		});
		expect(draftRun.error).toBeUndefined();
		const draftId = draftRun.output[0].json.id as string;
		const draft = await graphAs(ADELE.id, `/me/messages/${draftId}?$select=importance,isDraft,internetMessageHeaders`);
		expect(draft).toMatchObject({ importance: 'low', isDraft: true, internetMessageHeaders: [{ name: 'X-Source', value: 'n8n' }] });
	});

	it('refuses bad addresses, no recipient, a missing binary property and bad Dynamic Attachments before any request; passes Graph’s recipient error through', async () => {
		const items = [
			{ to: 'not-an-address, MeganB@contoso.com', prop: 'data' },
			{ to: '', prop: 'data' },
			{ to: 'MeganB@contoso.com', prop: 'missing' },
			{ to: 'MeganB@contoso.com', prop: 'data', dyn: '[{"key": "x.txt", "value": "not base64!"}]' },
			{ to: 'MeganB@contoso.com', prop: 'data', dyn: '{"key": "x.txt"}' },
			{ to: 'someone@exa_mple.com', prop: 'data' },
		];
		const before = await sentRecords('E2E refused');
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			binaryItems: items.map((json) => ({ json, binary: { data: file(NOTES, 'notes.txt', 'text/plain') } })),
			parameters: send({
				toRecipients: '={{ $json.to }}',
				subject: 'E2E refused',
				attachments: { attachment: [{ binaryPropertyName: '={{ $json.prop }}' }] },
				dynamicAttachments: '={{ $json.dyn ?? "" }}',
			}),
		});
		const errors = run.output.map((o) => JSON.stringify(o.json.error ?? o.error ?? o.json));
		expect(errors[0]).toContain('To contains an invalid email address: \\"not-an-address\\"');
		expect(errors[1]).toContain('The message has no recipient');
		expect(errors[2]).toContain('Attachments: the input item has no binary property \\"missing\\"');
		expect(errors[3]).toContain('Dynamic Attachments entry 1 (\\"x.txt\\"): the value is neither a binary property of the input item nor base64 content');
		expect(errors[4]).toContain('Dynamic Attachments must be a JSON array');
		expect(errors[5]).toMatch(/Microsoft Graph rejected the recipients — At least one recipient isn't valid\..* \(request-id: [0-9a-f-]{36}\) \[ErrorInvalidRecipients\]/);
		// Only the last item, whose input is valid for the node, reached Graph.
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/me/sendMail', 400]]);
		expect((run.graphRequests[0].body as any).message.toRecipients).toEqual([{ emailAddress: { address: 'someone@exa_mple.com' } }]);
		expect(await sentRecords('E2E refused')).toEqual(before);
	});
});
