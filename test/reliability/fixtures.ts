/**
 * Test data and small servers for the reliability suite: direct Graph calls (set-up and checks,
 * outside n8n), a notification receiver that passes Graph's validation handshake, and a proxy in
 * front of the emulator that can rewrite answers (e.g. point a nextLink at another host).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';

import type { Emulator } from '../emulator';
import { ADELE } from '../emulator/users';

export interface GraphAnswer {
	status: number;
	body: any;
}

/** A Graph call as a user (default Adele) with a fresh token, as test set-up. */
export async function graphAs(
	emu: Emulator,
	method: string,
	path: string,
	body?: unknown,
	userId: string = ADELE.id,
): Promise<GraphAnswer> {
	const token = emu.issueToken({ userId });
	const response = await fetch(`${emu.url}/v1.0${path}`, {
		method,
		headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	let parsed: unknown = text;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		// not JSON
	}
	return { status: response.status, body: parsed };
}

async function created(emu: Emulator, path: string, body: unknown): Promise<any> {
	const answer = await graphAs(emu, 'POST', path, body);
	if (answer.status !== 201) throw new Error(`set-up POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
	return answer.body;
}

export const newCalendar = (emu: Emulator, name: string) => created(emu, '/me/calendars', { name });
export const newFolder = (emu: Emulator, displayName: string) => created(emu, '/me/mailFolders', { displayName });
export const newContact = (emu: Emulator, givenName: string, email: string) =>
	created(emu, '/me/contacts', { givenName, surname: 'Matrix', emailAddresses: [{ address: email }] });
export const newContactFolder = (emu: Emulator, displayName: string) => created(emu, '/me/contactFolders', { displayName });

/** A draft of Adele's (optionally with recipients, so it can be sent). */
export const newDraft = (emu: Emulator, subject: string, to: string[] = []) =>
	created(emu, '/me/messages', { subject, toRecipients: to.map((address) => ({ emailAddress: { address } })) });
/** A small text file attached to a message. */
export const newFileAttachment = (emu: Emulator, messageId: string, name: string) =>
	created(emu, `/me/messages/${encodeURIComponent(messageId)}/attachments`, {
		'@odata.type': '#microsoft.graph.fileAttachment',
		name,
		contentType: 'text/plain',
		contentBytes: Buffer.from(`content of ${name}`).toString('base64'),
	});

/** An event of Adele's; with attendees it is a meeting she organizes (cancellable). */
export function newEvent(emu: Emulator, subject: string, attendees: string[] = []): Promise<any> {
	return created(emu, '/me/events', {
		subject,
		start: { dateTime: '2031-02-03T09:00:00', timeZone: 'UTC' },
		end: { dateTime: '2031-02-03T10:00:00', timeZone: 'UTC' },
		attendees: attendees.map((address) => ({ emailAddress: { address }, type: 'required' })),
	});
}

export function newSubscription(emu: Emulator, notificationUrl: string): Promise<any> {
	return created(emu, '/subscriptions', {
		changeType: 'created',
		notificationUrl,
		resource: 'me/events',
		expirationDateTime: new Date(emu.core.now() + 2 * 24 * 3600_000).toISOString(),
		clientState: 'fixture-client-state',
	});
}

export interface Receiver {
	server: Server;
	url: string;
	calls: Array<{ path: string; validationToken: string | null }>;
	close(): Promise<void>;
}

/** Echoes Graph's validation token as text/plain; accepts notifications with 202. */
export async function startReceiver(): Promise<Receiver> {
	const calls: Receiver['calls'] = [];
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://receiver');
		const validationToken = url.searchParams.get('validationToken');
		calls.push({ path: url.pathname, validationToken });
		req.resume();
		if (validationToken !== null) {
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end(validationToken);
			return;
		}
		res.writeHead(202);
		res.end();
	});
	const url = await listen(server);
	return { server, url, calls, close: () => closeServer(server) };
}

export interface SeenRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
}

/** A host that must never be contacted: it records what reaches it (and whether a token came along). */
export async function startTrap(): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
	const seen: SeenRequest[] = [];
	const server = createServer((req, res) => {
		seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		req.resume();
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end('{"value":[{"id":"planted"}]}');
	});
	const url = await listen(server);
	return { url, seen, close: () => closeServer(server) };
}

/**
 * Forwards everything to the emulator; `rewrite` may change a JSON answer body (e.g. its nextLink)
 * before it goes back. Used as a credential's Graph Base URL.
 */
export async function startProxy(
	targetUrl: string,
	rewrite: (path: string, body: any) => any,
): Promise<{ url: string; close(): Promise<void> }> {
	const target = new URL(targetUrl);
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const upstream = httpRequest(
				{ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
				(answer) => {
					const parts: Buffer[] = [];
					answer.on('data', (chunk: Buffer) => parts.push(chunk));
					answer.on('end', () => {
						let bytes = Buffer.concat(parts);
						const headers = { ...answer.headers };
						if (String(headers['content-type'] ?? '').includes('json') && bytes.length > 0) {
							const body = rewrite(req.url ?? '', JSON.parse(bytes.toString('utf8')));
							bytes = Buffer.from(JSON.stringify(body), 'utf8');
							headers['content-length'] = String(bytes.length);
						}
						res.writeHead(answer.statusCode ?? 502, headers);
						res.end(bytes);
					});
				},
			);
			upstream.on('error', () => res.destroy());
			upstream.end(Buffer.concat(chunks));
		});
	});
	const url = await listen(server);
	return { url, close: () => closeServer(server) };
}

async function listen(server: Server): Promise<string> {
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return `http://127.0.0.1:${port}`;
}

function closeServer(server: Server): Promise<void> {
	return new Promise((done) => {
		server.close(() => done());
		server.closeAllConnections();
	});
}
