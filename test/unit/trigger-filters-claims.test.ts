/**
 * Fast checks of the trigger's filter logic (what Graph's $filter would decide for a delta item, the
 * node's own Subject / To / To or CC / @mention / flag checks) and of the Shared Duplicate Store client against a
 * small in-process Redis that speaks RESP the way Redis does for AUTH, SELECT and SET … NX PX (the
 * real Redis runs in test/reliability/queue.test.ts).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { clientFilterSelect, isFlagged, matchesClientFilter, matchesGraphFilter, mentions, needsClientCheck, odataString } from '../../nodes/MicrosoftOutlookExt/trigger/config/filters';
import { claimOnce, redisFromUrl, type RedisSettings } from '../../nodes/MicrosoftOutlookExt/trigger/delivery/sharedClaims';

const message = {
	id: 'm1',
	subject: 'Order 1001 shipped',
	from: { emailAddress: { address: 'Orders@Fabrikam.com' } },
	importance: 'high',
	hasAttachments: true,
	isRead: false,
	categories: ['VIP'],
	toRecipients: [{ emailAddress: { address: 'AdeleV@contoso.com' } }, { emailAddress: { address: 'Support@contoso.com' } }],
	ccRecipients: [{ emailAddress: { address: 'sales@contoso.com' } }],
	flag: { flagStatus: 'flagged' },
	body: { contentType: 'html', content: '<p>Hi <a href="mailto:AdeleV@contoso.com">@Adele</a></p>' },
};

describe("matchesGraphFilter(): what Graph's $filter decides, for resync's delta items", () => {
	test.each([
		['no filter', {}, true],
		['From, any case', { from: ['orders@fabrikam.com', 'x@y.z'] }, true],
		['From, another sender', { from: ['billing@fabrikam.com'] }, false],
		['Importance', { importance: 'HIGH' }, true],
		['Importance, other', { importance: 'low' }, false],
		['Has Attachments', { hasAttachments: true }, true],
		['Has Attachments false', { hasAttachments: false }, false],
		['Is Read false', { isRead: false }, true],
		['Is Read true', { isRead: true }, false],
		['Categories, any of', { categories: ['customers', 'vip'] }, true],
		['Categories, none of', { categories: ['Customers'] }, false],
		['Organizer on a message (none)', { organizer: ['adelev@contoso.com'] }, false],
		['Show As on a message (none)', { showAs: 'busy' }, false],
	])('%s', (_, values, expected) => {
		expect(matchesGraphFilter(values, message)).toBe(expected);
	});
});

describe("matchesClientFilter(): the node's own checks", () => {
	test.each([
		['Subject Contains (lower case)', { subjectContains: 'order 1001' }, true],
		['Subject Contains, not there', { subjectContains: 'invoice' }, false],
		['Mail Flagged', { flagged: true }, true],
		['Mail Mentioning Me', { mentionsMailbox: true }, true],
		['To, any of (case ignored)', { to: ['nobody@contoso.com', 'support@contoso.com'] }, true],
		['To, an address only in CC', { to: ['sales@contoso.com'] }, false],
		['To or CC, an address in CC', { toOrCc: ['SALES@contoso.com'] }, true],
		['To or CC, an address in neither', { toOrCc: ['meganb@contoso.com'] }, false],
	])('%s', (_, filter, expected) => {
		expect(matchesClientFilter(filter, message, ['adelev@contoso.com'])).toBe(expected);
	});

	test('a message that is not flagged, or mentions someone else, does not pass', () => {
		expect(matchesClientFilter({ flagged: true }, { ...message, flag: { flagStatus: 'notFlagged' } }, [])).toBe(false);
		expect(isFlagged({ flag: { flagStatus: 'complete' } })).toBe(false);
		expect(mentions(message, ['meganb@contoso.com'])).toBe(false);
		expect(matchesClientFilter({ mentionsMailbox: true }, message, [])).toBe(false);
	});

	test('the properties a check reads, and whether one is needed at all', () => {
		expect(needsClientCheck({})).toBe(false);
		expect(needsClientCheck({ subjectContains: 'x' })).toBe(true);
		expect(clientFilterSelect({ subjectContains: 'x' })).toBe('id,subject');
		expect(clientFilterSelect({ flagged: true, mentionsMailbox: true })).toBe('id,subject,flag,body');
		expect(needsClientCheck({ to: ['a@contoso.com'] })).toBe(true);
		expect(clientFilterSelect({ to: ['a@contoso.com'] })).toBe('id,subject,toRecipients');
		expect(clientFilterSelect({ toOrCc: ['a@contoso.com'] })).toBe('id,subject,toRecipients,ccRecipients');
	});

	test("OData string literals double quotes and encode what would break the resource's query string", () => {
		expect(odataString("O'Brien & Co #1 100%+")).toBe("'O''Brien %26 Co %231 100%25%2B'");
	});
});

/** A Redis for the claims client: AUTH, SELECT and SET key value NX PX ms, with expiry; nothing else. */
class TinyRedis {
	readonly keys = new Map<string, number>();
	readonly commands: string[][] = [];
	private readonly server: Server;
	private readonly sockets = new Set<Socket>();

