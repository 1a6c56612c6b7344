/** Where an item's requests go and as whom: credential type, Graph root, mailbox scope, gate key. */
import type {
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { credentialTypeFor, graphRoot, isAppOnly } from './credentials';
import { toNodeOperationError } from './errors';
import { assertGraphUrl, assertNoDotSegments, type InvalidInputError, mailboxPrefix, scopePath } from './url';

/** Every n8n context that can talk to Graph: node items, hooks, webhooks, list searches. */
export type GraphContext =
	| IExecuteSingleFunctions
	| IExecuteFunctions
	| IHookFunctions
	| IWebhookFunctions
	| ITriggerFunctions
	| ILoadOptionsFunctions;

/** Where requests go and as whom; resolved once per item. */
export interface GraphTarget {
	credentialType: string;
	/** `{Base URL}/v1.0` */
	root: string;
	/** `/me` or `/users/{encoded id}` */
	mailboxPrefix: string;
	/** Concurrency/throttling gate: one per credential and mailbox. */
	gateKey: string;
	itemIndex?: number;
	/** The item's Request Options → Timeout (ms), for requests that do not set their own. */
	timeoutMs?: number;
}

export async function resolveTarget(
	ctx: GraphContext,
	params: { authentication: string; mailbox?: string; itemIndex?: number; timeoutMs?: number },
): Promise<GraphTarget> {
	const credentialType = credentialTypeFor(params.authentication || 'oAuth2');
	const credentials = await ctx.getCredentials(credentialType);
	let prefix: string;
	try {
		prefix = mailboxPrefix({
			appOnly: isAppOnly(credentialType),
			mailbox: params.mailbox,
			credentialUserId: credentials.userId as string | undefined,
		});
	} catch (error) {
		throw toNodeOperationError(ctx.getNode(), error as InvalidInputError, params.itemIndex);
	}
	const credentialId = ctx.getNode().credentials?.[credentialType]?.id ?? credentialType;
	return {
		credentialType,
		root: graphRoot(credentials),
		mailboxPrefix: prefix,
		gateKey: `${credentialId}|${prefix === '/me' ? 'me' : prefix}`,
		itemIndex: params.itemIndex,
		timeoutMs: params.timeoutMs,
	};
}

/** The credential part of a gate key: token refreshes are shared per credential, not per mailbox. */
export function credentialKeyOf(target: GraphTarget): string {
	return target.gateKey.split('|')[0];
}

/** Absolute URL for a Graph path (`/me/...` is scoped to the mailbox); absolute URLs must stay on Graph's host. */
export function graphUrl(target: GraphTarget, pathOrUrl: string): string {
	assertNoDotSegments(pathOrUrl);
	if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
		assertGraphUrl(pathOrUrl, target.root);
		return pathOrUrl;
	}
	const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`;
	return `${target.root}${scopePath(path, target.mailboxPrefix)}`;
}

/** graphUrl, with a refused URL reported as bad input on the item. */
export function checkedGraphUrl(ctx: GraphContext, target: GraphTarget, pathOrUrl: string): string {
	try {
		return graphUrl(target, pathOrUrl);
	} catch (error) {
		throw toNodeOperationError(ctx.getNode(), error as InvalidInputError, target.itemIndex);
	}
}
