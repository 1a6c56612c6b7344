/**
 * Event actions (graph-ops-facts rows 19-22, 36, 38): accept / tentativelyAccept / decline (202), forward (202),
 * snoozeReminder and dismissReminder (200, no body), and GET /events/{id}/instances.
 * Registered for `/events/{id}/…` of a mailbox (Graph also offers them under /calendar(s)/…/events; the node uses
 * /events only).
 */
import {
	GraphFault,
	NEVER,
	calendarState,
	contextOwner,
	GRAPH_V1,
	itemNotFound,
	mailboxUser,
	newChangeKey,
	preferenceHeaders,
	readPreferences,
	renderEvent,
	type EventRecord,
} from './calendar-model';
import { deleteEvent, findUserByAddress, syncAttendeeCopies } from './calendar-events';
import { isValidEmail, parseDateTimeTimeZone } from './calendar-input';
import { forgetSeriesParts, materializeOccurrence, seriesInstances, viewWindow } from './calendar-recurrence';
import { listResponse } from './odata';
import type { EmulatorCore, EmulatorUser, GraphRequest, Handler, Reply } from './types';

type Json = Record<string, unknown>;
type Route = (method: string, pattern: string, handler: Handler) => void;

const RESPONSES = {
	accept: { response: 'accepted', showAs: 'busy', proposals: false },
	tentativelyAccept: { response: 'tentativelyAccepted', showAs: 'tentative', proposals: true },
	decline: { response: 'declined', showAs: 'free', proposals: true },
} as const;
type ResponseAction = keyof typeof RESPONSES;

function findEvent(core: EmulatorCore, req: GraphRequest): { user: EmulatorUser; event: EventRecord } {
	const user = mailboxUser(req);
	const state = calendarState(core, user.id);
	const event = state.events.get(req.params.eventId) ?? materializeOccurrence(state, req.params.eventId);
	if (!event) throw itemNotFound();
	return { user, event };
}

/** Action parameters: an object body (or none), no parameter the action does not declare. */
function actionBody(req: GraphRequest, action: string, known: string[]): Json {
	const body: unknown = req.body;
	if (body === undefined || body === null || body === '') return {};
	if (typeof body !== 'object' || Array.isArray(body)) throw new GraphFault(400, 'BadRequest', 'Invalid JSON body.');
	const wanted = new Set(known.map((name) => name.toLowerCase()));
	for (const key of Object.keys(body)) {
		if (!wanted.has(key.toLowerCase())) {
			const message = `The parameter '${key}' in the request payload is not a valid parameter for the operation '${action}'.`;
			throw new GraphFault(400, 'RequestBodyRead', message);
		}
	}
	return body as Json;
}

/**
 * Graph matches action parameter names without regard to case: the forward docs use PascalCase (`ToRecipients`,
 * `Comment`), the other pages camelCase. Not stated in the docs; both spellings are accepted here.
 */
function param(body: Json, name: string): unknown {
	const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : body[key];
}

function typeError(value: unknown, type: string): GraphFault {
	const literal = typeof value === 'string' ? value : JSON.stringify(value);
	return new GraphFault(400, 'RequestBodyRead', `Cannot convert the literal '${literal}' to the expected type '${type}'.`);
}

function optionalString(body: Json, name: string): string | undefined {
	const value = param(body, name);
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw typeError(value, 'Edm.String');
	return value;
}

/**
 * The organizer's own event for an attendee's copy (same iCalUId), if the organizer is an emulator user. An
 * occurrence has an iCalUId of its own, so a response to one occurrence stays in the attendee's calendar here
 * (Graph would record it on the organizer's occurrence; the emulator keeps no per-occurrence organizer state).
 */
function organizerEvent(core: EmulatorCore, copy: EventRecord): { organizer: EmulatorUser; event: EventRecord } | undefined {
	const organizer = findUserByAddress(core, copy.organizer.address);
	if (!organizer) return undefined;
	for (const event of calendarState(core, organizer.id).events.values()) {
		if (event.isOrganizer && event.iCalUId === copy.iCalUId) return { organizer, event };
	}
	return undefined;
}