	constructor(private readonly password?: string) {
		this.server = createServer((socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
			let buffer = '';
			let authed = !password;
			socket.on('data', (chunk) => {
				buffer += chunk.toString('utf8');
				for (;;) {
					const parsed = readCommand(buffer);
					if (!parsed) break;
					buffer = buffer.slice(parsed.length);
					this.commands.push(parsed.args);
					const [name, ...args] = parsed.args;
					if (name === 'AUTH') {
						authed = args.at(-1) === this.password;
						socket.write(authed ? '+OK\r\n' : '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
					} else if (!authed) socket.write('-NOAUTH Authentication required.\r\n');
					else if (name === 'SELECT') socket.write('+OK\r\n');
					else if (name === 'SET' && args[2] === 'NX' && args[3] === 'PX') {
						const until = this.keys.get(args[0]);
						if (until !== undefined && until > Date.now()) socket.write('$-1\r\n');
						else {
							this.keys.set(args[0], Date.now() + Number(args[4]));
							socket.write('+OK\r\n');
						}
					} else socket.write(`-ERR unknown command '${name}'\r\n`);
				}
			});
		});
	}

	async listen(): Promise<number> {
		await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
		return (this.server.address() as AddressInfo).port;
	}

	async close(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((done) => this.server.close(() => done()));
	}
}

/** One RESP array of bulk strings, or undefined until it is complete. */
function readCommand(buffer: string): { args: string[]; length: number } | undefined {
	const header = /^\*(\d+)\r\n/.exec(buffer);
	if (!header) return undefined;
	let at = header[0].length;
	const args: string[] = [];
	for (let i = 0; i < Number(header[1]); i++) {
		const size = /^\$(\d+)\r\n/.exec(buffer.slice(at));
		if (!size) return undefined;
		at += size[0].length;
		if (buffer.length < at + Number(size[1]) + 2) return undefined;
		args.push(buffer.slice(at, at + Number(size[1])));
		at += Number(size[1]) + 2;
	}
	return { args, length: at };
}

describe('claimOnce(): the Shared Duplicate Store', () => {
	let redis: TinyRedis;
	let settings: RedisSettings;

	beforeEach(async () => {
		redis = new TinyRedis('s3cret');
		const port = await redis.listen();
		settings = redisFromUrl(`redis://claims:s3cret@127.0.0.1:${port}/2`)!;
	});

	afterEach(async () => {
		await redis.close();
	});

	test('the first process to claim a change runs it; a second claim of the same change is a repeat', async () => {
		expect(await claimOnce(settings, ['a', 'b'], 60_000)).toEqual([true, true]);
		expect(await claimOnce(settings, ['b', 'c'], 60_000)).toEqual([false, true]);
		expect(redis.commands[0]).toEqual(['AUTH', 'claims', 's3cret']);
		expect(redis.commands[1]).toEqual(['SELECT', '2']);
		expect(redis.commands[2]).toEqual(['SET', 'n8n-nodes-microsoft-outlook-ext:change:a', '1', 'NX', 'PX', '60000']);
	});

	test('concurrent claims of one change: exactly one wins', async () => {
		const results = await Promise.all(Array.from({ length: 8 }, async () => (await claimOnce(settings, ['same'], 60_000))[0]));
		expect(results.filter(Boolean)).toHaveLength(1);
	});

	test('a claim expires after its time (at least a second), then the change may run again', async () => {
		expect(await claimOnce(settings, ['short'], 10)).toEqual([true]);
		expect(redis.commands.at(-1)?.at(-1)).toBe('1000');
		redis.keys.set('n8n-nodes-microsoft-outlook-ext:change:short', Date.now() - 1);
		expect(await claimOnce(settings, ['short'], 10)).toEqual([true]);
	});

	test('a wrong password or an unreachable Redis throws (the webhook then falls back to its own memories)', async () => {
		await expect(claimOnce({ ...settings, password: 'wrong' }, ['x'], 1000)).rejects.toThrow(/WRONGPASS|NOAUTH|Redis/);
		await redis.close();
		await expect(claimOnce(settings, ['x'], 1000)).rejects.toThrow();
		redis = new TinyRedis();
	});

	test('no keys, no connection', async () => {
		expect(await claimOnce({ ...settings, port: 1 }, [], 1000)).toEqual([]);
	});
});
