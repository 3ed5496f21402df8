import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { JsonDocument } from '../../src/store/files/json-document.js';
import type { DocumentOptions } from '../../src/store/files/json-document.js';
import { tempDir } from '../helpers/temp.js';

interface Counter {
  schemaVersion: number;
  values: number[];
}

const options: DocumentOptions<Counter> = {
  empty: () => ({ schemaVersion: 1, values: [] }),
  check: (parsed) => {
    const doc = parsed as Counter;
    if (!Array.isArray(doc?.values)) throw new Error('no values');
    return doc;
  },
  describe: (doc) => `${doc.values.length} values`,
  restoreCommand: 'restore-me',
};

const onDisk = async (file: string): Promise<Counter> => JSON.parse(await readFile(file, 'utf8')) as Counter;

test('updates queued together share one write; each gets its own result, and only once its change is on disk', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  const doc = await JsonDocument.open(file, options);
  const before = doc.revision;
  const seenOnDisk: boolean[] = [];
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, n) =>
      doc
        .update((data) => {
          data.values.push(n);
          return n * 10;
        })
        .then(async (result) => {
          seenOnDisk.push((await onDisk(file)).values.includes(n));
          return result;
        }),
    ),
  );
  assert.deepEqual(results, Array.from({ length: 20 }, (_, n) => n * 10));
  assert.ok(seenOnDisk.every(Boolean), 'every update resolved after its change was written');
  assert.deepEqual((await onDisk(file)).values, Array.from({ length: 20 }, (_, n) => n));
  // One write for the whole group (a write moves the revision by one; the first one also reloads nothing).
  assert.ok(doc.revision - before <= 2, `revision moved by ${doc.revision - before}`);
});

test('an update that throws is rejected alone: its half-made change is not written, the others are', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  const doc = await JsonDocument.open(file, options);
  await doc.update((data) => void data.values.push(0));
  const [a, b, c] = await Promise.allSettled([
    doc.update((data) => void data.values.push(1)),
    doc.update((data) => {
      data.values.push(666);
      throw new Error('refused');
    }),
    doc.update(async (data) => {
      await new Promise((r) => setTimeout(r, 5));
      data.values.push(2);
      return 'async';
    }),
  ]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.deepEqual(c, { status: 'fulfilled', value: 'async' });
  assert.deepEqual((await onDisk(file)).values, [0, 1, 2]);
  assert.deepEqual(doc.data.values, [0, 1, 2]);
});

test('a write that fails leaves the file and the in-memory data as they were', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  const doc = await JsonDocument.open(file, options);
  await doc.update((data) => void data.values.push(1));
  // JSON.stringify throws on a BigInt: the write fails after the change was applied in memory.
  await assert.rejects(doc.update((data) => void Object.assign(data, { big: 1n })), TypeError);
  assert.deepEqual(await onDisk(file), { schemaVersion: 1, values: [1] });
  assert.equal('big' in doc.data, false);
  await doc.update((data) => void data.values.push(2));
  assert.deepEqual((await onDisk(file)).values, [1, 2]);
});

test('debounceMs gathers updates that arrive within the window into one write', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  const doc = await JsonDocument.open(file, { ...options, debounceMs: 40 });
  const before = doc.revision;
  const first = doc.update((data) => void data.values.push(1));
  await new Promise((r) => setTimeout(r, 10));
  const second = doc.update((data) => void data.values.push(2));
  await Promise.all([first, second]);
  assert.equal(doc.revision - before, 1, 'one write');
  assert.deepEqual((await onDisk(file)).values, [1, 2]);
});

test('two documents on one file (two processes) never lose each other\'s updates', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  const a = await JsonDocument.open(file, options);
  const b = await JsonDocument.open(file, options);
  await Promise.all(
    Array.from({ length: 10 }, (_, n) => (n % 2 ? a : b).update((data) => void data.values.push(n))),
  );
  assert.deepEqual([...(await onDisk(file)).values].sort((x, y) => x - y), Array.from({ length: 10 }, (_, n) => n));
  await a.sync();
  await b.sync();
  assert.equal(a.data.values.length, 10);
  assert.equal(b.data.values.length, 10);
});

test('a missing file whose backups are there is refused at open (never a silent start from empty)', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  const doc = await JsonDocument.open(file, options);
  await doc.update((data) => void data.values.push(1));
  await doc.update((data) => void data.values.push(2));
  await rm(file);
  await assert.rejects(JsonDocument.open(file, options), (err: Error) => {
    assert.match(err.message, /doc\.json is missing but its backups are there/);
    assert.match(err.message, /newest good backup: .*doc\.json\.bak\.1 \(written .*, 1 values\); restore it with: restore-me/);
    return true;
  });
});

test('a damaged file is reported with its newest good backup, skipping backups that are damaged too', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  const doc = await JsonDocument.open(file, options);
  for (let n = 1; n <= 3; n += 1) await doc.update((data) => void data.values.push(n));
  await writeFile(file, '{"values":[1,2,3');
  await writeFile(`${file}.bak.1`, '');
  await assert.rejects(JsonDocument.open(file, options), (err: Error) => {
    assert.equal(err.name, 'StoreError');
    assert.match(err.message, /^store: .*doc\.json is damaged and was not loaded \(.*JSON.*\); newest good backup: .*doc\.json\.bak\.2 \(written \d{4}-.*Z, 1 values\); restore it with: restore-me$/);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
});
