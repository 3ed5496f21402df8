// Instructions per request (issue #17): the service's serving thread against a bare node:http server
// serving the same bytes, counted by valgrind's callgrind. Requests per second on this shared VM move
// by up to 2× between runs and by ±5 % between two processes of the same server; an instruction count
// moves far less, so it shows what a change to the serving path costs or saves when wall-clock rounds
// cannot. It is not a speed: a cache miss or a system call costs the same count however long it takes.
//
//   npm run bench:instructions                 2 rounds, 10,000 counted requests per scenario
//   node --import tsx bench/instructions.ts --rounds 3 --requests 20000
//
// Each server runs under `valgrind --tool=callgrind --separate-threads=yes --instr-atstart=no`. First
// every scenario runs 5,000 requests, one after another, as bench:serve's rounds leave a server: the
// code has then seen 200s and 304s, identity and gzip, and V8's inline caches hold every shape they
// meet (counted after one scenario alone, a path can look cheaper than it is in a server that answers
// all of them). Then, per scenario, nothing is counted until 20,000 more warm-up requests have run;
// counting is switched on (callgrind_control), N requests of the scenario are sent over 8 keep-alive
// connections, and the counts are dumped per thread. The service's busiest thread is its serving
// thread; the bare server's is its main thread. Needs valgrind (Debian: apt-get install valgrind).
// Only loopback is used.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { Agent, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ReplayedCoding, bareServerSource, replayedCoding } from './bare-server.js';
import { freePort, waitFor } from './ready.js';
import { LICENSE, benchChannel, upstreamFeed } from './documents.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, requests: { type: 'string', default: '10000' } } });
const ROUNDS = Number(args.rounds);
const REQUESTS = Number(args.requests);
const WARM_UP = 20_000;
/** Requests of each scenario, one after another, before the first count (see above). */
const MIXED_WARM_UP = 5_000;
const CONNECTIONS = 8;
const READER = 'NewsBlur Feed Fetcher - 3 subscribers - http://www.newsblur.com/site/1/ (bench)';
const PATH = '/feeds/small.rss';

const children: ChildProcess[] = [];
const tempDirs: string[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Exactly `count` GETs over CONNECTIONS keep-alive connections; throws on an unexpected status. */
async function requests(url: string, count: number, headers: Record<string, string>, status: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let sent = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      httpGet(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === status ? resolve() : reject(new Error(`bench: ${url} answered ${res.statusCode}, not ${status}`))));
      }).on('error', reject);
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (sent < count) {
        sent += 1;
        await one();
      }
    }),
  );
  agent.destroy();
}

/**
 * callgrind_control finds the process by a pipe named after the user and the HOST variable as valgrind
 * saw them: it runs with the environment the server was started with.
 */
function control(pid: number, env: NodeJS.ProcessEnv, ...command: string[]): void {
  execFileSync('callgrind_control', [...command, String(pid)], { env, stdio: 'ignore' });
}

/** Instructions per request of each thread in dump `part` of a run, busiest first. */
function perThread(dir: string, pid: number, part: number, count: number): number[] {
  const totals: number[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.startsWith(`callgrind.${pid}.${part}-`)) continue;
    const totalsLine = /^totals: (\d+)/m.exec(readFileSync(path.join(dir, file), 'utf8'));
    totals.push(Number(totalsLine?.[1] ?? 0) / count);
  }
  return totals.sort((a, b) => b - a);
}

interface Server {
  pid: number;
  origin: string;
  env: NodeJS.ProcessEnv;
  dir: string;
}

