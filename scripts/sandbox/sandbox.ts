/**
 * The sandbox: the Graph emulator with a sample tenant + a real n8n with our package, three credentials
 * pointing at the emulator and the example workflows. Used by `npm start` (start.ts), the example check
 * (verify.ts) and the browser test (test/browser/).
 *
 *   const sandbox = await startSandbox({ dir, n8nPort, emulatorPort, brokerPort });
 *   sandbox.editorUrl; sandbox.owner; await deliverSampleMail(sandbox.emulator.url, { subject: 'Hi' });
 *   await sandbox.stop();
 *
 * State: n8n's user folder (SQLite, encryption key, saved workflows and executions) lives in `<dir>/n8n`
 * and is reused by the next start. The emulator keeps its mailboxes in memory: every start seeds them
 * afresh, and signs the credentials in again, because tokens of the previous emulator are gone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { DEFAULT_CLIENT, TENANT_DOMAIN, startEmulator, type Emulator } from '../../test/emulator';
import { seedMessages } from '../../test/emulator/mail';
import { allSubscriptions } from '../../test/emulator/subscriptions';
import { ADELE, DELEGATED_SCOPES, signIn } from '../../test/e2e/support';
import { resolveRuntimeDir } from '../../test/harness/runtime';
import { EXTRA_INBOX_MESSAGES, SANDBOX_CREDENTIALS, SANDBOX_OWNER, TRIGGER_WEBHOOK_ID, TRIGGER_WORKFLOW_ID, WORKFLOWS_DIR } from './config';
import { N8nServer } from './n8n-server';

export interface SandboxOptions {
	/** State folder (`.sandbox/` for `npm start`). */
	dir: string;
	n8nPort: number;
	emulatorPort: number;
	brokerPort: number;
	/** Progress lines ("emulator ready", …); default: none. */
	log?: (line: string) => void;
	/** Echo n8n's own output (it always goes to `<dir>/n8n.log`). */
	echoN8n?: boolean;
	/** Folder with node_modules/n8n (default: the pinned runtime, or $N8N_RUNTIME_DIR). */
	runtimeDir?: string;
}

export interface Sandbox {
	dir: string;
	editorUrl: string;
	owner: { email: string; password: string };
	emulator: Emulator;
	n8n: N8nServer;
	/** true when this start created the n8n state (owner, imported workflows). */
	firstStart: boolean;
	/** The URL the mail trigger example's Graph subscription delivers to. */
	triggerWebhookUrl: string;
	/** Whether the emulator holds a subscription for the trigger example (it is active in n8n). */
	triggerSubscribed: boolean;
	/** Milliseconds per step, for the report. */
	timings: Record<string, number>;
	stop(): Promise<void>;
}

interface SandboxState {
	/** Example workflows already imported (never re-imported, so edits in the editor survive restarts). */
	importedWorkflows: string[];
	ownerCreated: boolean;
}

export interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; webhookId?: string }>;
	connections: unknown;
	[key: string]: unknown;
}

const STATE_FILE = 'sandbox.json';
const TRIGGER_WAIT_MS = 30_000;

