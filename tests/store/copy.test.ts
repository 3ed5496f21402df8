// `syndicator store copy`: a DATA_DIR with live items, archives, a tombstone, source states, partners,
// grants, a ledger and reprint reports with their checks goes into an empty PostgreSQL database and back into an empty directory; counts are
// compared by the command, and the data read back through each backend is the data that went in.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ledger, type LedgerEntry, ledgerDir } from '../../src/partners/ledger.js';
import { PartnerStore } from '../../src/partners/registry.js';
import { LowdbStore } from '../../src/store/files/file-store.js';
import { ReprintFileStore } from '../../src/store/files/reprint-file-store.js';
import { Database } from '../../src/store/postgres/database.js';
import { PgReprintStore } from '../../src/store/postgres/pg-reprints.js';
import type { ReprintReport } from '../../src/store/reprints.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import type { Store } from '../../src/store/store.js';
import { makeItem } from '../helpers/items.js';
import { postgresAvailable, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { runSyndicator } from '../helpers/spawn.js';
import { FEEDS_DIR, tempDir } from '../helpers/temp.js';

const now = new Date('2026-01-01T00:00:00Z');

async function everything(store: Store, channels: string[]) {
  const out: Record<string, unknown> = {};
  for (const id of channels) {
    const months = store.archiveMonths(id);
    out[id] = {
      items: store.items(id),
      states: [...store.sourceStates(id)].sort((a, b) => (a.sourceId < b.sourceId ? -1 : 1)),
      months,
      archived: await Promise.all(months.map((m) => store.archivedItems(id, m))),
    };
  }
  return out;
}

async function ledgerOf(dir: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for await (const e of new Ledger(ledgerDir(dir)).entries()) entries.push(e);
  return entries;
}

describe('store copy between the files and PostgreSQL', { skip: postgresAvailable() ? false : 'no PostgreSQL (Debian postgresql-15, or DATABASE_URL)' }, () => {
  let server: PostgresServer;
  const disposals: (() => Promise<void>)[] = [];
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const d of disposals) await d();
    await server.dispose();
  });

  test('DATA_DIR → database → directory: counts match both ways and the data reads back the same', async () => {
    const source = await tempDir();
    const back = await tempDir();
    disposals.push(source.dispose, back.dispose);
    const url = await server.database();

    const files = await LowdbStore.open(source.dir, ['news', 'steel']);
    await files.apply('news', { items: [1, 2, 3, 4, 5].map((n) => makeItem(n)), sourceStates: [{ sourceId: 's', consecutiveFailures: 0, etag: '"e1"' }], maxItems: 3, now });
    await files.apply('steel', { items: [makeItem(7, { sourceId: 't', channelIds: ['steel'] })], sourceStates: [{ sourceId: 't', consecutiveFailures: 2 }], maxItems: 10, now });
    assert.equal(await files.deleteItem('news', makeItem(5).id, now), true);
    const before = await everything(files, ['news', 'steel']);
    await files.close();
    const registry = await PartnerStore.open(source.dir);
    await registry.add('甲媒体', now, 'alpha');
    await registry.add('乙媒体', now, 'beta');
    await registry.grant('alpha', { channelId: 'news', content: 'full' }, now);
    await registry.revoke('beta', now);
    const ledger = new Ledger(ledgerDir(source.dir));
    for (const n of [1, 2, 3]) {
      await ledger.append({ time: new Date(now.getTime() + n * 1000).toISOString(), partner: 'alpha', channel: 'news', format: 'rss', grant: 'g-1', items: [makeItem(n).id], contentLevel: 'full' });
    }

    const reprints = await ReprintFileStore.open(source.dir);
    const report = (n: number, partnerId: string): ReprintReport => ({
      id: `r-00000000000${n}`,
      partnerId,
      reportedBy: 'partner',
      reportedAt: new Date(now.getTime() + n * 60_000).toISOString(),
      itemId: makeItem(n).id,
      sourceName: '河北日报',
      authors: ['李明'],
      reprintUrl: `https://reprints.example/${n}.html`,
      standing: n === 1 ? 'delivered' : 'never-delivered',
      ...(n === 1 && { grantId: 'g-1', deliveredAt: now.toISOString(), contentLevel: 'full' as const }),
      allowed: n === 1 ? 'full' : 'excerpt',
      checks: [],
      nextCheckAt: now.toISOString(),
    });
    await reprints.add(report(1, 'alpha'));
    await reprints.add(report(2, 'beta'));
    await reprints.recordCheck('r-000000000001', { at: now.toISOString(), outcome: 'checked', ok: true, duties: [{ duty: 'source', ok: true, evidence: '«来源:河北日报»' }] }, new Date(now.getTime() + 86_400_000));
    await reprints.recordCheck('r-000000000001', { at: now.toISOString(), outcome: 'checked', ok: false, duties: [{ duty: 'source', ok: false, evidence: '"河北日报" not found on the page' }] }, new Date(now.getTime() + 86_400_000));
    const reportsBefore = await reprints.list();
    await reprints.close();
    assert.ok(reportsBefore[0]?.flagged, 'the copy carries a flagged report');

    const env = { FEEDS_DIR, DATA_DIR: source.dir };
    const there = await runSyndicator(['store', 'copy', '--to', url], env, 60_000);
    assert.equal(there.code, 0, there.stderr + there.stdout);
    assert.match(there.stdout, /items\s+3\s+3\s+ok/);
    assert.match(there.stdout, /archived\s+2\s+2\s+ok/);
    assert.match(there.stdout, /tombstones\s+1\s+1\s+ok/);
    assert.match(there.stdout, /ledger\s+3\s+3\s+ok/);
    assert.match(there.stdout, /reprints\s+2\s+2\s+ok/);
    assert.match(there.stdout, /reprintChecks\s+2\s+2\s+ok/);
    assert.doesNotMatch(there.stdout, /MISMATCH/);
    const pool = await Database.open(url, { max: 2 });
    assert.deepEqual(await new PgReprintStore(pool).list(), reportsBefore, 'the reprint reports, checks and flag included');
    await pool.close();

    const db = await PostgresStore.connect(url, ['news', 'steel'], { listen: false });
    assert.deepEqual(await everything(db, ['news', 'steel']), before, 'the database holds what the files held');
    assert.equal(await db.deleteItem('news', makeItem(5).id, now), true, 'the tombstone came along');
    await db.close();

    const again = await runSyndicator(['store', 'copy', '--to', url], env, 60_000);
    assert.equal(again.code, 2, 'never into a target that holds data');
    assert.match(again.stderr, /not empty/);

    const home = await runSyndicator(['store', 'copy', '--to', back.dir], { FEEDS_DIR, DATA_DIR: source.dir, DATABASE_URL: url }, 60_000);
    assert.equal(home.code, 0, home.stderr + home.stdout);
    assert.doesNotMatch(home.stdout, /MISMATCH/);
    const returned = await LowdbStore.open(back.dir, ['news', 'steel']);
    assert.deepEqual(await everything(returned, ['news', 'steel']), before, 'and back: the files hold the same again');
    assert.equal(await returned.deleteItem('news', makeItem(5).id, now), true, 'the tombstone came back');
    await returned.close();
    const partners = await PartnerStore.open(back.dir);
    assert.deepEqual(partners.partners(), registry.partners());
    assert.deepEqual(partners.grantsOf('alpha'), registry.grantsOf('alpha'));
    assert.deepEqual(await ledgerOf(back.dir), await ledgerOf(source.dir));
    const returnedReports = await ReprintFileStore.open(back.dir);
    assert.deepEqual(await returnedReports.list(), reportsBefore);
    await returnedReports.close();
  });
});
