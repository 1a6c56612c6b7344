import type { INodeProperties } from 'n8n-workflow';

import { optionsCollection, selectFieldsOption } from '../../shared/fields';
import { deleteRouting, listRouting } from '../../shared/operations';
import { contactCreateDescription, prepareContactCreate } from './create';
import { contactLocator } from './fields';
import { contactGetAllDescription, prepareContactList } from './getAll';
import { contactUpdateDescription, prepareContactUpdate } from './update';

const showOnlyForContact = { resource: ['contact'] };

export const contactDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForContact },
		options: [
			{
				name: 'Create Contact',
				value: 'create',
				action: 'Create a contact',
				description: 'Create a contact with names, email addresses, phone numbers, postal addresses and birthday',
				routing: {
					request: { method: 'POST', url: '/me/contacts' },
					send: { preSend: [prepareContactCreate] },
				},
			},
			{
				name: 'Delete Contact',
				value: 'delete',
				action: 'Delete a contact',
				description: 'Delete a contact',
				routing: deleteRouting('/me/contacts/{contactId}'),
			},
			{
				name: 'Get Contact',
				value: 'get',
				action: 'Get a contact',
				description: 'Get one contact with all its fields',
				routing: { request: { method: 'GET', url: '/me/contacts/{contactId}' } },
			},
			{
				name: 'List Contacts',
				value: 'getAll',
				action: 'List contacts',
				description: 'List the contacts of a contact folder, optionally only those with a given email address',
				routing: listRouting('/me/contacts', [prepareContactList]),
			},
			{
				name: 'Update Contact',
				value: 'update',
				action: 'Update a contact',
				description: 'Change only the given fields of a contact',
				routing: {
					request: { method: 'PATCH', url: '/me/contacts/{contactId}' },
					send: { preSend: [prepareContactUpdate] },
				},
			},
		],
		default: 'getAll',
	},
	...contactCreateDescription,
	contactLocator({ ...showOnlyForContact, operation: ['delete'] }, 'The contact to delete'),
	contactLocator({ ...showOnlyForContact, operation: ['get'] }, 'The contact to get'),
	optionsCollection({ show: { ...showOnlyForContact, operation: ['get'] }, options: [selectFieldsOption('displayName,emailAddresses,mobilePhone')] }),
	...contactGetAllDescription,
	...contactUpdateDescription,
];
