// End to end, as a newsroom runs it: a channel file → ingest from a real HTTP server on 127.0.0.1
// serving the upstream fixtures (the GB2312 one included) → lowdb files on disk → the service's
// own HTTP server over real sockets → every format read back by rss-parser and python3-feedparser.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../helpers/log.js';
import { startService } from '../../src/main.js';
import type { Service } from '../../src/main.js';
import { assertEntriesAttributed, readWithFeedparser, readWithRssParser } from '../helpers/feed-clients.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import { assertValidJsonFeed } from '../helpers/jsonfeed.js';
import { parseXml } from '../helpers/xml.js';
import { FEEDS_DIR, FIXTURES, tempDir } from '../helpers/temp.js';

const UPSTREAM = path.join(FIXTURES, 'upstream');

/** Upstream sites: the fixtures over HTTP, the GB2312 feed once with a charset header and once without. */
function startUpstream() {
  const fixture = (file: string, type: string) => ({ file: path.join(UPSTREAM, file), headers: { 'content-type': type } });
  return startFixtureServer([
    { path: '/steel/rss.xml', ...fixture('steel-enterprise.rss.xml', 'application/rss+xml; charset=utf-8') },
    { path: '/metal/atom.xml', ...fixture('steel-enterprise.atom.xml', 'application/atom+xml') },
    { path: '/gbk/header.xml', ...fixture('steel-enterprise.gb2312.rss.xml', 'application/rss+xml; charset=GB2312') },
    // The same feed under another address: its article links differ, or the channel would keep the
    // article once (one article through two sources is deduplicated by link).
    {
      path: '/gbk/prolog-only.xml',
      body: Buffer.from(readFileSync(path.join(UPSTREAM, 'steel-enterprise.gb2312.rss.xml')).toString('latin1').replaceAll('/a/1001.html', '/a/1001-prolog.html'), 'latin1'),
      headers: { 'content-type': 'text/xml' },
    },
  ]);
}

