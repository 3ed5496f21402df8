// Serving benchmark (issues #5, #17): a small (9 items) and a large (50 items, ~170 KB) channel served
// by the real service (compiled, in its own process, at the default log level, its log written to a
// file), against a bare node:http server serving the same bytes (body and header lines) in the same
// run, with wrk on 127.0.0.1: identity and gzip, hot 200 and 304, rounds alternating between the two
// servers. Requests name a feed reader as readers do (200s a direct client, 304s a hosted reader
// reporting its subscribers), so the service's subscriber statistics are part of what is measured. Reports the median ratio of the rounds and their spread, and the load average. Then the
// cost of the render after a change, and a count of renders.
//
//   npm run bench:serve                       seven rounds of 3 s per scenario and server
//   node --import tsx bench/serve.ts --rounds 5 --seconds 6
//   node --import tsx bench/serve.ts --no-pin  the scheduler places the servers and wrk
//
// Needs wrk (Debian: apt-get install wrk). Only loopback is used.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, readSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mkdtemp } from 'node:fs/promises';
import { OutputCache } from '../src/http/output-cache.js';
import type { Item } from '../src/model.js';
import { type ReplayedCoding, bareServerSource, replayedCoding } from './bare-server.js';
import { freePort, waitFor } from './ready.js';
import { benchChannel, benchItems, LICENSE, upstreamFeed } from './documents.js';
import { FileStore } from '../src/store/files/file-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Seven short rounds rather than three long ones: this VM's speed moves within seconds, and a pair of
// rounds run back to back is more alike the shorter it is; a round caught in a slow phase (a ratio of
// 0.5–0.8 for either server) moves the median of seven less than that of five.
const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, seconds: { type: 'string', default: '3' }, 'no-pin': { type: 'boolean', default: false } },
});
const ROUNDS = Number(args.rounds);
const SECONDS = Number(args.seconds);
/**
 * Each server on CPU 0 (every thread of it: the service's main and other threads share the core with its
 * serving thread, so all it spends counts) and wrk on CPU 1 (taskset), the same for both servers. Left to
 * the scheduler, two identical bare servers measured this way came out at 0.54–1.82 of each other per
 * round (three runs of 8 rounds, spreads 0.58–1.05); pinned at 0.72–1.13 (spreads 0.12–0.37).
 */
const PIN = !args['no-pin'] && cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
/** The command and arguments to run `file args` on CPU `cpu` when pinning. */
function onCpu(cpu: number, file: string, fileArgs: string[]): [string, string[]] {
  return PIN ? ['taskset', ['-c', String(cpu), file, ...fileArgs]] : [file, fileArgs];
}

/**
 * Every request names a feed reader, as readers do: the service counts it in its subscriber statistics
 * (wrk sends no User-Agent of its own, which the service would take for a browser and not count).
 */
const READER_AGENT = 'User-Agent: NewsBlur Feed Fetcher - 3 subscribers - http://www.newsblur.com/site/1/ (bench)';
const CLIENT_AGENT = 'User-Agent: newsboat/2.30 (Linux x86_64)';

