import type { INodeProperties } from 'n8n-workflow';

// Placeholder until the rawRequest operations land.
export const rawRequestDescription: INodeProperties[] = [];
