import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ItemChannel } from '../../shared/n8nAdapter';
import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import { parseAddressList, toRecipients } from '../../shared/validation';
import { bodyJson } from '../message/body';
import { messageOptionsJson } from '../message/options';
import { messageSendDescription } from '../message/send';
import { collectAttachments, type OutgoingAttachment } from '../message/sendAttachments';
import { attachFiles, fileAttachmentJson, MAX_JSON_REQUEST_BYTES, UPLOAD_SESSION_MIN_BYTES } from '../message/sendDraft';

const showOnlyForDraftCreate = { resource: ['draft'], operation: ['create'] };

/** Send's fields (recipients, subject, body, attachments), for a draft: no recipient is required yet. */
export const draftCreateDescription: INodeProperties[] = messageSendDescription
	.filter((field) => field.name !== 'saveToSentItems')
	.map((field) => ({
		...field,
		...(field.name === 'toRecipients'
			? { description: 'Comma-separated email addresses, e.g. anna@contoso.com. A draft may have no recipient yet: add them later with Update.' }
			: {}),
		displayOptions: { show: showOnlyForDraftCreate },
	}));

/** Attachments that do not fit in the create request, uploaded after it (per item). */
const pendingUploads = new ItemChannel<OutgoingAttachment[]>();

/** "a@x.com, b@y.com" fields → Graph's recipient lists (only the ones given). */
export function recipientFields(ctx: IExecuteSingleFunctions, values: IDataObject): IDataObject {
	const fields: Array<[string, string]> = [
		['toRecipients', 'To'],
		['ccRecipients', 'CC'],
		['bccRecipients', 'BCC'],
	];
	const result: IDataObject = {};
	for (const [name, label] of fields) {
		if (values[name] === undefined) continue;
		result[name] = toRecipients(parseAddressList(ctx, values[name], label));
	}
	return result;
}

/**
 * Validates and shapes the draft before any request. Attachments go inside the POST /messages when
 * the request stays under Graph's 4 MB; otherwise they are added after it (big files by upload session).
 */
export async function prepareDraftCreate(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const recipients = recipientFields(this, {
		toRecipients: this.getNodeParameter('toRecipients', ''),
		ccRecipients: this.getNodeParameter('ccRecipients', ''),
		bccRecipients: this.getNodeParameter('bccRecipients', ''),
	});
	const attachments = await collectAttachments(this);
	const message: IDataObject = {
		subject: String(this.getNodeParameter('subject', '') ?? ''),
		body: bodyJson(String(this.getNodeParameter('bodyContent', '') ?? ''), this.getNodeParameter('bodyContentType', 'html')),
		...Object.fromEntries(Object.entries(recipients).filter(([, list]) => (list as IDataObject[]).length > 0)),
		...messageOptionsJson(this),
	};
	const inline = { ...message, ...(attachments.length ? { attachments: attachments.map(fileAttachmentJson) } : {}) };
	const fitsInline = attachments.every((a) => a.content.length < UPLOAD_SESSION_MIN_BYTES) && Buffer.byteLength(JSON.stringify(inline)) <= MAX_JSON_REQUEST_BYTES;
	requestOptions.body = fitsInline ? inline : message;
	if (fitsInline) pendingUploads.delete(this);
	else pendingUploads.set(this, attachments);
	return requestOptions;
}

/**
 * One draft per item: POST /messages, then the attachments that did not fit in it. A failure after
 * the draft exists names the draft (it stays in Drafts).
 */
export async function createDraftFlow(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const uploads = pendingUploads.take(this) ?? [];
	const created = await sendItemThroughGraph.call(this, requestData);
	if (uploads.length === 0) return created;
	await attachFiles(this, await itemTarget(this), String(created[0]?.json.id ?? ''), uploads);
	for (const item of created) item.json.hasAttachments = true;
	return created;
}