/** CPU time (user + system) in µs from a /proc stat file: a process's (every thread) or one thread's. */
function statMicros(file: string): number {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime (fields 14 and 15) in clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** CPU time a process has used so far, every thread, in µs. */
function cpuMicros(pid: number): number {
  return statMicros(`/proc/${pid}/stat`);
}

/**
 * How often `text` occurs in a file, read 16 MiB at a time: the service's log runs past 500 MB in a
 * run, longer than a string can be.
 */
function countIn(file: string, text: string): number {
  const pattern = Buffer.from(text);
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  const fd = openSync(file, 'r');
  let count = 0;
  let kept = 0;
  try {
    for (;;) {
      const read = readSync(fd, chunk, kept, chunk.length - kept, null);
      const end = kept + read;
      let at = chunk.indexOf(pattern);
      let after = 0;
      while (at >= 0 && at + pattern.length <= end) {
        count += 1;
        after = at + pattern.length;
        at = chunk.indexOf(pattern, after);
      }
      if (read === 0) break;
      // Keep the tail that may hold the start of a match cut by the chunk's end.
      const from = Math.max(after, end - pattern.length + 1);
      chunk.copy(chunk, 0, from, end);
      kept = end - from;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

/** CPU time (µs) each thread of a process has used so far, by task id (/proc/<pid>/task/<tid>/stat). */
function threadMicros(pid: number): Map<number, number> {
  const byThread = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byThread.set(Number(tid), statMicros(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return byThread;
}

/** A run's CPU µs per request in the service's serving thread, its main thread and all its other threads. */
interface ThreadSplit {
  serving: number;
  main: number;
  other: number;
}

/**
 * Requests per second wrk got from the server, and the server's CPU time per request (from /proc):
 * throughput follows whatever else the machine does; CPU per request much less so. With `servingTid`,
 * the service's CPU per request split by thread too.
 */
function wrk(url: string, headers: string[], pid: number, servingTid?: number): { rps: number; cpuUs: number; split?: ThreadSplit } {
  const agent = headers.some((h) => h.startsWith('If-None-Match')) ? READER_AGENT : CLIENT_AGENT;
  const cpuBefore = cpuMicros(pid);
  const threadsBefore = servingTid === undefined ? undefined : threadMicros(pid);
  const out = execFileSync(...onCpu(1, 'wrk', ['-t1', '-c32', `-d${SECONDS}s`, '-H', agent, ...headers.flatMap((h) => ['-H', h]), url]), { encoding: 'utf8' });
  const cpu = cpuMicros(pid) - cpuBefore;
  const threadsAfter = servingTid === undefined ? undefined : threadMicros(pid);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const requests = /(\d+) requests in/.exec(out)?.[1];
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1];
  if (!rps || !requests) throw new Error(`bench: no Requests/sec in wrk output:\n${out}`);
  if (non2xx) throw new Error(`bench: ${non2xx} error responses from ${url}`);
  const n = Number(requests);
  if (threadsBefore === undefined || threadsAfter === undefined) return { rps: Number(rps), cpuUs: cpu / n };
  const split: ThreadSplit = { serving: 0, main: 0, other: 0 };
  for (const [tid, after] of threadsAfter) {
    const used = (after - (threadsBefore.get(tid) ?? 0)) / n;
    if (tid === servingTid) split.serving += used;
    else if (tid === pid) split.main += used;
    else split.other += used;
  }
  return { rps: Number(rps), cpuUs: cpu / n, split };
}

async function portOf(child: ChildProcess): Promise<number> {
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return Number(chunk.toString().trim());
}

async function renderAfterChange(): Promise<{ medianMs: Record<string, number>; changes: number; renders: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-render-'));
  const store = await FileStore.open(dir, ['bench']);
  const ch = benchChannel();
  const base: Item[] = benchItems(50);
  await store.apply('bench', { items: base, sourceStates: [], maxItems: 500, now: new Date() });
  const cache = new OutputCache({ store, licenses: new Map([[LICENSE.id, LICENSE]]), baseUrl: 'http://127.0.0.1:8080', now: () => new Date() });
  const times: Record<string, number[]> = { rss: [], atom: [], json: [] };
  const changes = 100;
  const rendersBefore = cache.renders;
  for (let i = 0; i < changes; i += 1) {
    const changed = { ...base[i % 50]!, title: `更正 ${i}`, contentHash: `edit-${i}` };
    await store.apply('bench', { items: [changed], sourceStates: [], maxItems: 500, now: new Date() });
    for (const format of ['rss', 'atom', 'json'] as const) {
      const started = performance.now();
      cache.get(ch, format, { limit: 50 });
      times[format]!.push(performance.now() - started);
      // Polls after the change cost no render.
      for (let poll = 0; poll < 10; poll += 1) cache.get(ch, format, { limit: 50 });
    }
  }
  await store.close();
  await rm(dir, { recursive: true, force: true });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    medianMs: Object.fromEntries(Object.entries(times).map(([f, xs]) => [f, Math.round(median(xs) * 10) / 10])),
    changes,
    renders: cache.renders - rendersBefore,
  };
}

/**
 * The servers started and the temporary directories made, stopped and removed when the bench exits,
 * whether it ends or fails: a server left behind would keep CPU 0 and skew every later measurement.
 */
const children: ChildProcess[] = [];
const tempDirs: string[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function main(): Promise<void> {
  if (spawnSync('wrk', ['-v']).error) throw new Error('bench: wrk is not installed (Debian: apt-get install wrk)');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });

  const feeds = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-feeds-'));
  const data = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-data-'));
  tempDirs.push(feeds, data);
  await mkdir(path.join(feeds, 'samples'));
  await mkdir(path.join(feeds, 'licenses'));
  await writeFile(path.join(feeds, 'samples', 'bench.rss.xml'), upstreamFeed(50));
  await writeFile(path.join(feeds, 'samples', 'small.rss.xml'), upstreamFeed(9));
  await writeFile(path.join(feeds, 'licenses', `${LICENSE.id}.json`), JSON.stringify(LICENSE));
  await writeFile(path.join(feeds, 'bench.json'), JSON.stringify(benchChannel()));
  await writeFile(path.join(feeds, 'small.json'), JSON.stringify(benchChannel('small', 'small.rss.xml')));

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // The default log level (info: one access line per request), the log going to a file as in production.
  const logFile = path.join(data, 'service.log');
  const logFd = openSync(logFile, 'w');
  const { LOG_LEVEL: _level, ...env } = process.env;
  // taskset execs the command: the child's pid is the server's.
  const service = spawn(...onCpu(0, process.execPath, [path.join(ROOT, 'bin/syndicator.js'), 'serve']), {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', BASE_URL: origin, FEEDS_DIR: feeds, DATA_DIR: data },
    stdio: ['ignore', 'ignore', logFd],
  });
  children.push(service);
  closeSync(logFd);

  const documents = [
    { name: 'small', path: '/feeds/small.rss', items: 9 },
    { name: 'large', path: '/feeds/bench.rss', items: 50 },
  ];
  const docs: Record<string, Record<string, ReplayedCoding>> = {};
  const sizes: Record<string, { identity: number; gzip: number }> = {};
  const etags: Record<string, Record<string, string>> = {};
  for (const doc of documents) {
    await waitFor(`${origin}${doc.path}`, (b) => (b.match(/<item>/g) ?? []).length === doc.items);
    docs[doc.path] = {};
    etags[doc.name] = {};
    for (const coding of ['identity', 'gzip'] as const) {
      const replayed = await replayedCoding(`${origin}${doc.path}`, coding);
      docs[doc.path]![coding] = replayed;
      etags[doc.name]![coding] = replayed.etag;
    }
    sizes[doc.name] = { identity: Buffer.from(docs[doc.path]!.identity!.body, 'base64').length, gzip: Buffer.from(docs[doc.path]!.gzip!.body, 'base64').length };
  }

  // The documents go through a file: one environment string is limited to 128 KiB (E2BIG).
  const docsFile = path.join(feeds, 'bare-docs.json');
  await writeFile(docsFile, JSON.stringify(docs));
  const bare = spawn(...onCpu(0, process.execPath, ['-e', bareServerSource()]), { env: { ...process.env, DOCS_FILE: docsFile }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(bare);
  const bareOrigin = `http://127.0.0.1:${await portOf(bare)}`;

  // The serving thread's task id, from the service's `serving` log line.
  const servingTid = Number(/"servingThread":(\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1]) || undefined;
  interface Row { round: number; scenario: string; bare: number; ours: number; bareCpu: number; oursCpu: number; split: ThreadSplit | undefined }
  const rows: Row[] = [];
  const loads: string[] = [loadavg().map((l) => l.toFixed(2)).join(' ')];
  const scenarios = documents.flatMap((doc) =>
    (['identity', 'gzip'] as const).flatMap((coding) =>
      (['hot 200', '304'] as const).map((kind) => ({
        name: `${doc.name} ${coding} ${kind}`,
        path: doc.path,
        headers: [...(coding === 'gzip' ? ['Accept-Encoding: gzip'] : []), ...(kind === '304' ? [`If-None-Match: ${etags[doc.name]![coding]}`] : [])],
      })),
    ),
  );
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const sc of scenarios) {
        // Alternate which server goes first, so that a load change during a round hits both alike.
        let b: ReturnType<typeof wrk>;
        let o: ReturnType<typeof wrk>;
        if (round % 2 === 1) {
          b = wrk(`${bareOrigin}${sc.path}`, sc.headers, bare.pid!);
          o = wrk(`${origin}${sc.path}`, sc.headers, service.pid!, servingTid);
        } else {
          o = wrk(`${origin}${sc.path}`, sc.headers, service.pid!, servingTid);
          b = wrk(`${bareOrigin}${sc.path}`, sc.headers, bare.pid!);
        }
        rows.push({ round, scenario: sc.name, bare: b.rps, ours: o.rps, bareCpu: b.cpuUs, oursCpu: o.cpuUs, split: o.split });
      }
      loads.push(loadavg().map((l) => l.toFixed(2)).join(' '));
    }
  } finally {
    service.kill('SIGTERM');
    bare.kill('SIGTERM');
  }
  await once(service, 'exit');
  const accessLines = countIn(logFile, '"msg":"http: request"}\n');
  // The log passes 500 MB in a run: nothing of it stays behind.
  await rm(feeds, { recursive: true, force: true });
  await rm(data, { recursive: true, force: true });

  const render = await renderAfterChange();
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const splitText = (splits: (ThreadSplit | undefined)[]) => {
    const known = splits.filter((x): x is ThreadSplit => x !== undefined);
    if (known.length === 0) return 'n/a';
    return (['serving', 'main', 'other'] as const).map((k) => median(known.map((x) => x[k])).toFixed(1)).join(' / ');
  };
  const lines = [
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
    `load average (1, 5, 15 min) before and after each round: ${loads.join(' | ')}`,
    `documents: small /feeds/small.rss ${sizes.small!.identity} bytes (gzip ${sizes.small!.gzip}), 9 items; large /feeds/bench.rss ${sizes.large!.identity} bytes (gzip ${sizes.large!.gzip}), 50 items`,
    `wrk -t1 -c${32} -d${SECONDS}s on 127.0.0.1, ${ROUNDS} rounds; ${PIN ? 'each server on CPU 0, wrk on CPU 1 (taskset)' : 'not pinned to CPUs'}; service at the default log level (info), ${accessLines} access lines written to its log`,
    '',
    '| scenario | bare node:http req/s (median) | Syndicator req/s (median) | ratio per round | median ratio | spread (max − min) | CPU µs/request bare / Syndicator (median) | CPU ratio bare ÷ Syndicator | Syndicator CPU µs/request: serving / main / other threads (median) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const sc of scenarios) {
    const r = rows.filter((x) => x.scenario === sc.name);
    const ratios = r.map((x) => x.ours / x.bare);
    const bareCpu = median(r.map((x) => x.bareCpu));
    const oursCpu = median(r.map((x) => x.oursCpu));
    lines.push(
      `| ${sc.name} | ${Math.round(median(r.map((x) => x.bare)))} | ${Math.round(median(r.map((x) => x.ours)))} | ${ratios.map((x) => x.toFixed(2)).join(', ')} | **${median(ratios).toFixed(2)}** | ${(Math.max(...ratios) - Math.min(...ratios)).toFixed(2)} | ${bareCpu.toFixed(1)} / ${oursCpu.toFixed(1)} | ${(bareCpu / oursCpu).toFixed(2)} | ${splitText(r.map((x) => x.split))} |`,
    );
  }
  lines.push(
    '',
    'goal (issue #17): every hot 200 and 304 median ratio ≥ 0.9',
    `render after a change (50 items, median of ${render.changes}): rss ${render.medianMs.rss} ms, atom ${render.medianMs.atom} ms, json ${render.medianMs.json} ms`,
    `renders: ${render.renders} for ${render.changes} changes × 3 formats, with 10 polls per format after each change (goal: one per representation per change = ${render.changes * 3})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
