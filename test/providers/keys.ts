import { generateRunKey } from '../../src/remote/keys.js';

/** An ed25519 key pair for tests, made by the run-key generator the pipeline uses. */
export function testKeyPair(comment: string): { private: string; public: string } {
  const key = generateRunKey(comment);
  return { private: key.privateKey, public: key.publicKey };
}
