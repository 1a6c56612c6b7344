/**
 * The trigger's lossless resync (trigger/resync/deltaResync.ts) inside n8n-core's TriggerContext against
 * the in-process emulator (real HTTP, real delta query): what its header promises, in seconds instead of
 * a real-n8n run. The baseline link, missed changes given once, changes a notification already delivered
 * left out, paging and Max Resync Items, an expired or reset delta link (410) restarting the round from
 * the last sync, deletions and updates of calendar events, and Graph's filter applied to delta items.
 */
import type { IDataObject } from 'n8n-workflow';

import { graphCall } from '../../nodes/MicrosoftOutlookExt/shared/graph';
import { readSettings, type TriggerSettings } from '../../nodes/MicrosoftOutlookExt/trigger/config/settings';
import { changeKey } from '../../nodes/MicrosoftOutlookExt/trigger/delivery/dedupe';
import { rememberDelivered, resync, START_REASON } from '../../nodes/MicrosoftOutlookExt/trigger/resync/deltaResync';
import { clearSubscription, duplicateMemory } from '../../nodes/MicrosoftOutlookExt/trigger/staticData';
import { DEFAULT_USERS, type Emulator } from './index';
import { deliverMail } from './mail';
import { adeleGraph, triggerFor, useEngineEmulator } from './n8n-engine';
import type { RecordedRequest } from './types';

jest.setTimeout(60_000);

const ADELE = DEFAULT_USERS.adele;
const MINUTE = 60_000;

const shared = useEngineEmulator();
let emu: Emulator;
beforeAll(() => (emu = shared.emu));

/** A trigger in n8n-core with its settings read by the node itself, and the node's static data. */
async function trigger(parameters: Record<string, unknown>) {
	// Graph's times have whole seconds and the baseline counts its own second in (receivedDateTime ge):
	// what earlier tests left in the mailbox is made strictly older than this trigger's first sync.
	await emu.advanceClock(2000);
	const { context } = triggerFor(shared.credential, parameters);
	const settings = await readSettings(context);
	// The node follows Graph's clock as its Date headers show it (graphNow); real Graph's clock does not jump
	// like the emulator's, so the process sees it once after the jump, as any earlier call would have.
	const seeGraphClock = async () => void (await graphCall(context, settings.target, { method: 'GET', url: '/me' }));
	await seeGraphClock();
	const data = context.getWorkflowStaticData('node');
	const warnings: string[] = [];
	jest.spyOn(context.logger, 'warn').mockImplementation((message: string) => void warnings.push(message));
	return { context, settings, data, warnings, seeGraphClock, resync: async (reason: string) => await resync(context, settings, data, reason) };
}