/** Counts one scenario's requests on a server started under callgrind: per thread, busiest first. */
async function count(server: Server, part: number, headers: Record<string, string>, status: number): Promise<number[]> {
  await requests(`${server.origin}${PATH}`, WARM_UP, headers, status);
  control(server.pid, server.env, '-i', 'on');
  await requests(`${server.origin}${PATH}`, REQUESTS, headers, status);
  control(server.pid, server.env, '-d');
  control(server.pid, server.env, '-i', 'off');
  // The dump is written by the process: wait for its files.
  for (let i = 0; i < 100 && perThread(server.dir, server.pid, part, 1).length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  return perThread(server.dir, server.pid, part, REQUESTS);
}

function underCallgrind(dir: string, command: string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | 'ignore'): ChildProcess {
  const log = openSync(path.join(dir, 'valgrind.log'), 'w');
  const child = spawn('valgrind', ['--tool=callgrind', '--separate-threads=yes', '--instr-atstart=no', `--callgrind-out-file=${dir}/callgrind.%p`, ...command], { env, stdio: ['ignore', stdout, log] });
  closeSync(log);
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

async function main(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).error) throw new Error('bench: valgrind is not installed (Debian: apt-get install valgrind)');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  const feeds = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-feeds-'));
  tempDirs.push(feeds);
  await mkdir(path.join(feeds, 'samples'));
  await mkdir(path.join(feeds, 'licenses'));
  await writeFile(path.join(feeds, 'samples', 'small.rss.xml'), upstreamFeed(9));
  await writeFile(path.join(feeds, 'licenses', `${LICENSE.id}.json`), JSON.stringify(LICENSE));
  await writeFile(path.join(feeds, 'small.json'), JSON.stringify(benchChannel('small', 'small.rss.xml')));
  const docsFile = path.join(await mkdtemp(path.join(tmpdir(), 'syndicator-bench-docs-')), 'bare-docs.json');
  tempDirs.push(path.dirname(docsFile));

  const rows: { round: number; scenario: string; service: number[]; bare: number[] }[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    // The service, at the default log level, its log to a file.
    const data = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-data-'));
    tempDirs.push(data);
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const { LOG_LEVEL: _level, ...inherited } = process.env;
    const env = { ...inherited, PORT: String(port), HOST: '127.0.0.1', BASE_URL: origin, FEEDS_DIR: feeds, DATA_DIR: data };
    const service = underCallgrind(data, [process.execPath, path.join(ROOT, 'bin/syndicator.js'), 'serve'], env, 'ignore');
    await waitFor(`${origin}${PATH}`, (b) => (b.match(/<item>/g) ?? []).length === 9, 300);
    const docs: Record<string, ReplayedCoding> = {};
    const scenarios: { name: string; headers: Record<string, string>; status: number }[] = [];
    for (const coding of ['identity', 'gzip'] as const) {
      const asked: Record<string, string> = coding === 'gzip' ? { 'Accept-Encoding': 'gzip' } : {};
      docs[coding] = await replayedCoding(`${origin}${PATH}`, coding);
      const etag = docs[coding].etag;
      scenarios.push(
        { name: `small ${coding} 304`, headers: { ...asked, 'User-Agent': READER, 'If-None-Match': etag }, status: 304 },
        { name: `small ${coding} hot 200`, headers: { ...asked, 'User-Agent': 'newsboat/2.30 (Linux x86_64)' }, status: 200 },
      );
    }
    const serviceServer = { pid: service.pid!, origin, env, dir: data };
    for (const sc of scenarios) await requests(`${origin}${PATH}`, MIXED_WARM_UP, sc.headers, sc.status);
    const serviceCounts = [];
    for (const [i, sc] of scenarios.entries()) serviceCounts.push(await count(serviceServer, i + 1, sc.headers, sc.status));
    await stop(service);

    // The bare server, with the same bytes and header lines.
    await writeFile(docsFile, JSON.stringify({ [PATH]: docs }));
    const bareDir = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-bare-'));
    tempDirs.push(bareDir);
    const bareEnv = { ...process.env, DOCS_FILE: docsFile };
    const bare = underCallgrind(bareDir, [process.execPath, '-e', bareServerSource()], bareEnv, 'pipe');
    const [chunk] = (await once(bare.stdout!, 'data')) as [Buffer];
    const bareServer = { pid: bare.pid!, origin: `http://127.0.0.1:${Number(chunk.toString().trim())}`, env: bareEnv, dir: bareDir };
    for (const sc of scenarios) await requests(`${bareServer.origin}${PATH}`, MIXED_WARM_UP, sc.headers, sc.status);
    for (const [i, sc] of scenarios.entries()) rows.push({ round, scenario: sc.name, service: serviceCounts[i]!, bare: await count(bareServer, i + 1, sc.headers, sc.status) });
    await stop(bare);
    process.stderr.write(`round ${round} done\n`);
  }

  const lines = [
    `node ${process.version}; ${execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()}; ${REQUESTS} counted requests per scenario after ${MIXED_WARM_UP} of each scenario and ${WARM_UP} of its own, ${CONNECTIONS} keep-alive connections; service at the default log level (info)`,
    '',
    '| round | scenario | bare: main thread | Syndicator: serving thread | serving ÷ bare | Syndicator: its other threads, summed |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const other = r.service.slice(1).reduce((a, b) => a + b, 0);
    lines.push(`| ${r.round} | ${r.scenario} | ${Math.round(r.bare[0]!)} | ${Math.round(r.service[0]!)} | ${(r.service[0]! / r.bare[0]!).toFixed(3)} | ${Math.round(other)} |`);
  }
  lines.push('', 'instructions per request (callgrind Ir); the other threads run slower under valgrind than the serving thread\'s requests do, so their share is larger than in a real run');
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
