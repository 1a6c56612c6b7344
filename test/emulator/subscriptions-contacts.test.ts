/**
 * Change notifications for Outlook contacts: a subscription on `me/contacts` (or a contact folder's contacts)
 * is told about contacts created, updated and deleted, in Graph's basic shape
 * (`Users/{id}/Contacts/{id}`, `#Microsoft.Graph.Contact`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { ADELE, startEmulator, type Emulator } from './index';
import { deliveryLog } from './subscriptions';

let emu: Emulator;
let server: http.Server;
let receiverUrl = '';

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
	const response = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers: { Authorization: `Bearer ${emu.issueToken({ userId: ADELE.id })}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
	emu = await startEmulator();
	server = http.createServer((req, res) => {
		const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
		req.resume();
		req.on('end', () => (token !== null ? res.writeHead(200, { 'Content-Type': 'text/plain' }).end(token) : res.writeHead(202).end()));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
	await emu.close();
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The notification items delivered to one subscription so far (Graph batches items of one URL in one POST). */
function itemsOf(subscriptionId: string): Array<Record<string, any>> {
	return deliveryLog(emu.core)
		.filter((entry) => entry.kind === 'notification' && entry.delivered)
		.flatMap((entry) => (entry.payload as { value: Array<Record<string, any>> }).value)
		.filter((item) => item.subscriptionId === subscriptionId);
}

/** Waits (polling the delivery log, at most 5 s) until a subscription got `n` items. */
async function waitForItems(subscriptionId: string, n: number): Promise<Array<Record<string, any>>> {
	const deadline = Date.now() + 5000;
	while (itemsOf(subscriptionId).length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
	return itemsOf(subscriptionId);
}

async function subscribe(resource: string): Promise<{ status: number; body: any }> {
	return await call('POST', '/subscriptions', {
		changeType: 'created,updated,deleted',
		notificationUrl: receiverUrl,
		resource,
		expirationDateTime: new Date(emu.core.now() + 60 * 60_000).toISOString(),
		clientState: 'contacts-secret',
	});
}

it('me/contacts: created, updated and deleted contacts are notified as Graph sends them', async () => {
	const subscription = await subscribe('me/contacts');
	expect(subscription.status).toBe(201);
	const { body: contact } = await call('POST', '/me/contacts', { givenName: 'Notified' });
	await call('PATCH', `/me/contacts/${contact.id}`, { jobTitle: 'Buyer' });
	await call('DELETE', `/me/contacts/${contact.id}`);
	const items = await waitForItems(subscription.body.id, 3);
	expect(items.map((item) => item.changeType)).toEqual(['created', 'updated', 'deleted']);
	expect(items[0]).toMatchObject({
		subscriptionId: subscription.body.id,
		clientState: 'contacts-secret',
		resource: `Users/${ADELE.id}/Contacts/${contact.id}`,
		resourceData: { '@odata.type': '#Microsoft.Graph.Contact', '@odata.id': `Users/${ADELE.id}/Contacts/${contact.id}`, id: contact.id },
	});
});

it('a contact folder subscription hears only that folder; an unknown folder is a 404', async () => {
	const { body: folder } = await call('POST', '/me/contactFolders', { displayName: 'Watched' });
	const subscription = await subscribe(`me/contactFolders/${folder.id}/contacts`);
	expect(subscription.status).toBe(201);
	await call('POST', '/me/contacts', { givenName: 'Elsewhere' });
	const { body: inside } = await call('POST', `/me/contactFolders/${folder.id}/contacts`, { givenName: 'Inside' });
	// The me/contacts subscription of the first test hears both; this one only the contact in its folder.
	const everywhere = (await subscribe('me/contacts')).body.id as string;
	const { body: last } = await call('POST', '/me/contacts', { givenName: 'Last' });
	expect((await waitForItems(everywhere, 1)).map((item) => item.resourceData.id)).toEqual([last.id]);
	expect(itemsOf(subscription.body.id).map((item) => item.resourceData.id)).toEqual([inside.id]);
	expect((await subscribe('me/contactFolders/AAMkNoFolder=/contacts')).status).toBe(404);
	expect((await subscribe("me/contacts?$filter=givenName eq 'x'")).status).toBe(400);
});
