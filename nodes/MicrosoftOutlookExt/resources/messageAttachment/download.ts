import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, IExecuteSingleFunctions, IN8nHttpFullResponse, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { responseBytes } from '../../shared/operations';
import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import { graphApiRequest } from '../../shared/transport/request';
import { checkedIdParameter, inputError } from '../../shared/validation';
import { messageLocator } from '../message/locator';
import { ATTACHMENT_SUMMARY_FIELDS } from './getAll';
import { attachmentLocator, showForAttachmentOperation } from './locator';

const showOnlyForAttachmentDownload = { resource: ['messageAttachment'], operation: ['download'] };
const ITEM_ATTACHMENT = '#microsoft.graph.itemAttachment';

export const attachmentDownloadDescription: INodeProperties[] = [
	messageLocator(showForAttachmentOperation('download'), 'The message or draft the attachment belongs to'),
	attachmentLocator('download', 'The attachment to download. A file comes as it is; an attached mail as a .eml file, a contact as .vcf, an event as .ics.'),
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		placeholder: 'data',
		description: 'Name of the binary property of the output item that receives the file, e.g. data',
		displayOptions: { show: showOnlyForAttachmentDownload },
	},
];

/**
 * GET …/attachments/{id}/$value. Graph answers 405 for a reference attachment (a link to a file in
 * OneDrive or SharePoint): it has no content to download, which the error now says.
 */
export async function downloadAttachment(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const property = String(this.getNodeParameter('binaryPropertyName', 'data') ?? '').trim();
	if (!property) throw inputError(this, 'Put Output File in Field is empty', 'Enter the name of the binary property for the file, e.g. data.');
	return await sendItemThroughGraph.call(this, requestData).catch((error: unknown) => {
		throw referenceAttachmentError(this, error);
	});
}

/** Graph's 405 for a reference attachment, said plainly (code and request-id kept); other errors unchanged. */
function referenceAttachmentError(ctx: IExecuteSingleFunctions, error: unknown): NodeApiError {
	const failure = error as NodeApiError;
	if (!(error instanceof NodeApiError) || error.httpCode !== '405') return failure;
	const message = 'This attachment is a link to a cloud file (reference attachment): Microsoft Graph has no content to download [405]';
	const clear = new NodeApiError(ctx.getNode(), failure.errorResponse ?? ({} as JsonObject), {
		message,
		description: `Open its link (sourceUrl) with a OneDrive or SharePoint node instead. ${failure.description ?? ''}`.trim(),
		httpCode: '405',
		itemIndex: ctx.getItemIndex(),
	});
	clear.message = message;
	return clear;
}

/** Graph's `$value` of an attached item: a mail as MIME, a contact as vCard, an event as iCalendar. */
function itemFile(name: string, content: Buffer): { fileName: string; mimeType: string } {
	const start = content.subarray(0, 64).toString('latin1').trimStart().toUpperCase();
	const [extension, mimeType] = start.startsWith('BEGIN:VCARD')
		? ['vcf', 'text/vcard']
		: start.startsWith('BEGIN:VCALENDAR')
			? ['ics', 'text/calendar']
			: ['eml', 'message/rfc822'];
	return { fileName: name.toLowerCase().endsWith(`.${extension}`) ? name : `${name}.${extension}`, mimeType };
}

/** The bytes → a binary property, named after the attachment (an attached item as a .eml file). */
export async function attachmentToBinary(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const messageId = checkedIdParameter(this, 'messageId', 'Message');
	const attachmentId = checkedIdParameter(this, 'attachmentId', 'Attachment');
	const { body: meta } = await graphApiRequest<IDataObject>(this, await itemTarget(this), {
		method: 'GET',
		url: `/me/messages/${messageId}/attachments/${attachmentId}`,
		qs: { $select: ATTACHMENT_SUMMARY_FIELDS },
	});
	const content = responseBytes(response.body);
	const name = String(meta.name || 'attachment');
	const { fileName, mimeType } =
		meta['@odata.type'] === ITEM_ATTACHMENT ? itemFile(name, content) : { fileName: name, mimeType: String(meta.contentType || 'application/octet-stream') };
	const property = String(this.getNodeParameter('binaryPropertyName', 'data')).trim();
	const binary = await this.helpers.prepareBinaryData(content, fileName, mimeType);
	const { '@odata.context': _context, ...json } = meta;
	return [{ json, binary: { [property]: binary } }];
}
