import type { INodeProperties } from 'n8n-workflow';

/** The Body Content Type field and Graph's body object, shared by Send, Reply, Update Message and the Draft operations. */

/** "Body Content Type" of a body field (Send's, Reply's and Update's Body); `name` differs per operation. */
export function bodyContentTypeField(name: string): INodeProperties {
	return {
		displayName: 'Body Content Type',
		name,
		type: 'options',
		options: [
			{ name: 'HTML', value: 'html' },
			{ name: 'Text', value: 'text' },
		],
		default: 'html',
		description: 'Format of Body',
	};
}

/** Graph's body object from a Body field and its Body Content Type ('text' → Text, anything else → HTML). */
export function bodyJson(content: string, contentType: unknown): { contentType: string; content: string } {
	return { contentType: contentType === 'text' ? 'Text' : 'HTML', content };
}
