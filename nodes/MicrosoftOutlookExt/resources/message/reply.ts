import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties, INodePropertyRouting } from 'n8n-workflow';

import { ItemChannel } from '../../shared/n8nAdapter';
import { itemRequestLoop, itemTarget, sendItemThroughGraph } from '../../shared/routing';
import { graphApiRequest } from '../../shared/transport/request';
import { checkedIdParameter, inputError, parseAddressList, toRecipients } from '../../shared/validation';
import { messageLocator } from './locator';
import { bodyContentTypeField, bodyJson } from './body';
import { messageOptionsField, messageOptionsJson } from './options';
import { messageSendDescription } from './send';
import { collectAttachments, type OutgoingAttachment } from './sendAttachments';
import { attachFiles, draftError, fileAttachmentJson, MAX_JSON_REQUEST_BYTES } from './sendDraft';

/**
 * Reply, Reply All and Forward: one POST /reply|/replyAll|/forward (202), or the answer saved as a draft
 * (/createReply…, 201). Attachments too big for one JSON request go through the draft: create the
 * answer as a draft, attach (upload session from 3 MB), then POST /send.
 */

export const ANSWER_OPERATIONS = ['reply', 'replyAll', 'forward'] as const;
type AnswerKind = (typeof ANSWER_OPERATIONS)[number];

const showForAnswers = { resource: ['message'], operation: [...ANSWER_OPERATIONS] };

/** Send's attachment fields, shown for the answers too (collectAttachments reads the same names). */
const attachmentFields = messageSendDescription
	.filter((property) => property.name === 'attachments' || property.name === 'dynamicAttachments')
	.map((property) => ({ ...property, displayOptions: { show: showForAnswers } }));

export const messageReplyDescription: INodeProperties[] = [
	messageLocator(
		showForAnswers,
		'The message to answer or forward, e.g. the "id" of a message from a trigger or from List Mail Messages',
	),
	{
		displayName: 'Send Mode',
		name: 'answerMode',
		type: 'options',
		options: [
			{ name: 'Send Now', value: 'send', description: 'Send the answer at once (a copy is saved in Sent Items)' },
			{ name: 'Save as Draft', value: 'draft', description: 'Create the answer in Drafts and output it, to review or send later' },
		],
		default: 'send',
		displayOptions: { show: showForAnswers },
	},
	{
		displayName: 'To',
		name: 'answerTo',
		type: 'string',
		default: '',
		placeholder: 'anna@contoso.com, ben@contoso.com',
		description:
			'Comma-separated email addresses. Forward: who receives the forwarded mail (required to send). Reply / Reply All: leave empty to answer the original sender (and recipients); addresses here replace the To line of the answer.',
		displayOptions: { show: showForAnswers },
	},
	{
		displayName: 'CC',
		name: 'answerCc',
		type: 'string',
		default: '',
		placeholder: 'carla@contoso.com',
		description: 'Comma-separated email addresses that receive a copy of the answer',
		displayOptions: { show: showForAnswers },
	},
	{
		displayName: 'BCC',
		name: 'answerBcc',
		type: 'string',
		default: '',
		description: 'Comma-separated email addresses that receive a hidden copy of the answer',
		displayOptions: { show: showForAnswers },
	},
	{
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		default: '',
		typeOptions: { rows: 4 },
		placeholder: 'Thanks, I will look into it today.',
		description:
			'Text written above the quoted original (Outlook keeps the quote). Use either Comment or Body, not both.',
		displayOptions: { show: showForAnswers },
	},
	{
		displayName: 'Body',
		name: 'answerBody',
		type: 'string',
		default: '',
		typeOptions: { rows: 4 },
		description:
			'The whole body of the answer, replacing the quoted original (HTML or text, see Body Content Type). Use either Comment or Body, not both.',
		displayOptions: { show: showForAnswers },
	},
	{ ...bodyContentTypeField('answerBodyContentType'), displayOptions: { show: showForAnswers } },
	...attachmentFields,
	messageOptionsField(showForAnswers),
];

interface AnswerState {
	kind: AnswerKind;
	mode: 'send' | 'draft';
	summary: IDataObject;
	/** The JSON body of the Graph request (comment and/or message). */
	body: IDataObject;
	/** Set when the attachments are too big for one JSON request: draft → attachments → send. */
	viaDraft?: OutgoingAttachment[];
}

const answerStates = new ItemChannel<AnswerState>();

const CREATE_ACTION: Record<AnswerKind, string> = { reply: 'createReply', replyAll: 'createReplyAll', forward: 'createForward' };

function messageIdOf(ctx: IExecuteSingleFunctions): string {
	return checkedIdParameter(ctx, 'messageId', 'Message');
}

