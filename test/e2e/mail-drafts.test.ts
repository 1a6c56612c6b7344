/**
 * Draft, Message Attachment and Mail Folder (get, rename, move, copy, child folders) in real n8n
 * against the emulator, one n8n start for the whole file: create drafts with small and large
 * (upload session) attachments, update, get, list, list/add/download/delete attachments (file,
 * attached mail as .eml, reference attachment → Graph's 405 said plainly), send per item through
 * $batch exactly once, delete; folder operations with Graph's status codes.
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/mail-drafts.test.ts
 */
import { randomBytes } from 'node:crypto';

import { sentLog } from '../emulator/mail';
import { byId, graphAs, MEGAN, runOutlookNode, startE2E, stopE2E, type E2EContext } from './support';

jest.setTimeout(240_000);

let ctx: E2EContext;

beforeAll(async () => {
	ctx = await startE2E();
});

afterAll(async () => {
	await stopE2E(ctx);
});

const draft = (operation: string, parameters: Record<string, unknown> = {}) => ({ resource: 'draft', operation, ...parameters });
const attachment = (operation: string, parameters: Record<string, unknown> = {}) => ({ resource: 'messageAttachment', operation, ...parameters });
const folder = (operation: string, parameters: Record<string, unknown> = {}) => ({ resource: 'folder', operation, ...parameters });
const file = (data: Buffer, fileName: string, mimeType: string) => ({ base64: data.toString('base64'), fileName, mimeType });
/** Upload-session paths carry a session id: one name for all. */
const step = (r: { method: string; path: string; status?: number }, ids: Record<string, string>) => {
	let path = r.path.replace(/AttachmentSessions\/.*/, 'AttachmentSessions/{session}');
	for (const [name, id] of Object.entries(ids)) path = path.split(id).join(`{${name}}`);
	return `${r.method} ${path} ${r.status}`;
};

const NOTES = Buffer.from('Meeting notes\n');
const BIG = randomBytes(3_500_000);

