import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { graphApiRequest } from '../shared/transport/request';
import { matches, targetForEditor } from './editorTarget';

interface Page {
	value?: IDataObject[];
	'@odata.nextLink'?: string;
}

/** One page of a Graph list as resource-locator results (`toResults` filters and names the entries); the nextLink is the pagination token. */
async function searchList(
	ctx: ILoadOptionsFunctions,
	request: { url: string; qs: IDataObject },
	paginationToken: string | undefined,
	toResults: (entries: IDataObject[]) => INodeListSearchItems[],
): Promise<INodeListSearchResult> {
	const target = await targetForEditor(ctx);
	const { body } = await graphApiRequest<Page>(ctx, target, paginationToken ? { method: 'GET', url: paginationToken } : { method: 'GET', ...request });
	return { results: toResults(body.value ?? []), paginationToken: body['@odata.nextLink'] };
}

/** The entries whose `field` matches the filter, shown by that field; the value is the entry's ID. */
function namedBy(field: string, filter: string | undefined) {
	return (entries: IDataObject[]): INodeListSearchItems[] =>
		entries.filter((entry) => matches(entry[field], filter)).map((entry) => ({ name: String(entry[field]), value: String(entry.id) }));
}

export async function searchCalendars(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchList(this, { url: '/me/calendars', qs: { $top: 100, $select: 'id,name' } }, paginationToken, namedBy('name', filter));
}

export async function searchFolders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const request = { url: '/me/mailFolders', qs: { $top: 100, $select: 'id,displayName,childFolderCount' } };
	return await searchList(this, request, paginationToken, namedBy('displayName', filter));
}

export async function searchMessages(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const qs: IDataObject = { $top: 50, $select: 'id,subject,from,receivedDateTime' };
	// Graph's $search wants the term in double quotes; inner quotes would end it early.
	if (filter) qs.$search = `"${filter.replace(/"/g, '')}"`;
	return await searchList(this, { url: '/me/messages', qs }, paginationToken, (messages) =>
		messages.map((m) => {
			const from = (m.from as { emailAddress?: { address?: string } } | undefined)?.emailAddress?.address;
			return { name: `${m.subject || '(no subject)'}${from ? ` — ${from}` : ''}`, value: String(m.id) };
		}),
	);
}

export async function searchEvents(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const calendar = this.getCurrentNodeParameter('calendarId', { extractValue: true }) as string | undefined;
	const url = calendar ? `/me/calendars/${encodeURIComponent(calendar)}/events` : '/me/events';
	return await searchList(this, { url, qs: { $top: 100, $select: 'id,subject,start' } }, paginationToken, (events) =>
		events
			.filter((e) => matches(e.subject, filter))
			.map((e) => {
				const start = (e.start as { dateTime?: string } | undefined)?.dateTime?.slice(0, 16).replace('T', ' ');
				return { name: `${e.subject || '(no subject)'}${start ? ` (${start} UTC)` : ''}`, value: String(e.id) };
			}),
	);
}

/** Rooms for the room picker; the value is the room's email address (how events and findMeetingTimes name a room). */
export async function searchRooms(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchList(this, { url: '/places/microsoft.graph.room', qs: { $top: 100 } }, paginationToken, (rooms) =>
		rooms
			.filter((r) => matches(r.displayName, filter) || matches(r.emailAddress, filter))
			// The name alone: the node uses the picked name as the event's location.
			.map((r) => ({
				name: String(r.displayName),
				value: String(r.emailAddress),
				description: `${r.capacity ? `${String(r.capacity)} seats, ` : ''}${String(r.emailAddress)}`,
			})),
	);
}

/** Room lists, addressed by their email address. */
export async function searchRoomLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchList(this, { url: '/places/microsoft.graph.roomlist', qs: { $top: 100 } }, paginationToken, (lists) =>
		lists
			.filter((l) => matches(l.displayName, filter) || matches(l.emailAddress, filter))
			.map((l) => ({ name: String(l.displayName), value: String(l.emailAddress) })),
	);
}

export async function searchDrafts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const request = { url: '/me/mailFolders/drafts/messages', qs: { $top: 100, $select: 'id,subject,toRecipients' } };
	return await searchList(this, request, paginationToken, (drafts) =>
		drafts
			.filter((d) => matches(d.subject, filter))
			.map((d) => {
				const to = (d.toRecipients as Array<{ emailAddress?: { address?: string } }> | undefined)?.[0]?.emailAddress?.address;
				return { name: `${d.subject || '(no subject)'}${to ? ` — to ${to}` : ''}`, value: String(d.id) };
			}),
	);
}

/** The attachments of the message chosen in the same node (none until a message is chosen). */
export async function searchAttachments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const message = this.getCurrentNodeParameter('messageId', { extractValue: true }) as string | undefined;
	if (!message || message.startsWith('=')) return { results: [] };
	const url = `/me/messages/${encodeURIComponent(message)}/attachments`;
	return await searchList(this, { url, qs: { $select: 'id,name,size' } }, paginationToken, (attachments) =>
		attachments
			.filter((a) => matches(a.name, filter))
			.map((a) => ({ name: `${a.name} (${Math.ceil(Number(a.size ?? 0) / 1024)} KB)`, value: String(a.id) })),
	);
}

/** Contacts of the chosen Contact Folder (or the default one), matched by name or email address. */
export async function searchContacts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	// Get, Update and Delete have no Contact Folder: read it without extractValue, which throws for a missing parameter.
	const chosen = this.getCurrentNodeParameter('contactFolderId') as { value?: unknown } | string | undefined;
	const folder = String((typeof chosen === 'object' ? chosen?.value : chosen) ?? '').trim();
	const url = folder && !folder.startsWith('=') ? `/me/contactFolders/${encodeURIComponent(folder)}/contacts` : '/me/contacts';
	return await searchList(this, { url, qs: { $top: 100, $select: 'id,displayName,emailAddresses' } }, paginationToken, (contacts) =>
		contacts
			.map((c) => {
				const email = ((c.emailAddresses as Array<{ address?: string }> | undefined) ?? [])[0]?.address;
				return { name: `${c.displayName || '(no name)'}${email ? ` — ${email}` : ''}`, value: String(c.id) };
			})
			.filter((c) => matches(c.name, filter)),
	);
}

export async function searchContactFolders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const request = { url: '/me/contactFolders', qs: { $top: 100, $select: 'id,displayName' } };
	return await searchList(this, request, paginationToken, namedBy('displayName', filter));
}