const inboxTrigger = (options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
	trigger({ event: 'newMail', folderId: { __rl: true, mode: 'id', value: 'inbox' }, options, ...extra });

function graphRequests(): RecordedRequest[] {
	return emu.requests().filter((r) => r.area === 'graph');
}

const deltaReads = () => graphRequests().filter((r) => r.path.endsWith('/delta'));

async function graphGet(path: string): Promise<IDataObject> {
	return (await adeleGraph(emu, 'GET', path)).body;
}

async function graphSend(method: string, path: string, body?: unknown): Promise<IDataObject> {
	return (await adeleGraph(emu, method, path, body)).body;
}

async function expireDeltaLinks(reason: 'expired' | 'reset'): Promise<void> {
	const response = await fetch(`${emu.url}/_emulator/delta/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: ADELE.id, reason }) });
	expect(response.status).toBe(200);
}

/** Each mail gets its own second: Graph's receivedDateTime has whole seconds. */
async function mail(subject: string, extra: Record<string, unknown> = {}): Promise<string> {
	await emu.advanceClock(1000);
	return deliverMail(emu.core, { to: ADELE.userPrincipalName, subject, text: 'x', ...extra }).deliveredTo[0].messageId;
}

describe('resync of a mail folder (New Mail)', () => {
	test('the first resync only takes the baseline link: one delta read of mail received from now on, no items', async () => {
		await mail('Before tracking');
		const { data, resync: run, warnings } = await inboxTrigger();
		emu.clearRequests();
		expect(await run(START_REASON)).toEqual({ items: [], skipped: 0 });
		expect(deltaReads()).toHaveLength(1);
		expect(deltaReads()[0].path).toBe('/me/mailFolders/inbox/messages/delta');
		expect(String(deltaReads()[0].query.$filter)).toMatch(/^receivedDateTime ge \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
		expect(data).toMatchObject({ deltaLink: expect.stringContaining('$deltatoken='), deltaResource: "me/mailFolders('inbox')/messages" });
		// At n8n start the missing tracking is normal; the warning is for a resync a delivery asked for.
		expect(warnings).toEqual([]);
	});

	test('mail missed since the last sync comes out once, in the live item shape plus source "resync"; the next resync finds nothing', async () => {
		const { resync: run } = await inboxTrigger();
		await run(START_REASON);
		const ids = [await mail('Missed 1'), await mail('Missed 2'), await mail('Missed 3')];
		const { items, skipped } = await run('missed');
		expect(skipped).toBe(0);
		expect(items.map((i) => i.json.id).sort()).toEqual([...ids].sort());
		const first = items.find((i) => i.json.id === ids[0])!.json;
		expect(first).toMatchObject({ subject: 'Missed 1', changeType: 'created', source: 'resync', body: { contentType: 'text', content: 'x' } });
		// The live item's shape: Graph's annotations left out.
		expect(Object.keys(first).filter((key) => key.includes('@'))).toEqual([]);
		emu.clearRequests();
		expect((await run('missed')).items).toEqual([]);
		expect(deltaReads()).toHaveLength(1);
	});

	test('a change a notification already delivered is left out; the others are output', async () => {
		const { data, resync: run } = await inboxTrigger();
		await run(START_REASON);
		const live = await mail('Delivered live');
		const missed = await mail('Missed by notifications');
		const etag = (await graphGet(`/me/messages/${live}`))['@odata.etag'];
		// What the webhook records for each change it started a run for.
		rememberDelivered(data, [{ id: live, etag, changeType: 'created' }]);
		const { items } = await run('missed');
		expect(items.map((i) => i.json.subject)).toEqual(['Missed by notifications']);
		expect(items[0].json.id).toBe(missed);
	});

	test("what a resync output is in the webhook's duplicate memory: the same change read again is not output twice", async () => {
		const { data, resync: run } = await inboxTrigger();
		await run(START_REASON);
		const linkBefore = data.deltaLink;
		const id = await mail('Once only');
		const { items } = await run('missed');
		expect(items.map((i) => i.json.id)).toEqual([id]);
		const etag = (await graphGet(`/me/messages/${id}`))['@odata.etag'];
		expect(Object.keys(duplicateMemory(data) ?? {})).toContain(changeKey('created', id, etag));
		// The same round read again (a second process with the old link, or a notification Graph re-sends).
		data.deltaLink = linkBefore;
		expect((await run('missed')).items).toEqual([]);
	});

	test('a round over several pages (nextLink) is read to its deltaLink; Max Resync Items bounds the output and counts the rest', async () => {
		const { resync: run } = await inboxTrigger({ maxResyncItems: 5 });
		await run(START_REASON);
		await emu.advanceClock(1000);
		for (let i = 0; i < 130; i++) deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: `Bulk ${i}`, text: 'x' });
		emu.clearRequests();
		const { items, skipped } = await run('missed');
		const reads = deltaReads();
		expect(reads).toHaveLength(2);
		expect(reads[0].headers?.prefer ?? reads[0].headers?.Prefer).toMatch(/odata\.maxpagesize=100/);
		expect(reads[1].url).toMatch(/\$skiptoken=/);
		expect(skipped).toBe(125);
		expect(items).toHaveLength(6);
		expect(items.slice(0, 5).every((i) => i.json.source === 'resync' && String(i.json.subject).startsWith('Bulk '))).toBe(true);
		expect(items[5].json).toMatchObject({ source: 'resync', resync: 'truncated', skipped: 125 });
		// Only the output ones are fetched.
		expect(graphRequests().filter((r) => /^\/me\/messages\/[^/]+$/.test(r.path))).toHaveLength(5);
	});

	test.each([
		['expired (410 SyncStateNotFound)', 'expired' as const],
		['reset (410 resyncRequired)', 'reset' as const],
	])('a delta link that is %s: a full read of mail received since the last sync, each change once, and a new link', async (_, reason) => {
		const { data, resync: run, warnings } = await inboxTrigger();
		await run(START_REASON);
		const oldLink = data.deltaLink;
		const id = await mail(`After the link ${reason}`);
		await expireDeltaLinks(reason);
		emu.clearRequests();
		const { items } = await run('missed');
		expect(items.map((i) => i.json.id)).toEqual([id]);
		expect(deltaReads().map((r) => r.status)).toEqual([410, 200]);
		expect(String(deltaReads()[1].query.$filter)).toMatch(/^receivedDateTime ge /);
		expect(warnings.join('\n')).toMatch(/the delta link expired .*full resync of what changed since/);
		expect(data.deltaLink).not.toBe(oldLink);
		expect((await run('missed')).items).toEqual([]);
	});

	// A full read after an expired link asks for `receivedDateTime ge` the last sync's whole second, so it re-reads
	// that second's mail; re-creating the subscription (lifecycle.ts createFresh → clearSubscription) clears the
	// duplicate memory, so the sync itself must remember what it read in its own second (found by this test).
	test('after the subscription is re-created, a full read does not output again what the last resync output in its own second', async () => {
		const { data, resync: run, seeGraphClock } = await inboxTrigger();
		await run(START_REASON);
		// Early in one of Graph's seconds, so the mail and the next sync share it.
		await emu.advanceClock(1001 - (emu.core.now() % 1000));
		await seeGraphClock();
		deliverMail(emu.core, { to: ADELE.userPrincipalName, subject: 'Same second as the sync', text: 'x' });
		expect((await run('missed')).items.map((i) => i.json.subject)).toEqual(['Same second as the sync']);
		// n8n restarts (this process's memory is gone: a new workflow scope) past the expiry of the subscription
		// (re-created: its record and the stored duplicate memory cleared) and of the delta link.
		clearSubscription(data);
		await expireDeltaLinks('expired');
		const restarted = await inboxTrigger();
		expect((await resync(restarted.context, restarted.settings, data, START_REASON)).items).toEqual([]);
	});

	test("Graph's filter is applied to delta items (delta ignores the subscription's $filter)", async () => {
		const { resync: run } = await inboxTrigger({}, { mailFilters: { importance: 'high' } });
		await run(START_REASON);
		await mail('Normal importance');
		const urgent = await mail('High importance', { importance: 'high' });
		const { items } = await run('missed');
		expect(items.map((i) => i.json.id)).toEqual([urgent]);
	});

	test('no tracking yet on a resync a delivery asked for: warns that earlier changes cannot be read, and starts tracking', async () => {
		const { data, resync: run, warnings } = await inboxTrigger();
		await mail('Before any link');
		expect((await run('missed')).items).toEqual([]);
		expect(warnings.join('\n')).toMatch(/change tracking had not started for this trigger; it starts now/);
		expect(typeof data.deltaLink).toBe('string');
	});

	test('a failed first read keeps the start time: the next resync reads everything since then', async () => {
		emu.addFault({ method: 'GET', pathPattern: '/messages/delta', kind: 'status', status: 403, code: 'ErrorAccessDenied', times: 1 });
		const { data, resync: run, warnings } = await inboxTrigger();
		await run(START_REASON);
		expect(data.deltaLink).toBeUndefined();
		expect(warnings.join('\n')).toMatch(/could not start change tracking/);
		const id = await mail('After a failed baseline');
		const { items } = await run('missed');
		expect(items.map((i) => i.json.id)).toEqual([id]);
		expect(typeof data.deltaLink).toBe('string');
	});
});

describe('resync of the calendar (events)', () => {
	const slot = (minutesFromNow: number) => {
		const start = emu.core.now() + minutesFromNow * MINUTE;
		const text = (ms: number) => new Date(ms).toISOString().slice(0, 19);
		return { start: { dateTime: text(start), timeZone: 'UTC' }, end: { dateTime: text(start + 30 * MINUTE), timeZone: 'UTC' } };
	};

	test('Event Deleted: an event deleted since the last sync is output as a deletion, once', async () => {
		const existing = await graphSend('POST', '/me/events', { subject: 'To be deleted', ...slot(24 * 60) });
		const { resync: run, settings } = await trigger({ event: 'eventDeleted' });
		expect(settings.changeType).toBe('deleted');
		await run(START_REASON);
		await emu.advanceClock(1000);
		await graphSend('DELETE', `/me/events/${String(existing.id)}`);
		const { items } = await run('missed');
		expect(items.map((i) => i.json)).toEqual([{ changeType: 'deleted', resourceId: existing.id, source: 'resync' }]);
		expect((await run('missed')).items).toEqual([]);
	});

	test('Event Updated: an edit of an event created before the sync is an update, with the edited event', async () => {
		const existing = await graphSend('POST', '/me/events', { subject: 'Planning', ...slot(2 * 24 * 60) });
		const { resync: run } = await trigger({ event: 'eventUpdated' });
		await run(START_REASON);
		await emu.advanceClock(1000);
		await graphSend('PATCH', `/me/events/${String(existing.id)}`, { subject: 'Planning (moved)' });
		const created = await graphSend('POST', '/me/events', { subject: 'New, not an update', ...slot(3 * 24 * 60) });
		const { items } = await run('missed');
		expect(items.map((i) => [i.json.id, i.json.subject, i.json.changeType, i.json.source])).toEqual([[existing.id, 'Planning (moved)', 'updated', 'resync']]);
		expect(items.some((i) => i.json.id === created.id)).toBe(false);
	});

	test('an expired calendar link: the full window is read and only events modified since the last sync are output', async () => {
		await graphSend('POST', '/me/events', { subject: 'Untouched', ...slot(24 * 60) });
		const { resync: run, settings } = await trigger({ event: 'eventCreated' });
		expect((settings as TriggerSettings).deltaPath).toBe('/me/calendarView/delta');
		await run(START_REASON);
		await emu.advanceClock(1000);
		const fresh = await graphSend('POST', '/me/events', { subject: 'Created after the sync', ...slot(48 * 60) });
		await expireDeltaLinks('expired');
		emu.clearRequests();
		const { items } = await run('missed');
		expect(items.map((i) => i.json.subject)).toEqual(['Created after the sync']);
		expect(items[0].json.id).toBe(fresh.id);
		expect(deltaReads()[1].query).toMatchObject({ startDateTime: expect.any(String), endDateTime: expect.any(String) });
	});
});
