import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputBuffer, TrailerScanner } from '../../src/remote/output.js';

function chunksOf(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  out.push(bytes.subarray(start));
  return out;
}

describe('TrailerScanner', () => {
  it('separates output from the trailer however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (raw, cuts) => {
          const marker = Buffer.from('te0123456789abcdef ');
          const body = Buffer.from(raw);
          fc.pre(body.indexOf(marker) < 0);
          const stream = Buffer.concat([body, marker, Buffer.from('42\n')]);
          const scanner = new TrailerScanner(marker);
          const seen = chunksOf(stream, cuts).map((c) => scanner.push(c));
          expect(Buffer.concat(seen).equals(body)).toBe(true);
          expect(scanner.trailer).toBe('42');
        },
      ),
    );
  });

  it('does not finish without the marker (negative control)', () => {
    const scanner = new TrailerScanner(Buffer.from('te01 '));
    scanner.push(Buffer.from('te0 te1 '));
    expect(scanner.done).toBe(false);
  });
});

describe('OutputBuffer', () => {
  it('keeps bytes up to the cap and says it truncated', () => {
    const buf = new OutputBuffer(10);
    buf.push(Buffer.from('0123456'));
    buf.push(Buffer.from('789abc'));
    expect(buf.text()).toBe('0123456789');
    expect(buf.truncated).toBe(true);
    expect(buf.total).toBe(13);
  });

  it('hands out whole lines, also across chunks and multibyte characters', () => {
    const lines: string[] = [];
    const buf = new OutputBuffer(100, (l) => lines.push(l));
    const text = Buffer.from('ab\nc✓d\r\nlast');
    buf.push(text.subarray(0, 5));
    buf.push(text.subarray(5));
    buf.flush();
    expect(lines).toEqual(['ab', 'c✓d', 'last']);
  });
});
