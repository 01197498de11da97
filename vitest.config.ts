import { defineConfig } from 'vitest/config';

/**
 * Test files that stand up local sites (network namespaces, sshd, BIRD) or run
 * the bundled action: each loads both cores for a while, so they run one file
 * at a time, after the unit tests, and at most two runs at once inside a file.
 * Everything else runs first, two files at a time.
 */
export const SITE_TESTS = [
  'test/local/**/*.test.ts',
  'test/action/contract.test.ts',
  'test/providers/local/local.contract.test.ts',
  'test/bench/args.test.ts',
  'test/fabric/emulated/emulated.contract.test.ts',
  'test/fabric/contractControls.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/tempCleanup.ts', 'test/support/timeoutPhase.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: SITE_TESTS,
          // vitest's default is one worker on 2 cores; these files mostly wait (sshd, timers)
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'sites',
          include: SITE_TESTS,
          fileParallelism: false,
          maxConcurrency: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
