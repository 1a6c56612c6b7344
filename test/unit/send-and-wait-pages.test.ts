/**
 * Send and Wait for Response, the pure parts: the mail's HTML and the answer pages escape everything that
 * comes from the workflow, and a submitted form is read into typed values or refused with what is wrong.
 * The whole flow (signed links, waiting, resuming once) runs in real n8n: test/e2e/sendAndWait.test.ts.
 */
import { fieldsHtml, formPage, mailHtml, readForm, type FormField } from '../../nodes/MicrosoftOutlookExt/resources/message/sendAndWaitPages';

const field = (label: string, type: string, extra: Partial<FormField> = {}): FormField => ({ label, type, required: false, choices: [], ...extra });

describe('mail and pages', () => {
	it('escape the message, labels and link, and keep line breaks', () => {
		const html = mailHtml('Pay <b>now</b> & "soon"\nThanks', [
			{ label: '<img src=x onerror=alert(1)>', answer: 'approve', url: 'https://n8n.example.com/webhook-waiting/1/n?answer=approve&signature=ab"c' },
		]);
		expect(html).toContain('Pay &lt;b&gt;now&lt;/b&gt; &amp; &quot;soon&quot;<br>Thanks');
		expect(html).toContain('href="https://n8n.example.com/webhook-waiting/1/n?answer=approve&amp;signature=ab&quot;c"');
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;</a>');
		expect(html).not.toContain('<img');
	});

	it('a form page posts multipart back to its own address and escapes field labels and choices', () => {
		const page = formPage('T<i>', 'D', 'Send', fieldsHtml([field('A"B', 'dropdown', { choices: ['<x>'], required: true })]), 'bad <input>');
		expect(page).toContain('<form method="post" enctype="multipart/form-data">');
		expect(page).not.toMatch(/<form[^>]* action=/);
		expect(page).toContain('<title>T&lt;i&gt;</title>');
		expect(page).toContain('A&quot;B *');
		expect(page).toContain('<option>&lt;x&gt;</option>');
		expect(page).toContain('bad &lt;input&gt;');
	});
});

describe('readForm', () => {
	const fields = [
		field('Name', 'text', { required: true }),
		field('Amount', 'number'),
		field('Mail', 'email'),
		field('Due', 'date'),
		field('Level', 'dropdown', { choices: ['Low', 'High'] }),
		field('OK', 'checkbox'),
	];

	it('types the values: numbers, booleans, null for an empty optional field; multipart and urlencoded bodies alike', () => {
		const fieldsIn = { 'field-0': ' Ann ', 'field-1': '12.5', 'field-2': 'ann@contoso.com', 'field-3': '2026-05-01', 'field-4': 'High' };
		const expected = { Name: 'Ann', Amount: 12.5, Mail: 'ann@contoso.com', Due: '2026-05-01', Level: 'High', OK: false };
		expect(readForm(fields, fieldsIn)).toEqual({ values: expected });
		expect(readForm(fields, { data: { ...fieldsIn, 'field-5': 'on' }, files: {} })).toEqual({ values: { ...expected, OK: true } });
		expect(readForm(fields, { 'field-0': 'Ann' })).toEqual({
			values: { Name: 'Ann', Amount: null, Mail: null, Due: null, Level: null, OK: false },
		});
	});

	it('says what is wrong', () => {
		const withValue = (index: number, value: string) => readForm(fields, { 'field-0': 'Ann', [`field-${index}`]: value });
		expect(readForm(fields, { 'field-0': '  ' })).toEqual({ error: '"Name" is required.' });
		expect(withValue(1, '12,5')).toEqual({ error: '"Amount" must be a number.' });
		expect(withValue(2, 'ann.contoso.com')).toEqual({ error: '"Mail" must be an email address.' });
		expect(withValue(3, '01/05/2026')).toEqual({ error: '"Due" must be a date (YYYY-MM-DD).' });
		expect(withValue(4, 'Medium')).toEqual({ error: '"Level" must be one of: Low, High.' });
		expect(readForm([field('Agree', 'checkbox', { required: true })], {})).toEqual({ error: 'Tick "Agree".' });
	});
});
