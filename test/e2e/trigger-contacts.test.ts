/**
 * The trigger's contact events (version 2) in a real n8n server against the Graph emulator: Contact
 * Created, Updated and Deleted each subscribe to their change type on me/contacts and start one run per
 * change, with the contact as Graph gives it (Full Item) or, for a deletion, its notification; a
 * contact whose notification Graph lost is output by the resync (contact delta) after a `missed`
 * event, marked source "resync" (also for a mailbox whose Contacts folder was empty at activation); one
 * contact folder with rich notifications; an output contacts do not have is refused at activation.
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/trigger-contacts.test.ts
 */
import { configureSubscriptions, allSubscriptions } from '../emulator/subscriptions';
import { activateTrigger, createTriggerWorkflow, emittedItems, executionCount, until, type ActiveTrigger } from '../reliability/trigger';
import { MEGAN, graph, useE2E, type Authentication } from './support';

const ctx = useE2E();

let created: ActiveTrigger;
let updated: ActiveTrigger;
let deleted: ActiveTrigger;

async function activateV2(name: string, parameters: Record<string, unknown>, authentication: Authentication = 'oAuth2'): Promise<ActiveTrigger> {
	return await activateTrigger(ctx.n8n, name, parameters, authentication, 2);
}

async function lifecycle(trigger: ActiveTrigger, event: string): Promise<void> {
	const response = await fetch(`${ctx.emu.url}/_emulator/subscriptions/${subscriptionOf(trigger).id}/lifecycle`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ event }),
	});
	expect(response.status).toBe(200);
}

function subscriptionOf(trigger: ActiveTrigger): Record<string, any> {
	const subscriptions = allSubscriptions(ctx.emu.core).filter((s) => s.notificationUrl === trigger.url);
	expect(subscriptions).toHaveLength(1);
	return subscriptions[0];
}

/** Waits until `count` runs exist (an observable event), then checks that no further run started; returns all items. */
async function expectRuns(trigger: ActiveTrigger, count: number): Promise<any[]> {
	if (count > 0) await ctx.n8n.waitForExecutions(trigger.id, count, 60_000);
	expect(await executionCount(ctx.n8n, trigger)).toBe(count);
	return await emittedItems(ctx.n8n, trigger);
}

beforeAll(async () => {
	// A contact before activation: the resync's first delta round (taken at activation) holds it, so it is never output.
	await graph(ctx, 'POST', '/me/contacts', { body: { givenName: 'Existing', surname: 'Contact' }, expectOk: true });
	created = await activateV2('contact-created', { event: 'contactCreated' });
	updated = await activateV2('contact-updated', { event: 'contactUpdated' });
	deleted = await activateV2('contact-deleted', { event: 'contactDeleted' });
});

test('each preset subscribes to me/contacts for its change type', () => {
	expect(subscriptionOf(created)).toMatchObject({ resource: 'me/contacts', changeType: 'created' });
	expect(subscriptionOf(updated)).toMatchObject({ resource: 'me/contacts', changeType: 'updated' });
	expect(subscriptionOf(deleted)).toMatchObject({ resource: 'me/contacts', changeType: 'deleted' });
});

test('created → the contact (Full Item); updated → the contact as changed; deleted → its notification; each in its own trigger', async () => {
	const contact = await graph(ctx, 'POST', '/me/contacts', {
		body: { givenName: 'Ada', surname: 'Lovelace', emailAddresses: [{ address: 'ada@fabrikam.com', name: 'Ada Lovelace' }], companyName: 'Fabrikam' },
		expectOk: true,
	});
	const [createdItem] = await expectRuns(created, 1);
	expect(createdItem).toMatchObject({
		id: contact.id,
		displayName: 'Ada Lovelace',
		emailAddresses: [{ address: 'ada@fabrikam.com', name: 'Ada Lovelace' }],
		companyName: 'Fabrikam',
		parentFolderId: contact.parentFolderId,
		changeType: 'created',
	});
	expect(Object.keys(createdItem).some((key) => key.includes('@odata'))).toBe(false);
	expect(createdItem.source).toBeUndefined();

	await graph(ctx, 'PATCH', `/me/contacts/${contact.id}`, { body: { jobTitle: 'Analyst' }, expectOk: true });
	const [updatedItem] = await expectRuns(updated, 1);
	expect(updatedItem).toMatchObject({ id: contact.id, displayName: 'Ada Lovelace', jobTitle: 'Analyst', changeType: 'updated' });

	await graph(ctx, 'DELETE', `/me/contacts/${contact.id}`, { expectOk: true });
	const [deletedItem] = await expectRuns(deleted, 1);
	// A deleted contact can no longer be fetched: its notification is the item, as for messages and events.
	expect(deletedItem).toMatchObject({ changeType: 'deleted', resourceId: contact.id, resource: expect.stringMatching(/Contacts/i), subscriptionId: subscriptionOf(deleted).id });
	expect(deletedItem.displayName).toBeUndefined();
	expect(JSON.stringify(deletedItem)).not.toContain('clientState');

	// No trigger ran for another change type.
	expect(await executionCount(ctx.n8n, created)).toBe(1);
	expect(await executionCount(ctx.n8n, updated)).toBe(1);
});

