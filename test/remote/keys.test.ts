import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import {
  ed25519KeyPair,
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

  it('tightens an existing file to 0600 when overwriting', async () => {
    const dir = tempDir(cleanup);
    writeFileSync(join(dir, 'id'), 'old', { mode: 0o644 });
    const path = await writePrivateKey(dir, generateRunKey().privateKey, 'id');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/OPENSSH PRIVATE KEY/);
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

  it('fingerprints a raw blob and a key line the same way', () => {
    const key = generateRunKey();
    const blob = Buffer.from(key.publicKey.split(' ')[1]!, 'base64');
    expect(fingerprintOf(blob)).toBe(fingerprintOf(key.publicKey));
    expect(() => fingerprintOf('not a key')).toThrow(/not an OpenSSH public key/);
  });
});

/** The raw 32-byte public key inside an ssh-ed25519 line. */
function rawPublic(line: string): Buffer {
  const blob = Buffer.from(line.split(' ')[1]!, 'base64');
  expect(blob.length).toBe(4 + 11 + 4 + 32);
  expect(blob.readUInt32BE(15)).toBe(32);
  return blob.subarray(19);
}

/** Both halves load in ssh2, agree with each other, and a signature verifies. */
function expectUsable(pair: { privateKey: string; publicKey: string }): void {
  const priv = ssh2.utils.parseKey(pair.privateKey);
  const pub = ssh2.utils.parseKey(pair.publicKey);
  if (priv instanceof Error) throw priv;
  if (pub instanceof Error) throw pub;
  const blob = Buffer.from(pair.publicKey.split(' ')[1]!, 'base64');
  expect(priv.type).toBe('ssh-ed25519');
  expect(priv.getPublicSSH().equals(blob)).toBe(true);
  const data = Buffer.from('tungsten-e2e');
  expect(pub.verify(data, priv.sign(data))).toBe(true);
}

describe('run key generation (always loadable)', () => {
  it('draws 1000 keys; ssh2 loads both halves of each and the public key is always 32 bytes', () => {
    for (let i = 0; i < 1000; i++) {
      const key = generateRunKey(`k${i}`);
      rawPublic(key.publicKey);
      expectUsable(key);
    }
  });

  it('a public key starting with a zero byte (what ssh2 writes as 31 bytes) loads in ssh2 and ssh-keygen', () => {
    // seeds are tried in order until the public key starts with 0x00 (about 1 in 256)
    let found: { privateKey: string; publicKey: string } | undefined;
    for (let i = 0; i < 5000 && !found; i++) {
      const seed = createHash('sha256').update(`tungsten-e2e-seed-${i}`).digest();
      const pair = ed25519KeyPair('zero-led', seed);
      if (rawPublic(pair.publicKey)[0] === 0) found = pair;
    }
    expect(found, 'a seed with a zero-led public key').toBeDefined();
    expectUsable(found!);
    const dir = tempDir(cleanup);
    const path = join(dir, 'id');
    writeFileSync(path, found!.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' }).trim();
    expect(derived.split(' ').slice(0, 2)).toEqual(found!.publicKey.split(' ').slice(0, 2));
  });

  it('the same seed gives the same key; the comment is carried in both halves', () => {
    const seed = createHash('sha256').update('fixed').digest();
    const a = ed25519KeyPair('one two', seed);
    const b = ed25519KeyPair('one two', seed);
    expect(a.publicKey).toBe(b.publicKey);
    expect(a.publicKey.endsWith(' one two')).toBe(true);
    const parsed = ssh2.utils.parseKey(a.privateKey);
    if (parsed instanceof Error) throw parsed;
    expect(parsed.comment).toBe('one two');
  });
});
