import ssh2 from 'ssh2';

/**
 * An ed25519 key pair for tests. ssh2's generator drops a leading zero byte of
 * the public key about once in 256 keys, producing a key neither ssh2 nor
 * ssh-keygen can load; such pairs are drawn again.
 */
export function testKeyPair(comment: string): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    const parsed = ssh2.utils.parseKey(pair.private);
    const blob = Buffer.from(pair.public.split(/\s+/)[1] ?? '', 'base64');
    if (!(parsed instanceof Error) && blob.length === 51) return pair;
  }
}
