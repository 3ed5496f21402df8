// The commands that people run often (`--help`, `check`, `status`, `ledger`) must not load the
// server stack or the page extractors: each command imports what it uses when it runs. Checked by the
// list of modules the ESM loader resolved (tests/helpers/record-imports.mjs), not by timing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(tmpdir(), 'syndicator-imports-'));
after(() => rmSync(work, { recursive: true, force: true }));

const HEAVY = ['express', 'cheerio', 'prom-client'];

/** Runs `syndicator <args>` from dist/ (built by bin/ensure-build.js when stale); returns the packages it loaded. */
function packagesLoaded(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; packages: Set<string> } {
  const log = path.join(work, `${args.join('-').replace(/\W/g, '')}.txt`);
  const run = spawnSync(process.execPath, ['--import', './tests/helpers/record-imports.mjs', 'bin/syndicator.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, RECORD_IMPORTS: log, FEEDS_DIR: path.join(ROOT, 'feeds'), DATA_DIR: path.join(work, 'data'), ...env },
    encoding: 'utf8',
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
  return { status: run.status, stdout: run.stdout, packages };
}

test('--help loads commander but not the server stack, the page extractors or the config schema', () => {
  const { status, stdout, packages } = packagesLoaded(['--help']);
  assert.equal(status, 0);
  assert.match(stdout, /Usage: syndicator/);
  // The recorder saw the modules the CLI does load: an empty list would prove nothing.
  assert.ok(packages.has('commander'), `recorded: ${[...packages].join(', ')}`);
  for (const heavy of [...HEAVY, 'zod']) assert.equal(packages.has(heavy), false, `--help loaded ${heavy}`);
});

for (const command of ['check', 'status', 'ledger']) {
  test(`${command} on the demo channels loads neither Express, cheerio nor prom-client`, () => {
    const { status, packages } = packagesLoaded([command]);
    assert.equal(status, 0);
    assert.ok(packages.has('zod'), `${command} validates its configuration; recorded: ${[...packages].join(', ')}`);
    for (const heavy of HEAVY) assert.equal(packages.has(heavy), false, `${command} loaded ${heavy}`);
  });
}
