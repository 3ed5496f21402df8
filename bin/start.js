// `npm start`: build if needed, then serve (the same as `syndicator serve`).
import { ensureBuilt } from './ensure-build.js';

ensureBuilt();
const { runCli } = await import('../dist/cli/index.js');
process.exit(await runCli(['serve']));
