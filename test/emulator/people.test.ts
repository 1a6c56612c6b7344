/**
 * The emulator's contacts, contact folders, mailbox settings and mail tips, checked against Microsoft's
 * documentation (graph-ops-facts rows 13-18, 25-27): status codes, derived displayName, the emailAddresses
 * $filter rule, mailboxSettings sub-paths, automaticRepliesSetting casing and mail tips' shape.
 */
import { startEmulator, type Emulator } from './index';
import { ADELE, MEGAN } from './users';

let emu: Emulator;

async function call(method: string, path: string, body?: unknown, userId = ADELE.id): Promise<{ status: number; body: any }> {
	const token = emu.issueToken({ userId });
	const response = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
	emu = await startEmulator();
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => emu.reset());

describe('contacts', () => {
	it('create answers 201 with the contact; displayName is built from given name and surname when not given', async () => {
		const created = await call('POST', '/me/contacts', {
			givenName: 'Pavel',
			surname: 'Bansky',
			emailAddresses: [{ address: 'pavelb@fabrikam.onmicrosoft.com', name: 'Pavel Bansky' }, { address: 'pavel@home.example' }],
			businessPhones: ['+1 732 555 0102'],
			birthday: '1974-07-22',
		});
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			'@odata.context': expect.stringMatching(/\/\$metadata#me\/contacts\/\$entity$/),
			displayName: 'Pavel Bansky',
			givenName: 'Pavel',
			businessPhones: ['+1 732 555 0102'],
			homePhones: [],
			mobilePhone: null,
			homeAddress: {},
			fileAs: '',
			birthday: '1974-07-22T00:00:00Z',
			emailAddresses: [
				{ name: 'Pavel Bansky', address: 'pavelb@fabrikam.onmicrosoft.com' },
				{ name: 'pavel@home.example', address: 'pavel@home.example' },
			],
		});
		expect(created.body.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		const kept = await call('POST', '/me/contacts', { givenName: 'A', surname: 'B', displayName: 'Custom' });
		expect(kept.body.displayName).toBe('Custom');
	});

	it('update answers 200 with the whole contact; a name change regenerates a generated displayName', async () => {
		const { body: contact } = await call('POST', '/me/contacts', { givenName: 'Pavel', surname: 'Bansky', jobTitle: 'Sales' });
		const updated = await call('PATCH', `/me/contacts/${contact.id}`, { surname: 'Banski', homeAddress: { city: 'Redmond' } });
		expect(updated.status).toBe(200);
		expect(updated.body).toMatchObject({ id: contact.id, displayName: 'Pavel Banski', jobTitle: 'Sales', homeAddress: { city: 'Redmond' } });
		expect(updated.body.changeKey).not.toBe(contact.changeKey);
	});

	it('delete answers 204, then the contact is gone (404 ErrorItemNotFound)', async () => {
		const { body: contact } = await call('POST', '/me/contacts', { givenName: 'Gone' });
		expect((await call('DELETE', `/me/contacts/${contact.id}`)).status).toBe(204);
		const after = await call('GET', `/me/contacts/${contact.id}`);
		expect(after.status).toBe(404);
		expect(after.body.error.code).toBe('ErrorItemNotFound');
	});

	it('refuses unknown properties and wrong types with 400 RequestBodyRead', async () => {
		expect((await call('POST', '/me/contacts', { nickname: 'x' })).body.error.code).toBe('RequestBodyRead');
		expect((await call('POST', '/me/contacts', { businessPhones: '+1 555' })).status).toBe(400);
		expect((await call('POST', '/me/contacts', { birthday: 'soon' })).status).toBe(400);
	});

	it('filters emailAddresses only as any(a:a/address eq …); other forms are a 400', async () => {
		await call('POST', '/me/contacts', { givenName: 'One', emailAddresses: [{ address: 'one@fabrikam.com' }] });
		await call('POST', '/me/contacts', { givenName: 'Two', emailAddresses: [{ address: 'two@fabrikam.com' }] });
		const filter = (text: string) => call('GET', `/me/contacts?$filter=${encodeURIComponent(text)}`);
		const found = await filter("emailAddresses/any(a:a/address eq 'two@fabrikam.com')");
		expect(found.status).toBe(200);
		expect(found.body.value.map((c: any) => c.givenName)).toEqual(['Two']);
		expect((await filter("givenName eq 'One'")).body.value).toHaveLength(1);
		for (const bad of [
			"emailAddresses/any(a:a/name eq 'Two')",
			"emailAddresses/any(a:startswith(a/address, 'two'))",
			"emailAddresses/any(a:a/address ne 'two@fabrikam.com')",
			"emailAddresses/all(a:a/address eq 'two@fabrikam.com')",
		]) {
			const refused = await filter(bad);
			expect({ bad, status: refused.status, code: refused.body.error?.code }).toEqual({ bad, status: 400, code: 'ErrorInvalidUrlQueryFilter' });
		}
	});

	it('contacts live in their folder: /contactFolders/{id}/contacts lists only that folder', async () => {
		const folder = await call('POST', '/me/contactFolders', { displayName: 'Customers' });
		expect(folder.status).toBe(201);
		await call('POST', `/me/contactFolders/${folder.body.id}/contacts`, { givenName: 'InFolder' });
		await call('POST', '/me/contacts', { givenName: 'InDefault' });
		const inFolder = await call('GET', `/me/contactFolders/${folder.body.id}/contacts`);
		expect(inFolder.body.value.map((c: any) => c.givenName)).toEqual(['InFolder']);
		expect(inFolder.body.value[0].parentFolderId).toBe(folder.body.id);
		expect((await call('GET', '/me/contacts')).body.value.map((c: any) => c.givenName)).toEqual(['InDefault']);
		expect((await call('GET', '/me/contactFolders/nope/contacts')).status).toBe(404);
	});
});

