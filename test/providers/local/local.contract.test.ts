import { describe, it } from 'vitest';
import { IS_ROOT, noteSkip, SKIP_REASON } from '../../local/helpers.js';
import { providerContract } from '../contract.js';
import { localFixture } from './localFixture.js';

noteSkip('Provider contract: local');

if (IS_ROOT) {
  // real namespaces, links and sshd processes on this host
  providerContract('local', localFixture, { timeoutMs: 60_000 });
} else {
  describe('Provider contract: local', () => {
    it.skip(`skipped: ${SKIP_REASON}`, () => {});
  });
}
