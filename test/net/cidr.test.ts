import { describe, expect, it } from 'vitest';
import {
  formatCidr,
  mustParseCidr,
  netmask,
  nthAddress,
  overlaps,
  parseCidr,
  parseIp,
} from '../../src/net/cidr.js';

describe('cidr', () => {
  it('parses and formats', () => {
    expect(formatCidr(mustParseCidr('10.32.0.0/12'))).toBe('10.32.0.0/12');
    expect(parseIp('255.255.255.255')).toBe(4294967295);
    expect(netmask(12)).toBe('255.240.0.0');
    expect(nthAddress(mustParseCidr('172.16.0.0/24'), 10)).toBe('172.16.0.10');
  });

  it.each([
    '10.0.0.0',
    '10.0.0/8',
    '256.0.0.0/8',
    '10.0.0.0/33',
    '01.0.0.0/8',
    'a.b.c.d/8',
    '10.0.0.0/-1',
  ])('refuses %s', (text) => {
    expect(parseCidr(text).ok).toBe(false);
  });

  it('refuses host bits and names the network', () => {
    expect(parseCidr('10.33.0.0/12')).toEqual({
      ok: false,
      reason: 'has host bits set (the network is 10.32.0.0/12)',
      suggestion: '10.32.0.0/12',
    });
  });

  it('detects overlap, containment and adjacency correctly', () => {
    const c = mustParseCidr;
    expect(overlaps(c('10.32.0.0/12'), c('10.40.0.0/16'))).toBe(true);
    expect(overlaps(c('10.40.0.0/16'), c('10.32.0.0/12'))).toBe(true);
    expect(overlaps(c('10.32.0.0/12'), c('10.48.0.0/12'))).toBe(false);
    expect(overlaps(c('0.0.0.0/0'), c('192.168.1.0/24'))).toBe(true);
    expect(overlaps(c('192.168.1.0/25'), c('192.168.1.128/25'))).toBe(false);
  });

  it('addresses past the end of a range are refused', () => {
    expect(() => nthAddress(mustParseCidr('10.0.0.0/30'), 4)).toThrow();
  });
});
