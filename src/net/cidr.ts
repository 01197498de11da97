/** IPv4 addresses and CIDR ranges as plain numbers; every value is validated on parse. */

export interface Cidr {
  /** network address as an unsigned 32-bit integer */
  base: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIp(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export type CidrParse =
  { ok: true; cidr: Cidr } | { ok: false; reason: string; suggestion?: string };

export function parseCidr(text: string): CidrParse {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return { ok: false, reason: 'is not an IPv4 range in CIDR form like 10.32.0.0/12' };
  const ip = parseIp(m[1]!);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) {
    return { ok: false, reason: 'is not an IPv4 range in CIDR form like 10.32.0.0/12' };
  }
  const base = networkOf(ip, prefix);
  if (base !== ip) {
    const suggestion = `${formatIp(base)}/${prefix}`;
    return { ok: false, reason: `has host bits set (the network is ${suggestion})`, suggestion };
  }
  return { ok: true, cidr: { base, prefix } };
}

export function mustParseCidr(text: string): Cidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`invalid CIDR ${text}: ${r.reason}`);
  return r.cidr;
}

export function networkOf(ip: number, prefix: number): number {
  if (prefix === 0) return 0;
  const size = 2 ** (32 - prefix);
  return Math.floor(ip / size) * size;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function lastAddress(c: Cidr): number {
  return c.base + size(c) - 1;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

export function contains(outer: Cidr, ip: number): boolean {
  return ip >= outer.base && ip <= lastAddress(outer);
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

/** The n-th address of a range (0 is the network address). */
export function nthAddress(c: Cidr, n: number): string {
  if (n < 0 || n >= size(c)) throw new Error(`address ${n} is outside ${formatCidr(c)}`);
  return formatIp(c.base + n);
}

export function netmask(prefix: number): string {
  return formatIp(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}
