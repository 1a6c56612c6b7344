import { simpleParser } from 'mailparser';
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';
import { deliverMail, mailboxOf, seedMessages, sentLog } from './mail';
import type { ChangeEvent } from './types';

const ADELE = DEFAULT_USERS.adele;
const MEGAN = DEFAULT_USERS.megan;

let emu: Emulator;
let adeleToken: string;
let meganToken: string;
const events: ChangeEvent[] = [];

interface GraphReply<T = any> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
}

async function call<T = any>(method: string, path: string, options: { token?: string | null; body?: unknown; headers?: Record<string, string>; raw?: Buffer | string } = {}): Promise<GraphReply<T>> {
	const url = path.startsWith('http') ? path : `${emu.url}/v1.0${path}`;
	const headers: Record<string, string> = { ...options.headers };
	const token = options.token === undefined ? adeleToken : options.token;
	if (token) headers.Authorization = `Bearer ${token}`;
	let body: string | Buffer | undefined;
	if (options.raw !== undefined) body = options.raw;
	else if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers['Content-Type'] ??= 'application/json';
	}
	const res = await fetch(url, { method, headers, body });
	const text = await res.text();
	let parsed: unknown = undefined;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		parsed = undefined;
	}
	return { status: res.status, headers: res.headers, body: parsed as T, text };
}

