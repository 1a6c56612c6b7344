import type { IExecuteSingleFunctions, IN8nHttpFullResponse, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { responseBytes } from '../../shared/operations';
import { messageLocator } from './locator';

/** Export as .eml: GET /messages/{id}/$value, the MIME bytes as they are (Get Message parses them instead). */

const showForExport = { resource: ['message'], operation: ['exportEml'] };

export const messageExportDescription: INodeProperties[] = [
	messageLocator(showForExport, 'The message to export, e.g. the "id" of a message from a trigger or from List Mail Messages'),
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the .eml file in',
		description: 'Binary property of the output item that receives the .eml file, e.g. data',
		displayOptions: { show: showForExport },
	},
];

/** The raw MIME → one item: `{id, fileName, size}` and the .eml file (message/rfc822), unparsed. */
export async function emlOutput(this: IExecuteSingleFunctions, _items: INodeExecutionData[], response: IN8nHttpFullResponse): Promise<INodeExecutionData[]> {
	const raw = responseBytes(response.body);
	const messageId = String(this.getNodeParameter('messageId', '', { extractValue: true }));
	// Graph serves MIME as text/plain; a JSON answer in its place is not the message, never saved as one.
	const contentType = String((response.headers ?? {})['content-type'] ?? '');
	if (/json/i.test(contentType)) {
		throw new NodeOperationError(this.getNode(), `The content of message "${messageId}" is not a MIME message: Microsoft Graph answered with ${contentType}`, {
			description: 'Nothing was exported. Run the node again; if it keeps happening, open the message in Outlook to check it.',
			itemIndex: this.getItemIndex(),
		});
	}
	const property = String(this.getNodeParameter('binaryPropertyName', 'data') ?? '').trim() || 'data';
	const fileName = `${messageId.replace(/[^A-Za-z0-9_-]/g, '').slice(-40) || 'message'}.eml`;
	const binary = await this.helpers.prepareBinaryData(raw, fileName, 'message/rfc822');
	return [{ json: { id: messageId, fileName, size: raw.length }, binary: { [property]: binary } }];
}
