// The ReprintStore contract of docs/scaling.md §1, asserted once and run against both backends: the
// reprints.json document under a temporary DATA_DIR, and PostgreSQL's reprint_reports table (a
// throw-away cluster, or DATABASE_URL's server). Each open() is what another process (the CLI, a
// second instance) would open on the same data.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ReprintFileStore } from '../../src/store/files/reprint-file-store.js';
import { Database } from '../../src/store/postgres/database.js';
import { PgReprintStore } from '../../src/store/postgres/pg-reprints.js';
import { MIGRATIONS } from '../../src/store/postgres/schema.js';
import { type AttributionCheck, REPRINT_CHECKS_KEPT, type ReprintReport, type ReprintStore } from '../../src/store/reprints.js';
import { StoreError } from '../../src/store/store.js';
import { postgresAvailable, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { filesBackend, forEachBackend, type Place, postgresBackend } from '../helpers/store-backends.js';

/** One backend's data in a fresh place; open() may be called several times, as several processes would. */
interface ReprintPlace extends Place {
  open(): Promise<ReprintStore>;
  /** Damages the stored report "r-000000000001" (a file cut short; a row whose document is not a report). */
  damage(): Promise<void>;
}

const files = filesBackend<ReprintPlace>('files (reprints.json)', (dir) => {
  const opened: ReprintStore[] = [];
  return {
    async open() {
      const store = await ReprintFileStore.open(dir);
      opened.push(store);
      return store;
    },
    damage: async () => {
      const file = path.join(dir, 'reprints.json');
      await writeFile(file, (await readFile(file, 'utf8')).slice(0, -20));
    },
    dispose: async () => {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    },
  };
});

const postgres = postgresBackend<ReprintPlace>('postgres (reprint_reports)', (url, sql) => {
  const dbs: Database[] = [];
  return {
    // Each open is its own pool, as another instance's would be.
    async open() {
      const db = await Database.open(url, { max: 4 });
      dbs.push(db);
      return new PgReprintStore(db);
    },
    damage: () => sql(`UPDATE reprint_reports SET doc = '{"title": 1}' WHERE id = 'r-000000000001'`),
    dispose: async () => {
      await Promise.all(dbs.map((db) => db.close().catch(() => undefined)));
    },
  };
});

const T0 = Date.parse('2026-11-25T02:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function report(n: number, extra: Partial<ReprintReport> = {}): ReprintReport {
  return {
    id: `r-${String(n).padStart(12, '0')}`,
    partnerId: 'hebei-daily',
    reportedBy: 'partner',
    reportedAt: at(n).toISOString(),
    itemId: `item-${n}`,
    channelId: 'enterprise',
    originalLink: `https://www.csteelnews.example/news/${n}.html`,
    sourceName: '中国冶金报—中国钢铁新闻网',
    authors: ['赵强'],
    reprintUrl: `https://hebei.example/reprint/${n}.html`,
    standing: 'delivered',
    grantId: 'g-1',
    deliveredAt: at(n - 1).toISOString(),
    contentLevel: 'excerpt',
    allowed: 'excerpt',
    checks: [],
    nextCheckAt: at(n).toISOString(),
    ...extra,
  };
}

const passing = (minutes: number): AttributionCheck => ({
  at: at(minutes).toISOString(),
  outcome: 'checked',
  ok: true,
  duties: [
    { duty: 'source', ok: true, evidence: '«来源:中国冶金报—中国钢铁新闻网»' },
    { duty: 'author', ok: true, evidence: '«作者:赵强»' },
  ],
});
const failing = (minutes: number): AttributionCheck => ({
  at: at(minutes).toISOString(),
  outcome: 'checked',
  ok: false,
  duties: [
    { duty: 'source', ok: true, evidence: '«来源:中国冶金报—中国钢铁新闻网»' },
    { duty: 'author', ok: false, evidence: '"赵强" not found on the page' },
  ],
});
const unreachable = (minutes: number): AttributionCheck => ({ at: at(minutes).toISOString(), outcome: 'unreachable', ok: false, duties: [], error: 'GET … answered 503' });

const ids = (reports: readonly ReprintReport[]) => reports.map((r) => r.id);

forEachBackend('ReprintStore contract', files, postgres, (place) => {
  test('add stores the report as given and resolves with it; a taken id is refused and changes nothing', async (t) => {
    const store = await (await place(t)).open();
    const r = report(1, { authors: [], grantUntil: at(60 * 24).toISOString() });
    assert.deepEqual(await store.add(r), r);
    assert.deepEqual(await store.list(), [r]);
    await assert.rejects(store.add(report(1, { reprintUrl: 'https://other.example/' })), /reprints: report id "r-000000000001" is taken/);
    assert.deepEqual(await store.list(), [r], 'the first report is kept as it was');
  });

  test('list filters by partner, item and due time, oldest report first', async (t) => {
    const store = await (await place(t)).open();
    // Added out of order: the list is by reportedAt, not by when it was added.
    await store.add(report(3, { partnerId: 'tangshan-news' }));
    await store.add(report(1));
    await store.add(report(2, { itemId: 'item-1', nextCheckAt: at(120).toISOString() }));
    await store.add(report(4, { partnerId: 'tangshan-news', itemId: 'item-1' }));

    assert.deepEqual(ids(await store.list()), ['r-000000000001', 'r-000000000002', 'r-000000000003', 'r-000000000004']);
    assert.deepEqual(ids(await store.list({ partnerId: 'tangshan-news' })), ['r-000000000003', 'r-000000000004']);
    assert.deepEqual(ids(await store.list({ itemId: 'item-1' })), ['r-000000000001', 'r-000000000002', 'r-000000000004']);
    assert.deepEqual(ids(await store.list({ partnerId: 'hebei-daily', itemId: 'item-1' })), ['r-000000000001', 'r-000000000002']);
    assert.deepEqual(ids(await store.list({ dueBy: at(3) })), ['r-000000000001', 'r-000000000003'], 'due at or before the instant');
    assert.deepEqual(ids(await store.list({ dueBy: at(120) })), ['r-000000000001', 'r-000000000002', 'r-000000000003', 'r-000000000004']);
    assert.deepEqual(await store.list({ partnerId: 'nobody' }), []);
  });

  test(`recordCheck keeps the newest ${REPRINT_CHECKS_KEPT} checks, newest last, and moves the next check`, async (t) => {
    const store = await (await place(t)).open();
    await store.add(report(1));
    let last: ReprintReport | undefined;
    for (let i = 1; i <= REPRINT_CHECKS_KEPT + 5; i += 1) last = await store.recordCheck('r-000000000001', passing(i), at(i + 60));
    assert.equal(last?.checks.length, REPRINT_CHECKS_KEPT);
    const [stored] = await store.list();
    assert.deepEqual(stored, last, 'what recordCheck resolved with is what is stored');
    assert.deepEqual(
      stored?.checks.map((c) => c.at),
      Array.from({ length: REPRINT_CHECKS_KEPT }, (_, i) => at(i + 6).toISOString()),
      'the five oldest were dropped',
    );
    assert.equal(stored?.nextCheckAt, at(REPRINT_CHECKS_KEPT + 5 + 60).toISOString());
    assert.deepEqual(await store.list({ dueBy: at(REPRINT_CHECKS_KEPT + 5 + 59) }), [], 'not due before its next check');
    assert.equal((await store.list({ dueBy: at(REPRINT_CHECKS_KEPT + 5 + 60) })).length, 1);
  });

  test('a check that fails after one passed flags the report once; a first failure or an unreachable page does not', async (t) => {
    const store = await (await place(t)).open();
    await store.add(report(1));
    await store.add(report(2));
    // Report 2 never passed: failing is not "lost".
    assert.equal((await store.recordCheck('r-000000000002', failing(10), at(70)))?.flagged, undefined);
    // Report 1 passed, then the page was unreachable (not a lost attribution), then the author went missing.
    await store.recordCheck('r-000000000001', passing(10), at(70));
    assert.equal((await store.recordCheck('r-000000000001', unreachable(20), at(80)))?.flagged, undefined);
    const lost = await store.recordCheck('r-000000000001', failing(30), at(90));
    assert.deepEqual(lost?.flagged, { at: at(30).toISOString(), reason: 'attribution lost after a passing check: author failed' });
    // Later checks, failing or passing again, keep the first flag.
    await store.recordCheck('r-000000000001', failing(40), at(100));
    await store.recordCheck('r-000000000001', passing(50), at(110));
    const [one, two] = await store.list();
    assert.deepEqual(one?.flagged, lost?.flagged);
    assert.deepEqual(one?.checks.map((c) => [c.outcome, c.ok]), [['checked', true], ['unreachable', false], ['checked', false], ['checked', false], ['checked', true]]);
    assert.equal(two?.flagged, undefined);
  });

  test('recordCheck of an unknown id resolves undefined and stores nothing', async (t) => {
    const store = await (await place(t)).open();
    await store.add(report(1));
    assert.equal(await store.recordCheck('r-ffffffffffff', passing(1), at(60)), undefined);
    const [only, ...rest] = await store.list();
    assert.deepEqual(rest, []);
    assert.deepEqual(only?.checks, []);
  });

  test('what one process wrote, another sees; after both close, a new open has it all', async (t) => {
    const p = await place(t);
    const a = await p.open();
    const b = await p.open();
    await a.add(report(1));
    await b.add(report(2, { partnerId: 'tangshan-news' }));
    assert.deepEqual(ids(await a.list()), ['r-000000000001', 'r-000000000002'], 'a sees what b added');
    await b.recordCheck('r-000000000001', passing(5), at(65));
    assert.deepEqual((await a.list({ partnerId: 'hebei-daily' }))[0]?.checks, [passing(5)], 'a sees the check b recorded');
    await a.close();
    await b.close();
    const c = await p.open();
    const all = await c.list();
    assert.deepEqual(ids(all), ['r-000000000001', 'r-000000000002']);
    assert.deepEqual(all[0]?.checks, [passing(5)]);
    assert.equal(all[0]?.nextCheckAt, at(65).toISOString());
  });

  test('two processes recording checks of one report at once: every check is kept', async (t) => {
    const p = await place(t);
    const a = await p.open();
    const b = await p.open();
    await a.add(report(1));
    const rounds = 6;
    await Promise.all(
      Array.from({ length: rounds }, (_, i) => [a.recordCheck('r-000000000001', passing(100 + i), at(200)), b.recordCheck('r-000000000001', failing(300 + i), at(200))]).flat(),
    );
    const [stored] = await (await p.open()).list();
    assert.equal(stored?.checks.length, 2 * rounds, 'no check lost to a concurrent writer');
    assert.deepEqual(
      stored?.checks.map((c) => c.at).sort(),
      [...Array.from({ length: rounds }, (_, i) => at(100 + i).toISOString()), ...Array.from({ length: rounds }, (_, i) => at(300 + i).toISOString())].sort(),
    );
  });

  test('a damaged report is an error naming what is damaged, never an empty list', async (t) => {
    const p = await place(t);
    const store = await p.open();
    await store.add(report(1));
    await store.close();
    await p.damage();
    await assert.rejects(
      async () => (await p.open()).list(),
      (err: Error) => {
        assert.ok(err instanceof StoreError, String(err));
        assert.match(err.message, /damaged/);
        assert.match(err.message, /reprints\.json|reprint_reports row "r-000000000001"/);
        return true;
      },
    );
  });
});

describe('PostgreSQL: reprint_reports arrives by migration', { skip: postgresAvailable() ? false : 'no PostgreSQL (Debian postgresql-15, or DATABASE_URL)' }, () => {
  let pgServer: PostgresServer;
  before(async () => {
    pgServer = await startPostgres();
  });
  after(() => pgServer.dispose());

  test('a database at schema version 1 gains the table on open and keeps what it held', async () => {
    const url = await pgServer.database();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // The database as the previous build left it: migration 1 only, with a partner in it.
      await c.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      await c.query(MIGRATIONS[0]!.sql);
      await c.query(`INSERT INTO schema_migrations (version, name) VALUES (1, 'initial')`);
      await c.query(`INSERT INTO partners (id, name, key_hash, created_at) VALUES ('hebei-daily', '河北日报', $1, now())`, ['a'.repeat(64)]);
    } finally {
      await c.end();
    }
    const db = await Database.open(url, { max: 2 });
    try {
      const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(versions.rows.map((r) => r.version), [1, 2]);
      assert.deepEqual((await db.query('SELECT id FROM partners')).rows, [{ id: 'hebei-daily' }]);
      const store = new PgReprintStore(db);
      await store.add(report(1));
      assert.deepEqual(ids(await store.list()), ['r-000000000001']);
    } finally {
      await db.close();
    }
  });
});
