import type { IDataObject } from 'n8n-workflow';

import { settingsError, type TriggerContext, type Watch } from '../common';
import { DEFAULT_BINARY_PROPERTY_PREFIX } from '../../shared/mime';
import { DEFAULT_SUBSCRIPTION_MINUTES, checkedChangeTypeList, graphIdProblem, subscriptionResource, type ChangeType } from '../../shared/subscriptions';
import { resolveTarget, type GraphTarget } from '../../shared/transport/request';
import { DEFAULT_DUPLICATE_WINDOW_SECONDS } from '../delivery/dedupe';
import { CALENDAR_EVENTS, CONTACT_EVENTS, MAIL_EVENTS, type TriggerEvent } from './description';
import { redisFromUrl, type RedisSettings } from '../delivery/sharedClaims';
import { graphFilterOf, readFilters, type ClientFilter, type GraphFilterValues } from './filters';

export type OutputMode = 'resource' | 'simple' | 'fields' | 'notification' | 'mime';

/** Everything the trigger needs from its parameters, checked once. */
export interface TriggerSettings {
	/** The Trigger On preset (version 2), or 'v1' (Watch + Change Types). */
	event: TriggerEvent | 'v1';
	watch: Watch;
	target: GraphTarget;
	/** The subscription's `resource`, e.g. `me/mailFolders('inbox')/messages`. */
	resource: string;
	/** Comma-separated, Graph's format: `created,updated`. */
	changeType: string;
	output: OutputMode;
	/** Selected Fields output: the properties to fetch (id first). */
	fields?: string[];
	/** Mail: the message's file attachments as binary data (up to maxAttachmentBytes each). */
	includeAttachments: boolean;
	maxAttachmentBytes: number;
	binaryPropertyPrefix: string;
	includeRawEmail: boolean;
	duplicateWindowSeconds: number;
	/** What the node checks on the fetched item before a run starts (what Graph's $filter cannot do). */
	clientFilter: ClientFilter;
	/** The filter Graph applies, as values: a resync (delta query) applies it here. */
	graphFilter: GraphFilterValues;
	/** Recover changes no notification delivered with delta query (resync/deltaResync.ts). */
	resync: boolean;
	/**
	 * `/me/mailFolders/{id}/messages/delta`, a calendarView delta path or `/me/contactFolders/{id}/contacts/delta`;
	 * empty for the default Contacts folder, whose ID the resync looks up (resync/deltaResync.ts).
	 */
	deltaPath: string;
	maxResyncItems: number;
	/** Graph sends the item itself, encrypted (includeResourceData): no fetch per notification. */
	richNotifications: boolean;
	/** Rich notifications: the properties they carry, so a fetched Full Item (resync) holds the same. */
	richSelect?: string;
	/** Redis where every n8n process claims each change (queue mode with several webhook processes). */
	sharedDuplicateStore?: RedisSettings;
	/** false for Upcoming Event Starting Soon: Graph pushes nothing for it; trigger() reads the calendar (polling/upcomingEvents.ts). */
	subscribes: boolean;
	/** Upcoming Event Starting Soon: how long before the start a run starts. */
	minutesBefore: number;
	/** Subscription lifetime to ask for (rich notifications: at most a day). */
	lifetimeMinutes: number;
}

/** Outlook allows rich notifications for at most 1,440 minutes; a little less absorbs clock skew. */
export const RICH_LIFETIME_MINUTES = 1_430;

/** What rich notifications carry: the useful properties Graph allows in $select (no bodies). */
const RICH_SELECT: Record<Watch, string> = {
	messages:
		'id,subject,bodyPreview,from,sender,toRecipients,ccRecipients,replyTo,receivedDateTime,sentDateTime,createdDateTime,lastModifiedDateTime,hasAttachments,importance,isRead,isDraft,flag,categories,conversationId,internetMessageId,parentFolderId,webLink',
	events:
		'id,subject,bodyPreview,start,end,isAllDay,location,locations,organizer,attendees,showAs,isCancelled,isOnlineMeeting,onlineMeeting,importance,sensitivity,categories,type,seriesMasterId,createdDateTime,lastModifiedDateTime,webLink',
	contacts:
		'id,displayName,givenName,middleName,surname,nickName,title,emailAddresses,imAddresses,businessPhones,homePhones,mobilePhone,companyName,department,jobTitle,officeLocation,businessAddress,homeAddress,otherAddress,birthday,categories,parentFolderId,createdDateTime,lastModifiedDateTime',
};

