// End to end over a real HTTP server: fetch → decode → parse → normalize, for every upstream fixture.

import assert from 'node:assert/strict';
import { describe, it, after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeDocument } from '../../src/ingest/fetch/decode.js';
import { fetchDocument } from '../../src/ingest/fetch/fetcher.js';
import { canonicalLink, itemId } from '../../src/ingest/ids.js';
import { hashContent, normalizeFeed } from '../../src/ingest/normalize.js';
import { parseFeed } from '../../src/ingest/feed/parse-feed.js';
import type { Channel, FeedSource, Item } from '../../src/model.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.js';

const feedsDir = fileURLToPath(new URL('../../feeds/', import.meta.url));
const sample = (name: string) => `${feedsDir}samples/${name}`;

const channel: Channel = {
  id: 'qiye',
  title: '企业频道 > 要闻精选',
  description: '钢铁企业要闻精选',
  language: 'zh-CN',
  link: 'https://www.steel.example.cn/qiye/',
  timezone: 'Asia/Shanghai',
  schedule: '*/30 * * * *',
  license: 'own',
  licenseRules: [{ when: { original: false }, license: 'reprint' }],
  maxItems: 200,
  sources: [],
};
const source = (id: string, url: string): FeedSource => ({ id, type: 'feed', url });
const NOW = new Date('2024-05-01T00:00:00.000Z');

