/**
 * The emulated fabric held against the fabric contract kit, on two local
 * sites (needs root: network namespaces, sshd, BIRD, nftables). Its negative
 * control: test/fabric/contractControls.test.ts.
 */
import { afterAll, describe } from 'vitest';
import { IS_ROOT, noteSkip, removeScratch } from '../../local/helpers.js';
import { fabricContract } from '../contract.js';
import { emulatedFixture } from './emulatedFixture.js';

noteSkip('fabric contract: emulated');
afterAll(removeScratch);

describe.skipIf(!IS_ROOT)('emulated', () => {
  fabricContract('emulated', () => emulatedFixture());
});
