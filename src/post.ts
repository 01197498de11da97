import { runPost } from './action/postImpl.js';

process.exitCode = await runPost();