test('a created contact whose notification Graph lost is output by the resync after "missed", once, marked resync', async () => {
	configureSubscriptions(ctx.emu.core, { loseNextChangeNotifications: 1 });
	const lost = await graph(ctx, 'POST', '/me/contacts', { body: { givenName: 'Lost', surname: 'Notification' }, expectOk: true });
	await until('the lost notification', () => configureSubscriptions(ctx.emu.core, {}).loseNextChangeNotifications === 0);
	expect(await executionCount(ctx.n8n, created)).toBe(1);

	await lifecycle(created, 'missed');
	const items = await expectRuns(created, 2);
	// Only the lost contact: "Existing" was in the first delta round, Ada was delivered live (and is deleted).
	expect(items.slice(1)).toEqual([expect.objectContaining({ id: lost.id, displayName: 'Lost Notification', changeType: 'created', source: 'resync' })]);
	const deltaReads = ctx.emu.requests().filter((request) => /contactFolders.*\/contacts\/delta/i.test(request.path));
	expect(deltaReads.length).toBeGreaterThanOrEqual(2);
	expect(deltaReads.every((request) => request.status === 200)).toBe(true);
});

test('an output contacts do not have (Simple) is refused at activation, naming the field, before any subscription', async () => {
	const before = allSubscriptions(ctx.emu.core).length;
	const { id } = await createTriggerWorkflow(ctx.n8n, 'contact-simple', { event: 'contactCreated', output: 'simple' }, 'oAuth2', 2);
	const outcome = await ctx.n8n.tryActivate(id);
	// Newer n8n keeps a workflow whose trigger failed published and retries it: unpublished here.
	if (outcome.stillPublished) await ctx.n8n.deactivate(id);
	expect(outcome).toMatchObject({ ok: false, message: expect.stringMatching(/Output "simple" cannot be used with contacts/) });
	expect(allSubscriptions(ctx.emu.core)).toHaveLength(before);
});

test('Any Contact Change in one contact folder with rich notifications: the folder\'s subscription, the contact from the notification, no fetch', async () => {
	// The me/contacts triggers are done: deactivated, they fetch nothing below.
	for (const trigger of [created, updated, deleted]) await ctx.n8n.deactivate(trigger.id);
	const folder = await graph(ctx, 'POST', '/me/contactFolders', { body: { displayName: 'Customers' }, expectOk: true });
	const trigger = await activateV2('contact-folder-rich', {
		event: 'contactChanged',
		changeTypes: ['created', 'updated'],
		contactFolderScope: 'one',
		contactFolderId: { __rl: true, mode: 'id', value: folder.id },
		options: { richNotifications: true },
	});
	const subscription = subscriptionOf(trigger);
	expect(subscription).toMatchObject({ changeType: 'created,updated', includeResourceData: true });
	expect(String(subscription.resource)).toMatch(new RegExp(`^me/contactFolders\\('${folder.id}'\\)/contacts\\?\\$select=id,displayName,`));

	// A contact of the default folder is not in the watched folder: Graph does not notify it.
	await graph(ctx, 'POST', '/me/contacts', { body: { givenName: 'Outside' }, expectOk: true });
	ctx.emu.clearRequests();
	const inside = await graph(ctx, 'POST', `/me/contactFolders/${folder.id}/contacts`, { body: { givenName: 'Grace', surname: 'Hopper', jobTitle: 'Admiral' }, expectOk: true });
	const [item] = await expectRuns(trigger, 1);
	expect(item).toMatchObject({ id: inside.id, displayName: 'Grace Hopper', jobTitle: 'Admiral', parentFolderId: folder.id, changeType: 'created' });
	expect(Object.keys(item).some((key) => key.includes('@odata'))).toBe(false);
	// The item came in the notification: n8n asked Graph for nothing but the contact's creation above.
	expect(ctx.emu.requests().filter((request) => request.area === 'graph' && request.method === 'GET' && /contacts/i.test(request.path))).toHaveLength(0);
	await ctx.n8n.deactivate(trigger.id);
});

test('another mailbox (client credentials) with no contact at activation: users/{id}/contacts, and a lost change is still recovered by the resync', async () => {
	const trigger = await activateV2('contact-megan', { event: 'contactCreated', mailbox: MEGAN.userPrincipalName }, 'clientCredentials');
	expect(String(subscriptionOf(trigger).resource)).toBe(`users/${MEGAN.userPrincipalName}/contacts`);
	// Megan's Contacts folder was empty: its ID could not be learnt, so tracking starts from the activation time.
	configureSubscriptions(ctx.emu.core, { loseNextChangeNotifications: 1 });
	const lost = await graph(ctx, 'POST', '/me/contacts', { userId: MEGAN.id, body: { givenName: 'Megan', surname: 'Lost' }, expectOk: true });
	await until('the lost notification', () => configureSubscriptions(ctx.emu.core, {}).loseNextChangeNotifications === 0);
	await lifecycle(trigger, 'missed');
	const items = await expectRuns(trigger, 1);
	expect(items).toEqual([expect.objectContaining({ id: lost.id, displayName: 'Megan Lost', changeType: 'created', source: 'resync' })]);
	expect(ctx.n8n.logs()).toMatch(/no delta link was stored; full resync of what changed since/);
	await ctx.n8n.deactivate(trigger.id);
});
