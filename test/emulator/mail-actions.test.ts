/**
 * The emulator's rules for the mail actions, as Microsoft documents them: reply/replyAll/forward (202,
 * comment XOR message.body, forward's recipients in exactly one place, copies in Sent Items),
 * createReply/createReplyAll/createForward (201 drafts), move/copy (201, move gives a new id, well-known
 * names), PATCH (200; draft-only properties on a received message refused), $value (MIME), and the
 * master category list (GET 200, POST 201, DELETE 204, documented error shapes).
 */
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';
import { seedMessages, sentLog } from './mail';

const ADELE = DEFAULT_USERS.adele;
const MEGAN = DEFAULT_USERS.megan;

let emu: Emulator;
let token: string;

beforeAll(async () => {
	emu = await startEmulator();
	token = emu.issueToken({ userId: ADELE.id });
});

afterAll(async () => {
	await emu.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
	const res = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	let parsed: unknown;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		parsed = undefined;
	}
	return { status: res.status, body: parsed, text };
}

function seeded(prefix: string): string {
	return seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: prefix }).ids[0];
}

function expectGraphError(answer: { status: number; body: any }, status: number, code: string): void {
	expect(answer.status).toBe(status);
	expect(answer.body.error).toMatchObject({ code, message: expect.any(String) });
	expect(answer.body.error.innerError).toEqual({ date: expect.any(String), 'request-id': expect.any(String), 'client-request-id': expect.any(String) });
}

const to = (address: string) => [{ emailAddress: { address } }];

describe('reply, replyAll, forward', () => {
	it('reply: 202 without a body, delivered to the sender, a copy in Sent Items', async () => {
		const id = seeded('Reply rule');
		const answer = await call('POST', `/me/messages/${id}/reply`, { comment: 'Thanks!' });
		expect(answer.status).toBe(202);
		expect(answer.text).toBe('');
		const record = sentLog(emu.core).find((r) => r.via === 'reply' && r.subject === 'RE: Reply rule 1');
		expect(record).toMatchObject({ savedToSentItems: true, senderId: ADELE.id });
		const sent = await call('GET', `/me/mailFolders/sentitems/messages/${record?.sentItemId}`);
		expect(sent.status).toBe(200);
		expect(sent.body.subject).toBe('RE: Reply rule 1');
	});

	it('a comment together with message.body is a 400 on all six actions, and nothing is sent or created', async () => {
		const id = seeded('Both');
		const before = sentLog(emu.core).length;
		for (const action of ['reply', 'replyAll', 'forward', 'createReply', 'createReplyAll', 'createForward']) {
			const answer = await call('POST', `/me/messages/${id}/${action}`, {
				comment: 'c',
				message: { body: { contentType: 'Text', content: 'b' }, toRecipients: to(MEGAN.mail) },
			});
			expectGraphError(answer, 400, 'ErrorInvalidRequest');
		}
		expect(sentLog(emu.core).length).toBe(before);
		const drafts = await call('GET', `/me/mailFolders/drafts/messages?$filter=${encodeURIComponent("subject eq 'RE: Both 1'")}`);
		expect(drafts.body.value).toEqual([]);
	});

	it('a comment with a message that has no body is allowed (the documented example)', async () => {
		const id = seeded('Comment plus recipients');
		const answer = await call('POST', `/me/messages/${id}/reply`, { comment: 'c', message: { toRecipients: to(MEGAN.mail) } });
		expect(answer.status).toBe(202);
		const record = sentLog(emu.core).find((r) => r.subject === 'RE: Comment plus recipients 1');
		expect(record?.to).toEqual([MEGAN.mail]);
	});

	it('forward needs exactly one of toRecipients and message.toRecipients', async () => {
		const id = seeded('Forward rule');
		expectGraphError(await call('POST', `/me/messages/${id}/forward`, { comment: 'neither' }), 400, 'ErrorInvalidRecipients');
		expectGraphError(
			await call('POST', `/me/messages/${id}/forward`, { toRecipients: to(MEGAN.mail), message: { toRecipients: to(MEGAN.mail) } }),
			400,
			'ErrorInvalidRequest',
		);
		expect((await call('POST', `/me/messages/${id}/forward`, { toRecipients: to(MEGAN.mail) })).status).toBe(202);
		expect((await call('POST', `/me/messages/${id}/forward`, { message: { toRecipients: to(MEGAN.mail) } })).status).toBe(202);
		expect(sentLog(emu.core).filter((r) => r.via === 'forward' && r.subject === 'FW: Forward rule 1')).toHaveLength(2);
	});

	it('createReply / createForward: 201 with a draft in Drafts; a forward draft may have no recipient yet', async () => {
		const id = seeded('Draft answer');
		const reply = await call('POST', `/me/messages/${id}/createReply`, { comment: 'Draft' });
		expect(reply.status).toBe(201);
		expect(reply.body).toMatchObject({ isDraft: true, subject: 'RE: Draft answer 1' });
		const forward = await call('POST', `/me/messages/${id}/createForward`);
		expect(forward.status).toBe(201);
		expect(forward.body).toMatchObject({ isDraft: true, subject: 'FW: Draft answer 1', toRecipients: [] });
		const sent = await call('POST', `/me/messages/${reply.body.id}/send`);
		expect(sent.status).toBe(202);
	});
});

