import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { loadFeeds } from '../../src/config/channels.js';
import { FileStore, SCHEMA_VERSION } from '../../src/store/files/file-store.js';
import { archiveMonthOf } from '../../src/model.js';
import { parseMaxAge, selectEvictions } from '../../src/store/retention.js';
import { makeItem } from '../helpers/items.js';
import { FEEDS_DIR, tempDir } from '../helpers/temp.js';

const DAY = 86_400_000;
const now = new Date('2026-03-15T00:00:00Z');
/** An item published `days` days before `now`. */
const aged = (n: number, days: number) => {
  const publishedAt = new Date(now.getTime() - days * DAY).toISOString();
  return makeItem(n, { publishedAt, updatedAt: publishedAt });
};

test('maxAge: "90d", "12w", "36h"; anything else is refused', () => {
  assert.equal(parseMaxAge('90d'), 90 * DAY);
  assert.equal(parseMaxAge('12w'), 84 * DAY);
  assert.equal(parseMaxAge('36h'), 36 * 3_600_000);
  for (const bad of ['90', 'd', '0d', '-1d', '1.5d', '3m', '90 days', '999999w', '']) assert.equal(parseMaxAge(bad), undefined, bad);
});

test('an item is archived under the UTC month of publishedAt, else updatedAt', () => {
  assert.equal(archiveMonthOf(makeItem(1, { publishedAt: '2026-01-31T23:30:00.000Z' })), '2026-01');
  const noDate = makeItem(2, { updatedAt: '2026-02-01T00:00:00.000Z' });
  delete noDate.publishedAt;
  assert.equal(archiveMonthOf(noDate), '2026-02');
});

test('evictions: beyond maxItems (oldest first) and older than maxAge', async () => {
  const items = [aged(1, 1), aged(2, 10), aged(3, 100), aged(4, 200)];
  assert.deepEqual(await selectEvictions(items, { maxItems: 10, now }), new Set());
  assert.deepEqual(await selectEvictions(items, { maxItems: 2, now }), new Set([items[2]!.id, items[3]!.id]));
  assert.deepEqual(await selectEvictions(items, { maxItems: 10, maxAgeMs: 90 * DAY, now }), new Set([items[2]!.id, items[3]!.id]));
  assert.deepEqual(await selectEvictions(items, { maxItems: 1, maxAgeMs: 150 * DAY, now }), new Set([items[1]!.id, items[2]!.id, items[3]!.id]));
});

test('retention moves items beyond maxItems into monthly archive files, readable through the store', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await FileStore.open(dir, ['a']);
  // Items 1…5 are an hour apart on 2019-06-01; 800 and 900 fall in July.
  const items = [1, 2, 3, 4, 5, 800, 900].map((n) => makeItem(n));
  const result = await store.apply('a', { items, sourceStates: [], maxItems: 3, now });
  assert.equal(result.removed, 4);
  assert.equal(result.archived, 4);
  assert.equal(result.bySource.get('s')?.added, 7);
  assert.deepEqual(store.items('a').map((i) => i.title), ['第900条新闻', '第800条新闻', '第5条新闻']);
  assert.deepEqual(store.archiveMonths('a'), ['2019-06']);
  assert.deepEqual((await store.archivedItems('a', '2019-06')).map((i) => i.title), ['第4条新闻', '第3条新闻', '第2条新闻', '第1条新闻']);
  assert.deepEqual(await store.archivedItems('a', '2019-07'), []);
  assert.deepEqual(await store.archivedItems('a', 'nonsense'), []);

  const onDisk = JSON.parse(await readFile(path.join(dir, 'archive', 'a', '2019-06.json'), 'utf8'));
  assert.equal(onDisk.kind, 'archive');
  assert.equal(onDisk.month, '2019-06');
  assert.equal(onDisk.items.length, 4);

  // Later evictions merge into the same month; another process sees them after sync().
  const other = await FileStore.open(dir, ['a']);
  await store.apply('a', { items: [makeItem(1000), makeItem(1001)], sourceStates: [], maxItems: 3, now });
  await other.sync();
  assert.deepEqual(other.archiveMonths('a'), ['2019-06', '2019-07']);
  assert.deepEqual((await other.archivedItems('a', '2019-06')).map((i) => i.title), ['第5条新闻', '第4条新闻', '第3条新闻', '第2条新闻', '第1条新闻']);
  assert.deepEqual((await other.archivedItems('a', '2019-07')).map((i) => i.title), ['第800条新闻']);
});