function respond(core: EmulatorCore, req: GraphRequest, action: ResponseAction): Reply {
	const rule = RESPONSES[action];
	const known = rule.proposals ? ['comment', 'sendResponse', 'proposedNewTime'] : ['comment', 'sendResponse'];
	const body = actionBody(req, action, known);
	optionalString(body, 'comment');
	const sendResponse = param(body, 'sendResponse');
	if (sendResponse !== undefined && typeof sendResponse !== 'boolean') throw typeError(sendResponse, 'Edm.Boolean');
	const proposed = param(body, 'proposedNewTime');
	const { user, event } = findEvent(core, req);
	if (event.isOrganizer) {
		// The docs do not show this answer; Exchange refuses a response to your own meeting. Code and text are ours.
		throw new GraphFault(400, 'ErrorInvalidRequest', "Your request can't be completed. You can't respond to a meeting you organized.");
	}
	if (proposed !== undefined && proposed !== null) {
		const slot = proposed as Json;
		if (typeof proposed !== 'object' || Array.isArray(proposed)) throw typeError(proposed, 'microsoft.graph.timeSlot');
		const start = parseDateTimeTimeZone(param(slot, 'start'), 'start');
		const end = parseDateTimeTimeZone(param(slot, 'end'), 'end');
		if (end.ms <= start.ms) {
			throw new GraphFault(400, 'ErrorInvalidRequest', "Your request can't be completed. The proposed end time must be after the start time.");
		}
		// decline.md / tentativelyaccept.md: both refusals are 400; the messages are not documented.
		if (sendResponse === false) {
			throw new GraphFault(400, 'ErrorInvalidRequest', "Your request can't be completed. A new time can only be proposed when the response is sent to the organizer.");
		}
		if (!event.allowNewTimeProposals) {
			throw new GraphFault(400, 'ErrorInvalidRequest', "Your request can't be completed. The organizer doesn't allow new time proposals for this meeting.");
		}
	}
	const now = core.now();
	const status = { response: rule.response, time: new Date(now).toISOString().replace('.000Z', 'Z') };
	if (sendResponse !== false) {
		const original = organizerEvent(core, event);
		const attendee = original?.event.attendees.find((entry) => entry.emailAddress.address.toLowerCase() === user.mail.toLowerCase());
		if (original && attendee) {
			attendee.status = { ...status };
			original.event.changeKey = newChangeKey();
			original.event.lastModifiedMs = now;
		}
	}
	if (action === 'decline') {
		// A declined meeting leaves the attendee's calendar (Outlook moves it to Deleted Items).
		deleteEvent(core, user, event);
		forgetSeriesParts(calendarState(core, user.id), event);
		return { status: 202 };
	}
	event.responseStatus = status;
	event.showAs = rule.showAs;
	event.changeKey = newChangeKey();
	event.lastModifiedMs = now;
	return { status: 202 };
}

/** Recipients as Graph reads them: `{EmailAddress:{Address,Name}}` (either casing). */
function recipientAddresses(value: unknown): Array<{ address: string; name: string }> {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw typeError(value, 'Collection(microsoft.graph.recipient)');
	return value.map((entry) => {
		const email = typeof entry === 'object' && entry !== null ? param(entry as Json, 'emailAddress') : undefined;
		const address = typeof email === 'object' && email !== null ? param(email as Json, 'address') : undefined;
		if (typeof address !== 'string' || !isValidEmail(address.trim())) {
			const shown = typeof address === 'string' ? address : JSON.stringify(entry);
			throw new GraphFault(400, 'ErrorInvalidRecipients', `At least one recipient isn't valid. The address '${shown}' isn't a valid SMTP address.`);
		}
		const name = param(email as Json, 'name');
		return { address: address.trim(), name: typeof name === 'string' && name !== '' ? name : address.trim() };
	});
}

