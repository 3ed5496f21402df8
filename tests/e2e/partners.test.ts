// Partner reprint access end to end, as an operator and a partner medium use it: the service runs
// on a real socket over the shipped feeds/ samples; partners and grants are made with the real CLI in
// another process while it runs; feeds are fetched with and without keys and compared with the public
// ones; and the reprint ledger, read back through the CLI, lists exactly the deliveries.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/env.js';
import { startService } from '../../src/main.js';
import type { Service } from '../../src/main.js';
import type { LedgerEntry } from '../../src/partners/ledger.js';
import { REPRINT_NS } from '../../src/render/index.js';
import { ATOM_NS } from '../../src/render/namespaces.js';
import { readWithFeedparser } from '../helpers/feed-clients.js';
import { assertValidJsonFeed } from '../helpers/jsonfeed.js';
import { runSyndicator } from '../helpers/spawn.js';
import { copyOfFeeds, tempDir } from '../helpers/temp.js';
import { type XmlElement, attr, childrenNamed, only, parseXml } from '../helpers/xml.js';

const FORMATS = ['rss', 'atom', 'json'] as const;
type FormatId = (typeof FORMATS)[number];
type Json = Record<string, any>;

/** The csteelnews-own item (publicContent: excerpt) and a phrase found only in its full text. */
const OWN_TITLE = '鞍钢集团召开2019年上半年经济活动分析会';
const OWN_FULL_TEXT = '总结上半年生产经营情况';
const KEY_SHAPE = /^sk_[A-Za-z0-9_-]{43}$/;

/** One item of any format, reduced to what this suite compares. */
interface SeenItem {
  guid: string;
  title: string;
  content?: string;
  attribution: string;
  grant?: Record<string, string | undefined>;
}

function itemsOf(format: FormatId, body: string): { self: string; items: SeenItem[] } {
  if (format === 'json') {
    const feed = JSON.parse(body) as Json;
    assertValidJsonFeed(feed);
    return {
      self: feed.feed_url,
      items: (feed.items as Json[]).map((i) => ({ guid: i.id, title: i.title, content: i.content_html, attribution: i._attribution.line, grant: i._grant })),
    };
  }
  const root = parseXml(body);
  const grantOf = (el: XmlElement) => {
    const g = childrenNamed(el, REPRINT_NS, 'grant')[0];
    const until = g && attr(g, 'until');
    return g && { id: attr(g, 'id'), partner: attr(g, 'partner'), content: attr(g, 'content'), ...(until !== undefined && { until }) };
  };
  if (format === 'rss') {
    const channel = only(root, '', 'channel');
    const self = childrenNamed(channel, ATOM_NS, 'link').find((l) => attr(l, 'rel') === 'self');
    return {
      self: self ? (attr(self, 'href') ?? '') : '',
      items: childrenNamed(channel, '', 'item').map((i) => ({
        guid: only(i, '', 'guid').text,
        title: only(i, '', 'title').text,
        content: childrenNamed(i, 'http://purl.org/rss/1.0/modules/content/', 'encoded')[0]?.text,
        attribution: only(i, REPRINT_NS, 'attribution').text,
        grant: grantOf(i),
      })),
    };
  }
  const self = childrenNamed(root, ATOM_NS, 'link').find((l) => attr(l, 'rel') === 'self');
  return {
    self: self ? (attr(self, 'href') ?? '') : '',
    items: childrenNamed(root, ATOM_NS, 'entry').map((e) => ({
      guid: only(e, ATOM_NS, 'id').text,
      title: only(e, ATOM_NS, 'title').text,
      content: childrenNamed(e, ATOM_NS, 'content')[0]?.text,
      attribution: only(e, REPRINT_NS, 'attribution').text,
      grant: grantOf(e),
    })),
  };
}

/** Asserts that a key appears nowhere in a response: not in its body, not in any header. */
function assertNoKey(res: { headers: Headers }, body: string, ...keys: string[]): void {
  const headers = JSON.stringify([...res.headers]);
  for (const key of keys) {
    assert.ok(!body.includes(key) && !body.includes(key.slice(3)), 'no key in the body');
    assert.ok(!headers.includes(key.slice(3)), 'no key in the headers');
  }
}