describe('contact folders', () => {
	it('lists the folders under the default Contacts folder (id, displayName, parentFolderId); child folders by parent', async () => {
		const top = await call('POST', '/me/contactFolders', { displayName: 'Suppliers' });
		const child = await call('POST', `/me/contactFolders/${top.body.id}/childFolders`, { displayName: 'Local' });
		expect(child.status).toBe(201);
		const list = await call('GET', '/me/contactFolders');
		expect(list.body.value).toEqual([{ id: top.body.id, displayName: 'Suppliers', parentFolderId: top.body.parentFolderId }]);
		const children = await call('GET', `/me/contactFolders/${top.body.id}/childFolders`);
		expect(children.body.value.map((f: any) => f.displayName)).toEqual(['Local']);
		expect((await call('POST', '/me/contactFolders', { displayName: 'suppliers' })).status).toBe(409);
	});

	it('the default Contacts folder is addressable by its ID (the top folders\' parent), though the list omits it', async () => {
		const top = await call('POST', '/me/contactFolders', { displayName: 'Suppliers' });
		const defaultId = top.body.parentFolderId;
		await call('POST', '/me/contacts', { givenName: 'InDefault' });
		const folder = await call('GET', `/me/contactFolders/${defaultId}`);
		expect(folder.status).toBe(200);
		expect(folder.body).toMatchObject({ id: defaultId, displayName: 'Contacts' });
		const contacts = await call('GET', `/me/contactFolders/${defaultId}/contacts`);
		expect(contacts.body.value.map((c: any) => c.givenName)).toEqual(['InDefault']);
		const children = await call('GET', `/me/contactFolders/${defaultId}/childFolders`);
		expect(children.body.value.map((f: any) => f.displayName)).toEqual(['Suppliers']);
	});
});

