/**
 * Event lifecycle: create / update / delete / cancel in one mailbox, plus the meeting copies Outlook keeps in
 * attendees' calendars (matched by iCalUId) and the change events subscriptions listen to.
 */
import {
	NEVER,
	calendarState,
	defaultCalendar,
	emailOf,
	newChangeKey,
	newICalUId,
	GraphFault,
	type CalendarRecord,
	type EventRecord,
	type LocationRecord,
} from './calendar-model';
import { EMPTY_LOCATION, endBeforeStart, type EventInput } from './calendar-input';
import type { EmulatorCore, EmulatorUser } from './types';

/** An emulator user whose mail or UPN is this address (case-insensitive). */
export function findUserByAddress(core: EmulatorCore, address: string): EmulatorUser | undefined {
	const wanted = address.trim().toLowerCase();
	for (const user of core.users.values()) {
		if (user.mail?.toLowerCase() === wanted || user.userPrincipalName.toLowerCase() === wanted) return user;
	}
	return undefined;
}

/** Cores currently seeding: seed data is set-up, not a mailbox change subscriptions should hear about. */
const silenced = new WeakSet<EmulatorCore>();

export function withoutChangeEvents<T>(core: EmulatorCore, action: () => T): T {
	if (silenced.has(core)) return action();
	silenced.add(core);
	try {
		return action();
	} finally {
		silenced.delete(core);
	}
}

function emit(core: EmulatorCore, userId: string, event: EventRecord, changeType: 'created' | 'updated' | 'deleted'): void {
	if (silenced.has(core)) return;
	core.emitChange({ userId, kind: 'event', changeType, id: event.id, containerId: event.calendarId });
}

function locationsFor(location: LocationRecord): LocationRecord[] {
	if (location.displayName === '') return [];
	const entry: LocationRecord = {
		displayName: location.displayName,
		locationType: location.locationType,
		uniqueIdType: 'unknown',
	};
	if (location.address !== undefined) entry.address = location.address;
	if (location.coordinates !== undefined) entry.coordinates = location.coordinates;
	return [entry];
}

/** Builds the organizer's record from a validated create body. */
export function buildEvent(core: EmulatorCore, organizer: EmulatorUser, calendar: CalendarRecord, input: EventInput): EventRecord {
	const start = input.start;
	const end = input.end;
	if (!start || !end) throw new GraphFault(400, 'ErrorInvalidRequest', 'An event must have both a start and an end time.');
	if (end.ms < start.ms) throw endBeforeStart();
	const now = core.now();
	const location = input.location ?? { ...EMPTY_LOCATION };
	return {
		id: core.newId('AAMkAGEvt'),
		calendarId: calendar.id,
		createdMs: now,
		lastModifiedMs: now,
		changeKey: newChangeKey(),
		iCalUId: newICalUId(),
		transactionId: input.transactionId ?? null,
		subject: input.subject ?? '',
		body: input.body ?? { contentType: 'html', content: '' },
		startMs: start.ms,
		endMs: end.ms,
		originalStartTimeZone: start.timeZone,
		originalEndTimeZone: end.timeZone,
		isAllDay: input.isAllDay ?? false,
		showAs: input.showAs ?? 'busy',
		sensitivity: input.sensitivity ?? 'normal',
		importance: input.importance ?? 'normal',
		categories: input.categories ?? [],
		location,
		locations: input.locations ?? locationsFor(location),
		attendees: input.attendees ?? [],
		organizer: emailOf(organizer),
		isOrganizer: true,
		responseStatus: { response: 'organizer', time: NEVER },
		reminderMinutesBeforeStart: input.reminderMinutesBeforeStart ?? 15,
		isReminderOn: input.isReminderOn ?? true,
		responseRequested: input.responseRequested ?? true,
		isCancelled: false,
		isOnlineMeeting: input.isOnlineMeeting ?? false,
		onlineMeetingProvider: input.onlineMeetingProvider ?? 'unknown',
		allowNewTimeProposals: input.allowNewTimeProposals ?? true,
		hideAttendees: input.hideAttendees ?? false,
		recurrence: input.recurrence ?? null,
	};
}

