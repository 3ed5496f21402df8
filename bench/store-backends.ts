// Both store backends side by side (issue 15): apply() latency at 1k and 10k items per channel, start-up
// time and resident memory with many channels, and feed GET throughput of the service on each backend
// against a bare node:http server serving the same bytes. PostgreSQL is a throw-away cluster of Debian's
// postgresql-15 with fsync on (or DATABASE_URL's server); the files get their usual fsync and backups.
//
//   node --import tsx bench/store-backends.ts                       (part of npm run bench:store)
//   node --import tsx bench/store-backends.ts --channels 1000 --per-channel 1000 --reps 100 --seconds 4
//   node --import tsx bench/store-backends.ts --parts startup --channels 1000 --per-channel 1000
//
// Each start-up measurement runs in a fresh child process, so its peak RSS is its own.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Item } from '../src/model.js';
import { LowdbStore } from '../src/store/files/file-store.js';
import { PostgresStore } from '../src/store/postgres/pg-store.js';
import type { Store } from '../src/store/store.js';
import { startPostgres } from '../tests/helpers/postgres.js';
import { benchChannel, LICENSE } from './documents.js';
import { freePort, waitFor } from './ready.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const NOW = new Date(Date.UTC(2026, 0, 1));
const BODY = '河钢集团推进产能置换与超低排放改造，氢冶金示范项目进入调试阶段，海外市场订单同比增长。'.repeat(10);

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    channels: { type: 'string', default: '1000' },
    'per-channel': { type: 'string', default: '100' },
    reps: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '4' },
    parts: { type: 'string', default: 'apply,startup,serve' },
  },
});

/** The same item as bench/store.ts: mostly CJK, about 1.9 KB of JSON. */
function benchItem(channel: string, n: number): Item {
  const id = createHash('sha256').update(`bench\n${channel}\n${n}`).digest('hex').slice(0, 32);
  const publishedAt = new Date(Date.UTC(2024, 0, 1) + n * 600_000).toISOString();
  return {
    id,
    guid: `urn:uuid:${id.slice(0, 8)}-${id.slice(8, 12)}-5${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20, 32)}`,
    channelIds: [channel],
    sourceId: 'steel-rss',
    title: `第${n}条：钢铁企业要闻精选——绿色低碳转型持续推进`,
    link: `http://www.csteelnews.com/qypd/ywjx/2024/${n}.html`,
    summary: BODY.slice(0, 80),
    contentHtml: `<p>${BODY.slice(0, 150)}</p><p>${BODY.slice(150, 290)}</p>`,
    publishedAt,
    updatedAt: publishedAt,
    categories: ['企业频道', '要闻精选'],
    language: 'zh-CN',
    attribution: { authors: ['李明', '王芳'], editor: '张伟', source: { name: '中国冶金报—中国钢铁新闻网', url: 'http://www.csteelnews.com/', original: true } },
    licenseId: 'bench-license',
    contentHash: createHash('sha256').update(`${id}\n${n}`).digest('hex'),
    ingestedAt: publishedAt,
  };
}
const items = (channel: string, from: number, count: number) => Array.from({ length: count }, (_, i) => benchItem(channel, from + i));
const state = { sourceId: 'steel-rss', consecutiveFailures: 0, lastRunAt: NOW.toISOString() };

const round = (n: number) => Math.round(n * 10) / 10;
const pct = (xs: number[], p: number) => round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!);
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

type Kind = 'files' | 'postgres';

async function openStore(kind: Kind, where: string, ids: string[]): Promise<Store> {
  return kind === 'files' ? LowdbStore.open(where, ids) : PostgresStore.connect(where, ids, { listen: false });
}

