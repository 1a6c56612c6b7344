import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { listFields } from '../../shared/descriptions';
import { listRouting } from '../../shared/operations';
import { roomLocator, selectedRoom } from './locator';

const showOnlyForRoom = { resource: ['room'] };

const showOnlyForRoomGetAll = { resource: ['room'], operation: ['getAll'] };
const showOnlyForRoomLists = { resource: ['room'], operation: ['getRoomLists'] };
const showOnlyForRoomsInList = { resource: ['room'], operation: ['getRoomsInList'] };

/** The room list is addressed by its email address: refuse anything else before the request. */
export async function checkRoomList(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	selectedRoom(this, 'roomListEmail', 'Room List');
	return requestOptions;
}

export const roomDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForRoom },
		options: [
			{
				name: 'Get Many Rooms',
				value: 'getAll',
				action: 'Get many rooms',
				description: "List the organization's meeting rooms (name, email address, capacity, building, floor)",
				routing: listRouting('/places/microsoft.graph.room'),
			},
			{
				name: 'Get Many Room Lists',
				value: 'getRoomLists',
				action: 'Get many room lists',
				description: "List the organization's room lists (groups of rooms, e.g. per building)",
				routing: listRouting('/places/microsoft.graph.roomlist'),
			},
			{
				name: 'Get Rooms in Room List',
				value: 'getRoomsInList',
				action: 'Get the rooms of a room list',
				description: 'List the rooms that belong to one room list',
				routing: listRouting('/places/{roomListEmail}/microsoft.graph.roomlist/rooms', [checkRoomList]),
			},
		],
		default: 'getAll',
	},
	...listFields(showOnlyForRoomGetAll, 100),
	...listFields(showOnlyForRoomLists, 100),
	{
		...roomLocator('roomListEmail', 'Room List', 'The room list (from the list, or its email address, e.g. "bldg1rooms@contoso.com")', 'searchRoomLists'),
		required: true,
		displayOptions: { show: showOnlyForRoomsInList },
	},
	...listFields(showOnlyForRoomsInList, 100),
];
