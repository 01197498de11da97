/**
 * Commands on this host. The local provider runs as root (the CLI re-runs
 * itself through passwordless sudo when it is not, see src/commands/root.ts),
 * so argv goes straight to execve: no shell, no sudo.
 */
import { spawn } from 'node:child_process';
import { InfraError } from '../../errors.js';

export interface SysResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SysOptions {
  stdin?: string;
  /** return non-zero exits instead of throwing */
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface Sys {
  run(argv: readonly string[], options?: SysOptions): Promise<SysResult>;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export const hostSys: Sys = { run: (argv, options = {}) => exec([...argv], options) };

function exec(argv: string[], options: SysOptions): Promise<SysResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new InfraError(`cannot run ${argv[0]}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = {
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (timedOut) {
        reject(new InfraError(`${argv.join(' ')} did not finish within ${options.timeoutMs} ms`));
      } else if (result.code !== 0 && !options.allowFail) {
        const why = result.stderr.trim() || result.stdout.trim() || `killed by ${signal}`;
        reject(new InfraError(`${argv.join(' ')} failed (exit ${result.code}): ${why}`));
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

/** Run `ip -batch -` (in a namespace when given); stops at the first failing line. */
export async function ipBatch(sys: Sys, lines: readonly string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const argv = netns ? ['ip', '-n', netns, '-batch', '-'] : ['ip', '-batch', '-'];
  const r = await sys.run(argv, { stdin: `${lines.join('\n')}\n`, allowFail: true });
  if (r.code !== 0) {
    const failed = /Command failed -:(\d+)/.exec(r.stderr);
    const line = failed ? lines[Number(failed[1]) - 1] : undefined;
    throw new InfraError(
      `ip${netns ? ` -n ${netns}` : ''}: ${line ? `"${line}" failed: ` : ''}${r.stderr.replace(/Command failed -:\d+\s*/, '').trim()}`,
    );
  }
}
