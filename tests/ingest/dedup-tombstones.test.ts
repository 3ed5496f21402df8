// Dedup across sources and tombstones (issue #6 §4): one article through two sources of a channel is
// kept once (the first source to bring it keeps it), an item an operator deletes never comes back,
// and `source enable` brings a 410'd source back.
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { dedupeAcrossSources } from '../../src/ingest/refresh.js';
import { FileStore, MAX_TOMBSTONES } from '../../src/store/files/file-store.js';
import { makeItem } from '../helpers/items.js';
import { runSyndicator } from '../helpers/spawn.js';
import { copyOfFeeds, tempDir } from '../helpers/temp.js';

const batch = (items: ReturnType<typeof makeItem>[], now = new Date('2026-01-01T00:00:00Z')) => ({ items, sourceStates: [], maxItems: 100, now });

describe('dedupeAcrossSources', () => {
  it('keeps the stored owner of a link; a second source bringing the same article is dropped', async () => {
    const stored = [makeItem(1, { sourceId: 'a' })];
    const fromB = makeItem(2, { sourceId: 'b', link: stored[0]!.link });
    const fresh = makeItem(3, { sourceId: 'b' });
    assert.deepEqual((await dedupeAcrossSources([fromB, fresh, stored[0]!], stored)).map((i) => i.id), [fresh.id, stored[0]!.id]);
  });

  it('within one run, the first source in channel order wins', async () => {
    const a = makeItem(1, { sourceId: 'a' });
    const b = makeItem(2, { sourceId: 'b', link: a.link });
    assert.deepEqual((await dedupeAcrossSources([a, b], [])).map((i) => i.sourceId), ['a']);
  });

  it('an upstream that changed its GUIDs does not duplicate a stored article (same link, same title)', async () => {
    const stored = [makeItem(1, { sourceId: 'a' })];
    const reissued = makeItem(2, { sourceId: 'a', link: stored[0]!.link, title: stored[0]!.title });
    const sameLinkOtherStory = makeItem(3, { sourceId: 'a', link: stored[0]!.link });
    assert.deepEqual((await dedupeAcrossSources([reissued, sameLinkOtherStory], stored)).map((i) => i.id), [sameLinkOtherStory.id]);
  });
});

describe('tombstones in the store', () => {
  it('a deleted item leaves the live set and the archive, and no later apply adds it again', async () => {
    const { dir, dispose } = await tempDir();
    try {
      const store = await FileStore.open(dir, ['c']);
      const [one, two] = [makeItem(1), makeItem(2)];
      await store.apply('c', batch([one, two]));
      const revision = store.revision('c');
      assert.equal(await store.deleteItem('c', one.id, new Date('2026-01-02T00:00:00Z')), true);
      assert.deepEqual(store.items('c').map((i) => i.id), [two.id]);
      assert.ok(store.revision('c') > revision);
      const again = await store.apply('c', batch([one, two]));
      assert.deepEqual(store.items('c').map((i) => i.id), [two.id]);
      assert.equal(again.changed, false);
      assert.equal(await store.deleteItem('c', 'f'.repeat(32), new Date()), false);
      await store.close();
      const doc = JSON.parse(await readFile(path.join(dir, 'channels', 'c.json'), 'utf8'));
      assert.deepEqual(doc.tombstones, { [one.id]: '2026-01-02T00:00:00.000Z' });

      // Archived items too: retention moves the oldest out, delete removes it from its month.
      const reopened = await FileStore.open(dir, ['c']);
      await reopened.apply('c', { ...batch([makeItem(3), makeItem(4)]), maxItems: 1 });
      const month = reopened.archiveMonths('c')[0]!;
      const archived = (await reopened.archivedItems('c', month)).map((i) => i.id);
      assert.ok(archived.includes(two.id));
      assert.equal(await reopened.deleteItem('c', two.id, new Date()), true);
      assert.ok(!(await reopened.archivedItems('c', month)).some((i) => i.id === two.id));
      await reopened.close();
    } finally {
      await dispose();
    }
  });

  it('a channel file of schema version 2 is migrated with empty tombstones', async () => {
    const { dir, dispose } = await tempDir();
    try {
      await mkdir(path.join(dir, 'channels'));
      const item = makeItem(1);
      await writeFile(
        path.join(dir, 'channels', 'c.json'),
        JSON.stringify({ schemaVersion: 2, kind: 'channel', channelId: 'c', itemsVersion: 'x', items: [item], sources: {} }),
      );
      const store = await FileStore.open(dir, ['c']);
      assert.equal(store.items('c').length, 1);
      assert.equal(await store.deleteItem('c', item.id, new Date()), true);
      await store.close();
      assert.ok(MAX_TOMBSTONES >= 1000);
    } finally {
      await dispose();
    }
  });
});

