import type { INodeProperties } from 'n8n-workflow';

import { optionsCollection, selectFieldsOption } from '../../shared/fields';
import { eventLocatorFields, outputTimeZoneOption } from './fields';

const showOnlyForEventGet = { resource: ['event'], operation: ['get'] };

export const eventGetDescription: INodeProperties[] = [
	...eventLocatorFields(showOnlyForEventGet),
	optionsCollection({ show: showOnlyForEventGet, options: [outputTimeZoneOption, selectFieldsOption('subject,start,end,attendees')] }),
];
