import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { graphApiRequest } from '../shared/transport/request';
import { matches, targetForEditor } from './context';

interface Page {
	value?: IDataObject[];
	'@odata.nextLink'?: string;
}

/** One page of a Graph list for a resource locator; the nextLink is the pagination token. */
async function searchPage(
	ctx: ILoadOptionsFunctions,
	url: string,
	qs: IDataObject,
	paginationToken: string | undefined,
): Promise<Page> {
	const target = await targetForEditor(ctx);
	const { body } = await graphApiRequest<Page>(ctx, target, paginationToken ? { method: 'GET', url: paginationToken } : { method: 'GET', url, qs });
	return body;
}

export async function searchCalendars(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await searchPage(this, '/me/calendars', { $top: 100, $select: 'id,name' }, paginationToken);
	return {
		results: (page.value ?? [])
			.filter((c) => matches(c.name, filter))
			.map((c) => ({ name: String(c.name), value: String(c.id) })),
		paginationToken: page['@odata.nextLink'],
	};
}

export async function searchFolders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await searchPage(
		this,
		'/me/mailFolders',
		{ $top: 100, $select: 'id,displayName,childFolderCount' },
		paginationToken,
	);
	return {
		results: (page.value ?? [])
			.filter((f) => matches(f.displayName, filter))
			.map((f) => ({ name: String(f.displayName), value: String(f.id) })),
		paginationToken: page['@odata.nextLink'],
	};
}

export async function searchMessages(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const qs: IDataObject = { $top: 50, $select: 'id,subject,from,receivedDateTime' };
	// Graph's $search wants the term in double quotes; inner quotes would end it early.
	if (filter) qs.$search = `"${filter.replace(/"/g, '')}"`;
	const page = await searchPage(this, '/me/messages', qs, paginationToken);
	return {
		results: (page.value ?? []).map((m) => {
			const from = (m.from as { emailAddress?: { address?: string } } | undefined)?.emailAddress?.address;
			return { name: `${m.subject || '(no subject)'}${from ? ` — ${from}` : ''}`, value: String(m.id) };
		}),
		paginationToken: page['@odata.nextLink'],
	};
}

export async function searchEvents(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const calendar = this.getCurrentNodeParameter('calendarId', { extractValue: true }) as string | undefined;
	const url = calendar ? `/me/calendars/${encodeURIComponent(calendar)}/events` : '/me/events';
	const page = await searchPage(this, url, { $top: 100, $select: 'id,subject,start' }, paginationToken);
	return {
		results: (page.value ?? [])
			.filter((e) => matches(e.subject, filter))
			.map((e) => {
				const start = (e.start as { dateTime?: string } | undefined)?.dateTime?.slice(0, 16).replace('T', ' ');
				return { name: `${e.subject || '(no subject)'}${start ? ` (${start} UTC)` : ''}`, value: String(e.id) };
			}),
		paginationToken: page['@odata.nextLink'],
	};
}

/** Rooms for the room picker; the value is the room's email address (how events and findMeetingTimes name a room). */
export async function searchRooms(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await searchPage(this, '/places/microsoft.graph.room', { $top: 100 }, paginationToken);
	return {
		results: (page.value ?? [])
			.filter((r) => matches(r.displayName, filter) || matches(r.emailAddress, filter))
			// The name alone: the node uses the picked name as the event's location.
			.map((r) => ({
				name: String(r.displayName),
				value: String(r.emailAddress),
				description: `${r.capacity ? `${String(r.capacity)} seats, ` : ''}${String(r.emailAddress)}`,
			})),
		paginationToken: page['@odata.nextLink'],
	};
}

/** Room lists, addressed by their email address. */
export async function searchRoomLists(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await searchPage(this, '/places/microsoft.graph.roomlist', { $top: 100 }, paginationToken);
	return {
		results: (page.value ?? [])
			.filter((l) => matches(l.displayName, filter) || matches(l.emailAddress, filter))
			.map((l) => ({ name: String(l.displayName), value: String(l.emailAddress) })),
		paginationToken: page['@odata.nextLink'],
	};
}

export async function searchDrafts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await searchPage(this, '/me/mailFolders/drafts/messages', { $top: 100, $select: 'id,subject,toRecipients' }, paginationToken);
	return {
		results: (page.value ?? [])
			.filter((d) => matches(d.subject, filter))
			.map((d) => {
				const to = (d.toRecipients as Array<{ emailAddress?: { address?: string } }> | undefined)?.[0]?.emailAddress?.address;
				return { name: `${d.subject || '(no subject)'}${to ? ` — to ${to}` : ''}`, value: String(d.id) };
			}),
		paginationToken: page['@odata.nextLink'],
	};
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
	const page = await searchPage(this, url, { $select: 'id,name,size' }, paginationToken);
	return {
		results: (page.value ?? [])
			.filter((a) => matches(a.name, filter))
			.map((a) => ({ name: `${a.name} (${Math.ceil(Number(a.size ?? 0) / 1024)} KB)`, value: String(a.id) })),
		paginationToken: page['@odata.nextLink'],
	};
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
	const page = await searchPage(this, url, { $top: 100, $select: 'id,displayName,emailAddresses' }, paginationToken);
	return {
		results: (page.value ?? [])
			.map((c) => {
				const email = ((c.emailAddresses as Array<{ address?: string }> | undefined) ?? [])[0]?.address;
				return { name: `${c.displayName || '(no name)'}${email ? ` — ${email}` : ''}`, value: String(c.id) };
			})
			.filter((c) => matches(c.name, filter)),
		paginationToken: page['@odata.nextLink'],
	};
}

export async function searchContactFolders(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = await searchPage(this, '/me/contactFolders', { $top: 100, $select: 'id,displayName' }, paginationToken);
	return {
		results: (page.value ?? [])
			.filter((f) => matches(f.displayName, filter))
			.map((f) => ({ name: String(f.displayName), value: String(f.id) })),
		paginationToken: page['@odata.nextLink'],
	};
}
