/** Following `@odata.nextLink`: the guard that stops a server sending the same page link twice. */
import { NodeApiError } from 'n8n-workflow';

import type { GraphContext, GraphTarget } from './target';

/** A next-page link seen before would make Fetch All loop and return duplicates: stop with an error. */
export function assertNewPage(ctx: GraphContext, target: GraphTarget, followed: Set<string>, nextLink: string): void {
	if (followed.has(nextLink)) {
		const message = 'Microsoft Graph sent the same next page link (@odata.nextLink) twice; stopped so no item is returned twice';
		const error = new NodeApiError(ctx.getNode(), { message }, { message, itemIndex: target.itemIndex, httpCode: 'none' });
		error.message = message;
		throw error;
	}
	followed.add(nextLink);
}
