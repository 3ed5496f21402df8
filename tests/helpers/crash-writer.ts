// A process that ingests into a LowdbStore until it is killed, for the crash test and bench/crash.ts.
// Usage: crash-writer.ts <dataDir> <firstRun>
// Prints "ready" once the store is open, then, for every batch, "committed <run> <channel> <ids…>" — only
// after that batch's apply() resolved, i.e. once the store promised the items are durable. Each run
// applies two batches to "alpha" in the same turn (so they share one write: group commit) and one to
// "beta"; maxItems is small, so from the twentieth run on every write also moves items to the archive.

import { createHash } from 'node:crypto';
import type { Item } from '../../src/model.js';
import { LowdbStore } from '../../src/store/files/file-store.js';

export const CRASH_CHANNELS = ['alpha', 'beta'] as const;
export const CRASH_MAX_ITEMS = 120;
const PER_BATCH = 6;
const BODY = '钢铁企业要闻：产能置换、绿色低碳改造与海外市场拓展的最新进展。'.repeat(8);

/** A distinct item per (run, channel, k); publishedAt moves two hours per run, so runs span months. */
export function crashItem(run: number, channel: string, k: number): Item {
  const id = createHash('sha256').update(`crash\n${run}\n${channel}\n${k}`).digest('hex').slice(0, 32);
  const publishedAt = new Date(Date.UTC(2025, 0, 1) + run * 7_200_000 + k * 1000).toISOString();
  return {
    id,
    guid: `urn:uuid:${id.slice(0, 8)}-${id.slice(8, 12)}-5${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20, 32)}`,
    channelIds: [channel],
    sourceId: 'crash',
    title: `第${run}轮第${k}条`,
    link: `http://news.example.cn/${run}/${channel}/${k}.html`,
    summary: BODY.slice(0, 60),
    contentHtml: `<p>${BODY}</p>`,
    publishedAt,
    updatedAt: publishedAt,
    categories: ['企业频道'],
    attribution: { authors: ['李明'], source: { name: '中国钢铁新闻网', original: true } },
    licenseId: 'own',
    contentHash: `hash-${id}`,
    ingestedAt: publishedAt,
  };
}

async function main(): Promise<void> {
  const [dataDir, first] = process.argv.slice(2);
  if (!dataDir || !first) throw new Error('usage: crash-writer.ts <dataDir> <firstRun>');
  const store = await LowdbStore.open(dataDir, CRASH_CHANNELS);
  process.stdout.write('ready\n');
  const now = new Date(Date.UTC(2026, 0, 1));
  for (let run = Number(first); ; run += 1) {
    const batches: [string, Item[]][] = [
      ['alpha', range(PER_BATCH).map((k) => crashItem(run, 'alpha', k))],
      ['alpha', range(PER_BATCH).map((k) => crashItem(run, 'alpha', PER_BATCH + k))],
      ['beta', range(PER_BATCH).map((k) => crashItem(run, 'beta', k))],
    ];
    await Promise.all(
      batches.map(([channel, items]) =>
        store
          .apply(channel, { items, sourceStates: [{ sourceId: 'crash', consecutiveFailures: 0, lastRunAt: now.toISOString() }], maxItems: CRASH_MAX_ITEMS, now })
          // A pipe write is synchronous on Linux: once write() returns, a SIGKILL cannot take the line back.
          .then(() => process.stdout.write(`committed ${run} ${channel} ${items.map((i) => i.id).join(' ')}\n`)),
      ),
    );
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  main().catch((err: unknown) => {
    process.stderr.write(`crash-writer: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
