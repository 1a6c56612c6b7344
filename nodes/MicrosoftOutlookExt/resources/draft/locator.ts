import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

/** The draft an operation acts on: picked from the Drafts folder, or by ID. */
export function draftLocator(show: IDisplayOptions['show'], description: string): INodeProperties {
	return resourceLocator({ name: 'draftId', displayName: 'Draft', searchListMethod: 'searchDrafts', show, description });
}