export const DEFAULT_MAX_RESYNC_ITEMS = 500;
export const DEFAULT_MAX_ATTACHMENT_MB = 25;

function minutesBefore(ctx: TriggerContext, event: TriggerEvent | 'v1'): number {
	if (event !== 'eventStartingSoon') return 0;
	const minutes = Number(ctx.getNodeParameter('minutesBefore', 15));
	if (!Number.isFinite(minutes) || minutes < 1 || minutes > 10080) {
		throw settingsError(ctx, `Minutes Before Start is ${String(minutes)}`, 'Give a number of minutes from 1 to 10,080 (a week).');
	}
	return minutes;
}

function sharedStore(ctx: TriggerContext, value: unknown): RedisSettings | undefined {
	const url = String(value ?? '').trim();
	if (!url) return undefined;
	const redis = redisFromUrl(url);
	if (!redis) {
		throw settingsError(ctx, 'Shared Duplicate Store is not a Redis URL', 'Give redis://host:6379/0 (or rediss:// for TLS), for example the Redis your n8n queue mode uses.');
	}
	return redis;
}

function checkedChangeTypes(ctx: TriggerContext): ChangeType[] {
	const checked = checkedChangeTypeList(ctx.getNodeParameter('changeTypes', ['created']));
	if ('invalid' in checked) throw settingsError(ctx, `Change Types contains "${checked.invalid.slice(0, 40)}"`, 'Choose from Created, Updated and Deleted.');
	if ('empty' in checked) throw settingsError(ctx, 'Change Types is empty', 'Choose at least one of Created, Updated and Deleted.');
	return checked.types;
}

/** An ID from a resource locator: present and without white space (Graph IDs never contain any). */
function checkedLocatorId(ctx: TriggerContext, name: string, field: string, hint: string): string {
	const id = String(ctx.getNodeParameter(name, '', { extractValue: true }) ?? '').trim();
	const problem = graphIdProblem(id);
	if (problem === 'empty') throw settingsError(ctx, `${field} is empty`, hint);
	if (problem) throw settingsError(ctx, `${field} "${id.slice(0, 60)}" is not an ID`, `IDs contain no spaces. ${hint}`);
	return id;
}

/** `me/calendars('{id}')/events`. */
export function calendarEventsResource(mailboxPrefix: string, calendarId: string): string {
	return subscriptionResource(mailboxPrefix, { kind: 'calendar', calendarId });
}

/**
 * `me/contacts` or `me/contactFolders('{id}')/contacts`, with the delta query path of the same folder. Delta
 * query exists per contact folder only (contact-delta.md); the default folder's ID is looked up by the resync,
 * so its path is left empty.
 */
export function contactsWatched(mailboxPrefix: string, folderId: string | undefined): { resource: string; deltaPath: string } {
	if (folderId === undefined) return { resource: subscriptionResource(mailboxPrefix, { kind: 'contacts' }), deltaPath: '' };
	return {
		resource: subscriptionResource(mailboxPrefix, { kind: 'contactFolder', folderId }),
		deltaPath: `/me/contactFolders/${encodeURIComponent(folderId)}/contacts/delta`,
	};
}

function watchedContacts(ctx: TriggerContext, target: GraphTarget): { resource: string; deltaPath: string } {
	if (ctx.getNodeParameter('contactFolderScope', 'default') !== 'one') return contactsWatched(target.mailboxPrefix, undefined);
	return contactsWatched(target.mailboxPrefix, checkedLocatorId(ctx, 'contactFolderId', 'Folder', 'Pick a contact folder from the list or give its ID.'));
}