/** Checks every field and shapes the request, before any request is made. */
export async function prepareAnswer(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const kind = this.getNodeParameter('operation') as AnswerKind;
	const mode = this.getNodeParameter('answerMode', 'send') === 'draft' ? 'draft' : 'send';
	const to = parseAddressList(this, this.getNodeParameter('answerTo', ''), 'To');
	const cc = parseAddressList(this, this.getNodeParameter('answerCc', ''), 'CC');
	const bcc = parseAddressList(this, this.getNodeParameter('answerBcc', ''), 'BCC');
	const comment = String(this.getNodeParameter('comment', '') ?? '');
	const bodyText = String(this.getNodeParameter('answerBody', '') ?? '');
	if (comment.trim() !== '' && bodyText.trim() !== '') {
		throw inputError(
			this,
			'Comment and Body cannot be used together',
			'Microsoft Graph takes either a Comment (written above the quoted original) or a Body (replacing it). Clear one of the two.',
		);
	}
	if (kind === 'forward' && mode === 'send' && to.length === 0) {
		throw inputError(this, 'Forward needs a recipient in To', 'Enter the address to forward the message to, e.g. anna@contoso.com.');
	}
	const attachments = await collectAttachments(this);
	const message: IDataObject = {};
	// Forward: the recipients go in message.toRecipients only (Graph refuses them in both places).
	if (to.length) message.toRecipients = toRecipients(to);
	if (cc.length) message.ccRecipients = toRecipients(cc);
	if (bcc.length) message.bccRecipients = toRecipients(bcc);
	if (bodyText.trim() !== '') {
		message.body = bodyJson(bodyText, this.getNodeParameter('answerBodyContentType', 'html'));
	}
	Object.assign(message, messageOptionsJson(this));
	const body: IDataObject = {};
	if (comment.trim() !== '') body.comment = comment;
	if (Object.keys(message).length) body.message = message;

	const messageId = messageIdOf(this);
	const summary: IDataObject = { [mode === 'send' ? 'sent' : 'draftCreated']: true, action: kind, messageId: decodeURIComponent(messageId), to, cc, bcc, attachments: attachments.map((a) => a.name) };
	const state: AnswerState = { kind, mode, summary, body };
	const inline = attachments.length ? { ...body, message: { ...message, attachments: attachments.map(fileAttachmentJson) } } : body;
	if (Buffer.byteLength(JSON.stringify(inline)) <= MAX_JSON_REQUEST_BYTES && (mode === 'send' || attachments.length === 0)) {
		requestOptions.body = inline;
	} else {
		state.viaDraft = attachments;
	}
	requestOptions.url = `/me/messages/{messageId}/${mode === 'send' ? kind : CREATE_ACTION[kind]}`;
	answerStates.set(this, state);
	return requestOptions;
}

/**
 * One item's answer. Direct: the one POST (reply/forward are never repeated after a lost answer: the
 * transport reports that the mail may have been sent). Via draft: createReply… with the text and
 * recipients, every attachment, then (Send Now) POST /send of that draft.
 */
export async function answerMessage(this: IExecutePaginationFunctions, requestData: DeclarativeRestApiSettings.ResultOptions): Promise<INodeExecutionData[]> {
	const state = answerStates.get(this);
	try {
		if (!state?.viaDraft) return await sendItemThroughGraph.call(this, requestData);
		const target = await itemTarget(this);
		const { body: draft } = await graphApiRequest<IDataObject>(this, target, {
			method: 'POST',
			url: `/me/messages/${messageIdOf(this)}/${CREATE_ACTION[state.kind]}`,
			body: state.body,
		});
		const draftId = String(draft.id);
		await attachFiles(this, target, draftId, state.viaDraft);
		if (state.mode === 'draft') return [{ json: { ...draft, hasAttachments: state.viaDraft.length > 0 }, pairedItem: { item: this.getItemIndex() } }];
		state.summary.draftId = draftId;
		try {
			return await sendItemThroughGraph.call(this, { ...requestData, options: { ...requestData.options, url: `/me/messages/${encodeURIComponent(draftId)}/send`, body: {} } });
		} catch (error) {
			throw draftError(this, draftId, error as Error, 'sending the draft');
		}
	} finally {
		answerStates.delete(this);
	}
}

/** Send Now: `{sent, action, messageId, to, cc, bcc, attachments}`. Save as Draft: the draft Graph created. */
export async function answerOutput(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const state = answerStates.get(this);
	if (state?.mode === 'draft' || (!state && this.getNodeParameter('answerMode', 'send') === 'draft')) return items;
	return [{ json: state ? { ...state.summary } : { sent: true } }];
}

/** Reply, Reply All and Forward: POST /messages/{id}/{action}, one flow per item (the one POST, or createReply… → attachments → send for big files). */
export function answerRouting(action: 'reply' | 'replyAll' | 'forward'): INodePropertyRouting {
	return {
		request: { method: 'POST', url: `/me/messages/{messageId}/${action}` },
		send: { preSend: [prepareAnswer] },
		output: { postReceive: [answerOutput] },
		operations: { pagination: itemRequestLoop(answerMessage) },
	};
}
