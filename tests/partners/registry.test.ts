import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { hashKey } from '../../src/partners/keys.js';
import { PartnerError, PartnerStore } from '../../src/partners/registry.js';
import { tempDir } from '../helpers/temp.js';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function onDisk(dir: string) {
  return JSON.parse(await readFile(path.join(dir, 'partners.json'), 'utf8'));
}

test('add keeps only the key hash, on disk in partners.json, with a slug id from the name', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await PartnerStore.open(dir);
  const { partner, key } = await store.add('Hebei Daily', T0);
  assert.equal(partner.id, 'hebei-daily');
  assert.equal(partner.keyHash, hashKey(key));

  const raw = await readFile(path.join(dir, 'partners.json'), 'utf8');
  assert.ok(!raw.includes(key), 'the key itself is never written');
  assert.deepEqual(JSON.parse(raw), {
    schemaVersion: 1,
    partners: [{ id: 'hebei-daily', name: 'Hebei Daily', keyHash: hashKey(key), createdAt: T0.toISOString() }],
    grants: [],
  });
  assert.equal(store.partnerForKey(key)?.id, 'hebei-daily');
  assert.equal(store.partnerForKey(`${key}x`), undefined);
});

test('ids: a name without Latin letters gets a random id, or the one given; names and ids stay unique', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await PartnerStore.open(dir);
  const chinese = await store.add('河北日报', T0);
  assert.match(chinese.partner.id, /^partner-[0-9a-f]{6}$/);
  assert.equal((await store.add('新华网', T0, 'xinhua')).partner.id, 'xinhua');
  await assert.rejects(store.add('河北日报', T0), (err: unknown) => err instanceof PartnerError && /already exists/.test(err.message));
  await assert.rejects(store.add('Other', T0, 'xinhua'), PartnerError);
  await assert.rejects(store.add('Bad Id', T0, 'Not A Slug'), PartnerError);
  await assert.rejects(store.add('   ', T0), PartnerError);
  assert.equal(store.find('河北日报')?.id, chinese.partner.id, 'found by name');
  assert.equal(store.find('xinhua')?.name, '新华网', 'found by id');

  // A revoked partner's name may be used again; its id is not.
  await store.add('Steel Weekly', T0);
  await store.revoke('steel-weekly', later(1));
  const again = await store.add('Steel Weekly', later(2));
  assert.equal(again.partner.id, 'steel-weekly-2');
  assert.equal(store.find('Steel Weekly')?.id, 'steel-weekly-2', 'the name finds the active partner first');
});

test('revoke and rotate are written at once; the old key stays known only for a revoked partner', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await PartnerStore.open(dir);
  const a = await store.add('Partner A', T0);
  const b = await store.add('Partner B', T0);

  const rotated = await store.rotate('partner-a', later(1));
  assert.notEqual(rotated.key, a.key);
  assert.equal(store.partnerForKey(a.key), undefined, 'the old key is unknown');
  assert.equal(store.partnerForKey(rotated.key)?.id, 'partner-a');

  const revoked = await store.revoke('Partner B', later(2));
  assert.equal(revoked.revokedAt, later(2).toISOString());
  assert.equal(store.partnerForKey(b.key)?.revokedAt, later(2).toISOString(), 'known, and revoked');
  await assert.rejects(store.revoke('partner-b', later(3)), /was revoked/);
  await assert.rejects(store.rotate('partner-b', later(3)), /was revoked/);
  await assert.rejects(store.revoke('nobody', later(3)), /no partner "nobody"/);

  const doc = await onDisk(dir);
  assert.equal(doc.partners[0].keyHash, hashKey(rotated.key));
  assert.equal(doc.partners[0].rotatedAt, later(1).toISOString());
  assert.equal(doc.partners[1].revokedAt, later(2).toISOString());
});

test('grant, re-grant (which replaces the active grant) and ungrant are kept on disk; nothing is deleted', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const store = await PartnerStore.open(dir);
  await store.add('Partner A', T0);
  const first = await store.grant('partner-a', { channelId: 'enterprise', content: 'excerpt' }, later(1));
  assert.equal(first.replaced, undefined);
  assert.match(first.grant.id, /^g-[0-9a-f]{10}$/);
  const until = new Date('2026-12-31T16:00:00.000Z');
  const second = await store.grant('partner-a', { channelId: 'enterprise', content: 'full', until }, later(2));
  assert.equal(second.replaced?.id, first.grant.id);
  assert.equal(second.replaced?.revokedAt, later(2).toISOString());
  await store.grant('partner-a', { channelId: 'metals', content: 'full' }, later(3));
  const removed = await store.ungrant('partner-a', 'metals', later(4));
  assert.equal(removed.revokedAt, later(4).toISOString());
  await assert.rejects(store.ungrant('partner-a', 'metals', later(5)), /has no grant for channel "metals"/);

  const doc = await onDisk(dir);
  assert.deepEqual(
    doc.grants.map((g: Record<string, string>) => [g.channelId, g.content, g.until, g.revokedAt]),
    [
      ['enterprise', 'excerpt', undefined, later(2).toISOString()],
      ['enterprise', 'full', until.toISOString(), undefined],
      ['metals', 'full', undefined, later(4).toISOString()],
    ],
  );
  assert.equal(store.grantsOf('partner-a').length, 3);
  await store.revoke('partner-a', later(6));
  await assert.rejects(store.grant('partner-a', { channelId: 'metals', content: 'full' }, later(7)), /was revoked/);
});

test('a second process sees every change after sync(), and its own writes never undo the other one', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const server = await PartnerStore.open(dir);
  const cli = await PartnerStore.open(dir);
  const { key } = await cli.add('Partner A', T0);
  assert.equal(server.partnerForKey(key), undefined, 'not seen before sync');
  await server.sync();
  assert.equal(server.partnerForKey(key)?.id, 'partner-a');
  const rotated = await cli.rotate('partner-a', later(1));
  await server.sync();
  assert.equal(server.partnerForKey(key), undefined, 'the rotated key is gone at the next sync');
  assert.equal(server.partnerForKey(rotated.key)?.id, 'partner-a');

  await server.add('Partner B', later(2));
  await cli.add('Partner C', later(3));
  assert.deepEqual((await onDisk(dir)).partners.map((p: { id: string }) => p.id), ['partner-a', 'partner-b', 'partner-c']);
});

test('a damaged or foreign partners.json is an error naming the file, never an empty registry', async (t) => {
  const { dir, dispose } = await tempDir();
  t.after(dispose);
  const file = path.join(dir, 'partners.json');
  await writeFile(file, '{"partners": [');
  await assert.rejects(PartnerStore.open(dir), (err: unknown) => err instanceof Error && err.message.includes(file));
  await writeFile(file, JSON.stringify({ schemaVersion: 1, partners: [{ id: 'x', name: 'x', keyHash: 'plain-text-key' }], grants: [] }));
  await assert.rejects(PartnerStore.open(dir), /sha256 keyHash/);
});