async function control(method: string, path: string, body?: unknown): Promise<GraphReply> {
	const res = await fetch(`${emu.url}/_emulator${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
}

async function rawValue(path: string, token = adeleToken): Promise<Buffer> {
	const res = await fetch(`${emu.url}/v1.0${path}`, { headers: { Authorization: `Bearer ${token}` } });
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
	return Buffer.from(await res.arrayBuffer());
}

async function findBySubject(subject: string, folder = 'inbox', token = adeleToken): Promise<any> {
	const escaped = subject.replace(/'/g, "''");
	const reply = await call('GET', `/me/mailFolders/${folder}/messages?$filter=${encodeURIComponent(`subject eq '${escaped}'`)}`, { token });
	expect(reply.status).toBe(200);
	return reply.body.value[0];
}

beforeAll(async () => {
	emu = await startEmulator();
	adeleToken = emu.issueToken({ userId: ADELE.id });
	meganToken = emu.issueToken({ userId: MEGAN.id });
	emu.core.onChange((event) => events.push(event));
});

afterAll(async () => {
	await emu.close();
});

describe('mail folders', () => {
	it('lists the root folders with Graph shape, realistic ids and hides hidden folders', async () => {
		const reply = await call('GET', '/me/mailFolders?$top=50');
		expect(reply.status).toBe(200);
		expect(reply.body['@odata.context']).toBe(`https://graph.microsoft.com/v1.0/$metadata#users('${ADELE.id}')/mailFolders`);
		const names = reply.body.value.map((f: any) => f.displayName);
		expect(names).toEqual(expect.arrayContaining(['Inbox', 'Drafts', 'Sent Items', 'Deleted Items', 'Archive', 'Junk Email', 'Outbox', 'Projects']));
		const inbox = reply.body.value.find((f: any) => f.displayName === 'Inbox');
		expect(Object.keys(inbox).sort()).toEqual(
			['childFolderCount', 'displayName', 'id', 'isHidden', 'parentFolderId', 'totalItemCount', 'unreadItemCount'].sort(),
		);
		expect(inbox.totalItemCount).toBeGreaterThanOrEqual(20);
		expect(inbox.unreadItemCount).toBeGreaterThan(0);
		for (const folder of reply.body.value) {
			expect(folder.id).toMatch(/^[A-Za-z0-9_-]{40,}=+$/);
			expect(folder.id).toMatch(/[-_]/);
		}

		const hidden = await call('POST', '/me/mailFolders', { body: { displayName: 'Secret stuff', isHidden: true } });
		expect(hidden.status).toBe(201);
		expect(hidden.body.isHidden).toBe(true);
		const visible = await call('GET', '/me/mailFolders?$top=50');
		expect(visible.body.value.some((f: any) => f.id === hidden.body.id)).toBe(false);
		const all = await call('GET', '/me/mailFolders?$top=50&includeHiddenFolders=true');
		expect(all.body.value.some((f: any) => f.id === hidden.body.id)).toBe(true);
	});

	it('pages folders with the default top of 10', async () => {
		for (const displayName of ['Paging A', 'Paging B']) {
			expect((await call('POST', '/me/mailFolders', { body: { displayName } })).status).toBe(201);
		}
		const first = await call('GET', '/me/mailFolders?includeHiddenFolders=true');
		expect(first.body.value).toHaveLength(10);
		expect(first.body['@odata.nextLink']).toContain(`${emu.url}/v1.0/me/mailFolders?includeHiddenFolders=true&%24skip=10`);
		const second = await call('GET', first.body['@odata.nextLink']);
		expect(second.body.value.length).toBeGreaterThan(0);
		expect(second.body['@odata.nextLink']).toBeUndefined();
		const names = [...first.body.value, ...second.body.value].map((f: any) => f.displayName);
		expect(new Set(names).size).toBe(names.length);
		expect(names).toEqual(expect.arrayContaining(['Paging A', 'Paging B', 'Secret stuff']));
	});

	it('resolves well-known names case-insensitively, also in OData key syntax', async () => {
		const byName = await call('GET', '/me/mailFolders/INBOX');
		const byKey = await call('GET', "/me/mailFolders('SentItems')");
		const byId = await call('GET', `/users/${encodeURIComponent(ADELE.userPrincipalName)}/mailFolders/${byName.body.id}`);
		expect(byName.status).toBe(200);
		expect(byName.body.displayName).toBe('Inbox');
		expect(byKey.body.displayName).toBe('Sent Items');
		expect(byId.body.id).toBe(byName.body.id);
		const root = await call('GET', '/me/mailFolders/msgfolderroot');
		expect(byName.body.parentFolderId).toBe(root.body.id);
	});

	it('creates, renames, nests, moves and deletes folders with Graph errors', async () => {
		const created = await call('POST', '/me/mailFolders', { body: { displayName: 'Receipts' } });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ displayName: 'Receipts', childFolderCount: 0, totalItemCount: 0, isHidden: false });

		const duplicate = await call('POST', '/me/mailFolders', { body: { displayName: 'receipts' } });
		expect(duplicate.status).toBe(409);
		expect(duplicate.body.error.code).toBe('ErrorFolderExists');
		expect(duplicate.body.error.message).toBe('A folder with the specified name already exists.');

		const child = await call('POST', `/me/mailFolders/${created.body.id}/childFolders`, { body: { displayName: '2024' } });
		expect(child.status).toBe(201);
		expect(child.body.parentFolderId).toBe(created.body.id);
		const children = await call('GET', `/me/mailFolders/${created.body.id}/childFolders`);
		expect(children.body.value.map((f: any) => f.displayName)).toEqual(['2024']);
		expect((await call('GET', `/me/mailFolders/${created.body.id}`)).body.childFolderCount).toBe(1);

		const renamed = await call('PATCH', `/me/mailFolders/${child.body.id}`, { body: { displayName: 'Year 2024' } });
		expect(renamed.status).toBe(200);
		expect(renamed.body.displayName).toBe('Year 2024');

		const moved = await call('POST', `/me/mailFolders/${child.body.id}/move`, { body: { destinationId: 'archive' } });
		expect(moved.status).toBe(200);
		expect(moved.body.parentFolderId).toBe((await call('GET', '/me/mailFolders/archive')).body.id);

		const intoItself = await call('POST', `/me/mailFolders/${created.body.id}/move`, { body: { destinationId: created.body.id } });
		expect(intoItself.status).toBe(400);

		expect((await call('DELETE', `/me/mailFolders/${created.body.id}`)).status).toBe(204);
		const gone = await call('GET', `/me/mailFolders/${created.body.id}`);
		expect(gone.status).toBe(404);
		expect(gone.body.error.code).toBe('ErrorItemNotFound');

		const protectedFolder = await call('DELETE', '/me/mailFolders/inbox');
		expect(protectedFolder.status).toBe(403);
		expect(protectedFolder.body.error.code).toBe('ErrorDeleteDistinguishedFolder');

		const malformed = await call('GET', '/me/mailFolders/not-an-id');
		expect(malformed.status).toBe(400);
		expect(malformed.body.error.code).toBe('ErrorInvalidIdMalformed');
	});
});

