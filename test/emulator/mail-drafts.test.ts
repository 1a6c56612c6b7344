/**
 * The emulator's rules for drafts, message attachments (file, item, reference) and folder
 * get/rename/move/copy/childFolders, as Microsoft documents them (graph-ops-facts.md rows 8-12, 31-34).
 */
import { simpleParser } from 'mailparser';
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';
import { sentLog } from './mail';

const ADELE = DEFAULT_USERS.adele;
const MEGAN = DEFAULT_USERS.megan;

let emu: Emulator;
let token: string;

interface Answer {
	status: number;
	headers: Headers;
	body: any;
	bytes: Buffer;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
	const res = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const bytes = Buffer.from(await res.arrayBuffer());
	let parsed: unknown;
	try {
		parsed = bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
	} catch {
		parsed = undefined;
	}
	return { status: res.status, headers: res.headers, body: parsed, bytes };
}

function expectGraphError(answer: Answer, status: number, code: string): void {
	expect(answer.status).toBe(status);
	expect(answer.body.error.code).toBe(code);
	expect(answer.body.error.innerError).toEqual(expect.objectContaining({ 'request-id': expect.any(String), date: expect.any(String) }));
}

beforeAll(async () => {
	emu = await startEmulator();
	token = emu.issueToken({ userId: ADELE.id });
});

afterAll(async () => {
	await emu.close();
});

describe('drafts', () => {
	it('creates a draft in Drafts (201, isDraft), updates it, sends it once (202) and refuses a second send', async () => {
		const created = await call('POST', '/me/messages', { subject: 'Draft rules', toRecipients: [{ emailAddress: { address: MEGAN.mail } }] });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ isDraft: true, subject: 'Draft rules' });
		const drafts = await call('GET', '/me/mailFolders/drafts/messages?$top=1000');
		expect(drafts.body.value.map((m: any) => m.id)).toContain(created.body.id);

		const updated = await call('PATCH', `/me/messages/${created.body.id}`, { subject: 'Draft rules v2', importance: 'high' });
		expect(updated.status).toBe(200);
		expect(updated.body).toMatchObject({ subject: 'Draft rules v2', importance: 'high', isDraft: true });

		const sent = await call('POST', `/me/messages/${created.body.id}/send`);
		expect(sent.status).toBe(202);
		expect(sent.bytes.length).toBe(0);
		expect(sentLog(emu.core).filter((r) => r.subject === 'Draft rules v2')).toHaveLength(1);
		// Sending moves it to Sent Items; the draft id is gone.
		expectGraphError(await call('POST', `/me/messages/${created.body.id}/send`), 404, 'ErrorItemNotFound');
	});

	it('refuses to change the subject of a message that was sent (draft-only properties)', async () => {
		const inbox = await call('GET', '/me/mailFolders/inbox/messages?$top=1');
		const patched = await call('PATCH', `/me/messages/${inbox.body.value[0].id}`, { subject: 'rewritten' });
		expectGraphError(patched, 400, 'ErrorInvalidPropertyUpdateSentMessage');
	});
});

