// Lint: typescript-eslint recommended + Nx module boundaries (house-style: the gateway and the
// control plane never import each other; `type:pure` libs do no I/O).
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '**/gen/**', '.nx/**', '.portico/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:gateway', notDependOnLibsWithTags: ['scope:control-plane', 'scope:cli'] },
            { sourceTag: 'scope:control-plane', notDependOnLibsWithTags: ['scope:gateway', 'scope:cli'] },
            { sourceTag: 'scope:cli', notDependOnLibsWithTags: ['scope:control-plane', 'scope:gateway'] },
            // The web console is a client of the REST API only: it imports no project's code.
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: [] },
            // Shared libraries build on shared libraries only (outbound-address on policy-engine).
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'type:pure',
              onlyDependOnLibsWithTags: ['type:pure'],
              bannedExternalImports: ['undici', '@prisma/*', '@nestjs/*', '@grpc/*'],
            },
          ],
        },
      ],
    },
  },
  // The web console: the rules of hooks (and the React Compiler's checks) on its components.
  { files: ['apps/console/**/*.tsx', 'apps/console/**/*.ts'], ...reactHooks.configs.flat['recommended-latest'] },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        globalThis: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        URL: 'readonly',
      },
    },
  },
];
