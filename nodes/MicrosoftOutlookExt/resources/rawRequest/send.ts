import type { IDataObject, IDisplayOptions, IExecuteSingleFunctions, IHttpRequestMethods, IHttpRequestOptions, IN8nHttpFullResponse, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestNeeds } from '../../shared/descriptions';
import { optionsCollection } from '../../shared/fields';
import { itemTarget } from '../../shared/routing';
import { MAX_DELAY_SECONDS } from '../../shared/transport/retry';
import { headerValue } from '../../shared/transport/headers';
import { inputError, parseJsonParameter } from '../../shared/validation';
import { buildMultipart, type MultipartPart } from './multipart';

const showOnlyForRawRequest = { resource: ['rawRequest'], operation: ['send'] };
const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'] as const;
const METHODS_WITH_BODY = ['PATCH', 'POST', 'PUT'];
const showForBody = { ...showOnlyForRawRequest, method: METHODS_WITH_BODY };
/** Binary output property (fixed, as in n8n's HTTP Request node). */
export const RAW_BINARY_PROPERTY = 'data';
const MAX_RETRY_COUNT = 10;

interface NameValue {
	name?: string;
	value?: unknown;
}

function pairs(ctx: IExecuteSingleFunctions, parameter: string): NameValue[] {
	const collection = ctx.getNodeParameter(parameter, {}) as { parameters?: NameValue[] };
	return (collection?.parameters ?? []).filter((p) => String(p.name ?? '').trim() !== '');
}

/**
 * Path → a URL the transport understands: `/me/...` (mailbox-scoped for client credentials) or another
 * path under `{Base URL}/v1.0`. An absolute URL under the credential's root becomes relative (so it is
 * scoped too); one on the credential's Graph host (e.g. /beta) stays absolute; any other host is refused
 * before a request, so the token never leaves Graph.
 */
async function checkedPath(ctx: IExecuteSingleFunctions): Promise<string> {
	const raw = String(ctx.getNodeParameter('path', '') ?? '').trim();
	if (!raw) throw inputError(ctx, 'Path is empty', 'Give a path relative to the Graph base URL, e.g. /me/messages.');
	if (/\s/.test(raw)) throw inputError(ctx, 'Path contains spaces', 'Percent-encode them (%20), e.g. in $filter values.');
	let path = raw;
	if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
		const { root } = await itemTarget(ctx);
		const rootOrigin = new URL(root).origin;
		const url = URL.canParse(raw) ? new URL(raw) : undefined;
		if (!url || url.origin !== rootOrigin) {
			throw inputError(
				ctx,
				`Path "${raw.slice(0, 80)}" is not on ${rootOrigin}`,
				`Give a path relative to ${root} (e.g. /me/messages): the Microsoft token is only sent to the credential's Graph host.`,
			);
		}
		if (!raw.toLowerCase().startsWith(`${root.toLowerCase()}/`)) return raw;
		path = raw.slice(root.length);
	}
	if (!path.startsWith('/')) path = `/${path}`;
	// "relative to /v1.0": a pasted "/v1.0/me" means "/me".
	path = path.replace(/^\/v1\.0(?=\/|$|\?)/i, '') || '/';
	// Braces are URL-template placeholders for the transport; in a raw path they are literal.
	return path.replace(/\{/g, '%7B').replace(/\}/g, '%7D');
}

function checkedQuery(ctx: IExecuteSingleFunctions): IDataObject {
	if (ctx.getNodeParameter('specifyQuery', 'keypair') === 'json') {
		const parsed = parseJsonParameter<unknown>(ctx, ctx.getNodeParameter('jsonQuery', ''), 'Query Parameters (JSON)');
		if (parsed === undefined) return {};
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
			throw inputError(ctx, 'Query Parameters (JSON) must be a JSON object', 'For example {"$top": 5, "$select": "subject"}.');
		}
		return parsed as IDataObject;
	}
	const qs: IDataObject = {};
	for (const { name, value } of pairs(ctx, 'queryParameters')) qs[String(name).trim()] = value as string;
	return qs;
}