describe('move, copy, update, $value', () => {
	it('move: 201 with a NEW id in the well-known folder; the old id is gone. copy: 201, original kept', async () => {
		const id = seeded('Move me');
		const moved = await call('POST', `/me/messages/${id}/move`, { destinationId: 'archive' });
		expect(moved.status).toBe(201);
		expect(moved.body.id).not.toBe(id);
		const archive = await call('GET', '/me/mailFolders/archive');
		expect(moved.body.parentFolderId).toBe(archive.body.id);
		expectGraphError(await call('GET', `/me/messages/${id}`), 404, 'ErrorItemNotFound');

		const copied = await call('POST', `/me/messages/${moved.body.id}/copy`, { destinationId: 'junkemail' });
		expect(copied.status).toBe(201);
		expect(copied.body.id).not.toBe(moved.body.id);
		expect((await call('GET', `/me/messages/${moved.body.id}`)).status).toBe(200);
		expectGraphError(await call('POST', `/me/messages/${moved.body.id}/move`, {}), 400, 'ErrorInvalidParameter');
	});

	it('PATCH: 200 with flag, categories, importance, Focused/Other; subject on a received message is refused', async () => {
		const id = seeded('Patch me');
		const flag = {
			flagStatus: 'flagged',
			startDateTime: { dateTime: '2026-05-01T09:00:00', timeZone: 'W. Europe Standard Time' },
			dueDateTime: { dateTime: '2026-05-02T17:00:00', timeZone: 'W. Europe Standard Time' },
		};
		const patched = await call('PATCH', `/me/messages/${id}`, { isRead: true, flag, categories: ['Red category'], importance: 'high', inferenceClassification: 'other' });
		expect(patched.status).toBe(200);
		expect(patched.body).toMatchObject({ isRead: true, flag, categories: ['Red category'], importance: 'high', inferenceClassification: 'other' });
		expectGraphError(await call('PATCH', `/me/messages/${id}`, { subject: 'changed' }), 400, 'ErrorInvalidPropertyUpdateSentMessage');
	});

	it('$value is the MIME text', async () => {
		const id = seeded('Export me');
		const res = await fetch(`${emu.url}/v1.0/me/messages/${id}/$value`, { headers: { Authorization: `Bearer ${token}` } });
		expect(res.status).toBe(200);
		expect(await res.text()).toMatch(/^[\s\S]*Subject: Export me 1/m);
	});
});

describe('master categories', () => {
	it('lists the six defaults, creates (201, GUID id), refuses a duplicate (409) and a bad color (400), deletes (204)', async () => {
		const list = await call('GET', '/me/outlook/masterCategories');
		expect(list.status).toBe(200);
		expect(list.body['@odata.context']).toContain('/outlook/masterCategories');
		expect(list.body.value.map((c: any) => c.displayName)).toEqual(expect.arrayContaining(['Red category', 'Blue category']));

		const created = await call('POST', '/me/outlook/masterCategories', { displayName: 'Invoices', color: 'preset9' });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ displayName: 'Invoices', color: 'preset9', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
		expectGraphError(await call('POST', '/me/outlook/masterCategories', { displayName: 'invoices', color: 'preset1' }), 409, 'ErrorDuplicateCategoryName');
		expectGraphError(await call('POST', '/me/outlook/masterCategories', { displayName: 'Bad color', color: 'preset25' }), 400, 'RequestBodyRead');

		expect((await call('GET', `/me/outlook/masterCategories/${created.body.id}`)).body.displayName).toBe('Invoices');
		const deleted = await call('DELETE', `/me/outlook/masterCategories/${created.body.id}`);
		expect(deleted.status).toBe(204);
		expectGraphError(await call('DELETE', `/me/outlook/masterCategories/${created.body.id}`), 404, 'ErrorItemNotFound');
	});
});
