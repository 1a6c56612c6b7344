/**
 * What users do with a mail after it arrives, in real n8n against the emulator (one n8n start for the
 * file): Reply / Reply All / Forward (sent at once, or saved as drafts; a 5 MB attachment through the
 * draft and an upload session, sent once), Move / Copy (well-known names, new IDs, several items in one
 * $batch), Update (flag with start and due in a time zone, categories from the master list, importance,
 * Focused/Other), Mark as Read / Unread, Export as .eml, the Category resource, and bad input refused
 * before the write.
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/mail-actions.test.ts
 */
import { createHash, randomBytes } from 'node:crypto';

import { deliverMail, sentLog } from '../emulator/mail';
import { ADELE, MEGAN, byId, graphAs, runOutlookNode, startE2E, stopE2E, type E2EContext } from './support';

jest.setTimeout(300_000);

let ctx: E2EContext;

beforeAll(async () => {
	ctx = await startE2E();
});

afterAll(async () => {
	await stopE2E(ctx);
});

const mail = (operation: string, parameters: Record<string, unknown> = {}) => ({ resource: 'message', operation, ...parameters });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A mail from Megan in Adele's inbox; returns its id in Adele's mailbox. */
function mailFromMegan(subject: string): string {
	const record = deliverMail(ctx.emu.core, { from: MEGAN.mail, to: ADELE.mail, subject, text: `Body of ${subject}` });
	const copy = record.deliveredTo.find((entry) => entry.userId === ADELE.id);
	if (!copy) throw new Error('not delivered to Adele');
	return copy.messageId;
}

const sentWithSubject = (subject: string) => sentLog(ctx.emu.core).filter((record) => record.subject === subject);
/** The JSON batch envelopes that went over the wire during a run. */
const batchEnvelopes = (run: { requests: Array<{ path: string; parentRequestId?: string }> }) =>
	run.requests.filter((r) => r.path === '/$batch' && !r.parentRequestId);

