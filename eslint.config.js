// ESLint flat config: the recommended JS and typescript-eslint rules.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'cdk.out', 'coverage', '.data', 'app/db/generated', 'web/dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The full zod package is 450 KB that cannot be tree-shaken (a Lambda
    // cold start compiles all of it); app/zod.ts is Zod Mini with messages.
    files: ['app/**/*.ts', 'handlers/**/*.ts', 'bench/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'zod', message: 'Import app/zod.ts (Zod Mini with English messages).' }] }],
    },
  },
  {
    // Tests read synthesized templates and JSON bodies of unknown shape.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
