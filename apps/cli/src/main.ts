#!/usr/bin/env node
// `portico`: see cli.ts for the commands and exit codes.
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr });
