// n8n's community-node rules (the Cloud-strict set), as `@n8n/node-cli lint` applies them.
// @n8n/node-cli itself does not install with npm (its preinstall insists on pnpm), so the plugin is used directly.
import tseslint from 'typescript-eslint';
import n8nCommunityNodes from '@n8n/eslint-plugin-community-nodes';
import jsoncParser from 'jsonc-eslint-parser';

export default tseslint.config(
	// Only the shipped package is linted with n8n's rules (tests, scripts and tools are not part of it).
	{ ignores: ['**/*', '!credentials/', '!credentials/**', '!nodes/', '!nodes/**', '!package.json'] },
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts'],
		languageOptions: { parser: tseslint.parser },
	},
	// The package.json rules (name, keywords, n8n section, peer dependencies) need the file parsed as JSON.
	{ files: ['package.json'], languageOptions: { parser: jsoncParser } },
	{
		...n8nCommunityNodes.configs.recommended,
		rules: {
			...n8nCommunityNodes.configs.recommended.rules,
			// The user chose mailparser (MIME parsing) and luxon (dates): this pack is for self-hosted n8n, not n8n Cloud.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// Same reason: importing mailparser is intended; every other import stays n8n-workflow or relative.
			'@n8n/community-nodes/no-restricted-imports': 'off',
		},
	},
	{ files: ['credentials/**/*.ts', 'nodes/**/*.ts'], rules: { 'no-console': 'error' } },
);
