/**
 * The real n8n editor in a real browser (Playwright + Debian's Chromium, headless) against a sandbox
 * started here on free ports: log in, find "Microsoft Outlook Ext" in the node picker, open the node,
 * pick a calendar from the resource-locator list (loaded live from the emulator), execute the step and
 * see the events; the same for the trigger's panel, whose test listen receives a mail delivered to the
 * emulator; a triage workflow (trigger → flag → reply → move to Archive) pasted onto the canvas and run by
 * a delivered mail; and the credential's Connect button through the emulator's sign-in page.
 * Saves docs/screenshots/node-panel.png, trigger-panel.png and triage-workflow.png (SCREENSHOT_DIR moves them).
 *
 * Run: npm run build && npx jest --selectProjects browser test/browser/editor.test.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { SANDBOX_CREDENTIALS } from '../../scripts/sandbox/config';
import { sentLog } from '../emulator/mail';
import { allSubscriptions, deliveryLog } from '../emulator/subscriptions';
import { ADELE, graphAs } from '../e2e/support';
import { deliverSampleMail } from '../../scripts/sandbox/mail';
import { freePort, startSandbox, type Sandbox } from '../../scripts/sandbox/sandbox';
import { launchChromium, newEditorContext, saveScreenshot, signIn } from './browser';

jest.setTimeout(300_000);

const APP = 'Microsoft Outlook Ext';
const OAUTH2 = SANDBOX_CREDENTIALS.oAuth2;

let dir: string;
let sandbox: Sandbox;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'outlook-browser-'));
	sandbox = await startSandbox({ dir, n8nPort: await freePort(), emulatorPort: await freePort(), brokerPort: await freePort() });
	browser = await launchChromium();
	context = await newEditorContext(browser);
	const page = await context.newPage();
	await signIn(page, sandbox.editorUrl, sandbox.owner);
	await page.close();
});

afterAll(async () => {
	await context?.close();
	await browser?.close();
	await sandbox?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh tab per test: leaving a changed workflow would otherwise ask to save it. */
async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
	const page = await context.newPage();
	try {
		await run(page);
	} finally {
		await page.close();
	}
}

