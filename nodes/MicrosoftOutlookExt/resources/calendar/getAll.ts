import type { INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { filterOption, optionsCollection } from '../../shared/fields';

const showOnlyForCalendarGetAll = { resource: ['calendar'], operation: ['getAll'] };

export const calendarGetAllDescription: INodeProperties[] = [
	...listFields(showOnlyForCalendarGetAll),
	optionsCollection({ show: showOnlyForCalendarGetAll, options: [filterOption("name eq 'Work'")] }),
];
