/**
 * Mail → Send and Wait for Response in real n8n against the emulator. A published workflow (Webhook →
 * Outlook Ext) mails Megan the question; the test reads the mail from her inbox in the emulator, follows
 * the links in its HTML like a recipient (GET shows the page, POST answers) and checks that the
 * execution resumes exactly once with the answer. A forged link (altered answer, altered or missing
 * signature), a replayed link, a link past Limit Wait Time and, when the node asks again in the same
 * execution, a link of the earlier question resume nothing and say why. Bad input is refused before any
 * request. One n8n start for everything (about 35-60 s per n8n version, start included).
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/sendAndWait.test.ts
 */
import { randomUUID } from 'node:crypto';

import { nodeType } from '../harness/n8n';
import { webhookWorkflow } from '../harness/workflows';
import { ADELE, CREDENTIAL_IDS, MEGAN, NODE_NAME, runOutlookNode, startE2E, stopE2E, type E2EContext } from './support';

jest.setTimeout(300_000);

let ctx: E2EContext;

beforeAll(async () => {
	ctx = await startE2E();
});

afterAll(async () => {
	await stopE2E(ctx);
});

const sendAndWait = (parameters: Record<string, unknown>) => ({
	resource: 'message',
	operation: 'sendAndWait',
	toRecipients: MEGAN.mail,
	message: 'Invoice 4711 from Contoso: 1,250 EUR.\nPlease check.',
	...parameters,
});

/**
 * Publishes Webhook → Outlook Ext (send and wait), calls the webhook, returns the waiting execution.
 * `askTwice`: a Code node after Outlook loops back into it once, so the same node asks a second time.
 */
async function startWaiting(parameters: Record<string, unknown>, askTwice = false): Promise<{ executionId: string; workflowId: string }> {
	const path = `saw-${randomUUID().slice(0, 8)}`;
	const workflow = webhookWorkflow({
		id: 'unused',
		path,
		httpMethod: 'POST',
		responseMode: 'onReceived',
		node: {
			name: NODE_NAME,
			type: nodeType('microsoftOutlookExt'),
			parameters: { authentication: 'oAuth2', ...sendAndWait(parameters) },
			credentials: { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
		},
	});
	if (askTwice) {
		const again = { id: randomUUID(), name: 'Again', type: 'n8n-nodes-base.code', typeVersion: 2, position: [600, 200], parameters: { jsCode: 'return $runIndex === 0 ? [{ json: {} }] : [];' } };
		workflow.nodes.push(again);
		(workflow.connections as Record<string, unknown>)[NODE_NAME] = { main: [[{ node: 'Again', type: 'main', index: 0 }]] };
		(workflow.connections as Record<string, unknown>).Again = { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] };
	}
	const workflowId = await ctx.n8n.apiCreateWorkflow(workflow);
	await ctx.n8n.activate(workflowId);
	const called = await ctx.n8n.fetchWebhook(ctx.n8n.webhookUrl(path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ invoice: 4711, subject: parameters.subject }),
	});
	expect(called.status).toBe(200);
	const execution = await waitForStatus(workflowId, ['waiting', 'error', 'success']);
	if (execution.status !== 'waiting') throw new Error(`execution ${execution.id} is ${execution.status}: ${JSON.stringify(execution.data?.resultData?.error)}`);
	return { executionId: String(execution.id), workflowId };
}

