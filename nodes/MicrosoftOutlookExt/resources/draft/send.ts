import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../../shared/fields';
import { itemTarget } from '../../shared/routing';
import { graphApiRequest } from '../../shared/transport/request';
import { checkedIdParameter, parseAddressList, toRecipients } from '../../shared/validation';
import { draftLocator } from './locator';

const showOnlyForDraftSend = { resource: ['draft'], operation: ['send'] };

export const draftSendDescription: INodeProperties[] = [
	draftLocator(showOnlyForDraftSend, 'The draft to send. Its recipients must be set (To, CC or BCC).'),
	optionsCollection({
		show: showOnlyForDraftSend,
		options: [
			{
				displayName: 'To',
				name: 'toRecipients',
				type: 'string',
				default: '',
				placeholder: 'anna@contoso.com, ben@contoso.com',
				description: "Comma-separated email addresses that replace the draft's To line just before it is sent",
			},
		],
	}),
];

/**
 * Options → To: the draft's To line is replaced (PATCH, which may be repeated safely) before the send, as n8n's
 * built-in node does. The addresses are checked before any request.
 */
export async function prepareDraftSend(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const options = (this.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const to = options.toRecipients === undefined ? [] : parseAddressList(this, options.toRecipients, 'Options → To');
	if (to.length > 0) {
		await graphApiRequest(this, await itemTarget(this), {
			method: 'PATCH',
			url: `/me/messages/${checkedIdParameter(this, 'draftId', 'Draft')}`,
			body: { toRecipients: toRecipients(to) },
		});
	}
	return requestOptions;
}
