import type { IExecuteSingleFunctions } from 'n8n-workflow';
import { DateTime, IANAZone } from 'luxon';

import { inputError, parseLocalDateTime } from './validation';

/**
 * Time zones as Graph accepts them in dateTimeTimeZone: a Windows name (what the Time Zone list offers) or an
 * IANA name. Checked here so a wrong zone is refused before any request, and mapped to IANA so local times can
 * be turned into instants (window lengths, availability slots) correctly across daylight-saving changes.
 * Windows name -> CLDR primary IANA zone (windowsZones.xml, territory 001), the zones Graph's
 * supportedTimeZones lists; the same table as the emulator's test/emulator/timezones.ts.
 */
const WINDOWS_TO_IANA: ReadonlyArray<readonly [string, string]> = [
	['Dateline Standard Time', 'Etc/GMT+12'],
	['UTC-11', 'Etc/GMT+11'],
	['Aleutian Standard Time', 'America/Adak'],
	['Hawaiian Standard Time', 'Pacific/Honolulu'],
	['Marquesas Standard Time', 'Pacific/Marquesas'],
	['Alaskan Standard Time', 'America/Anchorage'],
	['UTC-09', 'Etc/GMT+9'],
	['Pacific Standard Time (Mexico)', 'America/Tijuana'],
	['UTC-08', 'Etc/GMT+8'],
	['Pacific Standard Time', 'America/Los_Angeles'],
	['US Mountain Standard Time', 'America/Phoenix'],
	['Mountain Standard Time (Mexico)', 'America/Mazatlan'],
	['Mountain Standard Time', 'America/Denver'],
	['Yukon Standard Time', 'America/Whitehorse'],
	['Central America Standard Time', 'America/Guatemala'],
	['Central Standard Time', 'America/Chicago'],
	['Easter Island Standard Time', 'Pacific/Easter'],
	['Central Standard Time (Mexico)', 'America/Mexico_City'],
	['Canada Central Standard Time', 'America/Regina'],
	['SA Pacific Standard Time', 'America/Bogota'],
	['Eastern Standard Time (Mexico)', 'America/Cancun'],
	['Eastern Standard Time', 'America/New_York'],
	['Haiti Standard Time', 'America/Port-au-Prince'],
	['Cuba Standard Time', 'America/Havana'],
	['US Eastern Standard Time', 'America/Indianapolis'],
	['Turks And Caicos Standard Time', 'America/Grand_Turk'],
	['Paraguay Standard Time', 'America/Asuncion'],
	['Atlantic Standard Time', 'America/Halifax'],
	['Venezuela Standard Time', 'America/Caracas'],
	['Central Brazilian Standard Time', 'America/Cuiaba'],
	['SA Western Standard Time', 'America/La_Paz'],
	['Pacific SA Standard Time', 'America/Santiago'],
	['Newfoundland Standard Time', 'America/St_Johns'],
	['Tocantins Standard Time', 'America/Araguaina'],
	['E. South America Standard Time', 'America/Sao_Paulo'],
	['SA Eastern Standard Time', 'America/Cayenne'],
	['Argentina Standard Time', 'America/Buenos_Aires'],
	['Greenland Standard Time', 'America/Godthab'],
	['Montevideo Standard Time', 'America/Montevideo'],
	['Magallanes Standard Time', 'America/Punta_Arenas'],
	['Saint Pierre Standard Time', 'America/Miquelon'],
	['Bahia Standard Time', 'America/Bahia'],
	['UTC-02', 'Etc/GMT+2'],
	['Azores Standard Time', 'Atlantic/Azores'],
	['Cape Verde Standard Time', 'Atlantic/Cape_Verde'],
	['UTC', 'Etc/UTC'],
	['GMT Standard Time', 'Europe/London'],
	['Greenwich Standard Time', 'Atlantic/Reykjavik'],
	['Sao Tome Standard Time', 'Africa/Sao_Tome'],
	['Morocco Standard Time', 'Africa/Casablanca'],
	['W. Europe Standard Time', 'Europe/Berlin'],
	['Central Europe Standard Time', 'Europe/Budapest'],
	['Romance Standard Time', 'Europe/Paris'],
	['Central European Standard Time', 'Europe/Warsaw'],
	['W. Central Africa Standard Time', 'Africa/Lagos'],
	['Jordan Standard Time', 'Asia/Amman'],
	['GTB Standard Time', 'Europe/Bucharest'],
	['Middle East Standard Time', 'Asia/Beirut'],
	['Egypt Standard Time', 'Africa/Cairo'],
	['E. Europe Standard Time', 'Europe/Chisinau'],
	['Syria Standard Time', 'Asia/Damascus'],
	['West Bank Standard Time', 'Asia/Hebron'],
	['South Africa Standard Time', 'Africa/Johannesburg'],
	['FLE Standard Time', 'Europe/Kiev'],
	['Israel Standard Time', 'Asia/Jerusalem'],
	['South Sudan Standard Time', 'Africa/Juba'],
	['Kaliningrad Standard Time', 'Europe/Kaliningrad'],
	['Sudan Standard Time', 'Africa/Khartoum'],
	['Libya Standard Time', 'Africa/Tripoli'],
	['Namibia Standard Time', 'Africa/Windhoek'],
	['Arabic Standard Time', 'Asia/Baghdad'],
	['Turkey Standard Time', 'Europe/Istanbul'],
	['Arab Standard Time', 'Asia/Riyadh'],
	['Belarus Standard Time', 'Europe/Minsk'],
	['Russian Standard Time', 'Europe/Moscow'],
	['E. Africa Standard Time', 'Africa/Nairobi'],
	['Iran Standard Time', 'Asia/Tehran'],
	['Arabian Standard Time', 'Asia/Dubai'],
	['Astrakhan Standard Time', 'Europe/Astrakhan'],
	['Azerbaijan Standard Time', 'Asia/Baku'],
	['Russia Time Zone 3', 'Europe/Samara'],
	['Mauritius Standard Time', 'Indian/Mauritius'],
	['Saratov Standard Time', 'Europe/Saratov'],
	['Georgian Standard Time', 'Asia/Tbilisi'],
	['Volgograd Standard Time', 'Europe/Volgograd'],
	['Caucasus Standard Time', 'Asia/Yerevan'],
	['Afghanistan Standard Time', 'Asia/Kabul'],
	['West Asia Standard Time', 'Asia/Tashkent'],
	['Ekaterinburg Standard Time', 'Asia/Yekaterinburg'],
	['Pakistan Standard Time', 'Asia/Karachi'],
	['Qyzylorda Standard Time', 'Asia/Qyzylorda'],
	['India Standard Time', 'Asia/Calcutta'],
	['Sri Lanka Standard Time', 'Asia/Colombo'],
	['Nepal Standard Time', 'Asia/Katmandu'],
	['Central Asia Standard Time', 'Asia/Bishkek'],
	['Bangladesh Standard Time', 'Asia/Dhaka'],
	['Omsk Standard Time', 'Asia/Omsk'],
	['Myanmar Standard Time', 'Asia/Rangoon'],
	['SE Asia Standard Time', 'Asia/Bangkok'],
	['Altai Standard Time', 'Asia/Barnaul'],
	['W. Mongolia Standard Time', 'Asia/Hovd'],
	['North Asia Standard Time', 'Asia/Krasnoyarsk'],
	['N. Central Asia Standard Time', 'Asia/Novosibirsk'],
	['Tomsk Standard Time', 'Asia/Tomsk'],
	['China Standard Time', 'Asia/Shanghai'],
	['North Asia East Standard Time', 'Asia/Irkutsk'],
	['Singapore Standard Time', 'Asia/Singapore'],
	['W. Australia Standard Time', 'Australia/Perth'],
	['Taipei Standard Time', 'Asia/Taipei'],
	['Ulaanbaatar Standard Time', 'Asia/Ulaanbaatar'],
	['Aus Central W. Standard Time', 'Australia/Eucla'],
	['Transbaikal Standard Time', 'Asia/Chita'],
	['Tokyo Standard Time', 'Asia/Tokyo'],
	['North Korea Standard Time', 'Asia/Pyongyang'],
	['Korea Standard Time', 'Asia/Seoul'],
	['Yakutsk Standard Time', 'Asia/Yakutsk'],
	['Cen. Australia Standard Time', 'Australia/Adelaide'],
	['AUS Central Standard Time', 'Australia/Darwin'],
	['E. Australia Standard Time', 'Australia/Brisbane'],
	['AUS Eastern Standard Time', 'Australia/Sydney'],
	['West Pacific Standard Time', 'Pacific/Port_Moresby'],
	['Tasmania Standard Time', 'Australia/Hobart'],
	['Vladivostok Standard Time', 'Asia/Vladivostok'],
	['Lord Howe Standard Time', 'Australia/Lord_Howe'],
	['Bougainville Standard Time', 'Pacific/Bougainville'],
	['Russia Time Zone 10', 'Asia/Srednekolymsk'],
	['Magadan Standard Time', 'Asia/Magadan'],
	['Norfolk Standard Time', 'Pacific/Norfolk'],
	['Sakhalin Standard Time', 'Asia/Sakhalin'],
	['Central Pacific Standard Time', 'Pacific/Guadalcanal'],
	['Russia Time Zone 11', 'Asia/Kamchatka'],
	['New Zealand Standard Time', 'Pacific/Auckland'],
	['UTC+12', 'Etc/GMT-12'],
	['Fiji Standard Time', 'Pacific/Fiji'],
	['Chatham Islands Standard Time', 'Pacific/Chatham'],
	['UTC+13', 'Etc/GMT-13'],
	['Tonga Standard Time', 'Pacific/Tongatapu'],
	['Samoa Standard Time', 'Pacific/Apia'],
	['Line Islands Standard Time', 'Pacific/Kiritimati'],
];

