import { afterAll, expect, it } from 'vitest';
import { providerContract } from '../contract.js';
import { gcpFixture } from './gcpFixture.js';

const shapeErrors: string[] = [];
providerContract('gcp', async () => {
  const f = await gcpFixture();
  const cleanup = f.cleanup;
  return {
    ...f,
    cleanup: async () => {
      shapeErrors.push(...f.world.shapeErrors.splice(0));
      await cleanup();
    },
  };
});

it('sent and received only fields the Compute API has', () => {
  expect(shapeErrors).toEqual([]);
});
afterAll(() => {
  if (shapeErrors.length) console.error(shapeErrors.join('\n'));
});
