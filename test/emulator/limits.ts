/**
 * Outlook's per-mailbox limits: concurrent requests per (app, mailbox) and an optional sliding
 * request window per mailbox. Rejections are immediate, like Graph's 429s.
 */

export interface LimitConfig {
	concurrencyPerMailbox: number;
	rateLimit: { requests: number; windowMs: number } | null | undefined;
}

export type Admission =
	| { ok: true; release: () => void }
	| { ok: false; reason: 'concurrency'; retryAfter: string }
	| { ok: false; reason: 'rate'; retryAfter: string };

/** Seconds as Graph writes them in Retry-After: fractional, no trailing zeros ("0.35"). */
export function formatRetryAfterSeconds(ms: number): string {
	const seconds = Math.max(ms, 1) / 1000;
	return String(Number(seconds.toFixed(3)));
}

export class MailboxLimiter {
	private readonly inFlightByApp = new Map<string, number>();
	private readonly inFlightByMailbox = new Map<string, number>();
	private readonly maxInFlight = new Map<string, number>();
	private readonly windows = new Map<string, number[]>();
	throttled = 0;

	constructor(private readonly config: () => LimitConfig) {}

	/** Admits a request for (clientId, mailboxId) at emulator time `now`, or says why not. */
	admit(clientId: string, mailboxId: string, now: number): Admission {
		const { concurrencyPerMailbox, rateLimit } = this.config();
		const appKey = `${clientId}|${mailboxId}`;
		const appInFlight = this.inFlightByApp.get(appKey) ?? 0;
		if (concurrencyPerMailbox > 0 && appInFlight >= concurrencyPerMailbox) {
			this.throttled++;
			return { ok: false, reason: 'concurrency', retryAfter: '1' };
		}
		if (rateLimit && rateLimit.requests > 0) {
			const window = this.slideWindow(mailboxId, now, rateLimit.windowMs);
			if (window.length >= rateLimit.requests) {
				this.throttled++;
				return { ok: false, reason: 'rate', retryAfter: formatRetryAfterSeconds(window[0] + rateLimit.windowMs - now) };
			}
			window.push(now);
		}
		this.inFlightByApp.set(appKey, appInFlight + 1);
		const mailboxInFlight = (this.inFlightByMailbox.get(mailboxId) ?? 0) + 1;
		this.inFlightByMailbox.set(mailboxId, mailboxInFlight);
		this.maxInFlight.set(mailboxId, Math.max(this.maxInFlight.get(mailboxId) ?? 0, mailboxInFlight));
		let released = false;
		const release = () => {
			if (released) return;
			released = true;
			this.inFlightByApp.set(appKey, (this.inFlightByApp.get(appKey) ?? 1) - 1);
			this.inFlightByMailbox.set(mailboxId, (this.inFlightByMailbox.get(mailboxId) ?? 1) - 1);
		};
		return { ok: true, release };
	}

	/** Drops timestamps that left the window and returns what remains (oldest first). */
	private slideWindow(mailboxId: string, now: number, windowMs: number): number[] {
		const window = this.windows.get(mailboxId) ?? [];
		while (window.length > 0 && window[0] + windowMs <= now) window.shift();
		this.windows.set(mailboxId, window);
		return window;
	}

	stats(): { maxInFlightByMailbox: Record<string, number>; throttled: number } {
		return { maxInFlightByMailbox: Object.fromEntries(this.maxInFlight), throttled: this.throttled };
	}

	/** Forgets statistics and rate windows; in-flight counters stay (those requests are still running). */
	resetStats(): void {
		this.maxInFlight.clear();
		this.windows.clear();
		this.throttled = 0;
	}
}
