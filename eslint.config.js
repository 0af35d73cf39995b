// ESLint flat config: type-checked TypeScript, Vue, and import zones that
// keep each folder to the places its code may run.
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'zlib', 'stream', 'worker_threads'];

function restrictImports(patterns, message) {
  return {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  };
}

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.bench/**', 'bench/ceiling/**', '**/*.generated.ts'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  ...pluginVue.configs['flat/essential'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.vue'],
        parser: tseslint.parser,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-warning-comments': ['error', { terms: ['fixme', 'xxx'], location: 'anywhere' }],
      // Option interfaces declare callbacks in method shorthand (onFlows?(flows): void); none of them uses `this`.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/shared/**'],
    rules: restrictImports(['**/main/**', '**/renderer/**', 'electron', ...nodeBuiltins], 'src/shared runs everywhere: it may not import main, renderer, Node or Electron.'),
  },
  {
    files: ['src/main/engine/**', 'src/main/cli/**', 'src/main/server/**'],
    rules: restrictImports(['electron', '**/renderer/**'], 'The engine, the CLI and the server run without Electron: do not import electron or the renderer.'),
  },
  {
    files: ['src/renderer/**'],
    rules: restrictImports(['**/main/**', 'electron', ...nodeBuiltins], 'The renderer runs in a sandboxed page: it may not import main, Node or Electron.'),
  },
);
