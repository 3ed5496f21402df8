// Store benchmark (issue #7): one channel's write at 1k / 10k / 100k items, an ingest run at each size,
// startup load of 100k items across channels, peak resident memory; baselines in the same run.
//
//   npm run bench:store                 every scenario (about two minutes on 2 cores)
//   node --import tsx bench/store.ts --quick     1k and 10k only
//
// Each scenario runs in a fresh child process, so that its peak RSS is its own. Data goes to os.tmpdir().

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Item } from '../src/model.js';
import { writeFileDurably } from '../src/store/files/durable-file.js';
import { LowdbStore } from '../src/store/files/file-store.js';

const SELF = fileURLToPath(import.meta.url);
const NOW = new Date(Date.UTC(2026, 0, 1));
const BODY = '河钢集团推进产能置换与超低排放改造，氢冶金示范项目进入调试阶段，海外市场订单同比增长。'.repeat(10);

/** An item like the research's lowdb measurement (libraries.md §3): mostly CJK, ~1.85 KB of JSON. */
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
    licenseId: 'csteelnews-own',
    contentHash: createHash('sha256').update(`${id}\n${n}`).digest('hex'),
    ingestedAt: publishedAt,
  };
}

const items = (channel: string, from: number, count: number) => Array.from({ length: count }, (_, i) => benchItem(channel, from + i));
const state = { sourceId: 'steel-rss', consecutiveFailures: 0, lastRunAt: NOW.toISOString() };

interface Stats {
  median: number;
  max: number;
}
const stats = (ms: number[]): Stats => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: round(sorted[Math.floor(sorted.length / 2)]!), max: round(sorted.at(-1)!) };
};
const round = (n: number) => Math.round(n * 10) / 10;
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Largest event-loop stall while fn runs, from a 5 ms interval. */
async function withStall<T>(fn: () => Promise<T>): Promise<{ value: T; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    stall = Math.max(stall, t - last - 5);
    last = t;
  }, 5);
  const value = await fn();
  clearInterval(timer);
  stall = Math.max(stall, performance.now() - last - 5);
  return { value, stall: Math.max(0, round(stall)) };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

// ---- scenarios (each in its own process) ----

