/**
 * Faults × operations, in a real n8n 2.8.4 server (package installed like n8n's installer does it)
 * against the Graph emulator's fault injection. One fault on the operation's main request per run.
 *
 * Expected (issue 7):
 * - 429 / 503 (Graph did not process the request): every operation, Send included, recovers, after
 *   Retry-After when given.
 * - 500 / 504 / lost or broken answers: reads and idempotent writes (GET, PATCH, DELETE, getSchedule)
 *   recover. Non-idempotent POSTs are not repeated: a status fails with Graph's code and request-id,
 *   a lost answer fails saying the request may have been carried out. Nothing is created or sent twice.
 *
 * Every operation gets 429 + Retry-After, 500 and a reset after the body was sent; representative
 * operations (a list, a PATCH, a DELETE, Send, getSchedule, Raw Request GET/POST) get every fault.
 * A hang needs a short timeout, which only Raw Request exposes (the default is 120 s).
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/faults.test.ts
 */
import { seedMessages, sentLog } from '../emulator/mail';
import type { FaultRule, RecordedRequest } from '../emulator/types';
import { ADELE, MEGAN, byId, type NodeRun } from '../e2e/support';
import { graphAs, newCalendar, newEvent, newFolder, newSubscription, startReceiver, type Receiver } from './fixtures';
import { collectForSecrets, expectNoSecrets } from './secrets';
import { errorText, runNode, startReliability, stopReliability, type ReliabilityContext } from './support';

jest.setTimeout(600_000);

let ctx: ReliabilityContext;
let receiver: Receiver;
let counter = 0;
const unique = (label: string) => `RL ${label} ${++counter}`;
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Fault {
	label: string;
	rule: Omit<FaultRule, 'method' | 'pathPattern'>;
	/** Seconds the retry must wait (Retry-After). */
	waitSeconds?: number;
}

const FAULTS: Record<string, Fault> = {
	'429+RA': { label: '429 with Retry-After', rule: { kind: 'status', status: 429, retryAfter: '1' }, waitSeconds: 1 },
	'429': { label: '429 without Retry-After', rule: { kind: 'status', status: 429 } },
	'503+RA': { label: '503 with Retry-After', rule: { kind: 'status', status: 503, retryAfter: '1' }, waitSeconds: 1 },
	'500': { label: '500', rule: { kind: 'status', status: 500 } },
	'504': { label: '504', rule: { kind: 'status', status: 504 } },
	'reset-before': { label: 'reset before the body', rule: { kind: 'reset-before-body' } },
	'reset-after': { label: 'reset after the body', rule: { kind: 'reset-after-body' } },
	'malformed': { label: 'malformed JSON', rule: { kind: 'malformed-json' } },
	'truncated': { label: 'truncated JSON', rule: { kind: 'truncated-json' } },
	'hang': { label: 'hang past the timeout', rule: { kind: 'hang' } },
};

const EVERY_OPERATION = ['429+RA', '500', 'reset-after'];
const ALL_BUT_HANG = Object.keys(FAULTS).filter((key) => key !== 'hang');

interface Prepared {
	parameters: Record<string, unknown>;
	/** The request the fault hits. */
	method: string;
	pattern: string;
	/** Checks the output of a successful run. */
	checkOutput(run: NodeRun): void;
	/** How many times the side effect exists afterwards (creates/sends: never more than once). */
	countEffect?(): Promise<number>;
}

interface Operation {
	name: string;
	idempotent: boolean;
	faults: string[];
	prepare(): Promise<Prepared>;
}

async function listNames(path: string, field: string): Promise<string[]> {
	const answer = await graphAs(ctx.emu, 'GET', path);
	return (answer.body?.value ?? []).map((entry: Record<string, unknown>) => String(entry[field]));
}

const countOf = (names: string[], wanted: string) => names.filter((name) => name === wanted).length;

