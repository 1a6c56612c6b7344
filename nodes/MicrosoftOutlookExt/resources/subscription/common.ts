import type { IDataObject, IDisplayOptions, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { DateTime } from 'luxon';

import { graphIdProblem, isOnInstance, withoutClientState } from '../../shared/subscriptions';
import { inputError } from '../../shared/validation';

/** Every subscription output goes through this: Graph may echo clientState, a secret. */
export async function hideClientState(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return items.map((item) => ({ ...item, json: withoutClientState(item.json) }));
}

/** n8n's own base URL (WEBHOOK_URL when set): every webhook of this instance lives under it. */
export function instanceBaseUrl(ctx: IExecuteSingleFunctions): string {
	const base = ctx.getInstanceBaseUrl();
	if (!base || !URL.canParse(base)) {
		throw inputError(
			ctx,
			'n8n does not know its own webhook URL',
			'Set the WEBHOOK_URL environment variable of n8n to its public base URL (e.g. https://n8n.example.com/).',
		);
	}
	return base;
}

/** List / Delete All: keep only subscriptions whose notification URL is on this n8n instance. */
export async function keepInstanceSubscriptions(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const onlyInstance =
		this.getNodeParameter('operation') === 'deleteAllForInstance' || this.getNodeParameter('showInstanceWebhooks', false) === true;
	if (!onlyInstance) return items;
	const base = instanceBaseUrl(this);
	return items.filter((item) => isOnInstance(item.json.notificationUrl, base));
}

/**
 * GET /subscriptions takes no query options and may page: these operations always follow every
 * nextLink (the transport does that when `returnAll` is true).
 */
export function followEveryPage(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Fetch All',
		name: 'returnAll',
		type: 'hidden',
		default: true,
		displayOptions: { show },
	};
}

/** Subscription IDs are GUIDs; checked here so the error names the field users see. */
export async function checkSubscriptionId(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	checkedSubscriptionId(this);
	return requestOptions;
}

export function checkedSubscriptionId(ctx: IExecuteSingleFunctions): string {
	const id = String(ctx.getNodeParameter('subscriptionId', '') ?? '').trim();
	const problem = graphIdProblem(id);
	if (problem === 'empty') {
		throw inputError(ctx, 'Subscription ID is empty', 'Use the "id" of a subscription, e.g. from List Subscriptions.');
	}
	// A subscription ID is also a URL segment: no `/`, `?` or `#` either.
	if (problem || /[/?#]/.test(id)) {
		throw inputError(
			ctx,
			`Subscription ID "${id.slice(0, 60)}" is not a subscription ID`,
			'A subscription ID is a GUID such as 7f105c7d-2dc5-4530-97cd-4e7ae6534c07.',
		);
	}
	return id;
}

/**
 * The requested expiration in epoch ms, or undefined when the field is empty (→ the default).
 * Accepts ISO text (without offset = the workflow's time zone), a JS Date or a Luxon DateTime.
 */
export function requestedExpiration(ctx: IExecuteSingleFunctions, value: unknown, field: string): number | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	let millis = Number.NaN;
	if (value instanceof Date) millis = value.getTime();
	else if (typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		millis = (value as { toMillis: () => number }).toMillis();
	} else if (typeof value === 'string') {
		const parsed = DateTime.fromISO(value.trim(), { zone: ctx.getTimezone() });
		if (parsed.isValid) millis = parsed.toMillis();
	}
	if (Number.isNaN(millis)) {
		throw inputError(
			ctx,
			`${field} "${String(value).slice(0, 60)}" is not a date and time`,
			'Use an ISO date-time such as 2026-05-01T09:30:00Z, or leave it empty for now + 10,070 minutes.',
		);
	}
	if (millis <= Date.now()) {
		throw inputError(ctx, `${field} is in the past`, 'A subscription must expire in the future; leave it empty for now + 10,070 minutes.');
	}
	return millis;
}

export const expirationDescription =
	'When the subscription ends. Leave empty for now + 10,070 minutes. Later dates are clamped to Outlook\'s maximum (10,080 minutes, just under 7 days); if Microsoft Graph states a lower maximum ("can only be N minutes in the future"), the request is retried once with it. Without an offset the workflow\'s time zone applies.';

export function subscriptionOutput(json: IDataObject, reused: boolean): IDataObject {
	return { ...withoutClientState(json), reused };
}

/** The Subscription ID field of Delete and Update Expiration: `what` says what the operation does with it. */
export function subscriptionIdProperty(what: string, show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Subscription ID',
		name: 'subscriptionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
		description: `ID of the subscription to ${what} (its ID in the output of Create or List Subscriptions)`,
		displayOptions: { show },
	};
}
