/**
 * After each test file: remove the temporary directories its tests made with
 * tempDir (test/helpers.ts), also when a test failed half way.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers.js';

afterAll(() => {
  for (const line of removeTempDirs()) console.warn(`temporary directory left: ${line}`);
});
