/**
 * THE fault matrix of issue #11 item 3, as one table: every operation of the action node (a row), every
 * fault (a column), and the rules that say what Graph must see and what the user must get in each cell.
 * `fault-matrix.test.ts` generates one real-n8n test per cell from it, and checks that every
 * resource/operation (and every Raw Request method) of the node's description has a row, so a new
 * operation cannot be left out.
 *
 * Rules (issue 7, RELIABILITY.md §1):
 * - Graph did not process the request (429, 503, a 401 because the token just expired): every
 *   operation recovers, a send included; the retry waits what Retry-After asks (seconds, HTTP date,
 *   fractional seconds).
 * - 500, 504, a proxy's HTML 502 and lost or broken answers (resets, malformed or truncated JSON):
 *   idempotent requests (GET, PATCH, DELETE, getSchedule) recover; non-idempotent POSTs are sent
 *   once: a status fails as a NodeApiError naming Graph's code and request-id, a lost answer fails
 *   with "may have been carried out". Nothing is created twice.
 * - A hang: Request Options → Timeout bounds the whole item, so the hung attempt uses it up and no
 *   attempt follows: an idempotent request fails with "No usable answer … after 1 attempt", a POST
 *   with "may have been carried out".
 */
import { randomBytes } from 'node:crypto';

import { seedMessages, sentLog } from '../emulator/mail';
import type { Emulator } from '../emulator';
import type { FaultRule, RecordedRequest } from '../emulator/types';
import { ADELE, MEGAN, byId, type NodeRun } from '../e2e/support';
import type { BinaryItemSpec } from '../harness/workflows';
import { graphAs, newCalendar, newEvent, newFolder, newSubscription } from './fixtures';

// ---- faults (columns) ---------------------------------------------------------------------------

export type FaultKey =
	| '429 RA seconds'
	| '429 RA date'
	| '429 RA fractional'
	| '503'
	| '500'
	| '504'
	| 'reset before body'
	| 'reset after body'
	| 'hang'
	| 'token expiry'
	| 'malformed JSON'
	| 'truncated JSON'
	| 'HTML 502'
	| '429 no RA';

export interface MatrixFault {
	key: FaultKey;
	label: string;
	/** The emulator rule, built when the cell runs (an HTTP date is relative to now); method and path come from the row. */
	rule(): Omit<FaultRule, 'method' | 'pathPattern'>;
	/** Graph refused the request before doing anything: repeating is safe for every operation. */
	notProcessed: boolean;
	/** The emulator ran the request's handler on the faulted attempt (its side effect happened). */
	handlerRan: boolean;
	/** A status the user must see in the error when a non-idempotent request fails (else a lost answer). */
	status?: number;
	/** The least time (ms) the retry must wait after the faulted answer, from its Retry-After. */
	minWaitMs?(rule: Omit<FaultRule, 'method' | 'pathPattern'>, faulted: RecordedRequest): number;
}

/** Request Options → Timeout for the hang cells (the default is 120 s). */
export const HANG_TIMEOUT_MS = 3000;

