/**
 * The run's SSH identity: an ed25519 key pair made in-process for one run.
 * The private key is registered as a secret the moment it exists, so no sink
 * can print it, and is written to disk only as a 0600 file.
 */
import { createHash } from 'node:crypto';
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
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  return makeRunKey(pair.private, pair.public.trim());
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