function checkedHeaders(ctx: IExecuteSingleFunctions): IDataObject {
	const headers: IDataObject = {};
	for (const { name, value } of pairs(ctx, 'headerParameters')) {
		const key = String(name).trim();
		if (/[^!#$%&'*+.^_`|~0-9a-z-]/i.test(key)) {
			throw inputError(ctx, `Headers: "${key.slice(0, 40)}" is not a header name`, 'Header names contain no spaces or colons, e.g. Prefer.');
		}
		if (key.toLowerCase() === 'authorization') {
			throw inputError(ctx, 'Headers: Authorization cannot be set', 'The credential signs every request; remove the Authorization header.');
		}
		headers[key] = String(value ?? '');
	}
	return headers;
}

async function multipartParts(ctx: IExecuteSingleFunctions): Promise<MultipartPart[]> {
	const parts: MultipartPart[] = pairs(ctx, 'formData').map(({ name, value }) => ({
		name: String(name).trim(),
		value: String(value ?? ''),
	}));
	const files = (ctx.getNodeParameter('fileData', {}) as { parameters?: Array<{ name?: string; binaryPropertyName?: string }> })
		.parameters ?? [];
	for (const file of files) {
		const name = String(file.name ?? '').trim();
		const property = String(file.binaryPropertyName ?? '').trim();
		if (!name || !property) {
			throw inputError(ctx, 'File Data needs a Field Name and an Input Binary Field', 'Fill both, or remove the empty entry.');
		}
		if (!ctx.getInputData().binary?.[property]) {
			throw inputError(
				ctx,
				`File Data: the input item has no binary property "${property}"`,
				'Set Input Binary Field to the name of a binary property of the incoming item (often "data").',
			);
		}
		const binary = ctx.helpers.assertBinaryData(property);
		parts.push({
			name,
			data: await ctx.helpers.getBinaryDataBuffer(property),
			fileName: binary.fileName ?? property,
			mimeType: binary.mimeType || 'application/octet-stream',
		});
	}
	return parts;
}

/** JSON Data, or Form Data / File Data as multipart (never both). */
async function requestBody(ctx: IExecuteSingleFunctions, headers: IDataObject): Promise<IHttpRequestOptions['body']> {
	const method = checkedMethod(ctx);
	if (!METHODS_WITH_BODY.includes(method)) return undefined;
	const json = parseJsonParameter<unknown>(ctx, ctx.getNodeParameter('jsonData', ''), 'JSON Data');
	const parts = await multipartParts(ctx);
	if (parts.length > 0) {
		if (json !== undefined) {
			throw inputError(ctx, 'JSON Data cannot be sent together with Form Data or File Data', 'Clear JSON Data to send a multipart form, or remove the form entries.');
		}
		const { body, contentType } = buildMultipart(parts);
		headers['Content-Type'] = contentType;
		return body;
	}
	if (json === undefined) return undefined;
	if (typeof json !== 'object' || json === null) {
		throw inputError(ctx, 'JSON Data must be a JSON object or array', 'For example {"subject": "Hello"}.');
	}
	return json as IDataObject;
}

/** Raw Request's `options`; the transport reads the retry knobs itself (retryPolicyFor). */
function checkedOptions(ctx: IExecuteSingleFunctions): { timeout?: number } {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const whole = (name: string, label: string, min: number, max: number): void => {
		if (options[name] === undefined) return;
		const value = Number(options[name]);
		if (!Number.isInteger(value) || value < min || value > max) {
			throw inputError(ctx, `${label} must be a whole number from ${min} to ${max}`, `It is ${String(options[name])}.`);
		}
	};
	whole('maxRetryCount', 'Max Retry Count', 0, MAX_RETRY_COUNT);
	whole('retryDelay', 'Retry Delay (ms)', 0, MAX_DELAY_SECONDS * 1000);
	whole('timeout', 'Timeout', 1, 24 * 60 * 60 * 1000);
	return { timeout: options.timeout === undefined ? undefined : Number(options.timeout) };
}

function checkedMethod(ctx: IExecuteSingleFunctions): IHttpRequestMethods {
	const method = String(ctx.getNodeParameter('method', 'GET')).toUpperCase();
	if (!(METHODS as readonly string[]).includes(method)) {
		throw inputError(ctx, `Method "${method.slice(0, 20)}" is not supported`, `Use one of ${METHODS.join(', ')}.`);
	}
	return method as IHttpRequestMethods;
}

export async function prepareRawRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const method = checkedMethod(this);
	const url = await checkedPath(this);
	const qs = checkedQuery(this);
	const userHeaders = checkedHeaders(this);
	const { timeout } = checkedOptions(this);
	const headers: IDataObject = { ...(requestOptions.headers ?? {}), ...userHeaders };
	const body = await requestBody(this, headers);
	const responseType = this.getNodeParameter('responseType', 'json');

	const options: IHttpRequestOptions = { ...requestOptions, method, url, qs: { ...(requestOptions.qs ?? {}), ...qs }, headers, body };
	if (body === undefined) delete options.body;
	if (timeout !== undefined) options.timeout = timeout;
	if (responseType !== 'json') {
		// Raw bytes: the transport does not try to read them as JSON, and binary content stays intact.
		options.encoding = 'arraybuffer';
		if (headerValue(userHeaders, 'accept') === undefined) {
			for (const key of Object.keys(headers)) if (key.toLowerCase() === 'accept') delete headers[key];
			headers.Accept = '*/*';
		}
	}
	return options;
}

