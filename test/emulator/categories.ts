/**
 * The mailbox's master list of categories (`/outlook/masterCategories`, outlookCategory): list, get,
 * create, update (color only) and delete. Each mailbox starts with Outlook's six default categories.
 * Docs: api-reference/v1.0/api/outlookuser-list-mastercategories.md, outlookuser-post-mastercategories.md,
 * outlookcategory-get.md, outlookcategory-update.md, outlookcategory-delete.md; resources/outlookcategory.md.
 */
import { randomUUID } from 'node:crypto';

import { MailInputError } from './mail-messages';
import { mailHandler, requireJsonObject } from './mail-routes';
import type { EmulatorCore, GraphRequest } from './types';

export interface OutlookCategory {
	id: string;
	displayName: string;
	color: string;
}

/** Outlook's default categories of a new mailbox (names as Outlook on the web shows them). */
const DEFAULT_CATEGORIES: Array<[string, string]> = [
	['Red category', 'preset0'],
	['Orange category', 'preset1'],
	['Yellow category', 'preset3'],
	['Green category', 'preset4'],
	['Blue category', 'preset7'],
	['Purple category', 'preset8'],
];

/** "None" or preset0 … preset24 (the categoryColor enum). Graph is case-insensitive on enum values. */
const COLOR = /^(none|preset([0-9]|1[0-9]|2[0-4]))$/i;

export function masterCategories(core: EmulatorCore, userId: string): OutlookCategory[] {
	return core.moduleState(userId, 'categories', () => DEFAULT_CATEGORIES.map(([displayName, color]) => ({ id: randomUUID(), displayName, color })));
}

function contextUrl(userId: string): string {
	return `https://graph.microsoft.com/v1.0/$metadata#users('${userId}')/outlook/masterCategories`;
}

function colorOf(value: unknown): string {
	if (value === undefined || value === null) return 'none';
	if (typeof value !== 'string' || !COLOR.test(value)) {
		// An unknown enum member: Graph's OData reader answers 400 RequestBodyRead.
		throw new MailInputError(400, 'RequestBodyRead', `Requested value '${String(value)}' was not found.`);
	}
	return value.toLowerCase() === 'none' ? 'none' : value.toLowerCase();
}

function requireCategory(list: OutlookCategory[], id: string): OutlookCategory {
	const category = list.find((c) => c.id === id);
	if (!category) throw new MailInputError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
	return category;
}

function userIdOf(req: GraphRequest): string {
	if (!req.mailbox) throw new MailInputError(400, 'BadRequest', 'A mailbox is required for this request.');
	return req.mailbox.id;
}

export function register(core: EmulatorCore): void {
	const route = (method: string, pattern: string, handler: (req: GraphRequest, list: OutlookCategory[]) => ReturnType<Parameters<typeof mailHandler>[1]>) =>
		core.mailboxRoute(method, pattern, mailHandler(core, (req) => handler(req, masterCategories(core, userIdOf(req)))));

	// The list is not paged (the docs show no nextLink and the list is small).
	route('GET', '/outlook/masterCategories', (req, list) => ({ status: 200, body: { '@odata.context': contextUrl(userIdOf(req)), value: list.map((c) => ({ ...c })) } }));
	route('GET', '/outlook/masterCategories/:categoryId', (req, list) => ({
		status: 200,
		body: { '@odata.context': `${contextUrl(userIdOf(req))}/$entity`, ...requireCategory(list, req.params.categoryId) },
	}));
	route('POST', '/outlook/masterCategories', (req, list) => {
		const body = requireJsonObject(req);
		const displayName = typeof body.displayName === 'string' ? body.displayName.trim() : '';
		// The docs mark nothing required, but a category is known only by its name: an empty one is refused.
		if (!displayName) throw new MailInputError(400, 'ErrorInvalidParameter', "The value of the parameter 'DisplayName' is empty.");
		// "The displayName value must be unique in a user's master list" (outlookcategory.md). The error for a
		// duplicate is not documented: 409 Conflict, as Graph answers other duplicate names (ErrorFolderExists).
		if (list.some((c) => c.displayName.toLowerCase() === displayName.toLowerCase())) {
			throw new MailInputError(409, 'ErrorDuplicateCategoryName', `A category with the name '${displayName}' already exists.`);
		}
		const category = { id: randomUUID(), displayName, color: colorOf(body.color) };
		list.push(category);
		return { status: 201, body: { '@odata.context': `${contextUrl(userIdOf(req))}/$entity`, ...category } };
	});
	route('PATCH', '/outlook/masterCategories/:categoryId', (req, list) => {
		const category = requireCategory(list, req.params.categoryId);
		const body = requireJsonObject(req);
		// "After a category is created, the name cannot be changed": only color is updatable.
		if (body.displayName !== undefined && body.displayName !== category.displayName) {
			throw new MailInputError(400, 'ErrorInvalidPropertyUpdate', "The property 'DisplayName' cannot be changed.");
		}
		if (body.color !== undefined) category.color = colorOf(body.color);
		return { status: 200, body: { '@odata.context': `${contextUrl(userIdOf(req))}/$entity`, ...category } };
	});
	route('DELETE', '/outlook/masterCategories/:categoryId', (req, list) => {
		const category = requireCategory(list, req.params.categoryId);
		list.splice(list.indexOf(category), 1);
		return { status: 204 };
	});
}
