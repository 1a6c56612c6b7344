/**
 * OData list semantics over real HTTP, on a probe collection served with `listResponse`:
 * paging through nextLink, $top bounds, $count, $select, $filter, $orderby and $search rules.
 */
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';
import { compileFilter, listResponse, parseOrderBy, selectFields } from './odata';

interface Item extends Record<string, unknown> {
	id: string;
	'@odata.etag': string;
	subject: string;
	index: number;
	isRead: boolean;
	importance: string;
	receivedDateTime: string;
	from: { emailAddress: { name: string; address: string } };
	categories: string[];
	toRecipients: Array<{ emailAddress: { address: string } }>;
}

const SENDERS = ['alice@contoso.com', 'bob@fabrikam.com', "o'brien@contoso.com"];

function makeItems(count: number): Item[] {
	return Array.from({ length: count }, (_, i) => ({
		id: `item-${String(i).padStart(2, '0')}`,
		'@odata.etag': `W/"etag-${i}"`,
		subject: i === 7 ? "Don't panic" : `Subject ${i}`,
		index: i,
		isRead: i % 2 === 0,
		importance: i % 5 === 0 ? 'high' : 'normal',
		receivedDateTime: new Date(Date.UTC(2024, 0, 1 + i, 9, 0, 0)).toISOString().replace('.000', ''),
		from: { emailAddress: { name: `Sender ${i % 3}`, address: SENDERS[i % 3] } },
		categories: i % 4 === 0 ? ['Red category'] : [],
		toRecipients: [{ emailAddress: { address: i % 2 ? 'megan@contoso.com' : 'adele@contoso.com' } }],
	}));
}

const ITEMS = makeItems(25);
const CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#users('x')/probeItems";

let emu: Emulator;
let token: string;

beforeAll(async () => {
	emu = await startEmulator({ seedDefaults: false });
	token = emu.issueToken({ userId: DEFAULT_USERS.adele.id });
	emu.core.mailboxRoute('GET', '/probeItems', (req) =>
		listResponse(emu.core, req, ITEMS, {
			defaultTop: 10,
			maxTop: 20,
			contextUrl: CONTEXT,
			search: (item, terms) => String(item.subject).toLowerCase().includes(terms.toLowerCase()),
		}),
	);
	emu.core.mailboxRoute('GET', '/strictItems', (req) =>
		listResponse(emu.core, req, ITEMS, { defaultTop: 10, maxTop: 20, contextUrl: CONTEXT, orderByMustLeadFilter: true }),
	);
	emu.core.mailboxRoute('GET', '/plainItems', (req) =>
		listResponse(emu.core, req, ITEMS, { defaultTop: 10, maxTop: 20, contextUrl: CONTEXT, filterable: false }),
	);
});

afterAll(async () => {
	await emu.close();
});

interface ListBody {
	'@odata.context': string;
	'@odata.count'?: number;
	'@odata.nextLink'?: string;
	value: Array<Record<string, unknown>>;
	error?: { code: string; message: string };
}

