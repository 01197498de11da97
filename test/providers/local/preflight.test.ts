import { describe, expect, it } from 'vitest';
import {
  missingTools,
  missingToolsError,
  NOT_ROOT,
} from '../../../src/providers/local/preflight.js';
import { ownsCommandLine } from '../../../src/providers/local/naming.js';

describe('local preflight', () => {
  it('names the missing tools and the one apt-get line that installs them', () => {
    const missing = missingTools((name) =>
      ['bird', 'birdc', 'nft'].includes(name) ? undefined : `/usr/sbin/${name}`,
    );
    expect(missing.map((m) => m.tool)).toEqual(['bird', 'birdc', 'nft']);
    expect(missingToolsError(missing).message).toBe(
      'the local provider needs bird, birdc and nft, which are not installed; install them with: sudo apt-get install -y bird2 nftables',
    );
    expect(missingToolsError([{ tool: 'sshd', pkg: 'openssh-server' }]).message).toBe(
      'the local provider needs sshd, which is not installed; install it with: sudo apt-get install -y openssh-server',
    );
    expect(missingTools(() => '/bin/x')).toEqual([]);
  });

  it('tells a user without root to use sudo, in one sentence', () => {
    expect(NOT_ROOT).toMatch(/^the local provider .* needs root: run the command with sudo/);
    expect(NOT_ROOT.split('. ').length).toBe(1);
  });

  it("finds a run's processes by the run directory in their argv only", () => {
    expect(
      ownsCommandLine('ab12cd', [
        'bird',
        '-c',
        '/run/tungsten-e2e/ab12cd/east-master/control.conf',
      ]),
    ).toBe(true);
    expect(
      ownsCommandLine('ab12cd', ['bird', '-c', '/run/tungsten-e2e/ab12cdx/control.conf']),
    ).toBe(false);
    expect(ownsCommandLine('ab12cd', ['sleep', 'ab12cd'])).toBe(false);
  });
});
