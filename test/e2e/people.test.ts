/**
 * Contacts, contact folders and mailbox settings in real n8n against the emulator, one n8n start for the file:
 * Create (many items through $batch, bad items refused on their own), Get, List (folder, email filter), Update,
 * Delete Contact; Create / List Contact Folder; Get Mailbox Settings, Set / Get Automatic Replies, Get Mail Tips;
 * the contact and folder pickers (list search).
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/people.test.ts
 */
import { nodeType } from '../harness/n8n';
import { ADELE, CREDENTIAL_IDS, MEGAN, byId, graphAs, runOutlookNode, sortedByPath, useE2E, type NodeRun } from './support';

const ctx = useE2E();

function summary(run: NodeRun) {
	return run.graphRequests.map((r) => ({ method: r.method, path: r.path, query: r.query, body: r.body }));
}

/** The editor's resource locator: n8n's own list-search endpoint calling the node's method. */
async function listSearch(methodName: string, filter: string, currentNodeParameters: Record<string, unknown>) {
	const answer = await ctx.n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
		nodeTypeAndVersion: { name: nodeType('microsoftOutlookExt'), version: 1 },
		methodName,
		path: 'parameters.contactId',
		currentNodeParameters: { authentication: 'oAuth2', ...currentNodeParameters },
		credentials: { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
		filter,
	});
	expect(answer.status).toBe(200);
	return answer.body.data.results as Array<{ name: string; value: string }>;
}

