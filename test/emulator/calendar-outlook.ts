/**
 * `GET /outlook/supportedLanguages` and `GET /outlook/supportedTimeZones` (Windows by default, IANA via the
 * `TimeZoneStandard` function parameter in any of the URL spellings clients use).
 */
import { GRAPH_V1 } from './calendar-model';
import { WINDOWS_TIME_ZONES, ianaTimeZoneIds } from './timezones';
import type { EmulatorCore, Handler } from './types';

/** Locales with their names in their own language, as Graph lists them. */
const SUPPORTED_LANGUAGES: ReadonlyArray<readonly [string, string]> = [
	['af-ZA', 'Afrikaans (Suid-Afrika)'],
	['en-US', 'English (United States)'],
	['en-CA', 'English (Canada)'],
	['en-GB', 'English (United Kingdom)'],
	['en-AU', 'English (Australia)'],
	['ar-SA', 'العربية (المملكة العربية السعودية)'],
	['cs-CZ', 'čeština (Česko)'],
	['da-DK', 'dansk (Danmark)'],
	['de-DE', 'Deutsch (Deutschland)'],
	['el-GR', 'Ελληνικά (Ελλάδα)'],
	['es-ES', 'español (España, alfabetización internacional)'],
	['es-MX', 'español (México)'],
	['fi-FI', 'suomi (Suomi)'],
	['fr-FR', 'français (France)'],
	['fr-CA', 'français (Canada)'],
	['he-IL', 'עברית (ישראל)'],
	['hi-IN', 'हिंदी (भारत)'],
	['hu-HU', 'magyar (Magyarország)'],
	['it-IT', 'italiano (Italia)'],
	['ja-JP', '日本語 (日本)'],
	['ko-KR', '한국어(대한민국)'],
	['nb-NO', 'norsk bokmål (Norge)'],
	['nl-NL', 'Nederlands (Nederland)'],
	['pl-PL', 'polski (Polska)'],
	['pt-BR', 'português (Brasil)'],
	['pt-PT', 'português (Portugal)'],
	['ru-RU', 'русский (Россия)'],
	['sv-SE', 'svenska (Sverige)'],
	['tr-TR', 'Türkçe (Türkiye)'],
	['uk-UA', 'українська (Україна)'],
	['zh-CN', '中文(中华人民共和国)'],
	['zh-TW', '中文(台灣)'],
];

export function supportedLanguages(): Record<string, unknown> {
	return {
		'@odata.context': `${GRAPH_V1}/$metadata#Collection(microsoft.graph.localeInfo)`,
		value: SUPPORTED_LANGUAGES.map(([locale, displayName]) => ({ locale, displayName })),
	};
}

export function supportedTimeZones(standard: 'windows' | 'iana'): Record<string, unknown> {
	const value =
		standard === 'iana'
			? ianaTimeZoneIds().map((id) => ({ alias: id, displayName: id }))
			: WINDOWS_TIME_ZONES.map((zone) => ({ alias: zone.alias, displayName: zone.displayName }));
	return { '@odata.context': `${GRAPH_V1}/$metadata#Collection(microsoft.graph.timeZoneInformation)`, value };
}

/**
 * Every spelling of the function call, as one path segment (the router keeps it whole): the docs'
 * `supportedTimeZones(TimeZoneStandard=microsoft.graph.timeZoneStandard'Iana')`, the short
 * `supportedTimeZones(TimeZoneStandard='Iana')`, and the Kiota SDKs' namespace-qualified forms.
 * Literal segments match case-insensitively.
 */
export function timeZoneRouteSegments(): Array<{ segment: string; standard: 'windows' | 'iana' }> {
	const routes: Array<{ segment: string; standard: 'windows' | 'iana' }> = [];
	for (const name of ['supportedTimeZones', 'microsoft.graph.supportedTimeZones']) {
		routes.push({ segment: name, standard: 'windows' }, { segment: `${name}()`, standard: 'windows' });
		for (const [value, standard] of [
			['Iana', 'iana'],
			['Windows', 'windows'],
		] as const) {
			routes.push(
				{ segment: `${name}(TimeZoneStandard=microsoft.graph.timeZoneStandard'${value}')`, standard },
				{ segment: `${name}(TimeZoneStandard='${value}')`, standard },
			);
		}
	}
	return routes;
}

export function registerOutlookRoutes(core: EmulatorCore, wrap: (handler: Handler) => Handler): void {
	for (const segment of ['supportedLanguages', 'supportedLanguages()']) {
		for (const name of [segment, `microsoft.graph.${segment}`]) {
			core.mailboxRoute('GET', `/outlook/${name}`, wrap(() => ({ status: 200, body: supportedLanguages() })));
		}
	}
	for (const { segment, standard } of timeZoneRouteSegments()) {
		core.mailboxRoute('GET', `/outlook/${segment}`, wrap(() => ({ status: 200, body: supportedTimeZones(standard) })));
	}
}
