/**
 * Outbound HTTP from the emulator to subscribers (validation requests, notifications, lifecycle events).
 * Uses node:http directly with no keep-alive agent, so no socket outlives the exchange and a hard
 * deadline covers the whole exchange (headers and body), as Graph's own client does.
 */
import http from 'node:http';
import https from 'node:https';

export interface OutboundResult {
	/** HTTP status, or null when no response arrived (timeout or network error). */
	status: number | null;
	contentType: string;
	body: string;
	durationMs: number;
	failure?: 'timeout' | 'network';
}

/** Subscriber responses are never large; anything beyond this is cut off. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function postTo(url: string, body: string, contentType: string, timeoutMs: number): Promise<OutboundResult> {
	const started = Date.now();
	return new Promise((resolve) => {
		let settled = false;
		const finish = (result: Omit<OutboundResult, 'durationMs'>) => {
			if (settled) return;
			settled = true;
			clearTimeout(deadline);
			resolve({ ...result, durationMs: Date.now() - started });
		};
		const failed = (failure: 'timeout' | 'network') => finish({ status: null, contentType: '', body: '', failure });
		// No time at all (a test control): no answer can be in time. Sending anyway would race a 0 ms timer.
		if (timeoutMs <= 0) {
			resolve({ status: null, contentType: '', body: '', failure: 'timeout', durationMs: 0 });
			return;
		}

		let target: URL;
		try {
			target = new URL(url);
		} catch {
			failed('network');
			return;
		}
		const transport = target.protocol === 'https:' ? https : http;
		const payload = Buffer.from(body, 'utf8');
		const request = transport.request(target, {
			method: 'POST',
			agent: false,
			headers: {
				'Content-Type': contentType,
				'Content-Length': String(payload.length),
				Connection: 'close',
			},
		});
		const deadline = setTimeout(() => {
			failed('timeout');
			request.destroy();
		}, timeoutMs);
		deadline.unref();

		request.on('error', () => failed('network'));
		request.on('response', (response) => {
			const chunks: Buffer[] = [];
			let received = 0;
			response.on('data', (chunk: Buffer) => {
				received += chunk.length;
				if (received <= MAX_RESPONSE_BYTES) chunks.push(chunk);
			});
			response.on('error', () => failed('network'));
			response.on('end', () =>
				finish({
					status: response.statusCode ?? null,
					contentType: String(response.headers['content-type'] ?? ''),
					body: Buffer.concat(chunks).toString('utf8'),
				}),
			);
		});
		request.end(payload);
	});
}
