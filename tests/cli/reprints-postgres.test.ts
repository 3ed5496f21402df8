// The reprint commands and `status` on the PostgreSQL backend, as an operator runs them: DATABASE_URL
// points at a real database (a throw-away cluster, or DATABASE_URL's server) holding the channel's items,
// the partners, their grants and the ledger, as the service's instances wrote them; DATA_DIR is an
// empty directory. `reprint add` must settle each report from the database's ledger and grants and
// store it in reprint_reports; `reprints`, `reprint check` and `status` read and write the same rows.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Item } from '../../src/model.js';
import { openPartners } from '../../src/partners/backend.js';
import { Database } from '../../src/store/postgres/database.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import type { ReprintReport } from '../../src/store/reprints.js';
import { makeItem } from '../helpers/items.js';
import { type PartnerSite, articlePage, startPartnerSite } from '../helpers/partner-site.js';
import { postgresAvailable, type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { runSyndicator } from '../helpers/spawn.js';
import { FEEDS_DIR, tempDir } from '../helpers/temp.js';

const CHANNEL = 'enterprise';
const item = (n: number): Item => makeItem(n, { channelIds: [CHANNEL], licenseId: 'csteelnews-own', attribution: { authors: ['赵强'], source: { name: '中国冶金报—中国钢铁新闻网', original: true } } });
const DELIVERED = item(1);
const NEVER = item(2);

describe('reprint add, reprints, reprint check and status with DATABASE_URL', { skip: postgresAvailable() ? false : 'no PostgreSQL (Debian postgresql-15, or DATABASE_URL)' }, () => {
  let server: PostgresServer;
  let db: Database;
  let site: PartnerSite;
  let data: { dir: string; dispose: () => Promise<void> };
  let env: Record<string, string>;
  let grantId = '';
  let endedGrantId = '';
  const ids: string[] = [];
  const cli = (...args: string[]) => runSyndicator(args, env, 60_000);
  const rows = async () =>
    (await db.query<{ id: string; partner_id: string; doc: ReprintReport }>('SELECT id, partner_id, doc FROM reprint_reports ORDER BY seq')).rows;

  before(async () => {
    server = await startPostgres();
    const url = await server.database();
    data = await tempDir('syndicator-pg-cli-');
    env = { DATABASE_URL: url, DATA_DIR: data.dir, FEEDS_DIR, USER_AGENT: 'Syndicator-test/1.0 (+reprint cli)' };
    // What the service's instances left in the database: the items, two partners, their grants and deliveries.
    db = await Database.open(url, { max: 4 });
    const store = await PostgresStore.open(db, [CHANNEL]);
    const day = new Date('2026-11-20T00:00:00.000Z');
    await store.apply(CHANNEL, { items: [DELIVERED, NEVER], sourceStates: [], maxItems: 50, now: day });
    await store.close();
    const { registry, ledger } = await openPartners({ dataDir: data.dir, partnerRatePerMinute: 60 }, db);
    await registry.add('河北日报', day, 'hebei-daily');
    await registry.add('邢台日报', day, 'xingtai-daily');
    grantId = (await registry.grant('hebei-daily', { channelId: CHANNEL, content: 'full' }, day)).grant.id;
    endedGrantId = (await registry.grant('xingtai-daily', { channelId: CHANNEL, content: 'excerpt', until: new Date('2026-11-21T00:00:00.000Z') }, day)).grant.id;
    await ledger.append({ time: '2026-11-20T08:00:00.000Z', partner: 'hebei-daily', channel: CHANNEL, format: 'rss', grant: grantId, items: [DELIVERED.id], contentLevel: 'full' });
    await ledger.append({ time: '2026-11-20T09:00:00.000Z', partner: 'xingtai-daily', channel: CHANNEL, format: 'atom', grant: endedGrantId, items: [DELIVERED.id], contentLevel: 'excerpt' });

    const link = `<a href="${DELIVERED.link}">原文链接</a>`;
    site = await startPartnerSite({
      '/news/1.html': { html: articlePage({ title: DELIVERED.title, byline: `来源:中国冶金报—中国钢铁新闻网 作者:赵强 ${link}`, paragraphs: ['正文。'] }), charset: 'gb2312' },
      '/news/2.html': { html: articlePage({ title: NEVER.title, byline: `来源:中国冶金报—中国钢铁新闻网 <a href="${NEVER.link}">原文</a>`, paragraphs: ['正文。'] }) },
      '/news/3.html': { html: articlePage({ title: DELIVERED.title, byline: `来源:中国冶金报—中国钢铁新闻网 作者:赵强 ${link}`, paragraphs: ['正文。'] }) },
    });
  });
  after(async () => {
    await site?.close();
    await db?.close();
    await server?.dispose();
    await data?.dispose();
  });

  test('reprint add settles each report from the database ledger and grants and stores it in PostgreSQL, not in DATA_DIR', async () => {
    const delivered = await cli('reprint', 'add', 'hebei-daily', DELIVERED.link!, site.url('/news/1.html'));
    assert.equal(delivered.code, 0, delivered.stderr);
    assert.match(delivered.stderr, new RegExp(`item ${DELIVERED.id}, delivered 2026-11-20T08:00:00.000Z under ${grantId} \\(full\\)`));
    const never = await cli('reprint', 'add', '河北日报', NEVER.id, site.url('/news/2.html'));
    assert.equal(never.code, 0, never.stderr);
    assert.match(never.stderr, /NEVER DELIVERED to this partner \(recorded as such\)/);
    const ended = await cli('reprint', 'add', 'xingtai-daily', DELIVERED.guid, site.url('/news/3.html'));
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stderr, new RegExp(`under ${endedGrantId}, which had ENDED \\(recorded as such\\)`));
    ids.push(delivered.stdout.trim(), never.stdout.trim(), ended.stdout.trim());
    for (const id of ids) assert.match(id, /^r-[0-9a-f]{12}$/);

    const stored = await rows();
    assert.deepEqual(stored.map((r) => [r.id, r.partner_id]), [[ids[0], 'hebei-daily'], [ids[1], 'hebei-daily'], [ids[2], 'xingtai-daily']]);
    const [one, two, three] = stored.map((r) => r.doc);
    assert.deepEqual(
      [one?.standing, one?.grantId, one?.deliveredAt, one?.contentLevel, one?.allowed, one?.reportedBy, one?.reprintUrl],
      ['delivered', grantId, '2026-11-20T08:00:00.000Z', 'full', 'full', 'operator', site.url('/news/1.html')],
    );
    assert.deepEqual([two?.standing, two?.grantId, two?.allowed], ['never-delivered', undefined, 'excerpt'], 'never delivered: what the public gets (csteelnews-own: excerpt)');
    assert.deepEqual([three?.standing, three?.grantId, three?.grantUntil, three?.allowed], ['grant-ended', endedGrantId, '2026-11-21T00:00:00.000Z', 'excerpt']);
    const files = await readdir(data.dir);
    assert.ok(!files.includes('reprints.json') && !files.includes('partners.json') && !files.includes('ledger'), `DATA_DIR stays unused: ${files.join(', ')}`);
  });

  test('reprints lists the database reports, by partner name too; an unknown partner is a usage error', async () => {
    const all = await cli('reprints', '--format', 'json');
    assert.equal(all.code, 0, all.stderr);
    const listed = JSON.parse(all.stdout) as ReprintReport[];
    assert.deepEqual(listed, (await rows()).map((r) => r.doc), 'the rows of reprint_reports, whole');
    const hebei = JSON.parse((await cli('reprints', '--partner', '河北日报', '--format', 'json')).stdout) as ReprintReport[];
    assert.deepEqual(hebei.map((r) => r.id), ids.slice(0, 2));
    const unknown = await cli('reprints', '--partner', 'nobody');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no partner "nobody"/);
  });

  test('reprint check records its checks in PostgreSQL, and status sums them up per partner', async () => {
    const checked = await cli('reprint', 'check', '--all', '--allow-private-hosts');
    assert.equal(checked.code, 1, `one reprint fails its author duty: ${checked.stdout}${checked.stderr}`);
    assert.match(checked.stdout, new RegExp(`^${ids[0]} .*: passing — `, 'm'));
    assert.match(checked.stdout, new RegExp(`^${ids[1]} .*: failing — .*author FAIL: "赵强" not found on the page`, 'm'));
    const stored = await rows();
    assert.deepEqual(stored.map((r) => r.doc.checks.map((c) => [c.outcome, c.ok])), [[['checked', true]], [['checked', false]], [['checked', true]]]);
    assert.ok(site.requests.some((r) => r.path === '/robots.txt'), 'fetched politely, robots.txt first');

    const status = await cli('status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^PARTNER +REPRINTS +PENDING +PASSING +FAILING +UNREACHABLE +FLAGGED +NEVER DELIVERED +GRANT ENDED +FAILING DUTIES$/m);
    assert.match(status.stdout, /^hebei-daily +2 +0 +1 +1 +0 +0 +1 +0 +author 1$/m);
    assert.match(status.stdout, /^xingtai-daily +1 +0 +1 +0 +0 +0 +0 +1$/m);
  });
});