describe('Contact and Contact Folder', () => {
	it('creates, finds, gets, updates and deletes contacts; folders and pickers work', async () => {
		// ---- Create Contact Folder
		const folderRun = await runOutlookNode(ctx, { parameters: { resource: 'contactFolder', operation: 'create', contactFolderName: 'Customers' } });
		expect(folderRun.success).toBe(true);
		expect(summary(folderRun)).toEqual([{ method: 'POST', path: '/me/contactFolders', query: {}, body: { displayName: 'Customers' } }]);
		const folder = folderRun.output[0].json as { id: string; displayName: string };
		expect(folder.displayName).toBe('Customers');

		// ---- Create Contact: many items go out in $batch calls (spread over the mailbox's 4 slots); a bad one is refused before any request
		const createRun = await runOutlookNode(ctx, {
			parameters: {
				resource: 'contact',
				operation: 'create',
				contactFolderId: byId('={{ $json.folder }}'),
				givenName: '={{ $json.first }}',
				surname: '={{ $json.last }}',
				additionalFields: {
					companyName: 'Fabrikam',
					birthday: '1974-07-22',
					categories: 'Customers, VIP',
					emailAddresses: { emailAddress: [{ address: '={{ $json.email }}', name: '={{ $json.first }}' }] },
					phones: { phone: [{ type: 'business', number: '+1 425 555 0100' }, { type: 'mobile', number: '+1 425 555 0199' }] },
					postalAddresses: { address: [{ type: 'home', street: '123 Main St', city: 'Redmond', postalCode: '98052', countryOrRegion: 'United States' }] },
				},
			},
			items: [
				{ first: 'Pavel', last: 'Bansky', email: 'pavelb@fabrikam.com', folder: '' },
				{ first: 'Dana', last: 'Swope', email: 'danas@fabrikam.com', folder: folder.id },
				{ first: 'Bad', last: 'Mail', email: 'not-an-address', folder: '' },
				...['Ann', 'Ben', 'Cy', 'Di', 'Ed', 'Flo'].map((first) => ({ first, last: 'Bulk', email: `${first.toLowerCase()}@fabrikam.com`, folder: folder.id })),
			],
			continueOnFail: true,
		});
		expect(createRun.success).toBe(true);
		expect(createRun.requests.filter((r) => r.path === '/$batch' && !r.parentRequestId).length).toBeGreaterThan(0);
		const expectedBody = (first: string, last: string, email: string) => ({
			givenName: first,
			surname: last,
			companyName: 'Fabrikam',
			birthday: '1974-07-22',
			categories: ['Customers', 'VIP'],
			emailAddresses: [{ address: email, name: first }],
			businessPhones: ['+1 425 555 0100'],
			mobilePhone: '+1 425 555 0199',
			homeAddress: { street: '123 Main St', city: 'Redmond', postalCode: '98052', countryOrRegion: 'United States' },
		});
		const inFolderBody = (first: string, last: string) => ({
			method: 'POST',
			path: `/me/contactFolders/${folder.id}/contacts`,
			query: {},
			body: expectedBody(first, last, `${first.toLowerCase()}@fabrikam.com`),
		});
		expect(sortedByPath(summary(createRun))).toEqual(
			sortedByPath([
				{ method: 'POST', path: '/me/contacts', query: {}, body: expectedBody('Pavel', 'Bansky', 'pavelb@fabrikam.com') },
				{ ...inFolderBody('Dana', 'Swope'), body: expectedBody('Dana', 'Swope', 'danas@fabrikam.com') },
				...['Ann', 'Ben', 'Cy', 'Di', 'Ed', 'Flo'].map((first) => inFolderBody(first, 'Bulk')),
			]),
		);
		expect(createRun.output.map((item) => item.pairedItem)).toEqual(Array.from({ length: 9 }, (_, item) => ({ item })));
		const pavel = createRun.output[0].json as Record<string, any>;
		expect(pavel).toMatchObject({ displayName: 'Pavel Bansky', mobilePhone: '+1 425 555 0199', birthday: '1974-07-22T00:00:00Z', homeAddress: { city: 'Redmond' } });
		expect(createRun.output[1].json).toMatchObject({ displayName: 'Dana Swope', parentFolderId: folder.id });
		expect(createRun.output[2].error).toMatchObject({
			name: 'NodeOperationError',
			message: 'Email Addresses: address 1 "not-an-address" is not an email address',
		});

		// ---- List Contacts: by email address (Graph's only filter form on emailAddresses), and in a folder
		const byEmail = await runOutlookNode(ctx, { parameters: { resource: 'contact', operation: 'getAll', options: { emailAddress: 'pavelb@fabrikam.com' } } });
		expect(byEmail.success).toBe(true);
		expect(summary(byEmail)).toEqual([
			{ method: 'GET', path: '/me/contacts', query: { $top: '10', $filter: "emailAddresses/any(a:a/address eq 'pavelb@fabrikam.com')" }, body: undefined },
		]);
		expect(byEmail.output.map((item) => item.json.id)).toEqual([pavel.id]);
		const inFolder = await runOutlookNode(ctx, { parameters: { resource: 'contact', operation: 'getAll', returnAll: true, contactFolderId: byId(folder.id) } });
		expect(inFolder.output.map((item) => item.json.displayName).sort()).toEqual(['Ann Bulk', 'Ben Bulk', 'Cy Bulk', 'Dana Swope', 'Di Bulk', 'Ed Bulk', 'Flo Bulk']);
		expect(inFolder.graphRequests[0].query).toEqual({ $top: '1000' });

		// ---- the pickers: contacts matched by name or address, folders by name
		expect(await listSearch('searchContacts', 'pavelb@', {})).toEqual([{ name: 'Pavel Bansky — pavelb@fabrikam.com', value: pavel.id }]);
		expect((await listSearch('searchContacts', 'swope', { contactFolderId: byId(folder.id) })).map((r) => r.name)).toEqual(['Dana Swope — danas@fabrikam.com']);
		expect(await listSearch('searchContactFolders', 'cust', {})).toEqual([{ name: 'Customers', value: folder.id }]);

		// ---- Get, Update (only the given fields; Graph answers with the whole contact), Delete
		const get = await runOutlookNode(ctx, { parameters: { resource: 'contact', operation: 'get', contactId: byId(pavel.id) } });
		expect(summary(get)).toEqual([{ method: 'GET', path: `/me/contacts/${pavel.id}`, query: {}, body: undefined }]);
		expect(get.output[0].json).toMatchObject({ id: pavel.id, companyName: 'Fabrikam', categories: ['Customers', 'VIP'] });
		const selected = await runOutlookNode(ctx, { parameters: { resource: 'contact', operation: 'get', contactId: byId(pavel.id), options: { select: 'companyName' } } });
		expect(summary(selected)).toEqual([{ method: 'GET', path: `/me/contacts/${pavel.id}`, query: { $select: 'companyName' }, body: undefined }]);
		expect(Object.keys(selected.output[0].json).filter((key) => !key.startsWith('@')).sort()).toEqual(['companyName', 'id']);

		const update = await runOutlookNode(ctx, {
			parameters: {
				resource: 'contact',
				operation: 'update',
				contactId: byId(pavel.id),
				updateFields: {
					jobTitle: 'Buyer',
					phones: { phone: [{ type: 'home', number: '+1 206 555 0111' }] },
					profession: 'Engineer',
					children: 'Anna, Ben',
					imAddresses: 'sip:pavelb@fabrikam.com',
					title: 'Dr.',
				},
			},
		});
		expect(summary(update)).toEqual([
			{
				method: 'PATCH',
				path: `/me/contacts/${pavel.id}`,
				query: {},
				body: { jobTitle: 'Buyer', homePhones: ['+1 206 555 0111'], profession: 'Engineer', title: 'Dr.', children: ['Anna', 'Ben'], imAddresses: ['sip:pavelb@fabrikam.com'] },
			},
		]);
		expect(update.output[0].json).toMatchObject({
			id: pavel.id,
			jobTitle: 'Buyer',
			homePhones: ['+1 206 555 0111'],
			companyName: 'Fabrikam',
			profession: 'Engineer',
			title: 'Dr.',
			children: ['Anna', 'Ben'],
			imAddresses: ['sip:pavelb@fabrikam.com'],
		});

		const remove = await runOutlookNode(ctx, { parameters: { resource: 'contact', operation: 'delete', contactId: byId(pavel.id) } });
		expect(remove.output[0].json).toEqual({ deleted: true });
		expect(remove.graphRequests[0].status).toBe(204);
		expect((await graphAs(ctx.emu, 'GET', `/me/contacts/${pavel.id}`)).status).toBe(404);

		// ---- List Contact Folders; a Graph error keeps its code and request-id
		const folders = await runOutlookNode(ctx, { parameters: { resource: 'contactFolder', operation: 'getAll' } });
		expect(folders.output.map((item) => item.json.displayName)).toEqual(['Customers']);
		const missing = await runOutlookNode(ctx, { parameters: { resource: 'contact', operation: 'get', contactId: byId('AAMkNoSuchContact=') } });
		expect(missing.success).toBe(false);
		expect(missing.error?.description).toMatch(/ErrorItemNotFound.*request-id: [0-9a-f-]{36}/);
	});
});

