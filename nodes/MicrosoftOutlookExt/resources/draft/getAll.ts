import type { INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { optionsCollection, selectFieldsOption } from '../../shared/fields';

const showOnlyForDraftGetAll = { resource: ['draft'], operation: ['getAll'] };

export const draftGetAllDescription: INodeProperties[] = [
	...listFields(showOnlyForDraftGetAll),
	optionsCollection({
		show: showOnlyForDraftGetAll,
		options: [selectFieldsOption('subject,toRecipients,lastModifiedDateTime')],
	}),
];

/** Get Draft: the draft, or only the Select Fields given. */
export const draftGetDescription: INodeProperties[] = [
	optionsCollection({ show: { resource: ['draft'], operation: ['get'] }, options: [selectFieldsOption('subject,toRecipients,body')] }),
];
