import { providerContract } from '../contract.js';
import { awsFixture } from './awsFixture.js';

providerContract('aws', async () => awsFixture());
