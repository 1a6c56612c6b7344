/**
 * Directory users: Adele Vance (exactly Graph's `GET /me` example), Megan Bowen and the shared
 * mailbox "Sales". Routes: `GET /me`, `GET /users/{id|upn}`, `GET /users`.
 */
import type { EmulatorCoreImpl } from './core';
import { listResponse, selectFields } from './odata';
import type { EmulatorCore, EmulatorUser, GraphRequest } from './types';

export const ADELE: EmulatorUser = {
	businessPhones: ['+1 425 555 0109'],
	displayName: 'Adele Vance',
	givenName: 'Adele',
	jobTitle: 'Retail Manager',
	mail: 'AdeleV@contoso.com',
	mobilePhone: '+1 425 555 0109',
	officeLocation: '18/2111',
	preferredLanguage: 'en-US',
	surname: 'Vance',
	userPrincipalName: 'AdeleV@contoso.com',
	id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
};

export const MEGAN: EmulatorUser = {
	businessPhones: ['+1 412 555 0109'],
	displayName: 'Megan Bowen',
	givenName: 'Megan',
	jobTitle: 'Auditor',
	mail: 'MeganB@contoso.com',
	mobilePhone: null,
	officeLocation: '12/1110',
	preferredLanguage: 'en-US',
	surname: 'Bowen',
	userPrincipalName: 'MeganB@contoso.com',
	id: '48d31887-5fad-4d73-a9f5-3c356e68a038',
};

/** A shared mailbox: reachable under /users/{id|upn} by app-only and delegated tokens; nobody signs in as it. */
export const SALES: EmulatorUser = {
	businessPhones: [],
	displayName: 'Sales',
	givenName: '',
	jobTitle: null,
	mail: 'sales@contoso.com',
	mobilePhone: null,
	officeLocation: null,
	preferredLanguage: null,
	surname: '',
	userPrincipalName: 'sales@contoso.com',
	id: 'c3f2a6e1-5b7d-4e8f-9a1b-2d3c4e5f6a7b',
};

export const DEFAULT_USERS = { adele: ADELE, megan: MEGAN, sales: SALES } as const;

const USER_CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#users/$entity';
const USERS_CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#users';

function userBody(user: EmulatorUser, req: GraphRequest): Record<string, unknown> {
	const select = req.query['$select'];
	const context = select ? `https://graph.microsoft.com/v1.0/$metadata#users(${select})/$entity` : USER_CONTEXT;
	return { '@odata.context': context, ...selectFields({ ...user }, select) };
}

/** Registers users and the directory routes. */
export function register(coreApi: EmulatorCore): void {
	const core = coreApi as EmulatorCoreImpl;
	for (const user of [ADELE, MEGAN, SALES]) core.users.set(user.id, { ...user, businessPhones: [...user.businessPhones] });
	core.sharedMailboxIds.add(SALES.id);

	// Both `/me` and `/users/{id|upn}`: the core resolves the user (404 when unknown).
	core.mailboxRoute('GET', '/', (req) => ({ status: 200, body: userBody(req.mailbox as EmulatorUser, req) }));

	core.route('GET', '/users', (req) =>
		listResponse(core, req, [...core.users.values()].map((u) => ({ ...u }) as unknown as Record<string, unknown>), {
			defaultTop: 100,
			maxTop: 999,
			contextUrl: USERS_CONTEXT,
			search: (user, terms) => {
				// Directory $search is `"displayName:adele"`-style; a bare term matches name or mail.
				const [prop, value] = terms.includes(':') ? terms.split(/:(.*)/s) : [undefined, terms];
				const needle = (value ?? '').toLowerCase();
				const fields = prop ? [String(user[prop] ?? '')] : [String(user.displayName), String(user.mail), String(user.userPrincipalName)];
				return fields.some((f) => f.toLowerCase().includes(needle));
			},
		}),
	);
}
