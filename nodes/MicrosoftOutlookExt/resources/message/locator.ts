import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';

/** The message (or draft) an operation acts on: picked from the mailbox's recent mail, or by ID. */
export function messageLocator(show: IDisplayOptions['show'], description: string): INodeProperties {
	return resourceLocator({ name: 'messageId', displayName: 'Message', searchListMethod: 'searchMessages', show, description });
}
