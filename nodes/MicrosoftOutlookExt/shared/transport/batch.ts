/**
 * Graph JSON batching (`POST /v1.0/$batch`, up to 20 members) for per-item requests.
 *
 * n8n runs every input item's request at once. Instead of one HTTP round trip per item, the items'
 * requests for one credential + mailbox are queued here and sent as **serial** batches: each member
 * depends on the one before it (`dependsOn`), and Graph then runs the members one at a time
 * (throttling-limits.md, Outlook limits for JSON batching). A serial batch therefore occupies one of
 * the mailbox's 4 concurrent slots, so up to 4 batches are in flight per mailbox, each holding one
 * slot of the mailbox gate: never more than 4 operations run at Graph, as with unbatched requests,
 * but each round trip carries up to 20 of them. (A parallel batch would run 4 members at a time and
 * need all 4 slots, one batch per round trip: at most 20 items per round trip instead of 80.)
 *
 * Each member's answer goes back to its own item as if it had been sent alone, so the item's retry
 * policy (Retry-After, refresh on 401, never repeating a send whose answer was lost) applies member
 * by member. A member that failed makes every later member of its batch answer 424 (Failed
 * Dependency): those never ran, so they are queued again, not reported. A lost answer to the whole
 * batch is a lost answer for every member in it. A member whose item's deadline passes while it is
 * still queued leaves the queue and is never sent (its item reports it as not sent).
 */