describe('messages', () => {
	let bulkFolderId: string;

	beforeAll(async () => {
		const folder = await call('POST', '/me/mailFolders', { body: { displayName: 'Bulk' } });
		bulkFolderId = folder.body.id;
		const seeded = await control('POST', '/seed/messages', {
			userId: ADELE.userPrincipalName,
			folder: bulkFolderId,
			count: 2500,
			withAttachments: 100,
			attachmentBytes: 2048,
		});
		expect(seeded.status).toBe(201);
		expect(seeded.body.count).toBe(2500);
	});

	it('returns every seeded message exactly once when following nextLink with $top=1000', async () => {
		const ids: string[] = [];
		let url: string | undefined = `/me/mailFolders/${bulkFolderId}/messages?$top=1000&$select=subject,receivedDateTime`;
		let pages = 0;
		while (url) {
			const reply: GraphReply = await call('GET', url);
			expect(reply.status).toBe(200);
			pages++;
			ids.push(...reply.body.value.map((m: any) => m.id));
			if (pages === 1) {
				expect(reply.body.value[0].subject).toBe('Seeded message 2500');
				expect(Object.keys(reply.body.value[0]).sort()).toEqual(['@odata.etag', 'id', 'receivedDateTime', 'subject']);
			}
			url = reply.body['@odata.nextLink'];
		}
		expect(pages).toBe(3);
		expect(ids).toHaveLength(2500);
		expect(new Set(ids).size).toBe(2500);
		for (const id of ids.slice(0, 5)) expect(id).toMatch(/^AAMk[A-Za-z0-9_-]+=$/);
	});

	it('uses a default page of 10 and rejects $top above 1000', async () => {
		const page = await call('GET', `/me/mailFolders/${bulkFolderId}/messages`);
		expect(page.body.value).toHaveLength(10);
		expect(page.body['@odata.nextLink']).toContain('%24skip=10');
		expect((await call('GET', `/me/mailFolders/${bulkFolderId}/messages?$top=1001`)).status).toBe(400);
	});

	it('filters, counts and searches', async () => {
		const unread = await call('GET', `/me/mailFolders/${bulkFolderId}/messages?$filter=isRead eq false&$count=true&$top=1`);
		expect(unread.body['@odata.count']).toBe(1250);
		const fromFabrikam = await call(
			'GET',
			`/me/mailFolders/${bulkFolderId}/messages?$filter=${encodeURIComponent("from/emailAddress/address eq 'support@fabrikam.com'")}&$count=true&$top=1`,
		);
		expect(fromFabrikam.body['@odata.count']).toBe(500);
		const withFiles = await call('GET', `/me/mailFolders/${bulkFolderId}/messages?$search="hasAttachments:true"&$top=100`);
		expect(withFiles.body.value).toHaveLength(25);
		expect(withFiles.body.value.every((m: any) => m.hasAttachments)).toBe(true);
		const bySubject = await call('GET', `/me/mailFolders/${bulkFolderId}/messages?$search=${encodeURIComponent('"subject:message 1234"')}`);
		expect(bySubject.body.value.map((m: any) => m.subject)).toEqual(['Seeded message 1234']);
		const plain = await call('GET', `/me/messages?$search=${encodeURIComponent('"audit findings"')}`);
		expect(plain.body.value.map((m: any) => m.subject)).toContain('Audit findings (CSV attached)');
		const fromSearch = await call('GET', `/me/messages?$search=${encodeURIComponent('"from:meganb@contoso.com"')}&$top=50`);
		expect(fromSearch.body.value.length).toBeGreaterThan(0);
		expect(fromSearch.body.value.every((m: any) => m.from.emailAddress.address === MEGAN.mail)).toBe(true);
		const conflict = await call('GET', `/me/messages?$search="x"&$filter=isRead eq true`);
		expect(conflict.status).toBe(400);
	});

	it('gets a message in Graph shape and honours Prefer: outlook.body-content-type', async () => {
		const listed = await findBySubject('Audit findings (CSV attached)');
		const reply = await call('GET', `/me/messages/${listed.id}`);
		expect(reply.status).toBe(200);
		for (const key of ['@odata.context', '@odata.etag', 'id', 'createdDateTime', 'lastModifiedDateTime', 'changeKey', 'categories', 'receivedDateTime', 'sentDateTime', 'hasAttachments', 'internetMessageId', 'subject', 'bodyPreview', 'importance', 'parentFolderId', 'conversationId', 'isDeliveryReceiptRequested', 'isReadReceiptRequested', 'isRead', 'isDraft', 'webLink', 'inferenceClassification', 'body', 'sender', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo', 'flag']) {
			expect(reply.body).toHaveProperty([key]);
		}
		expect(reply.body['@odata.etag']).toBe(`W/"${reply.body.changeKey}"`);
		expect(reply.body.receivedDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
		expect(reply.body.body.contentType).toBe('html');
		expect(reply.body.from.emailAddress).toEqual({ name: 'Megan Bowen', address: 'MeganB@contoso.com' });

		const text = await call('GET', `/me/mailFolders/inbox/messages/${listed.id}`, { headers: { Prefer: 'outlook.body-content-type="text"' } });
		expect(text.body.body.contentType).toBe('text');
		expect(text.body.body.content).toContain('Please find the audit findings attached.');
		expect(text.headers.get('preference-applied')).toBe('outlook.body-content-type="text"');

		const expanded = await call('GET', `/me/messages/${listed.id}?$expand=attachments`);
		expect(expanded.body.attachments[0]).toMatchObject({ '@odata.type': '#microsoft.graph.fileAttachment', name: 'findings.csv' });
	});

	it('serves $value as MIME that mailparser reads, with attachments and the inline image', async () => {
		const photos = await findBySubject('Floor plan and photos');
		const parsed = await simpleParser(await rawValue(`/me/messages/${photos.id}/$value`));
		expect(parsed.subject).toBe('Floor plan and photos');
		expect(parsed.attachments.map((a) => a.filename).sort()).toEqual(['entrance.png', 'floor-plan.pdf']);
		expect(parsed.attachments.find((a) => a.filename === 'floor-plan.pdf')?.size).toBe(20_000);

		const inline = await findBySubject('Your support ticket #4711 was updated');
		expect(inline.hasAttachments).toBe(false);
		const inlineParsed = await simpleParser(await rawValue(`/me/mailFolders/inbox/messages/${inline.id}/$value`));
		expect(inlineParsed.attachments).toHaveLength(1);
		expect(inlineParsed.attachments[0].cid).toBe('fabrikam-logo@fabrikam.com');
		expect(inlineParsed.attachments[0].related).toBe(true);

		const seeded = await call('GET', `/me/messages?$search="hasAttachments:true"&$top=1`);
		const seededParsed = await simpleParser(await rawValue(`/me/messages/${seeded.body.value[0].id}/$value`));
		expect(seededParsed.attachments.length).toBeGreaterThan(0);
	});

	it('creates, updates, moves and deletes messages with change events', async () => {
		events.length = 0;
		const draft = await call('POST', '/me/messages', {
			body: { subject: 'Draft one', body: { contentType: 'Text', content: 'hello' }, toRecipients: [{ emailAddress: { address: 'meganb@contoso.com' } }] },
		});
		expect(draft.status).toBe(201);
		expect(draft.body).toMatchObject({ isDraft: true, subject: 'Draft one', body: { contentType: 'text', content: 'hello' } });
		expect(draft.body.toRecipients[0].emailAddress).toEqual({ name: 'Megan Bowen', address: 'meganb@contoso.com' });
		const drafts = await call('GET', '/me/mailFolders/drafts');
		expect(draft.body.parentFolderId).toBe(drafts.body.id);

		const patched = await call('PATCH', `/me/messages/${draft.body.id}`, { body: { subject: 'Draft two', categories: ['Red category'] } });
		expect(patched.status).toBe(200);
		expect(patched.body.subject).toBe('Draft two');
		expect(patched.body.changeKey).not.toBe(draft.body.changeKey);
		const stale = await call('PATCH', `/me/messages/${draft.body.id}`, { body: { isRead: false }, headers: { 'If-Match': draft.body['@odata.etag'] } });
		expect(stale.status).toBe(412);

		const moved = await call('POST', `/me/messages/${draft.body.id}/move`, { body: { destinationId: 'archive' } });
		expect(moved.status).toBe(201);
		expect(moved.body.id).not.toBe(draft.body.id);
		expect((await call('GET', `/me/messages/${draft.body.id}`)).status).toBe(404);

		expect((await call('DELETE', `/me/messages/${moved.body.id}`)).status).toBe(204);
		expect((await call('GET', `/me/messages/${moved.body.id}`)).status).toBe(404);

		const archiveId = (await call('GET', '/me/mailFolders/archive')).body.id;
		const mine = events.filter((e) => e.userId === ADELE.id && e.kind === 'message');
		expect(mine).toEqual([
			{ userId: ADELE.id, kind: 'message', changeType: 'created', id: draft.body.id, containerId: drafts.body.id },
			{ userId: ADELE.id, kind: 'message', changeType: 'updated', id: draft.body.id, containerId: drafts.body.id },
			{ userId: ADELE.id, kind: 'message', changeType: 'deleted', id: draft.body.id, containerId: drafts.body.id },
			{ userId: ADELE.id, kind: 'message', changeType: 'created', id: moved.body.id, containerId: archiveId },
			{ userId: ADELE.id, kind: 'message', changeType: 'updated', id: moved.body.id, containerId: archiveId },
			{ userId: ADELE.id, kind: 'message', changeType: 'deleted', id: moved.body.id, containerId: archiveId },
		]);
	});

	it('keeps unread counts right and refuses draft-only edits on received mail', async () => {
		const message = await findBySubject('Team offsite');
		const before = (await call('GET', '/me/mailFolders/inbox')).body.unreadItemCount;
		await call('PATCH', `/me/messages/${message.id}`, { body: { isRead: !message.isRead } });
		const after = (await call('GET', '/me/mailFolders/inbox')).body.unreadItemCount;
		expect(after - before).toBe(message.isRead ? 1 : -1);
		const refused = await call('PATCH', `/me/messages/${message.id}`, { body: { subject: 'changed' } });
		expect(refused.status).toBe(400);
		const invalid = await call('PATCH', `/me/messages/${message.id}`, { body: { isRead: 'yes' } });
		expect(invalid.status).toBe(400);
	});

	it('adds and reads small attachments and refuses ones above 3 MB', async () => {
		const draft = await call('POST', '/me/messages', { body: { subject: 'With file' } });
		const added = await call('POST', `/me/messages/${draft.body.id}/attachments`, {
			body: { '@odata.type': '#microsoft.graph.fileAttachment', name: 'hello.txt', contentType: 'text/plain', contentBytes: 'SGVsbG8gV29ybGQh' },
		});
		expect(added.status).toBe(201);
		expect(added.body).toMatchObject({ name: 'hello.txt', size: 12, isInline: false });
		const list = await call('GET', `/me/messages/${draft.body.id}/attachments`);
		expect(list.body.value).toHaveLength(1);
		expect(list.body.value[0].contentBytes).toBe('SGVsbG8gV29ybGQh');
		const one = await call('GET', `/me/messages/${draft.body.id}/attachments/${added.body.id}`);
		expect(one.body.id).toBe(added.body.id);
		const bytes = await fetch(`${emu.url}/v1.0/me/messages/${draft.body.id}/attachments/${added.body.id}/$value`, { headers: { Authorization: `Bearer ${adeleToken}` } });
		expect(await bytes.text()).toBe('Hello World!');
		expect((await call('GET', `/me/messages/${draft.body.id}`)).body.hasAttachments).toBe(true);

		const big = await call('POST', `/me/messages/${draft.body.id}/attachments`, {
			body: { '@odata.type': '#microsoft.graph.fileAttachment', name: 'big.bin', contentBytes: Buffer.alloc(3 * 1024 * 1024 + 1).toString('base64') },
		});
		expect(big.status).toBe(413);
	});
});

describe('sendMail', () => {
	beforeEach(() => {
		sentLog(emu.core).length = 0;
	});

	it('delivers to the recipient inbox and files a copy in Sent Items', async () => {
		events.length = 0;
		const reply = await call('POST', '/me/sendMail', {
			body: {
				message: {
					subject: 'Lunch plans',
					body: { contentType: 'Text', content: 'The new cafeteria is open.' },
					toRecipients: [{ emailAddress: { address: 'meganb@contoso.com' } }],
					ccRecipients: [{ emailAddress: { address: 'danas@contoso.com' } }],
					bccRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }],
					attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'attachment.txt', contentType: 'text/plain', contentBytes: 'SGVsbG8gV29ybGQh' }],
				},
			},
		});
		expect(reply.status).toBe(202);
		expect(reply.text).toBe('');

		const received = await findBySubject('Lunch plans', 'inbox', meganToken);
		expect(received).toMatchObject({ isRead: false, isDraft: false, hasAttachments: true });
		expect(received.from.emailAddress.address).toBe(ADELE.mail);
		expect(received.bccRecipients).toEqual([]);
		const parsed = await simpleParser(await rawValue(`/me/messages/${received.id}/$value`, meganToken));
		expect(parsed.attachments[0].content.toString()).toBe('Hello World!');

		const sent = await findBySubject('Lunch plans', 'sentitems');
		expect(sent.isRead).toBe(true);
		expect(sent.bccRecipients).toHaveLength(1);

		const log = sentLog(emu.core);
		expect(log).toHaveLength(1);
		expect(log[0].deliveredTo).toEqual([{ userId: MEGAN.id, messageId: received.id }]);
		expect(log[0].savedToSentItems).toBe(true);
		expect(events.filter((e) => e.changeType === 'created').map((e) => e.userId).sort()).toEqual([ADELE.id, MEGAN.id].sort());
	});

	it('internetMessageHeaders only under $select: the custom ones on a draft, the whole header block on received mail', async () => {
		const header = { name: 'X-Ticket-ID', value: '4711' };
		const draft = await call('POST', '/me/messages', { body: { subject: 'Headers draft', internetMessageHeaders: [header] } });
		expect(draft.body.internetMessageHeaders).toBeUndefined();
		const draftHeaders = await call('GET', `/me/messages/${draft.body.id}?$select=internetMessageHeaders`);
		expect(draftHeaders.body.internetMessageHeaders).toEqual([header]);

		const reply = await call('POST', '/me/sendMail', {
			body: { message: { subject: 'Headers sent', toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }], internetMessageHeaders: [header] } },
		});
		expect(reply.status).toBe(202);
		const received = await findBySubject('Headers sent', 'inbox', meganToken);
		expect(received.internetMessageHeaders).toBeUndefined();
		const selected = await call('GET', `/me/messages/${received.id}?$select=subject,internetMessageHeaders`, { token: meganToken });
		const names = selected.body.internetMessageHeaders.map((h: { name: string }) => h.name.toLowerCase());
		expect(names).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'x-ticket-id']));
		expect(selected.body.internetMessageHeaders).toContainEqual(header);
	});

	it('does not save to Sent Items when saveToSentItems is the string "false"', async () => {
		const reply = await call('POST', '/me/sendMail', {
			body: {
				message: { subject: 'Not saved', body: { contentType: 'Text', content: 'x' }, toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }] },
				saveToSentItems: 'false',
			},
		});
		expect(reply.status).toBe(202);
		expect(await findBySubject('Not saved', 'sentitems')).toBeUndefined();
		expect(await findBySubject('Not saved', 'inbox', meganToken)).toBeDefined();
		expect(sentLog(emu.core)[0].savedToSentItems).toBe(false);
	});

	it('rejects missing and invalid recipients, bad MIME and oversized requests', async () => {
		const none = await call('POST', '/me/sendMail', { body: { message: { subject: 'x', body: { contentType: 'Text', content: 'x' } } } });
		expect(none.status).toBe(400);
		expect(none.body.error).toMatchObject({ code: 'ErrorInvalidRecipients', message: 'At least one recipient is required, but none were found.' });
		const invalid = await call('POST', '/me/sendMail', { body: { message: { subject: 'x', toRecipients: [{ emailAddress: { address: 'not-an-address' } }] } } });
		expect(invalid.status).toBe(400);
		expect(invalid.body.error.code).toBe('ErrorInvalidRecipients');
		const badMime = await call('POST', '/me/sendMail', { raw: 'this is *not* base64!', headers: { 'Content-Type': 'text/plain' } });
		expect(badMime.status).toBe(400);
		expect(badMime.body.error.code).toBe('ErrorMimeContentInvalidBase64String');
		const huge = await call('POST', '/me/sendMail', {
			body: { message: { subject: 'big', toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }], body: { contentType: 'Text', content: 'x'.repeat(4 * 1024 * 1024 + 10) } } },
		});
		expect(huge.status).toBe(413);
		expect(sentLog(emu.core)).toHaveLength(0);
	});

	it('sends base64 MIME and keeps its bytes as the recipient $value (without Bcc)', async () => {
		const mime = [
			'From: Adele Vance <AdeleV@contoso.com>',
			'To: Megan Bowen <MeganB@contoso.com>',
			'Bcc: secret@fabrikam.com',
			'Subject: MIME hello',
			'Message-ID: <mime-hello@contoso.com>',
			'Date: Tue, 05 Mar 2024 10:00:00 +0000',
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Sent as MIME.',
			'',
		].join('\r\n');
		const reply = await call('POST', '/me/sendMail', { raw: Buffer.from(mime).toString('base64'), headers: { 'Content-Type': 'text/plain' } });
		expect(reply.status).toBe(202);
		const received = await findBySubject('MIME hello', 'inbox', meganToken);
		expect(received.internetMessageId).toBe('<mime-hello@contoso.com>');
		const raw = (await rawValue(`/me/messages/${received.id}/$value`, meganToken)).toString();
		expect(raw).toBe(mime.replace('Bcc: secret@fabrikam.com\r\n', ''));
		expect(sentLog(emu.core)[0]).toMatchObject({ via: 'sendMime', bcc: ['secret@fabrikam.com'] });
	});

	it('sends a draft, replies with threading headers, and injects mail via /_emulator/deliver', async () => {
		const draft = await call('POST', '/me/messages', {
			body: { subject: 'Quarterly numbers', body: { contentType: 'HTML', content: '<p>See numbers</p>' }, toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }] },
		});
		expect((await call('POST', `/me/messages/${draft.body.id}/send`)).status).toBe(202);
		expect((await call('GET', `/me/messages/${draft.body.id}`)).status).toBe(404);
		const sent = await findBySubject('Quarterly numbers', 'sentitems');
		expect(sent.isDraft).toBe(false);
		const atMegan = await findBySubject('Quarterly numbers', 'inbox', meganToken);

		const reply = await call('POST', `/me/messages/${atMegan.id}/reply`, { token: meganToken, body: { comment: 'Thanks, looks good.' } });
		expect(reply.status).toBe(202);
		const answer = await findBySubject('RE: Quarterly numbers');
		const parsed = await simpleParser(await rawValue(`/me/messages/${answer.id}/$value`));
		expect(parsed.inReplyTo).toBe(atMegan.internetMessageId);
		expect(answer.conversationId).toBe(sent.conversationId);

		const delivered = await control('POST', '/deliver', { to: 'AdeleV@contoso.com', subject: 'Webhook trigger', text: 'New!' });
		expect(delivered.status).toBe(201);
		const arrived = await findBySubject('Webhook trigger');
		expect(arrived).toMatchObject({ isRead: false, body: { contentType: 'text', content: 'New!' } });
		expect(delivered.body.deliveredTo).toEqual([{ userId: ADELE.id, messageId: arrived.id }]);
		expect(sentLog(emu.core).map((r) => r.via)).toEqual(['send', 'reply', 'deliver']);
	});
});

