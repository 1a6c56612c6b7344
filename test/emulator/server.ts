/**
 * The HTTP layer: reads requests, sorts them into control / Graph / identity / public areas,
 * applies socket-level faults (resets, hangs, broken bodies) and writes replies with Graph's headers.
 */
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { clientRequestId, displayPath, type EmulatorCoreImpl } from './core';
import type { FaultRule, GraphRequest, RecordedRequest, Reply } from './types';

const GRAPH_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
const PLAIN_JSON = 'application/json; charset=utf-8';
/** Requests bigger than this are refused outright; Graph's own limits are far lower. */
const MAX_BODY_BYTES = 200 * 1024 * 1024;

type Area = 'control' | 'graph' | 'identity' | 'public';

interface SplitUrl {
	pathname: string;
	search: string;
}

function splitUrl(rawUrl: string): SplitUrl {
	const q = rawUrl.indexOf('?');
	return q >= 0 ? { pathname: rawUrl.slice(0, q), search: rawUrl.slice(q) } : { pathname: rawUrl, search: '' };
}

function areaOf(pathname: string): Area {
	if (/^\/_emulator(\/|$)/.test(pathname)) return 'control';
	if (/^\/v1\.0(\/|$)/i.test(pathname)) return 'graph';
	if (/^\/[^/]+\/(oauth2|v2\.0)\//i.test(pathname)) return 'identity';
	return 'public';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new Error('Request body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** Serializes a reply body; objects become JSON with the area's content type. */
function serializeBody(reply: Reply, area: Area): { bytes: Buffer | undefined; contentType: string | undefined } {
	const { body } = reply;
	if (body === undefined || body === null) return { bytes: undefined, contentType: undefined };
	if (Buffer.isBuffer(body)) return { bytes: body, contentType: 'application/octet-stream' };
	if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), contentType: 'text/plain; charset=utf-8' };
	return { bytes: Buffer.from(JSON.stringify(body), 'utf8'), contentType: area === 'graph' ? GRAPH_JSON : PLAIN_JSON };
}

/** Error bodies built before the request id was known get it filled in here. */
function fillErrorIds(reply: Reply, req: GraphRequest): void {
	const inner = (reply.body as { error?: { innerError?: Record<string, unknown> } } | undefined)?.error?.innerError;
	if (inner && typeof inner === 'object') {
		if (!inner['request-id']) inner['request-id'] = req.requestId;
		if ('client-request-id' in inner && !inner['client-request-id']) inner['client-request-id'] = clientRequestId(req);
	}
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
	return Object.keys(headers).some((h) => h.toLowerCase() === name.toLowerCase());
}

function writeReply(
	res: ServerResponse,
	reply: Reply,
	req: GraphRequest,
	area: Area,
	fault: FaultRule | undefined,
	now: number,
): void {
	fillErrorIds(reply, req);
	const headers: Record<string, string> = { ...reply.headers };
	if (area !== 'control') {
		headers['request-id'] = req.requestId;
		headers['client-request-id'] = clientRequestId(req);
	}
	if (area === 'graph') {
		// Graph's Date header is Graph's own time: follow the emulator's movable clock.
		res.sendDate = false;
		headers.Date = new Date(now).toUTCString();
		headers['Cache-Control'] ??= 'no-cache';
		headers['Strict-Transport-Security'] = 'max-age=31536000';
	}
	if (fault?.kind === 'malformed-json') {
		// A 200 whose body stops mid-array: clients must not treat it as success.
		const garbage = Buffer.from('{"value": [{"id": "AAMkAGI2TG93AAA=", "subject": "trunc\u0000\u00ff', 'utf8');
		res.writeHead(200, { ...headers, 'Content-Type': GRAPH_JSON, 'Content-Length': String(garbage.length) });
		res.end(garbage);
		return;
	}
	const { bytes, contentType } = serializeBody(reply, area);
	if (contentType && !hasHeader(headers, 'content-type')) headers['Content-Type'] = contentType;
	if (area === 'graph' && contentType === GRAPH_JSON) headers['OData-Version'] ??= '4.0';
	if (fault?.kind === 'truncated-json') {
		// Announce the full length, send half, then close: the client sees a premature end.
		const full = bytes ?? Buffer.from('{"value":[]}', 'utf8');
		res.writeHead(reply.status, { ...headers, 'Content-Type': headers['Content-Type'] ?? GRAPH_JSON, 'Content-Length': String(full.length) });
		res.write(full.subarray(0, Math.floor(full.length / 2)), () => res.socket?.destroy());
		return;
	}
	if (bytes && req.method !== 'HEAD') headers['Content-Length'] = String(bytes.length);
	res.writeHead(reply.status, headers);
	res.end(req.method === 'HEAD' ? undefined : bytes);
}

function controlRequestBody(req: GraphRequest): unknown {
	if (req.rawBody.length === 0) return undefined;
	const text = req.rawBody.toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

export interface RunningServer {
	server: Server;
	url: string;
	close(): Promise<void>;
}

export async function startHttpServer(core: EmulatorCoreImpl): Promise<RunningServer> {
	const hungSockets = new Set<Socket>();
	const server = createServer((req, res) => {
		handleRequest(core, req, res, hungSockets).catch((error) => {
			if (!res.headersSent) {
				res.writeHead(500, { 'Content-Type': PLAIN_JSON });
				res.end(JSON.stringify({ error: { code: 'generalException', message: String((error as Error)?.message ?? error) } }));
			} else {
				res.destroy();
			}
		});
	});
	server.keepAliveTimeout = 5000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(core.options.port, core.options.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	if (!address || typeof address === 'string') throw new Error('Emulator did not get a TCP address');
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	const url = `http://${host}:${address.port}`;
	return {
		server,
		url,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of hungSockets) socket.destroy();
				hungSockets.clear();
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

async function handleRequest(core: EmulatorCoreImpl, req: IncomingMessage, res: ServerResponse, hungSockets: Set<Socket>): Promise<void> {
	const rawUrl = req.url ?? '/';
	const { pathname, search } = splitUrl(rawUrl);
	const area = areaOf(pathname);
	const method = (req.method ?? 'GET').toUpperCase();
	const path = area === 'graph' ? pathname.replace(/^\/v1\.0/i, '') || '/' : area === 'control' ? pathname.replace(/^\/_emulator/, '') || '/' : pathname;

	if (area === 'control') {
		const rawBody = await readBody(req);
		const graphReq = core.newGraphRequest({ method, rawUrl, path, search, headers: req.headers, rawBody });
		graphReq.body = controlRequestBody(graphReq);
		const reply =
			(await core.runUnauthenticated(core.controlRoutes, graphReq, undefined)) ??
			({ status: 404, body: { error: { code: 'NotFound', message: `No control route ${method} /_emulator${path}` } } } as Reply);
		writeReply(res, reply, graphReq, area, undefined, core.now());
		return;
	}

	const fault = core.faults.take(method, displayPath(path), true);
	if (fault?.kind === 'reset-before-body') {
		const graphReq = core.newGraphRequest({ method, rawUrl, path, search, headers: req.headers, rawBody: Buffer.alloc(0) });
		const record = core.startRecord(graphReq, area);
		record.fault = fault.kind;
		core.finishRecord(record, undefined);
		req.socket.destroy();
		return;
	}

	const rawBody = await readBody(req);
	const graphReq = core.newGraphRequest({ method, rawUrl, path, search, headers: req.headers, rawBody });
	const record = core.startRecord(graphReq, area);
	if (fault) record.fault = fault.kind;

	if (fault?.kind === 'html-error') {
		// A proxy's error page: not Graph's JSON, none of Graph's headers (no request-id).
		const status = Number(fault.status ?? 502);
		const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
		const page = Buffer.from(
			`<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n<body><center><h1>${title}</h1></center>\n<hr><center>nginx</center>\n</body></html>\n`,
			'utf8',
		);
		res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': String(page.length), ...(fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {}) });
		res.end(page);
		core.finishRecord(record, status);
		return;
	}

	if (fault?.kind === 'hang') {
		// Never answer; the socket is destroyed when the emulator closes (or the client gives up).
		hungSockets.add(req.socket);
		req.socket.once('close', () => hungSockets.delete(req.socket));
		return;
	}

	const reply = await dispatchArea(core, area, graphReq, fault, record);
	if (fault?.kind === 'reset-after-body') {
		// The handler ran (its side effects happened), but the client never hears back.
		core.finishRecord(record, reply.status);
		req.socket.destroy();
		return;
	}
	writeReply(res, reply, graphReq, area, fault, core.now());
	core.finishRecord(record, fault?.kind === 'malformed-json' ? 200 : reply.status);
}

async function dispatchArea(
	core: EmulatorCoreImpl,
	area: Exclude<Area, 'control'>,
	req: GraphRequest,
	fault: FaultRule | undefined,
	record: RecordedRequest,
): Promise<Reply> {
	// Graph requests are recorded with who called; identity/public requests carry no token.
	if (area === 'graph') return core.runGraph(req, fault, record);
	const reply =
		(await core.runUnauthenticated(core.identityRoutes, req, fault)) ??
		(await core.runUnauthenticated(core.publicRoutes, req, fault)) ??
		(await core.runUnauthenticated(core.graphRoutes, req, fault, false));
	if (reply) return reply;
	return {
		status: 404,
		headers: { 'Content-Type': PLAIN_JSON },
		body: { error: { code: 'NotFound', message: `The emulator has no route for ${req.method} ${req.path}. Graph lives under /v1.0.` } },
	};
}
