/**
 * The real n8n editor in a real browser (Playwright + Debian's Chromium, headless) against a sandbox
 * started here on free ports: log in, find "Microsoft Outlook Ext" in the node picker, open the node,
 * pick a calendar from the resource-locator list (loaded live from the emulator), execute the step and
 * see the events; the same for the trigger's panel, whose test listen receives a mail delivered to the
 * emulator; and the credential's Connect button through the emulator's sign-in page.
 * Saves docs/screenshots/node-panel.png and trigger-panel.png (SCREENSHOT_DIR moves them).
 *
 * Run: npm run build && npx jest --selectProjects browser test/browser/editor.test.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { SANDBOX_CREDENTIALS } from '../../scripts/sandbox/config';
import { allSubscriptions, deliveryLog } from '../emulator/subscriptions';
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