test('maxAge moves old items to the archive in the same run; nothing is archived (or written there) when nothing is evicted', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await FileStore.open(dir, ['a']);
  const first = await store.apply('a', { items: [aged(1, 1), aged(2, 30)], sourceStates: [], maxItems: 100, maxAgeMs: 90 * DAY, now });
  assert.equal(first.archived, 0);
  assert.deepEqual(await readdir(dir), ['channels']);
  const later = new Date(now.getTime() + 70 * DAY);
  const second = await store.apply('a', { items: [], sourceStates: [], maxItems: 100, maxAgeMs: 90 * DAY, now: later });
  assert.deepEqual({ removed: second.removed, archived: second.archived, changed: second.changed }, { removed: 1, archived: 1, changed: true });
  assert.deepEqual(store.items('a').map((i) => i.title), ['第1条新闻']);
  const month = archiveMonthOf(aged(2, 30));
  assert.deepEqual(store.archiveMonths('a'), [month]);
  assert.deepEqual((await store.archivedItems('a', month)).map((i) => i.title), ['第2条新闻']);
});

test('an upstream that still lists an archived item: counted unchanged, no write to the archive, the revision stays', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await FileStore.open(dir, ['a']);
  const items = [1, 2, 3].map((n) => makeItem(n));
  await store.apply('a', { items, sourceStates: [], maxItems: 2, now });
  const archive = path.join(dir, 'archive', 'a', '2019-06.json');
  const before = await readFile(archive, 'utf8');
  const revision = store.revision('a');
  const again = await store.apply('a', { items, sourceStates: [{ sourceId: 's', consecutiveFailures: 0 }], maxItems: 2, now });
  assert.deepEqual(again.bySource.get('s'), { added: 0, updated: 0, unchanged: 3 });
  assert.deepEqual(store.sourceStates('a')[0]?.lastCounts, { fetched: 3, added: 0, updated: 0, unchanged: 3 });
  assert.deepEqual({ removed: again.removed, archived: again.archived, changed: again.changed }, { removed: 0, archived: 0, changed: false });
  assert.equal(store.revision('a'), revision);
  assert.equal(await readFile(archive, 'utf8'), before);

  // The same item with new content: the archived copy is replaced (and the revision moves).
  const edited = makeItem(1, { title: '更正', contentHash: 'hash-1-edited', ingestedAt: '2026-01-01T00:00:00.000Z' });
  const changed = await store.apply('a', { items: [edited], sourceStates: [], maxItems: 2, now });
  assert.equal(changed.archived, 1);
  assert.equal(changed.changed, true);
  assert.ok(store.revision('a') > revision);
  const archived = await store.archivedItems('a', '2019-06');
  assert.equal(archived.find((i) => i.id === edited.id)?.title, '更正');
  assert.equal(archived.find((i) => i.id === edited.id)?.ingestedAt, makeItem(1).ingestedAt, 'keeps when it was first stored');
});

test('a damaged archive month fails the apply that would write it (the live file stays as it was) and names its backup', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await FileStore.open(dir, ['a']);
  await store.apply('a', { items: [1, 2, 3].map((n) => makeItem(n)), sourceStates: [], maxItems: 2, now });
  await store.apply('a', { items: [makeItem(4)], sourceStates: [], maxItems: 2, now });
  const live = await readFile(path.join(dir, 'channels', 'a.json'), 'utf8');
  await writeFile(path.join(dir, 'archive', 'a', '2019-06.json'), '{"schemaVersion":2,"kind":"arch');
  await assert.rejects(store.apply('a', { items: [makeItem(5)], sourceStates: [], maxItems: 2, now }), (err: Error) => {
    assert.match(err.message, /archive\/a\/2019-06\.json is damaged and was not loaded .*newest good backup: .*2019-06\.json\.bak\.1 \(written .*, 1 item\); restore it with: syndicator store restore a --month 2019-06$/);
    return true;
  });
  assert.equal(await readFile(path.join(dir, 'channels', 'a.json'), 'utf8'), live);
  assert.deepEqual(store.items('a').map((i) => i.title), ['第4条新闻', '第3条新闻'], 'the failed batch is not shown either');
  await assert.rejects(store.archivedItems('a', '2019-06'), /is damaged/);
});

