import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/files/migrations.js';
import type { Migration } from '../../src/store/files/migrations.js';
import { SchemaVersionError } from '../../src/store/store.js';
import { makeItem } from '../helpers/items.js';
import { tempDir } from '../helpers/temp.js';

const now = new Date('2026-01-01T00:00:00Z');

test('migrations run in order from the file\'s version to the current one; a gap is an error', () => {
  const steps: Migration[] = [
    { from: 2, to: 3, description: 'rename a to b', migrate: (d) => ((d.b = d.a), delete d.a) },
    { from: 1, to: 2, description: 'add a', migrate: (d) => (d.a = 'x') },
  ];
  assert.deepEqual(migrate({ schemaVersion: 1 }, 'f.json', steps, 3), { doc: { schemaVersion: 3, b: 'x' }, from: 1 });
  assert.deepEqual(migrate({ schemaVersion: 3, b: 'y' }, 'f.json', steps, 3), { doc: { schemaVersion: 3, b: 'y' }, from: 3 });
  assert.throws(() => migrate({ schemaVersion: 1 }, 'f.json', [steps[0]!], 3), /no migration from schema version 1 to 3/);
  assert.throws(() => migrate({ items: [] }, 'f.json', steps, 3), /no valid "schemaVersion"/);
  assert.throws(() => migrate([], 'f.json', steps, 3), /not a store document/);
  assert.ok(MIGRATIONS.every((m, i) => m.to === m.from + 1 && (i === 0 || m.from === MIGRATIONS[i - 1]!.to)));
  assert.equal(MIGRATIONS.at(-1)!.to, SCHEMA_VERSION);
});

test('a channel file of schema version 1 (written before itemsVersion existed) loads, is kept as .schema-v1, and is rewritten at the current version', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'channels', 'a.json');
  await mkdir(path.dirname(file), { recursive: true });
  // The foundation's first layout: no kind, no itemsVersion.
  const v1 = JSON.stringify({
    schemaVersion: 1,
    channelId: 'a',
    items: [makeItem(1), makeItem(2)],
    sources: { s: { sourceId: 's', consecutiveFailures: 0, lastRunAt: '2025-12-31T00:00:00.000Z' } },
  });
  await writeFile(file, v1);

  const store = await LowdbStore.open(dir, ['a']);
  assert.deepEqual(store.items('a').map((i) => i.title), ['第2条新闻', '第1条新闻']);
  assert.equal(store.revision('a'), 1);
  assert.equal(store.sourceStates('a')[0]?.lastRunAt, '2025-12-31T00:00:00.000Z');
  assert.equal(await readFile(file, 'utf8'), v1, 'opening writes nothing');
  assert.equal(await readFile(`${file}.schema-v1`, 'utf8'), v1, 'the file as it was is kept');

  await store.apply('a', { items: [makeItem(3)], sourceStates: [], maxItems: 10, now });
  const written = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(written.schemaVersion, SCHEMA_VERSION);
  assert.equal(written.kind, 'channel');
  assert.equal(typeof written.itemsVersion, 'string');
  assert.notEqual(written.itemsVersion, '');
  assert.equal(written.items.length, 3);
  assert.equal(await readFile(`${file}.schema-v1`, 'utf8'), v1, 'still kept after the write');
});

test('a file from a newer schema is refused with a clear message, never read as or written back at an older one', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'channels', 'a.json');
  await mkdir(path.dirname(file), { recursive: true });
  const newer = JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, kind: 'channel', channelId: 'a', itemsVersion: 'x', items: [], sources: {}, shiny: true });
  await writeFile(file, newer);
  await assert.rejects(LowdbStore.open(dir, ['a']), (err: Error) => {
    assert.ok(err instanceof SchemaVersionError);
    assert.match(
      err.message,
      new RegExp(`^store: .*channels/a\\.json has schema version ${SCHEMA_VERSION + 1}, newer than this build reads \\(${SCHEMA_VERSION}\\): it was written by a newer Syndicator`),
    );
    assert.doesNotMatch(err.message, /damaged/);
    return true;
  });
  assert.equal(await readFile(file, 'utf8'), newer);
});
