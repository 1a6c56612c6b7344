/**
 * Graph's notification envelope `{ value: [ changeNotification… ] }`: reading it, and what an
 * accepted notification looks like as output (without the clientState secret).
 */
import type { IDataObject } from 'n8n-workflow';

export interface GraphNotification {
	subscriptionId: string;
	clientState?: unknown;
	changeType?: string;
	lifecycleEvent?: string;
	resource?: string;
	resourceData?: IDataObject;
	/** Rich notifications: the item, encrypted for the subscription's certificate. */
	encryptedContent?: IDataObject;
	/** Rich notifications: the item after decryption (delivery/webhook.ts). */
	decrypted?: IDataObject;
	subscriptionExpirationDateTime?: string;
	tenantId?: string;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The notifications of one POST; entries without a subscription ID are not Graph's and are skipped. */
export function notificationsOf(body: unknown): GraphNotification[] {
	const value = isObject(body) ? body.value : undefined;
	if (!Array.isArray(value)) return [];
	return value.filter(isObject).flatMap((entry) => {
		const subscriptionId = optionalString(entry.subscriptionId);
		if (!subscriptionId) return [];
		return [
			{
				subscriptionId,
				clientState: entry.clientState,
				changeType: optionalString(entry.changeType),
				lifecycleEvent: optionalString(entry.lifecycleEvent),
				resource: optionalString(entry.resource),
				resourceData: isObject(entry.resourceData) ? entry.resourceData : undefined,
				encryptedContent: isObject(entry.encryptedContent) ? entry.encryptedContent : undefined,
				subscriptionExpirationDateTime: optionalString(entry.subscriptionExpirationDateTime),
				tenantId: optionalString(entry.tenantId),
			},
		];
	});
}

/** The changed item's ID: `resourceData.id`, else the last segment of `resource` (`Users/{u}/Messages/{id}`, `Users/{u}/Contacts/{id}`). */
export function resourceIdOf(notification: GraphNotification): string | undefined {
	const id = optionalString(notification.resourceData?.id);
	if (id) return id;
	const resource = notification.resource;
	if (!resource) return undefined;
	const keyed = /\('([^']+)'\)\s*$/.exec(resource);
	if (keyed) return keyed[1];
	const last = resource.split('/').filter(Boolean).pop();
	return last && /messages|events|contacts/i.test(resource) ? last : undefined;
}

/** Output of a change notification, clientState left out. */
export function publicChange(notification: GraphNotification): IDataObject {
	const json: IDataObject = {
		changeType: notification.changeType,
		resourceId: resourceIdOf(notification),
		resource: notification.resource,
		subscriptionId: notification.subscriptionId,
		subscriptionExpirationDateTime: notification.subscriptionExpirationDateTime,
		tenantId: notification.tenantId,
	};
	if (notification.resourceData) json.resourceData = notification.resourceData;
	return json;
}

export const MISSED_MESSAGE =
	'Microsoft Graph could not deliver some change notifications for this subscription. Resync: fetch what changed since the last run (for example with a Get Many filtered on lastModifiedDateTime).';

/** Output of a `missed` lifecycle event: one item so a workflow can resync. */
export function missedItem(notification: GraphNotification, resource: string): IDataObject {
	return {
		lifecycleEvent: 'missed',
		message: MISSED_MESSAGE,
		resource,
		subscriptionId: notification.subscriptionId,
		subscriptionExpirationDateTime: notification.subscriptionExpirationDateTime,
		tenantId: notification.tenantId,
	};
}
