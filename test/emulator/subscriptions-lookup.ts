/**
 * The few facts the subscriptions module needs from its sibling modules: the tenant id, and the
 * folder/calendar a subscription resource names. Kept in one place so the coupling is visible.
 */
import { calendarState } from './calendar-model';
import { contactsState } from './contacts';
import { TENANT_ID } from './identity';
import { mailboxOf } from './mail';
import { findFolder } from './mail-store';
import type { EmulatorCore } from './types';

export function tenantIdOf(_core: EmulatorCore): string {
	return TENANT_ID;
}

/** A folder id or well-known name (case-insensitive) → the folder's id, as change events carry it. */
export function resolveMailFolderId(core: EmulatorCore, userId: string, idOrName: string): string | undefined {
	return findFolder(mailboxOf(core, userId), idOrName)?.id;
}

export function resolveCalendarId(core: EmulatorCore, userId: string, id: string): string | undefined {
	return calendarState(core, userId).calendars.find((calendar) => calendar.id === id)?.id;
}

/** A contact folder id (the default Contacts folder's own id included) → that id, when it exists. */
export function resolveContactFolderId(core: EmulatorCore, userId: string, id: string): string | undefined {
	const state = contactsState(core, userId);
	if (id === state.rootFolderId) return id;
	return state.folders.find((folder) => folder.id === id)?.id;
}