/** The subscription resource and the delta query path (resync/deltaResync.ts) of what is watched. */
function watched(ctx: TriggerContext, watch: Watch, target: GraphTarget): { resource: string; deltaPath: string } {
	if (watch === 'contacts') return watchedContacts(ctx, target);
	if (watch === 'messages') {
		const folderId = checkedLocatorId(ctx, 'folderId', 'Mail Folder', 'Pick a folder from the list, or give its ID or a well-known name such as "inbox".');
		return {
			resource: subscriptionResource(target.mailboxPrefix, { kind: 'mailFolder', folderId }),
			deltaPath: `/me/mailFolders/${encodeURIComponent(folderId)}/messages/delta`,
		};
	}
	// Delta query covers the primary calendar (v1.0) or one calendar.
	if (ctx.getNodeParameter('calendarScope', 'all') !== 'one') {
		return { resource: subscriptionResource(target.mailboxPrefix, { kind: 'events' }), deltaPath: '/me/calendarView/delta' };
	}
	const calendarId = checkedLocatorId(ctx, 'calendarId', 'Calendar', 'Pick a calendar from the list or give its ID.');
	return {
		resource: calendarEventsResource(target.mailboxPrefix, calendarId),
		deltaPath: `/me/calendars/${encodeURIComponent(calendarId)}/calendarView/delta`,
	};
}

function checkedOutput(ctx: TriggerContext, watch: Watch): OutputMode {
	const output = String(ctx.getNodeParameter('output', 'resource'));
	if (output === 'notification') return 'notification';
	if (watch === 'contacts' && output !== 'resource') {
		throw settingsError(ctx, `Output "${output.slice(0, 40)}" cannot be used with contacts`, 'Choose Full Item (the contact as Microsoft Graph gives it) or Notification Only.');
	}
	// Parsed MIME, Simple and Selected Fields exist for messages only; an events trigger falls back to the full item.
	if ((output === 'mime' || output === 'simple' || output === 'fields') && watch === 'messages') return output;
	return 'resource';
}

/** Selected Fields: a comma-separated list of property names (id always included). */
function checkedFields(ctx: TriggerContext, output: OutputMode): string[] | undefined {
	if (output !== 'fields') return undefined;
	const fields = String(ctx.getNodeParameter('fields', '') ?? '')
		.split(',')
		.map((field) => field.trim())
		.filter(Boolean);
	const bad = fields.find((field) => !/^[A-Za-z][A-Za-z0-9]*$/.test(field));
	if (bad !== undefined) throw settingsError(ctx, `Fields contains "${bad.slice(0, 40)}", which is not a property name`, 'Give message property names separated by commas, for example subject,from,receivedDateTime.');
	if (fields.length === 0) throw settingsError(ctx, 'Fields is empty', 'Give the message properties to output, for example subject,from,receivedDateTime.');
	return ['id', ...fields.filter((field) => field !== 'id')];
}

/** Change types each preset subscribes to; undefined = the Change Types parameter. */
const PRESET_CHANGE_TYPES: Partial<Record<TriggerEvent, ChangeType[]>> = {
	newMail: ['created'],
	newMailShared: ['created'],
	// Flagging is an update; a flagged message created elsewhere (moved in) is a create.
	mailFlagged: ['created', 'updated'],
	mailMentioningMe: ['created'],
	eventCreated: ['created'],
	eventUpdated: ['updated'],
	eventDeleted: ['deleted'],
	// Needs no subscription (polling/upcomingEvents.ts); kept for a complete settings object.
	eventStartingSoon: ['updated'],
	contactCreated: ['created'],
	contactUpdated: ['updated'],
	contactDeleted: ['deleted'],
};

function triggerEventOf(ctx: TriggerContext): TriggerEvent | 'v1' {
	if (ctx.getNode().typeVersion < 2) return 'v1';
	const event = String(ctx.getNodeParameter('event', 'newMail')) as TriggerEvent;
	if (![...MAIL_EVENTS, ...CALENDAR_EVENTS, ...CONTACT_EVENTS].includes(event as never)) {
		throw settingsError(ctx, `Trigger On "${String(event).slice(0, 40)}" is not known`, 'Choose one of the Trigger On options.');
	}
	return event;
}

