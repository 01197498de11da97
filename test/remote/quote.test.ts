import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildRemoteCommand,
  describeCommand,
  INLINE_SCRIPT_MAX_BYTES,
} from '../../src/remote/command.js';
import { checkEnvName, quoteArg, quoteArgv } from '../../src/remote/quote.js';
import { tempDir } from '../helpers.js';

/** What a real shell makes of a command line that runs `printf '%s\0' args…`. */
function wordsAfterShell(shell: string, line: string, cwd?: string): string[] {
  const out = execFileSync(shell, ['-c', line], { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  return out.split('\0').slice(1, -1);
}

/** printf prints each argument NUL-terminated (after a fixed first one, so no args prints nothing). */
const printfNul = (args: string[]) => ['printf', '%s\\0', '-', ...args];

const TRICKY = [
  "it's",
  'two words',
  '$(echo pwned)',
  '`echo pwned`',
  'line1\nline2',
  'tab\there',
  'ünïcødé ✓ 日本語',
  '',
  '-n',
  '*',
  '~',
  '$HOME',
  '\\back\\slash',
  '"dq"',
  "'",
  "''",
  'a=b',
  ';',
  '&&',
  '|',
  '>',
  '#x',
  '!',
  '%1',
  '{a,b}',
  '\r',
  ' lead',
  'trail ',
];

describe('quoteArgv', () => {
  for (const shell of ['bash', 'sh']) {
    it(`survives ${shell} byte for byte for awkward arguments`, () => {
      expect(wordsAfterShell(shell, quoteArgv(printfNul(TRICKY)))).toEqual(TRICKY);
    });

    it(`survives ${shell} for arbitrary unicode argv (property)`, () => {
      const arg = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('\0'));
      fc.assert(
        fc.property(fc.array(arg, { maxLength: 6 }), (args) => {
          expect(wordsAfterShell(shell, quoteArgv(printfNul(args)))).toEqual(args);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('negative control: a naive join is split, expanded and executed by the shell', () => {
    // unquoted random words can redirect (`>x`): the shell runs in a scratch directory
    const scratch = tempDir('te-quote-naive-');
    try {
      const naive = printfNul(TRICKY).join(' ');
      let words: string[] | Error;
      try {
        words = wordsAfterShell('bash', naive, scratch);
      } catch (e) {
        words = e as Error;
      }
      expect(words).not.toEqual(TRICKY);
      // and the property test above would have caught it
      expect(() =>
        fc.assert(
          fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }), (args) => {
            expect(wordsAfterShell('bash', printfNul(args).join(' '), scratch)).toEqual(args);
          }),
          { numRuns: 200 },
        ),
      ).toThrow();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('quotes reserved words and assignments in command position only', () => {
    expect(quoteArgv(['time', 'x'])).toBe("'time' x");
    expect(quoteArgv(['if'])).toBe("'if'");
    expect(quoteArgv(['A=b', 'A=b'])).toBe("'A=b' 'A=b'");
    expect(wordsAfterShell('bash', quoteArgv(printfNul(['time', 'A=b'])))).toEqual(['time', 'A=b']);
    // a quoted reserved word is looked up as a command, as exec of argv[0] would
    expect(() =>
      execFileSync('bash', ['-c', quoteArgv(['if', 'true'])], { stdio: 'pipe' }),
    ).toThrow(/if: command not found/);
  });

  it('leaves safe words bare and refuses NUL', () => {
    expect(quoteArg('/usr/bin/kubectl')).toBe('/usr/bin/kubectl');
    expect(quoteArg('a b')).toBe("'a b'");
    expect(quoteArg('')).toBe("''");
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
    expect(() => quoteArgv([])).toThrow(/empty/);
  });

  it('checks environment variable names', () => {
    expect(checkEnvName('KUBECONFIG')).toBe('KUBECONFIG');
    expect(() => checkEnvName('A B')).toThrow(/not a valid environment variable name/);
    expect(() => checkEnvName('1A')).toThrow();
  });
});

describe('buildRemoteCommand', () => {
  it('puts sudo, the timeout wrapper and env in front as plain words', () => {
    const line = buildRemoteCommand(['apt-get', 'install', '-y', 'kubelet=1.30.2-1.1'], {
      user: 'ubuntu',
      sudo: true,
      timeoutMs: 90_000,
      env: { DEBIAN_FRONTEND: 'noninteractive', NOTE: "it's $(x)" },
    });
    expect(line).toBe(
      "sudo -n -- timeout -k 3 90s env 'DEBIAN_FRONTEND=noninteractive' 'NOTE=it'\\''s $(x)' apt-get install -y 'kubelet=1.30.2-1.1'",
    );
    expect(
      wordsAfterShell(
        'bash',
        line.replace(/^sudo -n -- timeout -k 3 90s env /, 'printf %s\\\\0 - '),
      ),
    ).toEqual([
      'DEBIAN_FRONTEND=noninteractive',
      "NOTE=it's $(x)",
      'apt-get',
      'install',
      '-y',
      'kubelet=1.30.2-1.1',
    ]);
  });

  it('skips sudo for root and runs scripts with bash -c', () => {
    expect(buildRemoteCommand({ script: 'echo "$HOME"' }, { user: 'root', sudo: true })).toBe(
      `bash -c 'echo "$HOME"'`,
    );
    expect(buildRemoteCommand(['true'], { user: 'root', timeoutMs: 1500 })).toBe(
      'timeout -k 3 1.5s true',
    );
  });

  it('sends large scripts on stdin to a temporary file', () => {
    const big = { script: `# ${'x'.repeat(INLINE_SCRIPT_MAX_BYTES)}\necho hi` };
    const line = buildRemoteCommand(big, { user: 'root' });
    expect(line.length).toBeLessThan(200);
    expect(line).toContain('mktemp');
  });

  it('rejects bad env names and timeouts', () => {
    expect(() => buildRemoteCommand(['true'], { user: 'root', env: { 'A;B': 'x' } })).toThrow();
    expect(() => buildRemoteCommand(['true'], { user: 'root', timeoutMs: 0 })).toThrow(/positive/);
  });

  it('describes commands for messages', () => {
    expect(describeCommand(['kubectl', 'get', 'pods', '-A'])).toBe('kubectl get pods -A');
    expect(describeCommand({ script: '\nset -e\napt-get update\n' })).toBe(
      'script: set -e … (2 lines)',
    );
    expect(describeCommand(['echo', 'x'.repeat(500)]).length).toBeLessThanOrEqual(240);
  });
});
