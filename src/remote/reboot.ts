/**
 * A reboot that is proven: read the boot id, issue the reboot, see the
 * connection drop, wait for SSH to return, and check the boot id changed (an
 * sshd still shutting down may answer once more with the old one). The pool
 * (pool.ts) offers it as `reboot`; this module needs only what
 * `RebootablePool` names.
 */
import type { Logger } from '../log.js';
import { describeCommand, type RemoteCommand } from './command.js';
import { ConnectionLostError, formatElapsed, HostKeyMismatchError, RemoteError } from './errors.js';
import type { ExecOptions, ExecResult } from './pool.js';
import type { RemoteHost } from './target.js';
import { settlesWithin, sleep } from './wait.js';

export interface RebootOptions {
  /** what issues the reboot; default: a detached `systemctl reboot || reboot` one second later, with sudo */
  command?: RemoteCommand;
  /** what prints the boot id; default `cat /proc/sys/kernel/random/boot_id` */
  bootIdCommand?: RemoteCommand;
  /** run the reboot command with sudo (default true) */
  sudo?: boolean;
}

export const DEFAULT_BOOT_ID_COMMAND: RemoteCommand = ['cat', '/proc/sys/kernel/random/boot_id'];
/** Returns at once; the machine goes down a second later, so the caller sees a clean exit first. */
export const DEFAULT_REBOOT_COMMAND: RemoteCommand = {
  script: 'setsid sh -c "sleep 1; systemctl reboot || reboot" </dev/null >/dev/null 2>&1 &',
};

/** What a reboot needs of the SSH pool. */
export interface RebootablePool {
  /** a command that must exit 0 */
  run(host: RemoteHost, command: RemoteCommand, options?: ExecOptions): Promise<ExecResult>;
  waitForSsh(host: RemoteHost, deadline: number): Promise<void>;
  disconnect(host: RemoteHost): Promise<void>;
  /** the host's connection (made if there is none): when it closes */
  connectionClosed(host: RemoteHost): Promise<{ closed: Promise<void> }>;
}

/** Reboot `host` by `deadline` (epoch ms, or a duration below 1e12). */
export async function rebootHost(
  pool: RebootablePool,
  host: RemoteHost,
  deadline: number,
  opts: RebootOptions,
  logger: Logger,
): Promise<void> {
  const started = Date.now();
  const until = deadline < 1e12 ? started + deadline : deadline;
  const bootIdCommand = opts.bootIdCommand ?? DEFAULT_BOOT_ID_COMMAND;
  const readBootId = async () => {
    const r = await pool.run(host, bootIdCommand, { timeoutMs: 30_000 });
    const id = r.stdout.trim();
    if (!id)
      throw new RemoteError(
        host.name,
        `${host.name}: ${describeCommand(bootIdCommand)} printed no boot id`,
      );
    return id;
  };
  const before = await readBootId();
  const conn = await pool.connectionClosed(host);
  const command = opts.command ?? DEFAULT_REBOOT_COMMAND;
  logger.info(`${host.name}: rebooting (boot id ${before})`);
  try {
    await pool.run(host, command, { sudo: opts.sudo ?? true, timeoutMs: 60_000 });
  } catch (e) {
    // the reboot may take the connection down before the command reports back
    if (!(e instanceof ConnectionLostError)) throw e;
  }
  const dropped = await settlesWithin(conn.closed, until - Date.now());
  if (!dropped) {
    throw new RemoteError(
      host.name,
      `${host.name} did not go down within ${formatElapsed(Date.now() - started)} of the reboot command (${describeCommand(command)})`,
    );
  }
  logger.info(
    `${host.name}: went down after ${formatElapsed(Date.now() - started)}; waiting for it to return`,
  );
  const unchanged = () =>
    new RemoteError(
      host.name,
      `${host.name} answered again after ${formatElapsed(Date.now() - started)} but its boot id is unchanged (${before}): it did not reboot`,
    );
  let sameIdSeen = false;
  for (;;) {
    try {
      await pool.waitForSsh(host, until);
    } catch (e) {
      if (sameIdSeen && !(e instanceof HostKeyMismatchError)) throw unchanged();
      throw e;
    }
    const after = await readBootId();
    if (after !== before) {
      logger.info(
        `${host.name}: back after ${formatElapsed(Date.now() - started)} with a new boot id (${after})`,
      );
      return;
    }
    sameIdSeen = true;
    if (Date.now() >= until) throw unchanged();
    // an sshd that is still shutting down can answer once more; look again shortly
    await pool.disconnect(host);
    await sleep(Math.min(1000, Math.max(0, until - Date.now())));
  }
}
