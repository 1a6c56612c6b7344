/**
 * Contacts and contact folders (contact-*.md, user-post-contacts.md, user-list-contacts.md,
 * user-list-contactfolders.md, user-post-contactfolders.md, contactfolder-post-childfolders.md):
 * create (201, displayName built from the names when not given), list (emailAddresses filterable only as
 * `emailAddresses/any(a:a/address eq '…')`), get, update (200 with the whole contact), delete (204).
 * State per mailbox in `core.moduleState(userId, 'contacts', …)`.
 */
import { randomBytes } from 'node:crypto';

import { withFaults } from './calendar';
import { GRAPH_V1, GraphFault, contextOwner, itemNotFound, mailboxUser } from './calendar-model';
import { listResponse, queryOption, selectFields } from './odata';
import type { ChangeEvent, EmulatorCore, GraphRequest, Handler, Reply } from './types';

const MODULE = 'contacts';
/** Graph documents no page size for contacts; Outlook lists default to 10, at most 1000 like messages. */
const PAGING = { defaultTop: 10, maxTop: 1000 };

export interface ContactFolderRecord {
	id: string;
	displayName: string;
	parentFolderId: string;
}

export type ContactRecord = Record<string, unknown> & { id: string; parentFolderId: string };

export interface ContactsState {
	/** The mailbox's default Contacts folder: not listed by GET /contactFolders, it is their parent. */
	rootFolderId: string;
	folders: ContactFolderRecord[];
	/** Insertion order is the listing order. */
	contacts: Map<string, ContactRecord>;
}

export function contactsState(core: EmulatorCore, userId: string): ContactsState {
	return core.moduleState<ContactsState>(userId, MODULE, () => ({
		rootFolderId: core.newId('AAMkAGContactsRoot'),
		folders: [],
		contacts: new Map(),
	}));
}

// ---- the contact's properties (contact.md) -------------------------------------------------------

const STRING_PROPERTIES = [
	'assistantName',
	'businessHomePage',
	'companyName',
	'department',
	'displayName',
	'fileAs',
	'generation',
	'givenName',
	'initials',
	'jobTitle',
	'manager',
	'middleName',
	'mobilePhone',
	'nickName',
	'officeLocation',
	'personalNotes',
	'profession',
	'spouseName',
	'surname',
	'title',
	'yomiCompanyName',
	'yomiGivenName',
	'yomiSurname',
];
const STRING_LIST_PROPERTIES = ['businessPhones', 'homePhones', 'categories', 'children', 'imAddresses'];
const ADDRESS_PROPERTIES = ['businessAddress', 'homeAddress', 'otherAddress'];
const ADDRESS_PARTS = ['street', 'city', 'state', 'countryOrRegion', 'postalCode'];

/** A new contact as Get Contact shows an empty one: `null`, `""`, `[]` or `{}` depending on the property. */
function emptyContact(): Record<string, unknown> {
	const contact: Record<string, unknown> = {};
	for (const name of STRING_PROPERTIES) contact[name] = null;
	contact.fileAs = '';
	contact.personalNotes = '';
	for (const name of STRING_LIST_PROPERTIES) contact[name] = [];
	for (const name of ADDRESS_PROPERTIES) contact[name] = {};
	contact.birthday = null;
	contact.emailAddresses = [];
	return contact;
}

function bodyReadError(message: string): GraphFault {
	return new GraphFault(400, 'RequestBodyRead', message);
}

function literal(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

function asObject(body: unknown): Record<string, unknown> {
	if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
		throw new GraphFault(400, 'BadRequest', 'Empty Payload. JSON content expected.');
	}
	return body as Record<string, unknown>;
}