describe('Draft and Message Attachment', () => {
	let small: string;
	let large: string;

	it('creates a draft per item: small files inside the create request, a 3.5 MB file by upload session', async () => {
		const run = await runOutlookNode(ctx, {
			binaryItems: [
				{ json: { subject: 'E2E draft small' }, binary: { data: file(NOTES, 'notes.txt', 'text/plain') } },
				{ json: { subject: 'E2E draft large' }, binary: { data: file(BIG, 'dataset.bin', 'application/octet-stream') } },
			],
			parameters: draft('create', {
				subject: '={{ $json.subject }}',
				toRecipients: MEGAN.mail,
				bodyContent: 'Draft body',
				bodyContentType: 'text',
				attachments: { attachment: [{ binaryPropertyName: 'data' }] },
			}),
		});
		expect(run.error).toBeUndefined();
		expect(run.output.map((o) => [o.json.subject, o.json.isDraft, o.json.hasAttachments, o.pairedItem])).toEqual([
			['E2E draft small', true, true, { item: 0 }],
			['E2E draft large', true, true, { item: 1 }],
		]);
		[small, large] = run.output.map((o) => o.json.id as string);
		const steps = run.graphRequests.map((r) => step(r, { small, large })).sort();
		expect(steps).toEqual(
			[
				'POST /me/messages 201',
				'POST /me/messages 201',
				'POST /me/messages/{large}/attachments/createUploadSession 201',
				'PUT /upload/AttachmentSessions/{session} 201',
			].sort(),
		);
		const smallCreate = run.graphRequests.find((r) => (r.body as any)?.subject === 'E2E draft small');
		expect((smallCreate?.body as any).attachments).toEqual([
			{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'notes.txt', contentType: 'text/plain', contentBytes: NOTES.toString('base64') },
		]);
		const largeCreate = run.graphRequests.find((r) => (r.body as any)?.subject === 'E2E draft large');
		expect((largeCreate?.body as any).attachments).toBeUndefined();
	});

	it('updates, gets and lists drafts', async () => {
		const updated = await runOutlookNode(ctx, {
			parameters: draft('update', { draftId: byId(small), updateFields: { subject: 'E2E draft small v2', ccRecipients: 'carla@contoso.com', importance: 'high', from: 'sales@contoso.com' } }),
		});
		expect(updated.error).toBeUndefined();
		expect(updated.graphRequests.map((r) => [r.method, r.path, r.body])).toEqual([
			[
				'PATCH',
				`/me/messages/${small}`,
				{
					subject: 'E2E draft small v2',
					ccRecipients: [{ emailAddress: { address: 'carla@contoso.com' } }],
					importance: 'high',
					from: { emailAddress: { address: 'sales@contoso.com' } },
				},
			],
		]);
		expect(updated.output[0].json).toMatchObject({ subject: 'E2E draft small v2', importance: 'high', from: { emailAddress: { address: 'sales@contoso.com' } } });

		const got = await runOutlookNode(ctx, { parameters: draft('get', { draftId: byId(small), options: { select: 'subject,isDraft' } }) });
		expect(got.graphRequests.map((r) => r.query)).toEqual([{ $select: 'subject,isDraft' }]);
		expect(got.output[0].json).toMatchObject({ id: small, subject: 'E2E draft small v2', isDraft: true });
		expect(got.output[0].json.body).toBeUndefined();

		const listed = await runOutlookNode(ctx, { parameters: draft('getAll', { returnAll: true, options: { select: 'subject' } }) });
		expect(listed.graphRequests.map((r) => [r.method, r.path, r.query])).toEqual([['GET', '/me/mailFolders/drafts/messages', { $top: '1000', $select: 'subject' }]]);
		expect(listed.output.map((o) => o.json.id)).toEqual(expect.arrayContaining([small, large]));
	});

	it('lists attachments without content, adds files, downloads a file and an attached mail, deletes one', async () => {
		const listed = await runOutlookNode(ctx, { parameters: attachment('getAll', { messageId: byId(large) }) });
		expect(listed.graphRequests[0].query).toEqual({ $select: 'id,name,size,contentType,isInline,lastModifiedDateTime', $top: '50' });
		expect(listed.output.map((o) => [o.json['@odata.type'], o.json.name, o.json.size, 'contentBytes' in o.json])).toEqual([
			['#microsoft.graph.fileAttachment', 'dataset.bin', BIG.length, false],
		]);

		const added = await runOutlookNode(ctx, {
			binaryItems: [{ json: {}, binary: { data: file(NOTES, 'agenda.txt', 'text/plain'), big: file(BIG, 'copy.bin', 'application/octet-stream') } }],
			parameters: attachment('add', { messageId: byId(small), attachments: { attachment: [{ binaryPropertyName: 'data' }, { binaryPropertyName: 'big' }] } }),
		});
		expect(added.error).toBeUndefined();
		expect(added.graphRequests.map((r) => step(r, { small }))).toEqual([
			'POST /me/messages/{small}/attachments 201',
			'POST /me/messages/{small}/attachments/createUploadSession 201',
			'PUT /upload/AttachmentSessions/{session} 201',
		]);
		expect(added.output.map((o) => [o.json.name, o.json.size, 'contentBytes' in o.json])).toEqual([
			['agenda.txt', NOTES.length, false],
			['copy.bin', BIG.length, false],
		]);

		const mail = await graphAs(ctx.emu, 'POST', `/me/messages/${small}/attachments`, {
			body: { '@odata.type': '#microsoft.graph.itemAttachment', name: 'Original request', item: { subject: 'Attached mail', body: { contentType: 'Text', content: 'inner' } } },
		});
		const link = await graphAs(ctx.emu, 'POST', `/me/messages/${small}/attachments`, {
			body: { '@odata.type': '#microsoft.graph.referenceAttachment', name: 'Plan.docx', sourceUrl: 'https://contoso.sharepoint.com/plan.docx' },
		});
		const event = await graphAs(ctx.emu, 'POST', `/me/messages/${small}/attachments`, {
			body: { '@odata.type': '#microsoft.graph.itemAttachment', name: 'Review', item: { '@odata.type': '#microsoft.graph.event', subject: 'Quarterly review' } },
		});
		const fileId = added.output[0].json.id as string;
		const downloads = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [{ id: fileId }, { id: mail.body.id }, { id: link.body.id }, { id: event.body.id }],
			parameters: attachment('download', { messageId: byId(small), attachmentId: byId('={{ $json.id }}'), binaryPropertyName: 'file' }),
		});
		expect(downloads.output).toHaveLength(4);
		const [asFile, asEml, refused, asIcs] = downloads.output;
		expect(asIcs.binary?.file).toMatchObject({ fileName: 'Review.ics', mimeType: 'text/calendar' });
		expect(ctx.n8n.readBinary(asIcs.binary!.file).toString()).toContain('SUMMARY:Quarterly review');
		expect(asFile.binary?.file).toMatchObject({ fileName: 'agenda.txt', mimeType: 'text/plain' });
		expect(ctx.n8n.readBinary(asFile.binary!.file).equals(NOTES)).toBe(true);
		expect(asEml.json['@odata.type']).toBe('#microsoft.graph.itemAttachment');
		expect(asEml.binary?.file).toMatchObject({ fileName: 'Original request.eml', mimeType: 'message/rfc822' });
		expect(ctx.n8n.readBinary(asEml.binary!.file).toString()).toContain('Subject: Attached mail');
		expect(String(refused.json.error)).toContain('reference attachment');
		expect(String(refused.error?.description)).toContain('request-id');
		expect(refused.pairedItem).toEqual({ item: 2 });

		const deleted = await runOutlookNode(ctx, { parameters: attachment('delete', { messageId: byId(small), attachmentId: byId(link.body.id) }) });
		expect(deleted.output[0].json).toEqual({ deleted: true });
		expect(deleted.graphRequests.map((r) => [r.method, r.status])).toEqual([['DELETE', 204]]);
	});

	it('sends the drafts per item, each exactly once, then refuses to send one again', async () => {
		const run = await runOutlookNode(ctx, {
			items: [{ id: small }, { id: large }],
			parameters: draft('send', { draftId: byId('={{ $json.id }}') }),
		});
		expect(run.error).toBeUndefined();
		expect(run.output.map((o) => [o.json, o.pairedItem])).toEqual([
			[{ sent: true }, { item: 0 }],
			[{ sent: true }, { item: 1 }],
		]);
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status]).sort()).toEqual(
			[
				['POST', `/me/messages/${large}/send`, 202],
				['POST', `/me/messages/${small}/send`, 202],
			].sort(),
		);
		for (const subject of ['E2E draft small v2', 'E2E draft large']) expect(sentLog(ctx.emu.core).filter((r) => r.subject === subject)).toHaveLength(1);

		const again = await runOutlookNode(ctx, { parameters: draft('send', { draftId: byId(small) }) });
		expect(again.success).toBe(false);
		expect(again.error?.message).toContain('[ErrorItemNotFound]');
	});

	it('Send Draft with Options → To: the To line is replaced (PATCH), then sent once; a bad address is refused before any request', async () => {
		const id = (await graphAs(ctx.emu, 'POST', '/me/messages', { body: { subject: 'E2E draft send to' } })).body.id as string;
		const run = await runOutlookNode(ctx, {
			items: [{ to: 'MeganB@contoso.com' }, { to: 'megan at contoso' }],
			continueOnFail: true,
			parameters: draft('send', { draftId: byId(id), options: { toRecipients: '={{ $json.to }}' } }),
		});
		expect(run.output[0].json).toEqual({ sent: true });
		expect(JSON.stringify(run.output[1].json.error ?? run.output[1].error)).toContain('Options → To contains an invalid email address');
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
			['PATCH', `/me/messages/${id}`, 200],
			['POST', `/me/messages/${id}/send`, 202],
		]);
		const records = sentLog(ctx.emu.core).filter((r) => r.subject === 'E2E draft send to');
		expect(records).toHaveLength(1);
		expect(records[0].deliveredTo.map((d: { userId: string }) => d.userId)).toEqual([MEGAN.id]);
	});

	it('deletes 12 drafts per item through the $batch transport (fewer HTTP requests than items), each once', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 12; i++) ids.push((await graphAs(ctx.emu, 'POST', '/me/messages', { body: { subject: `E2E draft to delete ${i}` } })).body.id);
		const run = await runOutlookNode(ctx, { items: ids.map((id) => ({ id })), parameters: draft('delete', { draftId: byId('={{ $json.id }}') }) });
		expect(run.error).toBeUndefined();
		expect(run.output.map((o) => o.json)).toEqual(ids.map(() => ({ deleted: true })));
		const wire = run.requests.filter((r) => r.area === 'graph' && !r.parentRequestId);
		expect(wire.some((r) => r.path === '/$batch')).toBe(true);
		expect(wire.length).toBeLessThan(ids.length);
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status]).sort()).toEqual(ids.map((id) => ['DELETE', `/me/messages/${id}`, 204]).sort());
		for (const id of ids.slice(0, 2)) expect((await graphAs(ctx.emu, 'GET', `/me/messages/${id}`)).status).toBe(404);
	});
});

