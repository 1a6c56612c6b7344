/**
 * `npm start`: build the pack, make sure the pinned n8n is installed, then run the sandbox (Graph
 * emulator on 5580 + real n8n on 5678 with the example workflows) until Ctrl-C.
 *
 * Flags: --no-build (skip `npm run build`), --verbose (show n8n's own output; it always goes to
 * .sandbox/n8n.log). Ports: SANDBOX_N8N_PORT, SANDBOX_EMULATOR_PORT; folder: SANDBOX_DIR.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { DEFAULT_BROKER_PORT, DEFAULT_N8N_PORT, PID_FILE, REPO_ROOT, emulatorPort, n8nPort, sandboxDir } from './config';
import { startSandbox, type Sandbox } from './sandbox';

function say(line: string): void {
	process.stdout.write(`[sandbox] ${line}\n`);
}

/** Runs a step with its output shown (npm's and n8n's install progress); exits on failure. */
function runVisible(title: string, command: string, args: string[]): void {
	say(title);
	const started = Date.now();
	const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
	if (result.status !== 0) {
		throw new Error(`${title.replace(/\.+$/, '')} failed (exit code ${result.status ?? result.signal})`);
	}
	say(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function banner(sandbox: Sandbox): string {
	const mailCommand = process.env.SANDBOX_EMULATOR_PORT ? `SANDBOX_EMULATOR_PORT=${sandbox.emulator.url.split(':').pop()} npm run sandbox:mail` : 'npm run sandbox:mail';
	const lines = [
		'',
		'  Microsoft Outlook Ext sandbox is ready',
		'',
		`  Editor:    ${sandbox.editorUrl}`,
		`  Login:     ${sandbox.owner.email}  /  ${sandbox.owner.password}`,
		`  Graph:     ${sandbox.emulator.url}/v1.0 (local emulator; Adele, Megan and a shared "sales" mailbox)`,
		'',
		'  Example workflows (open one, then "Execute workflow"):',
		'    - Outlook sandbox: list and parse mail',
		'    - Outlook sandbox: send mail with an attachment',
		'    - Outlook sandbox: create an event and check availability',
		`    - Outlook sandbox: when a mail arrives  (${sandbox.triggerSubscribed ? 'active' : 'NOT active: activate it in the editor'})`,
		'',
		'  Make a mail arrive (fires the trigger example):',
		`    ${mailCommand} -- --subject "Hello"`,
		`    or: curl -X POST ${sandbox.emulator.url}/_emulator/deliver -H 'content-type: application/json' \\`,
		`          -d '{"to":"AdeleV@contoso.com","subject":"Hello","text":"Hi Adele"}'`,
		'',
		`  State: ${relative(process.cwd(), sandbox.dir) || '.'}/ (n8n log: n8n.log). Reset: npm run sandbox:reset`,
		'  The emulator keeps mail in memory: each start seeds it afresh and signs the credentials in again.',
		'  Press Ctrl-C to stop.',
		'',
	];
	return lines.join('\n');
}

async function main(): Promise<void> {
	const args = new Set(process.argv.slice(2));
	const dir = sandboxDir();
	if (!args.has('--no-build')) runVisible('building the pack (npm run build)...', 'npm', ['run', '--silent', 'build']);
	if (process.env.N8N_RUNTIME_DIR) {
		// Another n8n (e.g. the newest one from scripts/e2e-latest): use it as it is, never install over it.
		say(`using the n8n in N8N_RUNTIME_DIR=${process.env.N8N_RUNTIME_DIR}`);
	} else {
		runVisible('making sure n8n is installed (first run: about 3-5 min)...', process.execPath, [join(REPO_ROOT, 'test', 'harness', 'ensure-n8n.js')]);
	}

	const port = n8nPort();
	const sandbox = await startSandbox({
		dir,
		n8nPort: port,
		emulatorPort: emulatorPort(),
		// n8n's default broker port next to its default port; shifted with it.
		brokerPort: DEFAULT_BROKER_PORT + (port - DEFAULT_N8N_PORT),
		log: say,
		echoN8n: args.has('--verbose'),
	});
	writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
	process.stdout.write(`${banner(sandbox)}\n`);
	if (sandbox.firstStart) say(`n8n took ${((sandbox.timings.n8nStart ?? 0) / 1000).toFixed(1)} s to start`);

	let stopping = false;
	const stop = (signal: NodeJS.Signals) => {
		if (stopping) return;
		stopping = true;
		say(`${signal}: stopping n8n and the emulator...`);
		sandbox
			.stop()
			.then(
				() => say('stopped.'),
				(error: unknown) => say(`stop failed: ${(error as Error).message}`),
			)
			.finally(() => {
				rmSync(join(dir, PID_FILE), { force: true });
				process.exit(0);
			});
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	process.on('SIGHUP', stop);
	void sandbox.n8n.whenExited()?.then(() => {
		if (stopping) return;
		say(`n8n stopped on its own - see ${join(relative(process.cwd(), dir) || dir, 'n8n.log')}. Stopping the emulator.`);
		stop('SIGTERM');
	});
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`[sandbox] could not start: ${(error as Error).message}\n`);
		process.exit(1);
	});
}
