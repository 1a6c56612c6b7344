/**
 * The awkward-MIME corpus (test/emulator/mail-seed.ts) in real n8n: every message that bare mailparser
 * reads is output by Get Mail Message and by the trigger's parsed (MIME) output with at least what
 * mailparser gets (subject, sender, date, text, html, the bytes of every attachment), attached
 * messages as .eml binaries and `warnings` naming each repair; the one message that is no mail gets
 * an error that says so.
 * Run: npm run build && npx jest --selectProjects e2e --runInBand test/e2e/mime-corpus.test.ts
 */
import { mimeCorpus, type MimeCorpusMessage } from '../emulator/mail-seed';
import { bareMailparserRead, missingFromNodeOutput, type NodeMimeOutput } from '../emulator/mime';
import { nodeType } from '../harness/n8n';
import { triggerWorkflow } from '../harness/workflows';
import { ADELE, CREDENTIAL_IDS, runOutlookNode, useE2E } from './support';

const ctx = useE2E({}, 300_000);
const corpus = new Map<string, MimeCorpusMessage>(mimeCorpus().map((entry) => [entry.key, entry]));

/** Files the corpus into a folder of Adele's; returns key → message id. */
async function seedCorpus(folder: string): Promise<Map<string, string>> {
	const response = await fetch(`${ctx.emu.url}/_emulator/seed/mime-corpus`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ userId: ADELE.userPrincipalName, folder }),
	});
	if (response.status !== 201) throw new Error(`seed/mime-corpus: ${response.status} ${await response.text()}`);
	const { value } = (await response.json()) as { value: Array<{ key: string; id: string }> };
	return new Map(value.map((entry) => [entry.key, entry.id]));
}

/** What each corpus message must give beyond "at least what bare mailparser reads". */
const EXPECTED: Record<string, { subject: string; files: string[]; warning?: RegExp; bareMisreads?: string[] }> = {
	'bad-folding': { subject: 'Quarterly figures for the northern region', files: [], warning: /line 5 had no leading whitespace: joined to the previous header \(Subject\)/ },
	'lf-only': { subject: 'Unix mailer', files: ['lf.pdf'], warning: /LF only/ },
	'space-separators': { subject: 'Forwarded invoice', files: ['Original invoice.eml', 'summary.pdf'], warning: /held spaces: read as an empty line/ },
	'stray-space-line': { subject: 'Stray space line', files: [], warning: /line 3 held only spaces before a header: removed/ },
	// Bare mailparser ends the headers at the empty line and reads the MIME headers and parts as text.
	'stray-empty-line': { subject: 'Stray empty line', files: ['logo.png'], warning: /line 4 was empty but more headers followed it: removed/, bareMisreads: ['text'] },
	'nested-rfc822': { subject: 'Undeliverable: Original invoice', files: ['Original invoice.eml', 'forwarded.eml'] },
	'8bit-utf8-headers': { subject: 'Bestellung für Größe XL – Übersicht', files: [], warning: /8-bit \(UTF-8\)/ },
	'8bit-latin1-headers': { subject: 'Réunion déjà prévue à 10 h', files: [], warning: /not UTF-8: read as Windows-1252/ },
	'missing-closing-boundary': { subject: 'No closing boundary', files: ['unclosed.pdf'], warning: /has no closing line/ },
	'missing-boundary-parameter': { subject: 'No boundary parameter', files: ['noboundary.pdf'], warning: /declares no boundary: used "nb-b"/ },
	'wrong-boundary': { subject: 'Wrong boundary', files: [], warning: /which never occurs: used "used-b"/ },
	'tnef-winmail': { subject: 'Rich text from Outlook', files: ['winmail.dat'], warning: /winmail.dat is a TNEF/ },
	'mbox-from-line': { subject: 'Exported from an mbox', files: [], warning: /mbox "From " separator/ },
};

interface OutputItem {
	json: Record<string, any>;
	binary?: Record<string, any>;
}

/** The attachment binaries in the order the JSON lists them (the raw .eml left out). */
function nodeMimeOutput(item: OutputItem): NodeMimeOutput {
	const attachments: Array<{ binaryProperty: string }> = item.json.attachments ?? [];
	return { json: item.json, attachmentContents: attachments.map((a) => ctx.n8n.readBinary(item.binary![a.binaryProperty])) };
}

