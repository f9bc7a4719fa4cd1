import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

// Cross-folder imports into shared/ go through the folder's public face (its index.ts). Together
// with import-x/no-cycle (which follows re-exports) this makes a cycle between two folders a lint
// error, not just a cycle between two files.
const deepIntoShared = {
  regex: '^(\\.\\./)+shared/[^/]+/.+',
  message: "Import from the folder's public face (shared/<folder>), not one of its files.",
};
const deepAcrossSharedFolders = {
  regex: '^\\.\\./[^./][^/]*/.+',
  message: 'Import another shared/ folder through its index (../<folder>), not one of its files.',
};
// A folder of shared/ may group its files in sub-folders (ingest's stages, the roll-up engine's
// parts). From inside one, a sibling sub-folder is reached through its index (`../<stage>`, caught
// by the pattern above) and another shared/ folder through its index (`../../<folder>`).
const deepFromSubfolderAcrossSharedFolders = {
  regex: '^\\.\\./\\.\\./[^./][^/]*/.+',
  message: 'Import another shared/ folder through its index (../../<folder>), not one of its files.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.azurite/**',
      '.local/**',
      'infra/**/*.json',
      'shared/config/pipelineSchemaValidator.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
    plugins: { 'import-x': importX, 'simple-import-sort': simpleImportSort },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.test.json' })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      'import-x/no-duplicates': 'error',
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
    },
  },
  {
    // The core and what runs it: no import cycles, and no reaching into another folder's files.
    files: ['shared/**/*.ts', 'functions/**/*.ts', 'local/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', { patterns: [deepIntoShared] }],
    },
  },
  {
    files: ['shared/*/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepIntoShared, deepAcrossSharedFolders] }] },
  },
  {
    files: ['shared/*/*/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [deepIntoShared, deepAcrossSharedFolders, deepFromSubfolderAcrossSharedFolders] }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
