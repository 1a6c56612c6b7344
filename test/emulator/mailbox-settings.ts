/**
 * Mailbox settings and mail tips (user-get-mailboxsettings.md, user-update-mailboxsettings.md,
 * user-getmailtips.md, mailtips.md, automaticrepliesmailtips.md):
 * - GET /mailboxSettings and each documented sub-path (an object comes back with its own @odata.context, a
 *   string as `{ value }`);
 * - PATCH /mailboxSettings: 200 with the updated properties only; settings cannot be created or deleted;
 * - POST /getMailTips: PascalCase `EmailAddresses` and `MailTipsOptions`, one mailTips per address in order.
 * State per mailbox in `core.moduleState(userId, 'mailboxSettings', …)`.
 */
import { withFaults } from './calendar';
import { GRAPH_V1, GraphFault, contextOwner, mailboxUser } from './calendar-model';
import { TENANT_DOMAIN } from './identity';
import { formatDateTimeInZone, isSupportedTimeZone, parseDateTimeInZone } from './timezones';
import type { EmulatorCore, EmulatorUser, GraphRequest, Reply } from './types';

const MODULE = 'mailboxSettings';

export interface DateTimeTimeZone {
	dateTime: string;
	timeZone: string;
}

export interface AutomaticRepliesSetting {
	status: 'disabled' | 'alwaysEnabled' | 'scheduled';
	externalAudience: 'none' | 'contactsOnly' | 'all';
	scheduledStartDateTime: DateTimeTimeZone;
	scheduledEndDateTime: DateTimeTimeZone;
	internalReplyMessage: string;
	externalReplyMessage: string;
}

export interface MailboxSettings {
	archiveFolder: string;
	timeZone: string;
	automaticRepliesSetting: AutomaticRepliesSetting;
	language: { locale: string; displayName: string };
	workingHours: { daysOfWeek: string[]; startTime: string; endTime: string; timeZone: { name: string } };
	userPurpose: string;
	dateFormat: string;
	timeFormat: string;
	delegateMeetingMessageDeliveryOptions: string;
}

