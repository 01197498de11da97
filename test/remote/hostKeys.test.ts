import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import { HostKeyMismatchError } from '../../src/remote/errors.js';
import { HostKeyStore } from '../../src/remote/hostKeys.js';
import { generateRunKey, publicKeyBlob } from '../../src/remote/keys.js';
import type { RemoteHost } from '../../src/remote/target.js';
import { Cleanup, tempDir } from './harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

// any OpenSSH public keys serve as host keys for the store's logic
const keyA = generateRunKey('a').publicKey;
const keyB = generateRunKey('b').publicKey;
const host: RemoteHost = { name: 'east-master', host: '192.0.2.10', port: 2222, user: 'ubuntu' };

describe('HostKeyStore', () => {
  it('pins on first contact and then accepts only that key', async () => {
    const logger = memoryLogger();
    const store = new HostKeyStore({ logger });
    await store.verify(host, publicKeyBlob(keyA));
    await store.verify(host, publicKeyBlob(keyA));
    expect(logger.lines.join('\n')).toMatch(
      /pinned host key for east-master .* on first contact: ssh-ed25519 SHA256:/,
    );
    const err = await store.verify(host, publicKeyBlob(keyB)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    const msg = (err as Error).message;
    expect(msg).toContain('east-master');
    expect(msg).toContain(store.fingerprints('east-master')[0]);
    expect(msg).toContain((err as HostKeyMismatchError).presentedFingerprint);
    expect((err as HostKeyMismatchError).presentedFingerprint).not.toBe(
      store.fingerprints('east-master')[0],
    );
  });

  it('pins provider-supplied keys before first contact', async () => {
    const store = new HostKeyStore();
    const h = { ...host, hostKeys: [keyA] };
    await expect(store.verify(h, publicKeyBlob(keyB))).rejects.toThrow(HostKeyMismatchError);
    await store.verify(h, publicKeyBlob(keyA));
    expect(store.algorithmsFor(h)).toEqual(['ssh-ed25519']);
  });

  it('offers only pinned key types to the server', async () => {
    const store = new HostKeyStore();
    expect(store.algorithmsFor(host)).toBeUndefined();
    await store.trust(host, [keyA]);
    expect(store.algorithmsFor(host)).toEqual(['ssh-ed25519']);
  });

  it('keeps pins in a known_hosts file that OpenSSH and a later process can use', async () => {
    const file = join(tempDir(cleanup), 'state', 'known_hosts');
    const store = new HostKeyStore({ file });
    await store.verify(host, publicKeyBlob(keyA));
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`[192.0.2.10]:2222 ssh-ed25519 ${keyA.split(' ')[1]} east-master\n`);
    expect(store.knownHosts()).toBe(text);
    const later = await HostKeyStore.load(file);
    await expect(later.verify(host, publicKeyBlob(keyB))).rejects.toThrow(/has changed/);
    await later.verify(host, publicKeyBlob(keyA));
  });
});