/** Checks a contact body like Graph's OData reader: unknown properties and wrong types are a 400. */
function parseContactInput(body: unknown): Record<string, unknown> {
	const input = asObject(body);
	const parsed: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(input)) {
		if (key.startsWith('@')) continue;
		if (STRING_PROPERTIES.includes(key)) {
			if (value !== null && typeof value !== 'string') throw bodyReadError(`Cannot convert the literal '${literal(value)}' to the expected type 'Edm.String'.`);
			parsed[key] = value;
		} else if (STRING_LIST_PROPERTIES.includes(key)) {
			if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
				throw bodyReadError(`Cannot convert the literal '${literal(value)}' to the expected type 'Collection(Edm.String)'.`);
			}
			parsed[key] = [...value];
		} else if (ADDRESS_PROPERTIES.includes(key)) {
			parsed[key] = parseAddress(value);
		} else if (key === 'emailAddresses') {
			parsed[key] = parseEmailAddresses(value);
		} else if (key === 'birthday') {
			parsed[key] = parseBirthday(value);
		} else {
			throw bodyReadError(`The property '${key}' does not exist on type 'microsoft.graph.contact'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
		}
	}
	return parsed;
}

function parseAddress(value: unknown): Record<string, string> {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw bodyReadError(`Cannot convert the literal '${literal(value)}' to the expected type 'microsoft.graph.physicalAddress'.`);
	}
	const address: Record<string, string> = {};
	for (const [part, partValue] of Object.entries(value as Record<string, unknown>)) {
		if (!ADDRESS_PARTS.includes(part)) throw bodyReadError(`The property '${part}' does not exist on type 'microsoft.graph.physicalAddress'.`);
		if (typeof partValue !== 'string') throw bodyReadError(`Cannot convert the literal '${literal(partValue)}' to the expected type 'Edm.String'.`);
		address[part] = partValue;
	}
	return address;
}

/**
 * Outlook keeps up to 3 email addresses per contact (Email, Email 2, Email 3); the Graph docs do not say
 * what a 4th does, so the emulator does not refuse it. The Get Contact example shows `name` equal to the
 * address when no name was given: the emulator fills it in the same way.
 */
function parseEmailAddresses(value: unknown): Array<{ name: string; address: string }> {
	if (!Array.isArray(value)) throw bodyReadError(`Cannot convert the literal '${literal(value)}' to the expected type 'Collection(microsoft.graph.emailAddress)'.`);
	return value.map((entry) => {
		if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
			throw bodyReadError(`Cannot convert the literal '${literal(entry)}' to the expected type 'microsoft.graph.emailAddress'.`);
		}
		const { address, name, ...rest } = entry as Record<string, unknown>;
		const unknown = Object.keys(rest).find((key) => !key.startsWith('@'));
		if (unknown) throw bodyReadError(`The property '${unknown}' does not exist on type 'microsoft.graph.emailAddress'.`);
		if (typeof address !== 'string' || (name !== undefined && name !== null && typeof name !== 'string')) {
			throw bodyReadError(`Cannot convert the literal '${literal(entry)}' to the expected type 'microsoft.graph.emailAddress'.`);
		}
		return { name: typeof name === 'string' && name !== '' ? name : address, address };
	});
}

/** DateTimeOffset; the update example sends a date only ("1974-07-22"), read as midnight UTC. */
function parseBirthday(value: unknown): string | null {
	if (value === null) return null;
	const text = typeof value === 'string' ? value.trim() : '';
	const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
	if (!text || Number.isNaN(ms)) throw bodyReadError(`Cannot convert the literal '${literal(value)}' to the expected type 'Edm.DateTimeOffset'.`);
	return graphTimestamp(ms);
}

/** "Alex Wilber" from the given name and surname (contact create docs: displayName is built when not given). */
function derivedDisplayName(contact: Record<string, unknown>): string {
	return [contact.givenName, contact.surname].filter((part) => typeof part === 'string' && part.trim() !== '').join(' ');
}

/** Contact timestamps come in whole seconds: "2017-09-04T15:54:01Z" (contact-get.md). */
function graphTimestamp(epochMs: number): string {
	return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function newChangeKey(): string {
	return randomBytes(12).toString('base64');
}

function render(contact: ContactRecord): Record<string, unknown> {
	return { '@odata.etag': `W/"${String(contact.changeKey)}"`, ...contact };
}

// ---- routes ---------------------------------------------------------------------------------------

function contactsContext(req: GraphRequest, folderId?: string): string {
	const owner = contextOwner(req);
	return folderId ? `${GRAPH_V1}/$metadata#${owner}/contactFolders('${folderId}')/contacts` : `${GRAPH_V1}/$metadata#${owner}/contacts`;
}

/**
 * The default Contacts folder is addressable by its ID (GET /contactFolders/{id}, its contacts, its child folders),
 * though GET /contactFolders does not list it. The docs do not say what its parentFolderId is (in Outlook it is the
 * mailbox's root folder); we give a fixed ID of that root.
 */
function findFolder(state: ContactsState, id: string): ContactFolderRecord {
	if (id === state.rootFolderId) return { id, displayName: 'Contacts', parentFolderId: `${id}-MsgFolderRoot` };
	const folder = state.folders.find((candidate) => candidate.id === id);
	if (!folder) throw itemNotFound();
	return folder;
}

function findContact(state: ContactsState, req: GraphRequest): ContactRecord {
	const contact = state.contacts.get(req.params.contactId);
	if (!contact || (req.params.folderId !== undefined && contact.parentFolderId !== req.params.folderId)) throw itemNotFound();
	return contact;
}

/**
 * user-list-contacts.md: emailAddresses can be filtered only with `any`, `eq` and the `address` sub-property.
 * Graph's answer to anything else is not documented; Exchange answers such filters with
 * 400 ErrorInvalidUrlQueryFilter, which is what the emulator sends.
 */
const EMAIL_FILTER = /emailAddresses\/any\(\s*(\w+)\s*:\s*\1\/address\s+eq\s+'(?:[^']|'')*'\s*\)/gi;

