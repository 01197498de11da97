/**
 * The end of a cloud provision: each host's SSH host keys read from what the
 * cloud shows of its boot (console output, guest attributes, serial log), then
 * a wait until SSH answers on every host.
 */
import type { RemotePool } from '../../remote/pool.js';
import type { Host, ProviderContext } from '../provider.js';
import type { Clock } from './clock.js';

/** What provisioning needs of the remote layer: the run's RemotePool. */
export type SshWaiter = Pick<RemotePool, 'waitForSsh'>;

export interface HostsReady {
  /** "aws", for messages */
  provider: string;
  /** the provider class, named when `ssh` is missing: "AwsProvider" */
  owner: string;
  /** where host keys are read from, for the warning: "console output" */
  source: string;
  clock: Clock;
  waits: {
    /** how long to look for one host's keys before trusting on first contact */
    hostKeysMs: number;
    /** until SSH answers on every host */
    sshMs: number;
  };
}

/**
 * Ask `readKeys` for each host's keys every 10 s until some come or the wait
 * is over (found keys are set on the host, a host without them gets a
 * warning); then wait until SSH answers on every host.
 */
export async function hostsReady(
  ssh: SshWaiter | undefined,
  hosts: Host[],
  readKeys: (index: number) => Promise<string[]>,
  how: HostsReady,
  ctx: ProviderContext,
): Promise<void> {
  const { clock, waits } = how;
  await Promise.all(
    hosts.map(async (host, i) => {
      const deadline = clock.now() + waits.hostKeysMs;
      let keys = await readKeys(i);
      while (!keys.length && clock.now() < deadline) {
        await clock.sleep(10_000, ctx.signal);
        keys = await readKeys(i);
      }
      if (keys.length) host.hostKeys = keys;
      else
        ctx.logger.warn(
          `${how.provider} ${host.name}: no host keys in the ${how.source} within ${Math.round(waits.hostKeysMs / 1000)} s; its key will be pinned on first contact.`,
        );
    }),
  );
  if (!ssh) {
    throw new Error(
      `${how.owner}.provision needs options.ssh (the run RemotePool) to wait for SSH`,
    );
  }
  const deadline = clock.now() + waits.sshMs;
  await Promise.all(
    hosts.map(async (h) => {
      await ssh.waitForSsh(
        {
          name: h.name,
          host: h.ssh.host,
          port: h.ssh.port,
          user: h.ssh.user,
          ...(h.hostKeys ? { hostKeys: h.hostKeys } : {}),
        },
        deadline,
      );
      ctx.logger.info(`${how.provider} ${h.name}: SSH answers at ${h.ssh.user}@${h.ssh.host}`);
    }),
  );
}
