import type { IDataObject, IExecuteSingleFunctions, IN8nHttpFullResponse, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { optionsCollection } from '../../shared/fields';
import { DEFAULT_BINARY_PROPERTY_PREFIX, mimeToExecutionData, NotMimeMessageError } from '../../shared/mime';
import { responseBytes } from '../../shared/operations';
import { itemTarget } from '../../shared/routing';
import { graphApiRequest } from '../../shared/transport/request';
import { checkedIdParameter } from '../../shared/validation';
import { messageLocator } from './locator';

/** What only Outlook knows about a message (the MIME content has none of it): read state, flag, folder, links. */
const OUTLOOK_PROPERTIES =
	'isRead,isDraft,flag,categories,importance,inferenceClassification,parentFolderId,conversationId,webLink,receivedDateTime,lastModifiedDateTime';

const showOnlyForMessageGet = { resource: ['message'], operation: ['get'] };

export const messageGetDescription: INodeProperties[] = [
	messageLocator(showOnlyForMessageGet, 'The message to download and parse'),
	optionsCollection({
		show: showOnlyForMessageGet,
		options: [
			{
				displayName: 'Binary Property Prefix',
				name: 'binaryPropertyPrefix',
				type: 'string',
				default: DEFAULT_BINARY_PROPERTY_PREFIX,
				description:
					'Attachments (inline images included) are output as binary properties named with this prefix and a number: attachment_0, attachment_1, …',
			},
			{
				displayName: 'Include Raw Email',
				name: 'includeRawEmail',
				type: 'boolean',
				default: false,
				description: 'Whether to also output the whole message as an .eml file in the binary property "raw"',
			},
			{
				displayName: 'Include Outlook Properties',
				name: 'includeOutlookProperties',
				type: 'boolean',
				default: false,
				description:
					'Whether to also output, under "outlook", what only Outlook knows: isRead, isDraft, flag, categories, importance, inferenceClassification, parentFolderId, conversationId, webLink, receivedDateTime, lastModifiedDateTime (one more request per message)',
			},
		],
	}),
];

/**
 * The downloaded `$value` → one item: parsed JSON (with `warnings` for repaired or unusual MIME),
 * attachments (attached messages as .eml files) and (optionally) the raw .eml as binaries.
 */
export async function parseMimeResponse(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const raw = responseBytes(response.body);
	const messageId = String(this.getNodeParameter('messageId', '', { extractValue: true }));
	const options = this.getNodeParameter('options', {}) as IDataObject;
	let item: INodeExecutionData;
	try {
		item = await mimeToExecutionData(this.helpers, raw, {
			binaryPropertyPrefix: String(options.binaryPropertyPrefix ?? '').trim() || DEFAULT_BINARY_PROPERTY_PREFIX,
			includeRaw: options.includeRawEmail === true,
			fallbackName: messageId,
		});
	} catch (error) {
		if (!(error instanceof NotMimeMessageError)) {
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: this.getItemIndex() });
		}
		throw new NodeOperationError(this.getNode(), `The content of message "${messageId}" is not a MIME message: ${error.reason}`, {
			description: `Microsoft Graph answered /$value with ${raw.length} bytes in which no mail can be read (mailparser finds no header in them), so there is nothing to output. Open the message in Outlook to check it. Mail that is merely malformed is output, with what was repaired listed in "warnings".`,
			itemIndex: this.getItemIndex(),
		});
	}
	const outlook = options.includeOutlookProperties === true ? await outlookPropertiesOf(this) : undefined;
	return [{ ...item, json: { id: messageId, ...item.json, ...(outlook ? { outlook } : {}) } }];
}

async function outlookPropertiesOf(ctx: IExecuteSingleFunctions): Promise<IDataObject> {
	const { body } = await graphApiRequest<IDataObject>(ctx, await itemTarget(ctx), {
		method: 'GET',
		url: `/me/messages/${checkedIdParameter(ctx, 'messageId', 'Message')}`,
		qs: { $select: OUTLOOK_PROPERTIES },
	});
	const { '@odata.context': _context, '@odata.etag': _etag, id: _id, ...properties } = body;
	return properties;
}
