/**
 * Host-key pinning for one run. A host's key is pinned on first contact, or up
 * front from the keys its provider reported; afterwards any other key is
 * refused with both fingerprints named. Pins are per host name: that is the
 * identity the run knows a machine by, whatever address it is reached at.
 *
 * Optionally the pins are kept in an OpenSSH known_hosts file (so a later
 * process, `down` or a person debugging with `ssh`, trusts the same keys).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { HostKeyMismatchError } from './errors.js';
import { fingerprintOf, keyTypeOfBlob, publicKeyBlob } from './keys.js';
import { describeHost, type RemoteHost } from './target.js';

interface Pin {
  /** the endpoint the key was seen at, for known_hosts ("[127.0.0.1]:2222") */
  address: string;
  blobs: Buffer[];
}

/** ssh2 host-key algorithm names that select a key of this type. */
const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

function knownHostsAddress(host: RemoteHost): string {
  return host.port === 22 ? host.host : `[${host.host}]:${host.port}`;
}

export class HostKeyStore {
  private readonly pins = new Map<string, Pin>();

  /**
   * @param options.file known_hosts file to append new pins to (created 0600)
   * @param options.logger where "pinned host key for …" is reported
   */
  constructor(private readonly options: { file?: string; logger?: Logger } = {}) {}

  /**
   * A store holding the pins of a known_hosts file written by an earlier
   * process. Entries carry the host name as their comment; others are ignored.
   */
  static async load(file: string, logger?: Logger): Promise<HostKeyStore> {
    const store = new HostKeyStore({ file, ...(logger ? { logger } : {}) });
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const line of text.split('\n')) {
      const [address, type, b64, name] = line.trim().split(/\s+/);
      if (!address || !type || !b64 || !name || address.startsWith('#')) continue;
      const pin = store.pins.get(name) ?? { address, blobs: [] };
      pin.blobs.push(publicKeyBlob(`${type} ${b64}`));
      store.pins.set(name, pin);
    }
    return store;
  }

  /** Pin keys the provider reported for a host (no-op for keys already pinned). */
  async trust(host: RemoteHost, publicKeys: readonly string[]): Promise<void> {
    const blobs = publicKeys.map(publicKeyBlob);
    const pin = this.pins.get(host.name) ?? { address: knownHostsAddress(host), blobs: [] };
    const fresh = blobs.filter((b) => !pin.blobs.some((p) => p.equals(b)));
    if (fresh.length === 0 && this.pins.has(host.name)) return;
    pin.blobs.push(...fresh);
    this.pins.set(host.name, pin);
    await this.persist(host.name, pin.address, fresh);
  }

  /** The fingerprints pinned for a host name (empty before first contact). */
  fingerprints(name: string): string[] {
    return (this.pins.get(name)?.blobs ?? []).map((b) => fingerprintOf(b));
  }

  /**
   * ssh2 `serverHostKey` algorithms to offer for a host: only the types pinned
   * for it, so the server presents a key we can check. Undefined before any pin.
   */
  algorithmsFor(host: RemoteHost): string[] | undefined {
    const blobs = this.pins.get(host.name)?.blobs ?? host.hostKeys?.map(publicKeyBlob) ?? [];
    const algs = [...new Set(blobs.flatMap((b) => ALGORITHMS_FOR_TYPE[keyTypeOfBlob(b)] ?? []))];
    return algs.length ? algs : undefined;
  }

  /**
   * Check the key a host presented during the handshake (the raw key blob).
   * Pins it on first contact; throws HostKeyMismatchError on a different key.
   */
  async verify(host: RemoteHost, presented: Buffer): Promise<void> {
    if (!this.pins.has(host.name) && host.hostKeys?.length) {
      await this.trust(host, host.hostKeys);
    }
    const pin = this.pins.get(host.name);
    const presentedFp = fingerprintOf(presented);
    if (!pin) {
      const address = knownHostsAddress(host);
      this.pins.set(host.name, { address, blobs: [Buffer.from(presented)] });
      this.options.logger?.info(
        `pinned host key for ${describeHost(host)} on first contact: ${keyTypeOfBlob(presented)} ${presentedFp}`,
      );
      await this.persist(host.name, address, [presented]);
      return;
    }
    // keys the host was given with (a site file's host-key, a provider's report) are the
    // truth for it, whatever an earlier contact pinned
    const given = host.hostKeys?.map(publicKeyBlob);
    const allowed = given?.length ? given : pin.blobs;
    if (allowed.some((b) => b.equals(presented))) return;
    const expected = allowed.map((b) => `${keyTypeOfBlob(b)} ${fingerprintOf(b)}`);
    throw new HostKeyMismatchError(
      host.name,
      allowed.map((b) => fingerprintOf(b)),
      presentedFp,
      `host key for ${describeHost(host)} has changed: expected ${expected.join(' or ')}, ` +
        `but the host presented ${keyTypeOfBlob(presented)} ${presentedFp}; refusing to connect ` +
        '(someone could be intercepting the connection, or the machine was replaced)',
    );
  }

  /** known_hosts lines for every pin ("[addr]:port type base64 name"). */
  knownHosts(): string {
    const lines: string[] = [];
    for (const [name, pin] of this.pins) {
      for (const b of pin.blobs) {
        lines.push(`${pin.address} ${keyTypeOfBlob(b)} ${b.toString('base64')} ${name}`);
      }
    }
    return lines.join('\n') + (lines.length ? '\n' : '');
  }

  private async persist(name: string, address: string, blobs: readonly Buffer[]): Promise<void> {
    const file = this.options.file;
    if (!file || blobs.length === 0) return;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const text = blobs
      .map((b) => `${address} ${keyTypeOfBlob(b)} ${b.toString('base64')} ${name}\n`)
      .join('');
    await appendFile(file, text, { mode: 0o600 });
  }
}
