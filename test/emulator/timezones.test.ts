import { IANAZone } from 'luxon';
import {
	WINDOWS_TIME_ZONES,
	findWindowsZone,
	formatDateTimeInZone,
	ianaTimeZoneIds,
	isSupportedTimeZone,
	parseDateTimeInZone,
	toIana,
	toWindows,
} from './timezones';

describe('Windows time zone table', () => {
	it('has the ~140 zones Graph lists, each with a unique alias and a valid IANA zone', () => {
		expect(WINDOWS_TIME_ZONES.length).toBeGreaterThanOrEqual(135);
		const aliases = new Set(WINDOWS_TIME_ZONES.map((zone) => zone.alias));
		expect(aliases.size).toBe(WINDOWS_TIME_ZONES.length);
		const invalid = WINDOWS_TIME_ZONES.filter((zone) => !IANAZone.isValidZone(zone.iana));
		expect(invalid).toEqual([]);
	});

	it('includes the common zones with Windows display names', () => {
		const expected: Record<string, [string, string]> = {
			UTC: ['(UTC) Coordinated Universal Time', 'Etc/UTC'],
			'GMT Standard Time': ['(UTC+00:00) Dublin, Edinburgh, Lisbon, London', 'Europe/London'],
			'W. Europe Standard Time': ['(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna', 'Europe/Berlin'],
			'Romance Standard Time': ['(UTC+01:00) Brussels, Copenhagen, Madrid, Paris', 'Europe/Paris'],
			'Central Europe Standard Time': [
				'(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague',
				'Europe/Budapest',
			],
			'Eastern Standard Time': ['(UTC-05:00) Eastern Time (US & Canada)', 'America/New_York'],
			'Central Standard Time': ['(UTC-06:00) Central Time (US & Canada)', 'America/Chicago'],
			'Mountain Standard Time': ['(UTC-07:00) Mountain Time (US & Canada)', 'America/Denver'],
			'Pacific Standard Time': ['(UTC-08:00) Pacific Time (US & Canada)', 'America/Los_Angeles'],
			'India Standard Time': ['(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi', 'Asia/Calcutta'],
			'China Standard Time': ['(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi', 'Asia/Shanghai'],
			'Tokyo Standard Time': ['(UTC+09:00) Osaka, Sapporo, Tokyo', 'Asia/Tokyo'],
			'AUS Eastern Standard Time': ['(UTC+10:00) Canberra, Melbourne, Sydney', 'Australia/Sydney'],
		};
		for (const [alias, [displayName, iana]] of Object.entries(expected)) {
			expect(findWindowsZone(alias)).toEqual({ alias, displayName, iana });
		}
	});

	it('display names carry the offset prefix in order from UTC-12 to UTC+14', () => {
		const offsets = WINDOWS_TIME_ZONES.map((zone) => {
			const match = /^\(UTC(?:([+-])(\d\d):(\d\d))?\)/.exec(zone.displayName);
			expect(match).not.toBeNull();
			if (!match || !match[1]) return 0;
			const minutes = Number(match[2]) * 60 + Number(match[3]);
			return match[1] === '-' ? -minutes : minutes;
		});
		expect(offsets[0]).toBe(-720);
		expect(offsets[offsets.length - 1]).toBe(840);
		expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
	});
});

describe('toIana', () => {
	it('maps Windows names, case-insensitively', () => {
		expect(toIana('Pacific Standard Time')).toBe('America/Los_Angeles');
		expect(toIana('pacific standard time')).toBe('America/Los_Angeles');
		expect(toIana('UTC')).toBe('Etc/UTC');
		expect(toIana('tzone://Microsoft/Utc')).toBe('Etc/UTC');
	});

	it('passes IANA ids through', () => {
		expect(toIana('Europe/Paris')).toBe('Europe/Paris');
		expect(toIana('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
		expect(toIana('Etc/GMT+12')).toBe('Etc/GMT+12');
	});

	it('rejects unknown names', () => {
		expect(toIana('Mars Standard Time')).toBeUndefined();
		expect(toIana('Europe/Atlantis')).toBeUndefined();
		expect(toIana('')).toBeUndefined();
		expect(isSupportedTimeZone('Narnia')).toBe(false);
		expect(isSupportedTimeZone('Tokyo Standard Time')).toBe(true);
	});

	it('finds the Windows zone for a primary IANA zone', () => {
		expect(toWindows('America/New_York')?.alias).toBe('Eastern Standard Time');
		expect(toWindows('Asia/Kolkata')).toBeUndefined();
	});
});

describe('dateTime conversions', () => {
	it('parses wall-clock time in a Windows zone, honouring DST', () => {
		// 15 April 2017 is PDT (UTC-7)
		expect(parseDateTimeInZone('2017-04-15T12:00:00', 'Pacific Standard Time')).toBe(
			Date.UTC(2017, 3, 15, 19, 0, 0),
		);
		// January is PST (UTC-8); 7 fractional digits are accepted
		expect(parseDateTimeInZone('2017-01-15T12:00:00.0000000', 'America/Los_Angeles')).toBe(
			Date.UTC(2017, 0, 15, 20, 0, 0),
		);
	});

	it('lets an explicit offset win over the zone', () => {
		expect(parseDateTimeInZone('2017-04-15T12:00:00Z', 'Tokyo Standard Time')).toBe(Date.UTC(2017, 3, 15, 12));
	});

	it('returns undefined for bad input', () => {
		expect(parseDateTimeInZone('not a date', 'UTC')).toBeUndefined();
		expect(parseDateTimeInZone('2017-04-15T12:00:00', 'Nowhere Standard Time')).toBeUndefined();
	});

	it('formats with 7 fractional digits in the target zone', () => {
		const instant = Date.UTC(2017, 3, 15, 19, 0, 0);
		expect(formatDateTimeInZone(instant, 'UTC')).toBe('2017-04-15T19:00:00.0000000');
		expect(formatDateTimeInZone(instant, 'Pacific Standard Time')).toBe('2017-04-15T12:00:00.0000000');
		expect(formatDateTimeInZone(instant, 'Asia/Calcutta')).toBe('2017-04-16T00:30:00.0000000');
		expect(formatDateTimeInZone(instant, 'Bogus')).toBeUndefined();
	});
});

describe('ianaTimeZoneIds', () => {
	it('lists hundreds of valid ids sorted by offset, starting at UTC-12', () => {
		const ids = ianaTimeZoneIds();
		expect(ids.length).toBeGreaterThan(300);
		expect(ids[0]).toBe('Etc/GMT+12');
		expect(ids).toContain('Europe/Paris');
		expect(ids).toContain('America/Los_Angeles');
		expect(new Set(ids).size).toBe(ids.length);
	});
});
