import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../../shared/descriptions';
import { graphApiRequest, resolveTarget } from '../../shared/transport/request';
import { isEmail, toRecipients } from '../../shared/validation';
import { answerLinks, mailHtml, type FormField } from './sendAndWaitPages';

/**
 * Mail → Send and Wait for Response: a custom operation (INodeType.customOperations) in the otherwise
 * declarative node. It mails the recipients n8n's signed resume links, then puts the execution to
 * wait; the node's webhook() (sendAndWaitWebhook.ts) takes the answer and resumes it.
 */

/** n8n validates the resume link's signature only for nodes whose operation has this value. */
export const SEND_AND_WAIT = 'sendAndWait';

const show = { resource: ['message'], operation: [SEND_AND_WAIT] };

export const messageSendAndWaitDescription: INodeProperties[] = [
	{
		displayName: 'To',
		name: 'toRecipients',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'anna@contoso.com, ben@contoso.com',
		description: 'Comma-separated email addresses of the people asked, e.g. "anna@contoso.com". The first answer from any of them resumes the workflow.',
		displayOptions: { show },
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Approve invoice 4711?',
		description: 'Subject line of the mail, e.g. "Approve invoice 4711?"',
		displayOptions: { show },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 4 },
		description: 'Plain text shown above the buttons (line breaks are kept, HTML is shown as text), e.g. "Invoice 4711 from Contoso: 1,250 EUR."',
		displayOptions: { show },
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'approval',
		description: 'What the recipient answers with',
		options: [
			{ name: 'Approval', value: 'approval', description: 'Approve (and optionally Decline) buttons in the mail' },
			{ name: 'Free Text', value: 'freeText', description: 'A button that opens a page with one text box' },
			{ name: 'Custom Form', value: 'customForm', description: 'A button that opens a page with the form fields defined below' },
		],
		displayOptions: { show },
	},
	{
		displayName: 'Type of Approval',
		name: 'approvalType',
		type: 'options',
		default: 'approveOnly',
		description: 'Which buttons the mail shows',
		options: [
			{ name: 'Approve Only', value: 'approveOnly' },
			{ name: 'Approve and Decline', value: 'approveAndDecline' },
		],
		displayOptions: { show: { ...show, responseType: ['approval'] } },
	},
	{
		displayName: 'Approve Button Label',
		name: 'approveLabel',
		type: 'string',
		default: 'Approve',
		description: 'Text of the approve button, e.g. "Approve"',
		displayOptions: { show: { ...show, responseType: ['approval'] } },
	},
	{
		displayName: 'Decline Button Label',
		name: 'declineLabel',
		type: 'string',
		default: 'Decline',
		description: 'Text of the decline button, e.g. "Decline"',
		displayOptions: { show: { ...show, responseType: ['approval'], approvalType: ['approveAndDecline'] } },
	},
	{
		displayName: 'Form Fields',
		name: 'formFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Form Field',
		default: {},
		description: 'The fields of the answer form. The output has one property per field, named by its label.',
		displayOptions: { show: { ...show, responseType: ['customForm'] } },
		options: [
			{
				displayName: 'Field',
				name: 'values',
				values: [
					{
						displayName: 'Label',
						name: 'fieldLabel',
						type: 'string',
						default: '',
						placeholder: 'e.g. Cost centre',
						description: 'Label shown on the form and the name of the output property, e.g. "Cost centre"',
					},
					{
						displayName: 'Type',
						name: 'fieldType',
						type: 'options',
						default: 'text',
						options: [
							{ name: 'Checkbox', value: 'checkbox' },
							{ name: 'Date', value: 'date' },
							{ name: 'Dropdown', value: 'dropdown' },
							{ name: 'Email', value: 'email' },
							{ name: 'Number', value: 'number' },
							{ name: 'Text', value: 'text' },
							{ name: 'Textarea', value: 'textarea' },
						],
					},
					{
						displayName: 'Choices',
						name: 'fieldOptions',
						type: 'string',
						default: '',
						placeholder: 'e.g. Low, Medium, High',
						description: 'Comma-separated choices of a dropdown, e.g. "Low, Medium, High"',
						displayOptions: { show: { fieldType: ['dropdown'] } },
					},
					{
						displayName: 'Required',
						name: 'requiredField',
						type: 'boolean',
						default: false,
						description: 'Whether the form refuses an answer without this field',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'sendAndWaitOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Limit Wait Time',
				name: 'limitWaitTime',
				type: 'fixedCollection',
				default: { values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'hours' } },
				description:
					'Stop waiting after a time: the workflow then continues with the input items unchanged, and a later answer is refused. Without it the workflow waits until someone answers.',
				options: [
					{
						displayName: 'Values',
						name: 'values',
						values: [
							{
								displayName: 'Limit Type',
								name: 'limitType',
								type: 'options',
								default: 'afterTimeInterval',
								options: [
									{ name: 'After Time Interval', value: 'afterTimeInterval', description: 'Wait at most this long' },
									{ name: 'At Specified Time', value: 'atSpecifiedTime', description: 'Wait until this date and time' },
								],
							},
							{
								displayName: 'Amount',
								name: 'resumeAmount',
								type: 'number',
								typeOptions: { minValue: 0, numberPrecision: 2 },
								default: 1,
								description: 'How long to wait, in the unit below, e.g. 2',
								displayOptions: { show: { limitType: ['afterTimeInterval'] } },
							},
							{
								displayName: 'Unit',
								name: 'resumeUnit',
								type: 'options',
								default: 'hours',
								options: [
									{ name: 'Minutes', value: 'minutes' },
									{ name: 'Hours', value: 'hours' },
									{ name: 'Days', value: 'days' },
								],
								displayOptions: { show: { limitType: ['afterTimeInterval'] } },
							},
							{
								displayName: 'Max Date and Time',
								name: 'maxDateAndTime',
								type: 'dateTime',
								default: '',
								description: 'When to stop waiting, e.g. 2026-05-01T17:00:00Z',
								displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
							},
						],
					},
				],
			},
			{
				displayName: 'Message Button Label',
				name: 'messageButtonLabel',
				type: 'string',
				default: 'Respond',
				description: 'Text of the button in the mail that opens the answer page (Free Text and Custom Form)',
			},
			{
				displayName: 'Response Form Button Label',
				name: 'responseFormButtonLabel',
				type: 'string',
				default: 'Submit',
				description: 'Text of the submit button on the answer page',
			},
			{
				displayName: 'Response Form Description',
				name: 'responseFormDescription',
				type: 'string',
				default: '',
				description: 'Text shown on the answer page; the message when empty',
			},
			{
				displayName: 'Response Form Title',
				name: 'responseFormTitle',
				type: 'string',
				default: '',
				description: 'Title of the answer page; the subject when empty',
			},
		],
	},
];