describe('syndicator item delete / source enable', () => {
  it('deletes an item for good (by id or guid) and re-enables a disabled source', async () => {
    const feeds = await copyOfFeeds();
    const data = await tempDir();
    const env = { FEEDS_DIR: feeds.dir, DATA_DIR: data.dir };
    try {
      const first = await runSyndicator(['ingest', '--channel', 'enterprise', '--source', 'steel-rss'], env);
      assert.equal(first.code, 0, first.stderr);
      const file = path.join(data.dir, 'channels', 'enterprise.json');
      const items = JSON.parse(await readFile(file, 'utf8')).items as { id: string; guid: string }[];
      assert.equal(items.length, 3);

      const byId = await runSyndicator(['item', 'delete', 'enterprise', items[0]!.id], env);
      assert.equal(byId.code, 0, byId.stderr);
      assert.match(byId.stdout, /^deleted enterprise\/[0-9a-f]{32}; a tombstone keeps it from coming back\n$/);
      const byGuid = await runSyndicator(['item', 'delete', 'enterprise', items[1]!.guid], env);
      assert.equal(byGuid.code, 0, byGuid.stderr);
      const missing = await runSyndicator(['item', 'delete', 'enterprise', 'e'.repeat(32)], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /has no item/);

      const again = await runSyndicator(['ingest', '--channel', 'enterprise', '--source', 'steel-rss', '--force'], env);
      assert.equal(again.code, 0, again.stderr);
      const after = JSON.parse(await readFile(file, 'utf8'));
      assert.deepEqual(after.items.map((i: { id: string }) => i.id), [items[2]!.id]);

      // A 410 disabled the source: `ingest` skips it and says how to enable it; `source enable` does.
      after.sources['steel-rss'].disabled = { reason: 'fetcher: … answered 410 Gone', at: '2026-01-01T00:00:00.000Z' };
      await writeFile(file, JSON.stringify(after));
      const skipped = await runSyndicator(['ingest', '--channel', 'enterprise', '--source', 'steel-rss'], env);
      assert.match(skipped.stdout, /enterprise\/steel-rss: skipped: disabled since 2026-01-01T00:00:00.000Z .*syndicator source enable enterprise steel-rss/);
      const status = await runSyndicator(['status'], env);
      assert.match(status.stdout, /NEXT ATTEMPT/);
      assert.match(status.stdout, /steel-rss .*DISABLED since 2026-01-01/);
      const enabled = await runSyndicator(['source', 'enable', 'enterprise', 'steel-rss'], env);
      assert.equal(enabled.code, 0, enabled.stderr);
      assert.match(enabled.stdout, /^enabled enterprise\/steel-rss \(was disabled since 2026-01-01T00:00:00.000Z\)/);
      assert.equal(JSON.parse(await readFile(file, 'utf8')).sources['steel-rss'].disabled, undefined);
      const unknown = await runSyndicator(['source', 'enable', 'enterprise', 'nope'], env);
      assert.equal(unknown.code, 2);
    } finally {
      await feeds.dispose();
      await data.dispose();
    }
  });
});
