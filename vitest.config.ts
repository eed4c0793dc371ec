import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { kubesim: fileURLToPath(new URL('./index.ts', import.meta.url)) } },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // CI asks for a JSON report beside the normal output, to print its own summary line.
    reporters: process.env.KUBESIM_VITEST_JSON ? ['default', 'json'] : ['default'],
    outputFile: process.env.KUBESIM_VITEST_JSON ? { json: process.env.KUBESIM_VITEST_JSON } : undefined,
  },
});