describe('Mailbox Settings', () => {
	it('gets settings, sets and reads a scheduled out-of-office reply, and shows it in mail tips', async () => {
		const settings = await runOutlookNode(ctx, { parameters: { resource: 'mailboxSettings', operation: 'get' } });
		expect(summary(settings)).toEqual([{ method: 'GET', path: '/me/mailboxSettings', query: {}, body: undefined }]);
		expect(settings.output[0].json).toMatchObject({ timeZone: expect.any(String), language: { locale: 'en-US' }, workingHours: expect.any(Object) });

		const now = new Date(ctx.emu.core.now());
		const local = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 19);
		const set = await runOutlookNode(ctx, {
			parameters: {
				resource: 'mailboxSettings',
				operation: 'setAutomaticReplies',
				status: 'scheduled',
				scheduledStartDateTime: local(-1),
				scheduledEndDateTime: local(7),
				timeZone: 'W. Europe Standard Time',
				internalReplyMessage: 'Back next week.',
				externalReplyMessage: 'Thank you, I will answer next week.',
				externalAudience: 'contactsOnly',
			},
		});
		expect(set.success).toBe(true);
		expect(summary(set)).toEqual([
			{
				method: 'PATCH',
				path: '/me/mailboxSettings',
				query: {},
				body: {
					automaticRepliesSetting: {
						status: 'scheduled',
						externalAudience: 'contactsOnly',
						internalReplyMessage: 'Back next week.',
						externalReplyMessage: 'Thank you, I will answer next week.',
						scheduledStartDateTime: { dateTime: local(-1), timeZone: 'W. Europe Standard Time' },
						scheduledEndDateTime: { dateTime: local(7), timeZone: 'W. Europe Standard Time' },
					},
				},
			},
		]);
		expect(set.output[0].json).toMatchObject({ status: 'scheduled', externalAudience: 'contactsOnly', scheduledEndDateTime: { timeZone: 'UTC' } });

		const get = await runOutlookNode(ctx, { parameters: { resource: 'mailboxSettings', operation: 'getAutomaticReplies' } });
		expect(summary(get)[0].path).toBe('/me/mailboxSettings/automaticRepliesSetting');
		expect(get.output[0].json).toMatchObject({ status: 'scheduled', internalReplyMessage: 'Back next week.' });

		// Adele's reply is on now, Megan's is not; an outside address is external.
		const tips = await runOutlookNode(ctx, {
			parameters: {
				resource: 'mailboxSettings',
				operation: 'getMailTips',
				mailTipsAddresses: `${ADELE.mail}, ${MEGAN.mail}; someone@fabrikam.com`,
				mailTipsOptions: ['automaticReplies', 'recipientScope', 'maxMessageSize'],
			},
		});
		expect(tips.success).toBe(true);
		expect(summary(tips)).toEqual([
			{
				method: 'POST',
				path: '/me/getMailTips',
				query: {},
				body: { EmailAddresses: [ADELE.mail, MEGAN.mail, 'someone@fabrikam.com'], MailTipsOptions: 'automaticReplies, recipientScope, maxMessageSize' },
			},
		]);
		expect(tips.output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		const [adele, megan, outside] = tips.output.map((item) => item.json as Record<string, any>);
		expect(adele.automaticReplies).toMatchObject({ message: 'Back next week.', scheduledStartTime: { timeZone: 'UTC' }, scheduledEndTime: { timeZone: 'UTC' } });
		expect(megan.automaticReplies).toEqual({ message: '' });
		expect(outside).toMatchObject({ recipientScope: 'external', maxMessageSize: expect.any(Number) });

		// Bad input is refused before any request, each on its own item.
		const bad = await runOutlookNode(ctx, {
			parameters: {
				resource: 'mailboxSettings',
				operation: 'setAutomaticReplies',
				status: 'scheduled',
				scheduledStartDateTime: '={{ $json.start }}',
				scheduledEndDateTime: '={{ $json.end }}',
				timeZone: '={{ $json.zone }}',
			},
			items: [
				{ start: '2031-08-01T00:00:00', end: '', zone: 'UTC' },
				{ start: '2031-08-02T00:00:00', end: '2031-08-01T00:00:00', zone: 'UTC' },
				{ start: '2031-08-01T00:00:00', end: '2031-08-02T00:00:00', zone: 'Mars Standard Time' },
			],
			continueOnFail: true,
		});
		expect(bad.graphRequests).toEqual([]);
		expect(bad.output.map((item) => item.error?.message)).toEqual([
			'End At is empty',
			'End At must be after Start At',
			'Time Zone "Mars Standard Time" is not a time zone Microsoft Graph knows',
		]);
		expect((await graphAs(ctx.emu, 'GET', '/me/mailboxSettings/automaticRepliesSetting')).body.status).toBe('scheduled');
	});
});
