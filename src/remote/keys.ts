/**
 * The run's SSH identity: an ed25519 key pair made in-process for one run.
 * The private key is registered as a secret the moment it exists, so no sink
 * can print it, and is written to disk only as a 0600 file.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

function sshString(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/**
 * An ed25519 key in OpenSSH's own formats (PROTOCOL.key: "openssh-key-v1",
 * unencrypted). Written here rather than by ssh2's key generator, which
 * drops a leading zero byte of the public key and so makes about one key in
 * 256 that neither it nor OpenSSH can read.
 */
export function encodeEd25519(
  seed: Buffer,
  pub: Buffer,
  comment: string,
): { privateKey: string; publicKey: string } {
  if (seed.length !== 32 || pub.length !== 32) throw new TypeError('ed25519 keys are 32 bytes');
  const type = 'ssh-ed25519';
  const blob = Buffer.concat([sshString(type), sshString(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    sshString(type),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    Buffer.from([0, 0, 0, 1]),
    sshString(blob),
    sshString(secret),
  ]).toString('base64');
  const lines = body.match(/.{1,70}/g) ?? [];
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `${type} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`,
  };
}

/**
 * A Curve25519/Ed25519 pair as raw 32-byte keys. The encodings are asked of
 * generateKeyPairSync itself: exporting the returned KeyObjects afterwards
 * (as JWK) can deadlock Node 20 when a garbage collection during the export
 * frees the finished key-generation job, which takes the key's lock again.
 */
export function rawKeyPair(type: 'ed25519' | 'x25519'): { secret: Buffer; pub: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync(type as 'ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  // pkcs8: 16 bytes of header, then the 32-byte key; spki: 12 bytes of header, then 32
  if (privateKey.length !== 48 || publicKey.length !== 44) {
    throw new Error(
      `unexpected ${type} key encoding (${privateKey.length}/${publicKey.length} bytes)`,
    );
  }
  return { secret: privateKey.subarray(16), pub: publicKey.subarray(12) };
}

/** A fresh ed25519 key pair for one run. */
export function generateRunKey(comment = 'tungsten-e2e'): RunKey {
  const { secret: seed, pub } = rawKeyPair('ed25519');
  const encoded = encodeEd25519(seed, pub, comment);
  return makeRunKey(encoded.privateKey, encoded.publicKey);
}

/** Write an OpenSSH private key as a 0600 file (the directory is created 0700). */
export async function writePrivateKey(
  dir: string,
  privateKey: string,
  fileName = DEFAULT_KEY_FILE,
): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, fileName);
  // a new file, 0600 from its first byte (flag wx: never an existing file that
  // keeps a wider mode while the key is written), then renamed over the old one
  const fresh = join(dir, `.${fileName}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(fresh, privateKey, { mode: 0o600, flag: 'wx' });
    await rename(fresh, path);
  } catch (e) {
    await rm(fresh, { force: true });
    throw e;
  }
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