function watchOf(ctx: TriggerContext, event: TriggerEvent | 'v1'): Watch {
	if (event === 'v1') return ctx.getNodeParameter('watch', 'messages') === 'events' ? 'events' : 'messages';
	if ((CONTACT_EVENTS as readonly string[]).includes(event)) return 'contacts';
	return (MAIL_EVENTS as readonly string[]).includes(event) ? 'messages' : 'events';
}

export async function readSettings(ctx: TriggerContext): Promise<TriggerSettings> {
	const event = triggerEventOf(ctx);
	const watch = watchOf(ctx, event);
	const output = checkedOutput(ctx, watch);
	const mailbox = String(ctx.getNodeParameter('mailbox', '') ?? '').trim();
	if (event === 'newMailShared' && !mailbox) {
		throw settingsError(ctx, 'Mailbox is empty', 'New Mail in Shared Mailbox needs the shared mailbox: its email address, user principal name or object ID.');
	}
	const target = await resolveTarget(ctx, { authentication: String(ctx.getNodeParameter('authentication', 'oAuth2')), mailbox });
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const window = Number(options.duplicateWindowSeconds ?? DEFAULT_DUPLICATE_WINDOW_SECONDS);
	const filters = readFilters(ctx, event, watch);
	const graphFilter = graphFilterOf(filters);
	const { resource, deltaPath } = watched(ctx, watch, target);
	const maxResync = Number(options.maxResyncItems ?? DEFAULT_MAX_RESYNC_ITEMS);
	const rich = event !== 'v1' && options.richNotifications === true;
	if (rich && event === 'mailMentioningMe') {
		throw settingsError(ctx, 'Rich Notifications cannot be used with Mail Mentioning Me', 'Graph does not put message bodies into rich notifications, and the @mention is in the body. Turn Rich Notifications off.');
	}
	// Rich notifications carry only $select-ed properties (Graph requires $select; bodies are not allowed).
	const query = [...(rich ? [`$select=${RICH_SELECT[watch]}`] : []), ...(graphFilter ? [`$filter=${graphFilter}`] : [])];
	return {
		event,
		watch,
		target,
		// Graph applies the filter before it notifies (and reports items entering/leaving it as created/deleted).
		resource: query.length > 0 ? `${resource}?${query.join('&')}` : resource,
		changeType: (event !== 'v1' && PRESET_CHANGE_TYPES[event] ? PRESET_CHANGE_TYPES[event]! : checkedChangeTypes(ctx)).join(','),
		output,
		fields: checkedFields(ctx, output),
		includeAttachments: watch === 'messages' && output !== 'mime' && output !== 'notification' && options.includeAttachments === true,
		maxAttachmentBytes: Math.max(0, Number(options.maxAttachmentSizeMb ?? DEFAULT_MAX_ATTACHMENT_MB)) * 1024 * 1024,
		binaryPropertyPrefix: String(options.binaryPropertyPrefix ?? '').trim() || DEFAULT_BINARY_PROPERTY_PREFIX,
		includeRawEmail: options.includeRawEmail === true,
		duplicateWindowSeconds: Number.isFinite(window) && window > 0 ? window : 0,
		clientFilter: { ...filters.client, flagged: event === 'mailFlagged', mentionsMailbox: event === 'mailMentioningMe' },
		graphFilter: filters.values,
		// Version 1 keeps its behaviour: a `missed` event is output as one item, nothing is resynced.
		resync: event !== 'v1' && event !== 'eventStartingSoon',
		deltaPath,
		maxResyncItems: Number.isInteger(maxResync) && maxResync > 0 ? maxResync : DEFAULT_MAX_RESYNC_ITEMS,
		richNotifications: rich && event !== 'eventStartingSoon',
		richSelect: rich ? RICH_SELECT[watch] : undefined,
		subscribes: event !== 'eventStartingSoon',
		minutesBefore: minutesBefore(ctx, event),
		sharedDuplicateStore: sharedStore(ctx, options.sharedDuplicateStore),
		lifetimeMinutes: rich ? RICH_LIFETIME_MINUTES : DEFAULT_SUBSCRIPTION_MINUTES,
	};
}
