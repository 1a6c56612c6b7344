import type { DeclarativeRestApiSettings, IExecutePaginationFunctions, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { sendItemThroughGraph } from '../../shared/routing';
import { eventCommentField, eventLocatorFields } from './fields';

const showOnlyForEventCancel = { resource: ['event'], operation: ['cancel'] };

/** Graph's answer when an attendee tries to cancel (400; Exchange's own code for it, too). */
const NOT_ORGANIZER_CODES = new Set(['ErrorAccessDenied', 'ErrorCalendarIsNotOrganizer']);

export const NOT_ORGANIZER_MESSAGE = 'Only the organizer can cancel a meeting; attendees can decline it instead';

function isNotOrganizerError(error: unknown): error is NodeApiError {
	if (!(error instanceof NodeApiError) || String(error.httpCode) !== '400') return false;
	const response = (error.errorResponse ?? {}) as JsonObject;
	return NOT_ORGANIZER_CODES.has(String(response.code)) || /organizer/i.test(String(response.message ?? ''));
}

/**
 * Cancel goes through the shared transport like every operation; only Graph's "not the organizer" 400 is
 * reworded so the user learns what to do, keeping Graph's code, message and request-id in the description.
 */
export async function cancelThroughGraph(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	try {
		return await sendItemThroughGraph.call(this, requestData);
	} catch (error) {
		if (isNotOrganizerError(error)) {
			const response = (error.errorResponse ?? {}) as JsonObject;
			throw new NodeApiError(this.getNode(), response, {
				message: `${NOT_ORGANIZER_MESSAGE} [${String(response.code)}]`,
				description: error.description ?? undefined,
				httpCode: '400',
				itemIndex: this.getItemIndex(),
			});
		}
		// Both constructors hand back an error of their own class unchanged: every other failure passes as it was.
		if (error instanceof NodeOperationError) throw new NodeOperationError(this.getNode(), error);
		throw new NodeApiError(this.getNode(), error as JsonObject);
	}
}

export const eventCancelDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForEventCancel),
	{
		...eventCommentField(showOnlyForEventCancel, 'Message sent to the attendees with the cancellation'),
		routing: { send: { type: 'body', property: 'comment', value: '={{ $value || undefined }}' } },
	},
];
