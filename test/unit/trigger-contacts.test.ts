/**
 * The contact events of the trigger (version 2), in-process: what a contact trigger subscribes to and
 * where its resync reads, how a contact notification names its item, and what the node offers for
 * contacts. Their behaviour in n8n (runs, items, resync) is test/e2e/trigger-contacts.test.ts.
 */
import type { INodeProperties } from 'n8n-workflow';

import { CONTACT_EVENTS } from '../../nodes/MicrosoftOutlookExt/trigger/config/description';
import { contactsWatched } from '../../nodes/MicrosoftOutlookExt/trigger/config/settings';
import { resourceIdOf } from '../../nodes/MicrosoftOutlookExt/trigger/delivery/notifications';
import { MicrosoftOutlookExtTrigger } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExtTrigger.node';

const properties = new MicrosoftOutlookExtTrigger().description.properties;

/** The properties a version 2 node shows for `event` (only displayOptions on `@version` and `event` are read). */
function shownFor(event: string): INodeProperties[] {
	return properties.filter((property) => {
		const show = property.displayOptions?.show ?? {};
		if (show['@version'] && !(show['@version'] as number[]).includes(2)) return false;
		if (show.event && !(show.event as string[]).includes(event)) return false;
		return true;
	});
}

test('the default Contacts folder: me/contacts (users/{upn}/contacts for another mailbox); its delta folder is looked up later', () => {
	expect(contactsWatched('/me', undefined)).toEqual({ resource: 'me/contacts', deltaPath: '' });
	expect(contactsWatched('/users/sales%40contoso.com', undefined)).toEqual({ resource: 'users/sales@contoso.com/contacts', deltaPath: '' });
});

test('one contact folder: its contacts in OData key syntax, and that folder\'s delta path', () => {
	expect(contactsWatched('/me', 'AAMkFolder=')).toEqual({
		resource: "me/contactFolders('AAMkFolder=')/contacts",
		deltaPath: '/me/contactFolders/AAMkFolder%3D/contacts/delta',
	});
	expect(contactsWatched('/users/u-1', "a/b'c").resource).toBe("users/u-1/contactFolders('a%2Fb''c')/contacts");
});

test('a contact notification names its contact by resourceData.id or the Contacts segment of its resource', () => {
	expect(resourceIdOf({ subscriptionId: 's', resource: 'Users/u/Contacts/AAMkC1', resourceData: { id: 'AAMkC1' } })).toBe('AAMkC1');
	expect(resourceIdOf({ subscriptionId: 's', resource: 'Users/u/Contacts/AAMkC2' })).toBe('AAMkC2');
});

test('each contact event is a Trigger On option an agent can read: a name, an action and a description', () => {
	const trigger = properties.find((property) => property.name === 'event')!;
	const options = (trigger.options ?? []) as Array<{ value: string; name: string; action?: string; description?: string }>;
	for (const event of CONTACT_EVENTS) {
		const option = options.find((candidate) => candidate.value === event);
		expect(option).toMatchObject({ name: expect.stringMatching(/Contact/), action: expect.stringMatching(/^On .*contact/) });
		expect(option?.description?.length).toBeGreaterThan(20);
	}
});

test('contacts offer Full Item and Notification Only, a folder choice, Change Types only for Any Contact Change, and no mail or calendar fields', () => {
	const created = shownFor('contactCreated');
	const outputs = created.filter((property) => property.name === 'output');
	expect(outputs).toHaveLength(1);
	expect((outputs[0].options as Array<{ value: string }>).map((option) => option.value)).toEqual(['resource', 'notification']);
	expect(created.map((property) => property.name)).toEqual(expect.arrayContaining(['contactFolderScope', 'contactFolderId', 'mailbox', 'options']));
	for (const mailOrCalendar of ['folderId', 'calendarScope', 'calendarId', 'mailFilters', 'eventFilters', 'fields', 'changeTypes', 'minutesBefore']) {
		expect(created.map((property) => property.name)).not.toContain(mailOrCalendar);
	}
	expect(shownFor('contactChanged').map((property) => property.name)).toContain('changeTypes');
	const attachments = (properties.find((property) => property.name === 'options')!.options as INodeProperties[]).find((option) => option.name === 'includeAttachments');
	expect(attachments?.displayOptions?.hide?.['/event']).toEqual([...CONTACT_EVENTS]);
});