describe('mailbox settings', () => {
	it('GET returns every setting; each documented sub-path returns just that value', async () => {
		const all = await call('GET', '/me/mailboxSettings');
		expect(all.status).toBe(200);
		expect(Object.keys(all.body)).toEqual(
			expect.arrayContaining(['timeZone', 'automaticRepliesSetting', 'language', 'workingHours', 'dateFormat', 'timeFormat', 'userPurpose']),
		);
		const zone = await call('GET', '/me/mailboxSettings/timeZone');
		expect(zone.body).toEqual({ '@odata.context': expect.stringMatching(/mailboxSettings\/timeZone$/), value: all.body.timeZone });
		const replies = await call('GET', '/me/mailboxSettings/automaticRepliesSetting');
		expect(replies.body).toMatchObject({ status: 'disabled', externalAudience: 'all' });
		expect((await call('GET', '/me/mailboxSettings/nothing')).status).toBe(400);
	});

	it('PATCH answers 200 with the updated properties only; enum casing as in the docs ("Scheduled") is stored camelCase, times in UTC', async () => {
		const patched = await call('PATCH', '/me/mailboxSettings', {
			'@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Me/mailboxSettings',
			automaticRepliesSetting: {
				status: 'Scheduled',
				externalAudience: 'ContactsOnly',
				scheduledStartDateTime: { dateTime: '2031-03-20T18:00:00', timeZone: 'W. Europe Standard Time' },
				scheduledEndDateTime: { dateTime: '2031-03-28T18:00:00.0000000', timeZone: 'UTC' },
				internalReplyMessage: 'Away',
			},
		});
		expect(patched.status).toBe(200);
		expect(Object.keys(patched.body)).toEqual(['@odata.context', 'automaticRepliesSetting']);
		expect(patched.body.automaticRepliesSetting).toEqual({
			status: 'scheduled',
			externalAudience: 'contactsOnly',
			scheduledStartDateTime: { dateTime: '2031-03-20T17:00:00.0000000', timeZone: 'UTC' },
			scheduledEndDateTime: { dateTime: '2031-03-28T18:00:00.0000000', timeZone: 'UTC' },
			internalReplyMessage: 'Away',
			externalReplyMessage: '',
		});
	});

	it('refuses bad settings: unknown status, unknown time zone, end before start, read-only property', async () => {
		const patch = (body: unknown) => call('PATCH', '/me/mailboxSettings', body);
		expect((await patch({ automaticRepliesSetting: { status: 'sometimes' } })).body.error.code).toBe('RequestBodyRead');
		const zone = await patch({
			automaticRepliesSetting: { status: 'scheduled', scheduledStartDateTime: { dateTime: '2031-01-01T00:00:00', timeZone: 'Mars/Olympus' } },
		});
		expect(zone.body.error.code).toBe('InvalidTimeZone');
		const reversed = await patch({
			automaticRepliesSetting: {
				status: 'scheduled',
				scheduledStartDateTime: { dateTime: '2031-01-02T00:00:00', timeZone: 'UTC' },
				scheduledEndDateTime: { dateTime: '2031-01-01T00:00:00', timeZone: 'UTC' },
			},
		});
		expect(reversed.status).toBe(400);
		expect((await patch({ userPurpose: 'shared' })).status).toBe(400);
		expect((await patch({ workingHours: { startTime: '18:00:00', endTime: '09:00:00' } })).body.error.code).toBe('ErrorInvalidTimeSettings');
		expect((await call('GET', '/me/mailboxSettings/automaticRepliesSetting')).body.status).toBe('disabled');
	});
});

describe('getMailTips', () => {
	it('answers per address in order, with the requested tips; no OOF is automaticReplies { message: "" }', async () => {
		const tips = await call('POST', '/me/getMailTips', {
			EmailAddresses: [MEGAN.mail, 'someone@fabrikam.com'],
			MailTipsOptions: 'automaticReplies, mailboxFullStatus, recipientScope, maxMessageSize',
		});
		expect(tips.status).toBe(200);
		expect(tips.body['@odata.context']).toMatch(/#Collection\(microsoft\.graph\.mailTips\)$/);
		expect(tips.body.value).toEqual([
			{ emailAddress: { name: '', address: MEGAN.mail }, automaticReplies: { message: '' }, mailboxFull: false, recipientScope: 'internal', maxMessageSize: 37748736 },
			{ emailAddress: { name: '', address: 'someone@fabrikam.com' }, automaticReplies: { message: '' }, mailboxFull: false, recipientScope: 'external', maxMessageSize: 37748736 },
		]);
	});

	it("shows a scheduled out-of-office reply with scheduledStartTime/scheduledEndTime (not …DateTime)", async () => {
		const now = emu.core.now();
		const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
		await call(
			'PATCH',
			'/me/mailboxSettings',
			{
				automaticRepliesSetting: {
					status: 'scheduled',
					internalReplyMessage: 'On holiday',
					scheduledStartDateTime: { dateTime: iso(now - 3600_000), timeZone: 'UTC' },
					scheduledEndDateTime: { dateTime: iso(now + 3600_000), timeZone: 'UTC' },
				},
			},
			MEGAN.id,
		);
		const tips = await call('POST', '/me/getMailTips', { EmailAddresses: [MEGAN.mail], MailTipsOptions: 'automaticReplies' });
		const reply = tips.body.value[0].automaticReplies;
		expect(reply).toMatchObject({ message: 'On holiday', messageLanguage: { locale: 'en-US' } });
		expect(reply.scheduledStartTime).toEqual({ dateTime: `${iso(now - 3600_000)}.0000000`, timeZone: 'UTC' });
		expect(reply.scheduledEndTime.timeZone).toBe('UTC');
		expect(reply.scheduledStartDateTime).toBeUndefined();
	});

	it('refuses an unknown option and a missing address list', async () => {
		expect((await call('POST', '/me/getMailTips', { EmailAddresses: [MEGAN.mail], MailTipsOptions: 'everything' })).status).toBe(400);
		expect((await call('POST', '/me/getMailTips', { MailTipsOptions: 'automaticReplies' })).status).toBe(400);
	});
});
