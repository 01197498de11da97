/**
 * Shared setup for the tests that run against a real OpenSSH sshd: the skip
 * decision (never skipped in CI), sshd instances on random loopback ports,
 * pools, and cleanup that runs even when a test fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import { HostKeyStore } from '../../src/remote/hostKeys.js';
import { generateRunKey, type RunKey } from '../../src/remote/keys.js';
import { RemotePool, type RemotePoolOptions } from '../../src/remote/pool.js';
import {
  startSshd,
  sshdUnavailableReason,
  type RunningSshd,
  type SshdOptions,
} from '../../src/remote/sshd.js';
import type { RemoteHost } from '../../src/remote/target.js';
import { unavailable } from '../support/requirements.js';

// CI installs openssh-server and runs as root: there a missing sshd fails instead of skipping
export const skipReason = unavailable('the real-sshd tests', sshdUnavailableReason());

/** describe() that says it is skipped, and why, when no real sshd can run here. */
export function describeWithSshd(title: string, body: () => void): void {
  if (skipReason) describe.skip(`${title} (skipped: ${skipReason})`, body);
  else describe(title, body);
}

export function randomTag(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Idempotent cleanup steps, run last-in first-out. */
export class Cleanup {
  private steps: (() => unknown)[] = [];
  add(step: () => unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const step of steps) {
      try {
        await step();
      } catch {
        // keep cleaning
      }
    }
  }
}

export function tempDir(cleanup: Cleanup, prefix = 'tungsten-e2e-ssh-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Server {
  sshd: RunningSshd;
  dir: string;
  tag: string;
  host: RemoteHost;
  /** stop (if running) and start again on the same port with the same keys */
  restart(extra?: Partial<SshdOptions>): Promise<RunningSshd>;
}

export async function startServer(
  cleanup: Cleanup,
  key: RunKey,
  options: Partial<SshdOptions> & { name?: string } = {},
): Promise<Server> {
  const dir = options.dir ?? tempDir(cleanup);
  const tag = options.tag ?? randomTag();
  const base: SshdOptions = { dir, tag, authorizedKeys: [key.publicKey], ...options };
  const server: Server = {
    sshd: await startSshd(base),
    dir,
    tag,
    host: { name: options.name ?? 'h1', host: '127.0.0.1', port: 0, user: 'root' },
    async restart(extra = {}) {
      await server.sshd.stop();
      server.sshd = await startSshd({ ...base, port: server.sshd.port, ...extra });
      return server.sshd;
    },
  };
  server.host.port = server.sshd.port;
  if (options.listenAddress) server.host.host = options.listenAddress;
  cleanup.add(() => server.sshd.stop());
  return server;
}

export function makePool(
  cleanup: Cleanup,
  key: RunKey,
  options: Partial<RemotePoolOptions> = {},
): { pool: RemotePool; logger: ReturnType<typeof memoryLogger>; hostKeys: HostKeyStore } {
  const logger = memoryLogger();
  const hostKeys = options.hostKeys ?? new HostKeyStore({ logger });
  const pool = new RemotePool({ privateKey: key.privateKey, hostKeys, logger, ...options });
  cleanup.add(() => pool.close());
  return { pool, logger, hostKeys };
}

export { generateRunKey };
