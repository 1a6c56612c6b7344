import type { INodeProperties } from 'n8n-workflow';

// Placeholder until the message operations land.
export const messageDescription: INodeProperties[] = [];
