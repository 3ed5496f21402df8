// Hostile-input benchmark (issue 13): feed GET latency on loopback, measured from this process while
// the service (its own process) ingests each hostile document from an upstream on 127.0.0.1 (a third
// process, bench/hostile-upstream.ts, which also runs the User-Agent flood), against
// the same GETs with no ingest running, in one run; with the service's event-loop delay from /metrics.
//
//   npm run bench:hostile                          every scenario, at most 30 s each
//   node --import tsx bench/hostile.ts --max-seconds 60 --only title
//   node --import tsx bench/hostile.ts --only month --profile /tmp/prof   the service under --cpu-prof
//   node --import tsx bench/hostile.ts --only month --stalls /tmp/stalls   the service's event-loop stalls ≥ 20 ms
//   node --import tsx bench/hostile.ts --only title --stalls /tmp/stalls --stall-ms 5   … ≥ 5 ms
//
// Goal: p99 with a hostile ingest ≤ 2 × p99 without, and no GET over 100 ms.

import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { 'max-seconds': { type: 'string', default: '30' }, 'base-seconds': { type: 'string', default: '8' }, only: { type: 'string' }, profile: { type: 'string' }, stalls: { type: 'string' }, 'stall-ms': { type: 'string', default: '20' } },
});
const MAX_MS = Number(args['max-seconds']) * 1000;
const BASE_MS = Number(args['base-seconds']) * 1000;
/** How long a restarted service is left to settle (its start-up work done) before a measurement. */
const SETTLE_MS = 1000;
/** One GET every PACE_MS, one at a time: a reader's view, not a load test. */
const PACE_MS = 10;
/** With --profile DIR, the service runs under `node --cpu-prof` and writes its profiles there (one per
 *  thread: the serving thread's file name has thread id 0) when it stops. */
const PROFILE_ARGS = args.profile !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
/** With --stalls DIR, each service process writes DIR/stalls-<pid>.json (see bench/hostile-service.ts). */
const STALLS_DIR = args.stalls !== undefined ? path.resolve(args.stalls) : undefined;
/** The shortest stall noted (--stall-ms, default 20). */
const STALL_MS = Number(args['stall-ms']);
/** Whether the service must stop by itself at the end of a scenario, to write what it noted. */
const GRACEFUL = PROFILE_ARGS.length > 0 || STALLS_DIR !== undefined;

/**
 * The hostile side in its own process (bench/hostile-upstream.ts): the upstream site serving the
 * hostile documents, and the User-Agent flood. This process only measures, so its GETs never wait
 * behind the attacker's own work (sending 10 MB, four clients without pause).
 */
