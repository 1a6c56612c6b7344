/**
 * `npm run sandbox:mail -- --subject "Hello"`: a new mail arrives in the sandbox (the emulator's
 * `POST /_emulator/deliver`), so the mail trigger example fires.
 *
 * Options: --subject, --text, --to (default Adele), --from, --attach <file> (repeatable),
 * --no-attachment (otherwise a small greeting.txt is attached), --emulator <url>.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { emulatorPort } from './config';

export interface SampleMail {
	subject: string;
	text?: string;
	to?: string;
	from?: string;
	/** Files as the emulator takes them; default one small greeting.txt. */
	attachments?: Array<{ name: string; contentType?: string; contentBase64: string }>;
}

const DEFAULT_RECIPIENT = 'AdeleV@contoso.com';

export function greetingAttachment(subject: string): { name: string; contentType: string; contentBase64: string } {
	const content = `Hello from the sandbox.\r\nThis file came with the mail "${subject}".\r\n`;
	return { name: 'greeting.txt', contentType: 'text/plain', contentBase64: Buffer.from(content, 'utf8').toString('base64') };
}

/** Delivers one mail into the recipient's inbox; resolves with the emulator's record (ids per recipient). */
export async function deliverSampleMail(emulatorUrl: string, mail: SampleMail): Promise<Record<string, unknown>> {
	const body = {
		to: mail.to ?? DEFAULT_RECIPIENT,
		from: mail.from ?? { name: 'Megan Bowen', address: 'MeganB@contoso.com' },
		subject: mail.subject,
		text: mail.text ?? `This mail was delivered by npm run sandbox:mail at ${new Date().toISOString()}.`,
		attachments: mail.attachments ?? [greetingAttachment(mail.subject)],
	};
	const response = await fetch(`${emulatorUrl.replace(/\/+$/, '')}/_emulator/deliver`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	if (response.status !== 201) throw new Error(`the emulator refused the mail: HTTP ${response.status} ${text.slice(0, 300)}`);
	return JSON.parse(text) as Record<string, unknown>;
}

const USAGE = `Usage: npm run sandbox:mail -- [--subject <text>] [--text <body>] [--to <address>] [--from <address>]
                              [--attach <file>]... [--no-attachment] [--emulator <url>]`;

interface MailArgs {
	mail: SampleMail;
	emulatorUrl: string;
}

export function parseMailArgs(argv: string[], env: NodeJS.ProcessEnv): MailArgs | 'help' {
	const mail: SampleMail = { subject: 'Hello from the sandbox' };
	let emulatorUrl = `http://127.0.0.1:${emulatorPort(env)}`;
	const files: string[] = [];
	let noAttachment = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const value = () => {
			const next = argv[++i];
			if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
			return next;
		};
		if (arg === '--help' || arg === '-h') return 'help';
		else if (arg === '--subject') mail.subject = value();
		else if (arg === '--text') mail.text = value();
		else if (arg === '--to') mail.to = value();
		else if (arg === '--from') mail.from = value();
		else if (arg === '--attach') files.push(value());
		else if (arg === '--no-attachment') noAttachment = true;
		else if (arg === '--emulator') emulatorUrl = value();
		else throw new Error(`unknown option ${arg}\n${USAGE}`);
	}
	if (noAttachment) mail.attachments = [];
	if (files.length > 0) {
		mail.attachments = files.map((file) => ({ name: basename(file), contentBase64: readFileSync(file).toString('base64') }));
	}
	return { mail, emulatorUrl };
}

async function main(): Promise<void> {
	const args = parseMailArgs(process.argv.slice(2), process.env);
	if (args === 'help') {
		process.stdout.write(`${USAGE}\n`);
		return;
	}
	try {
		await deliverSampleMail(args.emulatorUrl, args.mail);
	} catch (error) {
		const cause = (error as { cause?: { code?: string } }).cause;
		if (cause?.code === 'ECONNREFUSED') throw new Error(`no emulator at ${args.emulatorUrl}: start the sandbox first (npm start)`);
		throw error;
	}
	const attached = (args.mail.attachments ?? [greetingAttachment('')]).map((file) => file.name).join(', ') || 'none';
	process.stdout.write(
		`Delivered "${args.mail.subject}" to ${args.mail.to ?? DEFAULT_RECIPIENT} (attachments: ${attached}).\n` +
			'The workflow "Outlook sandbox: when a mail arrives" runs now: see its Executions tab in the editor.\n',
	);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`sandbox:mail failed: ${(error as Error).message}\n`);
		process.exit(1);
	});
}
