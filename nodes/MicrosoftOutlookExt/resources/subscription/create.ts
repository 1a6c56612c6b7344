import type { DeclarativeRestApiSettings, IExecutePaginationFunctions, IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { resourceLocator } from '../../shared/descriptions';
import { itemTarget, sendItemThroughGraph } from '../../shared/routing';
import {
	MAX_CLIENT_STATE_LENGTH,
	checkedChangeTypeList,
	clampedExpiration,
	createSubscription,
	findDuplicate,
	graphIdProblem,
	listSubscriptions,
	notificationUrlProblem,
	randomClientState,
	subscriptionResource,
	type ChangeType,
	type SubscriptionCreateBody,
	type SubscriptionSource,
} from '../../shared/subscriptions';
import { inputError } from '../../shared/validation';
import { expirationDescription, requestedExpiration, subscriptionOutput } from './common';

const showOnlyForSubscriptionCreate = { resource: ['subscription'], operation: ['create'] };

const CHANGE_TYPE_OPTIONS = [
	{ name: 'Created', value: 'created' },
	{ name: 'Deleted', value: 'deleted' },
	{ name: 'Updated', value: 'updated' },
];

/** Graph only calls HTTPS endpoints; plain HTTP is accepted for loopback (a local emulator). The check is shared with the trigger. */
function checkedNotificationUrl(ctx: IExecuteSingleFunctions, value: unknown, field: string): string | undefined {
	const text = String(value ?? '').trim();
	if (!text) return undefined;
	const problem = notificationUrlProblem(text);
	if (problem === 'notAUrl') {
		throw inputError(ctx, `${field} "${text.slice(0, 80)}" is not a URL`, 'Use an absolute URL such as https://n8n.example.com/webhook/outlook.');
	}
	if (problem === 'notHttps') {
		throw inputError(
			ctx,
			`${field} must use HTTPS`,
			'Microsoft Graph only calls https:// URLs (http:// is accepted for localhost and 127.0.0.1, for local testing).',
		);
	}
	return text;
}

function checkedChangeTypes(ctx: IExecuteSingleFunctions, mail: boolean): ChangeType[] {
	const field = mail ? 'Mail Change Types' : 'Change Types';
	const checked = checkedChangeTypeList(ctx.getNodeParameter(mail ? 'mailChangeTypes' : 'changeTypes', []));
	if ('invalid' in checked) throw inputError(ctx, `${field} contains "${checked.invalid.slice(0, 40)}"`, 'Choose from created, updated and deleted.');
	if ('empty' in checked) throw inputError(ctx, `${field} is empty`, 'Choose at least one of created, updated and deleted.');
	return checked.types;
}

function checkedFolderId(ctx: IExecuteSingleFunctions): string {
	const id = String(ctx.getNodeParameter('folderId', '', { extractValue: true }) ?? '').trim();
	const problem = graphIdProblem(id);
	if (problem === 'empty') throw inputError(ctx, 'Mail Folder is empty', 'Pick a folder from the list or give its ID (or a well-known name such as "inbox").');
	if (problem) throw inputError(ctx, `Mail Folder "${id.slice(0, 60)}" is not a folder ID`, 'IDs contain no spaces; pick the folder from the list.');
	return id;
}

/** A user's own clientState (never echoed in errors: it is a secret), or a random one. */
function checkedClientState(ctx: IExecuteSingleFunctions): string {
	const given = String(ctx.getNodeParameter('clientState', '') ?? '');
	if (given === '') return randomClientState();
	if (given.length > MAX_CLIENT_STATE_LENGTH) {
		throw inputError(ctx, `Client State is longer than ${MAX_CLIENT_STATE_LENGTH} characters`, 'Shorten it, or leave it empty for a random value.');
	}
	return given;
}

/** Builds the subscription body; every check runs here, before any request. */
export async function prepareSubscriptionCreate(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const mail = this.getNodeParameter('subscribeTo', 'events') === 'mailFolder';
	const source: SubscriptionSource = mail ? { kind: 'mailFolder', folderId: checkedFolderId(this) } : { kind: 'events' };
	const changeTypes = checkedChangeTypes(this, mail);
	const notificationUrl = checkedNotificationUrl(this, this.getNodeParameter('notificationUrl', ''), 'Notification URL');
	if (!notificationUrl) {
		throw inputError(
			this,
			'Notification URL is empty',
			'Give the HTTPS URL Microsoft Graph should POST change notifications to, e.g. the production URL of a Webhook node.',
		);
	}
	const lifecycleUrl = checkedNotificationUrl(
		this,
		this.getNodeParameter('lifecycleNotificationUrl', ''),
		'Lifecycle Notification URL',
	);
	const requested = requestedExpiration(this, this.getNodeParameter('expirationDateTime', ''), 'Expiration');
	const clientState = checkedClientState(this);
	const target = await itemTarget(this);

	const body: SubscriptionCreateBody = {
		changeType: changeTypes.join(','),
		notificationUrl,
		resource: subscriptionResource(target.mailboxPrefix, source),
		expirationDateTime: clampedExpiration(requested).expirationDateTime,
		clientState,
	};
	if (lifecycleUrl) body.lifecycleNotificationUrl = lifecycleUrl;
	return { ...requestOptions, body };
}

/**
 * The create request loop: with Allow Duplicates off, an existing subscription for the same URL and
 * resource is returned instead of a second one; otherwise the shared createSubscription, which POSTs
 * through this item's transport.
 */
export async function createOrReuseSubscription(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const body = requestData.options.body as SubscriptionCreateBody;
	if (this.getNodeParameter('allowDuplicates', false) !== true) {
		const existing = findDuplicate(await listSubscriptions(this, await itemTarget(this)), body);
		if (existing) return [{ json: subscriptionOutput(existing, true), pairedItem: { item: this.getItemIndex() } }];
	}
	// The shared create (as the trigger's): Graph's shorter maximum retried, a refused URL explained, the expiry checked.
	const { expirationDateTime, ...subscription } = body;
	const created = await createSubscription(this, await itemTarget(this), subscription, { expirationDateTime }, {
		send: async (attempt) => (await sendItemThroughGraph.call(this, { ...requestData, options: { ...requestData.options, body: attempt } }))[0]?.json ?? {},
		whose: 'the Notification URL',
	});
	return [{ json: created, pairedItem: { item: this.getItemIndex() } }];
}

export async function outputCreatedSubscription(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return items.map((item) => ({ ...item, json: subscriptionOutput(item.json, false) }));
}

export const subscriptionCreateDescription: INodeProperties[] = [
	{
		displayName: 'Subscribe To',
		name: 'subscribeTo',
		type: 'options',
		options: [
			{ name: 'Events', value: 'events', description: "Changes to the mailbox's calendar events" },
			{ name: 'Mail Folder', value: 'mailFolder', description: 'Changes to the messages of one mail folder' },
		],
		default: 'events',
		displayOptions: { show: showOnlyForSubscriptionCreate },
	},
	{
		...resourceLocator({
			name: 'folderId',
			displayName: 'Mail Folder',
			searchListMethod: 'searchFolders',
			show: { ...showOnlyForSubscriptionCreate, subscribeTo: ['mailFolder'] },
			description: 'Folder whose messages are watched (a well-known name such as "inbox" works too)',
		}),
		default: { mode: 'id', value: 'inbox' },
	},
	{
		displayName: 'Change Types',
		name: 'changeTypes',
		type: 'multiOptions',
		options: CHANGE_TYPE_OPTIONS,
		default: ['created', 'updated', 'deleted'],
		required: true,
		description: 'Which event changes Microsoft Graph notifies (at least one)',
		displayOptions: { show: { ...showOnlyForSubscriptionCreate, subscribeTo: ['events'] } },
	},
	{
		displayName: 'Mail Change Types',
		name: 'mailChangeTypes',
		type: 'multiOptions',
		options: CHANGE_TYPE_OPTIONS,
		default: ['created'],
		required: true,
		description: 'Which message changes Microsoft Graph notifies (at least one)',
		displayOptions: { show: { ...showOnlyForSubscriptionCreate, subscribeTo: ['mailFolder'] } },
	},
	{
		displayName: 'Notification URL',
		name: 'notificationUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://n8n.example.com/webhook/outlook',
		description:
			'HTTPS URL Microsoft Graph POSTs change notifications to. It must answer Graph\'s validation request (echo the validationToken query parameter as text/plain) while the subscription is created. http:// is accepted only for localhost / 127.0.0.1 (local testing).',
		displayOptions: { show: showOnlyForSubscriptionCreate },
	},
	{
		displayName: 'Lifecycle Notification URL',
		name: 'lifecycleNotificationUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/outlook-lifecycle',
		description:
			'Optional HTTPS URL for lifecycle notifications (subscriptionRemoved, missed, reauthorizationRequired). Empty = none; it is validated like the Notification URL and cannot be added later, so give one now if you need them (it may be the same URL).',
		displayOptions: { show: showOnlyForSubscriptionCreate },
	},
	{
		displayName: 'Expiration',
		name: 'expirationDateTime',
		type: 'dateTime',
		default: '',
		description: expirationDescription,
		displayOptions: { show: showOnlyForSubscriptionCreate },
	},
	{
		displayName: 'Client State',
		name: 'clientState',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description:
			'Secret Microsoft Graph sends back with every notification, so the receiver can check it came from this subscription (up to 128 characters). Empty = a random value (32 random bytes). It is never shown in the output: set your own if you need to verify notifications.',
		displayOptions: { show: showOnlyForSubscriptionCreate },
	},
	{
		displayName: 'Allow Duplicates',
		name: 'allowDuplicates',
		type: 'boolean',
		default: false,
		description:
			'Whether to create a new subscription even if one already exists for the same Notification URL and resource. Off: the existing one is returned (with "reused": true) instead; it keeps the Client State it was created with.',
		displayOptions: { show: showOnlyForSubscriptionCreate },
	},
];