/** Checks one parsed item against bare mailparser and the corpus expectations; returns a one-line result. */
async function checkItem(key: string, item: OutputItem): Promise<string> {
	const entry = corpus.get(key)!;
	const bare = await bareMailparserRead(entry.raw);
	expect([key, bare.readable]).toEqual([key, true]);
	const want = EXPECTED[key];
	const output = nodeMimeOutput(item);
	expect([key, missingFromNodeOutput(bare, output)]).toEqual([key, want.bareMisreads ?? []]);
	expect([key, item.json.subject]).toEqual([key, want.subject]);
	expect([key, item.json.from?.address]).toEqual([key, expect.stringMatching(/@/)]);
	expect([key, Boolean(item.json.text || item.json.html)]).toEqual([key, true]);
	const files = (item.json.attachments as Array<{ fileName: string }>).map((a) => a.fileName).sort();
	expect([key, files]).toEqual([key, [...want.files].sort()]);
	for (const eml of (item.json.attachments as Array<{ fileName: string; contentType: string; binaryProperty: string }>).filter((a) => a.fileName.endsWith('.eml'))) {
		expect([key, eml.contentType, item.binary![eml.binaryProperty].mimeType]).toEqual([key, 'message/rfc822', 'message/rfc822']);
		expect(ctx.n8n.readBinary(item.binary![eml.binaryProperty]).toString('latin1')).toContain('Subject: Original invoice');
	}
	if (want.warning) expect([key, item.json.warnings]).toEqual([key, expect.arrayContaining([expect.stringMatching(want.warning)])]);
	else expect([key, item.json.warnings]).toEqual([key, []]);
	return `${key}: ${files.length} attachment(s), warnings: ${JSON.stringify(item.json.warnings)}`;
}

describe('Get Mail Message on the awkward-MIME corpus', () => {
	it('outputs every message bare mailparser reads, with its attachments, and refuses the non-mail truthfully', async () => {
		const ids = await seedCorpus('archive');
		const keys = [...ids.keys()];
		const run = await runOutlookNode(ctx, {
			continueOnFail: true,
			items: keys.map((key) => ({ key, id: ids.get(key) })),
			parameters: { resource: 'message', operation: 'get', messageId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
		});
		expect(run.output).toHaveLength(keys.length);
		const results: string[] = [];
		for (const item of run.output as OutputItem[] & Array<{ pairedItem: { item: number } }>) {
			const key = keys[(item as { pairedItem: { item: number } }).pairedItem.item];
			if (!corpus.get(key)!.readable) {
				expect(JSON.stringify(item.json)).toContain(
					`The content of message \\"${ids.get(key)}\\" is not a MIME message: no mail header can be read in it`,
				);
				results.push(`${key}: refused`);
				continue;
			}
			expect([key, item.json.error]).toEqual([key, undefined]);
			expect(item.json.id).toBe(ids.get(key));
			results.push(await checkItem(key, item));
		}
		expect(results).toHaveLength(corpus.size);
		// The per-message result, for the record.
		console.log(results.join('\n'));
	});
});

describe('Outlook Trigger (Parsed Email With Attachments) on the awkward-MIME corpus', () => {
	it('outputs every message bare mailparser reads; the non-mail gives the notification with a truthful error', async () => {
		const workflow = triggerWorkflow({
			id: 'mimecorpus',
			name: 'mime corpus',
			trigger: {
				name: 'Outlook Trigger',
				type: nodeType('microsoftOutlookExtTrigger'),
				parameters: { authentication: 'oAuth2', watch: 'messages', output: 'mime' },
				credentials: { microsoftOutlookExtOAuth2Api: { id: CREDENTIAL_IDS.oAuth2, name: 'Outlook oAuth2 (emulator)' } },
			},
		});
		const workflowId = await ctx.n8n.apiCreateWorkflow(workflow);
		await ctx.n8n.activate(workflowId);
		try {
			const ids = await seedCorpus('inbox');
			const keyOf = new Map([...ids].map(([key, id]) => [id, key]));
			// Notifications that arrive together share an execution: wait until every message has its item.
			const deadline = Date.now() + 60_000;
			let items: OutputItem[] = [];
			while (Date.now() < deadline) {
				const executions = await ctx.n8n.executions(workflowId);
				items = executions.flatMap((execution) => ctx.n8n.nodeOutput(execution, 'Outlook Trigger') as OutputItem[]);
				if (items.filter((item) => keyOf.has(String(item.json.id ?? item.json.resourceId ?? ''))).length >= ids.size) break;
				await new Promise((done) => setTimeout(done, 500));
			}
			const results: string[] = [];
			for (const [key, id] of ids) {
				const matching = items.filter((item) => (item.json.id ?? item.json.resourceId) === id);
				expect([key, matching.length]).toEqual([key, 1]);
				const [item] = matching;
				if (!corpus.get(key)!.readable) {
					expect(item.json.error?.message).toBe('Not a MIME message: no mail header can be read in it: it does not start with a header such as "From:"');
					results.push(`${key}: notification with error`);
					continue;
				}
				expect([key, item.json.error]).toEqual([key, undefined]);
				expect(item.json.changeType).toBe('created');
				results.push(await checkItem(key, item));
			}
			console.log(results.join('\n'));
		} finally {
			await ctx.n8n.deactivate(workflowId);
		}
	});
});