import type { IAdditionalCredentialOptions, IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { type AuthenticatedRequest, withAuthenticatedRequestReplaced } from '../n8nAdapter';
import { type Deadline, notSentSignal } from './deadline';
import { acquire, MAILBOX_CONCURRENCY, slotHolder } from './gate';
import { headerValue } from './headers';

/** Graph's maximum members per batch. */
export const MAX_BATCH_SIZE = 20;
/**
 * A batch waits for more items while they keep arriving (n8n prepares items one after another, a few
 * ms apart), in steps of LINGER_MS, at most MAX_LINGER_MS in all.
 */
const LINGER_MS = 5;
const MAX_LINGER_MS = 60;
/** Bodies larger than this are sent on their own (Graph's batch payload limit is not documented precisely). */
const MAX_MEMBER_BODY_BYTES = 1024 * 1024;
/** Graph's status for a member whose dependency failed: it did not run. */
const FAILED_DEPENDENCY = 424;

export interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/** Sends one request with n8n's authentication (the original helper of the item). */
export type DirectSend = (options: IHttpRequestOptions) => Promise<FullResponse>;

interface Member {
	options: IHttpRequestOptions;
	direct: DirectSend;
	resolve: (response: FullResponse) => void;
	reject: (error: unknown) => void;
}

interface MailboxQueue {
	members: Member[];
	/** A loop is handing queued members to free slots. */
	pumping: boolean;
	/** Batches of this queue waiting for their answer. */
	inFlight: number;
	batchSize: number;
}

/** One queue per credential + mailbox with queued members or batches out; an idle queue is removed (forgetIfIdle). */
const queues = new Map<string, MailboxQueue>();

/** Whether a request can travel inside a batch: JSON in, JSON out, a modest body. */
export function isBatchable(options: IHttpRequestOptions): boolean {
	if (options.encoding === 'arraybuffer' || options.encoding === 'stream') return false;
	const body = options.body;
	if (body === undefined || body === null || body === '') return true;
	if (typeof body !== 'object' || Buffer.isBuffer(body) || body instanceof ArrayBuffer) return false;
	if (typeof (body as { getHeaders?: unknown }).getHeaders === 'function') return false; // FormData
	return Buffer.byteLength(JSON.stringify(body)) <= MAX_MEMBER_BODY_BYTES;
}

/**
 * Queues one request of an item; resolves with its own answer (status, headers, body). When the
 * item's deadline passes while the request is still queued, it leaves the queue unsent and the
 * promise rejects with a NotSentError.
 */
export async function sendInBatch(
	gateKey: string,
	root: string,
	batchSize: number,
	options: IHttpRequestOptions,
	direct: DirectSend,
	deadline?: Deadline,
): Promise<FullResponse> {
	const queue = queues.get(gateKey) ?? { members: [], pumping: false, inFlight: 0, batchSize };
	queues.set(gateKey, queue);
	queue.batchSize = Math.min(queue.batchSize, batchSize);
	const answer = new Promise<FullResponse>((resolve, reject) => {
		const member: Member = { options, direct, resolve, reject };
		queue.members.push(member);
		if (!deadline) return;
		const expired = notSentSignal(deadline, 'a place in a JSON batch');
		expired.addEventListener('abort', () => {
			const index = queue.members.indexOf(member);
			if (index < 0) return; // already on its way
			queue.members.splice(index, 1);
			reject(expired.reason);
			forgetIfIdle(gateKey, queue);
		});
	});
	if (!queue.pumping) void pump(gateKey, root, queue);
	return await answer;
}

/** Waits while items keep arriving, until there are enough to fill every slot's batch. */
async function linger(queue: MailboxQueue): Promise<void> {
	const enough = queue.batchSize * MAILBOX_CONCURRENCY;
	for (let waited = 0; queue.members.length < enough && waited < MAX_LINGER_MS; waited += LINGER_MS) {
		const before = queue.members.length;
		await sleep(LINGER_MS);
		if (queue.members.length === before && waited > 0) break;
	}
}

/**
 * Hands queued members to mailbox slots: each free slot takes a batch. The members are spread over
 * the slots (25 items go out as 7 + 6 + 6 + 6, not 20 + 5) because a serial batch takes as long as
 * its members together; with many items queued every batch is full.
 */
async function pump(gateKey: string, root: string, queue: MailboxQueue): Promise<void> {
	queue.pumping = true;
	try {
		while (queue.members.length > 0) {
			const release = await acquire(gateKey);
			// At the start of a burst, wait for the items n8n is still preparing; later slots take what is queued.
			if (queue.inFlight === 0) await linger(queue);
			const freeSlots = Math.max(1, MAILBOX_CONCURRENCY - queue.inFlight);
			const size = Math.min(queue.batchSize, Math.ceil(queue.members.length / freeSlots));
			const members = queue.members.splice(0, size);
			if (members.length === 0) {
				release();
				break;
			}
			queue.inFlight++;
			const sent = members.length === 1 ? sendAlone(members[0]) : sendBatch(gateKey, root, queue, members);
			void sent.finally(() => {
				queue.inFlight--;
				release();
				forgetIfIdle(gateKey, queue);
			});
		}
	} finally {
		queue.pumping = false;
		if (queue.members.length > 0) void pump(gateKey, root, queue);
		else forgetIfIdle(gateKey, queue);
	}
}

/** A queue stays while it has members, batches out or a pump running (a batch's 424 members may come back to it). */
function forgetIfIdle(gateKey: string, queue: MailboxQueue): void {
	if (queue.members.length === 0 && queue.inFlight === 0 && !queue.pumping && queues.get(gateKey) === queue) queues.delete(gateKey);
}

/** Puts members that never ran back at the head of the queue (they keep their order). */
function requeue(gateKey: string, root: string, queue: MailboxQueue, members: Member[]): void {
	if (members.length === 0) return;
	queue.members.unshift(...members);
	if (!queue.pumping) void pump(gateKey, root, queue);
}

async function sendAlone(member: Member): Promise<void> {
	try {
		member.resolve(await member.direct(member.options));
	} catch (error) {
		member.reject(error);
	}
}

/** `https://graph…/v1.0/me/events/x` + qs → `/me/events/x?$select=…` (member URLs are relative). */
export function memberUrl(root: string, options: IHttpRequestOptions): string {
	const full = String(options.url ?? '');
	let path = full.startsWith(root) ? full.slice(root.length) : full;
	if (!path.startsWith('/')) path = `/${path}`;
	const query = Object.entries((options.qs ?? {}) as IDataObject)
		.filter(([, value]) => value !== undefined && value !== null && value !== '')
		.map(([key, value]) => `${encodeURIComponent(key).replace(/^%24/, '$')}=${encodeURIComponent(String(value))}`);
	if (query.length === 0) return path;
	return `${path}${path.includes('?') ? '&' : '?'}${query.join('&')}`;
}

const NO_BODY_METHODS = ['GET', 'HEAD', 'OPTIONS', 'DELETE'];

/** As n8n does for a single request: an empty body on a method without one is not sent. */
function hasBody(options: IHttpRequestOptions): boolean {
	const body = options.body;
	if (body === undefined || body === null || body === '') return false;
	const method = String(options.method ?? 'GET').toUpperCase();
	const empty = typeof body === 'object' && !Buffer.isBuffer(body) && Object.keys(body).length === 0;
	return !(empty && NO_BODY_METHODS.includes(method));
}

/** Member headers: what Graph reads per request (never Authorization: the batch carries the token). */
function memberHeaders(options: IHttpRequestOptions): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries((options.headers ?? {}) as IDataObject)) {
		if (value === undefined || /^(authorization|content-length|host|accept|user-agent)$/i.test(name)) continue;
		headers[name] = String(value);
	}
	if (hasBody(options) && headerValue(headers, 'content-type') === undefined) headers['Content-Type'] = 'application/json';
	return headers;
}