export const FAULTS: MatrixFault[] = [
	{
		key: '429 RA seconds',
		label: '429, Retry-After: 2 (seconds)',
		rule: () => ({ kind: 'status', status: 429, retryAfter: '2' }),
		notProcessed: true,
		handlerRan: false,
		minWaitMs: () => 2000,
	},
	{
		key: '429 RA date',
		label: '429, Retry-After as an HTTP date about 3 s ahead',
		// Whole seconds (HTTP dates have no fraction): 2.5–3.5 s after the fault is added.
		rule: () => ({ kind: 'status', status: 429, retryAfter: new Date(Date.now() + 3500).toUTCString() }),
		notProcessed: true,
		handlerRan: false,
		minWaitMs: (rule, faulted) => Date.parse(String(rule.retryAfter)) - (faulted.finishedAtMs ?? faulted.startedAtMs),
	},
	{
		key: '429 RA fractional',
		label: '429, Retry-After: 0.5 (fractional seconds)',
		// A client that reads it as a whole number (parseInt) would not wait at all.
		rule: () => ({ kind: 'status', status: 429, retryAfter: '0.5' }),
		notProcessed: true,
		handlerRan: false,
		minWaitMs: () => 500,
	},
	{
		key: '429 no RA',
		label: '429 without Retry-After (backoff: 1 s; Raw Request: its Retry Delay, 300 ms here)',
		rule: () => ({ kind: 'status', status: 429 }),
		notProcessed: true,
		handlerRan: false,
		// The shortest backoff of any row (the Raw Request rows set Retry Delay to 300 ms).
		minWaitMs: () => 300,
	},
	{
		key: '503',
		label: '503 (no Retry-After: backoff)',
		rule: () => ({ kind: 'status', status: 503 }),
		notProcessed: true,
		handlerRan: false,
	},
	{ key: '500', label: '500', rule: () => ({ kind: 'status', status: 500 }), notProcessed: false, handlerRan: false, status: 500 },
	{ key: '504', label: '504', rule: () => ({ kind: 'status', status: 504 }), notProcessed: false, handlerRan: false, status: 504 },
	{
		key: 'reset before body',
		label: 'connection reset before the request body is read',
		rule: () => ({ kind: 'reset-before-body' }),
		notProcessed: false,
		handlerRan: false,
	},
	{
		key: 'reset after body',
		label: 'connection reset after Graph processed the request',
		rule: () => ({ kind: 'reset-after-body' }),
		notProcessed: false,
		handlerRan: true,
	},
	{
		key: 'hang',
		label: `no answer (hang) past Request Options → Timeout ${HANG_TIMEOUT_MS / 1000} s`,
		rule: () => ({ kind: 'hang' }),
		notProcessed: false,
		handlerRan: false,
	},
	{
		key: 'token expiry',
		label: 'the access token expires just before this request (401, refresh, repeat)',
		rule: () => ({ kind: 'expire-token' }),
		notProcessed: true,
		handlerRan: false,
	},
	{
		key: 'malformed JSON',
		label: 'a 200 whose JSON is malformed',
		rule: () => ({ kind: 'malformed-json' }),
		notProcessed: false,
		handlerRan: true,
	},
	{
		key: 'truncated JSON',
		label: 'an answer cut off mid-body',
		rule: () => ({ kind: 'truncated-json' }),
		notProcessed: false,
		handlerRan: true,
	},
	{
		key: 'HTML 502',
		label: "a proxy's HTML error page (502 text/html, no request-id)",
		rule: () => ({ kind: 'html-error', status: 502 }),
		notProcessed: false,
		handlerRan: false,
		status: 502,
	},
];

// ---- expected outcomes ------------------------------------------------------------------------

export type Expectation =
	| 'recovers'
	| 'fails with Graph code'
	| 'fails: proxy error page'
	| 'fails: may have been carried out'
	| 'fails: no answer within the Timeout'
	| 'fails: not a MIME message';

// ---- operations (rows) ------------------------------------------------------------------------

/** What a row's `prepare` can use: the emulator, a URL that answers Graph's validation, unique names. */
export interface MatrixEnv {
	emu: Emulator;
	receiverUrl: string;
	unique(label: string): string;
}

export interface Prepared {
	/** The node's parameters (without Request Options: the matrix adds them). */
	parameters: Record<string, unknown>;
	/** Input items with files (default: one empty item). */
	binaryItems?: BinaryItemSpec[];
	/** The request the fault hits. */
	method: string;
	pattern: string;
	/** Checks the output of a successful run. */
	checkOutput(run: NodeRun): void;
	/** How many times the side effect exists afterwards (created/sent/cancelled/deleted: never more than once). */
	countEffect?(): Promise<number>;
}

export interface OperationRow {
	/** `resource.operation`, plus the method for Raw Request, or the step of an operation that makes several requests. */
	name: string;
	resource: string;
	operation: string;
	/** Raw Request's Method. */
	rawMethod?: string;
	/** Repeating it after a lost answer is harmless (the transport's rule: not a POST, or a POST that only reads). */
	idempotent: boolean;
	/** The faulted request, for the summary (the exact path is built per cell). */
	target: string;
	prepare(env: MatrixEnv): Promise<Prepared>;
	/** Cells that cannot apply, with the reason (printed by the test). */
	notApplicable?: Partial<Record<FaultKey, string>>;
	/** Cells whose expected outcome differs from the rule, with the reason. */
	expect?: Partial<Record<FaultKey, { outcome: Expectation; why: string }>>;
	/** Cells that expose a bug in the node: the test expects the assertions to FAIL (jest `it.failing`). */
	knownBug?: Partial<Record<FaultKey, string>>;
}

