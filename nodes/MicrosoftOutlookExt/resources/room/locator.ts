import type { IDataObject, IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import { inputError, isEmail } from '../../shared/validation';

/**
 * The room picker: a resource locator whose value is the room's email address (what events, findMeetingTimes and
 * /places address rooms by). Used by Event Create / Update and Calendar → Find Meeting Times.
 */
export function roomLocator(name: string, displayName: string, description: string, searchListMethod = 'searchRooms'): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By Email',
				name: 'email',
				type: 'string',
				placeholder: 'confroom101@contoso.com',
			},
		],
	};
}

export interface SelectedRoom {
	address: string;
	/** The room's name when it was picked from the list, else its address. */
	name: string;
}

/** The picked room, checked; undefined when the field is empty. */
export function selectedRoom(ctx: IExecuteSingleFunctions, parameter: string, field: string): SelectedRoom | undefined {
	const raw = ctx.getNodeParameter(parameter, '', { extractValue: false }) as IDataObject | string;
	const locator = typeof raw === 'object' && raw !== null ? raw : { value: raw };
	const address = String(locator.value ?? '').trim();
	if (!address) return undefined;
	if (!isEmail(address)) {
		throw inputError(ctx, `${field} "${address}" is not an email address`, 'Pick a room from the list, or give its email address, e.g. "confroom101@contoso.com".');
	}
	const cached = typeof locator.cachedResultName === 'string' ? locator.cachedResultName.trim() : '';
	return { address, name: cached || address };
}