/** A service over a copy of feeds/ with its own data directory, its log kept in memory. */
async function startOn(rate: number) {
  const feeds = await copyOfFeeds();
  const data = await tempDir('syndicator-partners-data-');
  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: data.dir,
    FEEDS_DIR: feeds.dir,
    BASE_URL: 'http://feeds.test',
    PARTNER_RATE_PER_MINUTE: String(rate),
  });
  const service = await startService(config, log);
  await service.scheduler.runNow(service.channels.find((c) => c.id === 'enterprise')!);
  const cli = (...args: string[]) => runSyndicator(args, { DATA_DIR: data.dir, FEEDS_DIR: feeds.dir });
  const dispose = async () => {
    await service.stop();
    await feeds.dispose();
    await data.dispose();
  };
  return { service, cli, logLines, dataDir: data.dir, dispose };
}

/** Adds a partner with the CLI; returns its key. */
async function addPartner(cli: (...args: string[]) => ReturnType<typeof runSyndicator>, name: string): Promise<string> {
  const added = await cli('partner', 'add', name);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /^sk_[A-Za-z0-9_-]{43}\n$/, 'stdout is the key alone');
  assert.match(added.stderr, /shown only this once/);
  return added.stdout.trim();
}

/** Grants with the CLI; returns the grant id. */
async function grant(cli: (...args: string[]) => ReturnType<typeof runSyndicator>, ...args: string[]): Promise<string> {
  const granted = await cli('partner', 'grant', ...args);
  assert.equal(granted.code, 0, granted.stderr);
  const id = /^granted (g-[0-9a-f]{10}):/.exec(granted.stdout)?.[1];
  assert.ok(id, granted.stdout);
  return id;
}

