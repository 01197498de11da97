/**
 * Live image pulls from Docker Hub: the runner's registry client against the
 * real registry-1.docker.io and auth.docker.io (the anonymous Bearer token,
 * a multi-platform index, blobs behind Docker Hub's redirect to its CDN),
 * for the small image the test pods run and one of the profile's TF images.
 * Runs only with TE_LIVE_REGISTRY=1 (it spends two or three of the address's
 * ten anonymous pulls an hour, more with TE_LIVE_REGISTRY_TF=1, a few
 * hundred MiB); otherwise it is skipped and says why. With
 * TE_REGISTRY_USER and TE_REGISTRY_PASSWORD it pulls as that user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/fabric/tungsten/images/registry.js';
import { ImageStore } from '../../src/fabric/tungsten/images/store.js';
import { ECHO_IMAGE } from '../../src/fabric/tungsten/manifests.js';

const skipWhy =
  process.env.TE_LIVE_REGISTRY !== '1'
    ? 'TE_LIVE_REGISTRY=1 is not set (it spends anonymous Docker Hub pulls)'
    : undefined;
if (skipWhy) console.warn(`test/live/registry.live.test.ts skipped: ${skipWhy}`);

const dir = mkdtempSync(join(tmpdir(), 'te-live-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const client = () => {
  const user = process.env.TE_REGISTRY_USER;
  const password = process.env.TE_REGISTRY_PASSWORD;
  return new RegistryClient(
    user && password ? { host: 'docker.io', username: user, password } : undefined,
  );
};

describe.skipIf(Boolean(skipWhy))(
  `live pulls from Docker Hub${skipWhy ? ` (skipped: ${skipWhy})` : ''}`,
  () => {
    it(`pulls ${ECHO_IMAGE} (linux/amd64 of its index) into the store, then has it without asking`, async () => {
      const store = new ImageStore(join(dir, 'store'));
      const first = client();
      const image = await store.resolve(ECHO_IMAGE, first);
      expect(image.hit).toBe(false);
      expect(image.layers.length).toBeGreaterThan(0);
      expect(await store.has(image.config.digest)).toBe(true);
      const again = client();
      expect((await new ImageStore(join(dir, 'store')).resolve(ECHO_IMAGE, again)).hit).toBe(true);
      expect(again.manifestGets).toBe(0);
    }, 300_000);

    it.skipIf(process.env.TE_LIVE_REGISTRY_TF !== '1')(
      "pulls one of opensdn-24's images at the profile's tag (TE_LIVE_REGISTRY_TF=1)",
      async () => {
        const image = await new ImageStore(join(dir, 'tf')).resolve(
          'opensdn/opensdn-controller-control-control:2025-11-03',
          client(),
        );
        expect(image.layers.length).toBeGreaterThan(1);
      },
      1_800_000,
    );
  },
);
