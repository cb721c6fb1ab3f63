// Lint: layers, correctness and unused code only (no style rules: the formatter owns layout).
// `npm test` runs it (scripts/test.sh); `npx eslint .` runs it by hand.
import tseslint from 'typescript-eslint';
import pier from './scripts/lint/layers.js';

export default [
  {
    ignores: [
      'out/**',
      'dist/**',
      'native/build/**',
      'node_modules/**',
      '.pier-test/**',
      '.scratch/**',
      'test-results/**',
    ],
  },
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error', reportUnusedInlineConfigs: 'error' },
    plugins: { pier, '@typescript-eslint': tseslint.plugin },
    rules: {
      'pier/layers': 'error',
      'pier/spawn': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          ignoreRestSiblings: true,
        },
      ],
      'no-unused-private-class-members': 'error',
      'no-unused-labels': 'error',
      'no-unreachable': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-self-assign': 'error',
      'no-self-compare': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-negation': 'error',
      'no-async-promise-executor': 'error',
      'no-compare-neg-zero': 'error',
      'no-sparse-arrays': 'error',
      'no-loss-of-precision': 'error',
      'no-debugger': 'error',
      'use-isnan': 'error',
      'valid-typeof': 'error',
      'no-invalid-regexp': 'error',
      'no-empty-character-class': 'error',
      'no-useless-backreference': 'error',
    },
  },
  {
    // bundled by electron-vite, whose ESM shim declares `require` in every chunk calling require(
    files: ['electron/**/*.ts', 'native/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > VariableDeclaration > VariableDeclarator[id.name="require"]',
          message: "Name it nodeRequire: electron-vite's ESM shim already declares `require` in the bundled chunk.",
        },
      ],
    },
  },
];
