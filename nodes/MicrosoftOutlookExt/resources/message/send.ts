import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ItemChannel } from '../../shared/n8nAdapter';
import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import type { GraphTarget } from '../../shared/transport/request';
import { inputError, parseAddressList, toRecipients } from '../../shared/validation';
import { bodyContentTypeField, bodyJson } from './body';
import { messageOptionsField, messageOptionsJson } from './options';
import { collectAttachments, type OutgoingAttachment } from './sendAttachments';
import {
	attachFiles,
	createDraft,
	draftError,
	fileAttachmentJson,
	MAX_JSON_REQUEST_BYTES,
	removeSentCopy,
	type Draft,
} from './sendDraft';

const showOnlyForMessageSend = { resource: ['message'], operation: ['send'] };

export const messageSendDescription: INodeProperties[] = [
	{
		displayName: 'To',
		name: 'toRecipients',
		type: 'string',
		default: '',
		placeholder: 'anna@contoso.com, ben@contoso.com',
		description: 'Comma-separated email addresses. To, CC and BCC together need at least one recipient.',
		displayOptions: { show: showOnlyForMessageSend },
	},
	{
		displayName: 'CC',
		name: 'ccRecipients',
		type: 'string',
		default: '',
		placeholder: 'carla@contoso.com',
		description: 'Comma-separated email addresses that receive a copy',
		displayOptions: { show: showOnlyForMessageSend },
	},
	{
		displayName: 'BCC',
		name: 'bccRecipients',
		type: 'string',
		default: '',
		description: 'Comma-separated email addresses that receive a hidden copy',
		displayOptions: { show: showOnlyForMessageSend },
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		displayOptions: { show: showOnlyForMessageSend },
	},
	{
		displayName: 'Body',
		name: 'bodyContent',
		type: 'string',
		default: '',
		typeOptions: { rows: 5 },
		description: 'The message text, as HTML or plain text (see Body Content Type)',
		displayOptions: { show: showOnlyForMessageSend },
	},
	{ ...bodyContentTypeField('bodyContentType'), displayOptions: { show: showOnlyForMessageSend } },
	{
		displayName: 'Attachments',
		name: 'attachments',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Attachment',
		default: {},
		description: 'Files from the binary data of the input item',
		displayOptions: { show: showOnlyForMessageSend },
		options: [
			{
				displayName: 'Attachment',
				name: 'attachment',
				values: [
					{
						displayName: 'Binary Property',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						description: 'Name of the binary property of the input item that holds the file',
					},
					{
						displayName: 'File Name',
						name: 'fileName',
						type: 'string',
						default: '',
						description: 'Name the recipients see. Leave empty to use the file name of the binary data.',
					},
				],
			},
		],
	},
	{
		displayName: 'Dynamic Attachments',
		name: 'dynamicAttachments',
		type: 'json',
		default: '',
		placeholder: '[{"key": "report.pdf", "value": "data"}]',
		description:
			'Attachments from an expression: a JSON array of {"key": file name, "value": …}. If the value is the name of a binary property of the input item, that file is attached; otherwise the value must be the file content in base64.',
		displayOptions: { show: showOnlyForMessageSend },
	},
	{
		displayName: 'Save To Sent Items',
		name: 'saveToSentItems',
		type: 'boolean',
		default: true,
		description:
			'Whether to keep a copy in Sent Items. Mail with attachments over 3 MB is sent from a draft, which Outlook always files in Sent Items: when this is off, the node finds that copy right after the send and deletes it (output sentItemsCopyRemoved tells whether it did, and sentItemsCopyError why not).',
		displayOptions: { show: showOnlyForMessageSend },
	},
	messageOptionsField(showOnlyForMessageSend),
];

/** What preSend validated and shaped, for the send flow and the output (per item). */
interface SendState {
	summary: IDataObject;
	saveToSentItems: boolean;
	/** Set when the mail is too big for one POST /sendMail: it goes through a draft. */
	viaDraft?: { message: IDataObject; attachments: OutgoingAttachment[] };
}

/** Per item (n8nAdapter.ts ItemChannel): preSend, the request loop and postReceive see different context objects. */
const sendStates = new ItemChannel<SendState>();

function stateOf(ctx: IExecuteSingleFunctions): SendState | undefined {
	return sendStates.get(ctx);
}