const IANA_BY_WINDOWS_NAME = new Map(WINDOWS_TO_IANA.map(([windows, iana]) => [windows.toLowerCase(), iana]));

/** The IANA zone for a Windows or IANA name (case-insensitive, as Graph matches them), or undefined. */
export function ianaZoneOf(zone: string): string | undefined {
	const name = zone.trim();
	if (!name) return undefined;
	const windows = IANA_BY_WINDOWS_NAME.get(name.toLowerCase());
	if (windows) return windows;
	return IANAZone.isValidZone(name) ? name : undefined;
}

export interface CheckedTimeZone {
	/** What is sent to Graph (as given, trimmed). */
	name: string;
	iana: string;
}

/** The item's time zone field, refused (naming the field) when Graph would not know it. */
export function checkedTimeZone(ctx: IExecuteSingleFunctions, value: unknown, field: string): CheckedTimeZone {
	const name = String(value ?? '').trim();
	const iana = ianaZoneOf(name);
	if (!iana) {
		throw inputError(
			ctx,
			`${field} "${name}" is not a time zone Microsoft Graph knows`,
			'Choose one from the list, or use a Windows name such as "Pacific Standard Time" or an IANA name such as "America/Los_Angeles".',
		);
	}
	return { name, iana };
}

/** Wall-clock time (ISO without offset) in a zone -> the instant. */
export function localToInstant(localDateTime: string, zone: CheckedTimeZone): DateTime {
	return DateTime.fromISO(localDateTime, { zone: zone.iana });
}

