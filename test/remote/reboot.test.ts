/**
 * reboot() against a real sshd whose "machine" reboots: the reboot command
 * asks the test (through a trigger file) to take sshd down, change the boot id
 * the helper reads, and bring sshd back on the same port with the same keys.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RemoteError } from '../../src/remote/errors.js';
import { DEFAULT_BOOT_ID_COMMAND, DEFAULT_REBOOT_COMMAND } from '../../src/remote/pool.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  sleep,
  startServer,
  type Server,
} from './harness.js';

const key = generateRunKey();
const each = new Cleanup();
afterEach(() => each.run());

/** Plays the machine: on the trigger, sshd goes down for `downMs`, then comes back (with a new boot id if asked). */
function simulateMachine(server: Server, opts: { changeBootId: boolean; downMs: number }) {
  const trigger = join(server.dir, 'reboot-requested');
  const bootId = join(server.dir, 'boot_id');
  writeFileSync(bootId, 'boot-1\n');
  const events: string[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      if (existsSync(trigger)) {
        rmSync(trigger);
        events.push('down');
        await server.sshd.stop();
        await sleep(opts.downMs);
        if (opts.changeBootId) writeFileSync(bootId, 'boot-2\n');
        await server.restart();
        events.push('up');
      }
      await sleep(20);
    }
  })();
  each.add(async () => {
    stopped = true;
    await loop;
  });
  return {
    events,
    options: { command: ['touch', trigger], bootIdCommand: ['cat', bootId], sudo: false },
  };
}

describeWithSshd('reboot helper (simulated machine on a real sshd)', () => {
  it('issues the reboot, sees the drop, waits for SSH and proves the boot id changed', async () => {
    const server = await startServer(each, key);
    const machine = simulateMachine(server, { changeBootId: true, downMs: 1500 });
    const { pool, logger } = makePool(each, key);
    await pool.run(server.host, ['true']);
    const started = Date.now();
    await pool.reboot(server.host, Date.now() + 30_000, machine.options);
    expect(machine.events).toEqual(['down', 'up']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    const log = logger.lines.join('\n');
    expect(log).toMatch(/h1: rebooting \(boot id boot-1\)/);
    expect(log).toMatch(/h1: went down after/);
    expect(log).toMatch(/h1: back after \d+\.\ds with a new boot id \(boot-2\)/);
    expect((await pool.run(server.host, ['cat', machine.options.bootIdCommand[1]!])).stdout).toBe(
      'boot-2\n',
    );
  });

  it('negative control: a machine that comes back with the same boot id did not reboot', async () => {
    const server = await startServer(each, key);
    const machine = simulateMachine(server, { changeBootId: false, downMs: 300 });
    const { pool } = makePool(each, key);
    const err = await pool
      .reboot(server.host, Date.now() + 4000, machine.options)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as Error).message).toMatch(
      /h1 answered again after \d+\.\ds but its boot id is unchanged \(boot-1\)/,
    );
  });

  it('negative control: a reboot command that does nothing is reported', async () => {
    const server = await startServer(each, key);
    const { pool } = makePool(each, key);
    const bootId = join(server.dir, 'boot_id');
    writeFileSync(bootId, 'boot-1\n');
    const err = await pool
      .reboot(server.host, 1500, { command: ['true'], bootIdCommand: ['cat', bootId], sudo: false })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /h1 did not go down within 1\.\ds of the reboot command \(true\)/,
    );
  });

  it('defaults to the real boot id and a detached systemctl reboot', () => {
    expect(DEFAULT_BOOT_ID_COMMAND).toEqual(['cat', '/proc/sys/kernel/random/boot_id']);
    expect(JSON.stringify(DEFAULT_REBOOT_COMMAND)).toMatch(/systemctl reboot \|\| reboot/);
  });
});
