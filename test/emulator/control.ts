/**
 * The control API under `/_emulator` (no auth, never recorded): introspection, request log,
 * faults, clock, reset, token expiry, limits configuration and statistics.
 */
import type { ConfigPatch, EmulatorCoreImpl } from './core';
import { FaultValidationError } from './faults';
import type { FaultRule, GraphRequest, RecordedRequest, Reply } from './types';

function json(status: number, body: unknown): Reply {
	return { status, body };
}

function controlError(status: number, message: string): Reply {
	return json(status, { error: { code: 'BadRequest', message } });
}

function objectBody(req: GraphRequest): Record<string, unknown> {
	return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

/** `since` is either an index into the log or a request id (entries after that request). */
export function requestsSince(log: RecordedRequest[], since: string | undefined): RecordedRequest[] | undefined {
	if (since === undefined || since === '') return [...log];
	if (/^\d+$/.test(since)) return log.slice(Number(since));
	const index = log.findIndex((r) => r.requestId === since);
	return index < 0 ? undefined : log.slice(index + 1);
}

function info(core: EmulatorCoreImpl): Record<string, unknown> {
	const client = core.clients[0];
	return {
		url: core.url,
		graphUrl: `${core.url}/v1.0`,
		tenantId: core.tenantId,
		tenantDomain: core.tenantDomain,
		clientId: client?.clientId,
		authorizeUrl: `${core.url}/${core.tenantId}/oauth2/v2.0/authorize`,
		tokenUrl: `${core.url}/${core.tenantId}/oauth2/v2.0/token`,
		users: [...core.users.values()].map((u) => ({
			id: u.id,
			userPrincipalName: u.userPrincipalName,
			displayName: u.displayName,
			mail: u.mail,
			shared: core.sharedMailboxIds.has(u.id),
		})),
		now: new Date(core.now()).toISOString(),
		nowMs: core.now(),
		config: { ...core.config },
	};
}

function addFaults(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const rules = Array.isArray(req.body) ? (req.body as FaultRule[]) : [objectBody(req) as unknown as FaultRule];
	try {
		const ids = rules.map((rule) => core.faults.add(rule));
		return json(201, Array.isArray(req.body) ? { ids } : { id: ids[0] });
	} catch (error) {
		if (error instanceof FaultValidationError) return controlError(400, error.message);
		throw error;
	}
}

async function advanceClock(core: EmulatorCoreImpl, req: GraphRequest): Promise<Reply> {
	const body = objectBody(req);
	const ms = body.advanceMs !== undefined ? Number(body.advanceMs) : Number(body.advanceMinutes) * 60_000;
	if (!Number.isFinite(ms) || ms < 0) return controlError(400, 'Send {"advanceMs": n} or {"advanceMinutes": n} with n >= 0.');
	await core.advanceClock(ms);
	return json(200, { now: new Date(core.now()).toISOString(), nowMs: core.now() });
}

function issueToken(core: EmulatorCoreImpl, req: GraphRequest): Reply {
	const body = objectBody(req);
	try {
		const token = core.issueToken({
			userId: typeof body.userId === 'string' ? body.userId : undefined,
			appOnly: body.appOnly === true,
			lifetimeSeconds: body.lifetimeSeconds !== undefined ? Number(body.lifetimeSeconds) : undefined,
		});
		return json(200, {
			token_type: 'Bearer',
			access_token: token.accessToken,
			expires_in: Math.round((token.expiresAt - core.now()) / 1000),
		});
	} catch (error) {
		return controlError(400, (error as Error).message);
	}
}

export function registerControlRoutes(core: EmulatorCoreImpl): void {
	core.controlRoute('GET', '/info', () => json(200, info(core)));

	core.controlRoute('GET', '/requests', (req) => {
		const value = requestsSince(core.requestLog, req.query.since);
		return value ? json(200, { value }) : controlError(400, `No recorded request with id '${req.query.since}'.`);
	});
	core.controlRoute('DELETE', '/requests', () => {
		core.requestLog.length = 0;
		return { status: 204 };
	});

	core.controlRoute('GET', '/faults', () => json(200, { value: core.faults.list() }));
	core.controlRoute('POST', '/faults', (req) => addFaults(core, req));
	core.controlRoute('DELETE', '/faults', () => {
		core.faults.clear();
		return { status: 204 };
	});

	core.controlRoute('GET', '/clock', () => json(200, { now: new Date(core.now()).toISOString(), nowMs: core.now() }));
	core.controlRoute('POST', '/clock', (req) => advanceClock(core, req));

	core.controlRoute('POST', '/reset', () => {
		core.reset();
		return { status: 204 };
	});

	core.controlRoute('POST', '/tokens', (req) => issueToken(core, req));
	core.controlRoute('POST', '/tokens/expire', () => {
		core.tokens.expireAllAccessTokens(core.now());
		return { status: 204 };
	});

	core.controlRoute('GET', '/config', () => json(200, { ...core.config }));
	core.controlRoute('POST', '/config', (req) => json(200, core.configure(objectBody(req) as ConfigPatch)));

	core.controlRoute('GET', '/stats', () => json(200, core.limiter.stats()));
}