/** The workflow's latest execution once in one of these states (the editor's list: the public one omits waiting ones). */
async function waitForStatus(workflowId: string, statuses: string[], timeoutMs = 30_000): Promise<any> {
	const deadline = Date.now() + timeoutMs;
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	for (;;) {
		const listed = await ctx.n8n.rest('GET', `/executions?filter=${filter}&limit=5`);
		const latest = listed.body?.data?.results?.[0];
		if (latest && statuses.includes(latest.status)) return await execution(String(latest.id));
		if (Date.now() > deadline) throw new Error(`workflow ${workflowId}: no execution in ${statuses.join('/')}: ${JSON.stringify(listed).slice(0, 500)}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

async function execution(executionId: string): Promise<any> {
	return (await ctx.n8n.api('GET', `/executions/${executionId}?includeData=true`)).body;
}

/** The mails in Megan's inbox with this subject, with their HTML body. */
async function inbox(subject: string): Promise<any[]> {
	const token = ctx.emu.issueToken({ userId: MEGAN.id });
	const filter = encodeURIComponent(`subject eq '${subject}'`);
	const response = await fetch(`${ctx.emu.url}/v1.0/me/mailFolders/inbox/messages?$filter=${filter}&$select=subject,body,from`, {
		headers: { Authorization: `Bearer ${token}` },
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { value: any[] }).value;
}

/** The links of the mail's buttons, by button text. */
function buttons(html: string): Record<string, string> {
	const links: Record<string, string> = {};
	for (const match of html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)) links[match[2]] = match[1].replace(/&amp;/g, '&');
	return links;
}

/** A GET opens the link; a POST submits the page's form, multipart as its enctype says (a browser's request). */
async function click(url: string, method: 'GET' | 'POST' = 'POST', form: Record<string, string> = {}): Promise<{ status: number; text: string }> {
	const body = new FormData();
	for (const [name, value] of Object.entries(form)) body.append(name, value);
	const response = await fetch(url, { method, redirect: 'manual', ...(method === 'POST' ? { body } : {}) });
	return { status: response.status, text: await response.text() };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, 150));
	}
}

/** Polls until the resumed execution has finished (a waiting one already has a stoppedAt on newer n8n). */
async function finished(executionId: string, timeoutMs = 30_000): Promise<any> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const current = await execution(executionId);
		if (['success', 'error', 'crashed', 'canceled'].includes(current.status)) return current;
		if (Date.now() > deadline) throw new Error(`execution ${executionId} is still ${current.status}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

function nodeOutput(execution: any): any[] {
	return (execution.data.resultData.runData[NODE_NAME] as any[]).flatMap((run) => run.data?.main?.[0] ?? []).map((item) => item.json);
}

async function sentCount(subject: string): Promise<number> {
	const log = (await (await fetch(`${ctx.emu.url}/_emulator/mail/sent`)).json()) as { value: any[] };
	return log.value.filter((record) => record.subject === subject).length;
}

describe('Send and Wait for Response', () => {
	it('approval: the mail carries signed Approve/Decline links; forged links are refused, the answer resumes once, a replay resumes nothing', async () => {
		const subject = `Approve invoice ${randomUUID().slice(0, 6)}?`;
		const { executionId } = await startWaiting({
			subject,
			// An expression over the input item, as most workflows have (the resume request has no item).
			message: '={{ "Invoice " + $json.body.invoice + " from Contoso: 1,250 EUR.\\nPlease check." }}',
			responseType: 'approval',
			approvalType: 'approveAndDecline',
			approveLabel: 'Yes, pay',
			declineLabel: 'No',
		});

		const [mail] = await inbox(subject);
		expect(mail.from.emailAddress.address).toBe(ADELE.mail);
		expect(mail.body.content).toContain('Invoice 4711 from Contoso: 1,250 EUR.<br>Please check.');
		const links = buttons(mail.body.content);
		expect(Object.keys(links).sort()).toEqual(['No', 'Yes, pay']);
		const approve = new URL(links['Yes, pay']);
		expect(approve.pathname).toMatch(new RegExp(`/webhook-waiting/${executionId}/[0-9a-f-]{36}$`));
		expect(approve.searchParams.get('answer')).toBe('approve');
		expect(approve.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(await sentCount(subject)).toBe(1);

		// Forged: the answer changed under the approve link's signature, a made-up signature, none at all.
		const altered = new URL(approve);
		altered.searchParams.set('answer', 'decline');
		const madeUp = new URL(approve);
		madeUp.searchParams.set('signature', 'a'.repeat(64));
		const unsigned = new URL(approve);
		unsigned.searchParams.delete('signature');
		for (const forged of [altered, madeUp, unsigned]) {
			const answer = await click(forged.toString());
			expect(answer.status).toBe(401);
			// n8n's answer: 2.8.4 `{"error":"Invalid token"}`, 2.41.1 its "Invalid Form Link" page.
			expect(answer.text).toMatch(/Invalid token|Invalid Form Link/);
		}
		// Opening the link only shows the question (mail scanners that follow links do not answer).
		const opened = await click(links['Yes, pay'], 'GET');
		expect(opened.status).toBe(200);
		// The page evaluates the Message expression again, over the node's input item.
		expect(opened.text).toContain('Invoice 4711 from Contoso: 1,250 EUR.<br>Please check.');
		expect(opened.text).toContain('<form method="post" enctype="multipart/form-data">');
		expect(opened.text).toContain('Yes, pay');
		expect((await execution(executionId)).status).toBe('waiting');

		const answered = await click(links['No']);
		expect(answered.status).toBe(200);
		expect(answered.text).toContain('Your answer was recorded');
		const done = await finished(executionId);
		expect(done.status).toBe('success');
		expect(nodeOutput(done)).toEqual([{ data: { approved: false } }]);

		// Replays of either link: n8n's "no action required" page; the execution's output stays the same.
		for (const replay of [links['No'], links['Yes, pay']]) {
			const again = await click(replay);
			expect(again.text).not.toContain('Your answer was recorded');
			expect(again.text.toLowerCase()).toMatch(/no action required|already/);
		}
		const after = await execution(executionId);
		expect(nodeOutput(after)).toEqual([{ data: { approved: false } }]);
		expect(after.stoppedAt).toBe(done.stoppedAt);
		expect(await sentCount(subject)).toBe(1);
	});

	it('free text and custom form: the page refuses an incomplete answer (still waiting), then resumes with the answer', async () => {
		const textSubject = `Comment ${randomUUID().slice(0, 6)}`;
		const formSubject = `Form ${randomUUID().slice(0, 6)}`;
		const text = await startWaiting({ subject: textSubject, responseType: 'freeText', sendAndWaitOptions: { messageButtonLabel: 'Answer now' } });
		const form = await startWaiting({
			subject: formSubject,
			responseType: 'customForm',
			formFields: {
				values: [
					{ fieldLabel: 'Cost centre', fieldType: 'text', requiredField: true },
					{ fieldLabel: 'Amount', fieldType: 'number' },
					{ fieldLabel: 'Priority', fieldType: 'dropdown', fieldOptions: 'Low, High', requiredField: true },
					{ fieldLabel: 'Urgent', fieldType: 'checkbox' },
				],
			},
			sendAndWaitOptions: { responseFormTitle: 'Book the invoice', responseFormButtonLabel: 'Book' },
		});

		const textLink = buttons((await inbox(textSubject))[0].body.content)['Answer now'];
		const textPage = await click(textLink, 'GET');
		expect(textPage.text).toContain('<textarea');
		const empty = await click(textLink, 'POST', { 'field-0': '  ' });
		expect(empty.status).toBe(400);
		expect(empty.text).toContain('&quot;Response&quot; is required.');
		expect((await execution(text.executionId)).status).toBe('waiting');
		expect((await click(textLink, 'POST', { 'field-0': 'Pay it <b>today</b>' })).status).toBe(200);
		expect(nodeOutput(await finished(text.executionId))).toEqual([{ data: { text: 'Pay it <b>today</b>' } }]);

		const formLink = buttons((await inbox(formSubject))[0].body.content)['Respond'];
		const formPage = await click(formLink, 'GET');
		expect(formPage.text).toContain('Book the invoice');
		expect(formPage.text).toContain('<option>High</option>');
		const badChoice = await click(formLink, 'POST', { 'field-0': 'CC-12', 'field-2': 'Urgent!' });
		expect(badChoice.status).toBe(400);
		expect(badChoice.text).toContain('must be one of: Low, High');
		expect((await click(formLink, 'POST', { 'field-0': 'CC-12', 'field-1': '1250.5', 'field-2': 'High', 'field-3': 'on' })).status).toBe(200);
		expect(nodeOutput(await finished(form.executionId))).toEqual([
			{ data: { 'Cost centre': 'CC-12', Amount: 1250.5, Priority: 'High', Urgent: true } },
		]);
	});

	it('when the node asks again in the same execution, a link of the earlier mail does not answer the new question', async () => {
		const subject = `Twice ${randomUUID().slice(0, 6)}`;
		const { executionId } = await startWaiting({ subject }, true);
		const first = buttons((await inbox(subject))[0].body.content)['Approve'];
		expect((await click(first)).text).toContain('Your answer was recorded');
		// The answer went through the Code node back into Outlook, which mailed the second question and waits again.
		const mails = await until(async () => ((await inbox(subject)).length === 2 && (await execution(executionId)).status === 'waiting' ? await inbox(subject) : undefined));
		const second = mails.map((mail) => buttons(mail.body.content)['Approve']).find((link) => link !== first)!;
		expect(new URL(second).searchParams.get('question')).not.toBe(new URL(first).searchParams.get('question'));

		const replay = await click(first);
		expect(replay.status).toBe(409);
		expect(replay.text).toContain('This link belongs to an earlier question');
		expect((await execution(executionId)).status).toBe('waiting');

		expect((await click(second)).text).toContain('Your answer was recorded');
		const done = await finished(executionId);
		expect(done.status).toBe('success');
		expect((done.data.resultData.runData[NODE_NAME] as any[]).map((run) => run.data.main[0].map((item: any) => item.json))).toEqual([
			[{ data: { approved: true } }],
			[{ data: { approved: true } }],
		]);
		expect(await sentCount(subject)).toBe(2);
	});

	it('an answer after Limit Wait Time resumes nothing and says the request has expired', async () => {
		const subject = `Late ${randomUUID().slice(0, 6)}`;
		const deadline = new Date(Date.now() + 4000).toISOString();
		const { executionId } = await startWaiting({
			subject,
			sendAndWaitOptions: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: deadline } } },
		});
		const link = buttons((await inbox(subject))[0].body.content)['Approve'];
		expect(new URL(link).searchParams.get('expires')).toBe(String(Date.parse(deadline)));
		await new Promise((resolve) => setTimeout(resolve, Date.parse(deadline) - Date.now() + 200));
		const late = await click(link);
		expect(late.text).not.toContain('Your answer was recorded');
		// Our page (410) while n8n has not resumed it yet; n8n's own page once its wait timer did.
		if (late.status === 410) expect(late.text).toContain('This request has expired');
		else expect(late.text.toLowerCase()).toMatch(/no action required/);
		const now = await execution(executionId);
		// Still waiting for n8n's timer, or continued by it with the input item: never with an answer.
		if (now.status !== 'waiting') expect(nodeOutput(now).some((json) => 'data' in json)).toBe(false);
	});

	it('refuses bad input before any request', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			// An expression, as n8n itself refuses to run a node whose required To is empty.
			[{ toRecipients: '={{ " , " }}', subject: 'x' }, /no recipient/],
			[{ toRecipients: 'megan@', subject: 'x' }, /invalid email address: "megan@"/],
			[{ subject: 'x', approvalType: 'approveAndDecline', declineLabel: ' ' }, /Decline Button Label is empty/],
			[{ subject: 'x', approveLabel: '' }, /Approve Button Label is empty/],
			[{ subject: 'x', responseType: 'customForm', formFields: {} }, /Form Fields is empty/],
			[{ subject: 'x', sendAndWaitOptions: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0 } } } }, /Amount must be a number above 0/],
			[{ subject: 'x', sendAndWaitOptions: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2020-01-01T00:00:00Z' } } } }, /in the past/],
		];
		for (const [parameters, message] of cases) {
			const run = await runOutlookNode(ctx, { parameters: sendAndWait(parameters) });
			expect(run.success).toBe(false);
			expect(run.error?.message).toMatch(message);
			expect(run.graphRequests).toEqual([]);
		}
	});
});