export const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function listNames(emu: Emulator, path: string, field: string): Promise<string[]> {
	const answer = await graphAs(emu, 'GET', path);
	return (answer.body?.value ?? []).map((entry: Record<string, unknown>) => String(entry[field]));
}

const countOf = (names: string[], wanted: string) => names.filter((name) => name === wanted).length;

/** 1 when the item is gone (deleted or cancelled), 0 when it is still there. */
async function gone(emu: Emulator, path: string): Promise<number> {
	const answer = await graphAs(emu, 'GET', path);
	if (answer.status === 404) return 1;
	if (answer.status === 200) return 0;
	throw new Error(`check GET ${path}: ${answer.status}`);
}

const slug = (text: string) => text.replace(/\s+/g, '-');

export const OPERATIONS: OperationRow[] = [
	// ---- user
	{
		name: 'user.getCurrent',
		resource: 'user',
		operation: 'getCurrent',
		idempotent: true,
		target: 'GET /me',
		prepare: async () => ({
			parameters: { resource: 'user', operation: 'getCurrent' },
			method: 'GET',
			pattern: '^/me$',
			checkOutput: (run) => expect(run.output[0].json.userPrincipalName).toBe(ADELE.userPrincipalName),
		}),
	},
	{
		name: 'user.getSupportedLanguages',
		resource: 'user',
		operation: 'getSupportedLanguages',
		idempotent: true,
		target: 'GET /me/outlook/supportedLanguages',
		prepare: async () => ({
			parameters: { resource: 'user', operation: 'getSupportedLanguages' },
			method: 'GET',
			pattern: '^/me/outlook/supportedLanguages$',
			checkOutput: (run) => expect(run.output.length).toBeGreaterThan(1),
		}),
	},
	{
		name: 'user.getSupportedTimezones',
		resource: 'user',
		operation: 'getSupportedTimezones',
		idempotent: true,
		target: 'GET /me/outlook/supportedTimeZones',
		prepare: async () => ({
			parameters: { resource: 'user', operation: 'getSupportedTimezones' },
			method: 'GET',
			pattern: '^/me/outlook/supportedTimeZones',
			checkOutput: (run) => expect(run.output.length).toBeGreaterThan(10),
		}),
	},
	// ---- calendar
	{
		name: 'calendar.getAll',
		resource: 'calendar',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/calendars',
		prepare: async () => ({
			parameters: { resource: 'calendar', operation: 'getAll' },
			method: 'GET',
			pattern: '^/me/calendars$',
			checkOutput: (run) => expect(run.output.map((o) => o.json.name)).toContain('Calendar'),
		}),
	},
	{
		name: 'calendar.create',
		resource: 'calendar',
		operation: 'create',
		idempotent: false,
		target: 'POST /me/calendars',
		prepare: async ({ emu, unique }) => {
			const name = unique('calendar');
			return {
				parameters: { resource: 'calendar', operation: 'create', name },
				method: 'POST',
				pattern: '^/me/calendars$',
				checkOutput: (run) => expect(run.output[0].json.name).toBe(name),
				countEffect: async () => countOf(await listNames(emu, '/me/calendars?$top=500', 'name'), name),
			};
		},
	},
	{
		name: 'calendar.update',
		resource: 'calendar',
		operation: 'update',
		idempotent: true,
		target: 'PATCH /me/calendars/{id}',
		prepare: async ({ emu, unique }) => {
			const calendar = await newCalendar(emu, unique('calendar to update'));
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
		resource: 'calendar',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/calendars/{id}',
		prepare: async ({ emu, unique }) => {
			const calendar = await newCalendar(emu, unique('calendar to delete'));
			return {
				parameters: { resource: 'calendar', operation: 'delete', calendarId: byId(calendar.id) },
				method: 'DELETE',
				pattern: `^/me/calendars/${escapeRegex(calendar.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, `/me/calendars/${encodeURIComponent(calendar.id)}`),
			};
		},
	},
	{
		name: 'calendar.getSchedule',
		resource: 'calendar',
		operation: 'getSchedule',
		// A POST that only reads: the transport may repeat it.
		idempotent: true,
		target: 'POST /me/calendar/getSchedule',
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
	// ---- event
	{
		name: 'event.getAll',
		resource: 'event',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/events',
		prepare: async () => ({
			parameters: { resource: 'event', operation: 'getAll', limit: 3 },
			method: 'GET',
			pattern: '^/me/events$',
			checkOutput: (run) => expect(run.output.length).toBeGreaterThan(0),
		}),
	},
	{
		name: 'event.get',
		resource: 'event',
		operation: 'get',
		idempotent: true,
		target: 'GET /me/events/{id}',
		prepare: async ({ emu, unique }) => {
			const subject = unique('event to get');
			const event = await newEvent(emu, subject);
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
		resource: 'event',
		operation: 'create',
		idempotent: false,
		target: 'POST /me/events',
		prepare: async ({ emu, unique }) => {
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
					(await graphAs(emu, 'GET', `/me/events?$filter=${encodeURIComponent(`subject eq '${subject}'`)}`)).body.value.length,
			};
		},
	},
	{
		name: 'event.update',
		resource: 'event',
		operation: 'update',
		idempotent: true,
		target: 'PATCH /me/events/{id}',
		prepare: async ({ emu, unique }) => {
			const event = await newEvent(emu, unique('event to update'));
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
		resource: 'event',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/events/{id}',
		prepare: async ({ emu, unique }) => {
			const event = await newEvent(emu, unique('event to delete'));
			return {
				parameters: { resource: 'event', operation: 'delete', eventId: byId(event.id) },
				method: 'DELETE',
				pattern: `^/me/events/${escapeRegex(event.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, `/me/events/${encodeURIComponent(event.id)}`),
			};
		},
	},
	{
		name: 'event.cancel',
		resource: 'event',
		operation: 'cancel',
		idempotent: false,
		target: 'POST /me/events/{id}/cancel',
		prepare: async ({ emu, unique }) => {
			const event = await newEvent(emu, unique('meeting to cancel'), [MEGAN.mail]);
			return {
				parameters: { resource: 'event', operation: 'cancel', eventId: byId(event.id), comment: 'Fault matrix' },
				method: 'POST',
				pattern: `^/me/events/${escapeRegex(event.id)}/cancel$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ cancelled: true }),
				// The emulator removes a cancelled meeting from the organizer's calendar.
				countEffect: async () => await gone(emu, `/me/events/${encodeURIComponent(event.id)}`),
			};
		},
	},
	// ---- mail folder
	{
		name: 'folder.getAll',
		resource: 'folder',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/mailFolders',
		prepare: async () => ({
			parameters: { resource: 'folder', operation: 'getAll', limit: 50 },
			method: 'GET',
			pattern: '^/me/mailFolders$',
			checkOutput: (run) => expect(run.output.map((o) => o.json.displayName)).toContain('Inbox'),
		}),
	},
	{
		name: 'folder.create',
		resource: 'folder',
		operation: 'create',
		idempotent: false,
		target: 'POST /me/mailFolders',
		prepare: async ({ emu, unique }) => {
			const displayName = unique('folder');
			return {
				parameters: { resource: 'folder', operation: 'create', displayName },
				method: 'POST',
				pattern: '^/me/mailFolders$',
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(displayName),
				countEffect: async () => countOf(await listNames(emu, '/me/mailFolders?$top=1000', 'displayName'), displayName),
			};
		},
	},
	{
		name: 'folder.delete',
		resource: 'folder',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/mailFolders/{id}',
		prepare: async ({ emu, unique }) => {
			const folder = await newFolder(emu, unique('folder to delete'));
			return {
				parameters: { resource: 'folder', operation: 'delete', folderId: byId(folder.id) },
				method: 'DELETE',
				pattern: `^/me/mailFolders/${escapeRegex(folder.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, `/me/mailFolders/${encodeURIComponent(folder.id)}`),
			};
		},
	},
	// ---- mail
	{
		name: 'message.getAll',
		resource: 'message',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/messages',
		prepare: async () => ({
			parameters: { resource: 'message', operation: 'getAll', limit: 3 },
			method: 'GET',
			pattern: '^/me/messages$',
			checkOutput: (run) => expect(run.output).toHaveLength(3),
		}),
	},
	{
		name: 'message.get',
		resource: 'message',
		operation: 'get',
		idempotent: true,
		target: 'GET /me/messages/{id}/$value (MIME)',
		prepare: async ({ emu, unique }) => {
			const prefix = unique('message to get');
			const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: prefix }).ids;
			return {
				parameters: { resource: 'message', operation: 'get', messageId: byId(id) },
				method: 'GET',
				pattern: `^/me/messages/${escapeRegex(id)}/\\$value$`,
				checkOutput: (run) => expect(run.output[0].json.subject).toBe(`${prefix} 1`),
			};
		},
		expect: {
			'malformed JSON': {
				outcome: 'fails: not a MIME message',
				why: '$value is MIME: a 200 with a JSON body in its place is wrong content, reported at once, not a lost answer',
			},
		},
	},
	{
		name: 'message.delete',
		resource: 'message',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/messages/{id}',
		prepare: async ({ emu, unique }) => {
			const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: unique('message to delete') }).ids;
			return {
				parameters: { resource: 'message', operation: 'delete', messageId: byId(id) },
				method: 'DELETE',
				pattern: `^/me/messages/${escapeRegex(id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, `/me/messages/${encodeURIComponent(id)}`),
			};
		},
	},
	{
		name: 'message.send',
		resource: 'message',
		operation: 'send',
		idempotent: false,
		target: 'POST /me/sendMail',
		prepare: async ({ emu, unique }) => {
			const subject = unique('send');
			return {
				parameters: { resource: 'message', operation: 'send', toRecipients: MEGAN.mail, subject, bodyContent: 'Fault matrix' },
				method: 'POST',
				pattern: '^/me/sendMail$',
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ sent: true, subject }),
				countEffect: async () => sentLog(emu.core).filter((record) => record.subject === subject).length,
			};
		},
	},
	{
		// Mail too big for one sendMail request: draft, attachments, then POST /messages/{id}/send.
		name: 'message.send, draft route: final send',
		resource: 'message',
		operation: 'send',
		idempotent: false,
		target: 'POST /me/messages/{draft}/send (after the draft and its attachments)',
		prepare: async ({ emu, unique }) => {
			const subject = unique('draft send');
			// 2 × 1.6 MB: too much for one sendMail request, each small enough for POST /attachments.
			const part = randomBytes(1_600_000).toString('base64');
			const file = (fileName: string) => ({ base64: part, fileName, mimeType: 'application/octet-stream' });
			return {
				parameters: {
					resource: 'message',
					operation: 'send',
					toRecipients: MEGAN.mail,
					subject,
					bodyContent: 'Fault matrix',
					attachments: { attachment: [{ binaryPropertyName: 'a' }, { binaryPropertyName: 'b' }] },
				},
				binaryItems: [{ json: {}, binary: { a: file('part-a.bin'), b: file('part-b.bin') } }],
				method: 'POST',
				pattern: '^/me/messages/[^/]+/send$',
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ sent: true, subject, attachments: ['part-a.bin', 'part-b.bin'] }),
				countEffect: async () => sentLog(emu.core).filter((record) => record.subject === subject).length,
			};
		},
	},
	// ---- subscription
	{
		name: 'subscription.create',
		resource: 'subscription',
		operation: 'create',
		idempotent: false,
		target: 'POST /subscriptions',
		prepare: async ({ emu, receiverUrl, unique }) => {
			const notificationUrl = `${receiverUrl}/other/${slug(unique('create'))}`;
			return {
				parameters: { resource: 'subscription', operation: 'create', subscribeTo: 'events', notificationUrl, allowDuplicates: true },
				method: 'POST',
				pattern: '^/subscriptions$',
				checkOutput: (run) => expect(run.output[0].json.notificationUrl).toBe(notificationUrl),
				countEffect: async () => countOf(await listNames(emu, '/subscriptions', 'notificationUrl'), notificationUrl),
			};
		},
	},
	{
		// Allow Duplicates off (the default): the list comes first, then the POST.
		name: 'subscription.create, duplicate check',
		resource: 'subscription',
		operation: 'create',
		idempotent: true,
		target: 'GET /subscriptions (before the POST)',
		prepare: async ({ emu, receiverUrl, unique }) => {
			const notificationUrl = `${receiverUrl}/other/${slug(unique('create checked'))}`;
			return {
				parameters: { resource: 'subscription', operation: 'create', subscribeTo: 'events', notificationUrl },
				method: 'GET',
				pattern: '^/subscriptions$',
				checkOutput: (run) => expect(run.output[0].json.notificationUrl).toBe(notificationUrl),
				countEffect: async () => countOf(await listNames(emu, '/subscriptions', 'notificationUrl'), notificationUrl),
			};
		},
	},
	{
		name: 'subscription.getAll',
		resource: 'subscription',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /subscriptions',
		prepare: async ({ emu, receiverUrl, unique }) => {
			const subscription = await newSubscription(emu, `${receiverUrl}/other/${slug(unique('list'))}`);
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
		resource: 'subscription',
		operation: 'updateExpiration',
		idempotent: true,
		target: 'PATCH /subscriptions/{id}',
		prepare: async ({ emu, receiverUrl, unique }) => {
			const subscription = await newSubscription(emu, `${receiverUrl}/other/${slug(unique('renew'))}`);
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
		resource: 'subscription',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /subscriptions/{id}',
		prepare: async ({ emu, receiverUrl, unique }) => {
			const subscription = await newSubscription(emu, `${receiverUrl}/other/${slug(unique('delete'))}`);
			return {
				parameters: { resource: 'subscription', operation: 'delete', subscriptionId: subscription.id },
				method: 'DELETE',
				pattern: `^/subscriptions/${escapeRegex(subscription.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ id: subscription.id, deleted: true }),
				countEffect: async () => await gone(emu, `/subscriptions/${encodeURIComponent(subscription.id)}`),
			};
		},
	},
	{
		name: 'subscription.deleteAllForInstance',
		resource: 'subscription',
		operation: 'deleteAllForInstance',
		idempotent: true,
		target: 'DELETE /subscriptions/{id} (after the list)',
		prepare: async ({ emu, receiverUrl, unique }) => {
			const subscription = await newSubscription(emu, `${receiverUrl}/n8n/webhook/${slug(unique('instance'))}`);
			return {
				parameters: { resource: 'subscription', operation: 'deleteAllForInstance' },
				method: 'DELETE',
				pattern: `^/subscriptions/${escapeRegex(subscription.id)}$`,
				checkOutput: (run) =>
					expect(run.output.map((o) => o.json)).toContainEqual(expect.objectContaining({ id: subscription.id, deleted: true })),
				countEffect: async () => await gone(emu, `/subscriptions/${encodeURIComponent(subscription.id)}`),
			};
		},
	},
	{
		name: 'subscription.deleteAllForInstance, list',
		resource: 'subscription',
		operation: 'deleteAllForInstance',
		idempotent: true,
		target: 'GET /subscriptions (before the DELETEs)',
		prepare: async ({ emu, receiverUrl, unique }) => {
			const subscription = await newSubscription(emu, `${receiverUrl}/n8n/webhook/${slug(unique('instance listed'))}`);
			return {
				parameters: { resource: 'subscription', operation: 'deleteAllForInstance' },
				method: 'GET',
				pattern: '^/subscriptions$',
				checkOutput: (run) =>
					expect(run.output.map((o) => o.json)).toContainEqual(expect.objectContaining({ id: subscription.id, deleted: true })),
				countEffect: async () => await gone(emu, `/subscriptions/${encodeURIComponent(subscription.id)}`),
			};
		},
	},
	// ---- Raw Request, one row per Method
	{
		name: 'rawRequest.send GET',
		resource: 'rawRequest',
		operation: 'send',
		rawMethod: 'GET',
		idempotent: true,
		target: 'GET /me/mailFolders/inbox',
		prepare: async () => ({
			parameters: { resource: 'rawRequest', operation: 'send', method: 'GET', path: '/me/mailFolders/inbox' },
			method: 'GET',
			pattern: '^/me/mailFolders/inbox$',
			checkOutput: (run) => expect(run.output[0].json.displayName).toBe('Inbox'),
		}),
	},
	{
		name: 'rawRequest.send POST',
		resource: 'rawRequest',
		operation: 'send',
		rawMethod: 'POST',
		idempotent: false,
		target: 'POST /me/mailFolders',
		prepare: async ({ emu, unique }) => {
			const displayName = unique('raw folder');
			return {
				parameters: { resource: 'rawRequest', operation: 'send', method: 'POST', path: '/me/mailFolders', jsonData: JSON.stringify({ displayName }) },
				method: 'POST',
				pattern: '^/me/mailFolders$',
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(displayName),
				countEffect: async () => countOf(await listNames(emu, '/me/mailFolders?$top=1000', 'displayName'), displayName),
			};
		},
	},
	{
		name: 'rawRequest.send PATCH',
		resource: 'rawRequest',
		operation: 'send',
		rawMethod: 'PATCH',
		idempotent: true,
		target: 'PATCH /me/events/{id}',
		prepare: async ({ emu, unique }) => {
			const event = await newEvent(emu, unique('raw event to update'));
			const subject = unique('raw event updated');
			return {
				parameters: { resource: 'rawRequest', operation: 'send', method: 'PATCH', path: `/me/events/${event.id}`, jsonData: JSON.stringify({ subject }) },
				method: 'PATCH',
				pattern: `^/me/events/${escapeRegex(event.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ id: event.id, subject }),
			};
		},
	},
	{
		name: 'rawRequest.send DELETE',
		resource: 'rawRequest',
		operation: 'send',
		rawMethod: 'DELETE',
		idempotent: true,
		target: 'DELETE /me/mailFolders/{id}',
		prepare: async ({ emu, unique }) => {
			const folder = await newFolder(emu, unique('raw folder to delete'));
			return {
				parameters: { resource: 'rawRequest', operation: 'send', method: 'DELETE', path: `/me/mailFolders/${folder.id}` },
				method: 'DELETE',
				pattern: `^/me/mailFolders/${escapeRegex(folder.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ statusCode: 204 }),
				countEffect: async () => await gone(emu, `/me/mailFolders/${encodeURIComponent(folder.id)}`),
			};
		},
	},
	{
		name: 'rawRequest.send PUT',
		resource: 'rawRequest',
		operation: 'send',
		rawMethod: 'PUT',
		idempotent: true,
		target: '(none)',
		prepare: async () => {
			throw new Error('not applicable');
		},
		notApplicable: Object.fromEntries(
			FAULTS.map((fault) => [
				fault.key,
				"Outlook's Graph API has no PUT under /v1.0 that the emulator serves (upload-session chunks go to a pre-authenticated URL, not through Raw Request); PUT follows PATCH's rule (any method but POST is repeated), covered by the PATCH row",
			]),
		),
	},
];

