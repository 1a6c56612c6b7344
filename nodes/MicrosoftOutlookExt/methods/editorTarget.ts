import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { resolveTarget, type GraphTarget } from '../shared/transport/request';

/** List searches and option loaders act on the node's credential and Mailbox, like the operations. */
export async function targetForEditor(ctx: ILoadOptionsFunctions): Promise<GraphTarget> {
	const mailbox = (ctx.getCurrentNodeParameter('mailbox') as string | undefined) ?? '';
	return await resolveTarget(ctx, {
		authentication: ctx.getNodeParameter('authentication', 'oAuth2') as string,
		// An expression mailbox cannot be resolved in the editor: fall back to the default mailbox.
		mailbox: mailbox.startsWith('=') ? '' : mailbox,
	});
}

/** Case-insensitive "contains" used where Graph has no server-side search for the list. */
export function matches(text: unknown, filter?: string): boolean {
	return !filter || String(text ?? '').toLowerCase().includes(filter.toLowerCase());
}