const OPERATIONS: Operation[] = [
	{
		name: 'user.getCurrent',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => ({
			parameters: { resource: 'user', operation: 'getCurrent' },
			method: 'GET',
			pattern: '^/me$',
			checkOutput: (run) => expect(run.output[0].json.userPrincipalName).toBe(ADELE.userPrincipalName),
		}),
	},
	{
		name: 'user.getSupportedLanguages',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => ({
			parameters: { resource: 'user', operation: 'getSupportedLanguages' },
			method: 'GET',
			pattern: '^/me/outlook/supportedLanguages$',
			checkOutput: (run) => expect(run.output.length).toBeGreaterThan(1),
		}),
	},
	{
		name: 'user.getSupportedTimezones',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => ({
			parameters: { resource: 'user', operation: 'getSupportedTimezones' },
			method: 'GET',
			pattern: '^/me/outlook/supportedTimeZones',
			checkOutput: (run) => expect(run.output.length).toBeGreaterThan(10),
		}),
	},
	{
		name: 'calendar.getAll',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => ({
			parameters: { resource: 'calendar', operation: 'getAll' },
			method: 'GET',
			pattern: '^/me/calendars$',
			checkOutput: (run) => expect(run.output.map((o) => o.json.name)).toContain('Calendar'),
		}),
	},
	{
		name: 'calendar.create',
		idempotent: false,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const name = unique('calendar');
			return {
				parameters: { resource: 'calendar', operation: 'create', name },
				method: 'POST',
				pattern: '^/me/calendars$',
				checkOutput: (run) => expect(run.output[0].json.name).toBe(name),
				countEffect: async () => countOf(await listNames('/me/calendars?$top=200', 'name'), name),
			};
		},
	},
	{
		name: 'calendar.update',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const calendar = await newCalendar(ctx.emu, unique('calendar to update'));
			return {
				parameters: { resource: 'calendar', operation: 'update', calendarId: byId(calendar.id), updateFields: { color: 'lightGreen' } },
				method: 'PATCH',
				pattern: `^/me/calendars/${escapeRegex(calendar.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ id: calendar.id, color: 'lightGreen' }),
			};
		},
	},
	{
		name: 'calendar.delete',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const calendar = await newCalendar(ctx.emu, unique('calendar to delete'));
			return {
				parameters: { resource: 'calendar', operation: 'delete', calendarId: byId(calendar.id) },
				method: 'DELETE',
				pattern: `^/me/calendars/${escapeRegex(calendar.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
			};
		},
	},
	{
		name: 'calendar.getSchedule',
		idempotent: true,
		faults: ALL_BUT_HANG,
		prepare: async () => ({
			parameters: {
				resource: 'calendar',
				operation: 'getSchedule',
				schedules: `${ADELE.mail}, ${MEGAN.mail}`,
				startDateTime: '2031-02-03T08:00:00',
				endDateTime: '2031-02-03T12:00:00',
			},
			method: 'POST',
			pattern: '^/me/calendar/getSchedule$',
			checkOutput: (run) => expect(run.output.map((o) => o.json.scheduleId)).toEqual([ADELE.mail, MEGAN.mail]),
		}),
	},
	{
		name: 'event.getAll',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => ({
			parameters: { resource: 'event', operation: 'getAll', limit: 3 },
			method: 'GET',
			pattern: '^/me/events$',
			checkOutput: (run) => expect(run.output.length).toBeGreaterThan(0),
		}),
	},
	{
		name: 'event.get',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const subject = unique('event to get');
			const event = await newEvent(ctx.emu, subject);
			return {
				parameters: { resource: 'event', operation: 'get', eventId: byId(event.id) },
				method: 'GET',
				pattern: `^/me/events/${escapeRegex(event.id)}$`,
				checkOutput: (run) => expect(run.output[0].json.subject).toBe(subject),
			};
		},
	},
	{
		name: 'event.create',
		idempotent: false,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const subject = unique('event');
			return {
				parameters: {
					resource: 'event',
					operation: 'create',
					subject,
					startDateTime: '2031-03-01T09:00:00',
					endDateTime: '2031-03-01T10:00:00',
					timeZone: 'UTC',
				},
				method: 'POST',
				pattern: '^/me/events$',
				checkOutput: (run) => expect(run.output[0].json.subject).toBe(subject),
				countEffect: async () =>
					(await graphAs(ctx.emu, 'GET', `/me/events?$filter=${encodeURIComponent(`subject eq '${subject}'`)}`)).body.value.length,
			};
		},
	},
	{
		name: 'event.update',
		idempotent: true,
		faults: ALL_BUT_HANG,
		prepare: async () => {
			const event = await newEvent(ctx.emu, unique('event to update'));
			const subject = unique('event updated');
			return {
				parameters: { resource: 'event', operation: 'update', eventId: byId(event.id), updateFields: { subject } },
				method: 'PATCH',
				pattern: `^/me/events/${escapeRegex(event.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ id: event.id, subject }),
			};
		},
	},
	{
		name: 'event.delete',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const event = await newEvent(ctx.emu, unique('event to delete'));
			return {
				parameters: { resource: 'event', operation: 'delete', eventId: byId(event.id) },
				method: 'DELETE',
				pattern: `^/me/events/${escapeRegex(event.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
			};
		},
	},
	{
		name: 'event.cancel',
		idempotent: false,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const event = await newEvent(ctx.emu, unique('meeting to cancel'), [MEGAN.mail]);
			return {
				parameters: { resource: 'event', operation: 'cancel', eventId: byId(event.id), comment: 'Reliability suite' },
				method: 'POST',
				pattern: `^/me/events/${escapeRegex(event.id)}/cancel$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ cancelled: true }),
			};
		},
	},
	{
		name: 'folder.getAll',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => ({
			parameters: { resource: 'folder', operation: 'getAll', limit: 50 },
			method: 'GET',
			pattern: '^/me/mailFolders$',
			checkOutput: (run) => expect(run.output.map((o) => o.json.displayName)).toContain('Inbox'),
		}),
	},
	{
		name: 'folder.create',
		idempotent: false,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const displayName = unique('folder');
			return {
				parameters: { resource: 'folder', operation: 'create', displayName },
				method: 'POST',
				pattern: '^/me/mailFolders$',
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(displayName),
				countEffect: async () => countOf(await listNames('/me/mailFolders?$top=500', 'displayName'), displayName),
			};
		},
	},
	{
		name: 'folder.delete',
		idempotent: true,
		faults: ALL_BUT_HANG,
		prepare: async () => {
			const folder = await newFolder(ctx.emu, unique('folder to delete'));
			return {
				parameters: { resource: 'folder', operation: 'delete', folderId: byId(folder.id) },
				method: 'DELETE',
				pattern: `^/me/mailFolders/${escapeRegex(folder.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
			};
		},
	},
	{
		name: 'message.getAll',
		idempotent: true,
		faults: ALL_BUT_HANG,
		prepare: async () => ({
			parameters: { resource: 'message', operation: 'getAll', limit: 3 },
			method: 'GET',
			pattern: '^/me/messages$',
			checkOutput: (run) => expect(run.output).toHaveLength(3),
		}),
	},
	{
		name: 'message.get',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const prefix = unique('message to get');
			const [id] = seedMessages(ctx.emu.core, { userId: ADELE.id, count: 1, subjectPrefix: prefix }).ids;
			return {
				parameters: { resource: 'message', operation: 'get', messageId: byId(id) },
				method: 'GET',
				pattern: `^/me/messages/${escapeRegex(id)}/\\$value$`,
				checkOutput: (run) => expect(run.output[0].json.subject).toBe(`${prefix} 1`),
			};
		},
	},
	{
		name: 'message.delete',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const [id] = seedMessages(ctx.emu.core, { userId: ADELE.id, count: 1, subjectPrefix: unique('message to delete') }).ids;
			return {
				parameters: { resource: 'message', operation: 'delete', messageId: byId(id) },
				method: 'DELETE',
				pattern: `^/me/messages/${escapeRegex(id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
			};
		},
	},
	{
		name: 'message.send',
		idempotent: false,
		faults: ALL_BUT_HANG,
		prepare: async () => {
			const subject = unique('send');
			return {
				parameters: { resource: 'message', operation: 'send', toRecipients: MEGAN.mail, subject, bodyContent: 'Reliability suite' },
				method: 'POST',
				pattern: '^/me/sendMail$',
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ sent: true, subject }),
				countEffect: async () => sentLog(ctx.emu.core).filter((record) => record.subject === subject).length,
			};
		},
	},
	{
		name: 'rawRequest GET',
		idempotent: true,
		faults: Object.keys(FAULTS),
		prepare: async () => ({
			parameters: { resource: 'rawRequest', operation: 'send', method: 'GET', path: '/me/mailFolders/inbox', options: { retryDelay: 300, timeout: 1500 } },
			method: 'GET',
			pattern: '^/me/mailFolders/inbox$',
			checkOutput: (run) => expect(run.output[0].json.displayName).toBe('Inbox'),
		}),
	},
	{
		name: 'rawRequest POST',
		idempotent: false,
		faults: Object.keys(FAULTS),
		prepare: async () => {
			const displayName = unique('raw folder');
			return {
				parameters: {
					resource: 'rawRequest',
					operation: 'send',
					method: 'POST',
					path: '/me/mailFolders',
					jsonData: JSON.stringify({ displayName }),
					options: { retryDelay: 300, timeout: 1500 },
				},
				method: 'POST',
				pattern: '^/me/mailFolders$',
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(displayName),
				countEffect: async () => countOf(await listNames('/me/mailFolders?$top=500', 'displayName'), displayName),
			};
		},
	},
	{
		name: 'subscription.create',
		idempotent: false,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const notificationUrl = `${receiver.url}/other/${unique('create').replace(/\s+/g, '-')}`;
			return {
				parameters: { resource: 'subscription', operation: 'create', subscribeTo: 'events', notificationUrl, allowDuplicates: true },
				method: 'POST',
				pattern: '^/subscriptions$',
				checkOutput: (run) => expect(run.output[0].json.notificationUrl).toBe(notificationUrl),
				countEffect: async () => countOf(await listNames('/subscriptions', 'notificationUrl'), notificationUrl),
			};
		},
	},
	{
		name: 'subscription.getAll',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const subscription = await newSubscription(ctx.emu, `${receiver.url}/other/${unique('list').replace(/\s+/g, '-')}`);
			return {
				parameters: { resource: 'subscription', operation: 'getAll' },
				method: 'GET',
				pattern: '^/subscriptions$',
				checkOutput: (run) => expect(run.output.map((o) => o.json.id)).toContain(subscription.id),
			};
		},
	},
	{
		name: 'subscription.updateExpiration',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const subscription = await newSubscription(ctx.emu, `${receiver.url}/other/${unique('renew').replace(/\s+/g, '-')}`);
			return {
				parameters: { resource: 'subscription', operation: 'updateExpiration', subscriptionId: subscription.id },
				method: 'PATCH',
				pattern: `^/subscriptions/${escapeRegex(subscription.id)}$`,
				checkOutput: (run) => expect(run.output[0].json.id).toBe(subscription.id),
			};
		},
	},
	{
		name: 'subscription.delete',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const subscription = await newSubscription(ctx.emu, `${receiver.url}/other/${unique('delete').replace(/\s+/g, '-')}`);
			return {
				parameters: { resource: 'subscription', operation: 'delete', subscriptionId: subscription.id },
				method: 'DELETE',
				pattern: `^/subscriptions/${escapeRegex(subscription.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ id: subscription.id, deleted: true }),
			};
		},
	},
	{
		name: 'subscription.deleteAllForInstance',
		idempotent: true,
		faults: EVERY_OPERATION,
		prepare: async () => {
			const subscription = await newSubscription(ctx.emu, `${receiver.url}/n8n/webhook/${unique('instance').replace(/\s+/g, '-')}`);
			return {
				parameters: { resource: 'subscription', operation: 'deleteAllForInstance' },
				method: 'DELETE',
				pattern: `^/subscriptions/${escapeRegex(subscription.id)}$`,
				checkOutput: (run) => expect(run.output.map((o) => o.json)).toContainEqual(expect.objectContaining({ id: subscription.id, deleted: true })),
			};
		},
	},
];

