import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteArg, quoteArgv } from '../../src/remote/quote.js';

/** What a real POSIX shell makes of a quoted line: the argv printf receives, NUL-separated. */
function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', line], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('quote (stand-in with the SSH layer’s names and signatures)', () => {
  const nasty = [
    '',
    'plain',
    'with space',
    "it's",
    '$(id)',
    '`id`',
    '$HOME',
    'a\nb',
    '"dq"',
    '*',
    '-n',
    '\\',
    '; rm -rf /',
    'GET / HTTP/1.0\\r\\n',
  ];

  it('arrives byte-exact through a real shell', () => {
    expect(shellWords(quoteArgv(['printf', '%s\\0', ...nasty]))).toEqual(nasty);
  });

  it('arrives byte-exact for any string without NUL (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0')),
          { maxLength: 5 },
        ),
        (args) => {
          // a first word, since printf with no argument still prints its format once
          const words = shellWords(quoteArgv(['printf', '%s\\0', 'first', ...args]));
          return JSON.stringify(words) === JSON.stringify(['first', ...args]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('leaves safe words alone and refuses NUL', () => {
    // outside command position an assignment-looking word needs no quotes (the SSH layer's helper leaves it bare)
    expect(['app=contrail-controller-control', "'app=contrail-controller-control'"]).toContain(
      quoteArg('app=contrail-controller-control'),
    );
    expect(quoteArg('10.96.0.10')).toBe('10.96.0.10');
    expect(() => quoteArg('a\0b')).toThrow(TypeError);
    expect(() => quoteArgv([])).toThrow(TypeError);
  });
});
