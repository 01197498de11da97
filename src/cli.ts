#!/usr/bin/env node
import { runCli } from './cli/cliImpl.js';

process.exitCode = await runCli(process.argv.slice(2));
