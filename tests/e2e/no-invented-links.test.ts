// No invented links: upstream entries without a link are served over real HTTP, ingested into a
// lowdb store on disk, rendered in every format and read back by rss-parser and python3-feedparser.
// They have no link anywhere, keep the same ids on every ingest, and are neither merged with each
// other nor with a link-less entry of another source on the same home page. `syndicator preview`
// of a local file leaves relative links as written unless --base-url says where the file lives.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { load } from 'cheerio';
import { loadFeeds } from '../../src/config/channels.js';
import { USER_AGENT } from '../../src/config/env.js';
import { channelPage } from '../../src/http/pages.js';
import { refreshChannel } from '../../src/ingest/refresh.js';
import { silentLogger } from '../helpers/log.js';
import type { Channel, Item, License } from '../../src/model.js';
import { formats } from '../../src/render/index.js';
import { FileStore } from '../../src/store/files/file-store.js';
import { readWithFeedparser, readWithRssParser } from '../helpers/feed-clients.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';
import { assertValidJsonFeed } from '../helpers/jsonfeed.js';
import { runSyndicator } from '../helpers/spawn.js';
import { copyLicense, FEEDS_DIR, ROOT, tempDir } from '../helpers/temp.js';

const FIXTURES = path.join(ROOT, 'tests/fixtures/feeds');
const LINKLESS = ['无链接快讯一：钢材价格小幅上涨', '无链接快讯二：铁矿石到港量回落', '另一来源的无链接短讯'];
const LINKED = '宝武发布半年报';
const BASE_URL = 'http://127.0.0.1:8080';

describe('entries without a link: ingest → store → RSS, Atom, JSON Feed → real readers', () => {
  let server: FixtureServer;
  let channel: Channel;
  let licenses: Map<string, License>;
  let first: Item[];
  let again: Item[];
  let fresh: Item[];
  const disposers: (() => Promise<unknown>)[] = [];

  const ingestInto = async (dataDir: string, runs: number): Promise<Item[]> => {
    const store = await FileStore.open(dataDir, [channel.id]);
    try {
      for (let i = 0; i < runs; i += 1) {
        const report = await refreshChannel(channel, store, { feedsDir: FEEDS_DIR, fetchTimeoutMs: 5000, maxBodyBytes: 1 << 20, userAgent: USER_AGENT, log: silentLogger(), force: true });
        assert.deepEqual(report.sources.map((s) => s.error), [undefined, undefined]);
      }
      return [...store.items(channel.id)];
    } finally {
      await store.close();
    }
  };

  before(async () => {
    server = await startFixtureServer([
      { path: '/flash.xml', file: path.join(FIXTURES, 'linkless.rss.xml'), headers: { 'content-type': 'application/rss+xml; charset=utf-8' } },
      { path: '/other.xml', file: path.join(FIXTURES, 'other-linkless.atom.xml'), headers: { 'content-type': 'application/atom+xml; charset=utf-8' } },
    ]);
    disposers.push(() => server.close());
    const feeds = await tempDir('syndicator-linkless-feeds-');
    disposers.push(feeds.dispose);
    await copyLicense(feeds.dir);
    await writeFile(
      path.join(feeds.dir, 'flash.json'),
      JSON.stringify({
        id: 'flash',
        title: '快讯',
        description: '没有链接的快讯',
        language: 'zh-CN',
        link: 'http://www.example.com/channel-home/',
        schedule: '*/30 * * * *',
        license: 'csteelnews-own',
        sources: [
          { id: 'flash', type: 'feed', url: server.url('/flash.xml') },
          { id: 'other', type: 'feed', url: server.url('/other.xml') },
        ],
      }),
    );
    const loaded = await loadFeeds(feeds.dir);
    assert.deepEqual(loaded.problems, []);
    channel = loaded.channels[0]!;
    licenses = loaded.licenses;

    const dataA = await tempDir('syndicator-linkless-a-');
    const dataB = await tempDir('syndicator-linkless-b-');
    disposers.push(dataA.dispose, dataB.dispose);
    first = await ingestInto(dataA.dir, 1);
    again = await ingestInto(dataA.dir, 1);
    fresh = await ingestInto(dataB.dir, 1);
  });

  after(async () => {
    for (const dispose of disposers.reverse()) await dispose();
  });

  const byTitle = (items: readonly Item[], title: string) => items.find((i) => i.title === title);

  it('stores every entry: the two link-less ones, the linked one and the other source’s link-less one', () => {
    assert.deepEqual(first.map((i) => i.title).sort(), [...LINKLESS, LINKED].sort());
    for (const title of LINKLESS) assert.equal(byTitle(first, title)!.link, undefined, title);
    assert.equal(byTitle(first, LINKED)!.link, 'http://up.example.cn/news/2024/07/103.html');
    assert.equal(byTitle(first, LINKLESS[2]!)!.sourceId, 'other');
  });

  it('gives distinct ids that are the same on a second ingest and in another store', () => {
    assert.equal(new Set(first.map((i) => i.id)).size, 4);
    assert.equal(new Set(first.map((i) => i.guid)).size, 4);
    const ids = (items: readonly Item[]) => Object.fromEntries(items.map((i) => [i.title, i.id]));
    assert.deepEqual(ids(again), ids(first));
    assert.deepEqual(ids(fresh), ids(first));
  });

  it('RSS: no <link> for the link-less items, read so by rss-parser and feedparser', async () => {
    const doc = formats.rss.render(channel, first, { baseUrl: BASE_URL, now: new Date(), licenses });
    const itemsWithLink = [...doc.matchAll(/<item>[\s\S]*?<\/item>/g)].filter((m) => m[0].includes('<link>'));
    assert.equal(itemsWithLink.length, 1);
    const rss = await readWithRssParser(doc);
    const fp = await readWithFeedparser(doc);
    assert.equal(fp.bozo, false, fp.bozoException ?? '');
    for (const title of LINKLESS) {
      assert.equal(rss.items.find((i) => i.title === title)?.link, undefined, title);
      assert.equal(fp.entries.find((e) => e.title === title)?.link, null, title);
    }
    assert.equal(rss.items.find((i) => i.title === LINKED)?.link, 'http://up.example.cn/news/2024/07/103.html');
    assert.equal(fp.entries.find((e) => e.title === LINKED)?.link, 'http://up.example.cn/news/2024/07/103.html');
    assert.deepEqual(new Set(fp.entries.map((e) => e.id)), new Set(first.map((i) => i.guid)));
  });

  it('Atom: a valid entry with id and title but no alternate link, read so by rss-parser and feedparser', async () => {
    const doc = formats.atom.render(channel, first, { baseUrl: BASE_URL, now: new Date(), licenses });
    assert.doesNotMatch(doc, /<link\/>|href="undefined"/);
    const rss = await readWithRssParser(doc);
    const fp = await readWithFeedparser(doc);
    assert.equal(fp.bozo, false, fp.bozoException ?? '');
    assert.equal(fp.version, 'atom10');
    for (const title of LINKLESS) {
      // rss-parser takes an Atom entry's first link of any rel when it has no alternate one
      // (lib/utils.js getLink); the only link left on these entries is the RFC 4946 license link, so
      // that, and neither the channel's nor the upstream's home page, is what it reports.
      assert.equal(rss.items.find((i) => i.title === title)?.link, `${BASE_URL}/licenses/csteelnews-own`, title);
      // feedparser reads an Atom <id> as a permalink guid (namespaces/_base.py, _start_guid) and
      // reports it as the link of an entry without one: our urn:uuid id, no web address.
      const entry = fp.entries.find((e) => e.title === title);
      assert.equal(entry?.id, byTitle(first, title)!.guid, title);
      assert.equal(entry?.link, entry?.id, title);
    }
    assert.equal(fp.entries.find((e) => e.title === LINKED)?.link, 'http://up.example.cn/news/2024/07/103.html');
  });

  it('JSON Feed: no url or external_url for the link-less items, and still a valid feed', () => {
    const doc = JSON.parse(formats.json.render(channel, first, { baseUrl: BASE_URL, now: new Date(), licenses })) as { items: Record<string, unknown>[] };
    assertValidJsonFeed(doc);
    for (const title of LINKLESS) {
      const item = doc.items.find((i) => i.title === title)!;
      assert.equal('url' in item, false, title);
      assert.equal('external_url' in item, false, title);
    }
    assert.equal(doc.items.find((i) => i.title === LINKED)!.url, 'http://up.example.cn/news/2024/07/103.html');
  });

  it('channel page: the link-less items are listed by title, with no link of their own', () => {
    const $ = load(channelPage(channel, first, { baseUrl: BASE_URL, licenses }));
    const cards = $('li.card').toArray().map((li) => ({ title: $(li).find('strong').first().text(), href: $(li).find('strong').first().parent('a').attr('href') }));
    assert.deepEqual(cards.map((c) => c.title).sort(), [...LINKLESS, LINKED].sort());
    for (const title of LINKLESS) assert.equal(cards.find((c) => c.title === title)!.href, undefined, title);
    assert.equal(cards.find((c) => c.title === LINKED)!.href, 'http://up.example.cn/news/2024/07/103.html');
  });
});

describe('syndicator preview of a local feed with relative links', () => {
  const file = path.join(FIXTURES, 'relative-links.rss.xml');
  const links = (stdout: string) => (JSON.parse(stdout) as { title: string; link: string | null }[]).map((i) => i.link);

  it('without --channel or --base-url: links stay as written, nothing points at localhost', async () => {
    const r = await runSyndicator(['preview', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /localhost/);
    assert.deepEqual(links(r.stdout), ['articles/1.html', '/news/2.html']);
  });

  it('with --base-url: links resolve against it', async () => {
    const r = await runSyndicator(['preview', file, '--base-url', 'http://www.example.cn/feeds/rss.xml']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(links(r.stdout), ['http://www.example.cn/feeds/articles/1.html', 'http://www.example.cn/news/2.html']);
  });

  it('an entry without a link shows "link": null; a bad --base-url is a usage error', async () => {
    const r = await runSyndicator(['preview', path.join(FIXTURES, 'linkless.rss.xml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(links(r.stdout), [null, null, 'http://up.example.cn/news/2024/07/103.html']);
    const bad = await runSyndicator(['preview', file, '--base-url', 'feeds/rss.xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--base-url must be an absolute http\(s\) URL, got "feeds\/rss\.xml"/);
  });
});
