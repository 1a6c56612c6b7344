import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ItemChannel } from '../../shared/n8nAdapter';
import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import { checkedIdParameter, inputError } from '../../shared/validation';
import { messageSendDescription } from '../message/send';
import { collectAttachments, type OutgoingAttachment } from '../message/sendAttachments';
import { fileAttachmentJson, UPLOAD_SESSION_MIN_BYTES, uploadLargeFile } from '../message/sendDraft';
import { messageLocator } from '../message/locator';
import { showForAttachmentOperation } from './locator';

const showOnlyForAttachmentAdd = { resource: ['messageAttachment'], operation: ['add'] };

/** Send's two attachment fields (binary properties, or a JSON list from an expression). */
export const attachmentAddDescription: INodeProperties[] = [
	messageLocator(
		showForAttachmentOperation('add'),
		'The draft or message to attach the files to. A sent message can take attachments too, but its recipients never see them.',
	),
	...messageSendDescription
		.filter((field) => field.name === 'attachments' || field.name === 'dynamicAttachments')
		.map((field) => ({ ...field, displayOptions: { show: showOnlyForAttachmentAdd } })),
];

const filesToAdd = new ItemChannel<OutgoingAttachment[]>();

/** Reads every file from the input item before any request (a missing binary property is refused here). */
export async function prepareAttachmentAdd(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	// Checked here too: a large file goes to an upload session, not through the URL template.
	checkedIdParameter(this, 'messageId', 'Message');
	const files = await collectAttachments(this);
	if (files.length === 0) {
		throw inputError(this, 'No file to attach', 'Add a row to Attachments with the binary property of the input item that holds the file (e.g. data), or fill Dynamic Attachments.');
	}
	filesToAdd.set(this, files);
	return requestOptions;
}

/** One output item per file: Graph's attachment without its content. */
function summary(attachment: IDataObject): IDataObject {
	const { contentBytes: _bytes, '@odata.context': _context, ...rest } = attachment;
	return rest;
}

/**
 * Each file of the item: under 3 MB one POST …/attachments (batched with other items' requests),
 * from 3 MB an upload session (createUploadSession, then chunks), as Send does for a draft.
 */
export async function addAttachments(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const files = filesToAdd.take(this) ?? [];
	const output: INodeExecutionData[] = [];
	for (const file of files) {
		if (file.content.length < UPLOAD_SESSION_MIN_BYTES) {
			const added = await sendItemThroughGraph.call(this, { ...requestData, options: { ...requestData.options, body: fileAttachmentJson(file) } });
			output.push(...added.map((item) => ({ ...item, json: summary(item.json) })));
			continue;
		}
		const messageId = String(this.getNodeParameter('messageId', '', { extractValue: true })).trim();
		await uploadLargeFile(this, await itemTarget(this), messageId, file);
		output.push({
			json: { name: file.name, contentType: file.contentType, size: file.content.length, isInline: false, uploadedBy: 'uploadSession' },
			pairedItem: { item: this.getItemIndex() },
		});
	}
	return output;
}