describe('large attachments via upload session', () => {
	const size = 5 * 1024 * 1024;
	const content = Buffer.alloc(size);
	for (let i = 0; i < size; i++) content[i] = (i * 31 + 7) % 251;

	async function newDraft(): Promise<string> {
		const draft = await call('POST', '/me/messages', {
			body: { subject: `Large file ${Math.random()}`, body: { contentType: 'Text', content: 'big' }, toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }] },
		});
		return draft.body.id;
	}

	async function put(url: string, chunk: Buffer, range: string, headers: Record<string, string> = {}) {
		const res = await fetch(url, { method: 'PUT', headers: { 'Content-Range': range, 'Content-Type': 'application/octet-stream', ...headers }, body: chunk });
		const text = await res.text();
		return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
	}

	it('uploads 5 MB in three chunks, then the recipient $value carries it', async () => {
		const draftId = await newDraft();
		const session = await call('POST', `/me/messages/${draftId}/attachments/createUploadSession`, {
			body: { AttachmentItem: { attachmentType: 'file', name: 'big.bin', size, contentType: 'application/octet-stream' } },
		});
		expect(session.status).toBe(201);
		expect(session.body.uploadUrl.startsWith(`${emu.url}/upload/`)).toBe(true);
		expect(session.body.nextExpectedRanges).toEqual(['0-']);
		expect(session.body.expirationDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
		const url: string = session.body.uploadUrl;
		const mb2 = 2 * 1024 * 1024;

		const first = await put(url, content.subarray(0, mb2), `bytes 0-${mb2 - 1}/${size}`);
		expect(first.status).toBe(200);
		expect(first.body.nextExpectedRanges).toEqual([String(mb2)]);
		const second = await put(url, content.subarray(mb2, 2 * mb2), `bytes ${mb2}-${2 * mb2 - 1}/${size}`);
		expect(second.body.nextExpectedRanges).toEqual([String(2 * mb2)]);
		const last = await put(url, content.subarray(2 * mb2), `bytes ${2 * mb2}-${size - 1}/${size}`);
		expect(last.status).toBe(201);
		expect(last.text).toBe('');
		expect(last.headers.get('location')).toMatch(new RegExp(`^${emu.url}/v1.0/users/.+/messages/.+/attachments/.+`));

		expect((await call('POST', `/me/messages/${draftId}/send`)).status).toBe(202);
		const log = sentLog(emu.core);
		const record = log[log.length - 1];
		expect(record.attachmentBytes).toBe(size);
		const parsed = await simpleParser(await rawValue(`/me/messages/${record.deliveredTo[0].messageId}/$value`, meganToken));
		expect(parsed.attachments).toHaveLength(1);
		expect(parsed.attachments[0].filename).toBe('big.bin');
		expect(parsed.attachments[0].content.equals(content)).toBe(true);
	});

	it('answers chunk errors like Graph', async () => {
		const draftId = await newDraft();
		const small = await call('POST', `/me/messages/${draftId}/attachments/createUploadSession`, {
			body: { AttachmentItem: { attachmentType: 'file', name: 'small.bin', size: 1024 } },
		});
		expect(small.status).toBe(400);
		expect(small.body.error.code).toBe('ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
		const tooBig = await call('POST', `/me/messages/${draftId}/attachments/createUploadSession`, {
			body: { AttachmentItem: { attachmentType: 'file', name: 'huge.bin', size: 151 * 1024 * 1024 } },
		});
		expect(tooBig.status).toBe(400);

		const session = await call('POST', `/me/messages/${draftId}/attachments/createUploadSession`, {
			body: { AttachmentItem: { attachmentType: 'file', name: 'big.bin', size } },
		});
		const url: string = session.body.uploadUrl;
		const withAuth = await put(url, content.subarray(0, 1024), `bytes 0-1023/${size}`, { Authorization: `Bearer ${adeleToken}` });
		expect([400, 401]).toContain(withAuth.status);
		const wrongStart = await put(url, content.subarray(0, 1024), `bytes 1024-2047/${size}`);
		expect(wrongStart.status).toBe(416);
		expect(wrongStart.body.nextExpectedRanges).toEqual(['0-']);
		const oversized = await put(url, content.subarray(0, 4 * 1024 * 1024 + 1), `bytes 0-${4 * 1024 * 1024}/${size}`);
		expect(oversized.status).toBe(413);
		const ok = await put(url, content.subarray(0, 1024), `bytes 0-1023/${size}`);
		expect(ok.status).toBe(200);
		const overlap = await put(url, content.subarray(0, 1024), `bytes 0-1023/${size}`);
		expect(overlap.status).toBe(416);
		expect(overlap.body.nextExpectedRanges).toEqual(['1024-']);

		const cancelled = await fetch(url, { method: 'DELETE' });
		expect(cancelled.status).toBe(204);
		expect((await put(url, content.subarray(1024, 2048), `bytes 1024-2047/${size}`)).status).toBe(404);
		expect((await call('GET', `/me/messages/${draftId}/attachments`)).body.value).toHaveLength(0);
	});
});