export interface CreateResult {
	event: EventRecord;
	/** False when a POST repeated an earlier transactionId and Graph returns the existing event. */
	created: boolean;
}

export function createEvent(
	core: EmulatorCore,
	organizer: EmulatorUser,
	calendar: CalendarRecord,
	input: EventInput,
): CreateResult {
	const state = calendarState(core, organizer.id);
	if (input.transactionId) {
		// Graph's idempotency key for client retries: the same transactionId yields the same event.
		for (const existing of state.events.values()) {
			if (existing.transactionId === input.transactionId) return { event: existing, created: false };
		}
	}
	const event = buildEvent(core, organizer, calendar, input);
	state.events.set(event.id, event);
	emit(core, organizer.id, event, 'created');
	// Copies exist only for listed attendees, so bulk-seeded plain events skip the cross-mailbox scan.
	if (event.attendees.length > 0) syncAttendeeCopies(core, organizer, event);
	return { event, created: true };
}

/** Fields an organizer's change carries to the attendees' copies (responses, reminders etc. stay personal). */
function copySharedFields(from: EventRecord, to: EventRecord): void {
	to.subject = from.subject;
	to.body = { ...from.body };
	to.startMs = from.startMs;
	to.endMs = from.endMs;
	to.originalStartTimeZone = from.originalStartTimeZone;
	to.originalEndTimeZone = from.originalEndTimeZone;
	to.isAllDay = from.isAllDay;
	to.importance = from.importance;
	to.sensitivity = from.sensitivity;
	to.location = { ...from.location };
	to.locations = from.locations.map((location) => ({ ...location }));
	to.attendees = from.attendees.map((attendee) => ({ ...attendee, status: { ...attendee.status } }));
	to.organizer = { ...from.organizer };
	to.recurrence = from.recurrence;
	to.isOnlineMeeting = from.isOnlineMeeting;
	to.onlineMeetingProvider = from.onlineMeetingProvider;
	to.allowNewTimeProposals = from.allowNewTimeProposals;
	to.hideAttendees = from.hideAttendees;
	to.responseRequested = from.responseRequested;
}

function newAttendeeCopy(core: EmulatorCore, attendee: EmulatorUser, organizerEvent: EventRecord): EventRecord {
	const now = core.now();
	const copy: EventRecord = {
		...organizerEvent,
		id: core.newId('AAMkAGEvt'),
		calendarId: defaultCalendar(calendarState(core, attendee.id)).id,
		createdMs: now,
		lastModifiedMs: now,
		changeKey: newChangeKey(),
		transactionId: null,
		categories: [],
		// Outlook pencils an unanswered meeting request in as tentative.
		showAs: 'tentative',
		isOrganizer: false,
		responseStatus: { response: 'none', time: NEVER },
		reminderMinutesBeforeStart: 15,
		isReminderOn: true,
	};
	copySharedFields(organizerEvent, copy);
	return copy;
}

function findCopy(core: EmulatorCore, userId: string, iCalUId: string): EventRecord | undefined {
	for (const event of calendarState(core, userId).events.values()) {
		if (event.iCalUId === iCalUId && !event.isOrganizer) return event;
	}
	return undefined;
}

/** Users (other than the organizer) listed as attendees of this event. */
function attendeeUsers(core: EmulatorCore, organizer: EmulatorUser, event: EventRecord): Map<string, EmulatorUser> {
	const users = new Map<string, EmulatorUser>();
	for (const attendee of event.attendees) {
		const user = findUserByAddress(core, attendee.emailAddress.address);
		if (user && user.id !== organizer.id) users.set(user.id, user);
	}
	return users;
}

/** Makes the attendees' copies match the organizer's event: create, update or remove them. */
export function syncAttendeeCopies(core: EmulatorCore, organizer: EmulatorUser, event: EventRecord): void {
	const wanted = attendeeUsers(core, organizer, event);
	for (const user of core.users.values()) {
		if (user.id === organizer.id) continue;
		const copy = findCopy(core, user.id, event.iCalUId);
		if (wanted.has(user.id)) {
			if (copy) {
				copySharedFields(event, copy);
				copy.changeKey = newChangeKey();
				copy.lastModifiedMs = core.now();
				emit(core, user.id, copy, 'updated');
			} else {
				const created = newAttendeeCopy(core, user, event);
				calendarState(core, user.id).events.set(created.id, created);
				emit(core, user.id, created, 'created');
			}
		} else if (copy) {
			calendarState(core, user.id).events.delete(copy.id);
			emit(core, user.id, copy, 'deleted');
		}
	}
}

