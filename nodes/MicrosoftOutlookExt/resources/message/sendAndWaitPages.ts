/**
 * The HTML of Send and Wait for Response: the mail's buttons and the pages a recipient sees after
 * following a link. Every text that comes from the workflow or the request is escaped.
 */

export interface FormField {
	label: string;
	type: string;
	required: boolean;
	choices: string[];
}

export type Answer = 'approve' | 'decline' | 'respond';

export interface AnswerLink {
	label: string;
	answer: Answer;
	url: string;
}

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One signed link per button: `answer` tells the webhook what was chosen (the signature covers it). */
export function answerLinks(buttons: Array<{ label: string; answer: Answer }>, sign: (query: Record<string, string>) => string): AnswerLink[] {
	return buttons.map((button) => ({ ...button, url: sign({ answer: button.answer }) }));
}

const BUTTON = 'display:inline-block;padding:10px 22px;margin:4px 8px 4px 0;border-radius:6px;font:600 15px sans-serif;text-decoration:none;';
const PRIMARY = `${BUTTON}background:#0f6cbd;color:#ffffff;`;
const SECONDARY = `${BUTTON}background:#ffffff;color:#0f6cbd;border:1px solid #0f6cbd;`;

/** The mail body: the message as text (line breaks kept) and one button per link. */
export function mailHtml(message: string, links: AnswerLink[]): string {
	const text = escapeHtml(message.trim()).replace(/\r?\n/g, '<br>');
	const buttons = links
		.map((link) => `<a href="${escapeHtml(link.url)}" style="${link.answer === 'decline' ? SECONDARY : PRIMARY}">${escapeHtml(link.label)}</a>`)
		.join('\n');
	return `<html><body style="font:15px sans-serif;color:#242424"><p>${text}</p><p>${buttons}</p></body></html>`;
}

/** A whole page: the title, a paragraph, optional inner HTML (already escaped). */
export function page(title: string, text: string, inner = ''): string {
	return (
		'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
		`<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
		'<body style="font:16px sans-serif;color:#242424;max-width:560px;margin:48px auto;padding:0 16px">' +
		`<h1 style="font-size:22px">${escapeHtml(title)}</h1><p>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</p>${inner}</body></html>`
	);
}

/**
 * The form a link opens. It posts back to the same (signed) address: a link only shows the
 * question, so mail scanners that open links do not answer. Multipart, because n8n 2.41 accepts
 * nothing else for a send-and-wait custom form (and 2.8 parses it too).
 */
export function formPage(title: string, text: string, buttonLabel: string, fieldsHtml: string, error?: string): string {
	const errorHtml = error ? `<p role="alert" style="color:#b10e1c">${escapeHtml(error)}</p>` : '';
	return page(title, text, `${errorHtml}<form method="post" enctype="multipart/form-data">${fieldsHtml}<p><button type="submit" style="${PRIMARY}border:0">${escapeHtml(buttonLabel)}</button></p></form>`);
}

/** The answer fields: `field-<index>` each. */
export function fieldsHtml(fields: FormField[]): string {
	return fields
		.map((field, index) => {
			const name = `field-${index}`;
			const required = field.required ? ' required' : '';
			const label = `<label for="${name}" style="display:block;font-weight:600;margin-top:12px">${escapeHtml(field.label)}${field.required ? ' *' : ''}</label>`;
			const box = 'style="width:100%;padding:6px;font:15px sans-serif;box-sizing:border-box"';
			if (field.type === 'textarea') return `${label}<textarea id="${name}" name="${name}" rows="5" ${box}${required}></textarea>`;
			if (field.type === 'dropdown') {
				const choices = field.choices.map((choice) => `<option>${escapeHtml(choice)}</option>`).join('');
				return `${label}<select id="${name}" name="${name}" ${box}${required}><option value=""></option>${choices}</select>`;
			}
			if (field.type === 'checkbox') return `${label}<input type="checkbox" id="${name}" name="${name}" value="on"${required}>`;
			return `${label}<input type="${escapeHtml(field.type)}" id="${name}" name="${name}" ${box}${required}>`;
		})
		.join('');
}

/** The submitted form as output values (by label), or what is wrong with it. */
export function readForm(fields: FormField[], requestBody: Record<string, unknown>): { values: Record<string, string | number | boolean | null> } | { error: string } {
	// n8n hands a multipart body over as { data: fields, files }, a urlencoded one as the fields.
	const multipart = typeof requestBody.data === 'object' && requestBody.data !== null && 'files' in requestBody;
	const body = (multipart ? requestBody.data : requestBody) as Record<string, unknown>;
	const values: Record<string, string | number | boolean | null> = {};
	for (const [index, field] of fields.entries()) {
		const raw = body[`field-${index}`];
		const text = (Array.isArray(raw) ? String(raw[0] ?? '') : String(raw ?? '')).trim();
		if (field.type === 'checkbox') {
			if (field.required && !text) return { error: `Tick "${field.label}".` };
			values[field.label] = text !== '';
			continue;
		}
		if (!text) {
			if (field.required) return { error: `"${field.label}" is required.` };
			values[field.label] = null;
			continue;
		}
		if (field.type === 'number') {
			const number = Number(text);
			if (!Number.isFinite(number)) return { error: `"${field.label}" must be a number.` };
			values[field.label] = number;
		} else if (field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
			return { error: `"${field.label}" must be an email address.` };
		} else if (field.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
			return { error: `"${field.label}" must be a date (YYYY-MM-DD).` };
		} else if (field.type === 'dropdown' && !field.choices.includes(text)) {
			return { error: `"${field.label}" must be one of: ${field.choices.join(', ')}.` };
		} else {
			values[field.label] = text;
		}
	}
	return { values };
}
