// The dependency rules of .dependency-cruiser.cjs (run by `npm run lint:deps` in `npm test`): src/
// keeps them, and a tree that breaks one is caught, so the check cannot pass by matching nothing.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ICruiseResult, IConfiguration } from 'dependency-cruiser';
import { ROOT, tempDir } from '../helpers/temp.js';

const config = createRequire(import.meta.url)(path.join(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;
const CLI = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const run = promisify(execFile);

/** The violations `depcruise` reports on the src/ of `baseDir` with the project's rules (a process of
 *  its own per tree, as `npm run lint:deps` runs it). */
async function violations(baseDir: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [CLI, 'src', '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd: baseDir, maxBuffer: 64 << 20 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  const result = JSON.parse(stdout) as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

async function tree(t: { after: (fn: () => Promise<void>) => void }, files: Record<string, string>): Promise<string> {
  const { dir, dispose } = await tempDir('syndicator-deps-');
  t.after(dispose);
  // Resolving packages (commander) needs node_modules beside the tree: link the project's.
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  await writeFile(path.join(dir, 'tsconfig.json'), '{}');
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

test('src/ keeps every dependency rule', async () => {
  assert.deepEqual(await violations(ROOT), []);
});

test('every rule says why it exists', () => {
  for (const rule of config.forbidden ?? []) assert.ok((rule.comment ?? '').length > 20, `rule ${rule.name} has no comment`);
});

test('a tree that breaks the rules fails the check, naming each rule broken', async (t) => {
  const dir = await tree(t, {
    'src/model.ts': "import { serve } from './http/app.js';\nexport const x = serve;\n",
    'src/http/app.ts': "import { refresh } from '../ingest/refresh.js';\nexport const serve = refresh;\n",
    'src/ingest/refresh.ts': "import { render } from '../render/rss.js';\nexport const refresh = render;\n",
    'src/render/rss.ts': "import { items } from '../store/store.js';\nexport const render = items;\n",
    'src/store/store.ts': "import { tick } from '../schedule/scheduler.js';\nexport const items = tick;\n",
    'src/schedule/scheduler.ts': "import { x } from '../model.js';\nimport { Command } from 'commander';\nexport const tick = [x, Command];\n",
  });
  const found = await violations(dir);
  const rules = new Set(found.map((v) => v.split(':')[0]));
  for (const rule of ['no-cycles', 'model-imports-nothing', 'http-never-ingest', 'ingest-not-http-or-render', 'render-is-pure', 'store-imports-only-model']) {
    assert.ok(rules.has(rule), `expected a ${rule} violation, got: ${found.join('; ')}`);
  }
  assert.ok(found.includes('model-imports-nothing: src/model.ts → src/http/app.ts'), found.join('; '));
});

test('commander outside cli/ is a violation; inside cli/ it is not', async (t) => {
  const dir = await tree(t, {
    'src/cli/index.ts': "import { Command } from 'commander';\nexport const program = new Command();\n",
    'src/store/commands.ts': "import { Command } from 'commander';\nexport const c = new Command();\n",
  });
  const found = await violations(dir);
  assert.equal(found.length, 1, found.join('; '));
  assert.match(found[0]!, /^commander-only-in-cli: src\/store\/commands\.ts → .*node_modules\/commander\//);
});