async function startUpstream() {
  const child = fork(path.join(ROOT, 'bench/hostile-upstream.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [{ origin: string; robotsOrigin: string }];
  let nextId = 0;
  const replies = new Map<number, () => void>();
  child.on('message', (m: { id?: number }) => {
    if (m.id !== undefined) replies.get(m.id)?.();
    if (m.id !== undefined) replies.delete(m.id);
  });
  const ask = (message: object) =>
    new Promise<void>((resolve) => {
      const id = (nextId += 1);
      replies.set(id, resolve);
      child.send({ ...message, id });
    });
  return {
    origin: ready.origin,
    /** A second site of the upstream process, whose robots.txt is hostile. */
    robotsOrigin: ready.robotsOrigin,
    /** Holds the requests for path (none: undefined) until release(); forgets which paths were requested. */
    hold: (path: string | undefined) => ask({ hold: path ?? null }),
    /** Resolves once a request for path has arrived since the last hold(). */
    arrived: (path: string) => ask({ arrived: path }),
    /** Answers the held requests. */
    release: () => ask({ release: true }),
    /** Starts the flood against url; resolves when it runs. */
    flood: (url: string) => ask({ flood: url }),
    /** Stops the flood; resolves when its clients have stopped. */
    stopFlood: () => ask({ stop: true }),
    close: () => child.kill(),
  };
}

type Upstream = Awaited<ReturnType<typeof startUpstream>>;

interface Scenario {
  name: string;
  what: string;
  /** A hostile source for the channel "hostile", if the scenario ingests one. */
  source?: Record<string, unknown>;
  /** Extra clients during the measurement (the User-Agent flood). */
  flood?: boolean;
  /** The upstream path held until the measurement starts; default: the source's own. */
  hold?: string;
}

function scenarios(origin: string, robotsOrigin: string): Scenario[] {
  return [
    { name: 'baseline', what: 'no ingest running' },
    { name: 'ua-flood', what: '4 clients sending 16,000-digit User-Agents', flood: true },
    { name: 'author', what: 'an item whose author is 60,000 "@"', source: { id: 'author', type: 'feed', url: `${origin}/author.rss` } },
    { name: 'list', what: 'a list page with 40,000 links', source: { id: 'list', type: 'list', url: `${origin}/list.html`, delayMs: 0 } },
    { name: 'list110k', what: 'a list page with 110,000 links', source: { id: 'list110k', type: 'list', url: `${origin}/list-110k.html`, delayMs: 0 } },
    { name: 'nested', what: 'an article page nested 5,000 deep', source: { id: 'nested', type: 'page', url: `${origin}/nested.html`, delayMs: 0 } },
    {
      name: 'robots',
      what: 'a 15 MB robots.txt whose first rule has 40 wildcards, before a page with a 2,000-character path',
      source: { id: 'robots', type: 'page', url: `${robotsOrigin}/a/${'a'.repeat(2000)}.html`, delayMs: 0 },
      hold: '/robots.txt',
    },
    { name: 'month', what: 'an archive month of 20,000 items (maxItems 50; the newest 5,000 read)', source: { id: 'month', type: 'feed', url: `${origin}/month.rss` } },
    { name: 'content', what: 'an item with 12 MB of content', source: { id: 'content', type: 'feed', url: `${origin}/content.rss` } },
    { name: 'title', what: 'an item with a 10 MB title', source: { id: 'title', type: 'feed', url: `${origin}/title.rss` } },
  ];
}



function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A new connection per GET: a reused idle one may be closed by the server's keep-alive timer at the
    // moment it is reused, which would measure a race of the client, not the service.
    const req = request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function startService(feedsDir: string, dataDir: string): Promise<{ url: string; child: ChildProcess; log: () => string; stallLog?: string }> {
  if (STALLS_DIR !== undefined) await mkdir(STALLS_DIR, { recursive: true });
  const stallLog = STALLS_DIR !== undefined ? path.join(STALLS_DIR, `stalls-${Date.now()}.json`) : undefined;
  const child = spawn(process.execPath, [...PROFILE_ARGS, '--import', 'tsx', path.join(ROOT, 'bench/hostile-service.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      FEEDS_DIR: feedsDir,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      BASE_URL: 'http://bench.test',
      ...(stallLog !== undefined && { BENCH_STALL_LOG: stallLog, BENCH_STALL_MIN_MS: String(STALL_MS) }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + (d.length > 10_000 ? d.slice(0, 10_000) : d)).slice(-50_000)));
  while (!log.includes('"msg":"serving"')) {
    if (child.exitCode !== null) throw new Error(`service exited: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const line = log.split('\n').find((l) => l.includes('"msg":"serving"'))!;
  return { url: (JSON.parse(line) as { url: string }).url, child, log: () => log, ...(stallLog !== undefined && { stallLog }) };
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function loopDelay(url: string): Promise<{ p99: number; max: number; rssMb: number }> {
  const text = (await get(`${url}/metrics`)).body;
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    p99: value(/^syndicator_event_loop_delay_seconds\{quantile="0\.99"\} (\S+)$/m) * 1000,
    max: value(/^syndicator_event_loop_delay_seconds\{quantile="1"\} (\S+)$/m) * 1000,
    rssMb: value(/^process_resident_memory_bytes (\S+)$/m) / 1024 / 1024,
  };
}

interface Result {
  scenario: Scenario;
  gets: number;
  p50: number;
  p99: number;
  max: number;
  over100: number;
  ingestSeconds?: number;
  ingestOutcome?: string;
  loopP99: number;
  loopMax: number;
  rssMb: number;
  /** With --stalls: the service's event-loop stalls of ≥ STALL_MS during the measurement. */
  stalls?: Stalls;
}

interface Stalls {
  count: number;
  longestMs: number;
  /** Of those, the ones in which the serving thread itself was on a CPU ≥ STALL_MS (undefined off Linux). */
  onCpuCount?: number;
  longestOnCpuMs?: number;
}

/** The stalls the service noted (bench/hostile-service.ts) that ended within [fromUs, toUs] (process.hrtime, µs). */
async function readStalls(file: string, fromUs: number, toUs: number): Promise<Stalls> {
  const all = JSON.parse(await readFile(file, 'utf8')) as { endUs: number; ms: number; onCpuMs?: number }[];
  const inside = all.filter((s) => s.endUs >= fromUs && s.endUs <= toUs);
  const onCpu = inside.flatMap((s) => (s.onCpuMs === undefined ? [] : [s.onCpuMs]));
  const known = inside.length === 0 || onCpu.length === inside.length;
  return {
    count: inside.length,
    longestMs: Math.max(0, ...inside.map((s) => s.ms)),
    ...(known && { onCpuCount: onCpu.filter((ms) => ms >= STALL_MS).length, longestOnCpuMs: Math.max(0, ...onCpu) }),
  };
}

const hrUs = () => Number(process.hrtime.bigint() / 1000n);

async function run(scenario: Scenario, upstream: Upstream): Promise<Result> {
  const { origin } = upstream;
  const feeds = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-hostile-feeds-'));
  const data = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-hostile-data-'));
  await mkdir(path.join(feeds, 'licenses'));
  await writeFile(path.join(feeds, 'licenses', 'csteelnews-own.json'), await readFile(path.join(ROOT, 'feeds/licenses/csteelnews-own.json')));
  const licenseId = (JSON.parse(await readFile(path.join(ROOT, 'feeds/licenses/csteelnews-own.json'), 'utf8')) as { id: string }).id;
  const channel = (id: string, sources: unknown[], maxItems = 200) => ({
    id,
    title: id,
    description: 'bench',
    language: 'zh-CN',
    link: 'http://up.example.cn/',
    schedule: '0 0 1 1 *',
    license: licenseId,
    maxItems,
    sources,
  });
  await writeFile(path.join(feeds, 'base.json'), JSON.stringify(channel('base', [{ id: 'base', type: 'feed', url: `${origin}/base.rss` }])));
  const service = await startService(feeds, data);
  const feedUrl = `${service.url}/feeds/base.rss`;
  let result: Result;
  let window: [number, number] | undefined;
  try {
    // The served channel first has its items; only then does the hostile channel appear (the service
    // picks up a new channel file on restart only, so it is written before a second start). The
    // upstream holds the hostile document's request, so the service's start-up (its ingest side
    // loading, the served channel's own first run, the first render) is over before the measurement
    // begins, and the document is released as it begins: the measurement covers the hostile ingest and
    // nothing else. Baseline restarts and settles the same way, without a hostile channel.
    while (!(await get(feedUrl)).body.includes('<item>')) await new Promise((r) => setTimeout(r, 50));
    service.child.kill('SIGTERM');
    await once(service.child, 'exit');
    const hostilePath = scenario.hold ?? (scenario.source ? new URL(scenario.source.url as string).pathname : undefined);
    if (scenario.source) await writeFile(path.join(feeds, 'hostile.json'), JSON.stringify(channel('hostile', [scenario.source], 50)));
    await upstream.hold(hostilePath);
    const svc = await startService(feeds, data);
    Object.assign(service, svc);
    const url = `${svc.url}/feeds/base.rss`;
    await upstream.arrived('/base.rss');
    if (hostilePath !== undefined) await upstream.arrived(hostilePath);
    await get(url);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    await loopDelay(svc.url);
    const started = performance.now();
    const startedUs = hrUs();
    const latencies: number[] = [];
    let done = false;
    let ingestSeconds: number | undefined;
    let ingestOutcome: string | undefined;
    if (scenario.flood) await upstream.flood(url);
    if (hostilePath !== undefined) await upstream.release();
    const watcher = (async () => {
      if (!scenario.source) {
        await new Promise((r) => setTimeout(r, BASE_MS));
        return;
      }
      while (performance.now() - started < MAX_MS) {
        await new Promise((r) => setTimeout(r, 500));
        const status = JSON.parse((await get(`${svc.url}/status`)).body) as { channels: { id: string; sources: { lastRunAt?: string; lastError?: string; lastCounts?: { added: number } }[] }[] };
        const state = status.channels.find((c) => c.id === 'hostile')?.sources[0];
        if (state?.lastRunAt) {
          ingestSeconds = (performance.now() - started) / 1000;
          ingestOutcome = state.lastError !== undefined ? `failed: ${state.lastError.slice(0, 80)}` : `ok, ${state.lastCounts?.added ?? 0} added`;
          // A little longer: the render and compression of the changed channel come after the ingest.
          await new Promise((r) => setTimeout(r, 1000));
          return;
        }
      }
      ingestOutcome = `still running after ${MAX_MS / 1000} s`;
    })().finally(() => (done = true));
    while (!done) {
      const t0 = performance.now();
      const res = await get(url).catch((err: unknown) => {
        throw new Error(`GET ${url} failed (${(err as Error).message}); service exit ${svc.child.exitCode} ${svc.child.signalCode}; its log ends:\n${svc.log().slice(-3000)}`);
      });
      latencies.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
      const wait = PACE_MS - (performance.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await watcher;
    if (scenario.flood) await upstream.stopFlood();
    window = [startedUs, hrUs()];
    const loop = await loopDelay(svc.url);
    latencies.sort((a, b) => a - b);
    result = {
      scenario,
      gets: latencies.length,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
      over100: latencies.filter((l) => l > 100).length,
      ...(ingestSeconds !== undefined && { ingestSeconds }),
      ...(ingestOutcome !== undefined && { ingestOutcome }),
      loopP99: loop.p99,
      loopMax: loop.max,
      rssMb: loop.rssMb,
    };
  } finally {
    // A profiled service must exit by itself to write its profile (and its stalls).
    if (GRACEFUL && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await once(service.child, 'exit');
    }
    service.child.kill('SIGKILL');
    await rm(feeds, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  }
  if (service.stallLog !== undefined && window !== undefined) result.stalls = await readStalls(service.stallLog, ...window);
  return result;
}

const upstream = await startUpstream();
const results: Result[] = [];
try {
  for (const scenario of scenarios(upstream.origin, upstream.robotsOrigin)) {
    if (args.only !== undefined && scenario.name !== 'baseline' && scenario.name !== args.only) continue;
    process.stderr.write(`bench:hostile: ${scenario.name} (${scenario.what})…\n`);
    results.push(await run(scenario, upstream));
  }
} finally {
  upstream.close();
}

const base = results.find((r) => r.scenario.name === 'baseline')!;
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('');
console.log('| scenario | GETs | p50 ms | p99 ms | max ms | GETs > 100 ms | p99 ≤ 2× baseline | ingest | event-loop delay p99 / max ms | RSS MB |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const ingest = r.ingestOutcome === undefined ? '–' : `${r.ingestOutcome}${r.ingestSeconds !== undefined ? ` (${r.ingestSeconds.toFixed(1)} s)` : ''}`;
  const goal = r === base ? '–' : r.p99 <= 2 * base.p99 && r.over100 === 0 ? 'yes' : 'no';
  console.log(`| ${r.scenario.name}: ${r.scenario.what} | ${r.gets} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.over100} | ${goal} | ${ingest} | ${ms(r.loopP99)} / ${ms(r.loopMax)} | ${ms(r.rssMb)} |`);
}
if (STALLS_DIR !== undefined) {
  console.log('');
  console.log('Event-loop stalls of the service during each measurement (--stalls; "on CPU": the serving thread was running, not waiting for a CPU):');
  console.log('');
  console.log(`| scenario | stalls ≥ ${STALL_MS} ms | longest ms | of them ≥ ${STALL_MS} ms on CPU | longest on CPU ms |`);
  console.log('|---|---|---|---|---|');
  for (const r of results) {
    const st = r.stalls;
    console.log(`| ${r.scenario.name} | ${st?.count ?? '–'} | ${st ? ms(st.longestMs) : '–'} | ${st?.onCpuCount ?? '–'} | ${st?.longestOnCpuMs !== undefined ? ms(st.longestOnCpuMs) : '–'} |`);
  }
}