export interface SendAndWaitOptions {
	limitWaitTime?: { values?: { limitType?: string; resumeAmount?: number; resumeUnit?: string; maxDateAndTime?: string } };
	messageButtonLabel?: string;
	responseFormTitle?: string;
	responseFormDescription?: string;
	responseFormButtonLabel?: string;
}

/**
 * Which question of this node in this execution: the number of its earlier runs. The resume request
 * sees the same number (n8n drops the waiting run before it calls webhook()), and a later question a
 * higher one. Read through an expression, the one way both n8n versions expose it to a webhook.
 */
export function questionNumber(ctx: Pick<IExecuteFunctions, 'evaluateExpression' | 'getNode'>): string {
	return String(ctx.evaluateExpression(`{{ $node[${JSON.stringify(ctx.getNode().name)}].runIndex + 1 }}`, 0));
}

const UNIT_MS: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

function refuse(ctx: IExecuteFunctions, itemIndex: number, message: string, description: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
}

/** Limit Wait Time → when n8n resumes the execution without an answer (WAIT_INDEFINITELY without a limit). */
function waitUntil(ctx: IExecuteFunctions, options: SendAndWaitOptions, now = Date.now()): Date {
	const limit = options.limitWaitTime?.values;
	if (!limit) return WAIT_INDEFINITELY;
	if ((limit.limitType ?? 'afterTimeInterval') === 'afterTimeInterval') {
		const amount = Number(limit.resumeAmount);
		const unit = UNIT_MS[limit.resumeUnit ?? 'hours'];
		if (!Number.isFinite(amount) || amount <= 0 || !unit) {
			throw refuse(ctx, 0, 'Limit Wait Time → Amount must be a number above 0', `It is ${String(limit.resumeAmount)}. Example: 2 with Unit "Hours".`);
		}
		return new Date(now + amount * unit);
	}
	const at = new Date(String(limit.maxDateAndTime ?? ''));
	if (Number.isNaN(at.getTime())) {
		throw refuse(ctx, 0, 'Limit Wait Time → Max Date and Time is not a date', `It is "${String(limit.maxDateAndTime ?? '')}". Use an ISO date-time such as 2026-05-01T17:00:00Z.`);
	}
	if (at.getTime() <= now) {
		throw refuse(ctx, 0, 'Limit Wait Time → Max Date and Time is in the past', `It is ${at.toISOString()}; nobody could answer in time. Choose a later date and time.`);
	}
	return at;
}

