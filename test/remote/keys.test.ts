import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { memoryLogger } from '../../src/log.js';
import {
  encodeEd25519,
  fingerprintOf,
  generateRunKey,
  loadRunKey,
  writePrivateKey,
} from '../../src/remote/keys.js';
import { Cleanup, tempDir } from './harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('run key', () => {
  it('is an ed25519 pair OpenSSH accepts, with the fingerprint ssh-keygen prints', () => {
    const dir = tempDir(cleanup);
    const key = generateRunKey('tungsten-e2e abc123');
    expect(key.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ tungsten-e2e abc123$/);
    const pubFile = join(dir, 'k.pub');
    writeFileSync(pubFile, key.publicKey + '\n');
    const listed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile], {
      encoding: 'utf8',
    });
    expect(listed.split(' ')[1]).toBe(key.fingerprint);
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('is written 0600 and reads back to the same key; ssh-keygen derives the same public key', async () => {
    const dir = join(tempDir(cleanup), 'state');
    const key = generateRunKey();
    const path = await key.writePrivateKey(dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const derived = execFileSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' }).trim();
    expect(derived.split(' ').slice(0, 2)).toEqual(key.publicKey.split(' ').slice(0, 2));
    const loaded = await loadRunKey(path);
    expect(loaded.fingerprint).toBe(key.fingerprint);
    expect(loaded.publicKey.split(' ').slice(0, 2)).toEqual(key.publicKey.split(' ').slice(0, 2));
  });

  it('replaces an existing 0644 file with a 0600 one, never writing the key into the old file', async () => {
    const dir = tempDir(cleanup);
    writeFileSync(join(dir, 'id'), 'old', { mode: 0o644 });
    // a reader who opened the world-readable file before the write
    const reader = openSync(join(dir, 'id'), 'r');
    try {
      const path = await writePrivateKey(dir, generateRunKey().privateKey, 'id');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toMatch(/OPENSSH PRIVATE KEY/);
      // the old file (still open) never held the key: it was replaced, not overwritten
      const buf = Buffer.alloc(4096);
      expect(buf.toString('utf8', 0, readSync(reader, buf, 0, buf.length, 0))).toBe('old');
      expect(readdirSync(dir)).toEqual(['id']);
    } finally {
      closeSync(reader);
    }
  });

  it('is masked in every log line', () => {
    const key = generateRunKey();
    const logger = memoryLogger();
    const body = key.privateKey.split('\n')[1]!;
    logger.info(`oops: ${key.privateKey}`);
    logger.info(`line: ${body}`);
    expect(logger.lines.join('\n')).not.toContain(body);
    expect(logger.lines.join('\n')).toContain('***');
  });

  it('is always a key ssh2 and OpenSSH can read (also when the public key starts with a zero byte)', () => {
    for (let i = 0; i < 2000; i++) {
      const key = generateRunKey(`c${i}`);
      const parsed = ssh2.utils.parseKey(key.privateKey);
      expect(parsed).not.toBeInstanceOf(Error);
      const p = parsed as ssh2.ParsedKey;
      expect(`${p.type} ${p.getPublicSSH().toString('base64')} ${p.comment}`).toBe(key.publicKey);
    }
    // a seed whose public key begins with 0x00 (one in 256): the case ssh2's own generator gets wrong
    let seed = Buffer.alloc(0);
    let pub = Buffer.alloc(0);
    for (let i = 0; pub[0] !== 0; i++) {
      seed = createHash('sha256').update(`seed-${i}`).digest();
      const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
      const jwk = createPublicKey(
        createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      ).export({
        format: 'jwk',
      });
      pub = Buffer.from(jwk.x!, 'base64url');
    }
    const encoded = encodeEd25519(seed, pub, 'zero');
    expect(ssh2.utils.parseKey(encoded.privateKey)).not.toBeInstanceOf(Error);
    const dir = tempDir(cleanup);
    writeFileSync(join(dir, 'k'), encoded.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', join(dir, 'k')], {
      encoding: 'utf8',
    }).trim();
    expect(derived).toBe(encoded.publicKey);
    // negative control: the checks above notice a damaged key
    const damaged = encoded.privateKey.replace(/\n[^\n]+\n-----END/, '\n-----END');
    expect(ssh2.utils.parseKey(damaged)).toBeInstanceOf(Error);
  });

  it('fingerprints a raw blob and a key line the same way', () => {
    const key = generateRunKey();
    const blob = Buffer.from(key.publicKey.split(' ')[1]!, 'base64');
    expect(fingerprintOf(blob)).toBe(fingerprintOf(key.publicKey));
    expect(() => fingerprintOf('not a key')).toThrow(/not an OpenSSH public key/);
  });
});