test('5,000 items arriving in no order: the newest maxItems stay live, every other one is archived once under its month, newest first', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await FileStore.open(dir, ['a']);
  // A fixed permutation (7 and 5,000 share no factor): item n arrives at position 7 n mod 5,000.
  const items = Array.from({ length: 5000 }, (_, i) => makeItem((i * 7) % 5000));
  const result = await store.apply('a', { items, sourceStates: [], maxItems: 100, now });
  assert.equal(result.archived, 4900);
  assert.deepEqual(
    store.items('a').map((i) => i.title),
    Array.from({ length: 100 }, (_, i) => `第${4999 - i}条新闻`),
  );
  const archived: string[] = [];
  for (const month of store.archiveMonths('a')) {
    const monthItems = await store.archivedItems('a', month);
    assert.ok(monthItems.every((i) => archiveMonthOf(i) === month), month);
    archived.push(...monthItems.map((i) => i.title));
  }
  // Months oldest first, items in each newest first.
  const expected = store.archiveMonths('a').flatMap((month) =>
    Array.from({ length: 4900 }, (_, n) => 4899 - n).filter((n) => archiveMonthOf(makeItem(n)) === month).map((n) => `第${n}条新闻`),
  );
  assert.equal(archived.length, 4900);
  assert.deepEqual(archived, expected);
});

test('an archive month written on one line (an earlier build, or by hand) reads, and the next eviction into it keeps every item', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'archive', 'a', '2019-06.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ schemaVersion: 2, kind: 'archive', channelId: 'a', month: '2019-06', items: [makeItem(2), makeItem(1)] }));
  const store = await FileStore.open(dir, ['a']);
  assert.deepEqual((await store.archivedItems('a', '2019-06')).map((i) => i.title), ['第2条新闻', '第1条新闻']);
  await store.apply('a', { items: [3, 4, 5].map((n) => makeItem(n)), sourceStates: [], maxItems: 2, now });
  assert.deepEqual((await store.archivedItems('a', '2019-06')).map((i) => i.title), ['第3条新闻', '第2条新闻', '第1条新闻']);
  const onDisk = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(onDisk.schemaVersion, SCHEMA_VERSION);
  assert.deepEqual(onDisk.items, [makeItem(3), makeItem(2), makeItem(1)]);
});

test('an archive month with one damaged item line is reported damaged, naming its backup: no item is dropped silently', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await FileStore.open(dir, ['a']);
  await store.apply('a', { items: [1, 2, 3].map((n) => makeItem(n)), sourceStates: [], maxItems: 2, now });
  await store.apply('a', { items: [makeItem(4)], sourceStates: [], maxItems: 2, now });
  const file = path.join(dir, 'archive', 'a', '2019-06.json');
  const lines = (await readFile(file, 'utf8')).split('\n');
  assert.equal(lines.length, 4, 'a first line, one line per item, a last line');
  lines[1] = lines[1]!.slice(0, 40);
  await writeFile(file, lines.join('\n'));
  await assert.rejects(store.archivedItems('a', '2019-06'), (err: Error) => {
    assert.match(err.message, /archive\/a\/2019-06\.json is damaged and was not loaded .*newest good backup: .*2019-06\.json\.bak\.1 \(written .*, 1 item\); restore it with: syndicator store restore a --month 2019-06$/);
    return true;
  });
});

test('feeds/: a channel maxAge is validated, with a message naming the file and the field', async (t) => {
  const { dir, dispose } = await tempDir('syndicator-feeds-');
  t.after(dispose);
  await cp(path.join(FEEDS_DIR, 'licenses'), path.join(dir, 'licenses'), { recursive: true });
  const channel = JSON.parse(await readFile(path.join(FEEDS_DIR, 'metals.json'), 'utf8'));
  await writeFile(path.join(dir, 'metals.json'), JSON.stringify({ ...channel, maxAge: '90d' }));
  await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ ...channel, id: 'bad', maxAge: '3 months' }));
  const feeds = await loadFeeds(dir);
  assert.equal(feeds.channels.find((c) => c.id === 'metals')?.maxAge, '90d');
  assert.ok(!feeds.channels.some((c) => c.id === 'bad'));
  const problem = feeds.problems.find((p) => p.file.endsWith('bad.json'));
  assert.equal(problem?.field, 'maxAge');
  assert.match(problem?.message ?? '', /expected a duration such as "90d"/);
});
