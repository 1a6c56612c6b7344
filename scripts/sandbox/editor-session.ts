/**
 * Talks to the sandbox's n8n like the editor does: log in (cookie), run a saved workflow from its
 * manual trigger (`POST /rest/workflows/:id/run`), and read finished executions through the public API
 * (an API key made for this session; the REST execution endpoint returns data in n8n's "flatted" form).
 */
export interface ExecutionRecord {
	id: string;
	status: string;
	finished?: boolean;
	stoppedAt?: string | null;
	data?: { resultData?: { runData?: Record<string, any[]>; error?: { message?: string; description?: string } } };
}

export interface NodeOutputItem {
	json: Record<string, any>;
	binary?: Record<string, { fileName?: string; mimeType?: string; fileSize?: string }>;
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

export class EditorSession {
	private constructor(
		readonly baseUrl: string,
		private readonly cookie: string,
		private readonly apiKey: string,
	) {}

	static async login(baseUrl: string, owner: { email: string; password: string }): Promise<EditorSession> {
		const response = await fetch(`${baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			// 1.x and 2.x name the field differently; n8n ignores the one it does not know.
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password }),
		});
		if (response.status !== 200) throw new Error(`n8n login failed: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
		const cookie = response.headers
			.getSetCookie()
			.map((header) => header.split(';')[0])
			.find((pair) => pair.startsWith('n8n-auth='));
		if (!cookie) throw new Error('n8n login returned no n8n-auth cookie');
		const scopes = await restCall(baseUrl, cookie, 'GET', '/api-keys/scopes');
		const created = await restCall(baseUrl, cookie, 'POST', '/api-keys', {
			label: `sandbox check ${new Date().toISOString()}`,
			scopes: scopes.body?.data,
			expiresAt: null,
		});
		const apiKey = created.body?.data?.rawApiKey;
		if (created.status !== 200 || typeof apiKey !== 'string') throw new Error(`API key creation failed: HTTP ${created.status}`);
		return new EditorSession(baseUrl, cookie, apiKey);
	}

	async rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
		return await restCall(this.baseUrl, this.cookie, method, path, body);
	}

	async api(method: string, path: string): Promise<{ status: number; body: any }> {
		const response = await fetch(`${this.baseUrl}/api/v1${path}`, { method, headers: { 'X-N8N-API-KEY': this.apiKey } });
		return { status: response.status, body: await parsedBody(response) };
	}

	/** "Execute workflow" on a saved workflow; resolves with the finished execution (with data). */
	async runSavedWorkflow(workflowId: string, timeoutMs = 60_000): Promise<ExecutionRecord> {
		const stored = await this.rest('GET', `/workflows/${workflowId}`);
		if (stored.status !== 200) throw new Error(`workflow ${workflowId}: HTTP ${stored.status}`);
		const workflowData = stored.body.data;
		const trigger = (workflowData.nodes as Array<{ name: string; type: string }>).find((node) => node.type === 'n8n-nodes-base.manualTrigger');
		if (!trigger) throw new Error(`workflow ${workflowId} has no manual trigger`);
		const run = await this.rest('POST', `/workflows/${workflowId}/run`, { workflowData, triggerToStartFrom: { name: trigger.name } });
		const executionId = run.body?.data?.executionId;
		if (run.status !== 200 || !executionId) throw new Error(`running ${workflowId}: HTTP ${run.status} ${JSON.stringify(run.body).slice(0, 300)}`);
		return await this.waitForExecution(String(executionId), timeoutMs);
	}

	async waitForExecution(executionId: string, timeoutMs = 60_000): Promise<ExecutionRecord> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const response = await this.api('GET', `/executions/${executionId}?includeData=true`);
			const status = response.body?.status;
			if (response.status === 200 && (response.body.stoppedAt || ['success', 'error', 'crashed', 'canceled'].includes(status))) {
				return response.body as ExecutionRecord;
			}
			if (Date.now() > deadline) throw new Error(`execution ${executionId} not finished after ${timeoutMs} ms (status ${status})`);
			await sleep(100);
		}
	}

	/** Finished executions of a workflow, newest first, with data. */
	async executions(workflowId: string): Promise<ExecutionRecord[]> {
		const response = await this.api('GET', `/executions?workflowId=${encodeURIComponent(workflowId)}&includeData=true&limit=50`);
		if (response.status !== 200) throw new Error(`listing executions of ${workflowId}: HTTP ${response.status}`);
		return (response.body.data as ExecutionRecord[]).filter((execution) => execution.finished || execution.stoppedAt);
	}
}

/** Items a node output in an execution (`main[0]` of its first run); [] when it did not run. */
export function nodeOutput(execution: ExecutionRecord, nodeName: string): NodeOutputItem[] {
	return execution.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0] ?? [];
}

/** The error an execution ended with, as one line. */
export function executionError(execution: ExecutionRecord): string | undefined {
	const error = execution.data?.resultData?.error;
	if (!error) return execution.status === 'success' ? undefined : `status ${execution.status}`;
	return [error.message, error.description].filter(Boolean).join(' - ');
}

async function restCall(baseUrl: string, cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
	const response = await fetch(`${baseUrl}/rest${path}`, {
		method,
		headers: body === undefined ? { cookie } : { cookie, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: response.status, body: await parsedBody(response) };
}

async function parsedBody(response: Response): Promise<any> {
	const text = await response.text();
	try {
		return text ? JSON.parse(text) : undefined;
	} catch {
		return text;
	}
}
