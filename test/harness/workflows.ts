/**
 * Small builders for the workflows the e2e tests run in real n8n.
 *
 * How input items reach the node under test (measured on n8n 2.8.4, CLI `execute`):
 * - `pinData` is ignored by CLI execute (n8n only applies it in 'manual'/'evaluation' mode), so items
 *   must be produced by real nodes.
 * - JSON items: Manual Trigger -> Set (raw JSON `{"items":[...]}`) -> Split Out (`items`). Both nodes run
 *   in-process: the whole execute takes ~1.9 s, the same as a workflow with no feeder at all.
 * - Binary items: a Code node that calls `this.helpers.prepareBinaryData`, so the binaries look exactly
 *   like real ones (default 'filesystem' mode: `id: "filesystem-v2:..."`, `fileSize`, `fileExtension`).
 *   The Code node needs the JS task runner, which adds ~0.8 s (execute ~2.65 s). ConvertToFile was not
 *   used: it drops the item's JSON and any other binary property.
 * The node under test then sees items 0..n-1, so its output's `pairedItem.item` must equal the input index.
 */
import { randomUUID } from 'node:crypto';

import type { WorkflowFixture } from './n8n';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	disabled?: boolean;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	continueOnFail?: boolean;
	alwaysOutputData?: boolean;
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	notes?: string;
}

/** The node under test: name, type and parameters are required, the rest has sensible defaults. */
export type NodeSpec = Omit<WorkflowNode, 'id' | 'position' | 'typeVersion' | 'parameters'> & {
	typeVersion?: number;
	parameters?: Record<string, unknown>;
};

export interface BinaryFileSpec {
	/** The file content, base64-encoded. */
	base64: string;
	fileName?: string;
	mimeType?: string;
}

export interface BinaryItemSpec {
	json: Record<string, unknown>;
	/** Binary property name -> file. Items may have none, one or several. */
	binary?: Record<string, BinaryFileSpec>;
}

export interface ManualWorkflowSpec {
	id: string;
	name?: string;
	/** JSON-only input items for the node under test. `[]` gives it no input, so it does not run at all. */
	items?: Array<Record<string, unknown>>;
	/** Input items with binary properties (exclusive with `items`). */
	binaryItems?: BinaryItemSpec[];
	node: NodeSpec;
	settings?: Record<string, unknown>;
}

export interface WebhookWorkflowSpec {
	id: string;
	name?: string;
	/** The production URL is `<WEBHOOK_URL>webhook/<path>`. */
	path: string;
	httpMethod?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
	/** Fixed id so the URL and the DB rows are predictable; random when omitted. */
	webhookId?: string;
	/** 'lastNode' answers with the last node's items; 'onReceived' answers at once. */
	responseMode?: 'lastNode' | 'onReceived';
	/** With responseMode 'lastNode': 'allEntries' = JSON array of all items' json. */
	responseData?: 'allEntries' | 'firstEntryJson' | 'firstEntryBinary' | 'noData';
	/** Optional node after the Webhook node. */
	node?: NodeSpec;
	settings?: Record<string, unknown>;
}

export interface TriggerWorkflowSpec {
	id: string;
	name?: string;
	/** A trigger node (e.g. ours); `webhookId` defaults to a random UUID and is part of its webhook URL. */
	trigger: NodeSpec;
	/** Optional node after the trigger (a NoOp is handy to read the trigger's items from an execution). */
	node?: NodeSpec;
	settings?: Record<string, unknown>;
}

export const TRIGGER_NODE_NAME = 'Start';
export const ITEMS_NODE_NAME = 'Input Items';
export const SPLIT_NODE_NAME = 'Split Input Items';
export const WEBHOOK_NODE_NAME = 'Webhook';

const DEFAULT_SETTINGS = { executionOrder: 'v1' };

function placeNode(
	name: string,
	type: string,
	typeVersion: number,
	column: number,
	parameters: Record<string, unknown>,
): WorkflowNode {
	return { id: randomUUID(), name, type, typeVersion, position: [column * 220, 0], parameters };
}

function nodeUnderTest(spec: NodeSpec, column: number): WorkflowNode {
	const { typeVersion, parameters, ...rest } = spec;
	return { ...placeNode(spec.name, spec.type, typeVersion ?? 1, column, parameters ?? {}), ...rest };
}

/** `{ A: B, B: C }` -> n8n's connections object for a straight chain A -> B -> C. */
function chain(nodes: WorkflowNode[]): Record<string, unknown> {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return connections;
}

/** Set (raw JSON) + Split Out: n items without the task runner. */
function jsonItemNodes(items: Array<Record<string, unknown>>, firstColumn: number): WorkflowNode[] {
	const set = placeNode(ITEMS_NODE_NAME, 'n8n-nodes-base.set', 3.4, firstColumn, {
		mode: 'raw',
		// No leading '=': n8n does not evaluate it, so `{{ }}` inside test data stays literal.
		jsonOutput: JSON.stringify({ items }),
		options: {},
	});
	const split = placeNode(SPLIT_NODE_NAME, 'n8n-nodes-base.splitOut', 1, firstColumn + 1, {
		fieldToSplitOut: 'items',
		options: {},
	});
	return [set, split];
}

/** JavaScript for a Code node that turns the spec into items with real (prepareBinaryData) binaries. */
export function binaryItemsCode(items: BinaryItemSpec[]): string {
	return [
		`const spec = ${JSON.stringify(items)};`,
		'const out = [];',
		'for (const entry of spec) {',
		'\tconst item = { json: entry.json };',
		'\tif (entry.binary) {',
		'\t\titem.binary = {};',
		'\t\tfor (const [property, file] of Object.entries(entry.binary)) {',
		"\t\t\tconst buffer = Buffer.from(file.base64, 'base64');",
		'\t\t\titem.binary[property] = await this.helpers.prepareBinaryData(buffer, file.fileName, file.mimeType);',
		'\t\t}',
		'\t}',
		'\tout.push(item);',
		'}',
		'return out;',
	].join('\n');
}

function binaryItemNodes(items: BinaryItemSpec[], column: number): WorkflowNode[] {
	return [
		placeNode(ITEMS_NODE_NAME, 'n8n-nodes-base.code', 2, column, {
			mode: 'runOnceForAllItems',
			language: 'javaScript',
			jsCode: binaryItemsCode(items),
		}),
	];
}

/**
 * Manual Trigger ("Start") -> [feeder nodes] -> the node under test.
 * Without `items`/`binaryItems` the node gets the trigger's single empty item.
 */
export function manualWorkflow(spec: ManualWorkflowSpec): WorkflowFixture {
	if (spec.items && spec.binaryItems) throw new Error('manualWorkflow: pass either items or binaryItems, not both');
	const trigger = placeNode(TRIGGER_NODE_NAME, 'n8n-nodes-base.manualTrigger', 1, 0, {});
	let feeders: WorkflowNode[] = [];
	if (spec.items) feeders = jsonItemNodes(spec.items, 1);
	if (spec.binaryItems) feeders = binaryItemNodes(spec.binaryItems, 1);
	const nodes = [trigger, ...feeders, nodeUnderTest(spec.node, feeders.length + 1)];
	return {
		id: spec.id,
		name: spec.name ?? spec.id,
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { ...DEFAULT_SETTINGS, ...spec.settings },
	};
}

/** Webhook node (n8n-nodes-base.webhook v2) -> optional node. */
export function webhookWorkflow(spec: WebhookWorkflowSpec): WorkflowFixture {
	const responseMode = spec.responseMode ?? 'lastNode';
	const webhook = placeNode(WEBHOOK_NODE_NAME, 'n8n-nodes-base.webhook', 2, 0, {
		path: spec.path,
		httpMethod: spec.httpMethod ?? 'GET',
		responseMode,
		...(responseMode === 'lastNode' ? { responseData: spec.responseData ?? 'allEntries' } : {}),
		options: {},
	});
	webhook.webhookId = spec.webhookId ?? randomUUID();
	const nodes = spec.node ? [webhook, nodeUnderTest(spec.node, 1)] : [webhook];
	return {
		id: spec.id,
		name: spec.name ?? spec.id,
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { ...DEFAULT_SETTINGS, ...spec.settings },
	};
}

/**
 * A trigger node -> optional node. Activate it with publish()+start() or activate(); its webhook URL is
 * `n8n.webhookUrl(<path>, <webhookId>)` (n8n builds `webhook/<webhookId>/<path>` for trigger nodes).
 */
export function triggerWorkflow(spec: TriggerWorkflowSpec): WorkflowFixture {
	const trigger = nodeUnderTest({ webhookId: randomUUID(), ...spec.trigger }, 0);
	const nodes = spec.node ? [trigger, nodeUnderTest(spec.node, 1)] : [trigger];
	return {
		id: spec.id,
		name: spec.name ?? spec.id,
		active: false,
		nodes,
		connections: chain(nodes),
		settings: { ...DEFAULT_SETTINGS, ...spec.settings },
	};
}
