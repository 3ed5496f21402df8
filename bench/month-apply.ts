// The store's side of bench/hostile.ts's `month` scenario, on each backend, in this process (issue 13):
// apply() of 20,000 items of one month into a channel that keeps 50 (19,950 go to the month's archive),
// a second apply() in which 1,000 of them changed (the month is read and rewritten), and archivedItems()
// of the month. For each step: its wall time, and the longest stretch in which this thread ran without
// letting the event loop turn, as on-CPU time (Linux, /proc/thread-self/schedstat: on a shared machine a
// stretch is often long only because the thread waited for a CPU), noted by a 1 ms timer.
//
//   node --import tsx bench/month-apply.ts                      files and PostgreSQL (a throw-away cluster,
//   node --import tsx bench/month-apply.ts --backends files     or DATABASE_URL's server)
//   node --import tsx bench/month-apply.ts --items 2000         a quick check

import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Item } from '../src/model.js';
import { FileStore } from '../src/store/files/file-store.js';
import { PostgresStore } from '../src/store/postgres/pg-store.js';
import type { Store } from '../src/store/store.js';
import { postgresAvailable, startPostgres } from '../tests/helpers/postgres.js';
import { benchItems } from './documents.js';
import { onCpuClock } from './on-cpu.js';

const { values: args } = parseArgs({ options: { items: { type: 'string', default: '20000' }, backends: { type: 'string', default: 'files,postgres' } } });
const COUNT = Number(args.items);
const CHANGED = Math.min(1000, Math.floor(COUNT / 20));

/** COUNT items of April 2019, two minutes apart, about 0.7 KB of JSON each (as the hostile feed's). */
function monthItems(changed = 0): Item[] {
  return benchItems(COUNT).map(({ contentHtml: _html, ...item }, n) => {
    const at = new Date(Date.UTC(2019, 3, 1) + n * 120_000).toISOString();
    return { ...item, publishedAt: at, updatedAt: at, ...(n < changed && { title: `${item.title}（更正）`, contentHash: `${item.contentHash}-2` }) };
  });
}

/** The serving thread's time on a CPU, in ms; undefined where Linux does not tell. */
const onCpuMs = onCpuClock();

/** Runs fn with the 1 ms timer on: its wall time, and its longest stretch without a turn of the event loop (on CPU, else wall). */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; longestMs: number; over20: number }> {
  let last = performance.now();
  let lastCpu = onCpuMs();
  let longestMs = 0;
  let over20 = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = onCpuMs();
    const stretch = cpu !== undefined && lastCpu !== undefined ? cpu - lastCpu : now - last;
    longestMs = Math.max(longestMs, stretch);
    if (stretch >= 20) over20 += 1;
    last = now;
    lastCpu = cpu;
  }, 1);
  const started = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - started;
    // One more tick, so that a stretch at the very end of fn is noted too.
    await new Promise((r) => setTimeout(r, 5));
    return { value, ms, longestMs, over20 };
  } finally {
    clearInterval(timer);
  }
}

interface Row {
  backend: string;
  step: string;
  ms: number;
  longestMs: number;
  over20: number;
  result: string;
}

async function run(backend: string, open: () => Promise<Store>): Promise<Row[]> {
  const first = monthItems();
  const second = monthItems(CHANGED);
  const store = await open();
  const rows: Row[] = [];
  const batch = (items: Item[]) => ({ items, sourceStates: [], maxItems: 50, now: new Date('2026-11-30T00:00:00Z') });
  // Settle the start (module loads, first connections) before the first measurement.
  await new Promise((r) => setTimeout(r, 200));
  const a = await measured(() => store.apply('bench', batch(first)));
  rows.push({ backend, step: `apply: ${COUNT} new items`, ...a, result: `${a.value.archived} archived` });
  const b = await measured(() => store.apply('bench', batch(second)));
  rows.push({ backend, step: `apply: the same, ${CHANGED} changed`, ...b, result: `${b.value.archived} archived` });
  const c = await measured(() => store.archivedItems('bench', '2019-04'));
  rows.push({ backend, step: 'archivedItems of the month', ...c, result: `${c.value.length} items` });
  await store.close();
  return rows;
}

const rows: Row[] = [];
const backends = args.backends.split(',');
if (backends.includes('files')) {
  const dir = await mkdtemp(path.join(tmpdir(), 'syndicator-bench-month-'));
  try {
    rows.push(...(await run('files', () => FileStore.open(dir, ['bench']))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
if (backends.includes('postgres')) {
  if (!postgresAvailable()) {
    process.stderr.write('bench:month-apply: no PostgreSQL (Debian postgresql-15, or DATABASE_URL): skipped\n');
  } else {
    const server = await startPostgres({ durable: true });
    try {
      const url = await server.database();
      rows.push(...(await run('postgres', () => PostgresStore.connect(url, ['bench']))));
    } finally {
      await server.dispose();
    }
  }
}

const unit = onCpuMs() === undefined ? 'wall' : 'on CPU';
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('');
console.log(`| backend | step | ms | longest stretch ms (${unit}) | stretches ≥ 20 ms | result |`);
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.backend} | ${r.step} | ${r.ms.toFixed(0)} | ${r.longestMs.toFixed(1)} | ${r.over20} | ${r.result} |`);
