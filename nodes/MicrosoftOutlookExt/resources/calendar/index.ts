import type { INodeProperties } from 'n8n-workflow';

// Placeholder until the calendar operations land.
export const calendarDescription: INodeProperties[] = [];
