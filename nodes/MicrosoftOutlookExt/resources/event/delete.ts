import type { INodeProperties } from 'n8n-workflow';

import { eventLocatorFields } from './fields';

const showOnlyForEventDelete = { resource: ['event'], operation: ['delete'] };

export const eventDeleteDescription: INodeProperties[] = [...eventLocatorFields(showOnlyForEventDelete)];