describe('message attachments', () => {
	let draftId: string;
	const ids: Record<string, string> = {};

	beforeAll(async () => {
		draftId = (await call('POST', '/me/messages', { subject: 'With attachments' })).body.id;
	});

	it('adds file, item and reference attachments (201) with their @odata.type', async () => {
		const file = await call('POST', `/me/messages/${draftId}/attachments`, {
			'@odata.type': '#microsoft.graph.fileAttachment',
			name: 'notes.txt',
			contentType: 'text/plain',
			contentBytes: Buffer.from('hello notes').toString('base64'),
		});
		expect(file.status).toBe(201);
		expect(file.body).toMatchObject({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'notes.txt', size: 11 });
		ids.file = file.body.id;

		const item = await call('POST', `/me/messages/${draftId}/attachments`, {
			'@odata.type': '#microsoft.graph.itemAttachment',
			name: 'Forwarded note',
			item: { '@odata.type': 'microsoft.graph.message', subject: 'Inner message', body: { contentType: 'Text', content: 'inner body' } },
		});
		expect(item.status).toBe(201);
		expect(item.body).toMatchObject({ '@odata.type': '#microsoft.graph.itemAttachment', name: 'Forwarded note', contentType: null });
		expect(item.body.contentBytes).toBeUndefined();
		ids.item = item.body.id;

		const reference = await call('POST', `/me/messages/${draftId}/attachments`, {
			'@odata.type': '#microsoft.graph.referenceAttachment',
			name: 'Plan.docx',
			sourceUrl: 'https://contoso.sharepoint.com/plan.docx',
		});
		expect(reference.status).toBe(201);
		expect(reference.body['@odata.type']).toBe('#microsoft.graph.referenceAttachment');
		ids.reference = reference.body.id;
	});

	it('lists them without content under $select, keeping @odata.type', async () => {
		const list = await call('GET', `/me/messages/${draftId}/attachments?$select=id,name,size,contentType,isInline`);
		expect(list.status).toBe(200);
		expect(list.body.value.map((a: any) => [a['@odata.type'], a.name, 'contentBytes' in a])).toEqual([
			['#microsoft.graph.fileAttachment', 'notes.txt', false],
			['#microsoft.graph.itemAttachment', 'Forwarded note', false],
			['#microsoft.graph.referenceAttachment', 'Plan.docx', false],
		]);
	});

	it('$value: file bytes, the attached item as MIME, 405 for a reference attachment', async () => {
		const file = await call('GET', `/me/messages/${draftId}/attachments/${ids.file}/$value`);
		expect(file.status).toBe(200);
		expect(file.bytes.toString()).toBe('hello notes');

		const item = await call('GET', `/me/messages/${draftId}/attachments/${ids.item}/$value`);
		expect(item.status).toBe(200);
		const parsed = await simpleParser(item.bytes);
		expect(parsed.subject).toBe('Inner message');
		expect(parsed.text?.trim()).toBe('inner body');

		expectGraphError(await call('GET', `/me/messages/${draftId}/attachments/${ids.reference}/$value`), 405, 'ErrorInvalidRequest');
	});

	it('an attached event or contact: $value is iCalendar or vCard', async () => {
		const event = await call('POST', `/me/messages/${draftId}/attachments`, {
			'@odata.type': '#microsoft.graph.itemAttachment',
			name: 'Review meeting',
			item: { '@odata.type': '#microsoft.graph.event', subject: 'Quarterly review' },
		});
		const contact = await call('POST', `/me/messages/${draftId}/attachments`, {
			'@odata.type': '#microsoft.graph.itemAttachment',
			name: 'Megan',
			item: { '@odata.type': '#microsoft.graph.contact', displayName: 'Megan Bowen' },
		});
		const ics = await call('GET', `/me/messages/${draftId}/attachments/${event.body.id}/$value`);
		expect(ics.bytes.toString()).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*SUMMARY:Quarterly review\r\n/);
		const vcf = await call('GET', `/me/messages/${draftId}/attachments/${contact.body.id}/$value`);
		expect(vcf.bytes.toString()).toMatch(/^BEGIN:VCARD\r\n[\s\S]*FN:Megan Bowen\r\n/);
		for (const id of [event.body.id, contact.body.id]) expect((await call('DELETE', `/me/messages/${draftId}/attachments/${id}`)).status).toBe(204);
	});

	it('a copied message keeps the kinds of its attachments', async () => {
		const copy = await call('POST', `/me/messages/${draftId}/copy`, { destinationId: 'archive' });
		const list = await call('GET', `/me/messages/${copy.body.id}/attachments`);
		expect(list.body.value.map((a: any) => a['@odata.type'])).toEqual([
			'#microsoft.graph.fileAttachment',
			'#microsoft.graph.itemAttachment',
			'#microsoft.graph.referenceAttachment',
		]);
	});

	it('refuses a file of 3 MB or more in one POST (upload session needed), then deletes an attachment (204)', async () => {
		const big = await call('POST', `/me/messages/${draftId}/attachments`, {
			'@odata.type': '#microsoft.graph.fileAttachment',
			name: 'big.bin',
			contentBytes: Buffer.alloc(3 * 1024 * 1024 + 1).toString('base64'),
		});
		expect(big.status).toBe(413);
		const deleted = await call('DELETE', `/me/messages/${draftId}/attachments/${ids.file}`);
		expect(deleted.status).toBe(204);
		expectGraphError(await call('GET', `/me/messages/${draftId}/attachments/${ids.file}`), 404, 'ErrorItemNotFound');
	});
});

