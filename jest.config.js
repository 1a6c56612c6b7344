/** Projects: fast unit tests, the Graph emulator's own tests, real-n8n end-to-end tests, the reliability suite, the editor in a browser. */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }];
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, rootDir: __dirname, modulePathIgnorePatterns: ['<rootDir>/dist/'] };

module.exports = {
	// Real n8n runs take seconds each (jest 30 reads testTimeout only at the top level).
	testTimeout: 240000,
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...common, displayName: 'emulator', testMatch: ['<rootDir>/test/emulator/**/*.test.ts'] },
		{
			...common,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
		},
		{ ...common, displayName: 'reliability', testMatch: ['<rootDir>/test/reliability/**/*.test.ts'] },
		{ ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
	],
};
