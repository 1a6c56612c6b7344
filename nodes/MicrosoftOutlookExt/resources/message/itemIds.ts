import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { idSegment } from '../../shared/transport/url';
import { inputError } from '../../shared/validation';

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
