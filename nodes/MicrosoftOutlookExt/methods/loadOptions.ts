import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { graphApiRequest } from '../shared/transport/request';
import { targetForEditor } from './editorTarget';

/** Windows time zone names the mailbox supports (what dateTimeTimeZone expects), UTC first. */
export async function getTimeZones(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const target = await targetForEditor(this);
	const { body } = await graphApiRequest<{ value?: Array<{ alias: string; displayName: string }> }>(this, target, {
		method: 'GET',
		url: '/me/outlook/supportedTimeZones',
	});
	const zones = (body.value ?? []).map((z) => ({ name: z.displayName || z.alias, value: z.alias }));
	const rest = zones.filter((z) => z.value !== 'UTC').sort((a, b) => a.name.localeCompare(b.name));
	return [{ name: 'UTC', value: 'UTC' }, ...rest];
}
