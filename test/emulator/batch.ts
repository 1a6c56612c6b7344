/**
 * JSON batching: `POST /v1.0/$batch` with up to 20 sub-requests. Each sub-request goes through the
 * same Graph pipeline (auth, limits, status/latency faults, request log) with the batch's token.
 *
 * Rules, and the document each follows (microsoftgraph/microsoft-graph-docs-contrib):
 * - concepts/json-batching.md: body `{requests: [...]}`, at most 20 requests; `id` required, a string,
 *   unique without regard to case, else the whole batch fails with 400; `method` and a relative `url`
 *   required; a `body` needs `headers` with Content-Type. The envelope is 200 whenever the batch
 *   parses and 400 when it is malformed; each member carries its own status, headers and body.
 *   A member whose dependency failed answers 424 (Failed Dependency).
 * - concepts/includes/known-issues/json-batching.md: a request may depend on ONE other request, and
 *   the batch must be parallel (no dependsOn), serial (each depends on the one before it) or "same"
 *   (all state the same dependency; they run one after another).
 * - concepts/throttling-limits.md (Outlook service limits for JSON batching): Graph runs up to 4
 *   members in parallel, or one at a time when dependsOn orders them; each member is evaluated
 *   against the limits like a standalone request (json-batching.md, "Batch size limitations"), and
 *   a throttled member answers 429 with its own Retry-After header.
 * What the docs leave open, and what the emulator does then:
 * - the error code and message of a refused batch (> 20 members, duplicate ids, unknown or cyclic
 *   dependsOn, an empty batch): no document gives them. The emulator answers Graph's usual error
 *   body with code `BadRequest` and a message naming the problem; clients must rely on the 400 only.
 * - dependsOn naming an unknown id or forming a cycle: the docs never mention it. A request that can
 *   never run makes the batch malformed, so the emulator refuses the batch with 400 (like duplicate ids).
 * - more than one dependency, or a pattern other than the three above: the known issue says requests
 *   "can only" / "must" do that but not what Graph answers otherwise; the emulator refuses with 400
 *   so that a client relying on it fails in tests rather than against Graph.
 * - the body of a 424 member: undocumented; Graph's error body with code `FailedDependency`.
 * - an old revision of throttling.md said a batch with throttled members "fails with 424"; the
 *   current json-batching.md says the envelope is 200 whenever it parses, which the emulator follows.
 */
import type { EmulatorCoreImpl } from './core';
import type { EmulatorCore, GraphRequest, Reply } from './types';

const MAX_REQUESTS = 20;
/** Graph sends up to four unordered batch members to Outlook at a time. */
const PARALLELISM = 4;

interface BatchMember {
	id: string;
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: unknown;
	dependsOn: string[];
}

interface BatchResponse {
	id: string;
	status: number;
	headers: Record<string, string>;
	body?: unknown;
}

class BatchFormatError extends Error {}

/** `me/messages?$top=1` or `/me/messages` → path + search; absolute URLs are refused like Graph does. */
function splitUrlForBatch(url: string): { pathname: string; search: string } | undefined {
	if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined;
	const withSlash = url.startsWith('/') ? url : `/${url}`;
	const q = withSlash.indexOf('?');
	return q >= 0 ? { pathname: withSlash.slice(0, q), search: withSlash.slice(q) } : { pathname: withSlash, search: '' };
}

function hasContentType(headers: Record<string, string>): boolean {
	return Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
}

function contentTypeOf(headers: Record<string, string>): string {
	const key = Object.keys(headers).find((h) => h.toLowerCase() === 'content-type');
	return key ? headers[key] : '';
}