/** The example workflows shipped in scripts/sandbox/workflows, in file-name order. */
export function exampleWorkflows(): ExampleWorkflow[] {
	return readdirSync(WORKFLOWS_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => JSON.parse(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')) as ExampleWorkflow);
}

function readState(dir: string): SandboxState {
	try {
		return { importedWorkflows: [], ownerCreated: false, ...JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) };
	} catch {
		return { importedWorkflows: [], ownerCreated: false };
	}
}

function writeState(dir: string, state: SandboxState): void {
	writeFileSync(join(dir, STATE_FILE), JSON.stringify(state, null, '\t') + '\n');
}

/** Fails early, with the port in the message, instead of a half-started sandbox. */
export async function assertPortFree(port: number, what: string): Promise<void> {
	await new Promise<void>((done, reject) => {
		const server = createServer();
		server.once('error', (error: NodeJS.ErrnoException) =>
			reject(
				new Error(
					error.code === 'EADDRINUSE'
						? `port ${port} (${what}) is already in use - is another sandbox or n8n running? Stop it, or pick other ports with SANDBOX_N8N_PORT / SANDBOX_EMULATOR_PORT.`
						: `cannot listen on port ${port} (${what}): ${error.message}`,
				),
			),
		);
		server.listen(port, '127.0.0.1', () => server.close(() => done()));
	});
}

/** A free port on 127.0.0.1 (for test sandboxes). */
export async function freePort(): Promise<number> {
	return await new Promise<number>((done, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => done(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/** Adele's inbox gets a few hundred extra messages, every third with a small attachment. */
function seedSampleMailbox(emulator: Emulator): void {
	seedMessages(emulator.core, {
		userId: ADELE.userPrincipalName,
		folder: 'inbox',
		count: EXTRA_INBOX_MESSAGES,
		withAttachments: 3,
		attachmentBytes: 2048,
		subjectPrefix: 'Monthly report',
	});
}

/** The three credentials, signed in against this emulator (fresh tokens on every start). */
async function sandboxCredentials(emulator: Emulator): Promise<unknown[]> {
	const client = { clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret };
	const upn = ADELE.userPrincipalName;
	const base = { graphApiBaseUrl: emulator.url, ...client };
	const data = {
		oAuth2: {
			...base,
			// authorize/token URLs are derived from it, so the Connect button opens the emulator's sign-in page.
			tenantUrl: `${emulator.url}/common`,
			scope: DELEGATED_SCOPES,
			oauthTokenData: await signIn(emulator, { ...client, upn }),
		},
		oAuth2Deprecated: {
			...base,
			authUrl: `${emulator.url}/common/oauth2/v2.0/authorize?prompt=consent`,
			accessTokenUrl: `${emulator.url}/common/oauth2/v2.0/token`,
			scope: DELEGATED_SCOPES,
			oauthTokenData: await signIn(emulator, { ...client, upn }),
		},
		clientCredentials: {
			...base,
			entraEndpoint: emulator.url,
			tenantId: TENANT_DOMAIN,
			scope: 'https://graph.microsoft.com/.default',
			userId: upn,
		},
	};
	return (Object.keys(SANDBOX_CREDENTIALS) as Array<keyof typeof SANDBOX_CREDENTIALS>).map((auth) => ({
		...SANDBOX_CREDENTIALS[auth],
		data: data[auth],
	}));
}

async function setupOwner(n8n: N8nServer): Promise<void> {
	const response = await fetch(`${n8n.baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(SANDBOX_OWNER),
	});
	if (response.status === 200) return;
	const text = await response.text();
	// A folder from an older sandbox run that stopped between start and owner setup.
	if (/already/i.test(text)) return;
	throw new Error(`n8n owner setup failed: HTTP ${response.status} ${text.slice(0, 300)}`);
}

async function waitForTriggerSubscription(emulator: Emulator, webhookUrl: string): Promise<boolean> {
	const deadline = Date.now() + TRIGGER_WAIT_MS;
	while (Date.now() < deadline) {
		if (allSubscriptions(emulator.core).some((subscription) => subscription.notificationUrl === webhookUrl)) return true;
		await new Promise((done) => setTimeout(done, 250));
	}
	return false;
}

async function timed<T>(timings: Record<string, number>, step: string, run: () => Promise<T>): Promise<T> {
	const started = Date.now();
	try {
		return await run();
	} finally {
		timings[step] = Date.now() - started;
	}
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
	const log = options.log ?? (() => undefined);
	const timings: Record<string, number> = {};
	mkdirSync(options.dir, { recursive: true });
	await assertPortFree(options.n8nPort, 'n8n');
	await assertPortFree(options.emulatorPort, 'Graph emulator');
	await assertPortFree(options.brokerPort, "n8n's task broker");

	const state = readState(options.dir);
	const firstStart = !existsSync(join(options.dir, 'n8n', '.n8n', 'config'));
	const n8n = new N8nServer({
		runtimeDir: options.runtimeDir ?? resolveRuntimeDir(),
		userFolder: join(options.dir, 'n8n'),
		port: options.n8nPort,
		brokerPort: options.brokerPort,
		logFile: join(options.dir, 'n8n.log'),
		echo: options.echoN8n,
	});
	n8n.linkPackage();

	const emulator = await timed(timings, 'emulator', async () => {
		const started = await startEmulator({ port: options.emulatorPort });
		seedSampleMailbox(started);
		return started;
	});
	log(`Graph emulator listening on ${emulator.url} (Adele: ${EXTRA_INBOX_MESSAGES} extra inbox messages; Megan; two calendars)`);

	const stop = async () => {
		await n8n.stop();
		await emulator.close();
	};
	try {
		await timed(timings, 'credentials', async () => n8n.importJson('import:credentials', await sandboxCredentials(emulator)));
		log('credentials signed in to the emulator and saved in n8n');

		const missing = exampleWorkflows().filter((workflow) => !state.importedWorkflows.includes(workflow.id));
		if (missing.length > 0) {
			await timed(timings, 'workflows', async () => {
				await n8n.importJson('import:workflow', missing);
				if (missing.some((workflow) => workflow.id === TRIGGER_WORKFLOW_ID)) await n8n.publish(TRIGGER_WORKFLOW_ID);
			});
			state.importedWorkflows.push(...missing.map((workflow) => workflow.id));
			writeState(options.dir, state);
			log(`imported ${missing.length} example workflow(s); the mail trigger example is active`);
		}

		log(firstStart ? 'starting n8n (first start: creates its database, ~10 s)...' : 'starting n8n...');
		await timed(timings, 'n8nStart', () => n8n.start());
		if (!state.ownerCreated) {
			await setupOwner(n8n);
			state.ownerCreated = true;
			writeState(options.dir, state);
		}

		const triggerWebhookUrl = `${n8n.baseUrl}/webhook/${TRIGGER_WEBHOOK_ID}/notifications`;
		// n8n activates workflows during start-up (newer versions just after it): wait for the subscription.
		const triggerSubscribed = await timed(timings, 'triggerSubscription', () => waitForTriggerSubscription(emulator, triggerWebhookUrl));
		return {
			dir: options.dir,
			editorUrl: n8n.baseUrl,
			owner: { email: SANDBOX_OWNER.email, password: SANDBOX_OWNER.password },
			emulator,
			n8n,
			firstStart,
			triggerWebhookUrl,
			triggerSubscribed,
			timings,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
