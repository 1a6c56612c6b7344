/**
 * Raw Request in real n8n against the emulator: GET/POST/PATCH/DELETE with query, headers and JSON
 * bodies as the emulator received them, /me scoping for client credentials, multipart form + file data,
 * text and binary responses, the retry options (fault rules), and bad input refused before any request.
 * Run: npm run build && npx jest test/e2e/rawRequest.test.ts
 */
import { ADELE, runOutlookNode, useE2E } from './support';

const ctx = useE2E();

afterEach(() => {
	ctx?.emu.clearFaults();
});

const raw = (parameters: Record<string, unknown>) => ({ resource: 'rawRequest', operation: 'send', ...parameters });

describe('Raw Request', () => {
	let messageId: string;
	let folderId: string;

	it('GETs with query parameters and headers, and outputs the JSON body', async () => {
		const run = await runOutlookNode(ctx, {
			parameters: raw({
				method: 'GET',
				path: '/me/messages',
				queryParameters: { parameters: [{ name: '$top', value: '2' }, { name: '$select', value: 'subject,from' }] },
				headerParameters: { parameters: [{ name: 'Prefer', value: 'outlook.body-content-type="text"' }] },
			}),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests).toHaveLength(1);
		const [request] = run.graphRequests;
		expect(request).toMatchObject({ method: 'GET', path: '/me/messages', query: { $top: '2', $select: 'subject,from' } });
		expect(request.headers.prefer).toBe('outlook.body-content-type="text"');
		expect(run.output).toHaveLength(1);
		const body = run.output[0].json;
		expect(body['@odata.context']).toContain('messages');
		expect(body.value).toHaveLength(2);
		expect(Object.keys(body.value[0]).sort()).toEqual(expect.arrayContaining(['id', 'subject', 'from']));
		messageId = body.value[0].id;
	});

	it('POSTs and PATCHes JSON Data, then DELETEs (204 → status item)', async () => {
		const created = await runOutlookNode(ctx, {
			parameters: raw({ method: 'POST', path: 'me/mailFolders', jsonData: '{"displayName": "Raw E2E"}' }),
		});
		expect(created.error).toBeUndefined();
		expect(created.graphRequests.map((r) => [r.method, r.path, r.body])).toEqual([
			['POST', '/me/mailFolders', { displayName: 'Raw E2E' }],
		]);
		expect(created.graphRequests[0].headers['content-type']).toContain('application/json');
		expect(created.output[0].json).toMatchObject({ displayName: 'Raw E2E' });
		folderId = created.output[0].json.id;

		const patched = await runOutlookNode(ctx, {
			parameters: raw({
				method: 'PATCH',
				path: `/v1.0/me/mailFolders/${folderId}`,
				specifyQuery: 'json',
				jsonQuery: '{"$select": "displayName"}',
				jsonData: { displayName: 'Raw E2E renamed' },
			}),
		});
		expect(patched.error).toBeUndefined();
		expect(patched.graphRequests.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
			['PATCH', `/me/mailFolders/${folderId}`, { $select: 'displayName' }, { displayName: 'Raw E2E renamed' }],
		]);
		expect(patched.output[0].json).toMatchObject({ id: folderId, displayName: 'Raw E2E renamed' });

		const deleted = await runOutlookNode(ctx, { parameters: raw({ method: 'DELETE', path: `/me/mailFolders/${folderId}` }) });
		expect(deleted.error).toBeUndefined();
		expect(deleted.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
			['DELETE', `/me/mailFolders/${folderId}`, 204],
		]);
		expect(deleted.output.map((o) => o.json)).toEqual([{ statusCode: 204 }]);
	});

	it('scopes /me to the User ID with client credentials (also for /v1.0 and absolute Graph URLs)', async () => {
		const run = await runOutlookNode(ctx, {
			authentication: 'clientCredentials',
			items: [{ path: '/me' }, { path: '/v1.0/me/mailFolders/inbox' }, { path: `${ctx.emu.url}/v1.0/me/mailFolders/drafts` }],
			parameters: raw({ method: 'GET', path: '={{ $json.path }}' }),
		});
		expect(run.error).toBeUndefined();
		const graph = run.graphRequests.filter((r) => r.area === 'graph');
		expect(graph.map((r) => [r.method, r.path]).sort()).toEqual(
			[
				['GET', `/users/${ADELE.userPrincipalName}`],
				['GET', `/users/${ADELE.userPrincipalName}/mailFolders/inbox`],
				['GET', `/users/${ADELE.userPrincipalName}/mailFolders/drafts`],
			].sort(),
		);
		expect(graph.every((r) => r.auth?.appOnly === true)).toBe(true);
		expect(run.output.map((o) => [o.json.userPrincipalName ?? o.json.displayName, o.pairedItem])).toEqual([
			[ADELE.userPrincipalName, { item: 0 }],
			['Inbox', { item: 1 }],
			['Drafts', { item: 2 }],
		]);
	});

	it('sends Form Data and File Data as multipart/form-data with the binary file name', async () => {
		const fileText = 'line one\nline two: ünïcode\n';
		const run = await runOutlookNode(ctx, {
			binaryItems: [
				{
					json: {},
					binary: {
						report: { base64: Buffer.from(fileText).toString('base64'), fileName: 'report.txt', mimeType: 'text/plain' },
					},
				},
			],
			continueOnFail: true,
			parameters: raw({
				method: 'POST',
				path: '/me/e2eMultipartEcho',
				formData: { parameters: [{ name: 'title', value: 'Quarterly "report"' }] },
				fileData: { parameters: [{ name: 'attachment', binaryPropertyName: 'report' }] },
			}),
		});
		// The emulator has no such route (404), but it records what arrived.
		expect(run.graphRequests).toHaveLength(1);
		const [request] = run.graphRequests;
		expect(request.method).toBe('POST');
		const contentType = String(request.headers['content-type']);
		const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(contentType)?.[1];
		expect(boundary).toBeDefined();
		const expected = [
			`--${boundary}`,
			'Content-Disposition: form-data; name="title"',
			'',
			'Quarterly "report"',
			`--${boundary}`,
			'Content-Disposition: form-data; name="attachment"; filename="report.txt"',
			'Content-Type: text/plain',
			'',
			fileText,
			`--${boundary}--`,
			'',
		].join('\r\n');
		// The emulator logs multipart bodies by size only ("<n bytes>"); the exact size pins the layout.
		expect(request.bodyBytes).toBe(Buffer.byteLength(expected));
		if (typeof request.body === 'string' && !/^<\d+ bytes>$/.test(request.body)) expect(request.body).toBe(expected);
		expect(run.output[0].json.error ?? run.output[0].error?.message).toBeDefined();
	});

	it('returns text and binary responses', async () => {
		const run = await runOutlookNode(ctx, {
			items: [
				{ type: 'text', path: `/me/messages/${messageId}/$value` },
				{ type: 'binary', path: `/me/messages/${messageId}/$value` },
				{ type: 'text', path: '/me' },
			],
			parameters: raw({ method: 'GET', path: '={{ $json.path }}', responseType: '={{ $json.type }}' }),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests).toHaveLength(3);
		const [text, binary, meAsText] = run.output;
		expect(typeof text.json.data).toBe('string');
		expect(text.json.data).toMatch(/^[\s\S]*Subject: /m);
		expect(binary.json).toMatchObject({ statusCode: 200, contentType: expect.stringContaining('text/plain') });
		const bytes = ctx.n8n.readBinary(binary.binary!.data);
		expect(bytes.toString('utf8')).toBe(text.json.data);
		expect(binary.json.bytes).toBe(bytes.length);
		expect(binary.binary!.data.mimeType).toBe('text/plain');
		// Text of a JSON endpoint is the JSON as sent, not an error.
		expect(JSON.parse(meAsText.json.data)).toMatchObject({ userPrincipalName: ADELE.userPrincipalName });
	});

	it('refuses bad input before any request: another host, bad JSON, Authorization header, bad retry option', async () => {
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [
				{ path: 'https://evil.example.com/v1.0/me', body: '{}', auth: '' },
				{ path: '/me/mailFolders', body: '{"displayName": "x",}', auth: '' },
				{ path: '/me/mailFolders', body: '{}', auth: 'Authorization' },
				{ path: '/me/mailFolders', body: '"just a string"', auth: '' },
			],
			parameters: raw({
				method: 'POST',
				path: '={{ $json.path }}',
				jsonData: '={{ $json.body }}',
				headerParameters: { parameters: [{ name: '={{ $json.auth || "X-Test" }}', value: 'Bearer stolen' }] },
			}),
		});
		expect(run.requests).toEqual([]);
		const messages = run.output.map((o) => String(o.json.error ?? o.error?.message ?? ''));
		expect(messages[0]).toContain('is not on http://127.0.0.1');
		expect(messages[1]).toContain('JSON Data is not valid JSON');
		expect(messages[2]).toContain('Headers: Authorization cannot be set');
		expect(messages[3]).toContain('JSON Data must be a JSON object or array');

		const badOption = await runOutlookNode(ctx, {
			parameters: raw({ method: 'GET', path: '/me', options: { maxRetryCount: 50 } }),
		});
		expect(badOption.requests).toEqual([]);
		expect(badOption.error?.message).toBe('Max Retry Count must be a whole number from 0 to 10');
	});

	it('retries a 500 twice with Max Retry Count 3 and the Retry Delay, then succeeds', async () => {
		ctx.emu.addFault({ method: 'GET', pathPattern: '^/me/mailFolders/inbox$', kind: 'status', status: 500, times: 2 });
		const run = await runOutlookNode(ctx, {
			parameters: raw({
				method: 'GET',
				path: '/me/mailFolders/inbox',
				options: { maxRetryCount: 3, retryDelay: 400, useExponentialBackoff: false },
			}),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.path, r.status])).toEqual([
			['GET', '/me/mailFolders/inbox', 500],
			['GET', '/me/mailFolders/inbox', 500],
			['GET', '/me/mailFolders/inbox', 200],
		]);
		const gaps = run.graphRequests.slice(1).map((r, i) => r.startedAtMs - (run.graphRequests[i].finishedAtMs ?? 0));
		for (const gap of gaps) {
			expect(gap).toBeGreaterThanOrEqual(350);
			expect(gap).toBeLessThan(2000);
		}
		expect(run.output[0].json.displayName).toBe('Inbox');
	});

	it('retries a 400 only with Retry On All Errors', async () => {
		ctx.emu.addFault({ method: 'GET', pathPattern: '^/me/mailFolders/drafts$', kind: 'status', status: 400, code: 'BadRequest', times: 1 });
		const run = await runOutlookNode(ctx, {
			parameters: raw({ method: 'GET', path: '/me/mailFolders/drafts', options: { retryOnAllErrors: true, retryDelay: 100 } }),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => r.status)).toEqual([400, 200]);
		expect(run.output[0].json.displayName).toBe('Drafts');
	});

	it('retries a throttled POST after Retry-After, not after the (shorter) Retry Delay', async () => {
		ctx.emu.addFault({ method: 'POST', pathPattern: '^/me/mailFolders$', kind: 'status', status: 429, retryAfter: '1', times: 1 });
		const run = await runOutlookNode(ctx, {
			parameters: raw({ method: 'POST', path: '/me/mailFolders', jsonData: '{"displayName": "Raw E2E throttled"}', options: { retryDelay: 50 } }),
		});
		expect(run.error).toBeUndefined();
		expect(run.graphRequests.map((r) => [r.method, r.status])).toEqual([
			['POST', 429],
			['POST', 201],
		]);
		const [first, second] = run.graphRequests;
		expect(second.startedAtMs - (first.finishedAtMs ?? 0)).toBeGreaterThanOrEqual(900);
		expect(run.output[0].json.displayName).toBe('Raw E2E throttled');
	});

	// Timeout bounds the whole item, so a GET that timed out has no time left to repeat; one whose connection reset has.
	it('by default never retries a 400 or a POST 500, but retries a GET whose answer was lost', async () => {
		ctx.emu.addFault({ method: 'GET', pathPattern: '^/me/mailFolders/drafts$', kind: 'status', status: 400, code: 'BadRequest', message: 'Nope', times: 1 });
		ctx.emu.addFault({ method: 'POST', pathPattern: '^/me/mailFolders$', kind: 'status', status: 500, times: 1 });
		ctx.emu.addFault({ method: 'GET', pathPattern: '^/me/mailFolders/sentitems$', kind: 'reset-before-body', times: 1 });
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: [
				{ method: 'GET', path: '/me/mailFolders/drafts' },
				{ method: 'POST', path: '/me/mailFolders' },
				{ method: 'GET', path: '/me/mailFolders/sentitems' },
			],
			parameters: raw({ method: '={{ $json.method }}', path: '={{ $json.path }}', options: { retryDelay: 100, timeout: 1000 } }),
		});
		const byPath = (path: string) => run.graphRequests.filter((r) => r.path === path);
		expect(byPath('/me/mailFolders/drafts').map((r) => r.status)).toEqual([400]);
		expect(byPath('/me/mailFolders').map((r) => [r.method, r.status])).toEqual([['POST', 500]]);
		expect(byPath('/me/mailFolders/sentitems')).toHaveLength(2);
		const messages = run.output.map((o) => String(o.json.error ?? o.error?.message ?? ''));
		expect(messages[0]).toContain('[BadRequest]');
		expect(messages[1]).toContain('Microsoft Graph had an internal error');
		expect(run.output[2].json.displayName).toBe('Sent Items');
	});
});