const STATUSES = ['disabled', 'alwaysEnabled', 'scheduled'] as const;
const AUDIENCES = ['none', 'contactsOnly', 'all'] as const;
const DELIVERY_OPTIONS = ['sendToDelegateAndInformationToPrincipal', 'sendToDelegateAndPrincipal', 'sendToDelegateOnly'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
/** The documented sub-paths of GET /mailboxSettings. */
const SUB_PATHS = [
	'automaticRepliesSetting',
	'dateFormat',
	'delegateMeetingMessageDeliveryOptions',
	'language',
	'timeFormat',
	'timeZone',
	'workingHours',
	'userPurpose',
] as const;
/** What PATCH may change (userPurpose and archiveFolder are read-only). */
const WRITABLE = ['automaticRepliesSetting', 'dateFormat', 'delegateMeetingMessageDeliveryOptions', 'language', 'timeFormat', 'timeZone', 'workingHours'];
/** Exchange Online's default maximum message size (36 MB), what mail tips report for a mailbox. */
export const MAX_MESSAGE_SIZE = 37748736;

const LOCALE_NAMES: Record<string, string> = { 'en-US': 'English (United States)', 'en-GB': 'English (United Kingdom)', 'de-DE': 'German (Germany)', 'fr-FR': 'French (France)' };

function defaultSettings(core: EmulatorCore): MailboxSettings {
	const today = Date.UTC(new Date(core.now()).getUTCFullYear(), new Date(core.now()).getUTCMonth(), new Date(core.now()).getUTCDate());
	const utc = (ms: number) => ({ dateTime: formatDateTimeInZone(ms, 'UTC') as string, timeZone: 'UTC' });
	return {
		archiveFolder: core.newId('AAMkAGArchive'),
		timeZone: 'Pacific Standard Time',
		automaticRepliesSetting: {
			status: 'disabled',
			externalAudience: 'all',
			scheduledStartDateTime: utc(today),
			scheduledEndDateTime: utc(today + 24 * 60 * 60 * 1000),
			internalReplyMessage: '',
			externalReplyMessage: '',
		},
		language: { locale: 'en-US', displayName: 'English (United States)' },
		workingHours: {
			daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
			startTime: '08:00:00.0000000',
			endTime: '17:00:00.0000000',
			timeZone: { name: 'Pacific Standard Time' },
		},
		userPurpose: 'user',
		dateFormat: 'M/d/yyyy',
		timeFormat: 'h:mm tt',
		delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
	};
}

export function mailboxSettingsOf(core: EmulatorCore, userId: string): MailboxSettings {
	return core.moduleState<MailboxSettings>(userId, MODULE, () => defaultSettings(core));
}

function context(req: GraphRequest, sub?: string): string {
	return `${GRAPH_V1}/$metadata#${contextOwner(req)}/mailboxSettings${sub ? `/${sub}` : ''}`;
}

// ---- PATCH ----------------------------------------------------------------------------------------

function bodyReadError(message: string): GraphFault {
	return new GraphFault(400, 'RequestBodyRead', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Enum members are matched case-insensitively (the docs' own example sends "Scheduled") and stored camelCase. */
function enumValue<T extends string>(value: unknown, allowed: readonly T[]): T {
	const match = allowed.find((candidate) => typeof value === 'string' && candidate.toLowerCase() === value.toLowerCase());
	if (!match) throw bodyReadError(`Requested value '${String(value)}' was not found.`);
	return match;
}

function invalidTimeZone(): GraphFault {
	return new GraphFault(400, 'InvalidTimeZone', 'Time Zone settings provided are invalid.');
}

/**
 * A dateTimeTimeZone in any zone Graph knows, stored in UTC. The docs do not say which zone the answer uses;
 * their examples answer in UTC, so the emulator converts to UTC.
 */
function utcDateTime(value: unknown): { ms: number; value: DateTimeTimeZone } {
	if (!isObject(value) || typeof value.dateTime !== 'string' || typeof value.timeZone !== 'string') {
		throw bodyReadError(`Cannot convert the literal '${JSON.stringify(value)}' to the expected type 'microsoft.graph.dateTimeTimeZone'.`);
	}
	if (!isSupportedTimeZone(value.timeZone)) throw invalidTimeZone();
	const ms = parseDateTimeInZone(value.dateTime, value.timeZone);
	if (ms === undefined) throw bodyReadError(`Cannot convert the literal '${value.dateTime}' to the expected type 'Edm.DateTimeOffset'.`);
	return { ms, value: { dateTime: formatDateTimeInZone(ms, 'UTC') as string, timeZone: 'UTC' } };
}

const REPLY_KEYS = ['status', 'externalAudience', 'scheduledStartDateTime', 'scheduledEndDateTime', 'internalReplyMessage', 'externalReplyMessage'];

function patchAutomaticReplies(current: AutomaticRepliesSetting, input: unknown): AutomaticRepliesSetting {
	if (!isObject(input)) throw bodyReadError(`Cannot convert the literal '${JSON.stringify(input)}' to the expected type 'microsoft.graph.automaticRepliesSetting'.`);
	const unknown = Object.keys(input).find((key) => !key.startsWith('@') && !REPLY_KEYS.includes(key));
	if (unknown) throw bodyReadError(`The property '${unknown}' does not exist on type 'microsoft.graph.automaticRepliesSetting'.`);
	const next: AutomaticRepliesSetting = { ...current };
	if (input.status !== undefined) next.status = enumValue(input.status, STATUSES);
	if (input.externalAudience !== undefined) next.externalAudience = enumValue(input.externalAudience, AUDIENCES);
	for (const key of ['internalReplyMessage', 'externalReplyMessage'] as const) {
		if (input[key] === undefined) continue;
		if (typeof input[key] !== 'string') throw bodyReadError(`Cannot convert the literal '${JSON.stringify(input[key])}' to the expected type 'Edm.String'.`);
		next[key] = input[key];
	}
	const start = input.scheduledStartDateTime !== undefined ? utcDateTime(input.scheduledStartDateTime) : undefined;
	const end = input.scheduledEndDateTime !== undefined ? utcDateTime(input.scheduledEndDateTime) : undefined;
	if (start) next.scheduledStartDateTime = start.value;
	if (end) next.scheduledEndDateTime = end.value;
	if (next.status === 'scheduled') {
		const startMs = Date.parse(`${next.scheduledStartDateTime.dateTime.slice(0, 23)}Z`);
		const endMs = Date.parse(`${next.scheduledEndDateTime.dateTime.slice(0, 23)}Z`);
		// Not in the docs: Exchange refuses an out-of-office window that ends before it starts.
		if (endMs <= startMs) throw new GraphFault(400, 'ErrorInvalidParameter', 'The end time of the scheduled automatic replies must be after the start time.');
	}
	return next;
}

/** workingHours errors as user-update-mailboxsettings.md lists them. */
function patchWorkingHours(current: MailboxSettings['workingHours'], input: unknown): MailboxSettings['workingHours'] {
	if (!isObject(input)) throw bodyReadError(`Cannot convert the literal '${JSON.stringify(input)}' to the expected type 'microsoft.graph.workingHours'.`);
	const next = { ...current };
	if (input.daysOfWeek !== undefined) {
		if (!Array.isArray(input.daysOfWeek)) throw bodyReadError('Cannot convert the literal to the expected type \'Collection(microsoft.graph.dayOfWeek)\'.');
		next.daysOfWeek = input.daysOfWeek.map((day) => {
			const match = DAYS.find((candidate) => typeof day === 'string' && candidate === day.toLowerCase());
			if (!match) throw new GraphFault(400, 'InvalidArguments', `Requested value '${String(day)}' was not found.`);
			return match;
		});
	}
	for (const key of ['startTime', 'endTime'] as const) {
		if (input[key] === undefined) continue;
		const text = String(input[key]);
		if (!/^\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/.test(text)) throw bodyReadError(`Cannot convert the literal '${text}' to the expected type 'Edm.TimeOfDay'.`);
		next[key] = `${text.slice(0, 8)}.0000000`;
	}
	if (next.startTime > next.endTime) throw new GraphFault(400, 'ErrorInvalidTimeSettings', 'Start Time should occur before End Time.');
	if (input.timeZone !== undefined) {
		const name = isObject(input.timeZone) ? input.timeZone.name : undefined;
		if (typeof name !== 'string' || !isSupportedTimeZone(name)) throw invalidTimeZone();
		next.timeZone = { name };
	}
	return next;
}

function patchSettings(settings: MailboxSettings, body: unknown): Record<string, unknown> {
	if (!isObject(body)) throw new GraphFault(400, 'BadRequest', 'Empty Payload. JSON content expected.');
	const next: MailboxSettings = { ...settings };
	const changed: string[] = [];
	for (const [key, value] of Object.entries(body)) {
		if (key.startsWith('@')) continue;
		if (!WRITABLE.includes(key)) {
			throw bodyReadError(`The property '${key}' does not exist on type 'microsoft.graph.mailboxSettings' or is read-only.`);
		}
		changed.push(key);
		if (key === 'automaticRepliesSetting') next.automaticRepliesSetting = patchAutomaticReplies(settings.automaticRepliesSetting, value);
		else if (key === 'workingHours') next.workingHours = patchWorkingHours(settings.workingHours, value);
		else if (key === 'timeZone') {
			if (typeof value !== 'string' || !isSupportedTimeZone(value)) throw invalidTimeZone();
			next.timeZone = value;
		} else if (key === 'language') {
			const locale = isObject(value) ? value.locale : undefined;
			if (typeof locale !== 'string' || !/^[a-z]{2,3}-[A-Z]{2}$/.test(locale)) throw bodyReadError(`Cannot convert the literal '${JSON.stringify(value)}' to the expected type 'microsoft.graph.localeInfo'.`);
			next.language = { locale, displayName: LOCALE_NAMES[locale] ?? locale };
		} else if (key === 'delegateMeetingMessageDeliveryOptions') {
			next.delegateMeetingMessageDeliveryOptions = enumValue(value, DELIVERY_OPTIONS);
		} else {
			if (typeof value !== 'string') throw bodyReadError(`Cannot convert the literal '${JSON.stringify(value)}' to the expected type 'Edm.String'.`);
			(next as unknown as Record<string, unknown>)[key] = value;
		}
	}
	Object.assign(settings, next);
	return Object.fromEntries(changed.map((key) => [key, (settings as unknown as Record<string, unknown>)[key]]));
}

// ---- mail tips -------------------------------------------------------------------------------------

const MAIL_TIPS_OPTIONS = [
	'automaticReplies',
	'customMailTip',
	'deliveryRestriction',
	'externalMemberCount',
	'mailboxFullStatus',
	'maxMessageSize',
	'moderationStatus',
	'recipientScope',
	'recipientSuggestions',
	'totalMemberCount',
];

/**
 * The action's parameters. The docs name them in PascalCase (EmailAddresses, MailTipsOptions); Graph binds
 * action parameters case-insensitively (the SDKs send camelCase), so both are read.
 */
function parameter(body: Record<string, unknown>, name: string): unknown {
	const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : body[key];
}

function parseMailTipsRequest(body: unknown): { addresses: string[]; options: Set<string> } {
	if (!isObject(body)) throw new GraphFault(400, 'BadRequest', 'Empty Payload. JSON content expected.');
	const addresses = parameter(body, 'EmailAddresses');
	const options = parameter(body, 'MailTipsOptions');
	// Neither parameter is marked required in the docs; a mail tips request without them has nothing to answer.
	if (!Array.isArray(addresses) || addresses.some((address) => typeof address !== 'string')) {
		throw bodyReadError("Cannot convert the literal to the expected type 'Collection(Edm.String)' for the parameter 'EmailAddresses'.");
	}
	if (typeof options !== 'string') throw bodyReadError("The parameter 'MailTipsOptions' is missing or not a string.");
	const wanted = new Set<string>();
	for (const flag of options.split(',').map((part) => part.trim()).filter(Boolean)) wanted.add(enumValue(flag, MAIL_TIPS_OPTIONS));
	return { addresses: addresses as string[], options: wanted };
}

function isActive(setting: AutomaticRepliesSetting, now: number): boolean {
	if (setting.status === 'alwaysEnabled') return true;
	if (setting.status !== 'scheduled') return false;
	const start = Date.parse(`${setting.scheduledStartDateTime.dateTime.slice(0, 23)}Z`);
	const end = Date.parse(`${setting.scheduledEndDateTime.dateTime.slice(0, 23)}Z`);
	return start <= now && now < end;
}

/**
 * automaticRepliesMailTips: the reply the sender would get (internal message inside the organization), with
 * `scheduledStartTime`/`scheduledEndTime` (not …DateTime) for a scheduled reply; `{ message: '' }` when the
 * recipient has none (user-getmailtips.md example).
 */
function automaticReplies(core: EmulatorCore, recipient: EmulatorUser | undefined, senderIsInternal: boolean): Record<string, unknown> {
	if (!recipient) return { message: '' };
	const settings = mailboxSettingsOf(core, recipient.id);
	const setting = settings.automaticRepliesSetting;
	if (!isActive(setting, core.now())) return { message: '' };
	const tip: Record<string, unknown> = {
		message: senderIsInternal ? setting.internalReplyMessage : setting.externalReplyMessage,
		messageLanguage: { ...settings.language },
	};
	if (setting.status === 'scheduled') {
		tip.scheduledStartTime = { ...setting.scheduledStartDateTime };
		tip.scheduledEndTime = { ...setting.scheduledEndDateTime };
	}
	return tip;
}

/** The tenant's domains: its onmicrosoft.com domain and the domains of its users' addresses. */
function isInternal(core: EmulatorCore, address: string): boolean {
	const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
	const domains = new Set([TENANT_DOMAIN.toLowerCase(), ...[...core.users.values()].map((user) => user.mail.slice(user.mail.lastIndexOf('@') + 1).toLowerCase())]);
	return domains.has(domain);
}

/**
 * One mailTips per address, in request order, with only the requested tips. The docs' example is truncated;
 * what an address that is not an SMTP address gets is not documented: the emulator answers it with the
 * mailTips `error` property (mailtipserror.md: message + code).
 */
function mailTips(core: EmulatorCore, sender: EmulatorUser, address: string, options: Set<string>): Record<string, unknown> {
	const tips: Record<string, unknown> = { emailAddress: { name: '', address } };
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
		tips.error = { message: 'The recipient address is not valid.', code: 'InvalidRecipient' };
		return tips;
	}
	const recipient = core.findUser(address);
	const internal = isInternal(core, address);
	if (options.has('automaticReplies')) tips.automaticReplies = automaticReplies(core, recipient, isInternal(core, sender.mail));
	if (options.has('mailboxFullStatus')) tips.mailboxFull = false;
	if (options.has('customMailTip') && recipient) tips.customMailTip = '';
	if (options.has('deliveryRestriction')) tips.deliveryRestricted = false;
	if (options.has('externalMemberCount')) tips.externalMemberCount = 0;
	if (options.has('totalMemberCount')) tips.totalMemberCount = recipient ? 1 : 0;
	if (options.has('maxMessageSize')) tips.maxMessageSize = MAX_MESSAGE_SIZE;
	if (options.has('moderationStatus')) tips.isModerated = false;
	if (options.has('recipientScope')) tips.recipientScope = internal ? 'internal' : 'external';
	if (options.has('recipientSuggestions')) tips.recipientSuggestions = [];
	return tips;
}

// ---- routes ----------------------------------------------------------------------------------------

export function register(core: EmulatorCore): void {
	const route = (method: string, pattern: string, handler: (req: GraphRequest) => Reply) => core.mailboxRoute(method, pattern, withFaults(core, handler));

	route('GET', '/mailboxSettings', (req) => ({
		status: 200,
		body: { '@odata.context': context(req), ...structuredClone(mailboxSettingsOf(core, mailboxUser(req).id)) },
	}));
	for (const sub of SUB_PATHS) {
		route('GET', `/mailboxSettings/${sub}`, (req) => {
			const value = structuredClone(mailboxSettingsOf(core, mailboxUser(req).id)[sub]);
			const body = isObject(value) ? { '@odata.context': context(req, sub), ...value } : { '@odata.context': context(req, sub), value };
			return { status: 200, body };
		});
	}
	route('PATCH', '/mailboxSettings', (req) => {
		const updated = patchSettings(mailboxSettingsOf(core, mailboxUser(req).id), req.body);
		return { status: 200, body: { '@odata.context': context(req), ...structuredClone(updated) } };
	});
	route('POST', '/getMailTips', (req) => {
		const sender = mailboxUser(req);
		const request = parseMailTipsRequest(req.body);
		return {
			status: 200,
			body: {
				'@odata.context': `${GRAPH_V1}/$metadata#Collection(microsoft.graph.mailTips)`,
				value: request.addresses.map((address) => mailTips(core, sender, address, request.options)),
			},
		};
	});
}
