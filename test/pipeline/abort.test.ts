/**
 * Cancellation reaches every wait: an SSH command in flight is given up at
 * once, no command starts after the abort, a phase records `cancelled` and
 * does not start its work after the abort, and work that ignores the signal
 * is abandoned after the grace period. The controls: the same calls without
 * an abort pass their results through untouched.
 */
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ExitCode, InfraError } from '../../src/errors.js';
import { listenForInterrupt } from '../../src/commands/interrupt.js';
import type { RemoteRunner } from '../../src/fabric/fabric.js';
import { memoryLogger } from '../../src/log.js';
import { abortableRemote, settleOrAbandon, unlessAborted } from '../../src/pipeline/abort.js';
import { CANCEL_GRACE_MS, phase } from '../../src/pipeline/phase.js';
import { lastStep } from '../../src/pipeline.js';
import type { RemoteHost } from '../../src/remote/target.js';
import { StateStore } from '../../src/state/runState.js';
import { tempDir } from '../helpers.js';

const host = { name: 'east-master', host: '198.18.0.2', port: 22, user: 'root' } as RemoteHost;
const never = <T>() => new Promise<T>(() => {});
const elapsed = async (p: Promise<unknown>): Promise<{ error?: Error; ms: number }> => {
  const t = Date.now();
  const error = await p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { ...(error ? { error } : {}), ms: Date.now() - t };
};

describe('unlessAborted and settleOrAbandon', () => {
  it('pass results and errors through when nothing aborts (the control)', async () => {
    const signal = new AbortController().signal;
    await expect(unlessAborted(Promise.resolve(7), signal)).resolves.toBe(7);
    await expect(unlessAborted(Promise.reject(new Error('boom')), signal)).rejects.toThrow('boom');
    await expect(settleOrAbandon(Promise.resolve(8), signal, 10)).resolves.toBe(8);
  });

  it('give up a pending promise the moment the signal aborts, with its reason', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(new CancelledError('SIGINT')), 20);
    const r = await elapsed(unlessAborted(never(), c.signal));
    expect(r).toMatchObject({ error: { message: 'cancelled by SIGINT' } });
    expect(r.ms).toBeLessThan(500);
  });

  it('settleOrAbandon lets work that stops by itself finish, and abandons work that does not after the grace', async () => {
    const c = new AbortController();
    c.abort(new CancelledError('SIGTERM'));
    const stops = new Promise((resolve) => setTimeout(() => resolve('stopped cleanly'), 20));
    await expect(settleOrAbandon(stops, c.signal, 1_000)).resolves.toBe('stopped cleanly');
    const r = await elapsed(settleOrAbandon(never(), c.signal, 100));
    expect(r).toMatchObject({ error: { message: 'cancelled by SIGTERM' } });
    expect(r.ms).toBeGreaterThanOrEqual(90);
  });
});

describe('abortableRemote', () => {
  it('gives up a command in flight at once, and starts none after the abort', async () => {
    const calls: string[] = [];
    const remote: RemoteRunner = {
      exec: (_h, command) => {
        calls.push(JSON.stringify(command));
        return never();
      },
      upload: (_h, path) => {
        calls.push(`upload ${path}`);
        return never();
      },
      uploadFile: (_h, path) => {
        calls.push(`uploadFile ${path}`);
        return never();
      },
      reboot: () => never(),
      forward: () => never(),
    };
    const c = new AbortController();
    const wrapped = abortableRemote(remote, c.signal);
    const inFlight = wrapped.exec(host, ['sleep', '3600']);
    c.abort(new CancelledError('SIGINT'));
    await expect(inFlight).rejects.toThrow('cancelled by SIGINT');
    await expect(wrapped.exec(host, ['true'])).rejects.toThrow('cancelled by SIGINT');
    await expect(wrapped.upload(host, '/tmp/x', 'x')).rejects.toThrow('cancelled by SIGINT');
    await expect(wrapped.uploadFile(host, '/tmp/x', '/etc/hostname')).rejects.toThrow(
      'cancelled by SIGINT',
    );
    expect(calls).toEqual(['["sleep","3600"]']);
  });

  it('passes results through while the signal stands (the control)', async () => {
    const remote: RemoteRunner = {
      exec: async () => ({ code: 0, stdout: 'ok\n', stderr: '' }),
      upload: async () => {},
      uploadFile: async () => {},
      reboot: async () => {},
      forward: () => Promise.reject(new Error('no forwards here')),
    };
    const wrapped = abortableRemote(remote, new AbortController().signal);
    await expect(wrapped.exec(host, ['true'])).resolves.toEqual({
      code: 0,
      stdout: 'ok\n',
      stderr: '',
    });
  });
});

