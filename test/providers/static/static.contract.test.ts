import { providerContract } from '../contract.js';
import { staticFixture } from './staticFixture.js';

// real sshd logins on a busy CI machine: give each case room
providerContract('static', staticFixture, { timeoutMs: 120_000 });
