// ESLint for the TypeScript of services/, tools/, trace-verdict/, web-ui/src and tests/
// (typescript-eslint's type-checked recommended rules, with the types of each workspace's own
// tsconfig.json). Formatting is Prettier's job (.prettierrc.json); `npm run lint` runs both.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/', '**/dist/', '.tools/', 'data/', 'test-results/', 'web-ui/public/telemetry.js', 'web-ui/public/app.js'],
  },
  {
    files: ['services/**/*.ts', 'tools/**/*.ts', 'trace-verdict/**/*.ts', 'web-ui/src/**/*.ts', 'tests/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // Each file is checked with the tsconfig.json of its workspace, as `tsc -b` builds it.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test(), suite() and hooks return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      // Fastify sends what an async handler returns (a plain one must call reply.send), and an
      // async callback says "this returns a promise" even where it awaits nothing yet.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed: a parameter a signature needs (Express's 4-argument error handler) or a
      // value destructured away on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The tools and the tests handle documents parsed from YAML and JSON (YAML.parse and
    // Response.json() return `any`): the Envoy and Prometheus configs the tools rewrite, the
    // OTLP the receiver reads, every HTTP answer a test asserts on. Their shape is checked
    // where it is used (by the assertions, in the tests); declaring an interface for each
    // would repeat them. The services, which take untrusted input, keep these rules.
    files: ['tools/**/*.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
);
