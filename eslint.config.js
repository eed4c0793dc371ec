// ESLint flat config: typescript-eslint's recommended rules, plus a guard that keeps
// wall-clock time and unseeded randomness out of simulation code (determinism, DEVELOPERS.md §1).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const determinism = {
  'no-restricted-properties': ['error',
    { object: 'Math', property: 'random', message: 'Use the runtime\'s seeded PRNG (runtime.random(stream)).' },
    { object: 'Date', property: 'now', message: 'Use the runtime\'s virtual clock (runtime.now()).' },
    { object: 'performance', property: 'now', message: 'Wall time is only for the real-time pacing mode.' },
  ],
  'no-restricted-globals': ['error',
    { name: 'setTimeout', message: 'Use the virtual clock (runtime timers) instead of real timers.' },
    { name: 'setInterval', message: 'Use the virtual clock (runtime timers) instead of real timers.' },
    { name: 'setImmediate', message: 'Use the runtime queue instead of real timers.' },
  ],
  'no-restricted-syntax': ['error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the wall clock; use the virtual clock.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'inspector/dist/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['runtime/**/*.ts', 'api/**/*.ts', 'client/**/*.ts', 'machines/**/*.ts', 'actors/**/*.ts', 'cluster/**/*.ts', 'scenarios/**/*.ts'],
    rules: determinism,
  },
);
