/**
 * Places (graph-ops-facts row 28): the tenant's rooms and room lists.
 *   GET /places/microsoft.graph.room                                  all rooms
 *   GET /places/microsoft.graph.roomlist                              all room lists
 *   GET /places/{roomListEmail}/microsoft.graph.roomlist/rooms        the rooms of one list, addressed by its email
 * Tenant-wide, not per mailbox; $filter, $select, $top, $skip and $count work as on other lists, 100 a page by default.
 * Rooms are not mailboxes here: a room's calendar is the meetings that invite it (findMeetingTimes reads it so).
 */
import { GRAPH_V1, GraphFault } from './calendar-model';
import { listResponse } from './odata';
import type { EmulatorCore, GraphRequest, Reply } from './types';

export interface Room {
	id: string;
	emailAddress: string;
	displayName: string;
	capacity: number;
	building: string;
	floorNumber: number;
	roomList: string;
}

const CONTOSO_ADDRESS = { street: '4567 Main Street', city: 'Buffalo', state: 'NY', postalCode: '98052', countryOrRegion: 'USA' };

export const ROOM_LISTS = [
	{ id: 'DC404124-302A-92AA-F98D-7B4DEB0C1705', displayName: 'Building 1 Rooms', emailAddress: 'bldg1rooms@contoso.com' },
	{ id: '3D01E5B4-1C92-4B2F-9A7E-0F5C1A2B6D11', displayName: 'Building 2 Rooms', emailAddress: 'bldg2rooms@contoso.com' },
];

export const ROOMS: readonly Room[] = [
	{ id: '3162F1E1-C4C0-604B-51D8-91DA78989EB1', emailAddress: 'cf100@contoso.com', displayName: 'Conf Room 100', capacity: 50, building: '1', floorNumber: 1, roomList: 'bldg1rooms@contoso.com' },
	{ id: '7E4A9B1C-2D3E-4F50-8A6B-1C2D3E4F5A6B', emailAddress: 'cf101@contoso.com', displayName: 'Conf Room 101', capacity: 8, building: '1', floorNumber: 1, roomList: 'bldg1rooms@contoso.com' },
	{ id: '9A8B7C6D-5E4F-4A3B-9C2D-1E0F9A8B7C6D', emailAddress: 'cf200@contoso.com', displayName: 'Conf Room 200', capacity: 12, building: '2', floorNumber: 2, roomList: 'bldg2rooms@contoso.com' },
];

export function findRoom(address: string): Room | undefined {
	return ROOMS.find((room) => room.emailAddress.toLowerCase() === address.trim().toLowerCase());
}

function renderRoom(room: Room): Record<string, unknown> {
	return {
		id: room.id,
		emailAddress: room.emailAddress,
		displayName: room.displayName,
		address: { ...CONTOSO_ADDRESS },
		geoCoordinates: null,
		phone: '000-000-0000',
		nickname: room.displayName,
		label: '100',
		capacity: room.capacity,
		building: room.building,
		floorLabel: null,
		floorNumber: room.floorNumber,
		isManaged: true,
		isWheelChairAccessible: false,
		bookingType: 'standard',
		tags: ['bean bags'],
		audioDeviceName: null,
		videoDeviceName: null,
		displayDeviceName: 'surface hub',
	};
}

function renderRoomList(list: (typeof ROOM_LISTS)[number]): Record<string, unknown> {
	return { id: list.id, displayName: list.displayName, address: { ...CONTOSO_ADDRESS }, geoCoordinates: null, phone: null, emailAddress: list.emailAddress };
}

const PAGING = { defaultTop: 100, maxTop: 1000 };

/** The docs' context names `roomList` whatever the URL's casing. */
function places(core: EmulatorCore, req: GraphRequest, items: Record<string, unknown>[], type: string): Reply {
	return listResponse(core, req, items, { ...PAGING, contextUrl: `${GRAPH_V1}/$metadata#places/microsoft.graph.${type}` });
}

function roomsOfList(core: EmulatorCore, req: GraphRequest): Reply {
	const email = req.params.roomListEmail.trim().toLowerCase();
	const list = ROOM_LISTS.find((candidate) => candidate.emailAddress.toLowerCase() === email);
	if (!list) {
		// The docs show no error for an unknown list; Exchange's not-found answer is used.
		const fault = new GraphFault(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
		return core.graphError(fault.status, fault.code, fault.message, req);
	}
	const rooms = ROOMS.filter((room) => room.roomList === list.emailAddress).map(renderRoom);
	return listResponse(core, req, rooms, { ...PAGING, contextUrl: `${GRAPH_V1}/$metadata#places('${list.emailAddress}')/microsoft.graph.roomList/rooms` });
}

export function register(core: EmulatorCore): void {
	// The router matches literals case-insensitively, as Graph does (`microsoft.graph.roomList` works too).
	core.route('GET', '/places/microsoft.graph.room', (req) => places(core, req, ROOMS.map(renderRoom), 'room'));
	core.route('GET', '/places/microsoft.graph.roomlist', (req) => places(core, req, ROOM_LISTS.map(renderRoomList), 'roomList'));
	core.route('GET', '/places/:roomListEmail/microsoft.graph.roomlist/rooms', (req) => roomsOfList(core, req));
}
