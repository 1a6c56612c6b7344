import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { headerValue } from './headers';
import { InvalidInputError } from './url';

/** What a failed Graph response looked like (status, headers, parsed body). */
export interface GraphFailure {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/** Thrown inside the transport for a non-2xx response, so the retry loop can inspect it. */
export class GraphHttpError extends Error {
	constructor(readonly failure: GraphFailure) {
		super(`Microsoft Graph answered ${failure.statusCode}`);
	}
}

interface GraphErrorBody {
	code?: string;
	message?: string;
	innerError?: Record<string, unknown>;
	innererror?: Record<string, unknown>;
}

/** User words per Graph error code; the status decides when the code is not listed. */
const MESSAGES_BY_CODE: Record<string, string> = {
	ErrorItemNotFound: 'The item was not found in the mailbox: check the ID',
	ResourceNotFound: 'The resource was not found: check the ID',
	itemNotFound: 'The item was not found: check the ID',
	ErrorInvalidUser: 'The mailbox was not found: check the Mailbox or User ID',
	MailboxNotEnabledForRESTAPI: 'This mailbox is not enabled for Microsoft Graph (on-premises or inactive mailbox)',
	ErrorAccessDenied: 'Access denied by Microsoft Graph',
	ErrorCalendarIsNotOrganizer: 'Only the organizer can cancel a meeting; attendees can decline it instead',
	accessDenied: 'Access denied by Microsoft Graph',
	InvalidAuthenticationToken: 'Microsoft Graph rejected the access token: reconnect the credential',
	TooManyRequests: 'Microsoft Graph kept throttling the requests and the retries ran out',
	ApplicationThrottled: 'Microsoft Graph kept throttling the requests and the retries ran out',
	ErrorInvalidRecipients: 'Microsoft Graph rejected the recipients',
	ExtensionError: 'Microsoft Graph rejected the subscription',
	InvalidRequest: 'Microsoft Graph rejected the request',
	ErrorFolderExists: 'A folder with this name already exists here',
	TimeZoneNotSupportedException: 'Microsoft Graph does not support this time zone',
};

const MESSAGES_BY_STATUS: Record<number, string> = {
	400: 'Microsoft Graph rejected the request',
	401: 'Microsoft Graph rejected the access token: reconnect the credential',
	403: 'Access denied by Microsoft Graph: check the permissions granted to the app',
	404: 'Not found in Microsoft Graph: check the ID and the mailbox',
	409: 'Conflict: the item already exists or was changed meanwhile',
	413: 'The request is too large for Microsoft Graph',
	429: 'Microsoft Graph kept throttling the requests and the retries ran out',
	500: 'Microsoft Graph had an internal error',
	502: 'Microsoft Graph is unreachable (bad gateway)',
	503: 'Microsoft Graph is temporarily unavailable',
	504: 'Microsoft Graph timed out',
};

function graphErrorOf(body: unknown): GraphErrorBody | undefined {
	if (body && typeof body === 'object' && 'error' in body) {
		const error = (body as { error: unknown }).error;
		if (error && typeof error === 'object') return error as GraphErrorBody;
		if (typeof error === 'string') return { code: error, message: (body as { error_description?: string }).error_description };
	}
	return undefined;
}

/** Graph's `{error:{code,message,innerError:{request-id}}}` → a NodeApiError that keeps code and request-id. */
export function toNodeApiError(node: INode, failure: GraphFailure, itemIndex?: number): NodeApiError {
	const graphError = graphErrorOf(failure.body);
	const inner = graphError?.innerError ?? graphError?.innererror ?? {};
	// Graph sometimes sends an empty code (e.g. some 403s): the status stands in, never an empty "[]".
	const code = typeof graphError?.code === 'string' && graphError.code.trim() !== '' ? graphError.code : `HTTP ${failure.statusCode}`;
	const requestId = String(inner['request-id'] ?? headerValue(failure.headers, 'request-id') ?? 'none');
	const graphMessage = graphError?.message ?? (typeof failure.body === 'string' ? failure.body.slice(0, 300) : '');
	const summary =
		MESSAGES_BY_CODE[code] ?? MESSAGES_BY_STATUS[failure.statusCode] ?? `Microsoft Graph answered ${failure.statusCode}`;
	const message = `${summary} [${code}]`;
	const error = new NodeApiError(
		node,
		{ code, message: graphMessage, requestId, httpCode: String(failure.statusCode) } as JsonObject,
		{
			message,
			description: `${graphMessage || 'No message from Microsoft Graph.'} (code: ${code}, request-id: ${requestId})`,
			httpCode: String(failure.statusCode),
			itemIndex,
		},
	);
	// NodeApiError rewrites messages that contain "ENOTFOUND" (as in "ResourceNotFound") into a DNS error.
	error.message = message;
	return error;
}

/** Bad input → NodeOperationError naming the field and the fix. */
export function toNodeOperationError(node: INode, error: InvalidInputError, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(node, error.message, { description: error.description, itemIndex });
}

/** A network failure (no HTTP answer) — messages must not carry request options (tokens). */
export function networkErrorMessage(error: unknown): string {
	const e = error as { code?: string; httpCode?: string; message?: string; messages?: string[] };
	const code = e.code ?? (/^E/.test(String(e.httpCode ?? '')) ? e.httpCode : undefined);
	const detail = e.messages?.[0] ?? e.message;
	if (!code) return detail ?? 'Network error';
	return detail && !detail.includes(code) ? `${code}: ${detail}` : code;
}