/** An instant -> wall-clock time in the zone, ISO without offset (how Graph writes dateTime). */
export function instantToLocal(instant: DateTime, zone: CheckedTimeZone): string {
	return instant.setZone(zone.iana).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** A validated local date-time in a zone: what Graph gets (dateTimeTimeZone) and the instant it means. */
export interface ZonedDateTime {
	dateTime: string;
	timeZone: string;
	instant: DateTime;
}

/** "Start At"-style field: ISO without offset (refused naming the field otherwise), read in `zone`. */
export function zonedDateTime(
	ctx: IExecuteSingleFunctions,
	value: unknown,
	field: string,
	zone: CheckedTimeZone,
): ZonedDateTime {
	const { dateTime } = parseLocalDateTime(ctx, value, field, zone.name);
	return { dateTime, timeZone: zone.name, instant: localToInstant(dateTime, zone) };
}

/** Graph's dateTimeTimeZone. */
export function toDateTimeTimeZone(value: ZonedDateTime): { dateTime: string; timeZone: string } {
	return { dateTime: value.dateTime, timeZone: value.timeZone };
}

export function assertEndAfterStart(
	ctx: IExecuteSingleFunctions,
	start: ZonedDateTime,
	end: ZonedDateTime,
	fields: { start: string; end: string },
): void {
	if (end.instant.toMillis() <= start.instant.toMillis()) {
		throw inputError(
			ctx,
			`${fields.end} must be after ${fields.start}`,
			`${fields.start} is ${start.dateTime} and ${fields.end} is ${end.dateTime} (${start.timeZone}).`,
		);
	}
}
