import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { optionsCollection } from '../../shared/fields';
import { viewWindowFields, viewWindowQuery } from '../calendar/calendarView';
import { applyOutputTimeZone, eventLocatorFields, outputTimeZoneOption } from './fields';

const showOnlyForEventGetInstances = { resource: ['event'], operation: ['getInstances'] };

/** startDateTime/endDateTime are required by Graph (event-list-instances.md); checked and sent as UTC instants. */
export async function prepareGetInstances(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const withQuery = { ...requestOptions, qs: { ...(requestOptions.qs ?? {}), ...viewWindowQuery(this) } };
	return await applyOutputTimeZone.call(this, withQuery);
}

export const eventGetInstancesDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForEventGetInstances),
	...viewWindowFields(showOnlyForEventGetInstances, 'occurrences'),
	...listFields(showOnlyForEventGetInstances),
	optionsCollection({ show: showOnlyForEventGetInstances, options: [outputTimeZoneOption] }),
];
