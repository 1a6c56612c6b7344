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
import { CALENDAR_ACTION_ROWS } from './operations-calendar';
import { newDraft, newFileAttachment } from './fixtures';
import { newContact, newContactFolder } from './fixtures';

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
	/** A successful run ends with the execution waiting (Send and Wait for Response), not finished. */
	waits?: boolean;
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
	// ---- contact
	{
		name: 'contact.getAll',
		resource: 'contact',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/contacts',
		prepare: async ({ emu, unique }) => {
			const email = `${slug(unique('list')).toLowerCase()}@fabrikam.com`;
			const contact = await newContact(emu, 'Listed', email);
			return {
				parameters: { resource: 'contact', operation: 'getAll', options: { emailAddress: email } },
				method: 'GET',
				pattern: '^/me/contacts$',
				checkOutput: (run) => expect(run.output.map((o) => o.json.id)).toEqual([contact.id]),
			};
		},
	},
	{
		name: 'contact.get',
		resource: 'contact',
		operation: 'get',
		idempotent: true,
		target: 'GET /me/contacts/{id}',
		prepare: async ({ emu, unique }) => {
			const givenName = unique('contact to get');
			const contact = await newContact(emu, givenName, 'get@fabrikam.com');
			return {
				parameters: { resource: 'contact', operation: 'get', contactId: byId(contact.id) },
				method: 'GET',
				pattern: `^/me/contacts/${escapeRegex(contact.id)}$`,
				checkOutput: (run) => expect(run.output[0].json.givenName).toBe(givenName),
			};
		},
	},
	{
		name: 'contact.create',
		resource: 'contact',
		operation: 'create',
		idempotent: false,
		target: 'POST /me/contacts',
		prepare: async ({ emu, unique }) => {
			const givenName = unique('contact');
			return {
				parameters: { resource: 'contact', operation: 'create', givenName, surname: 'Matrix' },
				method: 'POST',
				pattern: '^/me/contacts$',
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(`${givenName} Matrix`),
				countEffect: async () =>
					(await graphAs(emu, 'GET', `/me/contacts?$top=1000&$filter=${encodeURIComponent(`givenName eq '${givenName}'`)}`)).body.value.length,
			};
		},
	},
	{
		name: 'contact.update',
		resource: 'contact',
		operation: 'update',
		idempotent: true,
		target: 'PATCH /me/contacts/{id}',
		prepare: async ({ emu, unique }) => {
			const contact = await newContact(emu, unique('contact to update'), 'update@fabrikam.com');
			const jobTitle = unique('job');
			return {
				parameters: { resource: 'contact', operation: 'update', contactId: byId(contact.id), updateFields: { jobTitle } },
				method: 'PATCH',
				pattern: `^/me/contacts/${escapeRegex(contact.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ id: contact.id, jobTitle }),
			};
		},
	},
	{
		name: 'contact.delete',
		resource: 'contact',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/contacts/{id}',
		prepare: async ({ emu, unique }) => {
			const contact = await newContact(emu, unique('contact to delete'), 'delete@fabrikam.com');
			return {
				parameters: { resource: 'contact', operation: 'delete', contactId: byId(contact.id) },
				method: 'DELETE',
				pattern: `^/me/contacts/${escapeRegex(contact.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, `/me/contacts/${encodeURIComponent(contact.id)}`),
			};
		},
	},
	// ---- contact folder
	{
		name: 'contactFolder.getAll',
		resource: 'contactFolder',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/contactFolders',
		prepare: async ({ emu, unique }) => {
			const folder = await newContactFolder(emu, unique('contact folder'));
			return {
				parameters: { resource: 'contactFolder', operation: 'getAll', returnAll: true },
				method: 'GET',
				pattern: '^/me/contactFolders$',
				checkOutput: (run) => expect(run.output.map((o) => o.json.id)).toContain(folder.id),
			};
		},
	},
	{
		name: 'contactFolder.create',
		resource: 'contactFolder',
		operation: 'create',
		idempotent: false,
		target: 'POST /me/contactFolders',
		prepare: async ({ emu, unique }) => {
			const displayName = unique('contact folder');
			return {
				parameters: { resource: 'contactFolder', operation: 'create', contactFolderName: displayName },
				method: 'POST',
				pattern: '^/me/contactFolders$',
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(displayName),
				countEffect: async () => countOf(await listNames(emu, '/me/contactFolders?$top=1000', 'displayName'), displayName),
			};
		},
	},
	// ---- mailbox settings
	{
		name: 'mailboxSettings.get',
		resource: 'mailboxSettings',
		operation: 'get',
		idempotent: true,
		target: 'GET /me/mailboxSettings',
		prepare: async () => ({
			parameters: { resource: 'mailboxSettings', operation: 'get' },
			method: 'GET',
			pattern: '^/me/mailboxSettings$',
			checkOutput: (run) => expect(run.output[0].json.language).toMatchObject({ locale: 'en-US' }),
		}),
	},
	{
		name: 'mailboxSettings.getAutomaticReplies',
		resource: 'mailboxSettings',
		operation: 'getAutomaticReplies',
		idempotent: true,
		target: 'GET /me/mailboxSettings/automaticRepliesSetting',
		prepare: async () => ({
			parameters: { resource: 'mailboxSettings', operation: 'getAutomaticReplies' },
			method: 'GET',
			pattern: '^/me/mailboxSettings/automaticRepliesSetting$',
			checkOutput: (run) => expect(run.output[0].json.status).toEqual(expect.any(String)),
		}),
	},
	{
		name: 'mailboxSettings.setAutomaticReplies',
		resource: 'mailboxSettings',
		operation: 'setAutomaticReplies',
		idempotent: true,
		target: 'PATCH /me/mailboxSettings',
		prepare: async ({ unique }) => {
			const message = unique('away');
			return {
				parameters: { resource: 'mailboxSettings', operation: 'setAutomaticReplies', status: 'alwaysEnabled', internalReplyMessage: message },
				method: 'PATCH',
				pattern: '^/me/mailboxSettings$',
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ status: 'alwaysEnabled', internalReplyMessage: message }),
			};
		},
	},
	{
		name: 'mailboxSettings.getMailTips',
		resource: 'mailboxSettings',
		operation: 'getMailTips',
		// A POST that only reads: the transport may repeat it.
		idempotent: true,
		target: 'POST /me/getMailTips',
		prepare: async () => ({
			parameters: { resource: 'mailboxSettings', operation: 'getMailTips', mailTipsAddresses: `${MEGAN.mail}, someone@fabrikam.com` },
			method: 'POST',
			pattern: '^/me/getMailTips$',
			checkOutput: (run) => expect(run.output.map((o) => (o.json.emailAddress as { address: string }).address)).toEqual([MEGAN.mail, 'someone@fabrikam.com']),
		}),
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
	{
		// The question goes out in one POST /sendMail; then the execution waits for the answer.
		name: 'message.sendAndWait',
		resource: 'message',
		operation: 'sendAndWait',
		idempotent: false,
		target: 'POST /me/sendMail (then the execution waits)',
		prepare: async ({ emu, unique }) => {
			const subject = unique('send and wait');
			return {
				parameters: { resource: 'message', operation: 'sendAndWait', toRecipients: MEGAN.mail, subject, message: 'Fault matrix' },
				method: 'POST',
				pattern: '^/me/sendMail$',
				waits: true,
				checkOutput: (run) => expect(run.result.data?.status).toBe('waiting'),
				countEffect: async () => sentLog(emu.core).filter((record) => record.subject === subject).length,
			};
		},
	},
	// ---- mail actions (reply, forward, move, copy, update, export) and categories
	...(['reply', 'replyAll', 'forward'] as const).map(
		(operation): OperationRow => ({
			name: `message.${operation}`,
			resource: 'message',
			operation,
			idempotent: false,
			target: `POST /me/messages/{id}/${operation}`,
			prepare: async ({ emu, unique }) => {
				const prefix = unique(operation);
				const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: prefix }).ids;
				const subject = `${operation === 'forward' ? 'FW' : 'RE'}: ${prefix} 1`;
				return {
					parameters: { resource: 'message', operation, messageId: byId(id), comment: 'Fault matrix', answerTo: operation === 'forward' ? MEGAN.mail : '' },
					method: 'POST',
					pattern: `^/me/messages/${escapeRegex(id)}/${operation}$`,
					checkOutput: (run) => expect(run.output[0].json).toMatchObject({ sent: true, action: operation, messageId: id }),
					countEffect: async () => sentLog(emu.core).filter((record) => record.subject === subject).length,
				};
			},
		}),
	),
	...(['move', 'copy'] as const).map(
		(operation): OperationRow => ({
			name: `message.${operation}`,
			resource: 'message',
			operation,
			idempotent: false,
			target: `POST /me/messages/{id}/${operation}`,
			prepare: async ({ emu, unique }) => {
				const prefix = unique(operation);
				const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: prefix }).ids;
				const destination = operation === 'move' ? 'archive' : 'junkemail';
				const filter = encodeURIComponent(`subject eq '${prefix} 1'`);
				return {
					parameters: { resource: 'message', operation, messageId: byId(id), destinationFolderId: byId(destination) },
					method: 'POST',
					pattern: `^/me/messages/${escapeRegex(id)}/${operation}$`,
					checkOutput: (run) => expect(run.output[0].json).toMatchObject({ subject: `${prefix} 1`, id: expect.not.stringMatching(`^${escapeRegex(id)}$`) }),
					countEffect: async () => (await graphAs(emu, 'GET', `/me/mailFolders/${destination}/messages?$filter=${filter}`)).body.value.length,
				};
			},
		}),
	),
	{
		name: 'message.update',
		resource: 'message',
		operation: 'update',
		idempotent: true,
		target: 'PATCH /me/messages/{id} (after reading the master categories)',
		prepare: async ({ emu, unique }) => {
			const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: unique('update') }).ids;
			return {
				parameters: { resource: 'message', operation: 'update', messageId: byId(id), updateFields: { flagStatus: 'complete', categories: ['Green category'], importance: 'low' } },
				method: 'PATCH',
				pattern: `^/me/messages/${escapeRegex(id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ id, flag: { flagStatus: 'complete' }, categories: ['Green category'], importance: 'low' }),
			};
		},
	},
	...(['markAsRead', 'markAsUnread'] as const).map(
		(operation): OperationRow => ({
			name: `message.${operation}`,
			resource: 'message',
			operation,
			idempotent: true,
			target: `PATCH /me/messages/{id} {isRead: ${String(operation === 'markAsRead')}}`,
			prepare: async ({ emu, unique }) => {
				const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: unique(operation) }).ids;
				return {
					parameters: { resource: 'message', operation, messageId: byId(id) },
					method: 'PATCH',
					pattern: `^/me/messages/${escapeRegex(id)}$`,
					checkOutput: (run) => expect(run.output[0].json).toMatchObject({ id, isRead: operation === 'markAsRead' }),
				};
			},
		}),
	),
	{
		name: 'message.exportEml',
		resource: 'message',
		operation: 'exportEml',
		idempotent: true,
		target: 'GET /me/messages/{id}/$value (.eml)',
		prepare: async ({ emu, unique }) => {
			const [id] = seedMessages(emu.core, { userId: ADELE.id, count: 1, subjectPrefix: unique('export') }).ids;
			return {
				parameters: { resource: 'message', operation: 'exportEml', messageId: byId(id) },
				method: 'GET',
				pattern: `^/me/messages/${escapeRegex(id)}/\\$value$`,
				checkOutput: (run) => expect(run.output[0]).toMatchObject({ json: { id }, binary: { data: { mimeType: 'message/rfc822' } } }),
			};
		},
		expect: {
			'malformed JSON': {
				outcome: 'fails: not a MIME message',
				why: '$value is MIME: a 200 with a JSON body in its place is reported at once, never saved as an .eml',
			},
		},
	},
	{
		name: 'category.getAll',
		resource: 'category',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/outlook/masterCategories',
		prepare: async () => ({
			parameters: { resource: 'category', operation: 'getAll' },
			method: 'GET',
			pattern: '^/me/outlook/masterCategories$',
			checkOutput: (run) => expect(run.output.map((o) => o.json.displayName)).toContain('Red category'),
		}),
	},
	{
		name: 'category.create',
		resource: 'category',
		operation: 'create',
		idempotent: false,
		target: 'POST /me/outlook/masterCategories',
		prepare: async ({ emu, unique }) => {
			const displayName = unique('category');
			return {
				parameters: { resource: 'category', operation: 'create', displayName, color: 'preset5' },
				method: 'POST',
				pattern: '^/me/outlook/masterCategories$',
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ displayName, color: 'preset5' }),
				countEffect: async () => countOf(await listNames(emu, '/me/outlook/masterCategories', 'displayName'), displayName),
			};
		},
	},
	{
		name: 'category.delete',
		resource: 'category',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/outlook/masterCategories/{id}',
		prepare: async ({ emu, unique }) => {
			const category = (await graphAs(emu, 'POST', '/me/outlook/masterCategories', { displayName: unique('category to delete'), color: 'preset2' })).body;
			return {
				parameters: { resource: 'category', operation: 'delete', categoryId: byId(category.id) },
				method: 'DELETE',
				pattern: `^/me/outlook/masterCategories/${escapeRegex(category.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, `/me/outlook/masterCategories/${category.id}`),
			};
		},
	},
	// ---- drafts, message attachments, mail folder get/rename/move/copy
	{
		name: 'draft.create',
		resource: 'draft',
		operation: 'create',
		idempotent: false,
		target: 'POST /me/messages',
		prepare: async ({ emu, unique }) => {
			const subject = unique('draft');
			return {
				parameters: { resource: 'draft', operation: 'create', toRecipients: MEGAN.mail, subject, bodyContent: 'Fault matrix' },
				method: 'POST',
				pattern: '^/me/messages$',
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ subject, isDraft: true }),
				countEffect: async () => countOf(await listNames(emu, '/me/mailFolders/drafts/messages?$top=1000&$select=subject', 'subject'), subject),
			};
		},
	},
	{
		name: 'draft.update',
		resource: 'draft',
		operation: 'update',
		idempotent: true,
		target: 'PATCH /me/messages/{draft}',
		prepare: async ({ emu, unique }) => {
			const draft = await newDraft(emu, unique('draft to update'));
			const subject = unique('draft updated');
			return {
				parameters: { resource: 'draft', operation: 'update', draftId: byId(draft.id), updateFields: { subject } },
				method: 'PATCH',
				pattern: `^/me/messages/${escapeRegex(draft.id)}$`,
				checkOutput: (run) => expect(run.output[0].json.subject).toBe(subject),
			};
		},
	},
	{
		name: 'draft.get',
		resource: 'draft',
		operation: 'get',
		idempotent: true,
		target: 'GET /me/messages/{draft}',
		prepare: async ({ emu, unique }) => {
			const subject = unique('draft to get');
			const draft = await newDraft(emu, subject);
			return {
				parameters: { resource: 'draft', operation: 'get', draftId: byId(draft.id) },
				method: 'GET',
				pattern: `^/me/messages/${escapeRegex(draft.id)}$`,
				checkOutput: (run) => expect(run.output[0].json.subject).toBe(subject),
			};
		},
	},
	{
		name: 'draft.getAll',
		resource: 'draft',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/mailFolders/drafts/messages',
		prepare: async ({ emu, unique }) => {
			await newDraft(emu, unique('draft to list'));
			return {
				parameters: { resource: 'draft', operation: 'getAll', limit: 1 },
				method: 'GET',
				pattern: '^/me/mailFolders/drafts/messages$',
				checkOutput: (run) => expect(run.output.map((o) => o.json.isDraft)).toEqual([true]),
			};
		},
	},
	{
		name: 'draft.send',
		resource: 'draft',
		operation: 'send',
		idempotent: false,
		target: 'POST /me/messages/{draft}/send',
		prepare: async ({ emu, unique }) => {
			const subject = unique('draft to send');
			const draft = await newDraft(emu, subject, [MEGAN.mail]);
			return {
				parameters: { resource: 'draft', operation: 'send', draftId: byId(draft.id) },
				method: 'POST',
				pattern: `^/me/messages/${escapeRegex(draft.id)}/send$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ sent: true }),
				countEffect: async () => sentLog(emu.core).filter((record) => record.subject === subject).length,
			};
		},
	},
	{
		name: 'draft.delete',
		resource: 'draft',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/messages/{draft}',
		prepare: async ({ emu, unique }) => {
			const draft = await newDraft(emu, unique('draft to delete'));
			return {
				parameters: { resource: 'draft', operation: 'delete', draftId: byId(draft.id) },
				method: 'DELETE',
				pattern: `^/me/messages/${escapeRegex(draft.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, `/me/messages/${encodeURIComponent(draft.id)}`),
			};
		},
	},
	{
		name: 'messageAttachment.getAll',
		resource: 'messageAttachment',
		operation: 'getAll',
		idempotent: true,
		target: 'GET /me/messages/{id}/attachments',
		prepare: async ({ emu, unique }) => {
			const draft = await newDraft(emu, unique('attachments to list'));
			await newFileAttachment(emu, draft.id, 'listed.txt');
			return {
				parameters: { resource: 'messageAttachment', operation: 'getAll', messageId: byId(draft.id) },
				method: 'GET',
				pattern: `^/me/messages/${escapeRegex(draft.id)}/attachments$`,
				checkOutput: (run) => expect(run.output.map((o) => o.json.name)).toEqual(['listed.txt']),
			};
		},
	},
	{
		name: 'messageAttachment.download',
		resource: 'messageAttachment',
		operation: 'download',
		idempotent: true,
		target: 'GET /me/messages/{id}/attachments/{id}/$value',
		prepare: async ({ emu, unique }) => {
			const draft = await newDraft(emu, unique('attachment to download'));
			const attachment = await newFileAttachment(emu, draft.id, 'download.txt');
			return {
				parameters: { resource: 'messageAttachment', operation: 'download', messageId: byId(draft.id), attachmentId: byId(attachment.id) },
				method: 'GET',
				pattern: `^/me/messages/${escapeRegex(draft.id)}/attachments/${escapeRegex(attachment.id)}/\\$value$`,
				checkOutput: (run) => expect(run.output[0].binary?.data).toMatchObject({ fileName: 'download.txt' }),
			};
		},
		notApplicable: { 'malformed JSON': '$value is the file itself: any bytes in a 200 are the content, there is no JSON to be malformed' },
	},
	{
		name: 'messageAttachment.add',
		resource: 'messageAttachment',
		operation: 'add',
		idempotent: false,
		target: 'POST /me/messages/{id}/attachments',
		prepare: async ({ emu, unique }) => {
			const draft = await newDraft(emu, unique('attachment to add'));
			const fileName = `${unique('added')}.txt`;
			return {
				parameters: { resource: 'messageAttachment', operation: 'add', messageId: byId(draft.id), attachments: { attachment: [{ binaryPropertyName: 'data', fileName }] } },
				binaryItems: [{ json: {}, binary: { data: { base64: Buffer.from('fault matrix').toString('base64'), fileName: 'x.txt', mimeType: 'text/plain' } } }],
				method: 'POST',
				pattern: `^/me/messages/${escapeRegex(draft.id)}/attachments$`,
				checkOutput: (run) => expect(run.output[0].json.name).toBe(fileName),
				countEffect: async () => countOf(await listNames(emu, `/me/messages/${encodeURIComponent(draft.id)}/attachments`, 'name'), fileName),
			};
		},
	},
	{
		name: 'messageAttachment.delete',
		resource: 'messageAttachment',
		operation: 'delete',
		idempotent: true,
		target: 'DELETE /me/messages/{id}/attachments/{id}',
		prepare: async ({ emu, unique }) => {
			const draft = await newDraft(emu, unique('attachment to delete'));
			const attachment = await newFileAttachment(emu, draft.id, 'delete.txt');
			const path = `/me/messages/${encodeURIComponent(draft.id)}/attachments/${encodeURIComponent(attachment.id)}`;
			return {
				parameters: { resource: 'messageAttachment', operation: 'delete', messageId: byId(draft.id), attachmentId: byId(attachment.id) },
				method: 'DELETE',
				pattern: `^/me/messages/${escapeRegex(draft.id)}/attachments/${escapeRegex(attachment.id)}$`,
				checkOutput: (run) => expect(run.output[0].json).toEqual({ deleted: true }),
				countEffect: async () => await gone(emu, path),
			};
		},
	},
	{
		name: 'folder.get',
		resource: 'folder',
		operation: 'get',
		idempotent: true,
		target: 'GET /me/mailFolders/{id}',
		prepare: async ({ emu, unique }) => {
			const displayName = unique('folder to get');
			const folder = await newFolder(emu, displayName);
			return {
				parameters: { resource: 'folder', operation: 'get', folderId: byId(folder.id) },
				method: 'GET',
				pattern: `^/me/mailFolders/${escapeRegex(folder.id)}$`,
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(displayName),
			};
		},
	},
	{
		name: 'folder.update',
		resource: 'folder',
		operation: 'update',
		idempotent: true,
		target: 'PATCH /me/mailFolders/{id}',
		prepare: async ({ emu, unique }) => {
			const folder = await newFolder(emu, unique('folder to rename'));
			const newDisplayName = unique('folder renamed');
			return {
				parameters: { resource: 'folder', operation: 'update', folderId: byId(folder.id), newDisplayName },
				method: 'PATCH',
				pattern: `^/me/mailFolders/${escapeRegex(folder.id)}$`,
				checkOutput: (run) => expect(run.output[0].json.displayName).toBe(newDisplayName),
			};
		},
	},
	{
		name: 'folder.move',
		resource: 'folder',
		operation: 'move',
		idempotent: false,
		target: 'POST /me/mailFolders/{id}/move',
		prepare: async ({ emu, unique }) => {
			const folder = await newFolder(emu, unique('folder to move'));
			const destination = await newFolder(emu, unique('move destination'));
			return {
				parameters: { resource: 'folder', operation: 'move', folderId: byId(folder.id), destinationFolderId: byId(destination.id) },
				method: 'POST',
				pattern: `^/me/mailFolders/${escapeRegex(folder.id)}/move$`,
				checkOutput: (run) => expect(run.output[0].json.parentFolderId).toBe(destination.id),
				countEffect: async () => ((await graphAs(emu, 'GET', `/me/mailFolders/${encodeURIComponent(folder.id)}`)).body?.parentFolderId === destination.id ? 1 : 0),
			};
		},
	},
	{
		name: 'folder.copy',
		resource: 'folder',
		operation: 'copy',
		idempotent: false,
		target: 'POST /me/mailFolders/{id}/copy',
		prepare: async ({ emu, unique }) => {
			const displayName = unique('folder to copy');
			const folder = await newFolder(emu, displayName);
			const destination = await newFolder(emu, unique('copy destination'));
			return {
				parameters: { resource: 'folder', operation: 'copy', folderId: byId(folder.id), destinationFolderId: byId(destination.id) },
				method: 'POST',
				pattern: `^/me/mailFolders/${escapeRegex(folder.id)}/copy$`,
				checkOutput: (run) => expect(run.output[0].json).toMatchObject({ displayName, parentFolderId: destination.id }),
				countEffect: async () =>
					countOf(await listNames(emu, `/me/mailFolders/${encodeURIComponent(destination.id)}/childFolders?$top=1000`, 'displayName'), displayName),
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
	},	...CALENDAR_ACTION_ROWS,
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
