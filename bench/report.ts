/**
 * The results model every workload fills in, the console table and number formatting.
 * A row compares one metric of one case: ours against the built-in node or against a floor.
 */

export type Status = 'met' | 'MISSED' | 'info';

export interface Row {
	workload: string;
	case: string;
	metric: string;
	ours: string;
	/** The built-in node's figure or the floor's. */
	other: string;
	ratio: string;
	goal: string;
	status: Status;
}

export interface WorkloadResult {
	id: string;
	title: string;
	rows: Row[];
	/** Raw figures of every run, written to the JSON file. */
	raw: unknown;
	/** Things that went wrong in OUR node (lost items, failed items, wrong counts). They fail the run. */
	functionalErrors: string[];
	notes: string[];
	durationMs: number;
}

export function emptyResult(id: string, title: string): WorkloadResult {
	return { id, title, rows: [], raw: {}, functionalErrors: [], notes: [], durationMs: 0 };
}

export function ms(value: number | undefined): string {
	if (value === undefined || !Number.isFinite(value)) return '–';
	if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
	if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
	return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

export function mb(value: number | undefined): string {
	if (value === undefined || !Number.isFinite(value)) return '–';
	return `${value.toFixed(value < 10 ? 1 : 0)} MB`;
}

export function count(value: number | undefined): string {
	return value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString('en-US');
}

/** "7.1×"; '–' when either side is missing. */
export function times(ratio: number | undefined): string {
	if (ratio === undefined || !Number.isFinite(ratio)) return '–';
	return `${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(ratio >= 10 ? 1 : 2)}×`;
}

export function divide(a: number | undefined, b: number | undefined): number | undefined {
	if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
	return a / b;
}

export function statusOf(ok: boolean | undefined): Status {
	return ok === undefined ? 'info' : ok ? 'met' : 'MISSED';
}

function pad(text: string, width: number): string {
	return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

const COLUMNS: Array<{ title: string; key: keyof Row }> = [
	{ title: 'Workload', key: 'workload' },
	{ title: 'Case', key: 'case' },
	{ title: 'Metric', key: 'metric' },
	{ title: 'Ours', key: 'ours' },
	{ title: 'Built-in / floor', key: 'other' },
	{ title: 'Ratio', key: 'ratio' },
	{ title: 'Goal', key: 'goal' },
	{ title: 'Status', key: 'status' },
];

/** Plain-text table for the console. */
export function textTable(rows: Row[]): string {
	const widths = COLUMNS.map((column) => Math.max(column.title.length, ...rows.map((row) => String(row[column.key]).length)));
	const line = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i])).join('  ').trimEnd();
	const out = [line(COLUMNS.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w)))];
	let previous = '';
	for (const row of rows) {
		if (previous && row.workload !== previous) out.push('');
		previous = row.workload;
		out.push(line(COLUMNS.map((column) => String(row[column.key]))));
	}
	return out.join('\n');
}

/** The same table as Markdown (BENCHMARKS.md). */
export function markdownTable(rows: Row[]): string {
	const escape = (text: string) => text.replace(/\|/g, '\\|');
	const out = [`| ${COLUMNS.map((c) => c.title).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
	for (const row of rows) out.push(`| ${COLUMNS.map((column) => escape(String(row[column.key]))).join(' | ')} |`);
	return out.join('\n');
}