function parseMembers(body: unknown): BatchMember[] {
	const requests = (body as { requests?: unknown } | undefined)?.requests;
	if (!Array.isArray(requests)) throw new BatchFormatError('Invalid batch payload format.');
	// json-batching.md does not say what an empty `requests` gets; reported clients see a 400.
	if (requests.length === 0) throw new BatchFormatError('Invalid batch payload format. The batch request must contain at least one request.');
	if (requests.length > MAX_REQUESTS) {
		throw new BatchFormatError(`The number of requests in a batch cannot exceed ${MAX_REQUESTS}. The batch contains ${requests.length}.`);
	}
	const seen = new Set<string>();
	const members = requests.map((raw: unknown): BatchMember => {
		const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
		// json-batching.md: "id: Required. String."
		const id = typeof r.id === 'string' ? r.id : '';
		if (!id) throw new BatchFormatError('Each request in a batch must have an id (a string).');
		if (seen.has(id.toLowerCase())) throw new BatchFormatError(`Batch request contains duplicate request id '${id}'.`);
		seen.add(id.toLowerCase());
		if (typeof r.method !== 'string' || !r.method) throw new BatchFormatError(`Request id : ${id} does not contain a method.`);
		if (typeof r.url !== 'string' || !r.url) throw new BatchFormatError(`Request id : ${id} does not contain a url.`);
		const headers: Record<string, string> = {};
		if (r.headers && typeof r.headers === 'object') {
			for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) headers[k] = String(v);
		}
		if (r.body !== undefined && r.body !== null && !hasContentType(headers)) {
			throw new BatchFormatError(`Write request id : ${id} does not contain Content-Type header or body.`);
		}
		if (r.dependsOn !== undefined && !(Array.isArray(r.dependsOn) && r.dependsOn.every((d) => typeof d === 'string'))) {
			throw new BatchFormatError(`Request id : ${id} has a dependsOn that is not an array of request ids.`);
		}
		const dependsOn = (r.dependsOn as string[] | undefined) ?? [];
		return { id, method: r.method.toUpperCase(), url: r.url, headers, body: r.body ?? undefined, dependsOn };
	});
	const ids = new Set(members.map((m) => m.id.toLowerCase()));
	for (const member of members) {
		for (const dep of member.dependsOn) {
			if (!ids.has(dep.toLowerCase())) throw new BatchFormatError(`Request id : ${member.id} depends on an unknown request id '${dep}'.`);
		}
	}
	assertAcyclic(members);
	assertDependencyPattern(members);
	return members;
}

/**
 * known-issues/json-batching.md: one dependency per request, and the batch is parallel, serial
 * (each request depends on the one listed before it) or "same" (every stated dependency is the same id).
 */
function assertDependencyPattern(members: BatchMember[]): void {
	const multiple = members.find((m) => m.dependsOn.length > 1);
	if (multiple) throw new BatchFormatError(`Request id : ${multiple.id} depends on more than one request; a request can depend on only one other request.`);
	const stated = members.filter((m) => m.dependsOn.length === 1);
	if (stated.length === 0) return;
	const same = stated.every((m) => m.dependsOn[0].toLowerCase() === stated[0].dependsOn[0].toLowerCase());
	const serial = members.every((m, i) => (i === 0 ? m.dependsOn.length === 0 : m.dependsOn.length === 1 && m.dependsOn[0].toLowerCase() === members[i - 1].id.toLowerCase()));
	if (!same && !serial) {
		throw new BatchFormatError('The dependsOn of this batch is neither serial (each request depends on the previous one) nor the same for every request that states one.');
	}
}

function assertAcyclic(members: BatchMember[]): void {
	const byId = new Map(members.map((m) => [m.id.toLowerCase(), m]));
	const state = new Map<string, 'visiting' | 'done'>();
	const visit = (member: BatchMember) => {
		const key = member.id.toLowerCase();
		if (state.get(key) === 'done') return;
		if (state.get(key) === 'visiting') throw new BatchFormatError(`The batch contains a circular dependsOn chain (through request id : ${member.id}).`);
		state.set(key, 'visiting');
		for (const dep of member.dependsOn) visit(byId.get(dep.toLowerCase()) as BatchMember);
		state.set(key, 'done');
	};
	members.forEach(visit);
}

/** A sub-request body as bytes: JSON objects serialized; strings verbatim for text/JSON, else base64. */
function memberBodyBytes(member: BatchMember): Buffer {
	if (member.body === undefined) return Buffer.alloc(0);
	const contentType = contentTypeOf(member.headers);
	if (typeof member.body !== 'string') return Buffer.from(JSON.stringify(member.body), 'utf8');
	if (/json|^text\//i.test(contentType)) return Buffer.from(member.body, 'utf8');
	return Buffer.from(member.body, 'base64');
}

/** A sub-response body: JSON stays JSON; anything else is base64, as Graph encodes it. */
function memberResponseBody(reply: Reply): { body?: unknown; contentType?: string } {
	const { body } = reply;
	if (body === undefined || body === null || body === '') return {};
	if (Buffer.isBuffer(body)) return { body: body.toString('base64'), contentType: 'application/octet-stream' };
	if (typeof body === 'string') return { body: Buffer.from(body, 'utf8').toString('base64'), contentType: 'text/plain' };
	return { body, contentType: 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8' };
}

class Semaphore {
	private active = 0;
	private readonly waiting: Array<() => void> = [];
	constructor(private readonly limit: number) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
		this.active++;
		try {
			return await task();
		} finally {
			this.active--;
			this.waiting.shift()?.();
		}
	}
}

async function runMember(core: EmulatorCoreImpl, outer: GraphRequest, member: BatchMember): Promise<BatchResponse> {
	const target = splitUrlForBatch(member.url);
	if (!target) {
		const reply = core.graphError(400, 'BadRequest', `Invalid request URI '${member.url}': batch URLs must be relative, e.g. '/me/messages'.`, outer);
		return { id: member.id, status: reply.status, headers: {}, body: reply.body };
	}
	const headers: Record<string, string> = {};
	for (const [k, v] of Object.entries(member.headers)) headers[k.toLowerCase()] = v;
	const authorization = outer.headers.authorization;
	if (authorization) headers.authorization = authorization;
	const req = core.newGraphRequest({
		method: member.method,
		rawUrl: `/v1.0${target.pathname}${target.search}`,
		path: target.pathname,
		search: target.search,
		headers,
		rawBody: memberBodyBytes(member),
	});
	const record = core.startRecord(req, 'graph', outer.requestId);
	const fault = core.faults.take(req.method, req.path, false);
	if (fault) record.fault = fault.kind;
	let reply: Reply;
	if (target.pathname.toLowerCase() === '/$batch') {
		reply = core.graphError(400, 'BadRequest', 'A batch request cannot contain another batch request.', req);
	} else {
		reply = await core.runGraph(req, fault, record, true);
	}
	core.finishRecord(record, reply.status);
	const { body, contentType } = memberResponseBody(reply);
	const responseHeaders: Record<string, string> = { ...reply.headers };
	if (contentType && !hasContentType(responseHeaders)) responseHeaders['Content-Type'] = contentType;
	const response: BatchResponse = { id: member.id, status: reply.status, headers: responseHeaders };
	if (body !== undefined) response.body = body;
	return response;
}

async function handleBatch(core: EmulatorCoreImpl, req: GraphRequest): Promise<Reply> {
	let members: BatchMember[];
	try {
		members = parseMembers(req.body);
	} catch (error) {
		if (error instanceof BatchFormatError) return core.graphError(400, 'BadRequest', error.message, req);
		throw error;
	}
	// throttling-limits.md: up to 4 members in parallel; with dependsOn Graph runs them one at a time.
	const sequential = members.some((m) => m.dependsOn.length > 0);
	const semaphore = new Semaphore(sequential ? 1 : PARALLELISM);
	const results = new Map<string, Promise<BatchResponse>>();
	const byId = new Map(members.map((m) => [m.id.toLowerCase(), m]));
	const start = (member: BatchMember): Promise<BatchResponse> => {
		const key = member.id.toLowerCase();
		const existing = results.get(key);
		if (existing) return existing;
		const promise = (async () => {
			const deps = await Promise.all(member.dependsOn.map((dep) => start(byId.get(dep.toLowerCase()) as BatchMember)));
			if (deps.some((d) => d.status >= 400 || d.status === 0)) {
				const failed = core.graphError(424, 'FailedDependency', 'The request could not be processed because a request it depends on failed.', req);
				return { id: member.id, status: 424, headers: {}, body: failed.body };
			}
			return semaphore.run(() => runMember(core, req, member));
		})();
		results.set(key, promise);
		return promise;
	};
	const responses = await Promise.all(members.map(start));
	return { status: 200, body: { responses } };
}

/** Registers `POST /v1.0/$batch`. */
export function register(coreApi: EmulatorCore): void {
	const core = coreApi as EmulatorCoreImpl;
	core.route('POST', '/$batch', (req) => handleBatch(core, req));
}
