/**
 * Contact delta over HTTP (contact-delta.md): `/me/contactFolders/{id}/contacts/delta` — the initial round
 * with paging and $select, later rounds with changes and `@removed` deletions, per-folder tokens, the
 * 410 for an expired or foreign token, and the paths and options Graph does not document.
 */
import { ADELE, DEFAULT_USERS, startEmulator, type Emulator } from './index';

let emu: Emulator;

async function call(method: string, path: string, body?: unknown, options: { headers?: Record<string, string>; userId?: string } = {}): Promise<{ status: number; body: any }> {
	const url = path.startsWith('http') ? path : `${emu.url}/v1.0${path}`;
	const headers: Record<string, string> = { Authorization: `Bearer ${emu.issueToken({ userId: options.userId ?? ADELE.id })}`, ...options.headers };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Follows one round to its deltaLink; returns every item and the link. */
async function round(url: string, headers: Record<string, string> = {}, userId?: string): Promise<{ pages: number; items: any[]; deltaLink: string }> {
	const items: any[] = [];
	let pages = 0;
	let next: string | undefined = url;
	for (;;) {
		const reply = await call('GET', next, undefined, { headers, userId });
		expect(reply.status).toBe(200);
		pages += 1;
		items.push(...reply.body.value);
		next = reply.body['@odata.nextLink'];
		if (!next) return { pages, items, deltaLink: reply.body['@odata.deltaLink'] };
		if (pages > 50) throw new Error('runaway round');
	}
}

/** The default Contacts folder's id, as a client learns it: the parentFolderId of a contact in /me/contacts. */
async function defaultFolderId(): Promise<string> {
	const { body } = await call('POST', '/me/contacts', { givenName: 'Anchor' });
	return body.parentFolderId as string;
}

beforeAll(async () => {
	emu = await startEmulator();
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => {
	emu.reset();
});

it('initial round: every contact of the folder, paged by odata.maxpagesize, $select keeps id, etag and type', async () => {
	const folderId = await defaultFolderId();
	for (const name of ['Ann', 'Bob', 'Cid', 'Dan']) await call('POST', '/me/contacts', { givenName: name, surname: 'Delta' });
	const { body: other } = await call('POST', '/me/contactFolders', { displayName: 'Suppliers' });
	await call('POST', `/me/contactFolders/${other.id}/contacts`, { givenName: 'Elsewhere' });

	const first = await round(`/me/contactFolders/${folderId}/contacts/delta?$select=displayName`, { Prefer: 'odata.maxpagesize=2' });
	expect(first.pages).toBe(3);
	expect(first.items.map((item) => item.displayName)).toEqual(['Anchor', 'Ann Delta', 'Bob Delta', 'Cid Delta', 'Dan Delta']);
	expect(Object.keys(first.items[0]).sort()).toEqual(['@odata.etag', '@odata.type', 'displayName', 'id']);
	expect(first.items[0]['@odata.type']).toBe('#microsoft.graph.contact');
	expect(first.deltaLink).toContain(`/v1.0/me/contactFolders('${folderId}')/contacts/delta?$deltatoken=`);

	// Nothing changed: an empty round and a new link.
	const again = await round(first.deltaLink);
	expect(again.items).toEqual([]);
	expect(again.deltaLink).not.toBe(first.deltaLink);
});

it('later rounds: created and updated contacts as they are now, deleted ones as @removed; a created-and-deleted one not at all', async () => {
	const folderId = await defaultFolderId();
	const { body: kept } = await call('POST', '/me/contacts', { givenName: 'Kept' });
	const { body: gone } = await call('POST', '/me/contacts', { givenName: 'Gone' });
	const start = await round(`/me/contactFolders/${folderId}/contacts/delta`);
	expect(start.items).toHaveLength(3);

	await call('PATCH', `/me/contacts/${kept.id}`, { jobTitle: 'Buyer' });
	await call('DELETE', `/me/contacts/${gone.id}`);
	const { body: added } = await call('POST', '/me/contacts', { givenName: 'Added' });
	const { body: fleeting } = await call('POST', '/me/contacts', { givenName: 'Fleeting' });
	await call('DELETE', `/me/contacts/${fleeting.id}`);
	const { body: other } = await call('POST', '/me/contactFolders', { displayName: 'Elsewhere' });
	await call('POST', `/me/contactFolders/${other.id}/contacts`, { givenName: 'Not here' });

	const changes = await round(start.deltaLink);
	expect(changes.items).toEqual([
		expect.objectContaining({ id: kept.id, jobTitle: 'Buyer', '@odata.type': '#microsoft.graph.contact' }),
		{ '@odata.type': '#microsoft.graph.contact', id: gone.id, '@removed': { reason: 'deleted' } },
		expect.objectContaining({ id: added.id, givenName: 'Added', createdDateTime: expect.any(String) }),
	]);
	// The folder's own round saw only the folder's contact; the default folder's token does not work there.
	const elsewhere = await round(`/me/contactFolders/${other.id}/contacts/delta`);
	expect(elsewhere.items.map((item) => item.givenName)).toEqual(['Not here']);
	const foreign = await call('GET', `/me/contactFolders/${other.id}/contacts/delta?$deltatoken=${new URL(changes.deltaLink).searchParams.get('$deltatoken')}`);
	expect(foreign.status).toBe(410);
});

it('an expired or unknown token is 410 SyncStateNotFound with Graph\'s error body', async () => {
	const folderId = await defaultFolderId();
	const start = await round(`/me/contactFolders/${folderId}/contacts/delta`);
	const expired = await fetch(`${emu.url}/_emulator/delta/expire`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: ADELE.id }) });
	expect(expired.status).toBe(200);
	const stale = await call('GET', start.deltaLink);
	expect(stale.status).toBe(410);
	expect(stale.body.error).toMatchObject({ code: 'SyncStateNotFound', innerError: { 'request-id': expect.any(String), date: expect.any(String) } });
	const unknown = await call('GET', `/me/contactFolders/${folderId}/contacts/delta?$deltatoken=never-issued`);
	expect(unknown.status).toBe(410);
});

it('per mailbox, an unknown folder is 404, undocumented options are 400, and there is no /me/contacts/delta', async () => {
	const adeleFolder = await defaultFolderId();
	const megan = DEFAULT_USERS.megan.id;
	const { body: meganContact } = await call('POST', '/me/contacts', { givenName: 'Megan own' }, { userId: megan });
	const meganRound = await round(`/users/${megan}/contactFolders/${meganContact.parentFolderId}/contacts/delta`, {}, megan);
	expect(meganRound.items.map((item) => item.givenName)).toEqual(['Megan own']);
	expect(meganRound.deltaLink).toContain(`/v1.0/users/${megan}/contactFolders(`);
	// Adele's default folder is not Megan's.
	expect((await call('GET', `/users/${megan}/contactFolders/${adeleFolder}/contacts/delta`, undefined, { userId: megan })).status).toBe(404);
	expect((await call('GET', '/me/contactFolders/AAMkNoSuchFolder=/contacts/delta')).body.error.code).toBe('ErrorItemNotFound');
	const filtered = await call('GET', `/me/contactFolders/${adeleFolder}/contacts/delta?$filter=givenName eq 'x'`);
	expect(filtered.status).toBe(400);
	expect(filtered.body.error.message).toContain('$filter');
	expect((await call('GET', '/me/contacts/delta')).status).toBe(404);
});