// ---- cells ------------------------------------------------------------------------------------

export interface Cell {
	row: OperationRow;
	fault: MatrixFault;
	/** Why the cell does not run; undefined when it runs. */
	notApplicable?: string;
	expectation: Expectation;
	/** Why the expectation differs from the rule. */
	why?: string;
	knownBug?: string;
}

/** The rule for one cell (before a row's own override). */
export function ruleFor(row: OperationRow, fault: MatrixFault): Expectation {
	// Timeout bounds the whole item: a hang uses it up, nothing is left for a repeat.
	if (fault.key === 'hang' && row.idempotent) return 'fails: no answer within the Timeout';
	if (fault.notProcessed || row.idempotent) return 'recovers';
	if (fault.key === 'HTML 502') return 'fails: proxy error page';
	return fault.status !== undefined ? 'fails with Graph code' : 'fails: may have been carried out';
}

export const CELLS: Cell[] = OPERATIONS.flatMap((row) =>
	FAULTS.map((fault) => {
		const override = row.expect?.[fault.key];
		return {
			row,
			fault,
			notApplicable: row.notApplicable?.[fault.key],
			expectation: override?.outcome ?? ruleFor(row, fault),
			why: override?.why,
			knownBug: row.knownBug?.[fault.key],
		};
	}),
);

/** How many times the side effect must exist after the run (creates/sends: never twice). */
export function expectedEffects(cell: Cell): number {
	if (cell.expectation === 'recovers') return 1;
	return cell.fault.handlerRan ? 1 : 0;
}

/** The node parameters for a cell: Batch Requests off (batching has its own suite), a short timeout for a hang. */
export function cellParameters(cell: Cell, prepared: Prepared): Record<string, unknown> {
	const hang = cell.fault.key === 'hang' ? { timeout: HANG_TIMEOUT_MS } : {};
	if (cell.row.resource === 'rawRequest') {
		// Raw Request has its own retry options: a shorter backoff keeps the matrix quick.
		return { ...prepared.parameters, options: { retryDelay: 300, ...hang } };
	}
	return { ...prepared.parameters, requestOptions: { batchRequests: false, ...hang } };
}
