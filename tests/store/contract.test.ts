// The Store contract of docs/scaling.md §1, asserted once and run against both backends: the lowdb files
// under a temporary DATA_DIR, and PostgreSQL (a throw-away cluster, or DATABASE_URL's server).

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { SourceState } from '../../src/model.js';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { SchemaVersionError, type Store, StoreError } from '../../src/store/store.js';
import { makeItem } from '../helpers/items.js';
import { filesBackend, forEachBackend, type Place, postgresBackend } from '../helpers/store-backends.js';

/** One backend's data in a fresh place; open() may be called several times, as several processes would. */
interface StorePlace extends Place {
  open(channels: readonly string[]): Promise<Store>;
  /** Damages what channel "a" is stored in (a file cut short; a database row that is not an item). */
  damage(): Promise<void>;
  /** Marks the data as written by a newer build. */
  fromNewerBuild(): Promise<void>;
}

const files = filesBackend<StorePlace>('files (lowdb)', (dir) => {
  const file = path.join(dir, 'channels', 'a.json');
  return {
    open: (channels) => LowdbStore.open(dir, channels),
    damage: async () => writeFile(file, (await readFile(file, 'utf8')).slice(0, -20)),
    fromNewerBuild: async () => writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), schemaVersion: 99 })),
    dispose: async () => undefined,
  };
});

const postgres = postgresBackend<StorePlace>('postgres', (url, sql) => {
  const opened: Store[] = [];
  return {
    async open(channels) {
      const store = await PostgresStore.connect(url, channels);
      opened.push(store);
      return store;
    },
    damage: () => sql(`UPDATE items SET doc = '{"title": 1}' WHERE channel_id = 'a'`),
    fromNewerBuild: () => sql(`INSERT INTO schema_migrations (version, name) VALUES (99, 'future')`),
    dispose: async () => {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    },
  };
});

const now = new Date('2026-01-01T00:00:00Z');
const state = (sourceId: string, extra: Partial<SourceState> = {}): SourceState => ({ sourceId, consecutiveFailures: 0, lastRunAt: now.toISOString(), ...extra });
const titles = (store: Store, channel = 'a') => store.items(channel).map((i) => i.title);