describe('Mail Folder operations', () => {
	it('gets, renames, lists child folders (hidden on request), moves and copies a folder', async () => {
		const top = (await graphAs(ctx.emu, 'POST', '/me/mailFolders', { body: { displayName: 'E2E Ops' } })).body;
		await graphAs(ctx.emu, 'POST', `/me/mailFolders/${top.id}/childFolders`, { body: { displayName: 'Visible' } });
		await graphAs(ctx.emu, 'POST', `/me/mailFolders/${top.id}/childFolders`, { body: { displayName: 'Hidden', isHidden: true } });

		const got = await runOutlookNode(ctx, { parameters: folder('get', { folderId: byId(top.id) }) });
		expect(got.output[0].json).toMatchObject({ id: top.id, displayName: 'E2E Ops', childFolderCount: 2 });

		const renamed = await runOutlookNode(ctx, { parameters: folder('update', { folderId: byId(top.id), newDisplayName: 'E2E Ops renamed' }) });
		expect(renamed.graphRequests.map((r) => [r.method, r.body, r.status])).toEqual([['PATCH', { displayName: 'E2E Ops renamed' }, 200]]);
		expect(renamed.output[0].json.displayName).toBe('E2E Ops renamed');

		const children = await runOutlookNode(ctx, { parameters: folder('getAll', { parentFolderId: byId(top.id), options: { includeHiddenFolders: true } }) });
		expect(children.graphRequests[0].query).toMatchObject({ includeHiddenFolders: 'true' });
		expect(children.output.map((o) => [o.json.displayName, o.json.isHidden])).toEqual([
			['Hidden', true],
			['Visible', false],
		]);

		const copied = await runOutlookNode(ctx, { parameters: folder('copy', { folderId: byId(top.id), destinationFolderId: byId('inbox') }) });
		expect(copied.graphRequests.map((r) => [r.method, r.path, r.body, r.status])).toEqual([
			['POST', `/me/mailFolders/${top.id}/copy`, { destinationId: 'inbox' }, 200],
		]);
		expect(copied.output[0].json.id).not.toBe(top.id);

		const moved = await runOutlookNode(ctx, { parameters: folder('move', { folderId: byId(top.id), destinationFolderId: byId('archive') }) });
		expect(moved.graphRequests.map((r) => [r.method, r.body, r.status])).toEqual([['POST', { destinationId: 'archive' }, 200]]);
		const archive = (await graphAs(ctx.emu, 'GET', '/me/mailFolders/archive')).body;
		expect(moved.output[0].json).toMatchObject({ id: top.id, parentFolderId: archive.id });

		const refused = await runOutlookNode(ctx, { parameters: folder('update', { folderId: byId('inbox'), newDisplayName: 'Not the inbox' }) });
		expect(refused.success).toBe(false);
		expect(refused.error?.message).toContain('[ErrorCannotRenameDistinguishedFolder]');
	});
});