describe('Reply, Reply All, Forward', () => {
	it('Reply sends at once with a comment, extra CC and an attachment: one POST /reply (202), a copy in Sent Items', async () => {
		const id = mailFromMegan('E2E question');
		const run = await runOutlookNode(ctx, {
			binaryItems: [{ json: {}, binary: { data: { base64: Buffer.from('notes').toString('base64'), fileName: 'notes.txt', mimeType: 'text/plain' } } }],
			parameters: mail('reply', {
				messageId: byId(id),
				answerCc: 'sales@contoso.com',
				comment: 'Thanks, see the notes.',
				attachments: { attachment: [{ binaryPropertyName: 'data' }] },
			}),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', `/me/messages/${id}/reply`, 202]]);
		expect(run.graphRequests[0].body).toMatchObject({
			comment: 'Thanks, see the notes.',
			message: { ccRecipients: [{ emailAddress: { address: 'sales@contoso.com' } }], attachments: [{ name: 'notes.txt', contentBytes: Buffer.from('notes').toString('base64') }] },
		});
		expect(run.output.map((o) => o.json)).toEqual([
			{ sent: true, action: 'reply', messageId: id, to: [], cc: ['sales@contoso.com'], bcc: [], attachments: ['notes.txt'] },
		]);
		const [record] = sentWithSubject('RE: E2E question');
		expect(record).toMatchObject({ via: 'reply', to: [MEGAN.mail], cc: ['sales@contoso.com'], attachmentCount: 1, savedToSentItems: true });
		expect((await graphAs(ctx.emu, 'GET', `/me/messages/${record.sentItemId}`)).body.subject).toBe('RE: E2E question');
	});

	it('Reply All saved as a draft with a full text body and Options: createReplyAll (201), the draft is the output, nothing sent', async () => {
		const id = mailFromMegan('E2E draft me');
		const run = await runOutlookNode(ctx, {
			parameters: mail('replyAll', {
				messageId: byId(id),
				answerMode: 'draft',
				answerBody: 'Draft body',
				answerBodyContentType: 'text',
				options: { importance: 'high', replyTo: 'team@contoso.com', isReadReceiptRequested: true },
			}),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', `/me/messages/${id}/createReplyAll`, 201]]);
		expect((run.graphRequests[0].body as any).message).toMatchObject({ importance: 'high', replyTo: [{ emailAddress: { address: 'team@contoso.com' } }], isReadReceiptRequested: true });
		expect(run.output[0].json).toMatchObject({
			isDraft: true,
			subject: 'RE: E2E draft me',
			body: { content: 'Draft body' },
			importance: 'high',
			replyTo: [{ emailAddress: { address: 'team@contoso.com' } }],
			isReadReceiptRequested: true,
		});
		expect(sentWithSubject('RE: E2E draft me')).toEqual([]);
	});

	it('Forward with a 5 MB file: createForward → upload session → send, delivered exactly once', async () => {
		const id = mailFromMegan('E2E big forward');
		const big = randomBytes(5 * 1024 * 1024);
		const run = await runOutlookNode(ctx, {
			binaryItems: [{ json: {}, binary: { data: { base64: big.toString('base64'), fileName: 'big.bin', mimeType: 'application/octet-stream' } } }],
			parameters: mail('forward', { messageId: byId(id), answerTo: 'sales@contoso.com', comment: 'FYI', attachments: { attachment: [{ binaryPropertyName: 'data' }] } }),
		});
		expect(run.error).toBeUndefined();
		const steps = run.graphRequests.map((r) => `${r.method} ${r.path.replace(/AAMk[^/]+/g, '{id}')}`);
		expect(steps[0]).toBe('POST /me/messages/{id}/createForward');
		expect(steps).toContain('POST /me/messages/{id}/attachments/createUploadSession');
		expect(steps[steps.length - 1]).toBe('POST /me/messages/{id}/send');
		expect(run.output[0].json).toMatchObject({ sent: true, action: 'forward', to: ['sales@contoso.com'], attachments: ['big.bin'], draftId: expect.any(String) });
		const records = sentWithSubject('FW: E2E big forward');
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({ to: ['sales@contoso.com'], attachmentBytes: expect.any(Number) });
		expect(records[0].attachmentBytes).toBeGreaterThanOrEqual(big.length);
	});

	it('refuses, per item and before any request: Comment with Body, a Forward without To, a bad CC address', async () => {
		const id = mailFromMegan('E2E refused');
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [{ comment: 'c', body: 'b' }, { cc: 'not-an-address' }],
			parameters: mail('reply', {
				messageId: byId(id),
				comment: '={{ $json.comment ?? "" }}',
				answerBody: '={{ $json.body ?? "" }}',
				answerCc: '={{ $json.cc ?? "" }}',
			}),
		});
		const forward = await runOutlookNode(ctx, { continueOnFail: true, parameters: mail('forward', { messageId: byId(id), comment: 'c' }) });
		expect([...run.graphRequests, ...forward.graphRequests]).toEqual([]);
		expect([...run.output, ...forward.output].map((o) => String(o.json.error))).toEqual([
			'Comment and Body cannot be used together',
			'CC contains an invalid email address: "not-an-address"',
			'Forward needs a recipient in To',
		]);
	});
});

describe('Move, Copy, Update, Mark as Read, Export', () => {
	it('moves 24 messages to Archive through $batch (new IDs, each moved once) and copies one to a folder by ID', async () => {
		const ids = Array.from({ length: 24 }, (_, i) => mailFromMegan(`E2E move ${i + 1}`));
		const run = await runOutlookNode(ctx, {
			items: ids.map((id) => ({ id })),
			parameters: mail('move', { messageId: byId('={{ $json.id }}'), destinationFolderId: byId('archive') }),
		});
		expect(run.error).toBeUndefined();
		// The first items leave alone (free slots), the rest wait in serial batches.
		expect(batchEnvelopes(run).length).toBeGreaterThanOrEqual(1);
		expect(run.graphRequests.map((r) => [r.method, r.status, r.body])).toEqual(ids.map(() => ['POST', 201, { destinationId: 'archive' }]));
		expect(new Set(run.graphRequests.map((r) => r.path))).toEqual(new Set(ids.map((id) => `/me/messages/${id}/move`)));
		const archive = (await graphAs(ctx.emu, 'GET', '/me/mailFolders/archive')).body;
		expect(run.output.map((o) => [o.json.subject, o.json.parentFolderId, o.pairedItem])).toEqual(ids.map((_, i) => [`E2E move ${i + 1}`, archive.id, { item: i }]));
		for (const [i, o] of run.output.entries()) expect(o.json.id).not.toBe(ids[i]);

		const inbox = (await graphAs(ctx.emu, 'GET', '/me/mailFolders/inbox')).body;
		const copy = await runOutlookNode(ctx, { parameters: mail('copy', { messageId: byId(run.output[0].json.id), destinationFolderId: byId(inbox.id) }) });
		expect(copy.error).toBeUndefined();
		expect(copy.output[0].json).toMatchObject({ subject: 'E2E move 1', parentFolderId: inbox.id });
		expect(copy.output[0].json.id).not.toBe(run.output[0].json.id);
	});

	it('updates flag (start and due in a time zone), categories, importance and Focused/Other in one PATCH (200)', async () => {
		const id = mailFromMegan('E2E triage');
		const run = await runOutlookNode(ctx, {
			parameters: mail('update', {
				messageId: byId(id),
				updateFields: {
					flagStatus: 'flagged',
					flagStartDateTime: '2026-05-01T09:00:00',
					flagDueDateTime: '2026-05-04T17:00:00',
					flagTimeZone: 'W. Europe Standard Time',
					categories: ['Red category', 'Blue category'],
					importance: 'high',
					inferenceClassification: 'other',
					isRead: true,
				},
			}),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
			['GET', '/me/outlook/masterCategories', 200],
			['PATCH', `/me/messages/${id}`, 200],
		]);
		const flag = {
			flagStatus: 'flagged',
			startDateTime: { dateTime: '2026-05-01T09:00:00', timeZone: 'W. Europe Standard Time' },
			dueDateTime: { dateTime: '2026-05-04T17:00:00', timeZone: 'W. Europe Standard Time' },
		};
		expect(run.graphRequests[1].body).toEqual({ isRead: true, importance: 'high', inferenceClassification: 'other', flag, categories: ['Red category', 'Blue category'] });
		expect(run.output[0].json).toMatchObject({ id, flag, categories: ['Red category', 'Blue category'], importance: 'high', inferenceClassification: 'other', isRead: true });

		// Add Category Names keeps what the message has: read it, then PATCH the union.
		const add = await runOutlookNode(ctx, { parameters: mail('update', { messageId: byId(id), updateFields: { addCategories: ['Green category', 'red category'] } }) });
		expect(add.error).toBeUndefined();
		expect(add.graphRequests.map((r) => [r.method, r.path, r.query?.$select])).toEqual([
			['GET', '/me/outlook/masterCategories', undefined],
			['GET', `/me/messages/${id}`, 'categories'],
			['PATCH', `/me/messages/${id}`, undefined],
		]);
		expect(add.graphRequests[2].body).toEqual({ categories: ['Red category', 'Blue category', 'Green category'] });
	});

	it('refuses an unknown category (only the master list is read), a due date before the start (no request), and passes Graph’s draft-only refusal through; recipients and receipts change on a received message', async () => {
		const id = mailFromMegan('E2E update refused');
		const unknown = await runOutlookNode(ctx, { parameters: mail('update', { messageId: byId(id), updateFields: { categories: ['Nope'] } }) });
		expect(unknown.success).toBe(false);
		expect(unknown.error?.message).toBe('Category "Nope" is not in the mailbox\'s master list');
		expect(unknown.graphRequests.map((r) => [r.method, r.path])).toEqual([['GET', '/me/outlook/masterCategories']]);

		const backwards = await runOutlookNode(ctx, {
			parameters: mail('update', { messageId: byId(id), updateFields: { flagStatus: 'flagged', flagStartDateTime: '2026-05-04T09:00:00', flagDueDateTime: '2026-05-01T09:00:00' } }),
		});
		expect(backwards.error?.message).toBe('Flag Due (2026-05-01T09:00:00) is before Flag Start (2026-05-04T09:00:00)');
		expect(backwards.graphRequests).toEqual([]);

		const notDraft = await runOutlookNode(ctx, { parameters: mail('update', { messageId: byId(id), updateFields: { subject: 'Changed' } }) });
		expect(notDraft.graphRequests.map((r) => r.status)).toEqual([400]);
		expect(notDraft.error?.message).toContain('ErrorInvalidPropertyUpdateSentMessage');
		expect(notDraft.error?.description).toContain('request-id');

		// Recipients and receipts are updatable on any message (message-update.md marks only body, subject, replyTo and
		// internetMessageId draft-only); Reply To on a received message is Graph's refusal again.
		const received = await runOutlookNode(ctx, {
			parameters: mail('update', { messageId: byId(id), updateFields: { toRecipients: 'sales@contoso.com', isReadReceiptRequested: true } }),
		});
		expect(received.error).toBeUndefined();
		expect(received.graphRequests[0].body).toEqual({ isReadReceiptRequested: true, toRecipients: [{ emailAddress: { address: 'sales@contoso.com' } }] });
		expect(received.output[0].json).toMatchObject({ isReadReceiptRequested: true, toRecipients: [{ emailAddress: { address: 'sales@contoso.com' } }] });
		const replyTo = await runOutlookNode(ctx, { parameters: mail('update', { messageId: byId(id), updateFields: { replyTo: 'team@contoso.com' } }) });
		expect(replyTo.error?.message).toContain('ErrorInvalidPropertyUpdateSentMessage');
	});

	it('Mark as Read for 24 items goes through $batch; Mark as Unread sets one back', async () => {
		const ids = Array.from({ length: 24 }, (_, i) => mailFromMegan(`E2E read ${i + 1}`));
		const read = await runOutlookNode(ctx, { items: ids.map((id) => ({ id })), parameters: mail('markAsRead', { messageId: byId('={{ $json.id }}') }) });
		expect(read.error).toBeUndefined();
		expect(batchEnvelopes(read).length).toBeGreaterThanOrEqual(1);
		expect(read.graphRequests.map((r) => [r.method, r.body, r.status])).toEqual(ids.map(() => ['PATCH', { isRead: true }, 200]));
		expect(read.output.map((o) => [o.json.id, o.json.isRead])).toEqual(ids.map((id) => [id, true]));

		const unread = await runOutlookNode(ctx, { parameters: mail('markAsUnread', { messageId: byId(ids[0]) }) });
		expect(unread.graphRequests.map((r) => [r.method, r.path, r.body])).toEqual([['PATCH', `/me/messages/${ids[0]}`, { isRead: false }]]);
		expect(unread.output[0].json.isRead).toBe(false);
	});

	it('exports a message as an .eml file: the $value bytes, unparsed', async () => {
		const id = mailFromMegan('E2E export');
		const run = await runOutlookNode(ctx, { parameters: mail('exportEml', { messageId: byId(id), binaryPropertyName: 'eml' }) });
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.path])).toEqual([['GET', `/me/messages/${id}/$value`]]);
		const token = ctx.emu.issueToken({ userId: ADELE.id });
		const mime = Buffer.from(await (await fetch(`${ctx.emu.url}/v1.0/me/messages/${id}/$value`, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer());
		const binary = run.output[0].binary?.eml;
		expect(binary).toMatchObject({ mimeType: 'message/rfc822', fileName: expect.stringMatching(/\.eml$/) });
		expect(sha256(ctx.n8n.readBinary(binary!))).toBe(sha256(mime));
		expect(run.output[0].json).toMatchObject({ id, size: mime.length });
	});
});

describe('Category', () => {
	it('creates a category (201), lists it, refuses a duplicate with Graph’s 409, deletes it (204)', async () => {
		const created = await runOutlookNode(ctx, { parameters: { resource: 'category', operation: 'create', displayName: 'E2E Invoices', color: 'preset9' } });
		expect(created.error).toBeUndefined();
		expect(created.graphRequests.map((r) => [r.method, r.path, r.status, r.body])).toEqual([
			['POST', '/me/outlook/masterCategories', 201, { displayName: 'E2E Invoices', color: 'preset9' }],
		]);
		const id = created.output[0].json.id;

		const list = await runOutlookNode(ctx, { parameters: { resource: 'category', operation: 'getAll' } });
		expect(list.output.map((o) => o.json.displayName)).toEqual(expect.arrayContaining(['Red category', 'E2E Invoices']));

		const duplicate = await runOutlookNode(ctx, { parameters: { resource: 'category', operation: 'create', displayName: 'E2E Invoices' } });
		expect(duplicate.graphRequests.map((r) => r.status)).toEqual([409]);
		expect(duplicate.error?.message).toContain('ErrorDuplicateCategoryName');

		const deleted = await runOutlookNode(ctx, { parameters: { resource: 'category', operation: 'delete', categoryId: byId(id) } });
		expect(deleted.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['DELETE', `/me/outlook/masterCategories/${id}`, 204]]);
		expect(deleted.output[0].json).toEqual({ deleted: true });
	});
});
