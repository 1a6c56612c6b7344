/**
 * Which trigger hooks does a given n8n call, and when? A throwaway community package with two probe
 * trigger nodes records every call (checkExists, create, delete, webhook, trigger, closeFunction) with
 * its mode and activation mode, while the real n8n activates, restarts and deactivates them:
 *
 *   - `probeWebhookOnly`: webhook + webhookMethods (what a Graph-subscription trigger usually is),
 *   - `probeHybrid`: the same plus a `trigger()` function (n8n then also keeps it as an in-memory trigger).
 *
 *   npx tsx scripts/e2e-latest/probe-lifecycle.ts                    # the pinned n8n 2.8.4 (Node 20)
 *   PATH=<node24>/bin:$PATH N8N_RUNTIME_DIR=<latest> npx tsx scripts/e2e-latest/probe-lifecycle.ts
 *
 * The measured answer is in README "The trigger" / n8n-facts; this script is how it was measured.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { N8nHarness } from '../../test/harness/n8n';

const PACKAGE = 'n8n-nodes-lifecycle-probe';

interface Call {
	at: number;
	node: string;
	hook: string;
	mode?: string;
	activation?: string;
}

function nodeSource(className: string, name: string, withTrigger: boolean): string {
	return `'use strict';
const { appendFileSync } = require('node:fs');
function record(ctx, hook) {
	let mode, activation;
	try { mode = ctx.getMode(); } catch {}
	try { activation = ctx.getActivationMode(); } catch {}
	appendFileSync(process.env.PROBE_LOG, JSON.stringify({ at: Date.now(), node: ${JSON.stringify(name)}, hook, mode, activation }) + '\\n');
}
class ${className} {
	constructor() {
		this.description = {
			displayName: ${JSON.stringify(className)}, name: ${JSON.stringify(name)}, group: ['trigger'], version: 1,
			description: 'lifecycle probe', defaults: { name: ${JSON.stringify(className)} }, inputs: [], outputs: ['main'],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: 'noData', path: 'probe' }],
			properties: [],
		};
		this.webhookMethods = { default: {
			async checkExists() { record(this, 'checkExists'); return this.getWorkflowStaticData('node').created === true; },
			async create() { record(this, 'create'); this.getWorkflowStaticData('node').created = true; return true; },
			async delete() { record(this, 'delete'); delete this.getWorkflowStaticData('node').created; return true; },
		} };
	}
	async webhook() { record(this, 'webhook'); return { workflowData: [[{ json: { ok: true } }]] }; }
${
	withTrigger
		? `	async trigger() {
		record(this, 'trigger');
		const self = this;
		return { closeFunction: async () => record(self, 'closeFunction') };
	}
`
		: ''
}}
module.exports = { ${className} };
`;
}

function writeProbePackage(): string {
	const dir = mkdtempSync(join(tmpdir(), 'n8n-lifecycle-probe-'));
	mkdirSync(join(dir, 'dist'), { recursive: true });
	const nodes = [
		['ProbeWebhookOnly', 'probeWebhookOnly', false],
		['ProbeHybrid', 'probeHybrid', true],
	] as const;
	for (const [className, name, withTrigger] of nodes) {
		writeFileSync(join(dir, 'dist', `${className}.node.js`), nodeSource(className, name, withTrigger));
	}
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify({
			name: PACKAGE,
			version: '0.0.1',
			keywords: ['n8n-community-node-package'],
			n8n: { n8nNodesApiVersion: 1, credentials: [], nodes: nodes.map(([className]) => `dist/${className}.node.js`) },
		}),
	);
	return dir;
}

function workflow(name: string, nodeName: string, webhookId: string) {
	return {
		name,
		nodes: [{ id: `${webhookId.slice(0, 8)}-node`, name: 'Probe', type: `${PACKAGE}.${nodeName}`, typeVersion: 1, position: [0, 0], parameters: {}, webhookId }],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

async function main(): Promise<void> {
	const packageDir = writeProbePackage();
	const log = join(packageDir, 'calls.jsonl');
	writeFileSync(log, '');
	const n8n = await N8nHarness.create({ loadPackage: false, extraPackages: [packageDir], env: { PROBE_LOG: log } });
	let offset = 0;
	const phase = async (title: string, settleMs: number): Promise<void> => {
		await sleep(settleMs);
		const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).slice(offset);
		offset += lines.length;
		const calls = lines.map((line) => JSON.parse(line) as Call);
		process.stdout.write(`\n== ${title}: ${calls.length} call(s)\n`);
		for (const call of calls) process.stdout.write(`   ${call.node.padEnd(17)} ${call.hook.padEnd(13)} mode=${call.mode} activation=${call.activation ?? '-'}\n`);
	};
	try {
		await n8n.start();
		await n8n.setupOwner();
		const version = (await n8n.rest('GET', '/settings')).body?.data?.versionCli;
		process.stdout.write(`n8n ${version} on Node ${process.version}\n`);
		const ids: string[] = [];
		for (const [name, node, webhookId] of [
			['webhook only', 'probeWebhookOnly', 'aaaaaaaa-1111-4111-8111-111111111111'],
			['hybrid', 'probeHybrid', 'bbbbbbbb-2222-4222-8222-222222222222'],
		] as const) {
			const id = await n8n.apiCreateWorkflow(workflow(name, node, webhookId));
			const started = Date.now();
			await n8n.activate(id);
			process.stdout.write(`activate ${name}: finished (incl. publication wait) in ${Date.now() - started} ms\n`);
			ids.push(id);
		}
		await phase('activation (public API)', 1000);
		await n8n.stop();
		await phase('SIGTERM', 0);
		await n8n.start();
		await phase('restart (10 s after the ready line)', 10_000);
		for (const id of ids) await n8n.deactivate(id);
		await phase('deactivation (public API)', 1000);
	} finally {
		await n8n.dispose();
		rmSync(packageDir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`${(error as Error).stack}\n`);
	process.exitCode = 1;
});
