// Lint configuration (flat config), run by `npm test` and `npm run lint`.
// TypeScript is linted with type information from tsconfig.test.json (src/ and
// test/ in one program, so it is built once), so rules such as
// no-floating-promises and no-misused-promises see the real types. The rule
// set is typescript-eslint's recommended type-checked one; the few changes
// below are explained where they are made.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'prebuilds/', 'node_modules/', 'coverage/', '.tap/', 'test/types/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An `async` function that happens not to await is harmless (and keeps a
      // Promise-returning interface); a promise nobody awaits is not, and
      // no-floating-promises / no-misused-promises / await-thenable stay on.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks a deliberately unused binding; `{ a: _a, ...rest }` drops a key.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Numbers, arrays and Buffers (spawnSync output: UTF-8 text) read fine in
      // messages; other objects would print as [object Object].
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allowBoolean: true,
          allowArray: true,
          allowNullish: true,
          allow: [{ from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] }, { from: 'package', package: '@types/node', name: ['Buffer', 'NonSharedBuffer'] }],
        },
      ],
      // Passing on a rejection reason we caught (typed unknown) is not inventing a non-Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // tap runs and reports the top-level `t.test(...)` calls itself.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: '@tapjs/test', name: ['test', 'skip', 'todo', 'only'] }] },
      ],
    },
  },
);
