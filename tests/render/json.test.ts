import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPRINT_NS, attributionLine, formats } from '../../src/render/index.js';
import { assertValidJsonFeed, validateJsonFeed as validate } from '../helpers/jsonfeed.js';
import * as fx from '../helpers/render-fixtures.js';

const json = formats.json;

const assertValid = assertValidJsonFeed;

type Json = Record<string, any>;

function render(items = fx.items()): Json {
  return JSON.parse(json.render(fx.channel(), items, fx.ctx())) as Json;
}

function itemOf(feed: Json, guid: string): Json {
  const found = (feed.items as Json[]).find((i) => i.id === guid);
  assert.ok(found, `no item with id ${guid}`);
  return found;
}

describe('JSON Feed 1.1 renderer', () => {
  it('is registered with its extension and media type', () => {
    assert.equal(json.id, 'json');
    assert.equal(json.extension, 'json');
    assert.equal(json.contentType, 'application/feed+json; charset=utf-8');
  });

  it('validates against the JSON Feed 1.1 schema, including the hostile item and no items', () => {
    for (const items of [fx.items(), [fx.hostileItem()], []]) assertValid(render(items));
  });

  it('the schema rejects what JSON Feed 1.1 forbids', () => {
    const good = render();
    const broken: Array<[string, (f: Json) => void]> = [
      ['no version', (f) => delete f.version],
      ['version 1.0', (f) => (f.version = 'https://jsonfeed.org/version/1')],
      ['no title', (f) => delete f.title],
      ['no items', (f) => delete f.items],
      ['item without id', (f) => delete f.items[0].id],
      ['item without content', (f) => delete f.items[0].content_html],
      ['extension key without _', (f) => (f.license = {})],
      ['extension key _ then digit', (f) => (f.items[0]._1 = {})],
      ['extension that is not an object', (f) => (f.items[0]._x = 'text')],
      ['empty author', (f) => (f.items[0].authors = [{}])],
      ['bad date', (f) => (f.items[0].date_modified = '12 Jul 2019')],
    ];
    for (const [what, mutate] of broken) {
      const doc = structuredClone(good);
      mutate(doc);
      assert.equal(validate(doc), false, what);
    }
  });

  it('describes the feed: version, title, home page, feed URL, description, language, default license', () => {
    const feed = render();
    assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(feed.title, fx.channel().title);
    assert.equal(feed.home_page_url, fx.channel().link);
    assert.equal(feed.feed_url, `${fx.BASE_URL}/feeds/qiye-yaowen.json`);
    assert.equal(feed.description, fx.channel().description);
    assert.equal(feed.language, 'zh-CN');
    assert.equal(feed._license.statement, fx.ownLicense().statement);
    assert.equal(feed._license.url, `${fx.BASE_URL}/licenses/csteelnews-own`);
    assert.equal(feed._license.about, REPRINT_NS);
  });

  it('keeps the given item order', () => {
    assert.deepEqual(
      (render().items as Json[]).map((i) => i.id),
      fx.items().map((i) => i.guid),
    );
  });

  it('maps id, url, external_url, title, content, summary, dates, tags and language', () => {
    const full = fx.fullItem();
    const item = itemOf(render(), full.guid);
    assert.equal(item.url, full.link);
    assert.equal(item.external_url, full.link);
    assert.equal(item.title, full.title);
    assert.equal(item.content_html, full.contentHtml);
    assert.equal(item.summary, full.summary);
    assert.equal(item.date_published, full.publishedAt);
    assert.equal(item.date_modified, full.updatedAt);
    assert.deepEqual(item.tags, ['企业频道', '要闻精选']);
    assert.equal(item.language, 'zh-CN');
  });

  it('maps authors to authors[].name and keeps editor and source in _attribution', () => {
    const full = fx.fullItem();
    const item = itemOf(render(), full.guid);
    assert.deepEqual(item.authors, [{ name: '李明' }, { name: '王芳' }]);
    assert.deepEqual(item._attribution, {
      about: REPRINT_NS,
      authors: ['李明', '王芳'],
      editor: '张伟',
      source: { name: '河北日报', url: 'https://hbrb.example/', original: false },
      line: attributionLine(full, fx.reprintedLicense(), 'Asia/Shanghai'),
    });
  });

  it('maps rights, license URL, reprint terms and upstream rights to _license', () => {
    const item = itemOf(render(), fx.fullItem().guid);
    assert.deepEqual(item._license, {
      about: REPRINT_NS,
      id: 'csteelnews-reprinted',
      title: '中国钢铁新闻网版权说明【2】',
      holder: '原作者及原发媒体',
      statement: fx.reprintedLicense().statement,
      url: 'https://creativecommons.org/licenses/by-nc-nd/4.0/',
      publicContent: 'full',
      reprint: { permission: 'attribution' },
      upstreamRights: '版权归河北日报所有',
    });
    const bare = itemOf(render(), fx.bareItem().guid);
    assert.equal(bare._license.url, `${fx.BASE_URL}/licenses/csteelnews-own`);
    assert.deepEqual(bare._license.reprint, {
      permission: 'written-authorization',
      attributionTemplate: fx.ownLicense().reprint.attributionTemplate,
      contact: 'copyright@csteelnews.example',
    });
    assert.equal(bare._license.publicContent, 'excerpt');
    assert.equal('upstreamRights' in bare._license, false);
  });

  it('gives an item without authors no authors at all (never the outlet), and an empty _attribution.authors', () => {
    const bare = fx.bareItem();
    const item = itemOf(render(), bare.guid);
    assert.equal('authors' in item, false);
    assert.deepEqual(item._attribution.authors, []);
    assert.equal('editor' in item._attribution, false);
    assert.deepEqual(item._attribution.source, { name: '中国钢铁新闻网', original: true });
    assert.equal('date_published' in item, false);
    assert.equal(item.date_modified, bare.updatedAt);
    assert.equal('content_html' in item, false);
    assert.equal(item.content_text, bare.summary);
    assert.equal(item._attribution.line, `来源:中国钢铁新闻网 原文:${bare.link}`);
  });

  it('carries hostile text exactly, minus the characters XML 1.0 cannot hold', () => {
    const item = itemOf(render(), fx.hostileItem().guid);
    assert.equal(item.title, 'Bell & <tag> ]]> “quoted”  end');
    assert.equal(item.summary, 'Summary with <b>not markup</b> &  control');
    assert.equal(item.content_html, '<p>one ]]> two ]]> three &amp; <a href="https://x.example/?a=1&amp;b=2">link</a></p>');
    assert.deepEqual(item.tags, ['R&D <lab>', 'A&amp;B']);
    assert.deepEqual(item._attribution.source, {
      name: 'AT&T <News> ]]>',
      url: 'https://news.example/path?a=1&b=%3C2%3E',
      original: false,
    });
    assert.equal(item._license.url, 'https://licenses.example/terms?a=1&b=%3C2%3E');
    assert.equal(item._license.upstreamRights, '© AT&T <2019>');
  });
});
