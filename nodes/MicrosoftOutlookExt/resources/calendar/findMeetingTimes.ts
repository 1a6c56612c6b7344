import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestNeeds } from '../../shared/descriptions';
import { optionsCollection, periodFields } from '../../shared/fields';
import { isAppOnly, credentialTypeFor } from '../../shared/transport/credentials';
import { inputError, parseAddressList } from '../../shared/validation';
import { outputTimeZoneOption, withTimeZonePreference } from '../event/fields';
import { roomLocator, selectedRoom } from '../room/locator';
import { assertEndAfterStart, checkedTimeZone, toDateTimeTimeZone, zonedDateTime } from '../../shared/timeZones';

const showOnlyForFindMeetingTimes = { resource: ['calendar'], operation: ['findMeetingTimes'] };

const MAX_DURATION_MINUTES = 24 * 60;

/** meetingTimeSuggestionsResult.emptySuggestionsReason, in words (meetingtimesuggestionsresult.md). */
export const EMPTY_SUGGESTIONS_REASONS: Record<string, string> = {
	attendeesUnavailable:
		'Not enough attendees are free at any time in the window to reach the minimum attendee percentage (50% unless set).',
	attendeesUnavailableOrUnknown:
		'Some attendees have unknown availability (for example outside the organization), so no time reaches the minimum attendee percentage.',
	locationsUnavailable: 'The location or room is required, but it is not free at any suggested time.',
	organizerUnavailable: 'The organizer is busy during the whole window (and Is Organizer Optional is off).',
	unknown: 'Microsoft Graph did not say why no time was found.',
};

function durationMinutes(ctx: IExecuteSingleFunctions): number {
	const raw = ctx.getNodeParameter('meetingDuration', 30);
	const minutes = Number(raw);
	if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_DURATION_MINUTES) {
		throw inputError(ctx, `Meeting Duration must be a whole number of minutes from 1 to ${MAX_DURATION_MINUTES}`, `It is ${String(raw)}. Example: 60 for one hour.`);
	}
	return minutes;
}

function attendeeList(ctx: IExecuteSingleFunctions): IDataObject[] {
	const required = parseAddressList(ctx, ctx.getNodeParameter('requiredAttendees', ''), 'Required Attendees');
	const optional = parseAddressList(ctx, ctx.getNodeParameter('optionalAttendees', ''), 'Optional Attendees');
	return [
		...required.map((address) => ({ type: 'required', emailAddress: { address } })),
		...optional.map((address) => ({ type: 'optional', emailAddress: { address } })),
	];
}

function locationConstraint(ctx: IExecuteSingleFunctions, options: IDataObject): IDataObject | undefined {
	const room = selectedRoom(ctx, 'room', 'Room');
	const place = String(options.location ?? '').trim();
	const locations: IDataObject[] = [];
	if (room) locations.push({ displayName: room.name, locationEmailAddress: room.address, resolveAvailability: true });
	if (place) locations.push({ displayName: place, resolveAvailability: false });
	if (locations.length === 0) return undefined;
	return { isRequired: options.locationRequired !== false, suggestLocation: false, locations };
}

export async function prepareFindMeetingTimes(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const authentication = this.getNodeParameter('authentication', 'oAuth2') as string;
	if (isAppOnly(credentialTypeFor(authentication))) {
		throw inputError(
			this,
			'Find Meeting Times needs a signed-in user',
			'Microsoft Graph supports findMeetingTimes only with delegated permissions (Calendars.Read.Shared). Use an OAuth2 (Authorization Code) credential.',
		);
	}
	const zone = checkedTimeZone(this, this.getNodeParameter('timeZone', 'UTC'), 'Time Zone');
	const start = zonedDateTime(this, this.getNodeParameter('startDateTime', ''), 'Start At', zone);
	const end = zonedDateTime(this, this.getNodeParameter('endDateTime', ''), 'End At', zone);
	assertEndAfterStart(this, start, end, { start: 'Start At', end: 'End At' });
	const minutes = durationMinutes(this);
	if (minutes * 60_000 > end.instant.toMillis() - start.instant.toMillis()) {
		throw inputError(this, `Meeting Duration (${minutes} minutes) is longer than the time from Start At to End At`, 'Widen the window or shorten the meeting.');
	}
	const maxCandidates = Number(this.getNodeParameter('maxCandidates', 10));
	if (!Number.isInteger(maxCandidates) || maxCandidates < 1) {
		throw inputError(this, 'Max Candidates must be a whole number, at least 1', `It is ${String(maxCandidates)}. Example: 5 for the five best times.`);
	}
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const body: IDataObject = {
		attendees: attendeeList(this),
		timeConstraint: {
			activityDomain: this.getNodeParameter('activityDomain', 'work'),
			timeSlots: [{ start: toDateTimeTimeZone(start), end: toDateTimeTimeZone(end) }],
		},
		meetingDuration: `PT${minutes}M`,
		maxCandidates,
		isOrganizerOptional: options.isOrganizerOptional === true,
		returnSuggestionReasons: true,
	};
	if (options.minimumAttendeePercentage !== undefined) {
		const percentage = Number(options.minimumAttendeePercentage);
		if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
			throw inputError(this, 'Minimum Attendee Percentage must be a number from 0 to 100', `It is ${String(options.minimumAttendeePercentage)}. 100 asks for times when every attendee is free.`);
		}
		body.minimumAttendeePercentage = percentage;
	}
	const location = locationConstraint(this, options);
	if (location) body.locationConstraint = location;
	// Suggestions come back in Output Time Zone, else in the zone of the window.
	const outputZone = options.outputTimeZone ? checkedTimeZone(this, options.outputTimeZone, 'Output Time Zone').name : zone.name;
	return withTimeZonePreference({ ...requestOptions, body }, outputZone);
}