function removeAttendeeCopies(core: EmulatorCore, organizer: EmulatorUser, event: EventRecord): void {
	for (const user of core.users.values()) {
		if (user.id === organizer.id) continue;
		const copy = findCopy(core, user.id, event.iCalUId);
		if (!copy) continue;
		calendarState(core, user.id).events.delete(copy.id);
		emit(core, user.id, copy, 'deleted');
	}
}

export function applyEventInput(event: EventRecord, input: EventInput): void {
	const startMs = input.start?.ms ?? event.startMs;
	const endMs = input.end?.ms ?? event.endMs;
	if (endMs < startMs) throw endBeforeStart();
	if (input.start) {
		event.startMs = input.start.ms;
		event.originalStartTimeZone = input.start.timeZone;
	}
	if (input.end) {
		event.endMs = input.end.ms;
		event.originalEndTimeZone = input.end.timeZone;
	}
	if (input.subject !== undefined) event.subject = input.subject;
	if (input.body !== undefined) event.body = input.body;
	if (input.isAllDay !== undefined) event.isAllDay = input.isAllDay;
	if (input.showAs !== undefined) event.showAs = input.showAs;
	if (input.sensitivity !== undefined) event.sensitivity = input.sensitivity;
	if (input.importance !== undefined) event.importance = input.importance;
	if (input.categories !== undefined) event.categories = input.categories;
	if (input.location !== undefined) {
		event.location = input.location;
		if (input.locations === undefined) event.locations = locationsFor(input.location);
	}
	if (input.locations !== undefined) event.locations = input.locations;
	if (input.attendees !== undefined) event.attendees = input.attendees;
	if (input.reminderMinutesBeforeStart !== undefined) event.reminderMinutesBeforeStart = input.reminderMinutesBeforeStart;
	if (input.isReminderOn !== undefined) event.isReminderOn = input.isReminderOn;
	if (input.responseRequested !== undefined) event.responseRequested = input.responseRequested;
	if (input.isOnlineMeeting !== undefined) event.isOnlineMeeting = input.isOnlineMeeting;
	if (input.onlineMeetingProvider !== undefined) event.onlineMeetingProvider = input.onlineMeetingProvider;
	if (input.allowNewTimeProposals !== undefined) event.allowNewTimeProposals = input.allowNewTimeProposals;
	if (input.hideAttendees !== undefined) event.hideAttendees = input.hideAttendees;
	if (input.recurrence !== undefined) event.recurrence = input.recurrence;
	if (input.transactionId !== undefined) event.transactionId = input.transactionId;
}

export function updateEvent(core: EmulatorCore, owner: EmulatorUser, event: EventRecord, input: EventInput): void {
	const hadAttendees = event.attendees.length > 0;
	applyEventInput(event, input);
	event.changeKey = newChangeKey();
	event.lastModifiedMs = core.now();
	emit(core, owner.id, event, 'updated');
	if (event.isOrganizer && (hadAttendees || event.attendees.length > 0)) syncAttendeeCopies(core, owner, event);
}

/** Deleting the organizer's event cancels the meeting for everyone; an attendee only loses their copy. */
export function deleteEvent(core: EmulatorCore, owner: EmulatorUser, event: EventRecord): void {
	calendarState(core, owner.id).events.delete(event.id);
	emit(core, owner.id, event, 'deleted');
	if (event.isOrganizer && event.attendees.length > 0) removeAttendeeCopies(core, owner, event);
}

export function cancelEvent(core: EmulatorCore, owner: EmulatorUser, event: EventRecord): void {
	if (!event.isOrganizer) {
		throw new GraphFault(
			400,
			'ErrorAccessDenied',
			"Your request can't be completed. You need to be an organizer to cancel a meeting.",
		);
	}
	// Graph moves the organizer's item to Deleted Items; for the emulator it is simply gone.
	deleteEvent(core, owner, event);
}
