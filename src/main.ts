import { runMain } from './action/mainImpl.js';

process.exitCode = await runMain();