/** One channel holding `size` items: its first ingest, then ingest runs and plain writes, with baselines. */
async function scenarioWrite(size: number): Promise<Record<string, unknown>> {
  const reps = size >= 100_000 ? 3 : 10;
  const dir = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-'));
  try {
    const store = await LowdbStore.open(dir, ['c']);
    const firstIngest = await time(() => store.apply('c', { items: items('c', 0, size), sourceStates: [state], maxItems: size, now: NOW }));
    const file = path.join(dir, 'channels', 'c.json');
    const bytes = (await stat(file)).size;

    // One channel's write: the document is unchanged but for the source state (a run that found nothing new).
    const write: number[] = [];
    let writeStall = 0;
    for (let r = 0; r < reps; r += 1) {
      const { value, stall } = await withStall(() =>
        time(() => store.apply('c', { items: [], sourceStates: [{ ...state, lastRunAt: new Date(NOW.getTime() + r).toISOString() }], maxItems: size, now: NOW })),
      );
      write.push(value);
      writeStall = Math.max(writeStall, stall);
    }
    // An ingest run: 20 new items; the channel is full, so 20 old ones go to the archive in the same run.
    const ingest: number[] = [];
    for (let r = 0; r < reps; r += 1) {
      ingest.push(await time(() => store.apply('c', { items: items('c', size + r * 20, 20), sourceStates: [state], maxItems: size, now: NOW })));
    }
    await store.close();
    // The first write after a start: every item's bytes are encoded once (later writes reuse them).
    const reopened = await LowdbStore.open(dir, ['c']);
    const coldWrite = await time(() => reopened.apply('c', { items: [], sourceStates: [{ ...state, lastRunAt: new Date(NOW.getTime() - 1).toISOString() }], maxItems: size + reps * 20, now: NOW }));
    await reopened.close();
    const storePeakRss = peakRssMiB();

    // Baselines on the same bytes (they add their own memory: the peak above is the store's alone).
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const stringify: number[] = [];
    const plain: number[] = [];
    const plainFsync: number[] = [];
    const durableNoBackups: number[] = [];
    const lowdbStock: number[] = [];
    const other = path.join(dir, 'baseline.json');
    const low = new Low(new DataFile(path.join(dir, 'lowdb.json'), { parse: JSON.parse, stringify: (d) => JSON.stringify(d) }), data);
    for (let r = 0; r < reps; r += 1) {
      stringify.push(await time(async () => JSON.stringify(data)));
      plain.push(await time(() => writeFile(other, JSON.stringify(data))));
      plainFsync.push(
        await time(async () => {
          const h = await open(other, 'w');
          await h.writeFile(JSON.stringify(data));
          await h.sync();
          await h.close();
        }),
      );
      durableNoBackups.push(await time(() => writeFileDurably(other, JSON.stringify(data), { backups: 0 })));
      lowdbStock.push(await time(() => low.write()));
    }
    return {
      scenario: `write ${size}`,
      items: size,
      fileMiB: round(bytes / 1024 / 1024),
      bytesPerItem: Math.round(bytes / size),
      firstIngestMs: round(firstIngest),
      writeMs: stats(write),
      writeStallMs: writeStall,
      firstWriteAfterStartMs: round(coldWrite),
      ingestRunMs: stats(ingest),
      baseline: {
        stringifyMs: stats(stringify),
        writeFileMs: stats(plain),
        writeFileFsyncMs: stats(plainFsync),
        durableNoBackupsMs: stats(durableNoBackups),
        lowdbDataFileMs: stats(lowdbStock),
      },
      peakRssMiB: storePeakRss,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `channels` channel files of `perChannel` items each into dir (through the store, as ingest would). */
async function scenarioPrepare(dir: string, channels: number, perChannel: number): Promise<Record<string, unknown>> {
  const ids = Array.from({ length: channels }, (_, i) => `ch${i}`);
  const store = await LowdbStore.open(dir, ids);
  for (const id of ids) await store.apply(id, { items: items(id, 0, perChannel), sourceStates: [state], maxItems: perChannel, now: NOW });
  await store.close();
  return { scenario: 'prepare', channels, perChannel };
}

/** A fresh process opening the store: time to open, time until every channel's sorted list is built, memory. */
async function scenarioLoad(dir: string, channels: number): Promise<Record<string, unknown>> {
  const ids = Array.from({ length: channels }, (_, i) => `ch${i}`);
  let bytes = 0;
  for (const id of ids) bytes += (await stat(path.join(dir, 'channels', `${id}.json`))).size;
  const t0 = performance.now();
  const store = await LowdbStore.open(dir, ids);
  const opened = performance.now() - t0;
  let total = 0;
  for (const id of ids) total += store.items(id).length;
  const ready = performance.now() - t0;
  const heap = process.memoryUsage();
  const loadPeak = peakRssMiB();
  // A running server: every channel has had an ingest run since the start (so each keeps its items'
  // encoded bytes for the next write).
  const t1 = performance.now();
  for (const id of ids) {
    await store.apply(id, { items: items(id, 1_000_000, 5), sourceStates: [state], maxItems: total / channels + 5, now: NOW });
  }
  const firstWrites = performance.now() - t1;
  await store.close();
  return {
    scenario: `load ${channels} × ${total / channels}`,
    items: total,
    dataMiB: round(bytes / 1024 / 1024),
    openMs: round(opened),
    readyMs: round(ready),
    rssAfterMiB: mib(heap.rss),
    heapUsedMiB: mib(heap.heapUsed),
    peakRssMiB: loadPeak,
    firstWriteEveryChannelMs: round(firstWrites),
    rssAfterWritesMiB: mib(process.memoryUsage().rss),
    peakRssAfterWritesMiB: peakRssMiB(),
  };
}

// ---- orchestration ----

function child(args: string[]): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`bench child ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, name, a, b, c] = args;
    const result =
      name === 'write'
        ? await scenarioWrite(Number(a))
        : name === 'prepare'
          ? await scenarioPrepare(a!, Number(b), Number(c))
          : await scenarioLoad(a!, Number(b));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const quick = args.includes('--quick');
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  process.stdout.write(`store benchmark — Node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} CPUs, data in ${tmpdir()}; load average at start: ${load()}\n\n`);

  const writes = sizes.map((size) => {
    const r = child(['write', String(size)]);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r;
  });

  const loads: Record<string, unknown>[] = [];
  for (const [channels, perChannel] of quick ? [[10, 1_000]] : [[10, 10_000], [1, 100_000]]) {
    const dir = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-load-'));
    try {
      child(['prepare', dir, String(channels), String(perChannel)]);
      const r = child(['load', dir, String(channels)]);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      loads.push(r);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const s = (x: unknown) => {
    const v = x as Stats;
    return `${v.median} (max ${v.max})`;
  };
  process.stdout.write(
    '\n| items in the channel | file | one write (fsync, 3 backups) | event-loop stall | first write after a start | ingest run: 20 new, 20 archived | first ingest (all items) | peak RSS |\n|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of writes) {
    process.stdout.write(
      `| ${r.items} | ${r.fileMiB} MiB (${r.bytesPerItem} B/item) | ${s(r.writeMs)} ms | ${r.writeStallMs} ms | ${r.firstWriteAfterStartMs} ms | ${s(r.ingestRunMs)} ms | ${r.firstIngestMs} ms | ${r.peakRssMiB} MiB |\n`,
    );
  }
  process.stdout.write('\nBaselines, same document, median (max) ms:\n\n| items | JSON.stringify | fs.writeFile (no fsync) | writeFile + fsync | durable, no backups | lowdb DataFile (steno, no fsync) |\n|---|---|---|---|---|---|\n');
  for (const r of writes) {
    const b = r.baseline as Record<string, unknown>;
    process.stdout.write(`| ${r.items} | ${s(b.stringifyMs)} | ${s(b.writeFileMs)} | ${s(b.writeFileFsyncMs)} | ${s(b.durableNoBackupsMs)} | ${s(b.lowdbDataFileMs)} |\n`);
  }
  process.stdout.write(
    '\n| startup | data on disk | open | open + sorted lists | RSS after | peak RSS | then one ingest run per channel | RSS after | peak RSS |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of loads) {
    process.stdout.write(
      `| ${r.scenario} | ${r.dataMiB} MiB | ${r.openMs} ms | ${r.readyMs} ms | ${r.rssAfterMiB} MiB | ${r.peakRssMiB} MiB | ${r.firstWriteEveryChannelMs} ms | ${r.rssAfterWritesMiB} MiB | ${r.peakRssAfterWritesMiB} MiB |\n`,
    );
  }
  process.stdout.write(`\nload average at the end: ${load()}\n`);
}

await main();
