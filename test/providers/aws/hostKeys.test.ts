import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { hostKeysFromConsole, isCompleteKey } from '../../../src/providers/aws/hostKeys.js';
import { testKeyPair } from '../keys.js';

const typeAndKey = (line: string) => line.split(/\s+/).slice(0, 2).join(' ');

/** Wrap a line at `width` columns, as a serial console does. */
const wrap = (line: string, width = 80) =>
  line.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\r\n');

describe('host keys from the console', () => {
  const ed = typeAndKey(testKeyPair('root@ip-172-16-0-10').public);
  const ecdsa = typeAndKey(ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }).public);
  const rsa = typeAndKey(ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 }).public);

  const consoleText = (body: string[]) =>
    [
      '[    4.2] cloud-init[900]: Generating public/private ed25519 key pair.',
      '<14>Jan  1 00:00:09 ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
      '<14>Jan  1 00:00:09 ec2: 256 SHA256:abc root@ip (ED25519)',
      '<14>Jan  1 00:00:09 ec2: -----END SSH HOST KEY FINGERPRINTS-----',
      '-----BEGIN SSH HOST KEY KEYS-----',
      ...body,
      '-----END SSH HOST KEY KEYS-----',
      '[   11.0] cloud-init[1100]: Cloud-init v. 23.4 finished',
    ].join('\r\n');

  it('reads every key of the block, with CR LF line ends and comments dropped', () => {
    const text = consoleText([`${ecdsa} root@ip`, `${ed} root@ip`, `${rsa} root@ip`]);
    expect(hostKeysFromConsole(text)).toEqual([ecdsa, ed, rsa]);
  });

  it('joins keys the console wrapped across lines', () => {
    const text = consoleText([
      wrap(`${ecdsa} root@ip-172-16-0-10`),
      wrap(`${rsa} root@ip`),
      `${ed}`,
    ]);
    expect(hostKeysFromConsole(text)).toEqual([ecdsa, rsa, ed]);
  });

  it('drops a truncated key and reads nothing without a complete block', () => {
    const cut = ed.slice(0, ed.length - 6);
    expect(hostKeysFromConsole(consoleText([cut, rsa]))).toEqual([rsa]);
    expect(hostKeysFromConsole(`-----BEGIN SSH HOST KEY KEYS-----\r\n${ed}\r\n`)).toEqual([]);
    expect(hostKeysFromConsole('')).toEqual([]);
  });

  it('takes the last block when the console holds several boots', () => {
    const other = typeAndKey(testKeyPair('x').public);
    const text = `${consoleText([ed])}\r\n${consoleText([other])}`;
    expect(hostKeysFromConsole(text)).toEqual([other]);
  });

  it('checks a key blob field by field', () => {
    const [type, b64] = ed.split(' ') as [string, string];
    expect(isCompleteKey(type, b64)).toBe(true);
    expect(isCompleteKey('ssh-rsa', b64)).toBe(false);
    const longer = Buffer.concat([Buffer.from(b64, 'base64'), Buffer.from([0])]).toString('base64');
    expect(isCompleteKey(type, longer)).toBe(false);
  });
});
