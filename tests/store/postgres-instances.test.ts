// What several instances on one PostgreSQL share, each instance being its own pool of connections here:
// ingest leases (one claim per tick; a dead holder's lease expires), partner rate limits, per-host
// politeness, the partner registry (a revoked or rotated key fails at the other instance's next sync),
// and the NOTIFY that brings one instance's commit to the other without waiting for a poll.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { identifyPartner } from '../../src/partners/access.js';
import { SharedRateLimiter } from '../../src/partners/pg-rate-limit.js';
import { openPgPartners } from '../../src/partners/pg-registry.js';
import { Database } from '../../src/store/postgres/database.js';
import { SharedHostGate } from '../../src/store/postgres/host-gate.js';
import { IngestLeases } from '../../src/store/postgres/leases.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { StoreError } from '../../src/store/store.js';
import { makeItem } from '../helpers/items.js';
import { postgresAvailable, type PostgresServer, startPostgres } from '../helpers/postgres.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several instances on one PostgreSQL', { skip: postgresAvailable() ? false : 'no PostgreSQL (Debian postgresql-15, or DATABASE_URL)' }, () => {
  let server: PostgresServer;
  let url: string;
  const open: Database[] = [];
  const instance = async () => {
    const db = await Database.open(url, { max: 4 });
    open.push(db);
    return db;
  };

  before(async () => {
    server = await startPostgres();
    url = await server.database();
  });
  after(async () => {
    for (const db of open) await db.close().catch(() => undefined);
    await server.dispose();
  });

  test('a database that cannot be reached stops the open with one line naming it (the password hidden) and what to check', async () => {
    await assert.rejects(Database.open('postgres://syn:secret@127.0.0.1:1/syndicator'), (err: Error) => {
      assert.ok(err instanceof StoreError);
      assert.match(err.message, /^store: cannot open PostgreSQL at postgres:\/\/syn:\*\*\*@127\.0\.0\.1:1\/syndicator: .*check DATABASE_URL/);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });

  test('instances starting at once on an empty database: one migrates, the others find it done', async () => {
    const fresh = await server.database();
    const dbs = await Promise.all([1, 2, 3].map(() => Database.open(fresh, { max: 2 })));
    open.push(...dbs);
    const { rows } = await dbs[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows, [{ version: 1 }, { version: 2 }], 'each migration applied once');
  });

  test('a scheduled tick is claimed by one instance only; the next tick by whoever comes first; a start-up run once', async () => {
    const a = new IngestLeases(await instance(), { holder: 'a', ttlMs: 5000 });
    const b = new IngestLeases(await instance(), { holder: 'b', ttlMs: 5000 });
    const tick = new Date('2026-01-01T00:00:00Z');
    const [la, lb] = await Promise.all([a.claim('news', tick), b.claim('news', tick)]);
    assert.equal([la, lb].filter(Boolean).length, 1, 'one claim wins');
    const winner = (la ?? lb)!;
    assert.equal(await (la ? b : a).claim('news', new Date(tick.getTime() + 60_000)), undefined, 'not while the lease is held');
    await winner.release();
    assert.equal(await b.claim('news', tick), undefined, 'a tick already run is not run again');
    assert.equal(await a.claim('news', tick), undefined);
    const next = await b.claim('news', new Date(tick.getTime() + 60_000));
    assert.ok(next, 'the next tick, once released');
    await next.release();
    assert.equal(await a.claim('news', undefined), undefined, 'a start-up run right after a run is skipped');
    const other = await a.claim('other', undefined);
    assert.ok(other, 'another channel is independent');
    await other.release();
  });

  test('a holder that dies stops renewing: its lease expires and another instance takes the next tick', async () => {
    const doomed = await Database.open(url, { max: 2 });
    const a = new IngestLeases(doomed, { holder: 'doomed', ttlMs: 600 });
    const b = new IngestLeases(await instance(), { holder: 'survivor', ttlMs: 600 });
    const tick = new Date('2026-02-01T00:00:00Z');
    assert.ok(await a.claim('dying', tick));
    await sleep(900);
    assert.equal(await b.claim('dying', new Date(tick.getTime() + 1000)), undefined, 'a live holder keeps its lease by renewing it');
    await doomed.close(); // the process is gone: no more renewals
    await sleep(900);
    const taken = await b.claim('dying', new Date(tick.getTime() + 2000));
    assert.ok(taken, 'the expired lease is taken');
    await taken.release();
  });

  test('partner rate limits hold across instances', async () => {
    const a = new SharedRateLimiter(await instance(), 3);
    const b = new SharedRateLimiter(await instance(), 3);
    const results = [await a.take('p'), await b.take('p'), await a.take('p'), await b.take('p')];
    assert.deepEqual(results.slice(0, 3), [{ ok: true }, { ok: true }, { ok: true }]);
    assert.equal(results[3]!.ok, false, 'the fourth request in the minute is refused, whichever instance gets it');
    assert.ok(!results[3]!.ok && results[3]!.retryAfterSeconds >= 1);
    assert.deepEqual(await a.take('q'), { ok: true }, 'another partner has its own allowance');
  });

  test('per-host politeness holds across instances: one request at a time, and the pause between them', async () => {
    const gates = [new SharedHostGate(await instance()), new SharedHostGate(await instance())];
    const spans: { start: number; end: number }[] = [];
    const task = async () => {
      const start = Date.now();
      await sleep(100);
      spans.push({ start, end: Date.now() });
    };
    await Promise.all([gates[0]!.run('news.example.cn', 300, task), gates[1]!.run('news.example.cn', 300, task), gates[0]!.run('news.example.cn', 300, task)]);
    spans.sort((x, y) => x.start - y.start);
    for (let i = 1; i < spans.length; i += 1) {
      assert.ok(spans[i]!.start >= spans[i - 1]!.end + 290, `request ${i} started ${spans[i]!.start - spans[i - 1]!.end} ms after the previous one ended`);
    }
    const other = Date.now();
    await gates[1]!.run('other.example.cn', 300, task);
    assert.ok(spans.at(-1)!.start - other < 250, 'another host does not wait');
  });

  test('a revoked or rotated key stops working at the other instance on its next sync', async () => {
    const here = await openPgPartners(await instance());
    const there = await openPgPartners(await instance());
    const { key } = await here.add('甲媒体', new Date(), 'alpha');
    const { key: key2 } = await here.add('乙媒体', new Date(), 'beta');
    await there.sync();
    assert.equal(identifyPartner(there, key).ok, true);
    await here.revoke('alpha', new Date());
    const { key: rotated } = await here.rotate('beta', new Date());
    await there.sync();
    const refused = identifyPartner(there, key);
    assert.equal(!refused.ok && refused.refusal.status, 403, 'revoked');
    const old = identifyPartner(there, key2);
    assert.equal(!old.ok && old.refusal.status, 401, 'the old key of a rotated partner is unknown');
    assert.equal(identifyPartner(there, rotated).ok, true, 'its new key works');
  });

  test("one instance's commit reaches the other through NOTIFY, without a poll", async () => {
    const writer = await PostgresStore.open(await instance(), ['live']);
    const reader = await PostgresStore.open(await instance(), ['live']);
    const before = reader.revision('live');
    await writer.apply('live', { items: [makeItem(1)], sourceStates: [], maxItems: 10, now: new Date() });
    for (let i = 0; i < 50 && reader.revision('live') === before; i += 1) await sleep(20);
    assert.equal(reader.revision('live'), writer.revision('live'), 'the same revision on both');
    assert.deepEqual(reader.items('live'), writer.items('live'));
    await writer.close();
    await reader.close();
  });
});
