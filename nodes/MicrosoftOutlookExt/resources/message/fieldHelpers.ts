import type { IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import { idSegment } from '../../shared/transport/url';
import { inputError } from '../../shared/validation';

/** Small helpers shared by the Mail operations Send, Reply, Move/Copy and Update. */

/**
 * A resource locator's ID, checked and URL-encoded, for a request a preSend or a request loop builds
 * itself (URL templates of the routing resolve theirs in routing.ts). Refused as bad input, per item.
 */
export function checkedIdParameter(ctx: IExecuteSingleFunctions, name: string, label: string): string {
	try {
		return idSegment(ctx.getNodeParameter(name, undefined, { extractValue: true }), label);
	} catch (error) {
		throw inputError(ctx, (error as Error).message, (error as { description?: string }).description);
	}
}

/** "Body Content Type" of a body field (Send's, Reply's and Update's Body); `name` differs per operation. */
export function bodyContentTypeField(name: string): INodeProperties {
	return {
		displayName: 'Body Content Type',
		name,
		type: 'options',
		options: [
			{ name: 'HTML', value: 'html' },
			{ name: 'Text', value: 'text' },
		],
		default: 'html',
		description: 'Format of Body',
	};
}

/** Graph's body object from a Body field and its Body Content Type ('text' → Text, anything else → HTML). */
export function bodyJson(content: string, contentType: unknown): { contentType: string; content: string } {
	return { contentType: contentType === 'text' ? 'Text' : 'HTML', content };
}