function checkEmailFilter(req: GraphRequest): void {
	const filter = queryOption(req.query, '$filter');
	if (filter === undefined) return;
	if (/emailaddresses/i.test(filter.replace(EMAIL_FILTER, ''))) {
		throw new GraphFault(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
	}
}

/** Subscriptions on me/contacts (or a contact folder's contacts) are notified through the core's change events. */
function emitContactChange(core: EmulatorCore, req: GraphRequest, changeType: ChangeEvent['changeType'], contact: ContactRecord): void {
	core.emitChange({ userId: mailboxUser(req).id, kind: 'contact', changeType, id: contact.id, containerId: contact.parentFolderId });
}

function registerContactRoutes(core: EmulatorCore, route: (method: string, pattern: string, handler: Handler) => void): void {
	const folderOf = (state: ContactsState, req: GraphRequest) =>
		req.params.folderId === undefined ? state.rootFolderId : findFolder(state, req.params.folderId).id;

	const list = (req: GraphRequest): Reply => {
		const state = contactsState(core, mailboxUser(req).id);
		const folderId = folderOf(state, req);
		checkEmailFilter(req);
		const items = [...state.contacts.values()].filter((contact) => contact.parentFolderId === folderId).map(render);
		return listResponse(core, req, items, { ...PAGING, contextUrl: contactsContext(req, req.params.folderId) });
	};
	const create = (req: GraphRequest): Reply => {
		const state = contactsState(core, mailboxUser(req).id);
		const folderId = folderOf(state, req);
		const input = parseContactInput(req.body);
		const now = graphTimestamp(core.now());
		const contact: ContactRecord = {
			id: core.newId('AAMkAGContact'),
			createdDateTime: now,
			lastModifiedDateTime: now,
			changeKey: newChangeKey(),
			parentFolderId: folderId,
			...emptyContact(),
			...input,
		};
		if (input.displayName === undefined || input.displayName === null || input.displayName === '') contact.displayName = derivedDisplayName(contact);
		state.contacts.set(contact.id, contact);
		emitContactChange(core, req, 'created', contact);
		return { status: 201, body: { '@odata.context': `${contactsContext(req, req.params.folderId)}/$entity`, ...render(contact) } };
	};
	const get = (req: GraphRequest): Reply => {
		const contact = findContact(contactsState(core, mailboxUser(req).id), req);
		const entity = selectFields(render(contact), queryOption(req.query, '$select'));
		return { status: 200, body: { '@odata.context': `${contactsContext(req, req.params.folderId)}/$entity`, ...entity } };
	};
	const update = (req: GraphRequest): Reply => {
		const contact = findContact(contactsState(core, mailboxUser(req).id), req);
		const input = parseContactInput(req.body);
		// contact-update.md: changing a name may regenerate displayName; the emulator does so when the
		// display name was the generated one and no new one is given.
		const wasDerived = contact.displayName === derivedDisplayName(contact);
		Object.assign(contact, input);
		if (input.displayName === undefined && wasDerived) contact.displayName = derivedDisplayName(contact);
		contact.lastModifiedDateTime = graphTimestamp(core.now());
		contact.changeKey = newChangeKey();
		emitContactChange(core, req, 'updated', contact);
		return { status: 200, body: { '@odata.context': `${contactsContext(req, req.params.folderId)}/$entity`, ...render(contact) } };
	};
	const remove = (req: GraphRequest): Reply => {
		const state = contactsState(core, mailboxUser(req).id);
		const contact = findContact(state, req);
		state.contacts.delete(contact.id);
		emitContactChange(core, req, 'deleted', contact);
		return { status: 204 };
	};

	for (const prefix of ['', '/contactFolders/:folderId']) {
		route('GET', `${prefix}/contacts`, list);
		route('POST', `${prefix}/contacts`, create);
		route('GET', `${prefix}/contacts/:contactId`, get);
		route('PATCH', `${prefix}/contacts/:contactId`, update);
		route('DELETE', `${prefix}/contacts/:contactId`, remove);
	}
}

function registerFolderRoutes(core: EmulatorCore, route: (method: string, pattern: string, handler: Handler) => void): void {
	const context = (req: GraphRequest, parentId?: string) =>
		parentId ? `${GRAPH_V1}/$metadata#${contextOwner(req)}/contactFolders('${parentId}')/childFolders` : `${GRAPH_V1}/$metadata#${contextOwner(req)}/contactFolders`;
	const parentOf = (state: ContactsState, req: GraphRequest) =>
		req.params.folderId === undefined ? state.rootFolderId : findFolder(state, req.params.folderId).id;

	const list = (req: GraphRequest): Reply => {
		const state = contactsState(core, mailboxUser(req).id);
		const parentId = parentOf(state, req);
		const items = state.folders.filter((folder) => folder.parentFolderId === parentId).map((folder) => ({ ...folder }));
		return listResponse(core, req, items, { ...PAGING, contextUrl: context(req, req.params.folderId) });
	};
	const create = (req: GraphRequest): Reply => {
		const state = contactsState(core, mailboxUser(req).id);
		const parentId = parentOf(state, req);
		const input = asObject(req.body);
		for (const key of Object.keys(input)) {
			if (!key.startsWith('@') && key !== 'displayName' && key !== 'parentFolderId') {
				throw bodyReadError(`The property '${key}' does not exist on type 'microsoft.graph.contactFolder'.`);
			}
		}
		const displayName = input.displayName;
		if (typeof displayName !== 'string' || displayName.trim() === '') {
			throw new GraphFault(400, 'ErrorInvalidParameter', 'The value of the parameter DisplayName is empty.');
		}
		if (state.folders.some((folder) => folder.parentFolderId === parentId && folder.displayName.toLowerCase() === displayName.toLowerCase())) {
			throw new GraphFault(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
		}
		const folder: ContactFolderRecord = { id: core.newId('AAMkAGContactFolder'), displayName, parentFolderId: parentId };
		state.folders.push(folder);
		return { status: 201, body: { '@odata.context': `${context(req, req.params.folderId)}/$entity`, ...folder } };
	};
	const get = (req: GraphRequest): Reply => {
		const folder = findFolder(contactsState(core, mailboxUser(req).id), req.params.folderId);
		return { status: 200, body: { '@odata.context': `${context(req)}/$entity`, ...folder } };
	};

	route('GET', '/contactFolders', list);
	route('POST', '/contactFolders', create);
	route('GET', '/contactFolders/:folderId', get);
	route('GET', '/contactFolders/:folderId/childFolders', list);
	route('POST', '/contactFolders/:folderId/childFolders', create);
}

export function register(core: EmulatorCore): void {
	const route = (method: string, pattern: string, handler: Handler) => core.mailboxRoute(method, pattern, withFaults(core, handler));
	registerContactRoutes(core, route);
	registerFolderRoutes(core, route);
}
