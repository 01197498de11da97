import { providerContract } from '../contract.js';
import { staticFixture } from './staticFixture.js';

providerContract('static', staticFixture);
