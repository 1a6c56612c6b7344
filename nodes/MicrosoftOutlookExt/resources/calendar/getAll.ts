import type { INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';

const showOnlyForCalendarGetAll = { resource: ['calendar'], operation: ['getAll'] };

export const calendarGetAllDescription: INodeProperties[] = [...listFields(showOnlyForCalendarGetAll)];
