/**
 * Mail Folder resource in real n8n against the emulator: create (root, child, hidden), list (root,
 * children, hidden, Fetch All), delete, Graph errors (409 duplicate, 403 well-known folder) and
 * bad input refused before any request.
 * Run: npm run build && npx jest test/e2e/folder.test.ts
 */
import { byId, runOutlookNode, useE2E } from './support';

const ctx = useE2E();

function sorted<T>(list: T[]): T[] {
	return [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const folder = (operation: string, parameters: Record<string, unknown> = {}) => ({ resource: 'folder', operation, ...parameters });

describe('Mail Folder', () => {
	let parentId: string;
	let hiddenChildId: string;

	it('creates a top-level folder and, per input item, child folders (one hidden) inside it', async () => {
		const top = await runOutlookNode(ctx, { parameters: folder('create', { displayName: 'E2E Invoices' }) });
		expect(top.error).toBeUndefined();
		expect(top.graphRequests.map((r) => [r.method, r.path])).toEqual([['POST', '/me/mailFolders']]);
		expect(top.graphRequests[0].body).toEqual({ displayName: 'E2E Invoices' });
		expect(top.output).toHaveLength(1);
		expect(top.output[0].json).toMatchObject({ displayName: 'E2E Invoices', isHidden: false, childFolderCount: 0 });
		parentId = top.output[0].json.id;

		const children = await runOutlookNode(ctx, {
			items: [
				{ name: '2025', hidden: false },
				{ name: 'Archive', hidden: true },
			],
			parameters: folder('create', {
				displayName: '={{ $json.name }}',
				parentFolderId: byId(parentId),
				options: { isHidden: '={{ $json.hidden }}' },
			}),
		});
		expect(children.error).toBeUndefined();
		// Items run concurrently: compare the requests in a stable order.
		expect(sorted(children.graphRequests.map((r) => [r.method, r.path, r.body]))).toEqual(
			sorted([
				['POST', `/me/mailFolders/${parentId}/childFolders`, { displayName: '2025' }],
				['POST', `/me/mailFolders/${parentId}/childFolders`, { displayName: 'Archive', isHidden: true }],
			]),
		);
		expect(children.output.map((o) => [o.json.displayName, o.json.parentFolderId, o.json.isHidden, o.pairedItem])).toEqual([
			['2025', parentId, false, { item: 0 }],
			['Archive', parentId, true, { item: 1 }],
		]);
		hiddenChildId = children.output[1].json.id;
	});

	it('lists a folder’s children without and with hidden folders', async () => {
		const visible = await runOutlookNode(ctx, { parameters: folder('getAll', { parentFolderId: byId(parentId) }) });
		expect(visible.error).toBeUndefined();
		expect(visible.graphRequests).toHaveLength(1);
		expect(visible.graphRequests[0]).toMatchObject({ method: 'GET', path: `/me/mailFolders/${parentId}/childFolders`, query: { $top: '10' } });
		expect(visible.output.map((o) => o.json.displayName)).toEqual(['2025']);

		const all = await runOutlookNode(ctx, {
			parameters: folder('getAll', { parentFolderId: byId(parentId), options: { includeHiddenFolders: true }, limit: 1, skip: 1 }),
		});
		expect(all.graphRequests[0].query).toEqual({ $top: '1', $skip: '1', includeHiddenFolders: 'true' });
		expect(all.output.map((o) => [o.json.id, o.json.displayName])).toEqual([[hiddenChildId, 'Archive']]);
	});

	it('lists the top level with Fetch All, and a well-known folder’s children by name (app-only credential)', async () => {
		const root = await runOutlookNode(ctx, { parameters: folder('getAll', { returnAll: true }) });
		expect(root.error).toBeUndefined();
		expect(root.graphRequests.map((r) => [r.method, r.path, r.query])).toEqual([['GET', '/me/mailFolders', { $top: '1000' }]]);
		const names = root.output.map((o) => o.json.displayName);
		expect(names).toEqual(expect.arrayContaining(['Inbox', 'Sent Items', 'Drafts', 'Projects', 'E2E Invoices']));
		expect(new Set(names).size).toBe(names.length);
		const filtered = await runOutlookNode(ctx, { parameters: folder('getAll', { options: { filter: "displayName eq 'Projects'" } }) });
		expect(filtered.graphRequests.map((r) => r.query)).toEqual([{ $top: '10', $filter: "displayName eq 'Projects'" }]);
		expect(filtered.output.map((o) => o.json.displayName)).toEqual(['Projects']);

		const inboxChildren = await runOutlookNode(ctx, {
			authentication: 'clientCredentials',
			parameters: folder('getAll', { parentFolderId: byId('inbox') }),
		});
		expect(inboxChildren.error).toBeUndefined();
		expect(inboxChildren.graphRequests.map((r) => r.path)).toEqual(['/users/AdeleV@contoso.com/mailFolders/inbox/childFolders']);
		expect(inboxChildren.graphRequests[0].auth).toMatchObject({ appOnly: true });
		expect(inboxChildren.output).toEqual([]);
	});

	it('passes Graph’s 409 for a duplicate name through, naming the code', async () => {
		const duplicate = await runOutlookNode(ctx, { parameters: folder('create', { displayName: 'E2E Invoices' }) });
		expect(duplicate.success).toBe(false);
		expect(duplicate.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/me/mailFolders', 409]]);
		expect(duplicate.error?.message).toContain('A folder with this name already exists here [ErrorFolderExists]');
		expect(duplicate.error?.description).toContain('request-id');
	});

	it('refuses an empty name or a malformed parent ID before any request', async () => {
		const noName = await runOutlookNode(ctx, { parameters: folder('create', { displayName: '  ' }) });
		expect(noName.success).toBe(false);
		expect(noName.error?.message).toBe('Display Name is empty');
		expect(noName.graphRequests).toEqual([]);

		const badParent = await runOutlookNode(ctx, { parameters: folder('getAll', { parentFolderId: byId('not an id') }) });
		expect(badParent.success).toBe(false);
		expect(badParent.error?.message).toContain('Parent Folder "not an id" is not a Microsoft Graph ID');
		expect(badParent.graphRequests).toEqual([]);
	});

	it('deletes a folder (confirmation item) and reports Graph’s refusal for a well-known folder per item', async () => {
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [{ id: parentId }, { id: 'inbox' }],
			parameters: folder('delete', { folderId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } }),
		});
		expect(sorted(run.graphRequests.map((r) => [r.method, r.path, r.status]))).toEqual(
			sorted([
				['DELETE', `/me/mailFolders/${parentId}`, 204],
				['DELETE', '/me/mailFolders/inbox', 403],
			]),
		);
		expect(run.output[0].json).toEqual({ deleted: true });
		expect(JSON.stringify(run.output[1])).toContain('ErrorDeleteDistinguishedFolder');

		// The children went with their parent.
		const after = await runOutlookNode(ctx, { parameters: folder('getAll', { parentFolderId: byId(hiddenChildId) }) });
		expect(after.success).toBe(false);
		expect(after.graphRequests.map((r) => r.status)).toEqual([404]);
		expect(after.error?.message).toContain('ErrorItemNotFound');
	});
});
