/**
 * The emulated pods' prober (programs.ts PROBE), run as written with this
 * host's node against real sockets on the loopback: one outcome per target in
 * order, each kind of answer, and a starved prober that must not take a
 * connection the kernel made meanwhile for a drop.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../../src/fabric/fabric.js';
import { PROBE } from '../../../src/fabric/emulated/programs.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'te-prober-'));
const servers: Server[] = [];

function listen(onConnection: (socket: Socket) => void): Promise<number> {
  // a prober that gives up resets the connection: that is no error of the test's server
  const server = createServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket);
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

async function probe(program: string, timeoutMs: number, targets: string[]) {
  const file = join(dir, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, program);
  const { stdout } = await run(process.execPath, [file, String(timeoutMs), ...targets]);
  return JSON.parse(stdout) as ProbeOutcome[];
}

/** The prober, blocked for `ms` right after its connects were issued (a starved process). */
const STARVED = (program: string, ms: number) =>
  program.replace(
    'const outcomes = await Promise.all(targets.map(probe));',
    `const pending = targets.map(probe); const t0 = Date.now(); while (Date.now() - t0 < ${ms}) {} const outcomes = await Promise.all(pending);`,
  );

let echo = 0;
let silent = 0;
let closed = 0;

beforeAll(async () => {
  echo = await listen((s) => s.end('echo-x\n'));
  silent = await listen(() => {});
  closed = await listen(() => {});
  await new Promise((r) => servers.pop()!.close(r));
});

afterAll(async () => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the emulated prober', () => {
  it('answers one outcome per target, in order: connected with the reply, refused, and connected without a reply is an error', async () => {
    const out = await probe(PROBE, 500, [
      `127.0.0.1:${closed}`,
      `127.0.0.1:${echo}`,
      `127.0.0.1:${silent}`,
    ]);
    expect(out.map((o) => o.result)).toEqual(['refused', 'connected', 'error']);
    expect(out[0]!.detail).toMatch(/^ECONNREFUSED /);
    expect(out[1]!.detail).toBe('echo-x');
    expect(out[2]!.detail).toMatch(/^connected in \d+ ms, but no reply within 500 ms more$/);
    expect(await probe(PROBE, 500, [])).toEqual([]);
  });

  it('a prober starved of CPU past its timeout still sees the connection the kernel made', async () => {
    const program = STARVED(PROBE, 1_000);
    expect(program).not.toBe(PROBE);
    const [seen] = await probe(program, 200, [`127.0.0.1:${echo}`]);
    expect(seen).toMatchObject({ result: 'connected', detail: 'echo-x' });
  });

  it('negative control: deciding in the timer itself takes that connection for a drop', async () => {
    const eager = STARVED(PROBE, 1_000).replace(
      'setImmediate(() => check() && finish(result, detail))',
      'check() && finish(result, detail)',
    );
    expect(eager).not.toContain('setImmediate');
    const [seen] = await probe(eager, 200, [`127.0.0.1:${echo}`]);
    expect(seen!.result).toBe('timeout');
  });
});