/** New workflow → "Add first step" → search the node picker → open our app's entry. */
async function openAppInNodePicker(page: Page): Promise<void> {
	await page.goto(`${sandbox.editorUrl}/workflow/new`);
	await page.getByTestId('canvas-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill(APP);
	const entry = page.getByTestId('node-creator-item-name').filter({ hasText: new RegExp(`^${APP}$`) });
	await entry.click();
}

async function chooseCredential(page: Page, credentialId: string): Promise<void> {
	await page.getByTestId('ndv').getByTestId('node-credentials-select').click();
	await page.getByTestId(`node-credentials-select-item-${credentialId}`).click();
}

/** Opens a resource locator's "From list" dropdown and returns the names the emulator gave it. */
async function listModeOptions(page: Page, parameter: string): Promise<string[]> {
	const locator = page.getByTestId(`resource-locator-${parameter}`);
	const mode = (await locator.getByTestId('rlc-mode-selector').locator('input').inputValue().catch(() => '')) || '';
	if (!/list/i.test(mode)) {
		await locator.getByTestId('rlc-mode-selector').click();
		await page.getByRole('option', { name: 'From list' }).click();
	}
	await locator.getByTestId('rlc-input').click();
	const items = page.getByTestId('rlc-item');
	await items.first().waitFor();
	return (await items.allInnerTexts()).map((text) => text.trim());
}

async function pickFromList(page: Page, name: string): Promise<void> {
	await page.getByTestId('rlc-item').filter({ hasText: new RegExp(`^${name}$`) }).click();
}

/** Waits for the step's output; returns how many of its items the output search matches ("1 of 2 items"). */
async function searchOutput(page: Page, query: string): Promise<{ matching: number; total: number }> {
	const output = page.getByTestId('output-panel');
	await output.getByTestId('run-data-item-count').waitFor({ timeout: 60_000 });
	if (!(await output.getByTestId('ndv-search').isVisible())) await output.getByTestId('ndv-search-container').click();
	await output.getByTestId('ndv-search').fill(query);
	// The count follows the search after a short debounce.
	await page.waitForTimeout(800);
	const count = await output.getByTestId('run-data-item-count').innerText();
	const filtered = /(\d+) of (\d+) item/.exec(count);
	if (filtered) return { matching: Number(filtered[1]), total: Number(filtered[2]) };
	const all = Number(/(\d+) items?/.exec(count)?.[1] ?? NaN);
	return { matching: all, total: all };
}

async function clearOutputSearch(page: Page): Promise<void> {
	await page.getByTestId('output-panel').getByTestId('ndv-search').fill('');
	await page.keyboard.press('Escape');
}

describe('n8n editor with the pack (Chromium)', () => {
	it('lists the pack in the node picker with its trigger and actions', async () => {
		await withPage(async (page) => {
			await openAppInNodePicker(page);
			await page.getByText(/^Actions \(\d+\)/).waitFor();
			// The trigger's Trigger On choices are the picker's trigger entries (version 2).
			for (const trigger of ['On new mail in folder', 'On mail flagged', 'On event created', 'On upcoming event starting soon']) {
				expect(await page.getByText(trigger, { exact: true }).count()).toBe(1);
			}
			const actions = Number(/\((\d+)\)/.exec(await page.getByText(/^Actions \(\d+\)/).innerText())?.[1]);
			expect(actions).toBeGreaterThanOrEqual(20);
		});
	});

	it('Event → List events: a calendar picked from the live list, Execute step shows its events', async () => {
		await withPage(async (page) => {
			await openAppInNodePicker(page);
			await page.getByText(/^Actions \(\d+\)/).click();
			await page.getByText('List events', { exact: true }).click();
			await page.getByTestId('ndv').waitFor();
			await chooseCredential(page, OAUTH2.id);
			expect(await page.getByTestId('parameter-input-resource').locator('input').inputValue()).toBe('Event');
			expect(await page.getByTestId('parameter-input-operation').locator('input').inputValue()).toBe('List Events');

			sandbox.emulator.clearRequests();
			const calendars = await listModeOptions(page, 'calendarId');
			// Adele's two seeded calendars, fetched from the emulator by the node's searchCalendars method.
			expect(calendars).toEqual(expect.arrayContaining(['Calendar', 'Team']));
			expect(sandbox.emulator.requests().some((request) => request.method === 'GET' && /\/calendars/.test(request.path))).toBe(true);
			await pickFromList(page, 'Team');

			await page.getByTestId('ndv').getByTestId('node-execute-button').click();
			expect(await searchOutput(page, 'Team social')).toEqual({ matching: 1, total: 2 });
			expect(await searchOutput(page, 'Team retrospective')).toEqual({ matching: 1, total: 2 });
			// Only the Team calendar was listed, not the default one.
			expect(await searchOutput(page, 'Daily stand-up')).toEqual({ matching: 0, total: 2 });
			await clearOutputSearch(page);
			await page.getByTestId('output-panel').getByTestId('radio-button-schema').click();
			await saveScreenshot(page, 'node-panel.png');
		});
	});

	it('trigger panel: mail folder from the live list; a test listen receives a mail delivered to the emulator', async () => {
		await withPage(async (page) => {
			await openAppInNodePicker(page);
			await page.getByText('On new mail in folder', { exact: true }).click();
			await page.getByTestId('ndv').waitFor();
			await chooseCredential(page, OAUTH2.id);

			const folders = await listModeOptions(page, 'folderId');
			expect(folders).toEqual(expect.arrayContaining(['Inbox', 'Sent Items', 'Projects']));
			await pickFromList(page, 'Inbox');
			await page.getByTestId('parameter-input-output').click();
			await page.getByRole('option', { name: 'Parsed Email With Attachments' }).click();

			await page.getByTestId('ndv').getByTestId('node-execute-button').click();
			const testUrl = `${sandbox.editorUrl}/webhook-test/`;
			await waitFor('a test subscription to the webhook-test URL', async () =>
				(await subscriptions()).some((subscription) => String(subscription.notificationUrl).startsWith(testUrl)),
			);
			// The sandbox of this file is fresh, so a fixed subject is unique (and reads well in the screenshot).
			const subject = 'Signed contract for Project Alpha';
			await deliverSampleMail(sandbox.emulator.url, { subject });
			try {
				expect(await searchOutput(page, subject)).toEqual({ matching: 1, total: 1 });
			} catch (error) {
				// What Graph (the emulator) posted to the test URL and what n8n logged, for a failure on a busy machine.
				const posts = deliveryLog(sandbox.emulator.core)
					.filter((entry) => entry.url.startsWith(testUrl))
					.map((entry) => `${entry.kind} attempt ${entry.attempt}: ${entry.status ?? entry.failure} after ${Math.round(entry.durationMs)} ms`);
				const logged = readFileSync(join(dir, 'n8n.log'), 'utf8').split('\n').filter((line) => /Outlook Ext Trigger|webhook|rror/i.test(line)).slice(-40);
				process.stderr.write(`[browser] deliveries to the test URL:\n${posts.join('\n')}\n[browser] n8n log:\n${logged.join('\n')}\n`);
				throw error;
			}
			await clearOutputSearch(page);
			// The parsed mail's attachment is a binary property of the item.
			await page.getByTestId('output-panel').getByTestId('radio-button-binary').click();
			await page.getByTestId('output-panel').getByText('greeting.txt').first().waitFor();
			await page.getByTestId('output-panel').getByTestId('radio-button-schema').click();
			await saveScreenshot(page, 'trigger-panel.png');
		});
	});

	it('triage workflow on the canvas: a delivered mail fires the trigger; Flag, Reply and Move to Archive each run once', async () => {
		await withPage(async (page) => {
			await page.goto(`${sandbox.editorUrl}/workflow/new`);
			await page.getByTestId('canvas-plus-button').waitFor();
			// What a user does with a workflow shared as JSON: paste it onto the canvas (n8n reads the paste event).
			// (A string, because this project's TypeScript has no DOM types.)
			await page.evaluate(`{
				const clipboardData = new DataTransfer();
				clipboardData.setData('text/plain', ${JSON.stringify(JSON.stringify(triageWorkflow()))});
				document.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true }));
			}`);
			await page.getByTestId('canvas-node').nth(3).waitFor();
			await page.getByTestId('workflow-name-input').click();
			await page.keyboard.press('ControlOrMeta+A');
			await page.keyboard.type('Triage incoming mail');
			await page.keyboard.press('Enter');

			// The trigger panel's test listen (above) may have left its own test subscription: wait for a new one.
			const testUrl = `${sandbox.editorUrl}/webhook-test/`;
			const earlier = new Set((await subscriptions()).map((subscription) => subscription.id));
			await page.getByTestId('execute-workflow-button').click();
			await waitFor('a new test subscription to the webhook-test URL', async () =>
				(await subscriptions()).some((subscription) => !earlier.has(subscription.id) && String(subscription.notificationUrl).startsWith(testUrl)),
			);
			const subject = 'Invoice 2026-117 from Megan';
			const delivered = await deliverSampleMail(sandbox.emulator.url, { subject, attachments: [] });
			const inboxId = (delivered.deliveredTo as Array<{ userId: string; messageId: string }>).find((copy) => copy.userId === ADELE.id)?.messageId;
			expect(inboxId).toEqual(expect.any(String));
			// Every node of the run shows its green check on the canvas.
			await page.getByTestId('canvas-node-status-success').nth(3).waitFor({ timeout: 60_000 });

			// From the emulator, not the UI: the mail left the inbox for Archive under a new ID, flagged, answered once.
			expect((await graphAs(sandbox.emulator, 'GET', `/me/messages/${inboxId}`)).status).toBe(404);
			const archive = await graphAs(sandbox.emulator, 'GET', '/me/mailFolders/archive/messages?$select=id,subject,flag&$top=100');
			expect(archive.status).toBe(200);
			const archived = (archive.body.value as Array<{ id: string; subject: string; flag: { flagStatus: string } }>).filter((message) => message.subject === subject);
			expect(archived).toHaveLength(1);
			expect(archived[0].id).not.toBe(inboxId);
			expect(archived[0].flag.flagStatus).toBe('flagged');
			const replies = sentLog(sandbox.emulator.core).filter((record) => record.subject === `RE: ${subject}`);
			expect(replies).toHaveLength(1);
			expect(replies[0]).toMatchObject({ via: 'reply', to: ['MeganB@contoso.com'] });
			await page.getByTestId('zoom-to-fit').click();
			await saveScreenshot(page, 'triage-workflow.png');
		});
	});

	it("the credential's Reconnect button signs in through the emulator's consent page", async () => {
		await withPage(async (page) => {
			await page.goto(`${sandbox.editorUrl}/home/credentials`);
			await page.getByText(OAUTH2.name, { exact: true }).click();
			await page.getByTestId('editCredential-modal').waitFor();
			sandbox.emulator.clearRequests();
			const popupOpened = page.waitForEvent('popup');
			const banner = page.getByTestId('oauth-connect-success-banner');
			// "Reconnect" in n8n 2.8, "Switch account" in newer versions.
			await banner.getByTestId('oauth-switch-account-button').or(banner.getByRole('button', { name: 'Reconnect' })).click();
			const popup = await popupOpened;
			await popup.getByRole('button', { name: /Adele Vance/ }).click();
			await popup.waitForEvent('close', { timeout: 30_000 });
			const identity = sandbox.emulator.requests().map((request) => `${request.method} ${request.path} ${request.status}`);
			expect(identity).toEqual(
				expect.arrayContaining([
					'GET /common/oauth2/v2.0/authorize 200',
					'POST /common/oauth2/v2.0/authorize 302',
					'POST /common/oauth2/v2.0/token 200',
				]),
			);
			await page.getByTestId('oauth-connect-success-banner').getByText('Account connected').waitFor();
		});
	});
});

/** The triage example as a user would paste it: new mail in the inbox → flag → reply → move to Archive. */
function triageWorkflow(): Record<string, unknown> {
	const credentials = { microsoftOutlookExtOAuth2Api: { id: OAUTH2.id, name: OAUTH2.name } };
	const outlook = (name: string, x: number, parameters: Record<string, unknown>) => ({
		name,
		type: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExt',
		typeVersion: 1,
		position: [x, 0],
		parameters: { authentication: 'oAuth2', resource: 'message', ...parameters },
		credentials,
	});
	const theNewMail = { __rl: true, mode: 'id', value: "={{ $('New mail in Inbox').item.json.id }}" };
	const nodes = [
		{
			name: 'New mail in Inbox',
			type: 'n8n-nodes-microsoft-outlook-ext.microsoftOutlookExtTrigger',
			typeVersion: 2,
			position: [0, 0],
			parameters: {
				authentication: 'oAuth2',
				event: 'newMail',
				folderId: { __rl: true, mode: 'list', value: 'inbox', cachedResultName: 'Inbox' },
				output: 'simple',
				options: {},
			},
			credentials,
		},
		outlook('Flag for follow-up', 240, { operation: 'update', messageId: theNewMail, updateFields: { flagStatus: 'flagged' } }),
		outlook('Reply', 480, { operation: 'reply', messageId: theNewMail, comment: 'Thanks, we are on it and will answer by Friday.' }),
		outlook('Move to Archive', 720, {
			operation: 'move',
			messageId: theNewMail,
			destinationFolderId: { __rl: true, mode: 'list', value: 'archive', cachedResultName: 'Archive' },
		}),
	];
	const next = (from: string, to: string) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });
	return {
		nodes,
		connections: { ...next('New mail in Inbox', 'Flag for follow-up'), ...next('Flag for follow-up', 'Reply'), ...next('Reply', 'Move to Archive') },
	};
}

async function subscriptions(): Promise<Array<Record<string, unknown>>> {
	return allSubscriptions(sandbox.emulator.core);
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await probe())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((done) => setTimeout(done, 200));
	}
}