/** The custom form's fields from the Form Fields parameter (checkFormFields says what is wrong with them). */
export function formFieldsOf(values: unknown): FormField[] {
	const fields = (Array.isArray(values) ? (values as IDataObject[]) : []).map((field) => ({
		label: String(field.fieldLabel ?? '').trim(),
		type: String(field.fieldType ?? 'text'),
		required: field.requiredField === true,
		choices: String(field.fieldOptions ?? '')
			.split(',')
			.map((choice) => choice.trim())
			.filter(Boolean),
	}));
	return fields;
}

function checkFormFields(ctx: IExecuteFunctions, fields: FormField[]): void {
	if (fields.length === 0) throw refuse(ctx, 0, 'Form Fields is empty', 'Add at least one field to the custom form, or choose Response Type "Free Text".');
	const seen = new Set<string>();
	for (const [index, field] of fields.entries()) {
		if (!field.label) throw refuse(ctx, 0, `Form field ${index + 1} has no label`, 'Give every field a label, e.g. "Cost centre": it names the output property.');
		if (seen.has(field.label)) throw refuse(ctx, 0, `Two form fields are labelled "${field.label}"`, 'Labels name the output properties: make each one unique.');
		seen.add(field.label);
		if (field.type === 'dropdown' && field.choices.length === 0) {
			throw refuse(ctx, 0, `Form field "${field.label}" is a dropdown without choices`, 'Enter its Choices, comma-separated, e.g. "Low, Medium, High".');
		}
	}
}

interface PlannedMail {
	to: string[];
	subject: string;
	message: string;
}

function plannedMail(ctx: IExecuteFunctions, itemIndex: number): PlannedMail {
	const raw = String(ctx.getNodeParameter('toRecipients', itemIndex, '') ?? '');
	const to = raw
		.split(/[,;\n]/)
		.map((address) => address.trim())
		.filter(Boolean);
	if (to.length === 0) throw refuse(ctx, itemIndex, 'The message has no recipient', 'Enter at least one email address in To, e.g. "anna@contoso.com".');
	const invalid = to.find((address) => !isEmail(address));
	if (invalid) throw refuse(ctx, itemIndex, `To contains an invalid email address: "${invalid}"`, 'Separate addresses with commas, e.g. "anna@contoso.com, ben@contoso.com".');
	const subject = String(ctx.getNodeParameter('subject', itemIndex, '') ?? '').trim();
	if (!subject) throw refuse(ctx, itemIndex, 'Subject is empty', 'Enter the subject of the mail, e.g. "Approve invoice 4711?".');
	return { to, subject, message: String(ctx.getNodeParameter('message', itemIndex, '') ?? '') };
}

