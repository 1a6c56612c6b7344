import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties, INodePropertyRouting } from 'n8n-workflow';

import { confirmation } from '../../shared/descriptions';
import { optionsCollection } from '../../shared/fields';
import { inputError } from '../../shared/validation';
import { assertEndAfterStart, checkedTimeZone, toDateTimeTimeZone, zonedDateTime } from '../../shared/timeZones';
import { eventCommentField, eventLocatorFields } from './fields';

/**
 * Accept, Tentatively Accept and Decline (event-accept.md, event-tentativelyaccept.md, event-decline.md): the same
 * body (comment, sendResponse) and, for the last two only, a proposed new time. Graph answers 202 with no body.
 */

const RESPONSE_OPERATIONS = ['accept', 'tentativelyAccept', 'decline'];
const showOnlyForResponses = { resource: ['event'], operation: RESPONSE_OPERATIONS };

function proposedNewTime(ctx: IExecuteSingleFunctions, options: IDataObject, sendResponse: boolean): IDataObject | undefined {
	const hasStart = options.proposedStart !== undefined && options.proposedStart !== '';
	const hasEnd = options.proposedEnd !== undefined && options.proposedEnd !== '';
	if (!hasStart && !hasEnd) return undefined;
	const operation = ctx.getNodeParameter('operation', '') as string;
	if (operation === 'accept') {
		throw inputError(
			ctx,
			'Accept cannot propose a new time',
			'Microsoft Graph takes a proposed new time only with Tentatively Accept or Decline: switch the operation, or remove Propose New Start and End.',
		);
	}
	if (!sendResponse) {
		throw inputError(
			ctx,
			'A proposed new time needs Send Response on',
			'The organizer learns of the proposal only through the response: turn Send Response on, or remove Propose New Start and End.',
		);
	}
	if (!hasStart || !hasEnd) {
		throw inputError(ctx, `Propose New ${hasStart ? 'End' : 'Start'} is missing`, 'A proposed time needs both Propose New Start and Propose New End.');
	}
	const zone = checkedTimeZone(ctx, options.proposedTimeZone ?? 'UTC', 'Propose New Time Zone');
	const start = zonedDateTime(ctx, options.proposedStart, 'Propose New Start', zone);
	const end = zonedDateTime(ctx, options.proposedEnd, 'Propose New End', zone);
	assertEndAfterStart(ctx, start, end, { start: 'Propose New Start', end: 'Propose New End' });
	return { start: toDateTimeTimeZone(start), end: toDateTimeTimeZone(end) };
}

export async function prepareEventResponse(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const sendResponse = this.getNodeParameter('sendResponse', true) !== false;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const body: IDataObject = { sendResponse };
	const comment = String(this.getNodeParameter('comment', '') ?? '');
	if (comment !== '') body.comment = comment;
	const proposal = proposedNewTime(this, options, sendResponse);
	if (proposal) body.proposedNewTime = proposal;
	return { ...requestOptions, body };
}

export const eventRespondDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForResponses),
	{ ...eventCommentField(showOnlyForResponses, 'Text sent to the organizer with the response'), placeholder: 'Thanks, see you there' },
	{
		displayName: 'Send Response',
		name: 'sendResponse',
		type: 'boolean',
		default: true,
		description: 'Whether the organizer gets the response; off: only your own calendar changes',
		displayOptions: { show: showOnlyForResponses },
	},
	optionsCollection({
		show: showOnlyForResponses,
		options: [
			{
				displayName: 'Propose New Start',
				name: 'proposedStart',
				type: 'dateTime',
				default: '',
				placeholder: '2026-05-01T14:00:00',
				description:
					'Tentatively Accept and Decline only (with Send Response on, and when the organizer allows proposals): start of the time you propose instead, without offset, in Propose New Time Zone',
			},
			{
				displayName: 'Propose New End',
				name: 'proposedEnd',
				type: 'dateTime',
				default: '',
				placeholder: '2026-05-01T15:00:00',
				description: 'End of the proposed time, without offset, in Propose New Time Zone',
			},
			{
				displayName: 'Propose New Time Zone',
				name: 'proposedTimeZone',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTimeZones' },
				default: 'UTC',
				description:
					'Time zone of Propose New Start and End. Choose from the list, or specify a Windows time zone name (e.g. "Pacific Standard Time") using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	}),
];

/** Accept, Tentatively Accept and Decline: POST /events/{id}/{action} answers 202 without a body, so the item says which response was sent. */
export function eventResponseRouting(action: 'accept' | 'tentativelyAccept' | 'decline', response: string): INodePropertyRouting {
	return {
		request: { method: 'POST', url: `/me/events/{eventId}/${action}` },
		send: { preSend: [prepareEventResponse] },
		output: { postReceive: [confirmation({ responded: true, response })] },
	};
}