/** One item per suggestion (best first); none: one item saying why, in Graph's code and in words. */
export async function splitSuggestions(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return items.flatMap((item) => {
		const result = item.json as IDataObject;
		const suggestions = (result.meetingTimeSuggestions as IDataObject[] | undefined) ?? [];
		if (suggestions.length > 0) return suggestions.map((suggestion) => ({ ...item, json: suggestion }));
		const reason = String(result.emptySuggestionsReason || 'unknown');
		return [
			{
				...item,
				json: {
					meetingTimeSuggestions: [],
					emptySuggestionsReason: reason,
					emptySuggestionsReasonText: EMPTY_SUGGESTIONS_REASONS[reason] ?? EMPTY_SUGGESTIONS_REASONS.unknown,
				},
			},
		];
	});
}

function shown(field: INodeProperties): INodeProperties {
	return { ...field, displayOptions: { show: showOnlyForFindMeetingTimes } };
}

export const calendarFindMeetingTimesDescription: INodeProperties[] = [
	requestNeeds(showOnlyForFindMeetingTimes, ['readOnlyPost']),
	shown({
		displayName: 'Required Attendees',
		name: 'requiredAttendees',
		type: 'string',
		default: '',
		placeholder: 'adelev@contoso.com, meganb@contoso.com',
		description: 'Email addresses of the people who must attend, separated by commas. Empty: only the organizer is checked.',
	}),
	shown({
		displayName: 'Optional Attendees',
		name: 'optionalAttendees',
		type: 'string',
		default: '',
		placeholder: 'alexw@contoso.com',
		description: 'Email addresses of people who may attend, separated by commas',
	}),
	shown(roomLocator('room', 'Room', 'A room to meet in (from the list, or its email address); suggestions only use times the room is free. Leave empty for no room.')),
	shown({
		displayName: 'Meeting Duration (Minutes)',
		name: 'meetingDuration',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_DURATION_MINUTES },
		default: 30,
		description: 'Length of the meeting in minutes, e.g. 60',
	}),
	...periodFields(showOnlyForFindMeetingTimes, {
		start: {
			placeholder: '2026-05-04T08:00:00',
			description: 'Earliest start of the meeting, without offset (e.g. 2026-05-04T08:00:00), in the Time Zone below',
		},
		end: { placeholder: '2026-05-08T18:00:00', description: 'Latest end of the meeting, without offset, in the Time Zone below' },
	}),
	shown({
		displayName: 'Hours',
		name: 'activityDomain',
		type: 'options',
		options: [
			{ name: 'Working Hours', value: 'work', description: "The organizer's working hours (default Monday to Friday, 8:00 to 17:00)" },
			{ name: 'Working Hours and Weekends', value: 'personal', description: 'Working hours on every day of the week' },
			{ name: 'Any Hour', value: 'unrestricted', description: 'Every hour of every day' },
		],
		default: 'work',
		description: 'Which hours of the window may be suggested',
	}),
	shown({
		displayName: 'Max Candidates',
		name: 'maxCandidates',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 10,
		description: 'Max number of suggestions to return (best first)',
	}),
	optionsCollection({
		show: showOnlyForFindMeetingTimes,
		options: [
			{
				displayName: 'Is Organizer Optional',
				name: 'isOrganizerOptional',
				type: 'boolean',
				default: false,
				description: 'Whether times when the organizer is busy may be suggested',
			},
			{
				displayName: 'Location',
				name: 'location',
				type: 'string',
				default: '',
				placeholder: 'Cafeteria',
				description: 'A place that is not a room mailbox (its availability is not checked), e.g. "Cafeteria"',
			},
			{
				displayName: 'Location Required',
				name: 'locationRequired',
				type: 'boolean',
				default: true,
				description: 'Whether every suggestion must have the Room or Location (when one is given)',
			},
			{
				displayName: 'Minimum Attendee Percentage',
				name: 'minimumAttendeePercentage',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 100 },
				default: 50,
				description: 'Lowest confidence (0 to 100) a suggestion may have; 100 means every attendee is free',
			},
			{
				...outputTimeZoneOption,
				description:
					'Time zone of the suggested times. Without this option: the Time Zone above. Choose from the list, or specify a Windows or IANA time zone name using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	}),
];