/** Request Options → Timeout (the declarative operations read it in shared/routing.ts). */
function requestTimeoutMs(ctx: IExecuteFunctions): number {
	const { timeout } = ctx.getNodeParameter('requestOptions', 0, {}) as IDataObject;
	if (timeout === undefined || timeout === '') return DEFAULT_TIMEOUT_MS;
	if (!Number.isInteger(Number(timeout)) || Number(timeout) < 1) {
		throw refuse(ctx, 0, 'Timeout must be a whole number of milliseconds, at least 1', `It is ${String(timeout)}. The default is ${DEFAULT_TIMEOUT_MS} (2 minutes).`);
	}
	return Number(timeout);
}

/** Everything checked before any request; then one POST /sendMail per item, then the wait. */
export async function sendAndWaitExecute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const responseType = this.getNodeParameter('responseType', 0, 'approval') as string;
	const options = this.getNodeParameter('sendAndWaitOptions', 0, {}) as SendAndWaitOptions;
	const waitTill = waitUntil(this, options);
	const buttons: Array<{ label: string; answer: 'approve' | 'decline' | 'respond' }> = [];
	if (responseType === 'approval') {
		const approveLabel = String(this.getNodeParameter('approveLabel', 0, 'Approve') ?? '').trim();
		if (!approveLabel) throw refuse(this, 0, 'Approve Button Label is empty', 'The mail would have no approve button: enter its text, e.g. "Approve".');
		buttons.push({ label: approveLabel, answer: 'approve' });
		if (this.getNodeParameter('approvalType', 0, 'approveOnly') === 'approveAndDecline') {
			const declineLabel = String(this.getNodeParameter('declineLabel', 0, 'Decline') ?? '').trim();
			if (!declineLabel) throw refuse(this, 0, 'Decline Button Label is empty', 'The mail would have no decline button: enter its text, e.g. "Decline", or choose "Approve Only".');
			buttons.push({ label: declineLabel, answer: 'decline' });
		}
	} else {
		if (responseType === 'customForm') checkFormFields(this, formFieldsOf(this.getNodeParameter('formFields.values', 0, [])));
		const label = String(options.messageButtonLabel ?? 'Respond').trim() || 'Respond';
		buttons.push({ label, answer: 'respond' });
	}
	const mails = items.map((_item, itemIndex) => plannedMail(this, itemIndex));

	// n8n then refuses any resume request whose signature does not match the link it issued. n8n 2.8
	// checks only when asked; newer n8n (2.41: no such method) always checks a send-and-wait node's link.
	(this as Partial<Pick<IExecuteFunctions, 'setSignatureValidationRequired'>>).setSignatureValidationRequired?.();
	// n8n's signature names the execution and the node, not this question: if the node asks again in
	// the same execution (a loop), the links of the earlier mail must not answer the new question.
	const question = questionNumber(this);
	const limit: Record<string, string> = waitTill === WAIT_INDEFINITELY ? {} : { expires: String(waitTill.getTime()) };
	const links = answerLinks(buttons, (query) => this.getSignedResumeUrl({ ...query, question, ...limit }));

	const target = await resolveTarget(this, {
		authentication: this.getNodeParameter('authentication', 0, 'oAuth2') as string,
		mailbox: this.getNodeParameter('mailbox', 0, '') as string,
		itemIndex: 0,
		timeoutMs: requestTimeoutMs(this),
	});
	for (const [itemIndex, mail] of mails.entries()) {
		// POST is never repeated by the transport: an answer lost after sending reports "may have been sent".
		await graphApiRequest(this, { ...target, itemIndex }, {
			method: 'POST',
			url: '/me/sendMail',
			body: {
				message: {
					subject: mail.subject,
					body: { contentType: 'HTML', content: mailHtml(mail.message, links) },
					toRecipients: toRecipients(mail.to),
				},
				saveToSentItems: true,
			},
		});
	}
	await this.putExecutionToWait(waitTill);
	return [items];
}