type Expectation = 'recovers' | 'fails with Graph code' | 'fails: may have been carried out' | 'fails: not a MIME message';

function expectationFor(operation: Operation, fault: Fault): Expectation {
	const { rule } = fault;
	if (rule.kind === 'status' && (rule.status === 429 || rule.status === 503)) return 'recovers';
	// $value is MIME: a JSON body in its place is wrong content, not a transient failure.
	if (operation.name === 'message.get' && rule.kind === 'malformed-json') return 'fails: not a MIME message';
	if (operation.idempotent) return 'recovers';
	return rule.kind === 'status' ? 'fails with Graph code' : 'fails: may have been carried out';
}

/** How often the side effect must exist after the run: the handler ran on the faulted attempt or on the retry. */
function expectedEffects(fault: Fault, expectation: Expectation): number {
	if (expectation === 'recovers') return 1;
	// Status faults are answered before the handler runs; a reset before the body too.
	const kind = fault.rule.kind;
	return kind === 'status' || kind === 'reset-before-body' || kind === 'hang' ? 0 : 1;
}

function faultedRequests(run: NodeRun, prepared: Prepared): RecordedRequest[] {
	const pattern = new RegExp(prepared.pattern, 'i');
	return run.graphRequests.filter((r) => r.method === prepared.method && pattern.test(r.path));
}