/** `attachment; filename="report.pdf"` / `filename*=UTF-8''r%C3%A9sum%C3%A9.pdf` → the file name. */
function fileNameFrom(contentDisposition: string | undefined): string | undefined {
	if (!contentDisposition) return undefined;
	const extended = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(contentDisposition);
	if (extended) {
		try {
			return decodeURIComponent(extended[1].trim());
		} catch {
			// Fall through to the plain parameter.
		}
	}
	const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(contentDisposition);
	return plain?.[1].trim();
}

function asBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	return Buffer.from(body === undefined || body === null ? '' : JSON.stringify(body), 'utf8');
}

/** JSON as items (an array → one item per element), text as `{data}`, binary as the `data` binary property. */
export async function formatRawResponse(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const responseType = this.getNodeParameter('responseType', 'json');
	const { body, statusCode } = response;
	if (responseType === 'text') return [{ json: { data: asBuffer(body).toString('utf8') } }];
	if (responseType === 'binary') {
		const buffer = asBuffer(body);
		const contentType = headerValue(response.headers, 'content-type') ?? 'application/octet-stream';
		const fileName = fileNameFrom(headerValue(response.headers, 'content-disposition'));
		const binary = await this.helpers.prepareBinaryData(buffer, fileName, contentType.split(';')[0].trim());
		return [{ json: { statusCode, contentType, bytes: buffer.length }, binary: { [RAW_BINARY_PROPERTY]: binary } }];
	}
	if (Array.isArray(body)) return body.map((entry) => ({ json: (typeof entry === 'object' && entry !== null ? entry : { value: entry }) as IDataObject }));
	if (body && typeof body === 'object') return [{ json: body as IDataObject }];
	if (typeof body === 'string' && body !== '') return [{ json: { data: body } }];
	return [{ json: { statusCode } }];
}

