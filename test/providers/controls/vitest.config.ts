// Runs only the contract kit's negative controls (suites meant to fail); see contractControls.test.ts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['test/providers/controls/*.control.ts'],
    testTimeout: 30_000,
  },
});