forEachBackend('Store contract', files, postgres, (place) => {
  test('apply upserts by id: counts per source, newest first, unchanged items untouched, changed ones keep ingestedAt and move updatedAt', async (t) => {
    const store = await (await place(t)).open(['a', 'b']);
    const first = await store.apply('a', { items: [makeItem(1), makeItem(3), makeItem(2, { sourceId: 't' })], sourceStates: [state('s'), state('t')], maxItems: 10, now });
    assert.deepEqual(first.bySource.get('s'), { added: 2, updated: 0, unchanged: 0 });
    assert.deepEqual(first.bySource.get('t'), { added: 1, updated: 0, unchanged: 0 });
    assert.equal(first.changed, true);
    assert.deepEqual(titles(store), ['第3条新闻', '第2条新闻', '第1条新闻']);
    assert.equal(store.items('b').length, 0, 'another channel is untouched');
    const held = store.items('a');
    assert.ok(Object.isFrozen(held));

    const later = new Date('2026-02-01T00:00:00Z');
    const edited = makeItem(1, { title: '更正', contentHash: 'hash-1b', ingestedAt: later.toISOString() });
    const second = await store.apply('a', { items: [edited, makeItem(3)], sourceStates: [state('s')], maxItems: 10, now: later });
    assert.deepEqual(second.bySource.get('s'), { added: 0, updated: 1, unchanged: 1 });
    const item1 = store.items('a').find((i) => i.id === makeItem(1).id)!;
    assert.equal(item1.title, '更正');
    assert.equal(item1.ingestedAt, makeItem(1).ingestedAt, 'ingestedAt kept');
    assert.equal(item1.updatedAt, later.toISOString(), 'updatedAt moved although the upstream date did not');
    assert.deepEqual(held.map((i) => i.title), ['第3条新闻', '第2条新闻', '第1条新闻'], 'an array handed out earlier stays as it was');
    assert.deepEqual(store.sourceStates('a').find((s) => s.sourceId === 's')?.lastCounts, { fetched: 2, added: 0, updated: 1, unchanged: 1 });
  });

  test('durable: what apply() resolved is there for a store opened afterwards (another process, or after a restart)', async (t) => {
    const p = await place(t);
    const store = await p.open(['a']);
    await store.apply('a', { items: [makeItem(1), makeItem(2)], sourceStates: [state('s', { etag: '"v1"' })], maxItems: 10, now });
    const other = await p.open(['a']);
    assert.deepEqual(titles(other), ['第2条新闻', '第1条新闻']);
    assert.equal(other.sourceStates('a')[0]?.etag, '"v1"');
  });

  test('atomic: an apply that fails commits neither its items nor its source states (no ETag without its items)', async (t) => {
    const p = await place(t);
    const store = await p.open(['a']);
    await store.apply('a', { items: [makeItem(1)], sourceStates: [state('s', { etag: '"v1"' })], maxItems: 10, now });
    // A state that cannot be written (JSON has no BigInt): the write fails after the items were merged.
    const broken = { ...state('s', { etag: '"v2"' }), size: 1n } as unknown as SourceState;
    await assert.rejects(store.apply('a', { items: [makeItem(2)], sourceStates: [broken], maxItems: 10, now }));
    assert.deepEqual(titles(store), ['第1条新闻'], 'the failed batch is not shown');
    const reopened = await p.open(['a']);
    assert.deepEqual(titles(reopened), ['第1条新闻']);
    assert.equal(reopened.sourceStates('a')[0]?.etag, '"v1"', 'the ETag of the failed run was not saved');
    const next = await store.apply('a', { items: [makeItem(2)], sourceStates: [state('s', { etag: '"v2"' })], maxItems: 10, now });
    assert.equal(next.bySource.get('s')?.added, 1, 'the next run adds the items the failed one lost');
  });

  test('lossless retention: items beyond maxItems or older than maxAge move to the monthly archive, never away', async (t) => {
    const store = await (await place(t)).open(['a']);
    const items = [1, 2, 3, 800, 801].map((n) => makeItem(n)); // 800, 801: 2019-07-04
    const result = await store.apply('a', { items, sourceStates: [], maxItems: 2, now });
    assert.equal(result.removed, 3);
    assert.equal(result.archived, 3);
    assert.deepEqual(titles(store), ['第801条新闻', '第800条新闻']);
    assert.deepEqual(store.archiveMonths('a'), ['2019-06']);
    assert.deepEqual((await store.archivedItems('a', '2019-06')).map((i) => i.title), ['第3条新闻', '第2条新闻', '第1条新闻']);
    assert.deepEqual(await store.archivedItems('a', '2019-13'), [], 'a malformed month is empty');
    assert.deepEqual(await store.archivedItems('a', '2018-01'), [], 'a month without archive is empty');

    const byAge = await store.apply('a', { items: [], sourceStates: [], maxItems: 10, maxAgeMs: 1000, now: new Date('2019-07-04T09:00:00.500Z') });
    assert.equal(byAge.removed, 1, 'the item older than maxAge left');
    assert.deepEqual(titles(store), ['第801条新闻']);
    assert.deepEqual(store.archiveMonths('a'), ['2019-06', '2019-07']);
    assert.deepEqual((await store.archivedItems('a', '2019-07')).map((i) => i.title), ['第800条新闻']);
  });

  test('a batch of 3,000 items (many slices, several statements) is applied whole: the newest maxItems live, the others archived by month, all there after a reopen', async (t) => {
    const p = await place(t);
    const store = await p.open(['a']);
    // In no order: item n arrives at position 7 n mod 3,000.
    const items = Array.from({ length: 3000 }, (_, i) => makeItem((i * 7) % 3000));
    const result = await store.apply('a', { items, sourceStates: [state('s')], maxItems: 100, now });
    assert.deepEqual({ removed: result.removed, archived: result.archived }, { removed: 2900, archived: 2900 });
    assert.deepEqual(result.bySource.get('s'), { added: 3000, updated: 0, unchanged: 0 });
    const reopened = await p.open(['a']);
    for (const s of [store, reopened]) {
      assert.deepEqual(titles(s), Array.from({ length: 100 }, (_, i) => `第${2999 - i}条新闻`));
      const archived: string[] = [];
      for (const month of s.archiveMonths('a')) archived.push(...(await s.archivedItems('a', month)).map((i) => i.title));
      assert.equal(archived.length, 2900);
      assert.equal(new Set(archived).size, 2900);
      assert.ok(!archived.some((title) => titles(s).includes(title)), 'no item both live and archived');
    }
    assert.deepEqual(reopened.sourceStates('a')[0]?.lastCounts, { fetched: 3000, added: 3000, updated: 0, unchanged: 0 });
  });

  test('an archived item that an upstream still lists is not news; one that is live again is not in the archive too', async (t) => {
    const store = await (await place(t)).open(['a']);
    await store.apply('a', { items: [1, 2, 3].map((n) => makeItem(n)), sourceStates: [], maxItems: 2, now });
    const revision = store.revision('a');
    const relisted = await store.apply('a', { items: [1, 2, 3].map((n) => makeItem(n)), sourceStates: [], maxItems: 2, now });
    assert.deepEqual(relisted.bySource.get('s'), { added: 0, updated: 0, unchanged: 3 });
    assert.equal(relisted.removed, 0);
    assert.equal(relisted.changed, false);
    assert.equal(store.revision('a'), revision);

    const wider = await store.apply('a', { items: [makeItem(1)], sourceStates: [], maxItems: 3, now });
    assert.equal(wider.changed, true);
    assert.deepEqual(titles(store), ['第3条新闻', '第2条新闻', '第1条新闻'], 'live again');
    assert.deepEqual(await store.archivedItems('a', '2019-06'), [], 'never in both lists');
  });

  test('tombstones: a deleted item leaves the live set and the archive, and no later apply brings it back', async (t) => {
    const store = await (await place(t)).open(['a']);
    await store.apply('a', { items: [1, 2, 3].map((n) => makeItem(n)), sourceStates: [], maxItems: 2, now });
    const r0 = store.revision('a');
    assert.equal(await store.deleteItem('a', makeItem(3).id, now), true);
    assert.notEqual(store.revision('a'), r0, 'a deletion moves the revision');
    const r1 = store.revision('a');
    assert.equal(await store.deleteItem('a', makeItem(1).id, now), true, 'an archived item can be deleted');
    assert.notEqual(store.revision('a'), r1);
    assert.deepEqual(titles(store), ['第2条新闻']);
    assert.deepEqual(await store.archivedItems('a', '2019-06'), []);
    const again = await store.apply('a', { items: [1, 3, 4].map((n) => makeItem(n)), sourceStates: [], maxItems: 10, now });
    assert.deepEqual(again.bySource.get('s'), { added: 1, updated: 0, unchanged: 0 });
    assert.deepEqual(titles(store), ['第4条新闻', '第2条新闻']);
    assert.equal(await store.deleteItem('a', makeItem(3).id, now), true, 'a tombstone is known');
    assert.equal(await store.deleteItem('a', 'no-such-item', now), false);
  });

  test('the revision moves on every change a reader can see, live or archived, and only then', async (t) => {
    const store = await (await place(t)).open(['a']);
    const seen = new Set([store.revision('a')]);
    const step = async (what: string, fn: () => Promise<unknown>, moves: boolean) => {
      await fn();
      const r = store.revision('a');
      assert.equal(!seen.has(r), moves, `${what}: revision ${moves ? 'moves' : 'stays'}`);
      seen.add(r);
    };
    await step('new items', () => store.apply('a', { items: [makeItem(1), makeItem(2)], sourceStates: [state('s')], maxItems: 10, now }), true);
    await step('the same items', () => store.apply('a', { items: [makeItem(1), makeItem(2)], sourceStates: [state('s')], maxItems: 10, now }), false);
    await step('an edit', () => store.apply('a', { items: [makeItem(2, { contentHash: 'h2b', title: 'x' })], sourceStates: [], maxItems: 10, now }), true);
    await step('retention', () => store.apply('a', { items: [], sourceStates: [], maxItems: 1, now }), true);
    await step('an old item straight to the archive', () => store.apply('a', { items: [makeItem(0)], sourceStates: [], maxItems: 1, now }), true);
    await step('a source state only', () => store.updateSourceState('a', 's', (s) => ({ ...s, consecutiveFailures: 0 })), false);
  });

  test('sync picks up what another writer committed: items, revision, archive months, source states', async (t) => {
    const p = await place(t);
    const server = await p.open(['a']);
    const cli = await p.open(['a']);
    await server.apply('a', { items: [makeItem(1)], sourceStates: [state('s')], maxItems: 10, now });
    await cli.sync();
    const r = server.revision('a');
    await cli.apply('a', { items: [makeItem(2, { sourceId: 't' }), makeItem(3, { sourceId: 't' })], sourceStates: [state('t')], maxItems: 2, now });
    await Promise.all([
      server.apply('a', { items: [makeItem(4)], sourceStates: [], maxItems: 10, now }),
      cli.apply('a', { items: [makeItem(5, { sourceId: 't' })], sourceStates: [], maxItems: 10, now }),
    ]);
    await server.sync();
    await cli.sync();
    assert.deepEqual(titles(server), ['第5条新闻', '第4条新闻', '第3条新闻', '第2条新闻'], 'no writer overwrote the other');
    assert.deepEqual(titles(cli), titles(server));
    assert.notEqual(server.revision('a'), r);
    assert.deepEqual(server.archiveMonths('a'), ['2019-06']);
    assert.deepEqual((await server.archivedItems('a', '2019-06')).map((i) => i.title), ['第1条新闻']);
    assert.deepEqual(server.sourceStates('a').map((s) => s.sourceId).sort(), ['s', 't']);
    assert.equal(await cli.updateSourceState('a', 't', (s) => ({ ...s, consecutiveFailures: 0, lastError: 'cleared' })), true);
    await server.sync();
    assert.equal(server.sourceStates('a').find((s) => s.sourceId === 't')?.lastError, 'cleared');
    assert.equal(await cli.updateSourceState('a', 'nope', (s) => s), false, 'no state, no change');
  });

  test('concurrent applies to one channel are serialized: both batches are kept', async (t) => {
    const store = await (await place(t)).open(['a', 'b']);
    await Promise.all([
      ...[1, 2, 3, 4].map((n) => store.apply('a', { items: [makeItem(n)], sourceStates: [], maxItems: 10, now })),
      store.apply('b', { items: [makeItem(9)], sourceStates: [], maxItems: 10, now }),
    ]);
    assert.equal(store.items('a').length, 4);
    assert.equal(store.items('b').length, 1);
  });

  test('a damaged store stops the open with a StoreError naming what is damaged; it never starts empty', async (t) => {
    const p = await place(t);
    const store = await p.open(['a']);
    await store.apply('a', { items: [makeItem(1)], sourceStates: [], maxItems: 10, now });
    await store.close();
    await p.damage();
    await assert.rejects(p.open(['a']), (err: Error) => {
      assert.ok(err instanceof StoreError, err.message);
      assert.match(err.message, /\ba\b.*damaged.*(restore|backup)/s);
      return true;
    });
  });

  test('data written by a newer schema is refused, never downgraded', async (t) => {
    const p = await place(t);
    const store = await p.open(['a']);
    await store.apply('a', { items: [makeItem(1)], sourceStates: [], maxItems: 10, now });
    await store.close();
    await p.fromNewerBuild();
    await assert.rejects(p.open(['a']), (err: Error) => {
      assert.ok(err instanceof SchemaVersionError, err.message);
      assert.match(err.message, /schema version 99/);
      return true;
    });
  });
});
