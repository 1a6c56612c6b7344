/**
 * Every example workflow of `npm start` runs successfully against the emulator in a real n8n: the three
 * manual ones as the editor's "Execute workflow" runs them, and the mail trigger example on a mail
 * delivered to the emulator. A throwaway sandbox on free ports; the checks are in scripts/sandbox/verify.ts.
 * Run: npm run build && npx jest --selectProjects browser test/browser/examples.test.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TRIGGER_WORKFLOW_ID } from '../../scripts/sandbox/config';
import { exampleWorkflows, freePort, startSandbox, type Sandbox } from '../../scripts/sandbox/sandbox';
import { verifyExamples, type ExampleResult } from '../../scripts/sandbox/verify';

jest.setTimeout(300_000);

let dir: string;
let sandbox: Sandbox;
let results: ExampleResult[];

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'outlook-examples-'));
	sandbox = await startSandbox({ dir, n8nPort: await freePort(), emulatorPort: await freePort(), brokerPort: await freePort() });
	results = await verifyExamples(sandbox);
});

afterAll(async () => {
	await sandbox?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sandbox example workflows', () => {
	it('imports every example and activates the trigger example (a Graph subscription exists)', () => {
		expect(exampleWorkflows().map((workflow) => workflow.id)).toEqual([
			'sbxEventSchedule',
			'sbxListParseMail',
			TRIGGER_WORKFLOW_ID,
			'sbxScheduleMeet1',
			'sbxSendWithFile1',
			'sbxMailTriage01',
		]);
		expect(sandbox.triggerSubscribed).toBe(true);
	});

	it.each(['sbxListParseMail', 'sbxSendWithFile1', 'sbxEventSchedule', 'sbxScheduleMeet1', 'sbxMailTriage01', TRIGGER_WORKFLOW_ID])('%s runs successfully', (workflowId) => {
		const result = results.find((entry) => entry.workflowId === workflowId);
		expect(result).toBeDefined();
		// The detail says what failed (or what was checked), so a failure reads well in the jest output.
		expect({ ok: result!.ok, detail: result!.detail }).toEqual({ ok: true, detail: expect.any(String) });
		expect(result!.execution?.status).toBe('success');
	});
});
