/**
 * Proves every example workflow of the sandbox works against the emulator: runs the manual ones
 * the way the editor's "Execute workflow" does and checks what they produced, then delivers a mail and
 * waits for the trigger example to run on it.
 *
 *   npm run sandbox:verify     # a throwaway sandbox in a temp folder on free ports (never touches .sandbox/)
 *
 * verifyExamples() is also used by test/browser/examples.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TRIGGER_WORKFLOW_ID } from './config';
import { EditorSession, executionError, nodeOutput, type ExecutionRecord } from './editor-session';
import { deliverSampleMail } from './mail';
import { freePort, startSandbox, type Sandbox } from './sandbox';

export interface ExampleResult {
	workflowId: string;
	ok: boolean;
	ms: number;
	/** What was checked, or why it failed. */
	detail: string;
	execution?: ExecutionRecord;
}

class CheckFailed extends Error {}

function check(condition: unknown, message: string): asserts condition {
	if (!condition) throw new CheckFailed(message);
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

function succeeded(execution: ExecutionRecord): void {
	check(execution.status === 'success', `execution ${execution.id} ended with ${executionError(execution)}`);
}

async function listAndParseMail(session: EditorSession): Promise<[string, ExecutionRecord]> {
	const execution = await session.runSavedWorkflow('sbxListParseMail');
	succeeded(execution);
	const listed = nodeOutput(execution, 'List Mail Messages');
	check(listed.length === 5, `List Mail Messages gave ${listed.length} items, expected 5`);
	check(listed.every((item) => item.json.hasAttachments === true), 'List Mail Messages returned a message without attachments');
	const parsed = nodeOutput(execution, 'Get Mail Message');
	check(parsed.length === 5, `Get Mail Message gave ${parsed.length} items, expected 5`);
	for (const item of parsed) {
		check(typeof item.json.subject === 'string' && item.json.subject.length > 0, 'a parsed mail has no subject');
		check(item.binary?.attachment_0?.fileName, `parsed mail "${item.json.subject}" has no attachment binary`);
	}
	return [`5 messages listed, 5 parsed with attachments (first: "${parsed[0].json.subject}", ${parsed[0].binary?.attachment_0?.fileName})`, execution];
}

async function sendMailWithAttachment(session: EditorSession, sandbox: Sandbox): Promise<[string, ExecutionRecord]> {
	const execution = await session.runSavedWorkflow('sbxSendWithFile1');
	succeeded(execution);
	const sent = (await (await fetch(`${sandbox.emulator.url}/_emulator/mail/sent`)).json()) as {
		value: Array<{ subject: string; to: string[]; attachmentCount: number; deliveredTo: unknown[] }>;
	};
	const mail = sent.value.filter((record) => record.subject === 'Meeting notes from the sandbox').pop();
	check(mail, 'the emulator received no mail "Meeting notes from the sandbox"');
	check(mail.attachmentCount === 1, `the sent mail has ${mail.attachmentCount} attachments, expected 1`);
	check(mail.to.some((address) => /meganb@contoso\.com/i.test(address)), `the mail went to ${mail.to.join(', ')}, not Megan`);
	check(mail.deliveredTo.length > 0, 'the mail was not delivered to any mailbox');
	return [`sent to ${mail.to.join(', ')} with 1 attachment, delivered to Megan's inbox`, execution];
}

async function createEventCheckAvailability(session: EditorSession): Promise<[string, ExecutionRecord]> {
	const execution = await session.runSavedWorkflow('sbxEventSchedule');
	succeeded(execution);
	const created = nodeOutput(execution, 'Create Event');
	check(created.length === 1 && typeof created[0].json.id === 'string', 'Create Event did not output the new event');
	const schedules = nodeOutput(execution, 'Get Schedule Availability');
	check(schedules.length === 2, `Get Schedule Availability gave ${schedules.length} schedules, expected 2 (Adele, Megan)`);
	const views = schedules.map((item) => String(item.json.availabilityView ?? ''));
	check(views.every((view) => view.length === 10), `availability views are not 10 hourly slots: ${views.join(', ')}`);
	// 14:00-15:00 is slot 6 of 08:00-18:00: Adele is busy with the new event.
	check(views[0][6] !== '0', `Adele is free at 14:00 although the new event is there (${views[0]})`);
	return [`event "${created[0].json.subject}" created; availability Adele ${views[0]}, Megan ${views[1]}`, execution];
}

/** Find a time for three attendees and a room, book it, Megan's copy accepts, the organizer's event shows it. */
async function scheduleMeeting(session: EditorSession): Promise<[string, ExecutionRecord]> {
	const execution = await session.runSavedWorkflow('sbxScheduleMeet1');
	succeeded(execution);
	const [suggestion] = nodeOutput(execution, 'Find Meeting Times');
	check(suggestion && typeof suggestion.json.confidence === 'number', 'Find Meeting Times gave no suggestion');
	const locations = suggestion.json.locations as Array<{ locationEmailAddress?: string }>;
	check(locations?.[0]?.locationEmailAddress === 'cf101@contoso.com', `the suggestion has no Conf Room 101: ${JSON.stringify(locations)}`);
	const accepted = nodeOutput(execution, 'Megan Accepts');
	check(accepted.length === 1 && accepted[0].json.response === 'accepted', `Megan Accepts gave ${JSON.stringify(accepted.map((item) => item.json))}`);
	const [organizer] = nodeOutput(execution, "Organizer's Event");
	const attendees = (organizer?.json.attendees ?? []) as Array<{ type: string; emailAddress: { address: string }; status: { response: string } }>;
	const megan = attendees.find((attendee) => /meganb@contoso\.com/i.test(attendee.emailAddress.address));
	check(megan?.status.response === 'accepted', `Megan's response on the organizer's event is ${megan?.status.response}`);
	check(attendees.some((attendee) => attendee.type === 'resource' && attendee.emailAddress.address === 'cf101@contoso.com'), 'the room is not booked');
	const slot = suggestion.json.meetingTimeSlot as { start: { dateTime: string } };
	return [`"Project kickoff" at ${slot.start.dateTime} UTC (confidence ${String(suggestion.json.confidence)}) in Conf Room 101; Megan accepted`, execution];
}

/** The triage example: three unread mails flagged (with a category), answered and moved to Archive. */
async function triageMail(session: EditorSession, sandbox: Sandbox): Promise<[string, ExecutionRecord]> {
	const execution = await session.runSavedWorkflow('sbxMailTriage01');
	succeeded(execution);
	const listed = nodeOutput(execution, 'List unread mail');
	check(listed.length === 3, `List unread mail gave ${listed.length} items, expected 3`);
	const flagged = nodeOutput(execution, 'Flag for follow-up');
	check(flagged.length === 3, `Flag for follow-up gave ${flagged.length} items, expected 3`);
	for (const item of flagged) {
		const flag = item.json.flag as { flagStatus?: string; dueDateTime?: { dateTime?: string } } | undefined;
		check(flag?.flagStatus === 'flagged' && flag.dueDateTime?.dateTime === '2026-05-08T17:00:00', `"${String(item.json.subject)}" is not flagged with its due date`);
		check(JSON.stringify(item.json.categories) === '["Red category"]' && item.json.isRead === true, `"${String(item.json.subject)}" lacks its category or is unread`);
	}
	const replies = nodeOutput(execution, 'Reply');
	check(replies.length === 3 && replies.every((item) => item.json.sent === true), 'Reply did not send three answers');
	const sent = (await (await fetch(`${sandbox.emulator.url}/_emulator/mail/sent`)).json()) as { value: Array<{ subject: string; via: string }> };
	for (const item of listed) {
		const subject = `RE: ${String(item.json.subject)}`;
		const count = sent.value.filter((record) => record.via === 'reply' && record.subject === subject).length;
		check(count >= 1, `no reply "${subject}" reached the emulator`);
	}
	const moved = nodeOutput(execution, 'Move to Archive');
	check(moved.length === 3, `Move to Archive gave ${moved.length} items, expected 3`);
	check(moved.every((item, index) => item.json.id !== listed[index].json.id), 'a moved message kept its old ID (Graph gives it a new one)');
	const folders = new Set(moved.map((item) => String(item.json.parentFolderId)));
	check(folders.size === 1, `the moved messages are in ${folders.size} folders`);
	return [`3 unread mails flagged (Red category, due 2026-05-08), answered and moved to Archive (new IDs)`, execution];
}

async function triggerFiresOnNewMail(session: EditorSession, sandbox: Sandbox): Promise<[string, ExecutionRecord]> {
	check(sandbox.triggerSubscribed, 'the trigger example has no Graph subscription in the emulator (workflow not active?)');
	const before = new Set((await session.executions(TRIGGER_WORKFLOW_ID)).map((execution) => execution.id));
	const subject = `Sandbox check ${Date.now()}`;
	await deliverSampleMail(sandbox.emulator.url, { subject });
	const deadline = Date.now() + 30_000;
	for (;;) {
		const fresh = (await session.executions(TRIGGER_WORKFLOW_ID)).filter((execution) => !before.has(execution.id));
		const match = fresh.find((execution) => nodeOutput(execution, 'Summarize the mail')[0]?.json.subject === subject);
		if (match) {
			succeeded(match);
			const summary = nodeOutput(match, 'Summarize the mail')[0].json;
			check(JSON.stringify(summary.attachments) === JSON.stringify(['greeting.txt']), `attachments: ${JSON.stringify(summary.attachments)}`);
			return [`mail "${subject}" from ${summary.from} started execution ${match.id} (attachment greeting.txt)`, match];
		}
		check(Date.now() < deadline, `no trigger execution for "${subject}" within 30 s (${fresh.length} other new executions)`);
		await sleep(250);
	}
}

/** Runs every check; one failing does not stop the others. */
export async function verifyExamples(sandbox: Sandbox): Promise<ExampleResult[]> {
	const session = await EditorSession.login(sandbox.editorUrl, sandbox.owner);
	const checks: Array<[string, () => Promise<[string, ExecutionRecord]>]> = [
		['sbxListParseMail', () => listAndParseMail(session)],
		['sbxSendWithFile1', () => sendMailWithAttachment(session, sandbox)],
		['sbxEventSchedule', () => createEventCheckAvailability(session)],
		['sbxScheduleMeet1', () => scheduleMeeting(session)],
		['sbxMailTriage01', () => triageMail(session, sandbox)],
		[TRIGGER_WORKFLOW_ID, () => triggerFiresOnNewMail(session, sandbox)],
	];
	const results: ExampleResult[] = [];
	for (const [workflowId, run] of checks) {
		const started = Date.now();
		try {
			const [detail, execution] = await run();
			results.push({ workflowId, ok: true, ms: Date.now() - started, detail, execution });
		} catch (error) {
			results.push({ workflowId, ok: false, ms: Date.now() - started, detail: (error as Error).message });
		}
	}
	return results;
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'outlook-sandbox-check-'));
	const started = Date.now();
	let sandbox: Sandbox | undefined;
	try {
		sandbox = await startSandbox({
			dir,
			n8nPort: await freePort(),
			emulatorPort: await freePort(),
			brokerPort: await freePort(),
			log: (line) => process.stdout.write(`[verify] ${line}\n`),
		});
		process.stdout.write(`[verify] sandbox up in ${((Date.now() - started) / 1000).toFixed(1)} s (${JSON.stringify(sandbox.timings)})\n`);
		const results = await verifyExamples(sandbox);
		for (const result of results) {
			process.stdout.write(`${result.ok ? 'PASS' : 'FAIL'}  ${result.workflowId}  ${result.ms} ms  ${result.detail}\n`);
		}
		if (results.some((result) => !result.ok)) process.exitCode = 1;
	} finally {
		await sandbox?.stop();
		if (process.exitCode && process.env.KEEP_SANDBOX_CHECK === '1') process.stdout.write(`[verify] kept ${dir}\n`);
		else rmSync(dir, { recursive: true, force: true });
	}
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`sandbox:verify failed: ${(error as Error).message}\n`);
		process.exit(1);
	});
}
