/**
 * Fixed facts of the sandbox: where its state lives, its ports, its login and the ids of what it imports.
 * Ports and the folder can be moved with SANDBOX_N8N_PORT, SANDBOX_EMULATOR_PORT and SANDBOX_DIR.
 */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const WORKFLOWS_DIR = join(__dirname, 'workflows');

export const DEFAULT_N8N_PORT = 5678;
export const DEFAULT_EMULATOR_PORT = 5580;
/** n8n's task broker; its default (5679) is kept for the sandbox on 5678. */
export const DEFAULT_BROKER_PORT = 5679;

/** A local-only login (n8n listens on 127.0.0.1); printed by `npm start` and shown in the README. */
export const SANDBOX_OWNER = {
	email: 'sandbox@example.com',
	password: 'Outlook-Sandbox-1',
	firstName: 'Sandbox',
	lastName: 'Owner',
};

/** Credential ids the example workflows refer to (scripts/sandbox/workflows/*.json). */
export const SANDBOX_CREDENTIALS = {
	oAuth2: { id: 'sandboxOutlookOA2', name: 'Outlook – Adele (emulator, OAuth2)', type: 'microsoftOutlookExtOAuth2Api' },
	oAuth2Deprecated: {
		id: 'sandboxOutlookOld',
		name: 'Outlook – Adele (emulator, OAuth2 legacy)',
		type: 'microsoftOutlookExtDeprecatedOAuth2Api',
	},
	clientCredentials: {
		id: 'sandboxOutlookApp',
		name: 'Outlook – app only (emulator, client credentials)',
		type: 'microsoftOutlookExtClientCredentialsOAuth2Api',
	},
} as const;

/** The example workflow that fires when mail arrives; it is published (active) on import. */
export const TRIGGER_WORKFLOW_ID = 'sbxMailTrigger01';
/** Fixed, so the trigger's webhook URL (and the emulator's subscription) is the same on every start. */
export const TRIGGER_WEBHOOK_ID = '5a4d6b0e-7c1f-4e55-9a1c-0b5e1f5a0c01';

/** Written by `npm start` while it runs; `npm run sandbox:reset` refuses to delete a running sandbox. */
export const PID_FILE = 'sandbox.pid';

/** How many sample messages (every third with an attachment) are added to Adele's inbox. */
export const EXTRA_INBOX_MESSAGES = 300;

export function sandboxDir(env: NodeJS.ProcessEnv = process.env): string {
	return resolve(env.SANDBOX_DIR || join(REPO_ROOT, '.sandbox'));
}

function portFrom(value: string | undefined, fallback: number): number {
	const port = Number(value);
	return Number.isInteger(port) && port > 0 && port < 65536 ? port : fallback;
}

export function n8nPort(env: NodeJS.ProcessEnv = process.env): number {
	return portFrom(env.SANDBOX_N8N_PORT, DEFAULT_N8N_PORT);
}

export function emulatorPort(env: NodeJS.ProcessEnv = process.env): number {
	return portFrom(env.SANDBOX_EMULATOR_PORT, DEFAULT_EMULATOR_PORT);
}
