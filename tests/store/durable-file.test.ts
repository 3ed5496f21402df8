import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { link, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { backupPath, sweepTempFiles, sweepTempFilesIn, tempPathFor, writeFileDurably } from '../../src/store/files/durable-file.js';
import { tempDir } from '../helpers/temp.js';

test('a durable write replaces the file, leaves no temp file behind, and keeps the previous versions as .bak.1 … .bak.3', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  for (let v = 1; v <= 5; v += 1) await writeFileDurably(file, `{"v":${v}}`);
  assert.equal(await readFile(file, 'utf8'), '{"v":5}');
  assert.equal(await readFile(backupPath(file, 1), 'utf8'), '{"v":4}');
  assert.equal(await readFile(backupPath(file, 2), 'utf8'), '{"v":3}');
  assert.equal(await readFile(backupPath(file, 3), 'utf8'), '{"v":2}');
  assert.deepEqual((await readdir(dir)).sort(), ['doc.json', 'doc.json.bak.1', 'doc.json.bak.2', 'doc.json.bak.3']);
});

test('backups: 0 keeps none, 1 keeps only the previous version', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const none = path.join(dir, 'none.json');
  const one = path.join(dir, 'one.json');
  for (let v = 1; v <= 3; v += 1) {
    await writeFileDurably(none, `${v}`, { backups: 0 });
    await writeFileDurably(one, `${v}`, { backups: 1 });
  }
  assert.deepEqual((await readdir(dir)).sort(), ['none.json', 'one.json', 'one.json.bak.1']);
  assert.equal(await readFile(backupPath(one, 1), 'utf8'), '2');
});

test('a write that fails after its temp file was written leaves the old file intact and removes the temp file', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  for (let v = 1; v <= 3; v += 1) await writeFileDurably(file, `{"v":${v}}`);
  // A directory in the way of the backup rotation (.bak.2 → .bak.3) makes the write fail between its
  // temp file and its rename.
  await mkdir(backupPath(file, 3));
  await writeFile(path.join(backupPath(file, 3), 'x'), 'x');
  await assert.rejects(writeFileDurably(file, '{"v":4}'), { code: 'EISDIR' });
  assert.equal(await readFile(file, 'utf8'), '{"v":3}');
  assert.ok(!(await readdir(dir)).some((n) => n.includes('.tmp')), 'no temp file left');
});

test('a crash between the backup link and the rename does not push a real backup out', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  await writeFileDurably(file, 'v1');
  await writeFileDurably(file, 'v2');
  // The state a write of v3 leaves when killed after rotating and linking, before its rename.
  await rename(backupPath(file, 1), backupPath(file, 2));
  await link(file, backupPath(file, 1));
  await writeFileDurably(file, 'v3');
  assert.equal(await readFile(file, 'utf8'), 'v3');
  assert.equal(await readFile(backupPath(file, 1), 'utf8'), 'v2');
  assert.equal(await readFile(backupPath(file, 2), 'utf8'), 'v1');
});

test('temp names are unique per process and per write', () => {
  const file = '/data/channels/a.json';
  const a = tempPathFor(file);
  const b = tempPathFor(file);
  assert.notEqual(a, b);
  assert.match(a, new RegExp(`^/data/channels/\\.a\\.json\\.tmp-${process.pid}-\\d+$`));
});

test('sweeping removes the temp files of dead writers (and stale ones), not those of live ones, nor the file or its backups', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'doc.json');
  await writeFileDurably(file, 'v1');
  await writeFileDurably(file, 'v2');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(dead.stdout.toString());
  await writeFile(path.join(dir, `.doc.json.tmp-${deadPid}-1`), 'half');
  await writeFile(path.join(dir, `.doc.json.tmp-${process.ppid}-7`), 'a live writer');
  await writeFile(path.join(dir, '.doc.json.tmp'), 'steno, fresh');
  assert.equal(await sweepTempFiles(file), 1);
  const names = (await readdir(dir)).sort();
  assert.deepEqual(names, ['.doc.json.tmp', `.doc.json.tmp-${process.ppid}-7`, 'doc.json', 'doc.json.bak.1']);
  assert.ok((await stat(file)).size > 0);
});

test('sweeping a directory (an archive) removes dead writers\' temp files of any document in it', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  await writeFile(path.join(dir, `.2026-01.json.tmp-${Number(dead.stdout.toString())}-3`), 'half');
  await writeFile(path.join(dir, '2026-01.json'), '{}');
  assert.equal(await sweepTempFilesIn(dir), 1);
  assert.deepEqual(await readdir(dir), ['2026-01.json']);
  assert.equal(await sweepTempFilesIn(path.join(dir, 'nowhere')), 0);
});
