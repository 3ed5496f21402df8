import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { LowdbStore, SCHEMA_VERSION } from '../../src/store/files/file-store.js';
import { makeItem } from '../helpers/items.js';
import { tempDir } from '../helpers/temp.js';

const now = new Date('2026-01-01T00:00:00Z');
const state = (sourceId: string) => ({ sourceId, consecutiveFailures: 0, lastRunAt: now.toISOString() });

test('items are written to one compact JSON file per channel and read back after reopening', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await LowdbStore.open(dir, ['a', 'b']);
  const result = await store.apply('a', { items: [makeItem(1), makeItem(2)], sourceStates: [state('s')], maxItems: 10, now });
  assert.equal(result.bySource.get('s')?.added, 2);
  assert.equal(result.changed, true);
  await store.close();

  const raw = await readFile(path.join(dir, 'channels', 'a.json'), 'utf8');
  assert.ok(!raw.includes('\n  '), 'compact JSON');
  const doc = JSON.parse(raw);
  assert.equal(doc.schemaVersion, SCHEMA_VERSION);
  assert.equal(doc.items.length, 2);
  assert.deepEqual(doc.sources.s.lastCounts, { fetched: 2, added: 2, updated: 0, unchanged: 0 });

  const reopened = await LowdbStore.open(dir, ['a', 'b']);
  assert.deepEqual(reopened.items('a').map((i) => i.title), ['第2条新闻', '第1条新闻'], 'newest first');
  assert.equal(reopened.items('b').length, 0);
});

test('re-ingesting the same items adds no duplicates and leaves the revision alone', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await LowdbStore.open(dir, ['a']);
  await store.apply('a', { items: [makeItem(1), makeItem(2)], sourceStates: [], maxItems: 10, now });
  const revision = store.revision('a');
  const again = await store.apply('a', { items: [makeItem(1), makeItem(2)], sourceStates: [], maxItems: 10, now });
  assert.equal(again.changed, false);
  assert.equal(again.bySource.get('s')?.unchanged, 2);
  assert.equal(store.items('a').length, 2);
  assert.equal(store.revision('a'), revision);
});

test('a changed item keeps ingestedAt and its updatedAt moves forward, even when the upstream date did not', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await LowdbStore.open(dir, ['a']);
  await store.apply('a', { items: [makeItem(1)], sourceStates: [], maxItems: 10, now });
  const before = store.items('a')[0]!;
  const later = new Date('2026-02-01T00:00:00Z');
  const edited = makeItem(1, { title: '更正后的标题', contentHash: 'hash-1-edited', ingestedAt: later.toISOString() });
  const result = await store.apply('a', { items: [edited], sourceStates: [], maxItems: 10, now: later });
  assert.equal(result.bySource.get('s')?.updated, 1);
  const after = store.items('a')[0]!;
  assert.equal(after.title, '更正后的标题');
  assert.equal(after.ingestedAt, before.ingestedAt);
  assert.equal(after.updatedAt, later.toISOString());
  assert.ok(after.updatedAt > before.updatedAt);
});

test('retention keeps the newest maxItems items', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await LowdbStore.open(dir, ['a']);
  const items = [5, 1, 4, 2, 3].map((n) => makeItem(n));
  const result = await store.apply('a', { items, sourceStates: [], maxItems: 3, now });
  assert.equal(result.removed, 2);
  assert.deepEqual(store.items('a').map((i) => i.title), ['第5条新闻', '第4条新闻', '第3条新闻']);
});

test('a damaged channel file stops the open with its name, and is left untouched', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await LowdbStore.open(dir, ['a']);
  await store.apply('a', { items: [makeItem(1)], sourceStates: [], maxItems: 10, now });
  const file = path.join(dir, 'channels', 'a.json');
  const good = await readFile(file, 'utf8');
  const truncated = good.slice(0, good.length - 20);
  await writeFile(file, truncated);
  await assert.rejects(LowdbStore.open(dir, ['a']), (err: Error) => {
    assert.match(err.message, /^store: .*channels\/a\.json is damaged and was not loaded/);
    return true;
  });
  assert.equal(await readFile(file, 'utf8'), truncated);
});

test('two processes sharing the data directory never overwrite each other (writer B sees writer A)', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const server = await LowdbStore.open(dir, ['a']);
  const cli = await LowdbStore.open(dir, ['a']);
  await server.apply('a', { items: [makeItem(1)], sourceStates: [state('s')], maxItems: 10, now });
  await cli.apply('a', { items: [makeItem(2, { sourceId: 't' })], sourceStates: [state('t')], maxItems: 10, now });
  await Promise.all([
    server.apply('a', { items: [makeItem(3)], sourceStates: [], maxItems: 10, now }),
    cli.apply('a', { items: [makeItem(4, { sourceId: 't' })], sourceStates: [], maxItems: 10, now }),
  ]);
  await server.sync();
  await cli.sync();
  assert.deepEqual(server.items('a').map((i) => i.title), ['第4条新闻', '第3条新闻', '第2条新闻', '第1条新闻']);
  assert.deepEqual(cli.items('a').map((i) => i.id), server.items('a').map((i) => i.id));
  assert.deepEqual(server.sourceStates('a').map((s) => s.sourceId).sort(), ['s', 't']);
});

test('the file always holds what the store holds: cached item bytes follow updates, and the JSON is the same as JSON.stringify', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await LowdbStore.open(dir, ['a']);
  await store.apply('a', { items: [1, 2, 3].map((n) => makeItem(n)), sourceStates: [state('s')], maxItems: 10, now });
  await store.apply('a', { items: [makeItem(2, { title: '改过的', contentHash: 'hash-2b' }), makeItem(4)], sourceStates: [state('s')], maxItems: 3, now });
  const raw = await readFile(path.join(dir, 'channels', 'a.json'), 'utf8');
  const doc = JSON.parse(raw);
  assert.equal(raw, JSON.stringify(doc), 'compact JSON, nothing but JSON.stringify would write');
  const reopened = await LowdbStore.open(dir, ['a']);
  assert.deepEqual(reopened.items('a'), store.items('a'));
  assert.deepEqual(reopened.items('a').map((i) => i.title), ['第4条新闻', '第3条新闻', '改过的']);
});