/** apply() latency on one channel of `size` items: runs that find nothing new, and runs of 20 new items (20 archived). */
async function applyLatency(kind: Kind, where: string, size: number, reps: number) {
  const store = await openStore(kind, where, ['c']);
  const t0 = performance.now();
  await store.apply('c', { items: items('c', 0, size), sourceStates: [state], maxItems: size, now: NOW });
  const first = performance.now() - t0;
  const nothing: number[] = [];
  const ingest: number[] = [];
  for (let r = 0; r < reps; r += 1) {
    let t = performance.now();
    await store.apply('c', { items: [], sourceStates: [{ ...state, lastRunAt: new Date(NOW.getTime() + r).toISOString() }], maxItems: size, now: NOW });
    nothing.push(performance.now() - t);
    t = performance.now();
    await store.apply('c', { items: items('c', size + r * 20, 20), sourceStates: [state], maxItems: size, now: NOW });
    ingest.push(performance.now() - t);
  }
  await store.close();
  return { kind, size, firstMs: round(first), nothing: { p50: pct(nothing, 50), p99: pct(nothing, 99) }, ingest: { p50: pct(ingest, 50), p99: pct(ingest, 99) } };
}

/** Fills `channels` × `perChannel` items, through the store as ingest would. */
async function prepare(kind: Kind, where: string, channels: number, perChannel: number): Promise<void> {
  const ids = Array.from({ length: channels }, (_, i) => `ch${i}`);
  const store = await openStore(kind, where, ids);
  for (const id of ids) await store.apply(id, { items: items(id, 0, perChannel), sourceStates: [state], maxItems: perChannel, now: NOW });
  await store.close();
}

