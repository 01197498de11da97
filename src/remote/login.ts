/**
 * Getting onto a host: a TCP connection (Nagle off) and an SSH login with the
 * run key, the host key checked against the pool's store. Each failure is an
 * SshConnectError saying which stage failed (unreachable, handshake, auth)
 * in words a user can act on. The pool (pool.ts) keeps what this returns.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client } from 'ssh2';
import { formatElapsed, HostKeyMismatchError, SshConnectError } from './errors.js';
import type { HostKeyStore } from './hostKeys.js';
import { describeHost, type RemoteHost } from './target.js';

export function tcpConnect(host: RemoteHost, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    // Nagle's algorithm holds back SSH's small packets waiting for ACKs; off, each exec is ~1/3 faster
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(
        new SshConnectError(
          host.name,
          'unreachable',
          `cannot reach ${describeHost(host)}: no TCP connection within ${formatElapsed(timeoutMs)}`,
        ),
      );
    }, timeoutMs);
    sock.once('error', (e) => {
      clearTimeout(timer);
      sock.destroy();
      reject(
        new SshConnectError(
          host.name,
          'unreachable',
          `cannot reach ${describeHost(host)}: ${e.message}`,
          { cause: e },
        ),
      );
    });
    sock.connect(host.port, host.host, () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
  });
}

export interface LoginOptions {
  privateKey: string | Buffer;
  /** the run key's fingerprint, for the message when the host refuses it */
  keyFingerprint: string;
  hostKeys: HostKeyStore;
  /** epoch ms by which the login must be done */
  deadline: number;
  /** the whole connect's allowance, for the message */
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

/** An SSH login over `sock`; on failure the socket is closed and the stage named. */
export async function sshLogin(sock: Duplex, host: RemoteHost, o: LoginOptions): Promise<Client> {
  const client = new ssh2.Client();
  // errors are handled through the promise below and, once connected, by Connection;
  // this keeps a late second error during a failed login from going unhandled
  client.on('error', () => {});
  let mismatch: HostKeyMismatchError | undefined;
  const algorithms = o.hostKeys.algorithmsFor(host);
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
      client.once('close', () =>
        reject(new Error('the server closed the connection during login')),
      );
      client.connect({
        sock,
        username: host.user,
        privateKey: o.privateKey,
        readyTimeout: Math.max(1, o.deadline - Date.now()),
        keepaliveInterval: o.keepaliveIntervalMs,
        keepaliveCountMax: o.keepaliveCountMax,
        ...(algorithms ? { algorithms: { serverHostKey: algorithms as never } } : {}),
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          o.hostKeys.verify(host, key).then(
            () => verify(true),
            (e: unknown) => {
              if (e instanceof HostKeyMismatchError) mismatch = e;
              verify(false);
            },
          );
        },
      });
    });
  } catch (e) {
    client.end();
    sock.destroy();
    if (mismatch) throw mismatch;
    const err = e as Error & { level?: string };
    if (err.level === 'client-authentication') {
      throw new SshConnectError(
        host.name,
        'auth',
        `SSH login to ${describeHost(host)} was refused: the server did not accept the run key ` +
          `(${o.keyFingerprint}); it is not in ${host.user}'s authorized_keys there`,
        { cause: e },
      );
    }
    if (err.level === 'client-timeout') {
      throw new SshConnectError(
        host.name,
        'handshake',
        `no SSH login to ${describeHost(host)} within ${formatElapsed(o.timeoutMs)} (the handshake did not finish)`,
        { cause: e },
      );
    }
    throw new SshConnectError(
      host.name,
      'handshake',
      `SSH connection to ${describeHost(host)} failed during login: ${err.message}`,
      { cause: e },
    );
  }
  return client;
}