describe('foundation: feeds/ → ingest → lowdb → RSS, Atom and JSON Feed', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let service: Service;
  let dataDir: string;
  let disposers: (() => Promise<unknown>)[] = [];

  before(async () => {
    upstream = await startUpstream();
    const feeds = await tempDir('syndicator-e2e-feeds-');
    const data = await tempDir('syndicator-e2e-data-');
    disposers = [feeds.dispose, data.dispose, upstream.close];
    dataDir = data.dir;
    await mkdir(path.join(feeds.dir, 'licenses'));
    for (const id of ['csteelnews-own', 'csteelnews-reprinted', 'metal-cite-source']) {
      await copyFile(path.join(FEEDS_DIR, 'licenses', `${id}.json`), path.join(feeds.dir, 'licenses', `${id}.json`));
    }
    const enterprise = JSON.parse(await readFile(path.join(FEEDS_DIR, 'enterprise.json'), 'utf8'));
    enterprise.sources = [
      { ...enterprise.sources[0], url: `${upstream.origin}/steel/rss.xml` },
      { ...enterprise.sources[1], id: 'gbk-header', url: `${upstream.origin}/gbk/header.xml` },
      { ...enterprise.sources[1], id: 'gbk-prolog', url: `${upstream.origin}/gbk/prolog-only.xml` },
      { ...enterprise.sources[2], url: `${upstream.origin}/metal/atom.xml` },
      { id: 'gone', type: 'feed', url: `${upstream.origin}/missing.xml` },
    ];
    await writeFile(path.join(feeds.dir, 'enterprise.json'), JSON.stringify(enterprise));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, FEEDS_DIR: feeds.dir, BASE_URL: 'http://feeds.test' });
    service = await startService(config, silentLogger());
    await service.scheduler.runNow(service.channels[0]!);
  });

  after(async () => {
    await service?.stop();
    for (const dispose of disposers) await dispose();
  });

  const get = (route: string, headers: Record<string, string> = {}) => // cache: 'no-cache' keeps undici from adding Cache-Control: no-cache to conditional requests.
    fetch(`${service.url}${route}`, { headers, cache: 'no-cache' } as RequestInit);

  test('the ingest wrote every upstream item to the channel file on disk, and recorded the failing source', async () => {
    const doc = JSON.parse(await readFile(path.join(dataDir, 'channels', 'enterprise.json'), 'utf8'));
    assert.equal(doc.items.length, 3 + 1 + 1 + 2, 'rss 3, each GB2312 variant 1, atom 2');
    assert.match(doc.sources.gone.lastError, /404/);
    assert.equal(doc.sources.gone.consecutiveFailures, 1);
    assert.ok(doc.sources['steel-rss'].lastSuccessAt);
    const titles = doc.items.map((i: { title: string }) => i.title);
    assert.equal(titles.filter((t: string) => t === '宝钢股份“十四五”规划编制启动').length, 2, 'GB2312 decoded with and without the charset header');
  });

  for (const format of ['rss', 'atom'] as const) {
    test(`${format}: well-formed, and feedparser sees title, link, date, authors, rights, license and source on every item`, async () => {
      const res = await get(`/feeds/enterprise.${format}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), `application/${format}+xml; charset=utf-8`);
      const body = await res.text();
      parseXml(body);
      assert.doesNotMatch(body, /<script|onerror|alert\(1\)/i, 'script and event handlers are gone');

      const parsed = await readWithFeedparser(body);
      assert.equal(parsed.bozo, false, parsed.bozoException ?? undefined);
      assert.equal(parsed.entries.length, 7);
      assertEntriesAttributed(parsed.entries, 'http://feeds.test/licenses/');
      const naive = parsed.entries.find((e) => e.title === '首钢京唐二期工程进展顺利')!;
      assert.equal(naive.published, '2019-06-25T09:20:00Z', 'naive Beijing time 2019-06-25 17:20:00 is 09:20 UTC');
      const reprint = parsed.entries.find((e) => e.title === '沙钢集团 & 东北特钢:联合开展技术攻关')!;
      assert.deepEqual(reprint.authors, ['孙丽']);
      assert.equal(reprint.source?.title, '新华网');
      assert.equal(reprint.license, 'http://feeds.test/licenses/csteelnews-reprinted', 'another outlet → clause 【2】');
      const own = parsed.entries.find((e) => e.title === '鞍钢集团召开2019年上半年经济活动分析会')!;
      assert.equal(own.license, 'http://feeds.test/licenses/csteelnews-own', 'own work → clause 【1】');
      assert.match(own.rights ?? '', /需经书面授权/);
      assert.deepEqual(own.authors, ['赵强']);
      const atomItem = parsed.entries.find((e) => e.title === '华菱钢铁发布半年报预告')!;
      assert.equal(atomItem.license, 'http://feeds.test/licenses/metal-cite-source', 'rule by source id');
      assert.deepEqual(atomItem.contributors, ['周敏'], 'the editor');
    });
  }

  test('public feeds carry the full text only where the license allows it; the rest get summary, link and terms', async () => {
    const rss = await readWithRssParser(await (await get('/feeds/enterprise.rss')).text());
    const own = rss.items.find((i) => i.title === '鞍钢集团召开2019年上半年经济活动分析会')!;
    assert.equal(own['content:encoded'], undefined, 'csteelnews-own: publicContent excerpt');
    assert.match(own.content ?? '', /鞍钢集团召开2019年上半年经济活动分析会/);
    const open = rss.items.find((i) => i.title === '华菱钢铁发布半年报预告')!;
    assert.match(open['content:encoded'] ?? '', /<img src="http:\/\/metal\.example\.cn\/img\/8812\.jpg"/, 'metal-cite-source: full text');
    const json = (await (await get('/feeds/enterprise.json')).json()) as { items: Record<string, any>[] };
    const ownJson = json.items.find((i) => i.title === '鞍钢集团召开2019年上半年经济活动分析会')!;
    assert.equal(ownJson.content_html, undefined);
    assert.equal(ownJson._license.publicContent, 'excerpt');
    const atom = await (await get('/feeds/enterprise.atom')).text();
    assert.doesNotMatch(atom, /总结上半年生产经营情况/, 'the full text of an excerpt-only item appears in no format');
  });

  test('rss-parser reads the RSS feed with dc:creator, dc:rights and dc:contributor', async () => {
    const feed = await readWithRssParser(await (await get('/feeds/enterprise.rss')).text());
    assert.equal(feed.items.length, 7);
    const item = feed.items.find((i) => i.title === '华菱钢铁发布半年报预告')!;
    assert.deepEqual(item.creators, ['钱进']);
    assert.equal(item['dc:contributor'], '周敏');
    assert.match(String(item['dc:rights']), /转载须注明出处/);
  });

  test('json: JSON Feed 1.1 with authors, the attribution line and the license terms on every item', async () => {
    const res = await get('/feeds/enterprise.json');
    assert.equal(res.headers.get('content-type'), 'application/feed+json; charset=utf-8');
    const feed = (await res.json()) as { version: string; items: Record<string, any>[] };
    assertValidJsonFeed(feed);
    assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(feed.items.length, 7);
    for (const item of feed.items) {
      assert.ok(item.id && item.url && item.title);
      assert.ok(item._license.statement && item._license.url && item._license.reprint.permission, item.title);
      assert.ok(item._attribution.source.name && typeof item._attribution.line === 'string' && item._attribution.line.length > 0, item.title);
    }
    const reprint = feed.items.find((i) => i.title === '沙钢集团 & 东北特钢:联合开展技术攻关')!;
    assert.deepEqual(reprint._attribution.source, { name: '新华网', url: 'http://www.xinhuanet.com/rss', original: false });
    assert.equal(reprint._license.reprint.permission, 'written-authorization');
  });

  test('a second ingest adds no duplicates and leaves the feed bytes (and ETag) unchanged', async () => {
    const first = await get('/feeds/enterprise.atom');
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
    await service.scheduler.runNow(service.channels[0]!);
    const doc = JSON.parse(await readFile(path.join(dataDir, 'channels', 'enterprise.json'), 'utf8'));
    assert.equal(doc.items.length, 7);
    assert.deepEqual(doc.sources['steel-rss'].lastCounts, { fetched: 3, added: 0, updated: 0, unchanged: 3 });
    const second = await get('/feeds/enterprise.atom');
    assert.equal(second.headers.get('etag'), etag);
    const notModified = await get('/feeds/enterprise.atom', { 'If-None-Match': etag });
    assert.equal(notModified.status, 304);
    const since = await get('/feeds/enterprise.atom', { 'If-Modified-Since': first.headers.get('last-modified')! });
    assert.equal(since.status, 304);
  });

  test('unknown channels and formats are a 404 with a one-line message; a bad limit is a 400', async () => {
    const noChannel = await get('/feeds/nope.rss');
    assert.equal(noChannel.status, 404);
    assert.equal(await noChannel.text(), 'no channel "nope"\n');
    const noFormat = await get('/feeds/enterprise.xml');
    assert.equal(noFormat.status, 404);
    assert.match(await noFormat.text(), /^unknown feed format "xml" for channel "enterprise"; use \.rss, \.atom or \.json\n$/);
    const badLimit = await get('/feeds/enterprise.rss?limit=0');
    assert.equal(badLimit.status, 400);
    const limited = await readWithFeedparser(Buffer.from(await (await get('/feeds/enterprise.rss?limit=2')).arrayBuffer()));
    assert.equal(limited.entries.length, 2);
  });

  test('pages: index and channel page link every feed for autodiscovery; OPML lists channels; licenses serve both forms', async () => {
    const index = await (await get('/')).text();
    for (const f of ['rss', 'atom', 'json']) assert.ok(index.includes(`href="http://feeds.test/feeds/enterprise.${f}"`), f);
    assert.match(index, /<link rel="alternate" type="application\/atom\+xml"/);
    const channel = await get('/channels/enterprise');
    assert.equal(channel.status, 200);
    const html = await channel.text();
    assert.match(html, /首钢京唐二期工程进展顺利/);
    assert.match(html, /来源:《中国冶金报—中国钢铁新闻网》 作者:赵强/, 'the attribution line to print');
    const opml = await (await get('/opml.xml')).text();
    parseXml(opml);
    assert.match(opml, /xmlUrl="http:\/\/feeds\.test\/feeds\/enterprise\.rss"/);
    const license = (await (await get('/licenses/csteelnews-own.json')).json()) as { reprint: { permission: string } };
    assert.equal(license.reprint.permission, 'written-authorization');
    assert.match(await (await get('/licenses/csteelnews-own')).text(), /需经书面授权/);
    assert.equal((await get('/licenses/nope')).status, 404);
    assert.equal((await get('/healthz')).status, 200);
  });
});
