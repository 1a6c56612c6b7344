/**
 * The transport (shared/transport/policy.ts withGraphPolicy, shared/routing.ts sendItemThroughGraph)
 * inside n8n-core's execution engine against the in-process emulator (real HTTP): retries, the
 * item's deadline, Graph's words in errors. Seconds, not a real-n8n run.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { withGraphPolicy } from '../../nodes/MicrosoftOutlookExt/shared/transport/policy';
import { DEFAULT_RETRY_POLICY } from '../../nodes/MicrosoftOutlookExt/shared/transport/retry';
import type { GraphTarget } from '../../nodes/MicrosoftOutlookExt/shared/transport/target';
import { DEFAULT_USERS, startEmulator, type Emulator } from './index';
import { adeleCredential, CREDENTIAL_TYPE, engineFor, stopEngine } from './n8n-engine';

jest.setTimeout(60_000);

let emu: Emulator;
let credential: ICredentialDataDecryptedObject;

beforeAll(async () => {
	emu = await startEmulator();
	credential = await adeleCredential(emu);
});

afterEach(() => emu.clearFaults());

afterAll(async () => {
	await emu.close();
	stopEngine();
});

const graphRequests = () => emu.requests().filter((r) => r.area === 'graph');

describe('withGraphPolicy in n8n-core', () => {
	const target = (): GraphTarget => ({ credentialType: CREDENTIAL_TYPE, root: `${emu.url}/v1.0`, mailboxPrefix: '/me', gateKey: `policy-${Math.random()}|me`, itemIndex: 0 });

	/** GET /me through n8n's authenticated request helper, as the transport's attempts do. */
	const getMe = (context: ReturnType<typeof engineFor>['context'], t: GraphTarget) => async ({ timeoutMs }: { timeoutMs: number }) => {
		const response = (await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
			method: 'GET',
			url: `${t.root}/me`,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
		})) as { statusCode: number; headers: Record<string, unknown>; body: { userPrincipalName?: string } };
		return { ...response, value: response.body };
	};

	it('waits Retry-After after a 429 and returns the next answer', async () => {
		emu.clearRequests();
		emu.addFault({ method: 'GET', pathPattern: '^/me$', kind: 'status', status: 429, code: 'TooManyRequests', retryAfter: '0.2', times: 1 });
		const { context } = engineFor(credential, { resource: 'user', operation: 'getCurrent' });
		const t = target();
		const me = await withGraphPolicy(context, t, getMe(context, t));
		expect(me.userPrincipalName).toMatch(/^AdeleV@/);
		expect(graphRequests().map((r) => r.status)).toEqual([429, 200]);
	});

	it('Timeout bounds the whole loop: a hung answer ends it at the deadline, no second attempt', async () => {
		emu.clearRequests();
		emu.addFault({ method: 'GET', pathPattern: '^/me$', kind: 'hang', times: -1 });
		const { context } = engineFor(credential, { resource: 'user', operation: 'getCurrent' });
		const t = target();
		const started = Date.now();
		await expect(withGraphPolicy(context, t, getMe(context, t), { ...DEFAULT_RETRY_POLICY, timeoutMs: 800 })).rejects.toThrow(
			/^No usable answer from Microsoft Graph after 1 attempt /,
		);
		expect(Date.now() - started).toBeLessThan(2_500);
		expect(graphRequests()).toHaveLength(1);
	});

	it('a Retry-After that ends after the deadline is not waited for: Graph\'s 429 is the answer', async () => {
		emu.clearRequests();
		emu.addFault({ method: 'GET', pathPattern: '^/me$', kind: 'status', status: 429, code: 'TooManyRequests', retryAfter: '30', times: 1 });
		const { context } = engineFor(credential, { resource: 'user', operation: 'getCurrent' });
		const t = target();
		const started = Date.now();
		await expect(withGraphPolicy(context, t, getMe(context, t), { ...DEFAULT_RETRY_POLICY, timeoutMs: 2_000 })).rejects.toThrow(/\[TooManyRequests\]$/);
		expect(Date.now() - started).toBeLessThan(1_500);
	});

	it('a 403 with an empty Graph code names the status, never "[]"', async () => {
		emu.addFault({ method: 'GET', pathPattern: '^/me$', kind: 'status', status: 403, code: '', message: 'Insufficient privileges to complete the operation.', times: 1 });
		const { context } = engineFor(credential, { resource: 'user', operation: 'getCurrent' });
		const t = target();
		const failure = (await withGraphPolicy(context, t, getMe(context, t)).then(
			() => undefined,
			(error: unknown) => error,
		)) as { message?: string; description?: string } | undefined;
		expect(failure?.message).toBe('Access denied by Microsoft Graph: check the permissions granted to the app [HTTP 403]');
		expect(failure?.description).toMatch(/^Insufficient privileges to complete the operation\. \(code: HTTP 403, request-id: [0-9a-f-]{36}\)$/);
	});
});

describe('sendItemThroughGraph through n8n-core RoutingNode', () => {
	it('each item gets its own answer; a Graph error item under Continue On Fail keeps Graph\'s message and request-id', async () => {
		const created = await (await fetch(`${emu.url}/v1.0/me/events`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${emu.issueToken({ userId: DEFAULT_USERS.adele.id })}`, 'content-type': 'application/json' },
			body: JSON.stringify({ subject: 'Engine read', start: { dateTime: '2031-01-01T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2031-01-01T10:00:00', timeZone: 'UTC' } }),
		})).json() as { id: string };
		emu.clearRequests();
		const engine = engineFor(
			credential,
			{ resource: 'event', operation: 'get', eventId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
			[{ json: { id: created.id } }, { json: { id: 'AAMkMissing' } }],
			{ continueOnFail: true },
		);
		const output = await engine.runNode();
		expect(output[0].json.subject).toBe('Engine read');
		expect(output[0].pairedItem).toEqual({ item: 0 });
		const missing = graphRequests().find((r) => r.path === '/me/events/AAMkMissing')!;
		expect(output[1].error?.message).toMatch(new RegExp(`^The item was not found in the mailbox: check the ID — .+ \\(request-id: ${missing.requestId}\\) \\[ErrorItemNotFound\\]$`));
		expect(output[1].pairedItem).toEqual({ item: 1 });
	});
});
