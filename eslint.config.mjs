// Lints the shipped package the way n8n's verification scanner (@n8n/scan-community-package 0.32.0, scanner.mjs
// `buildScanConfig`) and `n8n-node lint` (@n8n/node-cli, configs/eslint.js) do:
//   - every rule of @n8n/eslint-plugin-community-nodes' `recommended` (Cloud-strict) config, on the node and credential
//     sources AND on package.json;
//   - eslint-plugin-n8n-nodes-base's `community` rules on package.json, its `credentials` rules on credentials/**/*.ts
//     and its `nodes` rules on nodes/**/*.ts, with the same rules switched off as the scanner switches off;
//   - `no-console`.
// Both tools parse package.json with @typescript-eslint/parser: typescript-estree reads a `.json` file as a JSON
// source and yields the ESTree `ObjectExpression`/`Property`/`Literal` nodes the package.json rules look for.
// (A JSON parser such as jsonc-eslint-parser yields `JSONObjectExpression` nodes instead, so those rules never fired.)
// @n8n/node-cli itself does not install with npm (its preinstall insists on pnpm), so the plugins are used directly.
// `n8n-node lint` (@n8n/node-cli 0.48.3, dist/configs/eslint.js, read from its registry tarball) adds, for every
// `**/*.ts`: @eslint/js `recommended`, typescript-eslint `recommended`, eslint-plugin-import-x `flat/recommended` and
// `prefer-spread: off`. The first two and that switch are reproduced below, on the shipped sources. import-x is not
// installed here (node_modules is shared; its rules — unresolved, named, default, namespace and duplicate imports —
// are what `tsc` already refuses in `npm run build`): run once with eslint-plugin-import-x 4.x and
// eslint-import-resolver-typescript 4.x on 2026-12-07, it found nothing.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import n8nCommunityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const community = n8nCommunityNodes.configs.recommended;

export default tseslint.config(
	// Only the shipped package is linted with n8n's rules (tests, scripts and tools are not part of it).
	{ ignores: ['**/*', '!credentials/', '!credentials/**', '!nodes/', '!nodes/**', '!package.json'] },
	// The codex files (nodes/**/*.node.json) are data the scanner also lints (with the same rules, which only look at
	// package.json and TS/JS sources); they are parsed the same way so a broken codex file fails lint too.
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'package.json', 'nodes/**/*.json'],
		languageOptions: { parser: tseslint.parser },
	},
	{
		...community,
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'package.json', 'nodes/**/*.json'],
		rules: {
			...community.rules,
			// The user chose mailparser (MIME parsing) and luxon (dates): this pack is for self-hosted n8n, not n8n Cloud.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// Same reason: importing mailparser is intended; every other import stays n8n-workflow or relative.
			'@n8n/community-nodes/no-restricted-imports': 'off',
		},
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Switched off by the scanner and by `n8n-node lint` (not valid for community nodes; the community plugin's
			// credential-password-field rule replaces the second).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Switched off by the scanner and by `n8n-node lint` (enum inputs/outputs, APIs with real maximum limits).
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	// This pack's own choices, each scoped as narrowly as possible (see README "Operations" for the vocabulary):
	{
		files: ['nodes/**/*.ts'],
		rules: {
			// List operations are named "List Calendars", "List Events", ... (README operation tables, tests), not "Get Many".
			'n8n-nodes-base/node-param-option-name-wrong-for-get-many': 'off',
			// Time zone values are Windows time zone names, not IDs: "... Name or ID" / "specify an ID" would mislead; the
			// descriptions give the same guidance with "specify a Windows time zone name using an expression".
			'n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options': 'off',
			'n8n-nodes-base/node-param-description-wrong-for-dynamic-options': 'off',
		},
	},
	{
		files: ['nodes/MicrosoftOutlookExt/resources/event/update.ts'],
		// False positive: the description is the shared TIME_ZONE_DESCRIPTION constant, which the rule cannot read.
		rules: { 'n8n-nodes-base/node-param-description-missing-from-dynamic-options': 'off' },
	},
	{
		files: ['nodes/MicrosoftOutlookExt/shared/descriptions.ts'],
		rules: {
			// Page Limit defaults to 10 for every list: 50 would change what existing
			// workflows fetch.
			'n8n-nodes-base/node-param-default-wrong-for-limit': 'off',
			// The description adds the Graph parameter and range ("($top, 1 to 1000)") to the standard wording.
			'n8n-nodes-base/node-param-description-wrong-for-limit': 'off',
		},
	},
	{
		files: ['nodes/MicrosoftOutlookExt/resources/message/getAll.ts'],
		// The Select Fields placeholder lists Graph property names; the property is spelled `id`, not `ID`.
		rules: { 'n8n-nodes-base/node-param-placeholder-miscased-id': 'off' },
	},
	{
		files: ['nodes/MicrosoftOutlookExt/resources/rawRequest/index.ts'],
		// "Send a raw request to Microsoft Graph": sentence case would lower-case the product name.
		rules: { 'n8n-nodes-base/node-param-operation-option-action-miscased': 'off' },
	},
	{
		files: ['nodes/MicrosoftOutlookExt/trigger/config/description.ts'],
		// False positive: the default 'resource' is the value of FULL_ITEM_OUTPUT, an option held in a constant the rule
		// does not resolve (it only sees the inline 'mime' option).
		rules: { 'n8n-nodes-base/node-param-default-wrong-for-options': 'off' },
	},
	{ files: ['credentials/**/*.ts', 'nodes/**/*.ts'], rules: { 'no-console': 'error' } },
	// `n8n-node lint`'s base rule sets (see the top of this file), on the shipped sources only: test/, scripts/ and
	// bench/ are not part of the package (and `n8n-node lint` projects have none).
	...tseslint.config({
		files: ['credentials/**/*.ts', 'nodes/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: {
			'prefer-spread': 'off',
			// Omitting a property by destructuring it away (`const { '@odata.etag': _etag, ...json } = event`) is the
			// idiom for "everything but"; the omitted name is unused by design.
			'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
		},
	}),
	{
		// Matching control characters is the point: file names lose them (mime.ts safeFileName) and a Graph validation
		// token that contains one is refused (trigger/delivery/webhook.ts isPlausibleValidationToken).
		files: ['nodes/MicrosoftOutlookExt/shared/mime.ts', 'nodes/MicrosoftOutlookExt/trigger/delivery/webhook.ts'],
		rules: { 'no-control-regex': 'off' },
	},
	{
		// `GraphResponse<T = any>` / `graphApiRequest<T = any>`: the default lets the many callers read Graph's JSON
		// (`body.value`, `body['@odata.nextLink']`) without a cast each; a caller that knows the shape passes T. Changing
		// the default to `unknown` would break every caller, including operations being written in parallel.
		files: ['nodes/MicrosoftOutlookExt/shared/transport/request.ts'],
		rules: { '@typescript-eslint/no-explicit-any': 'off' },
	},
);
