import { providerContract } from '../contract.js';
import { azureFixture } from './azureFixture.js';

providerContract('azure', async () => azureFixture());
