/** Case-insensitive lookup of one HTTP header: n8n, Node and Graph give header names in any case. */
export function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		if (value === undefined || value === null) return undefined;
		return Array.isArray(value) ? value.map(String).join(', ') : String(value);
	}
	return undefined;
}
