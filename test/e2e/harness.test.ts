/**
 * Proves the real-n8n harness with built-in nodes (plus a tiny probe community package, so the package
 * loading route is covered without depending on our own build).
 * Run: node test/harness/ensure-n8n.js && npx jest test/e2e/harness.test.ts
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { N8nHarness, nodeType, type CredentialFixture } from '../harness/n8n';
import { resolveRuntimeDir } from '../harness/runtime';
import { ITEMS_NODE_NAME, manualWorkflow, webhookWorkflow } from '../harness/workflows';

const ensureN8n = require('../harness/ensure-n8n.js') as { resolveRuntimeDir(env?: NodeJS.ProcessEnv): string };

// jest.config.js sets testTimeout per project, but jest 30 only honours the top-level (global) value.
jest.setTimeout(240_000);

const PROBE_PACKAGE = 'n8n-nodes-harness-probe';

/** A minimal community package (compiled JS) with one node that echoes its input and a parameter. */
function writeProbePackage(): string {
	const dir = mkdtempSync(join(tmpdir(), 'n8n-probe-pkg-'));
	mkdirSync(join(dir, 'dist', 'nodes'), { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify({
			name: PROBE_PACKAGE,
			version: '0.0.1',
			main: 'index.js',
			keywords: ['n8n-community-node-package'],
			n8n: { n8nNodesApiVersion: 1, credentials: [], nodes: ['dist/nodes/HarnessProbe.node.js'] },
			peerDependencies: { 'n8n-workflow': '*' },
		}),
	);
	writeFileSync(join(dir, 'index.js'), 'module.exports = {};\n');
	writeFileSync(
		join(dir, 'dist', 'nodes', 'HarnessProbe.node.js'),
		`'use strict';
const { NodeConnectionTypes } = require('n8n-workflow');
class HarnessProbe {
	constructor() {
		this.description = {
			displayName: 'Harness Probe', name: 'harnessProbe', group: ['transform'], version: 1,
			description: 'harness self-test', defaults: { name: 'Harness Probe' },
			inputs: [NodeConnectionTypes.Main], outputs: [NodeConnectionTypes.Main],
			properties: [{ displayName: 'Tag', name: 'tag', type: 'string', default: '' }],
		};
	}
	async execute() {
		return [this.getInputData().map((item, i) => ({
			json: { ...item.json, tag: this.getNodeParameter('tag', i), probeNodeVersion: process.version },
			pairedItem: { item: i },
		}))];
	}
}
module.exports = { HarnessProbe };
`,
	);
	return dir;
}

/** Records the headers of each request and answers with a small JSON body. */
async function startEchoServer(): Promise<{ server: Server; url: string; requests: IncomingHttpHeaders[] }> {
	const requests: IncomingHttpHeaders[] = [];
	const server = createServer((req, res) => {
		requests.push(req.headers);
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify({ path: req.url }));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return { server, url: `http://127.0.0.1:${port}`, requests };
}

function sqliteFilesContain(userFolder: string, needle: string): boolean {
	const dir = join(userFolder, '.n8n');
	return readdirSync(dir)
		.filter((file) => file.startsWith('database.sqlite'))
		.some((file) => readFileSync(join(dir, file)).includes(needle));
}

describe('runtime location', () => {
	it('resolves the same runtime dir in ensure-n8n.js and runtime.ts', () => {
		expect(resolveRuntimeDir({})).toBe(ensureN8n.resolveRuntimeDir({}));
		const custom = { N8N_RUNTIME_DIR: '/opt/somewhere/n8n' };
		expect(resolveRuntimeDir(custom)).toBe('/opt/somewhere/n8n');
		expect(ensureN8n.resolveRuntimeDir(custom)).toBe('/opt/somewhere/n8n');
		const latest = { N8N_RUNTIME: 'latest' };
		expect(resolveRuntimeDir(latest)).toBe(ensureN8n.resolveRuntimeDir(latest));
		expect(resolveRuntimeDir(latest)).not.toBe(resolveRuntimeDir({}));
	});

	it('names our node types <package>.<node>', () => {
		expect(nodeType('microsoftOutlookExt')).toBe('n8n-nodes-microsoft-outlook-ext.microsoftOutlookExt');
		expect(nodeType('microsoftOutlookExtTrigger')).toBe('n8n-nodes-microsoft-outlook-ext.microsoftOutlookExtTrigger');
	});

});

describe('N8nHarness with the CLI', () => {
	let n8n: N8nHarness;
	let probeDir: string;

	beforeAll(async () => {
		probeDir = writeProbePackage();
		n8n = await N8nHarness.create({ loadPackage: false, extraPackages: [probeDir] });
	});

	afterAll(async () => {
		await n8n?.dispose();
		rmSync(probeDir, { recursive: true, force: true });
	});

	it('runs 3 input items through a built-in node and keeps pairedItem', async () => {
		const result = await n8n.runWorkflow(
			manualWorkflow({
				id: 'harnessItems0001',
				items: [{ n: 1, label: 'one {{ not an expression }}' }, { n: 2, nested: { list: [1, 2] } }, { n: 3 }],
				node: {
					name: 'Times Ten',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					parameters: {
						mode: 'manual',
						includeOtherFields: true,
						assignments: {
							assignments: [{ id: 'a1', name: 'times10', type: 'number', value: '={{ $json.n * 10 }}' }],
						},
						options: {},
					},
				},
			}),
		);
		expect(result.success).toBe(true);
		expect(result.exitCode).toBe(0);
		const output = n8n.nodeOutput(result, 'Times Ten');
		expect(output.map((item) => item.json)).toEqual([
			{ n: 1, label: 'one {{ not an expression }}', times10: 10 },
			{ n: 2, nested: { list: [1, 2] }, times10: 20 },
			{ n: 3, times10: 30 },
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(() => n8n.nodeOutput(result, 'No Such Node')).toThrow(/nodes that ran: Start/);
	});

	it('reads a 30 MB run whole (from n8n\'s database, not from what execute prints)', async () => {
		const result = await n8n.runWorkflow({
			id: 'harnessLarge0001',
			name: 'harnessLarge0001',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{ id: 'l1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'l2',
					name: 'Make',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [220, 0],
					parameters: { mode: 'raw', jsonOutput: "={{ { rows: Array.from({ length: 5000 }, (_, n) => ({ n, text: 'x'.repeat(2000) })) } }}", options: {} },
				},
				{ id: 'l3', name: 'Split', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [440, 0], parameters: { fieldToSplitOut: 'rows', options: {} } },
				{ id: 'l4', name: 'Pass', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [660, 0], parameters: {} },
			],
			connections: {
				Start: { main: [[{ node: 'Make', type: 'main', index: 0 }]] },
				Make: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
				Split: { main: [[{ node: 'Pass', type: 'main', index: 0 }]] },
			},
		});
		expect(result.success).toBe(true);
		const output = n8n.nodeOutput(result, 'Pass');
		expect(output.length).toBe(5000);
		expect(output[4999].json).toEqual({ n: 4999, text: 'x'.repeat(2000) });
		expect(JSON.stringify(result.data).length).toBeGreaterThan(25_000_000);
		// Nothing of the run went through stdout.
		expect(result.stdout.length).toBeLessThan(100_000);
	});

	it('feeds binary items that a built-in node can read', async () => {
		const text = 'hello from the harness\n';
		const result = await n8n.runWorkflow(
			manualWorkflow({
				id: 'harnessBinary001',
				binaryItems: [
					{
						json: { k: 'a' },
						binary: {
							attachment: { base64: Buffer.from(text).toString('base64'), fileName: 'hello.txt', mimeType: 'text/plain' },
						},
					},
					{ json: { k: 'b' }, binary: { attachment: { base64: Buffer.from('second').toString('base64'), fileName: 's.txt' } } },
				],
				node: {
					name: 'Extract',
					type: 'n8n-nodes-base.extractFromFile',
					parameters: { operation: 'text', binaryPropertyName: 'attachment', destinationKey: 'content', options: {} },
				},
			}),
		);
		expect(result.success).toBe(true);
		const fed = n8n.nodeOutput(result, ITEMS_NODE_NAME);
		expect(fed[0].json).toEqual({ k: 'a' });
		expect(fed[0].binary?.attachment).toMatchObject({ fileName: 'hello.txt', mimeType: 'text/plain', fileExtension: 'txt' });
		expect(n8n.readBinary(fed[0].binary!.attachment).toString()).toBe(text);
		const extracted = n8n.nodeOutput(result, 'Extract');
		expect(extracted.map((item) => item.json.content)).toEqual([text, 'second']);
		expect(extracted.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('reports a failing workflow with its error', async () => {
		const result = await n8n.runWorkflow(
			manualWorkflow({
				id: 'harnessFail00001',
				node: { name: 'Boom', type: 'n8n-nodes-base.stopAndError', parameters: { errorMessage: 'boom on purpose' } },
			}),
		);
		expect(result.success).toBe(false);
		expect(result.exitCode).toBe(1);
		expect(result.error?.message).toBe('boom on purpose');
		expect(n8n.nodeError(result, 'Boom')).toMatchObject({ message: 'boom on purpose' });
		expect(n8n.nodeError(result, 'Start')).toBeUndefined();
	});

	it('rejects execute/publish of an unknown workflow instead of reporting a workflow failure', async () => {
		await expect(n8n.execute('noSuchWorkflow01')).rejects.toThrow(/saved no execution \(exit code 1; an unknown workflow id/);
		await expect(n8n.publish('noSuchWorkflow01')).rejects.toThrow(/Workflow "noSuchWorkflow01" not found/);
	});

	it('imports credentials encrypted, exports them decrypted, and uses them in a node', async () => {
		const echo = await startEchoServer();
		try {
			const headerSecret = 'hdr-secret-8c1f2e';
			const credentials: CredentialFixture[] = [
				{ id: 'harnessHeader001', name: 'Header auth', type: 'httpHeaderAuth', data: { name: 'X-Api-Key', value: headerSecret } },
				{
					id: 'harnessOauth0001',
					name: 'MS OAuth',
					type: 'microsoftOAuth2Api',
					data: {
						clientId: 'cid',
						clientSecret: 'csecret-31d9',
						accessTokenUrl: 'http://127.0.0.1:1/token',
						oauthTokenData: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1' },
					},
				},
			];
			await n8n.importCredentials(credentials);
			for (const credential of credentials) {
				expect(await n8n.exportCredential(credential.id)).toEqual(credential.data);
			}
			expect(sqliteFilesContain(n8n.userFolder, headerSecret)).toBe(false);

			const result = await n8n.runWorkflow(
				manualWorkflow({
					id: 'harnessCredUse01',
					node: {
						name: 'Call',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						parameters: { url: `${echo.url}/echo`, authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth', options: {} },
						credentials: { httpHeaderAuth: { id: 'harnessHeader001', name: 'Header auth' } },
					},
				}),
			);
			expect(result.success).toBe(true);
			expect(n8n.nodeOutput(result, 'Call')[0].json).toEqual({ path: '/echo' });
			expect(echo.requests).toHaveLength(1);
			expect(echo.requests[0]['x-api-key']).toBe(headerSecret);
		} finally {
			echo.server.close();
		}
	});

	it('loads a community package from <userFolder>/.n8n/nodes/node_modules', async () => {
		const result = await n8n.runWorkflow(
			manualWorkflow({
				id: 'harnessProbe0001',
				items: [{ i: 0 }, { i: 1 }],
				node: { name: 'Probe', type: `${PROBE_PACKAGE}.harnessProbe`, parameters: { tag: 'loaded' } },
			}),
		);
		expect(result.success).toBe(true);
		expect(n8n.nodeOutput(result, 'Probe')).toEqual([
			{ json: { i: 0, tag: 'loaded', probeNodeVersion: process.version }, pairedItem: { item: 0 } },
			{ json: { i: 1, tag: 'loaded', probeNodeVersion: process.version }, pairedItem: { item: 1 } },
		]);
	});
});

describe('N8nHarness with the server', () => {
	const headerSecret = 'srv-hdr-secret-5e';
	let n8n: N8nHarness;

	beforeAll(async () => {
		n8n = await N8nHarness.create({ loadPackage: false });
		// Imported before the server and the owner exist, as the e2e suites do.
		await n8n.importCredentials([
			{ id: 'harnessSrvCred01', name: 'Srv header', type: 'httpHeaderAuth', data: { name: 'X-Api-Key', value: headerSecret } },
		]);
	});

	afterAll(async () => {
		await n8n?.dispose();
	});

	it('serves a webhook workflow created and activated through the public API', async () => {
		await n8n.start();
		expect(n8n.isRunning).toBe(true);
		const owner = await n8n.setupOwner();
		expect(owner.apiKey.length).toBeGreaterThan(20);
		expect(owner.cookie).toMatch(/^n8n-auth=/);
		const types = (await n8n.loadedNodeTypes()).map((type) => type.name);
		expect(types).toContain('n8n-nodes-base.webhook');
		expect(types.some((name) => name.startsWith('n8n-nodes-microsoft-outlook-ext.'))).toBe(false); // loadPackage: false

		const workflow = webhookWorkflow({
			id: 'unusedByTheApi01',
			name: 'harness live webhook',
			path: 'harness-live',
			node: {
				name: 'Reply',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				parameters: {
					mode: 'manual',
					assignments: { assignments: [{ id: 'r1', name: 'echo', type: 'string', value: '={{ $json.query.msg }}' }] },
					options: {},
				},
			},
		});
		const url = n8n.webhookUrl('harness-live');
		expect(url).toBe(`${n8n.baseUrl}/webhook/harness-live`);
		expect((await fetch(`${url}?msg=before`)).status).toBe(404);

		const id = await n8n.apiCreateWorkflow(workflow);
		await n8n.activate(id);
		const response = await fetch(`${url}?msg=hi%20there`);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual([{ echo: 'hi there' }]);

		const [execution] = await n8n.waitForExecutions(id, 1);
		expect(n8n.nodeOutput(execution, 'Reply').map((item) => item.json)).toEqual([{ echo: 'hi there' }]);

		await n8n.deactivate(id);
		expect((await fetch(`${url}?msg=after`)).status).toBe(404);
	});

	it('runs CLI execute next to the running server (separate task broker ports)', async () => {
		expect(n8n.isRunning).toBe(true);
		// The Code feeder needs a JS task runner in the CLI process too, while the server's runner is up.
		const result = await n8n.runWorkflow(
			manualWorkflow({
				id: 'harnessSideBy001',
				binaryItems: [{ json: { side: true } }],
				node: { name: 'Pass', type: 'n8n-nodes-base.noOp', parameters: {} },
			}),
		);
		expect(result.success).toBe(true);
		expect(n8n.nodeOutput(result, 'Pass').map((item) => item.json)).toEqual([{ side: true }]);
	});

	it('runs manual workflows on the server (fast path) with the same results as CLI execute', async () => {
		const items = manualWorkflow({
			id: 'harnessSrvItems1',
			items: [{ n: 1 }, { n: 2 }, { n: 3 }],
			node: {
				name: 'Times Ten',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				parameters: {
					mode: 'manual',
					includeOtherFields: true,
					assignments: { assignments: [{ id: 'a1', name: 'times10', type: 'number', value: '={{ $json.n * 10 }}' }] },
					options: {},
				},
			},
		});
		const viaCli = await n8n.runWorkflow(items);
		const viaServer = await n8n.runOnServer(items);
		expect(viaServer.success).toBe(true);
		expect(viaServer.data.mode).toBe('manual');
		expect(n8n.nodeOutput(viaServer, 'Times Ten')).toEqual(n8n.nodeOutput(viaCli, 'Times Ten'));
		expect(n8n.nodeOutput(viaServer, 'Times Ten').map((item) => item.json.times10)).toEqual([10, 20, 30]);
		// A second run of the same id reuses the stored row and still runs what is passed in.
		const again = await n8n.runOnServer(items);
		expect(again.success).toBe(true);
		expect(again.durationMs).toBeLessThan(viaCli.durationMs);

		const failing = await n8n.runOnServer(
			manualWorkflow({
				id: 'harnessSrvFail01',
				node: { name: 'Boom', type: 'n8n-nodes-base.stopAndError', parameters: { errorMessage: 'server boom' } },
			}),
		);
		expect(failing.success).toBe(false);
		expect(failing.error?.message).toBe('server boom');
		expect(n8n.nodeError(failing, 'Boom')).toMatchObject({ message: 'server boom' });

		const echo = await startEchoServer();
		try {
			const withCredential = await n8n.runOnServer(
				manualWorkflow({
					id: 'harnessSrvCred01',
					node: {
						name: 'Call',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						parameters: { url: `${echo.url}/srv`, authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth', options: {} },
						credentials: { httpHeaderAuth: { id: 'harnessSrvCred01', name: 'Srv header' } },
					},
				}),
			);
			expect(withCredential.success).toBe(true);
			expect(echo.requests.map((headers) => headers['x-api-key'])).toEqual([headerSecret]);
		} finally {
			echo.server.close();
		}

		const binary = await n8n.runOnServer(
			manualWorkflow({
				id: 'harnessSrvBin001',
				binaryItems: [{ json: { k: 1 }, binary: { file: { base64: Buffer.from('srv').toString('base64'), fileName: 'a.txt' } } }],
				node: { name: 'Pass', type: 'n8n-nodes-base.noOp', parameters: {} },
			}),
		);
		expect(binary.success).toBe(true);
		expect(n8n.readBinary(n8n.nodeOutput(binary, 'Pass')[0].binary!.file).toString()).toBe('srv');
	});

	it('activates a CLI-published workflow at the next start, and stop() ends the server', async () => {
		await n8n.importWorkflow(
			webhookWorkflow({ id: 'harnessPublish01', path: 'harness-published', httpMethod: 'POST', responseMode: 'onReceived' }),
		);
		await n8n.publish('harnessPublish01');
		await n8n.stop();
		expect(n8n.isRunning).toBe(false);
		await expect(fetch(`${n8n.baseUrl}/healthz`)).rejects.toThrow();

		await n8n.start();
		// Newer n8n registers published workflows in the background after the ready line: retry on 404.
		const response = await n8n.fetchWebhook(n8n.webhookUrl('harness-published'), { method: 'POST', body: '{}' });
		expect(response.status).toBe(200);
		await n8n.stop();
		expect(n8n.logs()).toContain('Editor is now accessible via');
	});
});
