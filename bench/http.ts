/**
 * The floors' HTTP client: node:http with a keep-alive agent and one write per body. (undici's
 * fetch sends a large Buffer in small pieces and measured ~2× slower on 25 MB uploads here.)
 */
import { Agent, request as httpRequest } from 'node:http';

const agent = new Agent({ keepAlive: true });

export interface PlainResponse {
	status: number;
	body: Buffer;
}

export function send(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<PlainResponse> {
	return new Promise((done, fail) => {
		const request = httpRequest(url, { method, agent, headers: { ...headers, 'Content-Length': String(body?.length ?? 0) } }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
			response.on('error', fail);
		});
		request.on('error', fail);
		request.end(body);
	});
}