interface BatchAnswer {
	responses?: Array<{ id?: unknown; status?: unknown; headers?: Record<string, unknown>; body?: unknown }>;
}

async function sendBatch(gateKey: string, root: string, queue: MailboxQueue, members: Member[]): Promise<void> {
	const requests = members.map((member, index) => {
		return {
			id: String(index + 1),
			method: String(member.options.method ?? 'GET').toUpperCase(),
			url: memberUrl(root, member.options),
			headers: memberHeaders(member.options),
			...(hasBody(member.options) ? { body: member.options.body } : {}),
			// Serial: Graph runs the members one at a time, so the batch holds one mailbox slot.
			...(index > 0 ? { dependsOn: [String(index)] } : {}),
		};
	});
	const timeout = Math.max(...members.map((member) => Number(member.options.timeout ?? 0) || 0)) || undefined;
	let answer: FullResponse;
	try {
		// The first member's item sends the batch (its credential is the same for all: one queue per credential + mailbox).
		answer = await members[0].direct({
			method: 'POST',
			url: `${root}/$batch`,
			body: { requests },
			json: true,
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			timeout,
		} as IHttpRequestOptions);
	} catch (error) {
		// No answer to the batch: every member's answer is lost (a send in it may have happened).
		for (const member of members) member.reject(error);
		return;
	}
	// The whole batch refused (401, 429, 503…): each member gets that answer and its item decides.
	if (answer.statusCode !== 200) {
		for (const member of members) member.resolve({ statusCode: answer.statusCode, headers: answer.headers, body: answer.body });
		return;
	}
	const byId = new Map<string, FullResponse>();
	for (const response of (answer.body as BatchAnswer | undefined)?.responses ?? []) {
		byId.set(String(response.id), { statusCode: Number(response.status), headers: response.headers ?? {}, body: response.body });
	}
	const didNotRun: Member[] = [];
	members.forEach((member, index) => {
		const response = byId.get(String(index + 1));
		if (!response) return member.reject(new Error('Microsoft Graph\'s batch answer has no response for this request'));
		// After a failed member the rest of a serial batch never ran: send them again.
		const previous = index > 0 ? byId.get(String(index)) : undefined;
		if (response.statusCode === FAILED_DEPENDENCY && previous && previous.statusCode >= 400) return didNotRun.push(member);
		member.resolve(response);
	});
	requeue(gateKey, root, queue, didNotRun);
}

/**
 * Runs `work` (one n8n routing request of an item) with the item's authenticated request helper
 * pointed at the batch queue, for its first request only: n8n's declarative engine sends through
 * `helpers.httpRequestWithAuthentication` of the item's own context, and a batch answer must go
 * through the operation's postReceive like any other. Follow-up requests go out directly.
 */
export async function withBatchedHelper<T>(
	helpers: { httpRequestWithAuthentication: AuthenticatedRequest },
	context: unknown,
	queue: { gateKey: string; root: string; batchSize: number; deadline?: Deadline },
	work: () => Promise<T>,
): Promise<T> {
	let used = false;
	const batched = (original: AuthenticatedRequest): AuthenticatedRequest =>
		async function (credentialType: string, options: IHttpRequestOptions, additionalCredentialOptions?: IAdditionalCredentialOptions) {
			const direct: DirectSend = async (send) =>
				(await original.call(context as IExecuteFunctions, credentialType, { ...send }, additionalCredentialOptions)) as FullResponse;
			// Follow-up requests (postReceive) take their own mailbox slot through the transport.
			if (used) return await direct(options);
			used = true;
			if (slotHolder(true, isBatchable(options)) === 'batch') {
				return await sendInBatch(queue.gateKey, queue.root, queue.batchSize, options, direct, queue.deadline);
			}
			const release = await acquire(queue.gateKey, undefined, queue.deadline && notSentSignal(queue.deadline, 'a free mailbox slot'));
			try {
				return await direct(options);
			} finally {
				release();
			}
		};
	return await withAuthenticatedRequestReplaced(helpers, batched, work);
}