describe('phase', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const store = async () => {
    const dir = tempDir('te-phase-');
    dirs.push(dir);
    return StateStore.create(join(dir, 'state'), {
      runId: 'kphs01',
      createdAt: new Date().toISOString(),
      expiresAt: new Date().toISOString(),
      source: { sites: 'examples/local.yml', overrides: {} },
    });
  };

  it('records a phase cancelled mid-way with the reason, at once when its wait observes the signal', async () => {
    const s = await store();
    const c = new AbortController();
    const logger = memoryLogger();
    const wait = (signal: AbortSignal) =>
      new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    setTimeout(() => c.abort(new CancelledError('SIGINT')), 20);
    const r = await elapsed(phase(s, 'ready', logger, c.signal, () => wait(c.signal)));
    expect(r.error?.message).toBe('cancelled by SIGINT');
    expect(r.ms).toBeLessThan(500);
    expect(s.state.phases).toEqual([
      expect.objectContaining({ name: 'ready', status: 'cancelled', error: 'cancelled by SIGINT' }),
    ]);
    expect(logger.lines.some((l) => /^warn:ready: cancelled after/.test(l))).toBe(true);
  });

  it('abandons work that ignores the signal after the grace period, and records it cancelled', async () => {
    const s = await store();
    const c = new AbortController();
    // cancelled once the work runs (a timer set before could fire while the phase is still
    // recording its start on a busy machine, and then no work would start at all)
    const r = await elapsed(
      phase(s, 'install', memoryLogger(), c.signal, () => {
        setTimeout(() => c.abort(new CancelledError('SIGINT')), 10);
        return never();
      }),
    );
    expect(r.error?.message).toBe('cancelled by SIGINT');
    expect(r.ms).toBeGreaterThanOrEqual(CANCEL_GRACE_MS - 50);
    expect(s.state.phases[0]).toMatchObject({ name: 'install', status: 'cancelled' });
  }, 10_000);

  it('does not start its work once the signal has aborted, and records where the run stopped', async () => {
    const s = await store();
    const c = new AbortController();
    c.abort(new CancelledError('SIGTERM'));
    let started = false;
    await expect(
      phase(s, 'connect', memoryLogger(), c.signal, async () => {
        started = true;
      }),
    ).rejects.toThrow('cancelled by SIGTERM');
    expect(started).toBe(false);
    expect(s.state.phases[0]).toMatchObject({ name: 'connect', status: 'cancelled' });
  });

  it('records the steps a fabric takes inside it, and a failed step names itself in the error (its class kept)', async () => {
    const s = await store();
    const logger = memoryLogger();
    const e = await phase(s, 'install', logger, new AbortController().signal, async (step) => {
      await step('east', 'control node', async () => 'ok');
      await step('east', 'kernel', async () => {
        throw new InfraError('uname -r says 3.10.0-957, the profile pins 3.10.0-862.14.4');
      });
    }).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(InfraError);
    expect(e!.message).toBe(
      'east: step "kernel": uname -r says 3.10.0-957, the profile pins 3.10.0-862.14.4',
    );
    const [install] = s.state.phases;
    expect(install).toMatchObject({ name: 'install', status: 'failed', error: e!.message });
    expect(install!.steps).toEqual([
      expect.objectContaining({ site: 'east', name: 'control node', status: 'ok' }),
      expect.objectContaining({
        site: 'east',
        name: 'kernel',
        status: 'failed',
        error: 'uname -r says 3.10.0-957, the profile pins 3.10.0-862.14.4',
      }),
    ]);
    expect(install!.steps!.every((st) => st.endedAt)).toBe(true);
    // on disk too, so a later down or up sees how far it got
    const again = await StateStore.open(s.dir);
    expect(again.state.phases[0]!.steps).toHaveLength(2);
    expect(lastStep(again.state)).toBe('install east: kernel (failed)');
    expect(logger.lines).toContain('info:install east: control node…');
    expect(logger.lines.some((l) => /^info:install east: control node: done in /.test(l))).toBe(
      true,
    );
  });

  it('records a plain failure as failed (the control)', async () => {
    const s = await store();
    await expect(
      phase(s, 'install', memoryLogger(), new AbortController().signal, async () => {
        throw new Error('bird did not start');
      }),
    ).rejects.toThrow('bird did not start');
    expect(s.state.phases[0]).toMatchObject({ status: 'failed', error: 'bird did not start' });
  });
});

describe('listenForInterrupt', () => {
  const setup = (hardExitAfterMs?: number) => {
    const target = new EventEmitter() as unknown as NodeJS.Process;
    const exits: number[] = [];
    const logger = memoryLogger();
    const interrupt = listenForInterrupt({
      logger,
      firstMessage: (sig) => `${sig}: stopping`,
      exit: (code) => exits.push(code),
      target,
      ...(hardExitAfterMs !== undefined ? { hardExitAfterMs } : {}),
    });
    const send = (sig: NodeJS.Signals) => (target as unknown as EventEmitter).emit(sig, sig);
    return { interrupt, exits, logger, send, target };
  };

  it('the first signal aborts with a CancelledError naming it; the second exits 130 with the down command', () => {
    const { interrupt, exits, logger, send } = setup();
    interrupt.setDownCommand('sudo tungsten-e2e down --state .tungsten-e2e/abc123');
    expect(interrupt.signal.aborted).toBe(false);
    send('SIGINT');
    expect(interrupt.received).toBe('SIGINT');
    expect(interrupt.signal.reason).toBeInstanceOf(CancelledError);
    expect((interrupt.signal.reason as Error).message).toBe('cancelled by SIGINT');
    expect(exits).toEqual([]);
    send('SIGTERM');
    expect(exits).toEqual([ExitCode.interrupted]);
    expect(logger.lines).toEqual([
      'warn:SIGINT: stopping',
      'error:SIGTERM again: exiting now; what the run made is left standing: tear it down with "sudo tungsten-e2e down --state .tungsten-e2e/abc123"',
    ]);
    interrupt.dispose();
  });

  it('the action: exits on its own once the grace after the first signal runs out', async () => {
    const { interrupt, exits, send } = setup(50);
    send('SIGINT');
    await new Promise((r) => setTimeout(r, 120));
    expect(exits).toEqual([ExitCode.interrupted]);
    interrupt.dispose();
  });

  it('after dispose, signals are not handled any more', () => {
    const { interrupt, send, target } = setup();
    interrupt.dispose();
    expect((target as unknown as EventEmitter).listenerCount('SIGINT')).toBe(0);
    send('SIGINT');
    expect(interrupt.signal.aborted).toBe(false);
  });
});
