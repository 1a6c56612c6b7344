/**
 * Playwright (playwright-core, no browser download) driving Debian's Chromium, headless, for the editor tests.
 *
 * As root Chromium needs --no-sandbox; the background-networking flags stop it from calling Google's
 * hosts, which this network refuses (see the machine notes on Chromium).
 * Chromium comes from test/harness/ensure-services.js (Debian's package, installed on first use, when this
 * module loads: before any hook timeout runs). CHROMIUM_PATH points at another build.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, selectors, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { REPO_ROOT } from '../../scripts/sandbox/config';
import { ensureChromium } from '../harness/ensure-services';

export const CHROMIUM_PATH = ensureChromium();

/** README screenshots; the newest-n8n run writes its own elsewhere (SCREENSHOT_DIR). */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || join(REPO_ROOT, 'docs', 'screenshots');

const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

let testIdAttributeSet = false;

export async function launchChromium(): Promise<Browser> {
	if (!testIdAttributeSet) {
		// n8n's editor marks its elements with data-test-id (Playwright's default is data-testid).
		selectors.setTestIdAttribute('data-test-id');
		testIdAttributeSet = true;
	}
	return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export async function newEditorContext(browser: Browser): Promise<BrowserContext> {
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
	context.setDefaultTimeout(30_000);
	return context;
}

export async function signIn(page: Page, baseUrl: string, owner: { email: string; password: string }): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(owner.email);
	await page.locator('input[name="password"]').fill(owner.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.includes('/signin'));
}

/** A screenshot for the README; toasts and tooltips are moved out of the way first. */
export async function saveScreenshot(page: Page, fileName: string): Promise<string> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	await page.mouse.move(1, 1);
	for (const close of await page.locator('.el-notification__closeBtn').all()) {
		await close.click().catch(() => undefined);
	}
	await page.waitForTimeout(400);
	const path = join(SCREENSHOT_DIR, fileName);
	await page.screenshot({ path });
	return path;
}