describe('mail folder operations', () => {
	it('gets, renames, moves (200) and copies (200, new ids, with messages and subfolders) a folder', async () => {
		const top = (await call('POST', '/me/mailFolders', { displayName: 'Ops source' })).body;
		const child = (await call('POST', `/me/mailFolders/${top.id}/childFolders`, { displayName: 'Ops child' })).body;
		const hidden = (await call('POST', `/me/mailFolders/${top.id}/childFolders`, { displayName: 'Ops hidden', isHidden: true })).body;
		const draft = (await call('POST', `/me/mailFolders/${top.id}/messages`, { subject: 'In the source' })).body;

		const got = await call('GET', `/me/mailFolders/${top.id}`);
		expect(got.status).toBe(200);
		expect(got.body).toMatchObject({ id: top.id, displayName: 'Ops source', childFolderCount: 2, totalItemCount: 1 });

		const renamed = await call('PATCH', `/me/mailFolders/${top.id}`, { displayName: 'Ops renamed' });
		expect(renamed.status).toBe(200);
		expect(renamed.body.displayName).toBe('Ops renamed');
		expectGraphError(await call('PATCH', '/me/mailFolders/inbox', { displayName: 'Not the inbox' }), 403, 'ErrorCannotRenameDistinguishedFolder');

		const children = await call('GET', `/me/mailFolders/${top.id}/childFolders`);
		expect(children.body.value.map((f: any) => f.displayName)).toEqual(['Ops child']);
		const withHidden = await call('GET', `/me/mailFolders/${top.id}/childFolders?includeHiddenFolders=true`);
		expect(withHidden.body.value.map((f: any) => [f.displayName, f.isHidden])).toEqual([
			['Ops child', false],
			['Ops hidden', true],
		]);

		const moved = await call('POST', `/me/mailFolders/${child.id}/move`, { destinationId: 'archive' });
		expect(moved.status).toBe(200);
		expect(moved.body.id).toBe(child.id);

		const copied = await call('POST', `/me/mailFolders/${top.id}/copy`, { destinationId: 'archive' });
		expect(copied.status).toBe(200);
		expect(copied.body.id).not.toBe(top.id);
		expect(copied.body).toMatchObject({ displayName: 'Ops renamed', totalItemCount: 1 });
		const copiedChildren = await call('GET', `/me/mailFolders/${copied.body.id}/childFolders?includeHiddenFolders=true`);
		expect(copiedChildren.body.value.map((f: any) => f.displayName)).toEqual(['Ops hidden']);
		expect(copiedChildren.body.value[0].id).not.toBe(hidden.id);
		const copiedMessages = await call('GET', `/me/mailFolders/${copied.body.id}/messages`);
		expect(copiedMessages.body.value.map((m: any) => [m.subject, m.id === draft.id])).toEqual([['In the source', false]]);
		// The original keeps its message.
		expect((await call('GET', `/me/messages/${draft.id}`)).status).toBe(200);

		expectGraphError(await call('POST', `/me/mailFolders/${top.id}/copy`, { destinationId: 'archive' }), 409, 'ErrorFolderExists');
		expectGraphError(await call('POST', `/me/mailFolders/${top.id}/copy`, {}), 400, 'ErrorInvalidParameter');
		expectGraphError(await call('POST', '/me/mailFolders/inbox/copy', { destinationId: 'archive' }), 403, 'ErrorCopyDistinguishedFolder');
	});
});
