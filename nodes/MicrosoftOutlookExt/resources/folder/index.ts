import type { INodeProperties } from 'n8n-workflow';

// Placeholder until the folder operations land.
export const folderDescription: INodeProperties[] = [];
