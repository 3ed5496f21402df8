// Runs the CLI from source in this process's image, as `syndicator <args>` would: used by tests
// through spawn so that exit codes, stdout and stderr are the real ones.
import { runCli } from '../../src/cli/index.js';

process.exit(await runCli(process.argv.slice(2)));