describe('partner reprint access: CLI → keys and grants → partner feeds → reprint ledger', () => {
  let env: Awaited<ReturnType<typeof startOn>>;
  let service: Service;
  const keys: Record<string, string> = {};
  const grants: Record<string, string> = {};
  /** Every 200 GET of a partner feed made by this suite, in order: what the ledger must list. */
  const delivered: Omit<LedgerEntry, 'time'>[] = [];

  before(async () => {
    env = await startOn(1000);
    service = env.service;
  });
  after(() => env?.dispose());

  /** GET (or HEAD) a route; `bearer` goes in the Authorization header. */
  const fetchRoute = (route: string, { bearer, method = 'GET', headers = {} }: { bearer?: string; method?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${service.url}${route}`, {
      method,
      headers: { ...headers, ...(bearer !== undefined && { Authorization: `Bearer ${bearer}` }) },
      cache: 'no-cache',
    } as RequestInit);

  /** The item ids a delivery of the enterprise channel carries now, in feed order. */
  const enterpriseIds = () => service.store.items('enterprise').slice(0, 50).map((i) => i.id);

  /** Fetches a partner feed that must be delivered; records the delivery the ledger must show. */
  async function deliver(format: FormatId, partner: string, grantId: string, contentLevel: 'full' | 'excerpt', auth: { bearer?: string; query?: string }) {
    const res = await fetchRoute(`/partner/feeds/enterprise.${format}${auth.query === undefined ? '' : `?key=${auth.query}`}`, { ...(auth.bearer !== undefined && { bearer: auth.bearer }) });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    delivered.push({ partner, channel: 'enterprise', format, grant: grantId, items: enterpriseIds(), contentLevel });
    return { res, body };
  }

  test('partner add prints a new key once, on stdout; partners.json keeps only its hash', async () => {
    const [a, b, c] = await Promise.all([addPartner(env.cli, 'Hebei Daily'), addPartner(env.cli, 'Xinhua News'), addPartner(env.cli, 'Late Daily')]);
    Object.assign(keys, { a, b, c });
    for (const key of [a, b, c]) assert.match(key, KEY_SHAPE);
    const raw = await readFile(path.join(env.dataDir, 'partners.json'), 'utf8');
    for (const key of [a, b, c]) assert.ok(!raw.includes(key) && !raw.includes(key.slice(3)), 'no key at rest');
    const list = await env.cli('partner', 'list');
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^ID\s+NAME\s+CREATED\s+STATUS\s+GRANTS\n/);
    assert.match(list.stdout, /hebei-daily\s+Hebei Daily\s+\S+\s+active\s+none/);
  });

  test('no key and an unknown key are 401; a key without a grant is 403; each says why in one line', async () => {
    const missing = await fetchRoute('/partner/feeds/enterprise.rss');
    assert.equal(missing.status, 401);
    assert.equal(await missing.text(), 'missing key: send Authorization: Bearer <key> or ?key=\n');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="partner feeds"');
    const unknown = await fetchRoute('/partner/feeds/enterprise.rss', { bearer: 'sk_not-a-key-anyone-has' });
    assert.equal(unknown.status, 401);
    assert.equal(await unknown.text(), 'unknown key\n');
    const ungranted = await fetchRoute(`/partner/feeds/enterprise.json?key=${keys.a}`);
    assert.equal(ungranted.status, 403);
    assert.equal(await ungranted.text(), 'partner "hebei-daily" has no grant for channel "enterprise"\n');
    assert.equal((await fetchRoute('/partner/feeds/nope.rss', { bearer: keys.a! })).status, 404);
  });

  test('partner grant: full by default, excerpt on request, --until in the past already expired; an unknown channel is a usage error', async () => {
    const [a, b, late, bad] = await Promise.all([
      grant(env.cli, 'hebei-daily', '--channel', 'enterprise'),
      grant(env.cli, 'Xinhua News', '--channel', 'enterprise', '--content', 'excerpt'),
      env.cli('partner', 'grant', 'late-daily', '--channel', 'enterprise', '--until', '2020-01-01'),
      env.cli('partner', 'grant', 'hebei-daily', '--channel', 'nope'),
    ]);
    Object.assign(grants, { a, b });
    assert.equal(late.code, 0, late.stderr);
    assert.match(late.stdout, /until 2020-01-01T16:00:00\.000Z/, 'the end of 2020-01-01 in Beijing');
    assert.match(late.stderr, /already expired/);
    grants.c = /^granted (g-[0-9a-f]{10})/.exec(late.stdout)![1]!;
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no valid channel "nope" .*valid channels: enterprise, metals\n$/);
    const list = await env.cli('partner', 'list');
    assert.match(list.stdout, new RegExp(`hebei-daily .* enterprise:full \\(${grants.a}\\)`));
  });

  for (const format of FORMATS) {
    test(`${format}: a full grant gets the full text of the excerpt-only item; an excerpt grant and the public do not; every item names the grant and the line to print`, async () => {
      const pub = itemsOf(format, await (await fetchRoute(`/feeds/enterprise.${format}`)).text());
      const { res, body } = await deliver(format, 'hebei-daily', grants.a!, 'full', { bearer: keys.a! });
      const full = itemsOf(format, body);
      const excerpt = itemsOf(format, (await deliver(format, 'xinhua-news', grants.b!, 'excerpt', { bearer: keys.b! })).body);

      assert.equal(res.headers.get('cache-control'), 'private, no-store');
      assert.match(res.headers.get('etag') ?? '', /^"[^"]+"$/);
      assert.deepEqual(full.items.map((i) => i.guid), pub.items.map((i) => i.guid), 'the same items as the public feed');
      assert.deepEqual(excerpt.items.map((i) => i.guid), pub.items.map((i) => i.guid));
      const guids = new Map(service.store.items('enterprise').map((i) => [i.id, i.guid]));
      assert.deepEqual(full.items.map((i) => i.guid), enterpriseIds().map((id) => guids.get(id)), 'the ids the ledger records');

      const own = (feed: typeof full) => feed.items.find((i) => i.title === OWN_TITLE)!;
      assert.match(own(full).content ?? '', new RegExp(OWN_FULL_TEXT), 'full grant: full text');
      assert.equal(own(excerpt).content?.includes(OWN_FULL_TEXT) ?? false, false, 'excerpt grant: no full text');
      assert.equal(own(pub).content?.includes(OWN_FULL_TEXT) ?? false, false, 'public: no full text');
      assert.ok(!excerpt.items.some((i) => i.content?.includes(OWN_FULL_TEXT)));

      for (const item of full.items) {
        assert.deepEqual(item.grant, { ...(format === 'json' && { about: REPRINT_NS }), id: grants.a, partner: 'hebei-daily', content: 'full' }, item.title);
        assert.ok(item.attribution.length > 0);
        assert.equal(item.attribution, pub.items.find((p) => p.guid === item.guid)?.attribution, 'the same line to print as in public');
      }
      assert.match(own(full).attribution, /^来源:《中国冶金报—中国钢铁新闻网》 作者:\S+/);
      for (const item of excerpt.items) assert.equal(item.grant?.content, 'excerpt');
      for (const item of pub.items) assert.equal(item.grant, undefined, 'public items name no grant');

      assert.equal(full.self, `http://feeds.test/partner/feeds/enterprise.${format}`, 'self link without the key');
      assert.equal(pub.self, `http://feeds.test/feeds/enterprise.${format}`);
      assertNoKey(res, body, keys.a!, keys.b!);
      if (format !== 'json') {
        const parsed = await readWithFeedparser(body);
        assert.equal(parsed.bozo, false, parsed.bozoException ?? undefined);
        assert.equal(parsed.entries.length, full.items.length);
      }
    });
  }

  test('?key= works as well; the header wins when both are sent; the key is echoed nowhere', async () => {
    const { res, body } = await deliver('atom', 'hebei-daily', grants.a!, 'full', { query: keys.a! });
    assertNoKey(res, body, keys.a!);
    assert.ok(!body.includes('key='));
    const headerWins = await fetchRoute(`/partner/feeds/enterprise.atom?key=${keys.a}`, { bearer: 'sk_wrong-key-in-the-header' });
    assert.equal(headerWins.status, 401);
    await deliver('rss', 'xinhua-news', grants.b!, 'excerpt', { bearer: keys.b!, query: keys.a! });
  });

  test('a 304 and a HEAD deliver nothing and are not recorded', async () => {
    const { res } = await deliver('json', 'hebei-daily', grants.a!, 'full', { bearer: keys.a! });
    const etag = res.headers.get('etag')!;
    const notModified = await fetchRoute('/partner/feeds/enterprise.json', { bearer: keys.a!, headers: { 'If-None-Match': etag } });
    assert.equal(notModified.status, 304);
    assert.equal(await notModified.text(), '');
    const head = await fetchRoute('/partner/feeds/enterprise.json', { bearer: keys.a!, method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
    assert.equal(await head.text(), '');
  });

  test('an expired grant is a 403 that says when it ended', async () => {
    const res = await fetchRoute('/partner/feeds/enterprise.rss', { bearer: keys.c! });
    assert.equal(res.status, 403);
    assert.equal(await res.text(), `grant ${grants.c} for channel "enterprise" expired on 2020-01-01T16:00:00.000Z\n`);
  });

  test('partner revoke takes effect on the very next request, without a restart or a wait', async () => {
    const revoked = await env.cli('partner', 'revoke', 'xinhua-news');
    assert.equal(revoked.code, 0, revoked.stderr);
    const res = await fetchRoute('/partner/feeds/enterprise.rss', { bearer: keys.b! });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /^partner "xinhua-news" was revoked on \d{4}-\d{2}-\d{2}T[\d:.]+Z\n$/);
    const [list, again] = await Promise.all([env.cli('partner', 'list'), env.cli('partner', 'revoke', 'xinhua-news')]);
    assert.match(list.stdout, /xinhua-news\s+Xinhua News\s+\S+\s+revoked \S+/);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /was revoked/);
  });

  test('partner rotate: the old key is unknown at once, the new one works', async () => {
    const rotated = await env.cli('partner', 'rotate', 'hebei-daily');
    assert.equal(rotated.code, 0, rotated.stderr);
    const fresh = rotated.stdout.trim();
    assert.match(fresh, KEY_SHAPE);
    const old = await fetchRoute('/partner/feeds/enterprise.rss', { bearer: keys.a! });
    assert.equal(old.status, 401);
    assert.equal(await old.text(), 'unknown key\n');
    keys.rotated = fresh;
    await deliver('rss', 'hebei-daily', grants.a!, 'full', { bearer: fresh });
  });

  test('partner ungrant: 403 at once naming the revoked grant; a new grant works with a new id', async () => {
    const ungranted = await env.cli('partner', 'ungrant', 'hebei-daily', '--channel', 'enterprise');
    assert.equal(ungranted.code, 0, ungranted.stderr);
    const res = await fetchRoute('/partner/feeds/enterprise.json', { bearer: keys.rotated! });
    assert.equal(res.status, 403);
    assert.match(await res.text(), new RegExp(`^grant ${grants.a} for channel "enterprise" was revoked on \\S+\\n$`));
    grants.a2 = await grant(env.cli, 'hebei-daily', '--channel', 'enterprise', '--content', 'excerpt', '--until', '2099-12-31');
    const { body } = await deliver('json', 'hebei-daily', grants.a2, 'excerpt', { bearer: keys.rotated! });
    const items = itemsOf('json', body).items;
    assert.equal(items[0]?.grant?.until, '2099-12-31T16:00:00.000Z');
    assert.equal(items.find((i) => i.title === OWN_TITLE)?.content, undefined, 'the new grant gives excerpts');
  });

  test('the ledger lists exactly the deliveries — partner, channel, format, grant, item ids — and nothing for refused, 304 or HEAD requests', async () => {
    // Read-only: the six readings run side by side.
    const [json, csv, xinhuaOnly, future, table, unknown] = await Promise.all([
      env.cli('ledger', '--format', 'json'),
      env.cli('ledger', '--format', 'csv'),
      env.cli('ledger', '--partner', 'Xinhua News', '--format', 'json'),
      env.cli('ledger', '--since', '2999-01-01', '--format', 'json'),
      env.cli('ledger'),
      env.cli('ledger', '--partner', 'nobody'),
    ]);
    assert.equal(json.code, 0, json.stderr);
    const entries = JSON.parse(json.stdout) as LedgerEntry[];
    assert.deepEqual(entries.map(({ time: _time, ...rest }) => rest), delivered);
    const times = entries.map((e) => Date.parse(e.time));
    assert.deepEqual([...times].sort((x, y) => x - y), times, 'in the order they happened');

    assert.equal(csv.code, 0, csv.stderr);
    const rows = csv.stdout.trimEnd().split('\r\n');
    assert.equal(rows[0], 'time,partner,channel,format,grant,content,item_count,items');
    assert.deepEqual(
      rows.slice(1).map((r) => r.split(',').slice(1)),
      delivered.map((d) => [d.partner, d.channel, d.format, d.grant, d.contentLevel, String(d.items.length), d.items.join(' ')]),
    );

    const xinhua = JSON.parse(xinhuaOnly.stdout) as LedgerEntry[];
    assert.deepEqual(xinhua.map((e) => e.grant), delivered.filter((d) => d.partner === 'xinhua-news').map(() => grants.b));
    assert.deepEqual(JSON.parse(future.stdout), []);
    assert.equal(table.stdout.trimEnd().split('\n').length, delivered.length + 1);
    assert.match(table.stdout, /^TIME\s+PARTNER\s+CHANNEL\s+FORMAT\s+GRANT\s+CONTENT\s+ITEM_COUNT\s+ITEMS\n/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no partner "nobody"/);
  });

  test('no key is ever written to the log; request lines show key=REDACTED', () => {
    const log = env.logLines.join('');
    assert.ok(env.logLines.length > 0);
    for (const key of Object.values(keys)) assert.ok(!log.includes(key.slice(3)), 'a key reached the log');
    assert.match(log, /"url":"\/partner\/feeds\/enterprise\.atom\?key=REDACTED"/);
  });
});

describe('partner rate limit', () => {
  let env: Awaited<ReturnType<typeof startOn>>;
  before(async () => {
    env = await startOn(2);
  });
  after(() => env?.dispose());

  test('over PARTNER_RATE_PER_MINUTE a partner gets 429 with Retry-After, and the refused request is not on the ledger', async () => {
    const key = await addPartner(env.cli, 'Busy Daily');
    const grantId = await grant(env.cli, 'busy-daily', '--channel', 'metals');
    const get = () => fetch(`${env.service.url}/partner/feeds/metals.json`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal((await get()).status, 200);
    assert.equal((await get()).status, 200);
    const limited = await get();
    assert.equal(limited.status, 429);
    assert.equal(await limited.text(), 'rate limit: 2 requests per minute\n');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 30, `Retry-After ${retryAfter}`);
    const ledger = JSON.parse((await env.cli('ledger', '--format', 'json')).stdout) as LedgerEntry[];
    assert.deepEqual(ledger.map((e) => [e.partner, e.channel, e.grant]), [
      ['busy-daily', 'metals', grantId],
      ['busy-daily', 'metals', grantId],
    ]);
  });
});
