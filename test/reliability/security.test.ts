/**
 * Security (issue #13), tried as an attacker would, in a real n8n server against the emulator:
 * - a redirect from the Graph host never carries the token elsewhere, and its answer is never taken
 *   for Graph's (every method, declarative operations, Raw Request, app-only, a nextLink, the trigger);
 * - `.` / `..` IDs never reach a URL (actions, subscriptions, the trigger's fetch);
 * - Dynamic Attachments naming a missing binary property: an error naming it, nothing sent;
 * - a refused client secret / refresh token: one token request, Entra's error shown; a token
 *   endpoint that never answers times out;
 * - the trigger's clientState is not in execution data; hostile validation tokens are not echoed;
 * - numeric IDs, "1e3" page limits and objects in text fields.
 * Run: npm run build && npx jest --selectProjects reliability test/reliability/security.test.ts
 */
import { seedMessages } from '../emulator/mail';
import { ADELE, MEGAN, byId, type Authentication } from '../e2e/support';
import { newEvent, newFolder, startTrap } from './fixtures';
import { collectForSecrets, collectText, expectNoSecrets } from './secrets';
import { errorText, importExtraCredential, runNode, startReliability, stopReliability, type ReliabilityContext } from './support';
import { activateTrigger, emittedItems, messageNotification, post, subscriptionOf, until, type ActiveTrigger } from './trigger';

jest.setTimeout(600_000);

let ctx: ReliabilityContext;
let trap: Awaited<ReturnType<typeof startTrap>>;

beforeAll(async () => {
	ctx = await startReliability();
	trap = await startTrap();
});

afterEach(() => {
	ctx?.emu.clearFaults();
	if (trap) trap.seen.length = 0;
});

afterAll(async () => {
	await trap?.close();
	await stopReliability(ctx);
});

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What reached the other host, and whether a bearer token came along. */
function trapSummary(): string[] {
	return trap.seen.map((r) => `${r.method} ${r.url}${r.headers.authorization ? ' WITH TOKEN' : ''}`);
}