/** In a fresh process: open the store of every channel (items in memory, sorted); time and memory. */
async function startup(kind: Kind, where: string, channels: number) {
  const ids = Array.from({ length: channels }, (_, i) => `ch${i}`);
  const t0 = performance.now();
  const store = await openStore(kind, where, ids);
  let total = 0;
  for (const id of ids) total += store.items(id).length;
  const ms = performance.now() - t0;
  const rss = process.memoryUsage().rss;
  await store.close();
  return { kind, channels, items: total, openMs: Math.round(ms), rssMiB: mib(rss), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
}

function child(argv: string[]): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', SELF, 'child', ...argv], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`bench child ${argv.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

// ---- feed GET throughput ----


function upstreamFeed(): string {
  const entries = Array.from({ length: 50 }, (_, n) => {
    const date = new Date(Date.UTC(2026, 9, 1) + n * 3_600_000).toUTCString();
    return `<item><title>基准新闻 ${n}</title><link>http://bench.example.cn/${n}.html</link><guid isPermaLink="false">bench-${n}</guid><pubDate>${date}</pubDate><description>${BODY.slice(0, 120)}</description></item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>基准</title><link>http://bench.example.cn/</link><description>bench</description>${entries.join('')}</channel></rss>`;
}

function wrk(url: string, seconds: number): number {
  const out = execFileSync('wrk', ['-t1', '-c32', `-d${seconds}s`, url], { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  if (!rps || /Non-2xx or 3xx responses/.test(out)) throw new Error(`bench: wrk on ${url}:\n${out}`);
  return Number(rps);
}

async function serving(databaseUrl: string, seconds: number) {
  const feeds = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-feeds-'));
  await mkdir(path.join(feeds, 'samples'));
  await mkdir(path.join(feeds, 'licenses'));
  await writeFile(path.join(feeds, 'samples', 'bench.rss.xml'), upstreamFeed());
  await writeFile(path.join(feeds, 'licenses', 'bench-license.json'), JSON.stringify(LICENSE));
  await writeFile(path.join(feeds, 'bench.json'), JSON.stringify(benchChannel()));
  const children: ChildProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const port = await freePort();
    const data = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-data-'));
    const proc = spawn(process.execPath, [path.join(ROOT, 'bin/syndicator.js'), 'serve'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BASE_URL: 'http://127.0.0.1', FEEDS_DIR: feeds, DATA_DIR: data, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(proc);
    const url = `http://127.0.0.1:${port}/feeds/bench.rss`;
    return { url, body: await waitFor(url, (b) => (b.match(/<item>/g) ?? []).length === 50) };
  };
  try {
    const files = await start({});
    const postgres = await start({ DATABASE_URL: databaseUrl });
    const bodyFile = path.join(feeds, 'bare-body.xml');
    await writeFile(bodyFile, files.body);
    const bare = spawn(
      process.execPath,
      ['-e', `const b=require('node:fs').readFileSync(process.env.BODY_FILE);require('node:http').createServer((q,s)=>s.writeHead(200,{'Content-Type':'application/rss+xml; charset=utf-8','Content-Length':String(b.length)}).end(b)).listen(0,'127.0.0.1',function(){process.stdout.write(this.address().port+'\\n')})`],
      { env: { ...process.env, BODY_FILE: bodyFile }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(bare);
    const [chunk] = (await once(bare.stdout!, 'data')) as [Buffer];
    const bareUrl = `http://127.0.0.1:${chunk.toString().trim()}/feeds/bench.rss`;
    const rows: { round: number; bare: number; files: number; postgres: number }[] = [];
    for (let r = 1; r <= 3; r += 1) rows.push({ round: r, bare: wrk(bareUrl, seconds), files: wrk(files.url, seconds), postgres: wrk(postgres.url, seconds) });
    return { bytes: Buffer.byteLength(files.body), rows };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(feeds, { recursive: true, force: true });
  }
}

// ---- orchestration ----

async function main(): Promise<void> {
  if (positionals[0] === 'child') {
    const [, what, kind, where, a, b] = positionals;
    const result =
      what === 'prepare'
        ? (await prepare(kind as Kind, where!, Number(a), Number(b)), { ok: true })
        : await startup(kind as Kind, where!, Number(a));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const channels = Number(args.channels);
  const perChannel = Number(args['per-channel']);
  const reps = Number(args.reps);
  const seconds = Number(args.seconds);
  const parts = new Set(args.parts.split(','));
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  process.stdout.write(`store backends — Node ${process.version}, ${cpus().length} CPUs; load average at start: ${load()}\n\n`);
  const pg = await startPostgres({ durable: true });
  const dirs: string[] = [];
  const place = async (kind: Kind) => {
    if (kind === 'postgres') return pg.database();
    const dir = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-'));
    dirs.push(dir);
    return dir;
  };
  try {
    if (parts.has('apply')) process.stdout.write(`apply() on one channel, ${reps} runs each (ms):\n\n| items | backend | first apply (all items) | nothing new p50 | p99 | 20 new + 20 archived p50 | p99 |\n|---|---|---|---|---|---|---|\n`);
    for (const size of parts.has('apply') ? [1_000, 10_000] : []) {
      for (const kind of ['files', 'postgres'] as const) {
        const r = await applyLatency(kind, await place(kind), size, reps);
        process.stdout.write(`| ${size} | ${kind} | ${r.firstMs} | ${r.nothing.p50} | ${r.nothing.p99} | ${r.ingest.p50} | ${r.ingest.p99} |\n`);
      }
    }

    if (parts.has('startup')) process.stdout.write(`\nstart-up, ${channels} channels × ${perChannel} items, a fresh process each:\n\n| backend | prepare (all applies) | open + every channel in memory | RSS after | peak RSS |\n|---|---|---|---|---|\n`);
    for (const kind of parts.has('startup') ? (['files', 'postgres'] as const) : []) {
      const where = await place(kind);
      const t = performance.now();
      child(['prepare', kind, where, String(channels), String(perChannel)]);
      const prepared = Math.round((performance.now() - t) / 1000);
      const r = child(['startup', kind, where, String(channels)]);
      process.stdout.write(`| ${kind} | ${prepared} s | ${r.openMs} ms | ${r.rssMiB} MiB | ${r.peakRssMiB} MiB |\n`);
    }

    if (!parts.has('serve')) {
      // not asked for
    } else if (spawnSync('wrk', ['-v']).error) {
      process.stdout.write('\nfeed GET throughput: skipped (wrk is not installed)\n');
    } else {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
      const s = await serving(await pg.database(), seconds);
      process.stdout.write(`\nfeed GET, /feeds/bench.rss (${s.bytes} bytes, 50 items), wrk -t1 -c32 -d${seconds}s, req/s:\n\n| round | bare node:http | files | postgres | files / bare | postgres / bare |\n|---|---|---|---|---|---|\n`);
      for (const r of s.rows) {
        process.stdout.write(`| ${r.round} | ${Math.round(r.bare)} | ${Math.round(r.files)} | ${Math.round(r.postgres)} | ${(r.files / r.bare).toFixed(2)} | ${(r.postgres / r.bare).toFixed(2)} |\n`);
      }
    }
    process.stdout.write(`\nload average at the end: ${load()}\n`);
  } finally {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    await pg.dispose();
  }
}

await main();