describe('ingest stages end to end', () => {
  let server: FixtureServer;
  before(async () => {
    server = await startFixtureServer([
      { path: '/rss.xml', file: sample('steel-enterprise.rss.xml'), headers: { 'content-type': 'application/rss+xml; charset=utf-8' } },
      { path: '/atom.xml', file: sample('steel-enterprise.atom.xml'), headers: { 'content-type': 'application/atom+xml' } },
      { path: '/gb-header.xml', file: sample('steel-enterprise.gb2312.rss.xml'), headers: { 'content-type': 'application/rss+xml; charset=GB2312' } },
      { path: '/gb-prolog.xml', file: sample('steel-enterprise.gb2312.rss.xml'), headers: { 'content-type': 'application/rss+xml' } },
      { path: '/page.html', body: '<!DOCTYPE html><html><head><meta charset="utf-8"><title>钢铁新闻</title></head><body><p>首页</p></body></html>', headers: { 'content-type': 'text/html; charset=utf-8' } },
    ]);
  });
  after(() => server.close());

  async function ingest(path: string, sourceId = 'src', now = NOW): Promise<Item[]> {
    const fetched = await fetchDocument(server.url(path), { feedsDir, timeoutMs: 5000, maxBytes: 1 << 20, userAgent: 'syndicator-test/1' });
    assert.ok(fetched.kind === 'ok');
    const { text } = decodeDocument(fetched.body, fetched.contentType);
    return normalizeFeed(await parseFeed(text), { channel, source: source(sourceId, server.url(path)), documentUrl: fetched.url, now });
  }

  describe('RSS 2.0 fixture', () => {
    let items: Item[];
    before(async () => {
      items = await ingest('/rss.xml', 'steel-rss');
    });
    const byLink = (suffix: string) => items.find((i) => i.link?.endsWith(suffix))!;

    it('gives one item per entry with the model fields', () => {
      assert.equal(items.length, 3);
      for (const item of items) {
        assert.match(item.id, /^[0-9a-f]{32}$/);
        assert.match(item.guid, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.deepEqual(item.channelIds, ['qiye']);
        assert.equal(item.sourceId, 'steel-rss');
        assert.equal(item.language, 'zh-CN');
        assert.equal(item.ingestedAt, NOW.toISOString());
        assert.equal(item.contentHash, hashContent(item));
        assert.equal(item.rights, undefined, 'the feed-level <copyright> is not an item right');
      }
    });

    it('strips the script of content:encoded and keeps the paragraphs', () => {
      const item = byLink('t20190627_15201.html');
      assert.equal(item.contentHtml, '<p>6月26日,鞍钢集团召开2019年上半年经济活动分析会,总结上半年生产经营情况,部署下半年重点工作。</p><p>会议指出,要坚持稳中求进。</p>');
      assert.equal(item.summary, '6月26日,鞍钢集团召开2019年上半年经济活动分析会。');
      assert.deepEqual(item.attribution.authors, ['赵强']);
      assert.deepEqual(item.categories, ['企业动态']);
      assert.equal(item.publishedAt, '2019-06-27T07:30:00.000Z');
      assert.equal(item.id, itemId('steel-rss', 'qiye-15201'));
      assert.deepEqual(item.attribution.source, { name: '钢铁企业要闻', url: 'http://news.example.cn/qiye/', original: true });
      assert.equal(item.licenseId, 'own');
    });

    it('reads the e-mail-form author, the <source> outlet, and licenses the reprint', () => {
      const item = byLink('t20190626_15177.html');
      assert.equal(item.title, '沙钢集团 & 东北特钢:联合开展技术攻关');
      assert.equal(item.publishedAt, '2019-06-26T08:05:00.000Z');
      assert.deepEqual(item.attribution.authors, ['孙丽']);
      assert.deepEqual(item.attribution.source, { name: '新华网', url: 'http://www.xinhuanet.com/rss', original: false });
      assert.equal(item.licenseId, 'reprint');
      assert.equal(item.contentHtml, undefined, 'a plain-text description is no HTML content');
    });

    it('gives the item without guid a stable id from its canonical link, equal across runs', async () => {
      const item = byLink('t20190626_15177.html');
      assert.equal(item.id, itemId('steel-rss', 'http://news.example.cn/qiye/201906/t20190626_15177.html'));
      const again = await ingest('/rss.xml', 'steel-rss', new Date('2024-06-01T00:00:00.000Z'));
      assert.deepEqual(again.map((i) => [i.id, i.guid, i.contentHash]), items.map((i) => [i.id, i.guid, i.contentHash]));
    });

    it('reads the naive pubDate as Beijing time', () => {
      const item = byLink('t20190625_15160.html');
      assert.equal(item.publishedAt, '2019-06-25T09:20:00.000Z');
      assert.equal(item.updatedAt, '2019-06-25T09:20:00.000Z');
      assert.deepEqual(item.attribution.authors, []);
    });
  });

  describe('Atom fixture', () => {
    let items: Item[];
    before(async () => {
      items = await ingest('/atom.xml', 'metal-atom');
    });

    it('decodes the html title to plain text and keeps author, editor, rights and the image', () => {
      const item = items.find((i) => i.link === 'http://metal.example.cn/qiye/8812.html')!;
      assert.equal(item.title, '华菱钢铁发布半年报预告');
      assert.deepEqual(item.attribution.authors, ['钱进']);
      assert.equal(item.attribution.editor, '周敏');
      assert.equal(item.rights, '本文由华菱钢铁供稿,转载须注明出处');
      assert.equal(item.contentHtml, '<p>华菱钢铁预计上半年净利润同比增长。</p><img src="http://metal.example.cn/img/8812.jpg" />');
      assert.doesNotMatch(item.contentHtml ?? '', /onerror/);
      assert.equal(item.publishedAt, '2019-06-28T00:30:00.000Z');
      assert.equal(item.updatedAt, '2019-06-28T00:45:00.000Z');
      assert.deepEqual(item.attribution.source, { name: '冶金企业动态', url: 'http://metal.example.cn/qiye/', original: true });
      assert.equal(item.id, itemId('metal-atom', 'tag:metal.example.cn,2019:/qiye/8812'));
    });

    it('entry 8799: no publishedAt, updatedAt from <updated>, the feed author inherited', () => {
      const item = items.find((i) => i.link === 'http://metal.example.cn/qiye/8799.html')!;
      assert.equal(item.publishedAt, undefined);
      assert.ok(!('publishedAt' in item));
      assert.equal(item.updatedAt, '2019-06-27T12:00:00.000Z');
      assert.deepEqual(item.attribution.authors, ['冶金企业动态编辑部']);
      assert.equal(item.summary, '日照基地全面投产。');
      assert.equal(item.rights, undefined);
    });
  });

  for (const [what, path] of [['charset in the HTTP header', '/gb-header.xml'], ['charset only in the XML prolog', '/gb-prolog.xml']] as const) {
    it(`GB2312 feed, ${what}: correct Chinese, author from the 作者 label`, async () => {
      const [item, ...rest] = await ingest(path);
      assert.equal(rest.length, 0);
      assert.equal(item?.title, '宝钢股份“十四五”规划编制启动');
      assert.equal(item?.summary, '宝钢股份启动规划编制工作,作者:吴刚。');
      assert.deepEqual(item?.attribution.authors, ['吴刚']);
      assert.equal(item?.publishedAt, '2019-06-24T02:00:00.000Z');
      assert.deepEqual(item?.attribution.source, { name: '冶金报企业新闻', url: 'http://gbk.example.cn/', original: true });
      assert.equal(item?.language, 'zh-CN', 'no feed language: the channel language');
    });
  }

  it('refuses an HTML page served instead of a feed', async () => {
    await assert.rejects(ingest('/page.html'), { name: 'ParseError', message: 'parse-feed: not an RSS, Atom or JSON Feed document (root element <html>)' });
  });
});

describe('normalizeFeed details', () => {
  const ctx = { channel, source: source('s', 'x.xml'), documentUrl: 'http://up.example.cn/feeds/x.xml', now: NOW };
  const entry = { titleIsHtml: false, authors: [], contributors: [], categories: [] };

  it('resolves relative links against the document URL, keeping the #anchor that tells entries on one page apart', () => {
    const items = normalizeFeed(
      { kind: 'rss', authors: [], entries: [{ ...entry, title: 'a', link: '../a/1.html#109424958' }, { ...entry, title: 'b', link: '../a/1.html#109405270' }] },
      ctx,
    );
    assert.deepEqual(items.map((i) => i.link), ['http://up.example.cn/a/1.html#109424958', 'http://up.example.cn/a/1.html#109405270']);
    assert.equal(items[0]?.id, itemId('s', 'http://up.example.cn/a/1.html#109424958'));
    assert.notEqual(items[0]?.id, items[1]?.id, 'two diary entries of one page are two items');
  });

  it('resolves against the upstream channel link for a local file', () => {
    const local = { ...ctx, documentUrl: 'file:///srv/feeds/samples/x.xml' };
    const [item] = normalizeFeed({ kind: 'rss', link: 'http://up.example.cn/news/', authors: [], entries: [{ ...entry, title: 'a', link: '1.html', contentHtml: '<img src="img/1.png">' }] }, local);
    assert.equal(item?.link, 'http://up.example.cn/news/1.html');
    assert.equal(item?.contentHtml, '<img src="http://up.example.cn/news/img/1.png" />');
  });

  it('falls back to title and date for the id of an entry with neither guid nor link, and gives it no link', () => {
    const feed = { kind: 'rss' as const, link: 'http://up.example.cn/', authors: [], entries: [{ ...entry, title: '无链接', published: '2019-06-28 16:42' }] };
    const [item] = normalizeFeed(feed, ctx);
    assert.equal(item?.link, undefined);
    assert.equal(item?.id, normalizeFeed(feed, { ...ctx, now: new Date() })[0]?.id);
  });

  it('never invents a link from a javascript: URL', () => {
    const [item] = normalizeFeed({ kind: 'rss', authors: [], entries: [{ ...entry, title: 'x', link: 'javascript:alert(1)' }] }, ctx);
    assert.equal(item?.link, undefined);
  });

  it('uses the description as content when it is HTML, truncates the summary, dedupes authors', () => {
    const long = '钢'.repeat(300);
    const [item] = normalizeFeed(
      { kind: 'rss', authors: [], entries: [{ ...entry, guid: 'g', title: 't', summary: `<p>${long}</p><script>x</script>`, authors: [' 张三 ', '张三', '李四'], contributors: ['王五', '赵六'] }] },
      ctx,
    );
    assert.equal(item?.contentHtml, `<p>${long}</p>`);
    assert.equal(item?.summary, `${'钢'.repeat(199)}…`);
    assert.deepEqual(item?.attribution.authors, ['张三', '李四']);
    assert.equal(item?.attribution.editor, '王五');
  });

  it('derives the plain-text summary from the content when the upstream gives no description', () => {
    const [item] = normalizeFeed(
      { kind: 'rss', authors: [], entries: [{ ...entry, guid: 'g', title: 't', contentHtml: '<p>7月10日，中国宝武召开扶贫工作推进会。</p><p>会议部署了下半年扶贫工作。</p>' }] },
      ctx,
    );
    assert.equal(item?.summary, '7月10日，中国宝武召开扶贫工作推进会。 会议部署了下半年扶贫工作。');
  });

  it('uses the configured outlet, the source time zone, and updatedAt = now when no date is known', () => {
    const configured = { ...ctx, source: { ...source('s', 'x.xml'), outlet: { name: '钢铁网', url: 'https://steel.example.cn/' }, timezone: 'Europe/Berlin' } };
    const [dated, undated] = normalizeFeed({ kind: 'rss', title: '上游', authors: [], entries: [{ ...entry, guid: '1', title: 'a', published: '2021-07-01 12:00' }, { ...entry, guid: '2', title: 'b' }] }, configured);
    assert.deepEqual(dated?.attribution.source, { name: '钢铁网', url: 'https://steel.example.cn/', original: true });
    assert.equal(dated?.publishedAt, '2021-07-01T10:00:00.000Z');
    assert.equal(undated?.publishedAt, undefined);
    assert.equal(undated?.updatedAt, NOW.toISOString());
  });

  it('drops a repeated entry', () => {
    const items = normalizeFeed({ kind: 'rss', authors: [], entries: [{ ...entry, guid: 'same', title: 'a' }, { ...entry, guid: 'same', title: 'b' }] }, ctx);
    assert.deepEqual(items.map((i) => i.title), ['a']);
  });

  it('changes the content hash when a visible field changes, not otherwise', () => {
    const [a] = normalizeFeed({ kind: 'rss', authors: [], entries: [{ ...entry, guid: 'g', title: 'a' }] }, ctx);
    const [b] = normalizeFeed({ kind: 'rss', authors: [], entries: [{ ...entry, guid: 'g', title: 'a' }] }, { ...ctx, now: new Date() });
    const [c] = normalizeFeed({ kind: 'rss', authors: [], entries: [{ ...entry, guid: 'g', title: 'a', rights: '转载须注明' }] }, ctx);
    assert.equal(a?.contentHash, b?.contentHash);
    assert.notEqual(a?.contentHash, c?.contentHash);
    assert.equal(canonicalLink('HTTP://Up.Example.cn/a#b'), 'http://up.example.cn/a');
  });
});