/**
 * forward: the recipients get the meeting request; they join the organizer's attendee list (event-forward.md: an
 * attendee's forward from Microsoft 365 notifies the organizer and adds the recipient to the organizer's copy).
 * The docs mark nothing required; no recipient at all is refused here like a message forward without one.
 */
function forward(core: EmulatorCore, req: GraphRequest): Reply {
	const body = actionBody(req, 'forward', ['toRecipients', 'comment']);
	optionalString(body, 'comment');
	const recipients = recipientAddresses(param(body, 'toRecipients'));
	if (recipients.length === 0) {
		throw new GraphFault(400, 'ErrorInvalidRecipients', 'At least one recipient is required, but none were found.');
	}
	const { user, event } = findEvent(core, req);
	const original = event.isOrganizer ? { organizer: user, event } : organizerEvent(core, event);
	if (original) {
		for (const recipient of recipients) {
			const known = original.event.attendees.some((entry) => entry.emailAddress.address.toLowerCase() === recipient.address.toLowerCase());
			if (known) continue;
			original.event.attendees.push({ type: 'required', status: { response: 'none', time: NEVER }, emailAddress: recipient });
		}
		original.event.changeKey = newChangeKey();
		original.event.lastModifiedMs = core.now();
		syncAttendeeCopies(core, original.organizer, original.event);
	}
	return { status: 202 };
}

/** snoozeReminder: `newReminderTime` (dateTimeTimeZone) is the only parameter; without it nothing can be snoozed. */
function snoozeReminder(core: EmulatorCore, req: GraphRequest): Reply {
	const body = actionBody(req, 'snoozeReminder', ['newReminderTime']);
	const value = param(body, 'newReminderTime');
	if (value === undefined || value === null) {
		// Not documented as required in words, but it is the action's only parameter; Graph answers 400 without it.
		throw new GraphFault(400, 'ErrorInvalidRequest', "The 'newReminderTime' parameter is required.");
	}
	const time = parseDateTimeTimeZone(value, 'newReminderTime');
	const { event } = findEvent(core, req);
	event.isReminderOn = true;
	event.reminderSnoozedUntilMs = time.ms;
	return { status: 200 };
}

/** dismissReminder: no parameters; the emulator shows the dismissed reminder as `isReminderOn: false`. */
function dismissReminder(core: EmulatorCore, req: GraphRequest): Reply {
	actionBody(req, 'dismissReminder', []);
	const { event } = findEvent(core, req);
	event.isReminderOn = false;
	event.reminderSnoozedUntilMs = undefined;
	return { status: 200 };
}

/**
 * instances: the occurrences and exceptions of a series master in the window (both parameters required). For an
 * event that is not a series master the docs say nothing; the emulator answers an empty collection.
 */
function instances(core: EmulatorCore, req: GraphRequest): Reply {
	const { startMs, endMs } = viewWindow(req);
	const { user, event } = findEvent(core, req);
	const found = event.recurrence ? seriesInstances(calendarState(core, user.id), event, startMs, endMs) : [];
	const prefs = readPreferences(req);
	const context = `${GRAPH_V1}/$metadata#${contextOwner(req)}/events('${event.id}')/instances`;
	const reply = listResponse(core, req, found.map((instance) => renderEvent(instance, prefs)), { defaultTop: 10, maxTop: 1000, contextUrl: context });
	return { ...reply, headers: { ...reply.headers, ...preferenceHeaders(prefs) } };
}

export function registerEventActions(core: EmulatorCore, route: Route): void {
	for (const action of Object.keys(RESPONSES) as ResponseAction[]) {
		route('POST', `/events/:eventId/${action}`, (req) => respond(core, req, action));
	}
	route('POST', '/events/:eventId/forward', (req) => forward(core, req));
	route('POST', '/events/:eventId/snoozeReminder', (req) => snoozeReminder(core, req));
	route('POST', '/events/:eventId/dismissReminder', (req) => dismissReminder(core, req));
	route('GET', '/events/:eventId/instances', (req) => instances(core, req));
}
