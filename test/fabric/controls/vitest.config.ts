// Runs only the fabric contract kit's negative controls (suites meant to fail); see contractControls.test.ts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['test/fabric/controls/*.control.ts'],
    setupFiles: ['test/support/tempCleanup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