describe('seeding helpers and reset', () => {
	it('seeds quickly in-process and restores the defaults on reset', async () => {
		const started = Date.now();
		const result = seedMessages(emu.core, { userId: MEGAN.id, folder: 'archive', count: 20_000 });
		expect(Date.now() - started).toBeLessThan(5000);
		expect(new Set(result.ids).size).toBe(20_000);
		const archive = await call('GET', '/me/mailFolders/archive', { token: meganToken });
		expect(archive.body.totalItemCount).toBe(20_000);

		const record = deliverMail(emu.core, { to: MEGAN.id, subject: 'In-process delivery', html: '<p>hi</p>' });
		expect(record.deliveredTo).toHaveLength(1);

		emu.reset();
		expect(mailboxOf(emu.core, MEGAN.id).messages.size).toBeLessThan(20);
		const folders = await call('GET', '/me/mailFolders?$top=100');
		expect(folders.body.value.map((f: any) => f.displayName)).not.toContain('Bulk');
		expect(folders.body.value.map((f: any) => f.displayName)).toContain('Projects');
		expect((await call('GET', '/me/mailFolders/inbox/messages?$count=true')).body['@odata.count']).toBeGreaterThanOrEqual(20);
	});

	it('imports raw MIME through the control API and serves the same bytes', async () => {
		const mime = Buffer.from(
			'From: Someone <someone@fabrikam.com>\r\nTo: AdeleV@contoso.com\r\nSubject: Imported\r\nMessage-ID: <imp@fabrikam.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nBody\r\n',
		);
		const imported = await control('POST', '/seed/mime', { userId: ADELE.id, folder: 'inbox', mimeBase64: mime.toString('base64') });
		expect(imported.status).toBe(201);
		const message = await call('GET', `/me/messages/${imported.body.id}`);
		expect(message.body).toMatchObject({ subject: 'Imported', internetMessageId: '<imp@fabrikam.com>' });
		expect((await rawValue(`/me/messages/${imported.body.id}/$value`)).equals(mime)).toBe(true);
	});
});
