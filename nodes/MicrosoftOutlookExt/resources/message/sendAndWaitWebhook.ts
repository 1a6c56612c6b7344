import type { IDataObject, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { formFieldsOf, questionNumber, type SendAndWaitOptions } from './sendAndWait';
import { escapeHtml, fieldsHtml, formPage, page, readForm } from './sendAndWaitPages';

/**
 * The resume request of Send and Wait for Response. n8n routes `/webhook-waiting/<execution>/<node id>`
 * here only while the execution waits in this node, after checking the link's signature (a forged
 * or altered link gets 401 from n8n); once the execution went on, n8n answers the link with its
 * "no action required" page (or 409 while the execution still runs). This handler adds: a link past
 * its Limit Wait Time is refused (410), and opening a link only shows the question; the answer is
 * the POST of that page.
 */

/** GET shows the page, POST answers. `restartWebhook`: only a waiting execution is resumed by them. */
export const sendAndWaitWebhooks: IWebhookDescription[] = ['GET', 'POST'].map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));

const THANKS = page('Got it, thanks', 'Your answer was recorded. You can close this page.');

/** Answers the request ourselves and resumes nothing. */
function refuse(ctx: IWebhookFunctions, status: number, title: string, text: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).type('html').send(page(title, text));
	return { noWebhookResponse: true };
}

function show(ctx: IWebhookFunctions, html: string, status = 200): IWebhookResponseData {
	ctx.getResponseObject().status(status).type('html').send(html);
	return { noWebhookResponse: true };
}

function resume(data: IDataObject): IWebhookResponseData {
	return { webhookResponse: THANKS, workflowData: [[{ json: { data } }]] };
}

/**
 * Subject and Message for the page. They may be expressions over the input item, which the resume
 * request does not have (n8n gives the webhook no items): then the page goes without them.
 */
function textParameter(ctx: IWebhookFunctions, name: string): string {
	try {
		return String(ctx.getNodeParameter(name, '') ?? '');
	} catch {
		return '';
	}
}

/** The question this node waits for now (see questionNumber); undefined if n8n cannot tell. */
function currentQuestion(ctx: IWebhookFunctions): string | undefined {
	try {
		const value = questionNumber(ctx);
		return /^\d+$/.test(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const method = this.getRequestObject().method;
	const query = this.getQueryData() as Record<string, string | undefined>;
	const expires = Number(query.expires);
	if (query.expires !== undefined && (!Number.isFinite(expires) || Date.now() >= expires)) {
		return refuse(this, 410, 'This request has expired', 'The time to answer is over; the workflow no longer waits for this answer. Nothing was recorded.');
	}
	const current = currentQuestion(this);
	if (current !== undefined && query.question !== current) {
		return refuse(this, 409, 'This link belongs to an earlier question', 'The workflow has asked again since. Use a button in the latest mail. Nothing was recorded.');
	}
	if (method !== 'GET' && method !== 'POST') return refuse(this, 405, 'Not supported', 'Open the link from the mail.');

	const responseType = this.getNodeParameter('responseType', 'approval') as string;
	const options = this.getNodeParameter('sendAndWaitOptions', {}) as SendAndWaitOptions;
	const title = options.responseFormTitle || textParameter(this, 'subject') || 'Your answer';
	const text = options.responseFormDescription || textParameter(this, 'message');
	const answer = query.answer;

	if (responseType === 'approval') {
		if (answer !== 'approve' && answer !== 'decline') return refuse(this, 400, 'Not an answer link', 'This address does not carry an answer. Use a button in the mail.');
		const label = String(this.getNodeParameter(answer === 'approve' ? 'approveLabel' : 'declineLabel', answer === 'approve' ? 'Approve' : 'Decline'));
		if (method === 'GET') return show(this, formPage(title, text, label, `<p>Your answer: <strong>${escapeHtml(label)}</strong></p>`));
		return resume({ approved: answer === 'approve' });
	}

	if (answer !== 'respond') return refuse(this, 400, 'Not an answer link', 'This address does not carry an answer. Use the button in the mail.');
	const buttonLabel = options.responseFormButtonLabel || 'Submit';
	if (responseType === 'freeText') {
		const field = [{ label: 'Response', type: 'textarea', required: true, choices: [] }];
		if (method === 'GET') return show(this, formPage(title, text, buttonLabel, fieldsHtml(field)));
		const read = readForm(field, this.getBodyData());
		if ('error' in read) return show(this, formPage(title, text, buttonLabel, fieldsHtml(field), read.error), 400);
		return resume({ text: read.values.Response });
	}

	const fields = formFieldsOf(this.getNodeParameter('formFields.values', []));
	if (method === 'GET') return show(this, formPage(title, text, buttonLabel, fieldsHtml(fields)));
	const read = readForm(fields, this.getBodyData());
	if ('error' in read) return show(this, formPage(title, text, buttonLabel, fieldsHtml(fields), read.error), 400);
	return resume(read.values);
}
