// Compiles src/ to dist/ when dist/ is missing or older than any source file, so that
// `npm start` and `npx syndicator` work straight from a fresh clone. An installed image that
// ships dist/ without the compiler (npm ci --omit=dev) simply uses what it has.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', 'cli', 'index.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function ensureBuilt() {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const srcDir = path.join(root, 'src');
  if (built > 0 && (!existsSync(srcDir) || newestSource(srcDir) <= built)) return;
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    if (built > 0) return;
    process.stderr.write('syndicator: dist/ is missing and TypeScript is not installed; run "npm ci" then "npm run build"\n');
    process.exit(2);
  }
  // Loaded only to build: child_process (with net and stream) costs every command's start ~20 ms.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write('syndicator: the build failed (see above)\n');
    process.exit(2);
  }
}