function nameValueCollection(
	displayName: string,
	name: string,
	placeholder: string,
	show: IDisplayOptions['show'],
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder,
		default: {},
		description,
		displayOptions: { show },
		options: [
			{
				displayName: 'Parameter',
				name: 'parameters',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	};
}

export const rawRequestSendDescription: INodeProperties[] = [
	requestNeeds(showOnlyForRawRequest, ['unbatched', 'userRequestOptions', 'anyPageSize']),
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: METHODS.map((method) => ({ name: method, value: method })),
		default: 'GET',
		description: 'HTTP method of the request',
		displayOptions: { show: showOnlyForRawRequest },
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		required: true,
		default: '',
		placeholder: '/me/messages',
		description:
			"Path relative to {Base URL}/v1.0, e.g. /me/messages or /me/mailFolders/inbox. /me is the signed-in user (with client credentials: the credential's User ID). An absolute URL is accepted only on the credential's Graph host (e.g. https://graph.microsoft.com/beta/me).",
		displayOptions: { show: showOnlyForRawRequest },
	},
	{
		displayName: 'Specify Query Parameters',
		name: 'specifyQuery',
		type: 'options',
		options: [
			{ name: 'Using Fields Below', value: 'keypair' },
			{ name: 'Using JSON', value: 'json' },
		],
		default: 'keypair',
		displayOptions: { show: showOnlyForRawRequest },
	},
	nameValueCollection(
		'Query Parameters',
		'queryParameters',
		'Add Query Parameter',
		{ ...showOnlyForRawRequest, specifyQuery: ['keypair'] },
		'Query string parameters, e.g. $top = 5 or $select = subject',
	),
	{
		displayName: 'Query Parameters (JSON)',
		name: 'jsonQuery',
		type: 'json',
		default: '',
		placeholder: '{"$top": 5, "$select": "subject"}',
		description: 'Query string parameters as a JSON object',
		displayOptions: { show: { ...showOnlyForRawRequest, specifyQuery: ['json'] } },
	},
	nameValueCollection(
		'Headers',
		'headerParameters',
		'Add Header',
		showOnlyForRawRequest,
		'Extra request headers, e.g. Prefer = outlook.body-content-type="text" (Authorization comes from the credential)',
	),
	{
		displayName: 'JSON Data',
		name: 'jsonData',
		type: 'json',
		default: '',
		placeholder: '{"subject": "Hello"}',
		description: 'Request body as JSON (an object or array). Leave empty for no body or for a multipart form.',
		displayOptions: { show: showForBody },
	},
	nameValueCollection(
		'Form Data',
		'formData',
		'Add Form Field',
		showForBody,
		'Text fields of a multipart/form-data body (sent instead of JSON Data)',
	),
	{
		displayName: 'File Data',
		name: 'fileData',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add File',
		default: {},
		description: 'Files of a multipart/form-data body, from binary properties of the input item (sent with their file names)',
		displayOptions: { show: showForBody },
		options: [
			{
				displayName: 'File',
				name: 'parameters',
				values: [
					{ displayName: 'Field Name', name: 'name', type: 'string', default: 'file', description: 'Name of the form field' },
					{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						description: 'Binary property of the input item holding the file',
					},
				],
			},
		],
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		options: [
			{ name: 'Binary', value: 'binary', description: `The body as n8n binary data (property "${RAW_BINARY_PROPERTY}")` },
			{ name: 'JSON', value: 'json', description: 'The body parsed as JSON (one item; an array gives one item per element)' },
			{ name: 'Text', value: 'text', description: 'The body as text in the "data" field' },
		],
		default: 'json',
		displayOptions: { show: showOnlyForRawRequest },
	},
	optionsCollection({
		show: showOnlyForRawRequest,
		options: [
			{
				displayName: 'Max Retry Count',
				name: 'maxRetryCount',
				type: 'number',
				default: 3,
				typeOptions: { minValue: 0, maxValue: MAX_RETRY_COUNT },
				description: 'Retries after the first attempt (0 to 10)',
			},
			{
				displayName: 'Retry Delay (Ms)',
				name: 'retryDelay',
				type: 'number',
				default: 1000,
				typeOptions: { minValue: 0 },
				description:
					'Milliseconds to wait before the first retry (doubled for each further retry with exponential backoff). A Retry-After header from Graph always wins.',
			},
			{
				displayName: 'Retry On All Errors',
				name: 'retryOnAllErrors',
				type: 'boolean',
				default: false,
				description:
					'Whether to retry every error: also 4xx answers (401 is handled by a token refresh) and a POST after a 5xx or a lost connection. Off: only 5xx and network errors are retried, a POST only after 429 or 503 (a lost POST may have been carried out); 429 always honours Retry-After.',
			},
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				default: 300000,
				typeOptions: { minValue: 1 },
				description: 'Milliseconds to wait for the answer to each attempt',
			},
			{
				displayName: 'Use Exponential Backoff',
				name: 'useExponentialBackoff',
				type: 'boolean',
				default: true,
				description: 'Whether to double the Retry Delay after each retry (off: the same delay every time)',
			},
		],
	}),
];