function recipientsOf(ctx: IExecuteSingleFunctions) {
	const to = parseAddressList(ctx, ctx.getNodeParameter('toRecipients', ''), 'To');
	const cc = parseAddressList(ctx, ctx.getNodeParameter('ccRecipients', ''), 'CC');
	const bcc = parseAddressList(ctx, ctx.getNodeParameter('bccRecipients', ''), 'BCC');
	if (to.length + cc.length + bcc.length === 0) {
		throw inputError(ctx, 'The message has no recipient', 'Enter at least one email address in To, CC or BCC.');
	}
	return { to, cc, bcc };
}

function messageJson(ctx: IExecuteSingleFunctions, recipients: { to: string[]; cc: string[]; bcc: string[] }): IDataObject {
	const message: IDataObject = {
		subject: String(ctx.getNodeParameter('subject', '') ?? ''),
		body: bodyJson(String(ctx.getNodeParameter('bodyContent', '') ?? ''), ctx.getNodeParameter('bodyContentType', 'html')),
		toRecipients: toRecipients(recipients.to),
		...messageOptionsJson(ctx),
	};
	if (recipients.cc.length) message.ccRecipients = toRecipients(recipients.cc);
	if (recipients.bcc.length) message.bccRecipients = toRecipients(recipients.bcc);
	return message;
}

/** Draft route: the draft, then every file (small ones inline, big ones by upload session). */
async function prepareDraft(
	ctx: IExecuteSingleFunctions,
	target: GraphTarget,
	message: IDataObject,
	attachments: OutgoingAttachment[],
): Promise<Draft> {
	const draft = await createDraft(ctx, target, message);
	await attachFiles(ctx, target, draft.id, attachments);
	return draft;
}

/**
 * Validates everything and shapes the send, before any request: attachments up to 3 MB in total go
 * inside one POST /sendMail; more go through a draft (sendMessage). No request is made here.
 */
export async function prepareSend(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const recipients = recipientsOf(this);
	const attachments = await collectAttachments(this);
	const saveToSentItems = this.getNodeParameter('saveToSentItems', true) !== false;
	const message = messageJson(this, recipients);
	const summary: IDataObject = {
		sent: true,
		...recipients,
		subject: message.subject,
		attachments: attachments.map((attachment) => attachment.name),
	};
	const inline = { message: { ...message, ...(attachments.length ? { attachments: attachments.map(fileAttachmentJson) } : {}) }, saveToSentItems };
	if (Buffer.byteLength(JSON.stringify(inline)) <= MAX_JSON_REQUEST_BYTES) {
		requestOptions.body = inline;
		sendStates.set(this, { summary, saveToSentItems });
	} else {
		sendStates.set(this, { summary, saveToSentItems, viaDraft: { message, attachments } });
	}
	return requestOptions;
}

/**
 * The whole send of one item, through the shared transport: either the one POST /sendMail, or
 * draft → attachments (small ones inline, big ones by upload session) → send → removing the Sent
 * Items copy when Save To Sent Items is off. A failure after the draft exists names the draft.
 */
export async function sendMessage(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const state = stateOf(this);
	try {
		if (!state?.viaDraft) return await sendItemThroughGraph.call(this, requestData);
		const target = await itemTarget(this);
		const draft = await prepareDraft(this, target, state.viaDraft.message, state.viaDraft.attachments);
		state.summary.draftId = draft.id;
		let sent: INodeExecutionData[];
		try {
			sent = await sendItemThroughGraph.call(this, { ...requestData, options: { ...requestData.options, url: `/me/messages/${encodeURIComponent(draft.id)}/send`, body: {} } });
		} catch (error) {
			throw draftError(this, draft.id, error, 'sending the draft');
		}
		if (!state.saveToSentItems) {
			const removal = await removeSentCopy(this, target, draft);
			for (const item of sent) {
				item.json.sentItemsCopyRemoved = removal.removed;
				if (removal.error) item.json.sentItemsCopyError = removal.error;
			}
		}
		return sent;
	} finally {
		sendStates.delete(this);
	}
}

/** `{sent, to, cc, bcc, subject, attachments, draftId?}`: no body, no file content. */
export async function sendOutput(this: IExecuteSingleFunctions): Promise<INodeExecutionData[]> {
	const state = stateOf(this);
	return [{ json: state ? { ...state.summary } : { sent: true } }];
}
