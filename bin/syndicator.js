#!/usr/bin/env node
import { ensureBuilt } from './ensure-build.js';

ensureBuilt();
const { runCli } = await import('../dist/cli/index.js');
process.exit(await runCli(process.argv.slice(2)));
