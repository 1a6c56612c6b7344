/**
 * n8n's own execution engine (n8n-core's ExecuteContext and RoutingNode), in this process, for fast
 * transport tests against the in-process emulator: the node's real description, n8n's real request
 * helpers and OAuth2 client. Only the credential store is ours (n8n keeps it in its database): it
 * hands out the emulator-signed credential and keeps the tokens n8n refreshes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import type { Emulator } from './index';
import { DEFAULT_CLIENT, DEFAULT_USERS, startEmulator } from './index';

// n8n-core reads its instance settings (encryption key) from the user folder on first use.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'outlook-ext-engine-'));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ExecuteContext, RoutingNode, TriggerContext } = require('n8n-core') as typeof import('n8n-core');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Workflow, createRunExecutionData } = require('n8n-workflow') as typeof import('n8n-workflow');
import { MicrosoftOutlookExt } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExt.node';
import { MicrosoftOutlookExtTrigger } from '../../nodes/MicrosoftOutlookExt/MicrosoftOutlookExtTrigger.node';

export const CREDENTIAL_TYPE = 'microsoftOutlookExtOAuth2Api';

/** Signs Adele in through the emulator's token endpoint (authorization code flow, as n8n's Connect does). */
export async function adeleCredential(emu: Emulator): Promise<ICredentialDataDecryptedObject> {
	const authorize = new URL(`${emu.url}/common/oauth2/v2.0/authorize`);
	const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
	authorize.search = new URLSearchParams({
		client_id: DEFAULT_CLIENT.clientId,
		response_type: 'code',
		redirect_uri: redirectUri,
		scope: 'https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/Mail.ReadWrite offline_access',
		login_hint: DEFAULT_USERS.adele.userPrincipalName,
		prompt: 'none',
	}).toString();
	const code = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
	const token = await fetch(`${emu.url}/common/oauth2/v2.0/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret }),
	});
	return {
		grantType: 'authorizationCode',
		authUrl: `${emu.url}/common/oauth2/v2.0/authorize`,
		accessTokenUrl: `${emu.url}/common/oauth2/v2.0/token`,
		clientId: DEFAULT_CLIENT.clientId,
		clientSecret: DEFAULT_CLIENT.clientSecret,
		scope: 'https://graph.microsoft.com/Calendars.ReadWrite offline_access',
		authentication: 'body',
		graphApiBaseUrl: emu.url,
		oauthTokenData: (await token.json()) as ICredentialDataDecryptedObject,
	};
}

/** The credential store n8n's helpers read from (and write refreshed tokens back to). */
function credentialsHelper(credential: ICredentialDataDecryptedObject): IWorkflowExecuteAdditionalData['credentialsHelper'] {
	return {
		getParentTypes: () => ['oAuth2Api'],
		getDecrypted: async () => credential,
		updateCredentials: async () => undefined,
		updateCredentialsOauthTokenData: async (_node: unknown, _type: string, data: ICredentialDataDecryptedObject) => {
			credential.oauthTokenData = data.oauthTokenData;
		},
		authenticate: async (_c: unknown, _t: string, options: unknown) => options,
		preAuthentication: async () => undefined,
		getCredentialsProperties: () => [],
	} as unknown as IWorkflowExecuteAdditionalData['credentialsHelper'];
}

export interface EngineRun {
	/** n8n's ExecuteContext of the node (what a node's execute() gets). */
	context: InstanceType<typeof ExecuteContext>;
	/** Runs the node's declarative routing for every input item (what n8n does for this node). */
	runNode(): Promise<INodeExecutionData[]>;
}

/** One Outlook Ext node with `parameters`, its input items and Adele's credential, inside n8n-core. */
export function engineFor(
	credential: ICredentialDataDecryptedObject,
	parameters: Record<string, unknown>,
	items: INodeExecutionData[] = [{ json: {} }],
	options: { continueOnFail?: boolean } = {},
): EngineRun {
	const nodeType = new MicrosoftOutlookExt();
	const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
	const node: INode = {
		id: 'outlook-1',
		name: 'Outlook',
		type: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExt',
		typeVersion: 1,
		position: [0, 0],
		parameters: { authentication: 'oAuth2', ...parameters } as INode['parameters'],
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Adele' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const workflow = new Workflow({ id: `wf-${Math.random().toString(36).slice(2)}`, nodes: [node], connections: {}, active: false, nodeTypes: nodeTypes as never });
	const additionalData = { credentialsHelper: credentialsHelper(credential), executionId: `ex-${Math.random().toString(36).slice(2)}` } as unknown as IWorkflowExecuteAdditionalData;
	const executeData = { node, data: { main: [items] }, source: null };
	const runExecutionData = createRunExecutionData({ resultData: { runData: {} } });
	const context = new ExecuteContext(workflow, node, additionalData, 'manual', runExecutionData, 0, items, { main: [items] }, executeData, [], new AbortController().signal);
	return {
		context,
		async runNode() {
			const routing = new RoutingNode(context, nodeType);
			const output = await routing.runNode();
			return output?.[0] ?? [];
		},
	};
}

export interface TriggerRun {
	/** n8n's TriggerContext of the trigger node (what its trigger() gets), activated as at n8n start. */
	context: InstanceType<typeof TriggerContext>;
	/** What the context emitted (each emit's first output). */
	emitted: INodeExecutionData[][];
}

/** One Outlook Ext Trigger node (version 2 unless given) with `parameters` and Adele's credential, inside n8n-core. */
export function triggerFor(credential: ICredentialDataDecryptedObject, parameters: Record<string, unknown>, typeVersion = 2): TriggerRun {
	const nodeType = new MicrosoftOutlookExtTrigger();
	const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
	const node: INode = {
		id: 'outlook-trigger-1',
		name: 'Outlook Trigger',
		type: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExtTrigger',
		typeVersion,
		position: [0, 0],
		parameters: { authentication: 'oAuth2', ...parameters } as INode['parameters'],
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'Adele' } },
	};
	const workflow = new Workflow({ id: `wf-${Math.random().toString(36).slice(2)}`, nodes: [node], connections: {}, active: true, nodeTypes: nodeTypes as never, staticData: {} });
	const additionalData = { credentialsHelper: credentialsHelper(credential), executionId: `ex-${Math.random().toString(36).slice(2)}` } as unknown as IWorkflowExecuteAdditionalData;
	const emitted: INodeExecutionData[][] = [];
	const context = new TriggerContext(workflow, node, additionalData, 'trigger', 'init', (data) => emitted.push(data[0] ?? []));
	return { context, emitted };
}

/**
 * The preamble of an in-process engine test file: one emulator and Adele's credential, filled in by
 * `beforeAll`, closed (with the engine's timers) after the file. Faults are cleared after each test.
 */
export function useEngineEmulator(): { emu: Emulator; credential: ICredentialDataDecryptedObject } {
	const shared = {} as { emu: Emulator; credential: ICredentialDataDecryptedObject };
	beforeAll(async () => {
		shared.emu = await startEmulator();
		shared.credential = await adeleCredential(shared.emu);
	});
	afterEach(() => shared.emu?.clearFaults());
	afterAll(async () => {
		await shared.emu?.close();
		stopEngine();
	});
	return shared;
}

/** A direct Graph call as Adele (test set-up, outside the engine): the answer's status and JSON. */
export async function adeleGraph(emu: Emulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: IDataObject }> {
	const response = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers: { Authorization: `Bearer ${emu.issueToken({ userId: DEFAULT_USERS.adele.id })}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, body: text ? (JSON.parse(text) as IDataObject) : {} };
}

/** Stops the engine's background timers (n8n-core's SSH tunnel manager cleans up every minute), so jest can exit. */
export function stopEngine(): void {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Container } = require('@n8n/di') as { Container: { get(type: unknown): { onShutdown(): void } } };
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager') as { SSHClientsManager: unknown };
	Container.get(SSHClientsManager).onShutdown();
}
