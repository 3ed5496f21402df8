import assert from 'node:assert/strict';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { makeItem } from '../helpers/items.js';
import { runSyndicator } from '../helpers/spawn.js';
import { FEEDS_DIR, tempDir } from '../helpers/temp.js';

const now = new Date('2026-01-01T00:00:00Z');

/** A data dir whose channel `id` was written four times (1, 2, 3, 4 items; maxItems 3, so one is archived). */
async function dataDirWithHistory(t: { after: (fn: () => Promise<void>) => void }, id = 'metals'): Promise<{ dir: string; file: string }> {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await LowdbStore.open(dir, [id]);
  for (let n = 1; n <= 4; n += 1) await store.apply(id, { items: [makeItem(n)], sourceStates: [], maxItems: 3, now });
  await store.close();
  return { dir, file: path.join(dir, 'channels', `${id}.json`) };
}

test('store backups lists the file and each backup with when it was written and how many items it holds', async (t) => {
  const { dir, file } = await dataDirWithHistory(t);
  const ok = await runSyndicator(['store', 'backups'], { DATA_DIR: dir });
  assert.equal(ok.code, 0, ok.stderr);
  const lines = ok.stdout.trim().split('\n');
  assert.match(lines[0]!, /^FILE\s+WRITTEN\s+STATUS$/);
  assert.match(lines[1]!, /channels\/metals\.json\s+\d{4}-\d\d-\d\dT\S+Z\s+ok, 3 items$/);
  assert.match(lines[2]!, /channels\/metals\.json\.bak\.1\s+\S+\s+ok, 3 items$/);
  assert.match(lines[3]!, /channels\/metals\.json\.bak\.2\s+\S+\s+ok, 2 items$/);
  assert.match(lines[4]!, /channels\/metals\.json\.bak\.3\s+\S+\s+ok, 1 item$/);
  assert.match(lines[5]!, /archive: 1 month\(s\), 2019-06 … 2019-06/);

  await writeFile(file, '{"schemaVersion":2,');
  const damaged = await runSyndicator(['store', 'backups', 'metals'], { DATA_DIR: dir });
  assert.equal(damaged.code, 1);
  assert.match(damaged.stdout, /channels\/metals\.json\s+\S+\s+DOES NOT LOAD: .*JSON/);
});

test('store restore puts the newest good backup back, keeps the file it replaced, and the store loads again', async (t) => {
  const { dir, file } = await dataDirWithHistory(t);
  const damaged = '{"schemaVersion":2,"kind":"channel","items":[{"id"';
  await writeFile(file, damaged);
  await writeFile(`${file}.bak.1`, 'not json either');
  await assert.rejects(LowdbStore.open(dir, ['metals']), /newest good backup: .*metals\.json\.bak\.2 .*restore it with: syndicator store restore metals$/);

  const restored = await runSyndicator(['store', 'restore', 'metals'], { DATA_DIR: dir });
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /^restored .*channels\/metals\.json from .*metals\.json\.bak\.2 \(written \S+, 2 items\); the file it replaced is kept as .*metals\.json\.before-restore-\S+\n$/);
  const store = await LowdbStore.open(dir, ['metals']);
  assert.equal(store.items('metals').length, 2);
  const kept = (await readdir(path.dirname(file))).find((n) => n.startsWith('metals.json.before-restore-'));
  assert.equal(await readFile(path.join(path.dirname(file), kept!), 'utf8'), damaged);
  assert.equal(await readFile(`${file}.bak.1`, 'utf8'), 'not json either', 'backups are left as they were');
});

test('store restore --backup N restores that one, and refuses one that does not exist or does not load', async (t) => {
  const { dir } = await dataDirWithHistory(t);
  const third = await runSyndicator(['store', 'restore', 'metals', '--backup', '3'], { DATA_DIR: dir });
  assert.equal(third.code, 0, third.stderr);
  assert.equal((await LowdbStore.open(dir, ['metals'])).items('metals').length, 1);

  const missing = await runSyndicator(['store', 'restore', 'metals', '--backup', '9'], { DATA_DIR: dir });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^syndicator: store: .*metals\.json\.bak\.9 does not exist\n$/);

  const bad = await runSyndicator(['store', 'restore', 'metals', '--backup', 'x'], { DATA_DIR: dir });
  assert.equal(bad.code, 2);
  const traversal = await runSyndicator(['store', 'restore', '../etc'], { DATA_DIR: dir });
  assert.equal(traversal.code, 2);
  assert.match(traversal.stderr, /is not a channel id/);
});

test('store restore --month restores an archive month', async (t) => {
  const { dir } = await dataDirWithHistory(t);
  const store = await LowdbStore.open(dir, ['metals']);
  await store.apply('metals', { items: [makeItem(5)], sourceStates: [], maxItems: 3, now });
  const month = path.join(dir, 'archive', 'metals', '2019-06.json');
  await writeFile(month, '');
  await assert.rejects(store.archivedItems('metals', '2019-06'), /restore it with: syndicator store restore metals --month 2019-06$/);
  const restored = await runSyndicator(['store', 'restore', 'metals', '--month', '2019-06'], { DATA_DIR: dir });
  assert.equal(restored.code, 0, restored.stderr);
  assert.deepEqual((await store.archivedItems('metals', '2019-06')).map((i) => i.title), ['第1条新闻']);
});

test('the server does not start on a damaged store: one line on stderr names the file, the backup and the command', async (t) => {
  const { dir, file } = await dataDirWithHistory(t);
  const feeds = await tempDir('syndicator-feeds-');
  t.after(feeds.dispose);
  await cp(path.join(FEEDS_DIR, 'licenses'), path.join(feeds.dir, 'licenses'), { recursive: true });
  await cp(path.join(FEEDS_DIR, 'metals.json'), path.join(feeds.dir, 'metals.json'));
  await writeFile(file, (await readFile(file, 'utf8')).slice(0, 100));
  const served = await runSyndicator(['serve'], { DATA_DIR: dir, FEEDS_DIR: feeds.dir, PORT: '0', LOG_LEVEL: 'silent' });
  assert.equal(served.code, 1);
  assert.equal(served.stdout, '');
  assert.match(
    served.stderr,
    /^syndicator: store: .*channels\/metals\.json is damaged and was not loaded \(.+\); newest good backup: .*metals\.json\.bak\.1 \(written \S+, 3 items\); restore it with: syndicator store restore metals\n$/,
  );
});
