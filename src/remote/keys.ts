/**
 * The run's SSH identity: an ed25519 key pair made in-process for one run.
 * The private key is registered as a secret the moment it exists, so no sink
 * can print it, and is written to disk only as a 0600 file.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { secrets } from '../log.js';

export interface RunKey {
  /** OpenSSH private key ("-----BEGIN OPENSSH PRIVATE KEY-----") */
  privateKey: string;
  /** "ssh-ed25519 AAAA… comment", ready for authorized_keys */
  publicKey: string;
  /** "SHA256:…", as ssh-keygen -l prints it */
  fingerprint: string;
  /** write the private key as `<dir>/<fileName>` (0600); returns the path */
  writePrivateKey(dir: string, fileName?: string): Promise<string>;
}

export const DEFAULT_KEY_FILE = 'id_ed25519';

/** "SHA256:…" of an OpenSSH public key line ("type base64 [comment]") or a raw key blob. */
export function fingerprintOf(key: string | Buffer): string {
  const blob = typeof key === 'string' ? publicKeyBlob(key) : key;
  const digest = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  return `SHA256:${digest}`;
}

/** The binary key blob of an OpenSSH public key line. */
export function publicKeyBlob(line: string): Buffer {
  const parts = line.trim().split(/\s+/);
  const b64 = parts[1];
  const blob = b64 && /^[A-Za-z0-9+/]+=*$/.test(b64) ? Buffer.from(b64, 'base64') : undefined;
  // the blob names its own type; it must be the one the line declares
  if (!parts[0] || !blob || keyTypeOfBlob(blob) !== parts[0]) {
    throw new TypeError(`not an OpenSSH public key line: ${JSON.stringify(line.slice(0, 60))}`);
  }
  return blob;
}

/** The key type named inside a key blob ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

function makeRunKey(privateKey: string, publicKey: string): RunKey {
  secrets.add(privateKey);
  return {
    privateKey,
    publicKey,
    fingerprint: fingerprintOf(publicKey),
    writePrivateKey: (dir, fileName) => writePrivateKey(dir, privateKey, fileName),
  };
}

/** A fresh ed25519 key pair for one run. */
export function generateRunKey(comment = 'tungsten-e2e'): RunKey {
  const pair = ed25519KeyPair(comment);
  return makeRunKey(pair.privateKey, pair.publicKey);
}

const ED25519 = 'ssh-ed25519';
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An SSH "string": a uint32 length, then the bytes. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * An ed25519 pair in OpenSSH's formats, built here from node:crypto's key
 * rather than by ssh2's generator, which writes a public key starting with a
 * zero byte as 31 bytes (about one key in 256), a key nothing can load. The
 * raw keys are always 32 bytes. `seed` (32 bytes) makes the pair
 * deterministic, for tests.
 */
export function ed25519KeyPair(
  comment = 'tungsten-e2e',
  seed?: Buffer,
): { privateKey: string; publicKey: string } {
  const key: KeyObject = seed
    ? createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      })
    : generateKeyPairSync('ed25519').privateKey;
  const jwk = key.export({ format: 'jwk' });
  const secret = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  if (secret.length !== 32 || pub.length !== 32) {
    throw new Error(`ed25519 key of unexpected size (${secret.length}/${pub.length} bytes)`);
  }
  const blob = Buffer.concat([sshString(ED25519), sshString(pub)]);
  // the private section: a repeated check number, the key, the comment, padded to 8 bytes
  const check = randomBytes(4);
  const body = Buffer.concat([
    check,
    check,
    sshString(ED25519),
    sshString(pub),
    sshString(Buffer.concat([secret, pub])),
    sshString(comment),
  ]);
  const padLength = (8 - (body.length % 8)) % 8;
  const padding = Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1));
  const file = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'), // cipher
    sshString('none'), // kdf
    sshString(''), // kdf options
    uint32(1), // number of keys
    sshString(blob),
    sshString(Buffer.concat([body, padding])),
  ]);
  const lines = file.toString('base64').match(/.{1,70}/g)!;
  const privateKey = [
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    ...lines,
    '-----END OPENSSH PRIVATE KEY-----',
    '',
  ].join('\n');
  const publicKey = `${ED25519} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;
  return { privateKey, publicKey };
}

/** Write an OpenSSH private key as a 0600 file (the directory is created 0700). */
export async function writePrivateKey(
  dir: string,
  privateKey: string,
  fileName = DEFAULT_KEY_FILE,
): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, fileName);
  await writeFile(path, privateKey, { mode: 0o600 });
  // mode only applies to a new file; an existing one keeps its old mode otherwise
  await chmod(path, 0o600);
  return path;
}

/** Read back a run key written by writePrivateKey (for `down` in a later process). */
export async function loadRunKey(path: string): Promise<RunKey> {
  const privateKey = await readFile(path, 'utf8');
  secrets.add(privateKey);
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) {
    throw new Error(`${path} does not hold a usable OpenSSH private key: ${parsed.message}`);
  }
  const pub = parsed.getPublicSSH();
  const publicKey = `${parsed.type} ${pub.toString('base64')}${parsed.comment ? ` ${parsed.comment}` : ''}`;
  return makeRunKey(privateKey, publicKey);
}
