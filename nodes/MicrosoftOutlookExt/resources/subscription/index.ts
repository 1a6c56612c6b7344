import type { INodeProperties } from 'n8n-workflow';

// Placeholder until the subscription operations land.
export const subscriptionDescription: INodeProperties[] = [];