async function get(pathAndQuery: string): Promise<{ status: number; body: ListBody }> {
	const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${emu.url}/v1.0/me/${pathAndQuery}`;
	const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
	return { status: response.status, body: (await response.json()) as ListBody };
}

function ids(body: ListBody): string[] {
	return body.value.map((v) => String(v.id));
}

describe('paging', () => {
	it('pages with the default size and a %24skip nextLink that keeps the other parameters', async () => {
		const first = await get('probeItems?$select=subject&$filter=index lt 23');
		expect(first.status).toBe(200);
		expect(first.body['@odata.context']).toBe(`${CONTEXT}(subject)`);
		expect(first.body.value).toHaveLength(10);
		const next = first.body['@odata.nextLink'] as string;
		expect(next.startsWith(`${emu.url}/v1.0/me/probeItems?`)).toBe(true);
		expect(next).toContain('%24skip=10');
		expect(next).toContain('%24select=subject');
		expect(next).toContain(`%24filter=${encodeURIComponent('index lt 23')}`);

		const collected = [...ids(first.body)];
		let link: string | undefined = next;
		let pages = 1;
		while (link) {
			const page = await get(link);
			collected.push(...ids(page.body));
			link = page.body['@odata.nextLink'];
			pages++;
		}
		expect(pages).toBe(3);
		expect(collected).toEqual(ITEMS.filter((i) => i.index < 23).map((i) => i.id));
	});

	it('honours $top and $skip, replaces $skip in nextLink, and may return an empty page', async () => {
		const page = await get('probeItems?$top=5&$skip=20');
		expect(ids(page.body)).toEqual(['item-20', 'item-21', 'item-22', 'item-23', 'item-24']);
		expect(page.body['@odata.nextLink']).toBeUndefined();
		const middle = await get('probeItems?$skip=3&$top=4');
		expect(middle.body['@odata.nextLink']).toBe(`${emu.url}/v1.0/me/probeItems?%24skip=7&%24top=4`);
		const empty = await get('probeItems?$skip=40');
		expect(empty.status).toBe(200);
		expect(empty.body.value).toEqual([]);
		expect(empty.body['@odata.nextLink']).toBeUndefined();
	});

	it('rejects $top outside 1..maxTop and non-numeric $skip', async () => {
		const tooBig = await get('probeItems?$top=21');
		expect(tooBig.status).toBe(400);
		expect(tooBig.body.error?.code).toBe('ErrorInvalidParameter');
		expect((await get('probeItems?$top=0')).status).toBe(400);
		expect((await get('probeItems?$top=abc')).status).toBe(400);
		expect((await get('probeItems?$skip=-1')).status).toBe(400);
		expect((await get('probeItems?$top=20')).status).toBe(200);
	});

	it('adds @odata.count for $count=true', async () => {
		const { body } = await get('probeItems?$count=true&$top=2&$filter=isRead eq true');
		expect(body['@odata.count']).toBe(13);
		expect(body.value).toHaveLength(2);
	});

	it('$select keeps id and @odata.etag', async () => {
		const { body } = await get('probeItems?$select=Subject,from&$top=1');
		expect(body.value[0]).toEqual({ id: 'item-00', '@odata.etag': 'W/"etag-0"', subject: 'Subject 0', from: ITEMS[0].from });
	});
});

describe('$filter', () => {
	const cases: Array<[string, (item: Item) => boolean]> = [
		["importance eq 'high'", (i) => i.importance === 'high'],
		["importance ne 'HIGH'", (i) => i.importance !== 'high'],
		['index ge 20', (i) => i.index >= 20],
		['index gt 3 and index le 6', (i) => i.index > 3 && i.index <= 6],
		['isRead eq false or index eq 0', (i) => !i.isRead || i.index === 0],
		['not (isRead eq true)', (i) => !i.isRead],
		['isRead', (i) => i.isRead],
		['receivedDateTime ge 2024-01-20T00:00:00Z', (i) => i.index >= 19],
		["receivedDateTime lt '2024-01-03T00:00:00Z'", (i) => i.index < 2],
		["from/emailAddress/address eq 'bob@fabrikam.com'", (i) => i.index % 3 === 1],
		["from/emailAddress/address eq 'o''brien@contoso.com'", (i) => i.index % 3 === 2],
		["contains(subject, 'don''t')", (i) => i.index === 7],
		["startswith(from/emailAddress/name,'sender 2')", (i) => i.index % 3 === 2],
		["categories/any(c:c eq 'Red category')", (i) => i.index % 4 === 0],
		["toRecipients/any(r: r/emailAddress/address eq 'megan@contoso.com') and (index lt 5)", (i) => i.index % 2 === 1 && i.index < 5],
	];

	it.each(cases)('%s', async (filter, expected) => {
		const { status, body } = await get(`probeItems?$top=20&$filter=${encodeURIComponent(filter)}`);
		expect(status).toBe(200);
		expect(ids(body)).toEqual(ITEMS.filter(expected).slice(0, 20).map((i) => i.id));
	});

	it('answers 400 "Invalid filter clause" for unparsable filters', async () => {
		for (const filter of ["subject eq 'unterminated", 'index eq', '(index eq 1', 'index eq 1)', 'frobnicate(subject)', 'index % 3']) {
			const { status, body } = await get(`probeItems?$filter=${encodeURIComponent(filter)}`);
			expect(status).toBe(400);
			expect(body.error?.code).toBe('BadRequest');
			expect(body.error?.message).toMatch(/^Invalid filter clause/);
		}
	});

	it('refuses $filter where the collection does not support it', async () => {
		expect((await get('plainItems?$filter=isRead eq true')).status).toBe(400);
	});
});

describe('$orderby and $search', () => {
	it('sorts by one or more keys, ascending or descending', async () => {
		const desc = await get('probeItems?$orderby=receivedDateTime desc&$top=3');
		expect(ids(desc.body)).toEqual(['item-24', 'item-23', 'item-22']);
		const multi = await get('probeItems?$orderby=from/emailAddress/address,index desc&$top=3');
		expect(ids(multi.body)).toEqual(['item-24', 'item-21', 'item-18']);
		expect((await get('probeItems?$orderby=index sideways')).status).toBe(400);
	});

	it('can enforce Outlook\'s rule that $orderby properties lead the $filter (InefficientFilter)', async () => {
		const ok = await get(`strictItems?$filter=${encodeURIComponent('receivedDateTime ge 2024-01-10T00:00:00Z and isRead eq true')}&$orderby=receivedDateTime desc`);
		expect(ok.status).toBe(200);
		expect(ids(ok.body)[0]).toBe('item-24');
		const bad = await get(`strictItems?$filter=${encodeURIComponent('isRead eq true')}&$orderby=receivedDateTime desc`);
		expect(bad.status).toBe(400);
		expect(bad.body.error?.code).toBe('InefficientFilter');
		expect((await get(`probeItems?$filter=${encodeURIComponent('isRead eq true')}&$orderby=receivedDateTime desc`)).status).toBe(200);
	});

	it('needs a double-quoted $search value and refuses it with $filter or $orderby', async () => {
		const found = await get(`probeItems?$search=${encodeURIComponent('"subject 1"')}`);
		expect(ids(found.body)).toEqual(['item-01', 'item-10', 'item-11', 'item-12', 'item-13', 'item-14', 'item-15', 'item-16', 'item-17', 'item-18']);
		expect((await get('probeItems?$search=subject')).status).toBe(400);
		const withFilter = await get(`probeItems?$search=${encodeURIComponent('"x"')}&$filter=isRead eq true`);
		expect(withFilter.status).toBe(400);
		expect(withFilter.body.error?.message).toBe("The query parameter '$filter' is not supported with '$search'.");
		const withOrder = await get(`probeItems?$search=${encodeURIComponent('"x"')}&$orderby=index`);
		expect(withOrder.status).toBe(400);
		expect(withOrder.body.error?.message).toBe("The query parameter '$orderBy' is not supported with '$search'.");
		expect((await get(`plainItems?$search=${encodeURIComponent('"x"')}`)).status).toBe(400);
	});
});

describe('helpers', () => {
	it('selectFields without $select copies the item', () => {
		const item = { id: '1', a: 1 };
		const copy = selectFields(item, undefined);
		expect(copy).toEqual(item);
		expect(copy).not.toBe(item);
	});

	it('compileFilter and parseOrderBy are usable on their own', () => {
		expect(compileFilter("a/b eq 'X'")({ a: { b: 'x' } })).toBe(true);
		expect(compileFilter('n ne null')({ n: null })).toBe(false);
		expect(parseOrderBy('a desc, b')).toEqual([
			{ path: ['a'], descending: true },
			{ path: ['b'], descending: false },
		]);
	});
});
