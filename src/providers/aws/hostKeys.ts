/**
 * Host keys from an instance's console output. cloud-init prints the public
 * host keys between `-----BEGIN SSH HOST KEY KEYS-----` and
 * `-----END SSH HOST KEY KEYS-----`, one "type base64 comment" per line; a
 * console may wrap long lines or end them with CR LF. Every key returned is
 * checked structurally (its blob must decode into exactly the fields its type
 * has), so a wrapped or truncated key is never passed on as a pin.
 */
const BEGIN = '-----BEGIN SSH HOST KEY KEYS-----';
const END = '-----END SSH HOST KEY KEYS-----';

/** How many length-prefixed fields a key blob of each type holds (type name included). */
const FIELDS: Record<string, number> = {
  'ssh-ed25519': 2,
  'ssh-rsa': 3,
  'ecdsa-sha2-nistp256': 3,
  'ecdsa-sha2-nistp384': 3,
  'ecdsa-sha2-nistp521': 3,
  'ssh-dss': 5,
};

/** True when `b64` decodes into a complete key blob of `type`. */
export function isCompleteKey(type: string, b64: string): boolean {
  const fields = FIELDS[type];
  if (!fields || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return false;
  const blob = Buffer.from(b64, 'base64');
  let at = 0;
  for (let i = 0; i < fields; i++) {
    if (at + 4 > blob.length) return false;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return false;
    if (i === 0 && blob.subarray(at, at + len).toString('latin1') !== type) return false;
    at += len;
  }
  return at === blob.length;
}

/** "type base64" of every complete key in the console text's last key block (empty when none). */
export function hostKeysFromConsole(output: string): string[] {
  const text = output.replace(/\r/g, '');
  const end = text.lastIndexOf(END);
  if (end < 0) return [];
  const begin = text.lastIndexOf(BEGIN, end);
  if (begin < 0) return [];
  const lines = text
    .slice(begin + BEGIN.length, end)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const keys: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [type, first] = lines[i]!.split(/\s+/);
    if (!type || !first || !(type in FIELDS)) continue;
    let b64 = first;
    // a wrapped key continues on the next lines until its blob is complete
    for (let j = i + 1; !isCompleteKey(type, b64) && j < lines.length; j++) {
      const next = lines[j]!.split(/\s+/)[0]!;
      if (!/^[A-Za-z0-9+/]+=*$/.test(next)) break;
      b64 += next;
    }
    if (isCompleteKey(type, b64)) keys.push(`${type} ${b64}`);
  }
  return [...new Set(keys)];
}