beforeAll(async () => {
	receiver = await startReceiver();
	ctx = await startReliability({ n8nEnv: { WEBHOOK_URL: `${receiver.url}/n8n/` } });
	// An event so that List Events has something on every run.
	await newEvent(ctx.emu, 'RL fixture event');
});

afterEach(() => ctx?.emu.clearFaults());

afterAll(async () => {
	await stopReliability(ctx);
	await receiver?.close();
});

const CASES = OPERATIONS.flatMap((operation) => operation.faults.map((key) => [operation.name, key, operation] as const));

describe.each(CASES)('%s × %s', (_name, faultKey, operation) => {
	const fault = FAULTS[faultKey];
	const expectation = expectationFor(operation, fault);

	it(`${expectation}`, async () => {
		const prepared = await operation.prepare();
		ctx.emu.addFault({ ...fault.rule, method: prepared.method, pathPattern: prepared.pattern, times: 1 });
		const run = await runNode(ctx, { parameters: prepared.parameters });
		collectForSecrets(run);
		const attempts = faultedRequests(run, prepared);
		expect(attempts[0]?.fault).toBe(fault.rule.kind);

		if (expectation === 'recovers') {
			expect({ success: run.success, error: errorText(run.error) }).toEqual({ success: true, error: '' });
			expect(attempts).toHaveLength(2);
			// A repeated DELETE whose first answer was lost finds the item gone: 404 is the expected answer then.
			const gone = prepared.method === 'DELETE' && fault.rule.kind !== 'status' && fault.rule.kind !== 'reset-before-body';
			expect([200, 201, 202, 204, ...(gone ? [404] : [])]).toContain(attempts[1].status);
			if (fault.waitSeconds) {
				const waited = attempts[1].startedAtMs - (attempts[0].finishedAtMs ?? attempts[0].startedAtMs);
				expect(waited).toBeGreaterThanOrEqual(fault.waitSeconds * 1000 - 100);
			}
			expect(run.output.every((item) => !item.error && !item.json.error)).toBe(true);
			prepared.checkOutput(run);
		} else {
			expect(run.success).toBe(false);
			// Never repeated.
			expect(attempts).toHaveLength(1);
			const message = errorText(run.error);
			if (expectation === 'fails with Graph code') {
				expect(run.error?.name).toBe('NodeApiError');
				expect(run.error?.httpCode).toBe(String(fault.rule.status));
				expect(message).toMatch(/\[\w+\]/);
				expect(message).toContain(`request-id: ${attempts[0].requestId}`);
			} else if (expectation === 'fails: may have been carried out') {
				expect(run.error?.name).toBe('NodeApiError');
				expect(message).toMatch(/may have been carried out/);
				// Never the generic advice to just try again: the request may have been carried out.
				expect(message).not.toMatch(/retry the request immediately/i);
			} else {
				expect(message).toMatch(/not a MIME message/);
			}
		}
		if (prepared.countEffect) expect(await prepared.countEffect()).toBe(expectedEffects(fault, expectation));
	});
});

describe('secrets', () => {
	it('no token, client secret or clientState in n8n\'s log, node outputs or errors', async () => {
		await expectNoSecrets(ctx);
	});
});
