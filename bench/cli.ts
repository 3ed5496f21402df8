// CLI start-up benchmark (issue #17): `syndicator --help`, `check`, `status` and `ledger` from dist/,
// measured with hyperfine against `node -e 0` in the same run, and the time from spawning `serve`
// (demo channels of feeds/) to its first answer on /healthz. Goals: ≤ 0.3 s and ≤ 1 s.
//
//   npm run bench:cli                         hyperfine --warmup 2 --runs 10; 5 starts of serve
//   node --import tsx bench/cli.ts --runs 5
//
// Needs hyperfine (Debian: apt-get install hyperfine). Only loopback is used.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from './ready.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const RUNS = args.runs;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Milliseconds from spawning `serve` to the first 200 on /healthz (polled every 5 ms). */
async function serveToHealthz(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/syndicator.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', FEEDS_DIR: path.join(ROOT, 'feeds'), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error('bench: serve never answered /healthz');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

async function main(): Promise<void> {
  if (spawnSync('hyperfine', ['--version']).error) throw new Error('bench: hyperfine is not installed (Debian: apt-get install hyperfine)');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  const work = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-cli-'));
  const env = `FEEDS_DIR=${path.join(ROOT, 'feeds')} DATA_DIR=${path.join(work, 'data')}`;
  const commands = ['node -e 0', ...['--help', 'check', 'status', 'ledger'].map((c) => `${env} node bin/syndicator.js ${c}`)];
  const json = path.join(work, 'hyperfine.json');
  const loadBefore = load();
  execFileSync('hyperfine', ['--warmup', '2', '--runs', RUNS, '--export-json', json, '--style', 'none', '--shell', 'sh', ...commands], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const results = (JSON.parse(await readFile(json, 'utf8')) as { results: { command: string; median: number; min: number; max: number }[] }).results;
  const serve: number[] = [];
  for (let i = 0; i < 5; i += 1) serve.push(await serveToHealthz(path.join(work, `serve-${i}`)));
  const loadAfter = load();
  await rm(work, { recursive: true, force: true });

  const baseline = results[0]!.median;
  const lines = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadBefore} → ${loadAfter}`,
    `hyperfine --warmup 2 --runs ${RUNS} (from dist/, FEEDS_DIR=feeds, an empty DATA_DIR)`,
    '',
    '| command | median | min | max | median − node -e 0 | goal |',
    '|---|---|---|---|---|---|',
    ...results.map((r, i) => {
      const name = r.command.replace(env, '').trim();
      return `| \`${name}\` | ${r.median.toFixed(3)} s | ${r.min.toFixed(3)} s | ${r.max.toFixed(3)} s | ${i === 0 ? '-' : `${(r.median - baseline).toFixed(3)} s`} | ${i === 0 ? 'baseline' : r.median <= 0.3 ? 'met (≤ 0.3 s)' : 'NOT met (≤ 0.3 s)'} |`;
    }),
    '',
    `serve → first 200 on /healthz (demo channels, 5 starts): ${serve.map((ms) => `${Math.round(ms)} ms`).join(', ')}; median ${Math.round([...serve].sort((a, b) => a - b)[2]!)} ms (goal ≤ 1000 ms)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
