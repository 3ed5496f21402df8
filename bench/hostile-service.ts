// The service as `syndicator serve` runs it, from source, for bench/hostile.ts to start in its own process.
import { runCli } from '../src/cli/index.js';

process.exit(await runCli(['serve']));
