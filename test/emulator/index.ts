/**
 * Starts the local Microsoft Graph emulator: a real HTTP server with Graph under `/v1.0`, the
 * identity platform under `/{tenant}/oauth2/v2.0`, and a control API under `/_emulator`.
 *
 *   const emu = await startEmulator();
 *   const token = emu.issueToken({ userId: DEFAULT_USERS.adele.id });
 *   await fetch(`${emu.url}/v1.0/me`, { headers: { Authorization: `Bearer ${token}` } });
 *   await emu.close();
 */
import { register as registerBatch } from './batch';
import { registerControlRoutes } from './control';
import { EmulatorCoreImpl, type ConfigPatch } from './core';
import { register as registerIdentity } from './identity';
import { register as registerCalendar } from './calendar';
import { register as registerCategories } from './categories';
import { register as registerContacts } from './contacts';
import { register as registerContactDelta } from './delta-contacts';
import { register as registerMailboxSettings } from './mailbox-settings';
import { register as registerMail } from './mail';
import { register as registerPlaces } from './places';
import { startHttpServer } from './server';
import { register as registerSubscriptions } from './subscriptions';
import type { EmulatorCore, EmulatorOptions, FaultRule, RecordedRequest } from './types';
import { register as registerUsers } from './users';

export { DEFAULT_CLIENT, TENANT_DOMAIN, TENANT_ID } from './identity';
export { ADELE, DEFAULT_USERS, MEGAN, SALES } from './users';
export type * from './types';

export interface Emulator {
	/** Base URL, e.g. http://127.0.0.1:43123 (Graph is `${url}/v1.0`). */
	url: string;
	core: EmulatorCore;
	close(): Promise<void>;
	requests(): RecordedRequest[];
	clearRequests(): void;
	addFault(rule: FaultRule): string;
	clearFaults(): void;
	advanceClock(ms: number): Promise<void>;
	reset(): void;
	/** An access token for a user (delegated) or the app (app-only); default lifetime from options. */
	issueToken(opts: { userId?: string; appOnly?: boolean; lifetimeSeconds?: number }): string;
	expireAllTokens(): void;
	configure(patch: ConfigPatch): void;
	stats(): { maxInFlightByMailbox: Record<string, number>; throttled: number };
	/** Token endpoint and authorize URL of the emulated tenant. */
	tokenUrl: string;
	authorizeUrl: string;
}

export async function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
	const core = new EmulatorCoreImpl(options);
	const http = await startHttpServer(core);
	// Modules may build absolute URLs while seeding, so the URL is known before they register.
	core.url = http.url;
	try {
		registerUsers(core);
		registerIdentity(core);
		registerBatch(core);
		registerControlRoutes(core);
		registerMail(core);
		registerCalendar(core);
		registerPlaces(core);
		registerCategories(core);
		registerSubscriptions(core);
		registerContacts(core);
		registerContactDelta(core);
		registerMailboxSettings(core);
	} catch (error) {
		await http.close();
		throw error;
	}

	return {
		url: core.url,
		core,
		tokenUrl: `${core.url}/${core.tenantId}/oauth2/v2.0/token`,
		authorizeUrl: `${core.url}/${core.tenantId}/oauth2/v2.0/authorize`,
		close: () => http.close(),
		requests: () => [...core.requestLog],
		clearRequests: () => {
			core.requestLog.length = 0;
		},
		addFault: (rule) => core.faults.add(rule),
		clearFaults: () => core.faults.clear(),
		advanceClock: (ms) => core.advanceClock(ms),
		reset: () => core.reset(),
		issueToken: (opts) => core.issueToken(opts).accessToken,
		expireAllTokens: () => core.tokens.expireAllAccessTokens(core.now()),
		configure: (patch) => {
			core.configure(patch);
		},
		stats: () => core.limiter.stats(),
	};
}