describe('redirects from the Graph host', () => {
	const operations: Array<{ name: string; method: string; pathPattern: (eventId: string) => string; parameters: (eventId: string) => Record<string, unknown> }> = [
		{ name: 'Get Event', method: 'GET', pathPattern: (id) => `/events/${escapeRegex(id)}$`, parameters: (id) => ({ resource: 'event', operation: 'get', eventId: byId(id) }) },
		{
			name: 'Update Event',
			method: 'PATCH',
			pathPattern: (id) => `/events/${escapeRegex(id)}$`,
			parameters: (id) => ({ resource: 'event', operation: 'update', eventId: byId(id), updateFields: { subject: 'moved' } }),
		},
		{ name: 'Delete Event', method: 'DELETE', pathPattern: (id) => `/events/${escapeRegex(id)}$`, parameters: (id) => ({ resource: 'event', operation: 'delete', eventId: byId(id) }) },
		{
			name: 'Create Event',
			method: 'POST',
			pathPattern: () => '/me/events$',
			parameters: () => ({
				resource: 'event',
				operation: 'create',
				subject: 'Redirected',
				startDateTime: '2031-02-03T09:00:00',
				endDateTime: '2031-02-03T10:00:00',
				timeZone: 'UTC',
			}),
		},
	];
	const cases = operations.flatMap((operation) => [301, 302, 307, 308].map((status) => ({ ...operation, status })));

	it.each(cases)('$name answered with $status to another host: no token there, the item fails naming the redirect', async ({ method, pathPattern, parameters, status }) => {
		const event = await newEvent(ctx.emu, `Redirect ${method} ${status}`);
		ctx.emu.addFault({ method, pathPattern: pathPattern(event.id), kind: 'redirect', status, location: `${trap.url}/v1.0/me/events/${event.id}`, times: -1 });
		const run = await runNode(ctx, { parameters: parameters(event.id) });
		collectForSecrets(run);
		expect(trapSummary()).toEqual([]);
		expect(run.success).toBe(false);
		expect(errorText(run.error)).toMatch(new RegExp(`redirect \\(HTTP ${status}\\) to ${escapeRegex(trap.url)}; not followed`));
		// Graph was asked once: nothing was repeated elsewhere or here.
		expect(run.graphRequests.filter((r) => r.method === method).length).toBe(1);
	});

	it('a redirect to the Base URL origin is followed with the token (GET)', async () => {
		const event = await newEvent(ctx.emu, 'Moved here');
		ctx.emu.addFault({ method: 'GET', pathPattern: `^/me/events/old-id$`, kind: 'redirect', status: 301, location: `${ctx.emu.url}/v1.0/me/events/${event.id}` });
		const run = await runNode(ctx, { parameters: { resource: 'event', operation: 'get', eventId: byId('old-id') } });
		expect(errorText(run.error)).toBe('');
		expect(run.output.map((item) => item.json.subject)).toEqual(['Moved here']);
		expect(run.graphRequests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /me/events/old-id 301', `GET /me/events/${event.id} 200`]);
	});

	it('a 302 on a DELETE to the same host is not turned into another request', async () => {
		const event = await newEvent(ctx.emu, 'Same host 302');
		ctx.emu.addFault({ method: 'DELETE', pathPattern: `/events/${escapeRegex(event.id)}$`, kind: 'redirect', status: 302, location: `${ctx.emu.url}/v1.0/me` });
		const run = await runNode(ctx, { parameters: { resource: 'event', operation: 'delete', eventId: byId(event.id) } });
		expect(errorText(run.error)).toMatch(/a DELETE is not turned into another request/);
		expect(run.graphRequests.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /me/events/${event.id}`]);
	});

	it.each<[string, Authentication, Record<string, unknown>, string]>([
		['Raw Request GET', 'oAuth2', { resource: 'rawRequest', operation: 'send', method: 'GET', path: '/me/messages' }, '^/me/messages$'],
		['Raw Request DELETE', 'oAuth2', { resource: 'rawRequest', operation: 'send', method: 'DELETE', path: '/me/messages/abc' }, '^/me/messages/abc$'],
		['app-only Get Current User', 'clientCredentials', { resource: 'user', operation: 'getCurrent' }, `^/users/`],
		['delegated Deprecated credential', 'oAuth2Deprecated', { resource: 'user', operation: 'getCurrent' }, '^/me$'],
	])('%s: redirect to another host refused, no token there', async (_name, authentication, parameters, pathPattern) => {
		ctx.emu.addFault({ pathPattern, kind: 'redirect', status: 307, location: `${trap.url}/steal`, times: -1 });
		const run = await runNode(ctx, { parameters, authentication });
		collectForSecrets(run);
		expect(trapSummary()).toEqual([]);
		expect(errorText(run.error)).toMatch(/redirect \(HTTP 307\).*not followed: the Microsoft token only goes to/);
	});

	it('a same-host nextLink page that redirects elsewhere: refused, no item of the other host in the output', async () => {
		const folder = await newFolder(ctx.emu, 'Redirect pages');
		seedMessages(ctx.emu.core, { userId: ADELE.id, folder: folder.id, count: 1100, subjectPrefix: 'Page', bodyBytes: 50 });
		ctx.emu.addFault({
			method: 'GET',
			pathPattern: `^/me/mailFolders/${escapeRegex(folder.id)}/messages$`,
			kind: 'redirect',
			status: 302,
			location: `${trap.url}/v1.0/me/messages?$skip=1000`,
			after: 1,
		});
		const run = await runNode(ctx, { parameters: { resource: 'message', operation: 'getAll', folderId: byId(folder.id), returnAll: true, options: { select: 'id' } } });
		collectForSecrets(run);
		expect(trapSummary()).toEqual([]);
		expect(run.success).toBe(false);
		expect(errorText(run.error)).toMatch(/redirect \(HTTP 302\)/);
	});
});

describe('"." and ".." IDs', () => {
	const dots = ['.', '..', '%2e%2E'];
	const operations: Array<[string, (id: string) => Record<string, unknown>]> = [
		['event.get', (id) => ({ resource: 'event', operation: 'get', eventId: byId(id) })],
		['event.delete', (id) => ({ resource: 'event', operation: 'delete', eventId: byId(id) })],
		['event.update', (id) => ({ resource: 'event', operation: 'update', eventId: byId(id), updateFields: { subject: 'x' } })],
		['event.cancel', (id) => ({ resource: 'event', operation: 'cancel', eventId: byId(id), comment: 'x' })],
		[
			'event.create in calendar',
			(id) => ({ resource: 'event', operation: 'create', calendarId: byId(id), subject: 'x', startDateTime: '2031-02-03T09:00:00', endDateTime: '2031-02-03T10:00:00', timeZone: 'UTC' }),
		],
		['calendar.delete', (id) => ({ resource: 'calendar', operation: 'delete', calendarId: byId(id) })],
		['calendar.update', (id) => ({ resource: 'calendar', operation: 'update', calendarId: byId(id), updateFields: { color: 'lightRed' } })],
		['message.get', (id) => ({ resource: 'message', operation: 'get', messageId: byId(id) })],
		['message.delete', (id) => ({ resource: 'message', operation: 'delete', messageId: byId(id) })],
		['folder.delete', (id) => ({ resource: 'folder', operation: 'delete', folderId: byId(id) })],
		['folder.getAll in parent', (id) => ({ resource: 'folder', operation: 'getAll', parentFolderId: byId(id), limit: 5 })],
		['subscription.delete', (id) => ({ resource: 'subscription', operation: 'delete', subscriptionId: id })],
		['subscription.updateExpiration', (id) => ({ resource: 'subscription', operation: 'updateExpiration', subscriptionId: id, expirationDateTime: '2031-01-01T00:00:00Z' })],
		['rawRequest path', (id) => ({ resource: 'rawRequest', operation: 'send', method: 'GET', path: `/me/events/${id}` })],
	];

	it.each(operations)('%s refuses ".", ".." and "%%2e%%2E" before any request', async (_name, parameters) => {
		for (const id of dots) {
			const run = await runNode(ctx, { parameters: parameters(id), continueOnFail: true });
			expect({ id, requests: run.graphRequests.map((r) => `${r.method} ${r.path}`) }).toEqual({ id, requests: [] });
			expect({ id, error: errorText(run.output[0]) }).toEqual({ id, error: expect.stringMatching(/is not a Microsoft Graph ID|"\." or "\.\."/) });
		}
	});
});

describe('Dynamic Attachments', () => {
	it('a value naming a missing binary property ("data", "file") is an error naming it, nothing is sent', async () => {
		for (const value of ['data', 'file']) {
			const run = await runNode(ctx, {
				parameters: {
					resource: 'message',
					operation: 'send',
					toRecipients: MEGAN.mail,
					subject: 'Garbage?',
					bodyContent: 'x',
					dynamicAttachments: JSON.stringify([{ key: 'report.pdf', value }]),
				},
				continueOnFail: true,
			});
			expect({ value, requests: run.graphRequests.map((r) => `${r.method} ${r.path}`) }).toEqual({ value, requests: [] });
			expect(errorText(run.output[0])).toContain(`the input item has no binary property "${value}"`);
		}
	});

	it('base64 content and data: URLs still attach', async () => {
		const run = await runNode(ctx, {
			parameters: {
				resource: 'message',
				operation: 'send',
				toRecipients: MEGAN.mail,
				subject: 'Real content',
				bodyContent: 'x',
				dynamicAttachments: JSON.stringify([
					{ key: 'a.txt', value: Buffer.from('hello attachment world').toString('base64') },
					{ key: 'b.txt', value: `data:text/plain;base64,${Buffer.from('hi').toString('base64')}` },
				]),
			},
		});
		expect(errorText(run.error)).toBe('');
		const send = run.graphRequests.find((r) => r.method === 'POST' && /sendMail$/.test(r.path));
		const attachments = (send?.body as any)?.message?.attachments ?? [];
		expect(attachments.map((a: any) => Buffer.from(a.contentBytes, 'base64').toString())).toEqual(['hello attachment world', 'hi']);
	});
});

describe('token endpoint answers', () => {
	it('a wrong client secret: one token request, not retried, Entra\'s error in the message', async () => {
		const credential = await importExtraCredential(ctx, 'clientCredentials', 'badSecretCred001', { clientSecret: 'wrong-secret-value-1234' });
		const run = await runNode(ctx, { parameters: { resource: 'user', operation: 'getCurrent' }, authentication: 'clientCredentials', credential });
		collectForSecrets(run);
		const tokenRequests = run.requests.filter((r) => r.area === 'identity' && /token$/.test(r.path));
		expect(tokenRequests.map((r) => r.status)).toEqual([401]);
		expect(run.graphRequests).toEqual([]);
		expect(errorText(run.error)).toMatch(/Microsoft sign-in refused the credential \[invalid_client\]/);
		expect(errorText(run.error)).not.toMatch(/No usable answer|EAUTH/);
		expect(errorText(run.error)).not.toContain('wrong-secret-value-1234');
	});

	it('a revoked refresh token: one refresh, not retried, Entra\'s error and description', async () => {
		const credential = await importExtraCredential(ctx, 'oAuth2', 'revokedRefresh01', {
			oauthTokenData: { access_token: 'emu-expired-at', token_type: 'Bearer', refresh_token: 'emu-revoked-refresh-token', expires_in: 3600 },
		});
		const run = await runNode(ctx, { parameters: { resource: 'user', operation: 'getCurrent' }, credential });
		collectForSecrets(run);
		const tokenRequests = run.requests.filter((r) => r.area === 'identity' && /token$/.test(r.path));
		expect(tokenRequests.length).toBe(1);
		expect(errorText(run.error)).toMatch(/Microsoft sign-in refused the credential \[invalid_grant\]/);
		// n8n 2.8 hands over Entra's answer (AADSTS…); n8n 2.41 replaces it with its own "reconnect" text.
		expect(errorText(run.error)).toMatch(/AADSTS|needs to be reconnected/);
	});

	it('a token endpoint that never answers: the item fails after the timeout, it does not hang', async () => {
		const credential = await importExtraCredential(ctx, 'clientCredentials', 'hangingToken0001', {});
		ctx.emu.addFault({ pathPattern: 'token$', kind: 'hang', times: -1 });
		const started = Date.now();
		const run = await runNode(ctx, {
			parameters: { resource: 'rawRequest', operation: 'send', method: 'GET', path: '/me', options: { timeout: 2000, maxRetryCount: 0 } },
			authentication: 'clientCredentials',
			credential,
		});
		expect(Date.now() - started).toBeLessThan(60_000);
		expect(run.graphRequests).toEqual([]);
		expect(errorText(run.error)).toMatch(/no answer from Microsoft Graph or the token endpoint within 2 s/);
	});
});

describe('inputs', () => {
	it('a numeric ID is an ID (sent), not "empty"', async () => {
		const run = await runNode(ctx, { parameters: { resource: 'event', operation: 'get', eventId: byId('={{ 12345 }}') }, continueOnFail: true });
		expect(run.graphRequests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /me/events/12345 404']);
		expect(errorText(run.output[0])).not.toMatch(/is empty/);
	});

	it('Page Limit "1e3" is sent as 1000', async () => {
		const run = await runNode(ctx, { parameters: { resource: 'message', operation: 'getAll', limit: '={{ "1e3" }}', options: { select: 'id' } } });
		expect(errorText(run.error)).toBe('');
		expect(run.graphRequests.map((r) => r.query.$top)).toEqual(['1000']);
	});

	it('an object given to a text field is refused by the field name, nothing sent', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ resource: 'message', operation: 'send', toRecipients: MEGAN.mail, subject: '={{ { a: 1 } }}', bodyContent: 'x' }, /^Subject must be text, but its expression returns an object/],
			[{ resource: 'calendar', operation: 'create', name: '={{ [1, 2] }}' }, /^Name must be text, but its expression returns an array/],
			[
				{ resource: 'event', operation: 'update', eventId: byId('AAMkEvt='), updateFields: { subject: '={{ { x: 1 } }}' } },
				/^Update Fields → Subject must be text/,
			],
			[{ resource: 'event', operation: 'get', eventId: byId('={{ { id: 1 } }}') }, /^Event (must be an ID or URL|is empty \(it is an object)/],
		];
		for (const [parameters, message] of cases) {
			const run = await runNode(ctx, { parameters, continueOnFail: true });
			expect({ parameters, requests: run.graphRequests.length }).toEqual({ parameters, requests: 0 });
			expect(errorText(run.output[0])).toMatch(message);
			expect(errorText(run.output[0])).not.toContain('[object Object]');
		}
	});
});

describe('the trigger', () => {
	let inbox: ActiveTrigger;

	beforeAll(async () => {
		inbox = await activateTrigger(ctx.n8n, 'sec-inbox', { watch: 'messages', changeTypes: ['created'] });
	});

	it('echoes only plausible validation tokens', async () => {
		const good = await post(`${inbox.url}?validationToken=${encodeURIComponent('Validation: Token abc+/=')}`, '', 'text/plain');
		expect([good.status, good.text]).toEqual([200, 'Validation: Token abc+/=']);
		for (const token of ['', 'a'.repeat(5000), 'evil\r\nSet-Cookie: x=1', 'nul\u0000byte']) {
			const answer = await post(`${inbox.url}?validationToken=${encodeURIComponent(token)}`, '', 'text/plain');
			expect({ length: token.length, status: answer.status }).toEqual({ length: token.length, status: 400 });
			expect(answer.text).not.toContain(token.length > 0 ? token : 'Validation');
		}
	});

	it('a notification whose item ID is ".." fetches nothing outside the item (no GET /me)', async () => {
		const subscription = subscriptionOf(ctx.emu, inbox);
		ctx.emu.clearRequests();
		const answer = await post(inbox.url, JSON.stringify({ value: [messageNotification(subscription, ADELE.id, '..', subscription.clientState)] }));
		expect(answer.status).toBe(202);
		const items = await until('the trigger run', async () => {
			const emitted = await emittedItems(ctx.n8n, inbox);
			return emitted.length > 0 ? emitted : undefined;
		});
		expect(ctx.emu.requests().filter((r) => r.area === 'graph' && r.method === 'GET' && !r.path.startsWith('/subscriptions')).map((r) => r.path)).toEqual([]);
		expect(String(items[items.length - 1].error?.message)).toMatch(/"\." or "\.\." segment/);
	});

	it('the trigger\'s fetch of a notified message is not redirected to another host', async () => {
		const subscription = subscriptionOf(ctx.emu, inbox);
		const before = (await emittedItems(ctx.n8n, inbox)).length;
		ctx.emu.addFault({ method: 'GET', pathPattern: '/messages/AAMkRedirected', kind: 'redirect', status: 302, location: `${trap.url}/x`, times: -1 });
		await post(inbox.url, JSON.stringify({ value: [messageNotification(subscription, ADELE.id, 'AAMkRedirected', subscription.clientState)] }));
		const items = await until('the trigger run', async () => {
			const emitted = await emittedItems(ctx.n8n, inbox);
			return emitted.length > before ? emitted : undefined;
		});
		expect(trapSummary()).toEqual([]);
		expect(JSON.stringify(items[items.length - 1])).toMatch(/redirect \(HTTP 302\)/);
	});

	it('no clientState in any execution\'s data', async () => {
		const subscription = subscriptionOf(ctx.emu, inbox);
		const executions = await ctx.n8n.executions(inbox.id, { includeData: true, limit: 250 });
		expect(executions.length).toBeGreaterThan(0);
		const text = JSON.stringify(executions);
		collectText(text);
		expect(text.includes(subscription.clientState)).toBe(false);
	});
});

describe('secrets', () => {
	it('no token, client secret or clientState in n8n\'s log, node outputs or errors', async () => {
		await expectNoSecrets(ctx);
	});
});
