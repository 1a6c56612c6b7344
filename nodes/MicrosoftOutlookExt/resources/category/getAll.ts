import type { INodeProperties } from 'n8n-workflow';

import { requestNeeds } from '../../shared/descriptions';

// Graph returns the whole master list in one answer (no paging); a list is never batched.
export const categoryGetAllDescription: INodeProperties[] = [requestNeeds({ resource: ['category'], operation: ['getAll'] }, ['unbatched'])];
