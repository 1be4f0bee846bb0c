import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'drizzle/', 'dist/', 'scratch/', 'web/dist/', 'test-results/', 'bench/.work/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query'] > TemplateLiteral.arguments:first-child > TemplateLiteral",
          message: 'No nested template literals in SQL: pass values as parameters.',
        },
      ],
    },
  },
  {
    // The console shares the API's contracts, never its internals: what it may assume is what the API promises.
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/(?!.*\\.contract\\.ts$)',
              message: 'The console imports only the API contracts (src/**/*.contract.ts, with import type), never server internals.',
            },
          ],
        },
      ],
    },
  },
);
