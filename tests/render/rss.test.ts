import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPRINT_NS, attributionLine, formats } from '../../src/render/index.js';
import {
  ATOM_NS,
  CC_NS,
  CONTENT_NS,
  DCTERMS_NS,
  DC_NS,
  RSS_NAMESPACES,
} from '../../src/render/namespaces.js';
import * as fx from '../helpers/render-fixtures.js';
import { type XmlElement, attr, childNamed, childrenNamed, only, parseXml, textOf } from '../helpers/xml.js';
import { assertEntriesAttributed, readWithFeedparser, readWithRssParser } from '../helpers/feed-clients.js';

const rss = formats.rss;

function render(items = fx.items()): string {
  return rss.render(fx.channel(), items, fx.ctx());
}

function channelOf(doc: string): XmlElement {
  return only(parseXml(doc), '', 'channel');
}

/** The <item> whose guid is `guid`. */
function itemOf(doc: string, guid: string): XmlElement {
  const found = childrenNamed(channelOf(doc), '', 'item').find((i) => textOf(i, '', 'guid') === guid);
  assert.ok(found, `no item with guid ${guid}`);
  return found;
}

const texts = (el: XmlElement, uri: string, local: string): string[] => childrenNamed(el, uri, local).map((c) => c.text);

describe('RSS 2.0 renderer', () => {
  it('is registered with its extension and media type', () => {
    assert.equal(rss.id, 'rss');
    assert.equal(rss.extension, 'rss');
    assert.equal(rss.contentType, 'application/rss+xml; charset=utf-8');
  });

  it('produces strict, namespace-well-formed XML 1.0, including for the hostile item and for no items', () => {
    for (const items of [fx.items(), [fx.hostileItem()], []]) {
      const root = parseXml(render(items));
      assert.equal(root.name, 'rss');
      assert.equal(attr(root, 'version'), '2.0');
    }
  });

  it('declares every namespace once, on the root', () => {
    const doc = render();
    const root = parseXml(doc);
    for (const [prefix, uri] of Object.entries(RSS_NAMESPACES)) {
      assert.equal(root.attributes[`xmlns:${prefix}`]?.value, uri, prefix);
      assert.equal(doc.split(`xmlns:${prefix}=`).length - 1, 1, `xmlns:${prefix} declared once`);
    }
    assert.equal(RSS_NAMESPACES.reprint, REPRINT_NS);
  });

  it('describes the channel: title, link to the publisher page, language, generator, docs, self link', () => {
    const ch = channelOf(render());
    const c = fx.channel();
    assert.equal(textOf(ch, '', 'title'), c.title);
    assert.equal(textOf(ch, '', 'link'), c.link);
    assert.equal(textOf(ch, '', 'description'), c.description);
    assert.equal(textOf(ch, '', 'language'), 'zh-CN');
    assert.equal(textOf(ch, '', 'generator'), 'Syndicator');
    assert.match(textOf(ch, '', 'docs'), /^https:\/\/www\.rssboard\.org\//);
    const self = only(ch, ATOM_NS, 'link');
    assert.equal(attr(self, 'rel'), 'self');
    assert.equal(attr(self, 'href'), `${fx.BASE_URL}/feeds/qiye-yaowen.rss`);
    assert.equal(attr(self, 'type'), 'application/rss+xml');
  });

  it('states the default license on the channel: <copyright> and creativeCommons:license', () => {
    const ch = channelOf(render());
    assert.equal(textOf(ch, '', 'copyright'), fx.ownLicense().statement);
    assert.equal(textOf(ch, CC_NS, 'license'), `${fx.BASE_URL}/licenses/csteelnews-own`);
  });

  it('dates the channel by its newest item, not by ctx.now; by ctx.now only when empty', () => {
    assert.equal(textOf(channelOf(render()), '', 'lastBuildDate'), 'Fri, 12 Jul 2019 02:00:00 GMT');
    assert.equal(textOf(channelOf(render([])), '', 'lastBuildDate'), new Date(fx.NOW).toUTCString());
  });

  it('keeps the given item order', () => {
    const guids = childrenNamed(channelOf(render()), '', 'item').map((i) => textOf(i, '', 'guid'));
    assert.deepEqual(
      guids,
      fx.items().map((i) => i.guid),
    );
  });

  it('maps guid, link, dates, description, content and categories', () => {
    const full = fx.fullItem();
    const el = itemOf(render(), full.guid);
    assert.equal(attr(only(el, '', 'guid'), 'isPermaLink'), 'false');
    assert.equal(textOf(el, '', 'title'), full.title);
    assert.equal(textOf(el, '', 'link'), full.link);
    assert.equal(textOf(el, '', 'pubDate'), 'Fri, 12 Jul 2019 01:30:00 GMT');
    assert.equal(textOf(el, DCTERMS_NS, 'modified'), full.updatedAt);
    assert.equal(textOf(el, '', 'description'), full.summary);
    assert.equal(textOf(el, CONTENT_NS, 'encoded'), full.contentHtml);
    assert.deepEqual(texts(el, '', 'category'), ['企业频道', '要闻精选']);
  });

  it('credits all authors in one dc:creator (readers keep only one of several) and never a bare <author>', () => {
    const el = itemOf(render(), fx.fullItem().guid);
    assert.deepEqual(texts(el, DC_NS, 'creator'), ['李明、王芳']);
    for (const item of childrenNamed(channelOf(render()), '', 'item')) assert.equal(childNamed(item, '', 'author'), undefined);
  });

  it('maps the editor to dc:contributor', () => {
    assert.deepEqual(texts(itemOf(render(), fx.fullItem().guid), DC_NS, 'contributor'), ['张伟']);
    assert.deepEqual(texts(itemOf(render(), fx.bareItem().guid), DC_NS, 'contributor'), []);
  });

  it('names the source outlet in <source url>', () => {
    const source = only(itemOf(render(), fx.fullItem().guid), '', 'source');
    assert.equal(source.text, '河北日报');
    assert.equal(attr(source, 'url'), 'https://hbrb.example/');
  });

  it('maps rights text, license URL, reprint terms, attribution line and upstream rights', () => {
    const full = fx.fullItem();
    const el = itemOf(render(), full.guid);
    assert.equal(textOf(el, DC_NS, 'rights'), fx.reprintedLicense().statement);
    assert.equal(textOf(el, CC_NS, 'license'), 'https://creativecommons.org/licenses/by-nc-nd/4.0/');
    const terms = only(el, REPRINT_NS, 'terms');
    assert.equal(attr(terms, 'permission'), 'attribution');
    assert.equal(attr(terms, 'publicContent'), 'full');
    assert.equal(attr(terms, 'license'), 'https://creativecommons.org/licenses/by-nc-nd/4.0/');
    assert.equal(attr(terms, 'licenseId'), 'csteelnews-reprinted');
    assert.equal(textOf(terms, REPRINT_NS, 'holder'), '原作者及原发媒体');
    assert.equal(childNamed(terms, REPRINT_NS, 'contact'), undefined);
    assert.equal(childNamed(terms, REPRINT_NS, 'template'), undefined);
    assert.equal(textOf(el, REPRINT_NS, 'attribution'), attributionLine(full, fx.reprintedLicense(), 'Asia/Shanghai'));
    assert.equal(textOf(el, REPRINT_NS, 'attribution'), `河北日报 · 李明、王芳 · ${full.link}`);
    assert.equal(textOf(el, REPRINT_NS, 'upstreamRights'), '版权归河北日报所有');
  });

  it('serves the license page URL, contact and template when the license has no URL of its own', () => {
    const el = itemOf(render(), fx.bareItem().guid);
    assert.equal(textOf(el, CC_NS, 'license'), `${fx.BASE_URL}/licenses/csteelnews-own`);
    const terms = only(el, REPRINT_NS, 'terms');
    assert.equal(attr(terms, 'permission'), 'written-authorization');
    assert.equal(attr(terms, 'publicContent'), 'excerpt');
    assert.equal(textOf(terms, REPRINT_NS, 'contact'), 'copyright@csteelnews.example');
    assert.equal(textOf(terms, REPRINT_NS, 'template'), fx.ownLicense().reprint.attributionTemplate);
    assert.equal(textOf(el, REPRINT_NS, 'attribution'), `来源:中国钢铁新闻网 原文:${fx.bareItem().link}`);
    assert.equal(childNamed(el, REPRINT_NS, 'upstreamRights'), undefined);
  });

  it('gives an item without authors or date no dc:creator (never the outlet), the link as source url, no pubDate', () => {
    const bare = fx.bareItem();
    const el = itemOf(render(), bare.guid);
    assert.deepEqual(texts(el, DC_NS, 'creator'), []);
    assert.equal(attr(only(el, '', 'source'), 'url'), bare.link);
    assert.equal(childNamed(el, '', 'pubDate'), undefined);
    assert.equal(textOf(el, DCTERMS_NS, 'modified'), bare.updatedAt);
  });

  it('carries hostile text exactly, minus the characters XML 1.0 cannot hold', () => {
    const hostile = fx.hostileItem();
    const el = itemOf(render(), hostile.guid);
    assert.equal(textOf(el, '', 'title'), 'Bell & <tag> ]]> “quoted”  end');
    // description is HTML for RSS readers; the escaped plain text reads back as the summary.
    assert.equal(textOf(el, '', 'description'), 'Summary with &lt;b&gt;not markup&lt;/b&gt; &amp;  control');
    assert.equal(
      textOf(el, CONTENT_NS, 'encoded'),
      '<p>one ]]> two ]]> three &amp; <a href="https://x.example/?a=1&amp;b=2">link</a></p>',
    );
    assert.equal(textOf(el, '', 'link'), 'https://www.csteelnews.example/a?x=1&y=2');
    assert.deepEqual(texts(el, '', 'category'), ['R&D <lab>', 'A&amp;B']);
    assert.deepEqual(texts(el, DC_NS, 'creator'), ['Tom & <Jerry>']);
    assert.deepEqual(texts(el, DC_NS, 'contributor'), ['Ed "itor"']);
    const source = only(el, '', 'source');
    assert.equal(source.text, 'AT&T <News> ]]>');
    assert.equal(attr(source, 'url'), 'https://news.example/path?a=1&b=%3C2%3E');
    assert.equal(textOf(el, CC_NS, 'license'), 'https://licenses.example/terms?a=1&b=%3C2%3E');
    assert.equal(textOf(el, DC_NS, 'rights'), 'Reprint ]]> only with <b>permission</b> & credit');
    assert.equal(textOf(el, REPRINT_NS, 'upstreamRights'), '© AT&T <2019>');
    assert.equal(textOf(only(el, REPRINT_NS, 'terms'), REPRINT_NS, 'contact'), 'legal@example.com?subject=a&b');
  });

  it('reads back in rss-parser', async () => {
    const feed = await readWithRssParser(render());
    assert.equal(feed.title, fx.channel().title);
    const [full, bare, hostile] = feed.items;
    assert.ok(full && bare && hostile);
    assert.equal(full.title, '中国宝武部署下半年扶贫工作');
    assert.equal(full.link, fx.fullItem().link);
    assert.equal(full.guid, fx.fullItem().guid);
    assert.equal(full.isoDate, fx.fullItem().publishedAt);
    assert.deepEqual(full.creators, ['李明、王芳']);
    assert.equal(full['content:encoded'], fx.fullItem().contentHtml);
    assert.deepEqual(full.categories, ['企业频道', '要闻精选']);
    assert.equal(full.rights, fx.reprintedLicense().statement);
    assert.equal(full.author, undefined);
    assert.equal(bare.creator, undefined);
    assert.equal(bare.isoDate, undefined);
    assert.equal(hostile.title, 'Bell & <tag> ]]> “quoted”  end');
  });

  it('reads back in feedparser: title, link, a date, rights, license and source on every item; every author, never the outlet', async () => {
    const out = await readWithFeedparser(render());
    assert.equal(out.bozo, false, out.bozoException ?? '');
    assert.equal(out.version, 'rss20');
    assert.equal(out.feed.rights, fx.ownLicense().statement);
    assert.equal(out.feed.license, `${fx.BASE_URL}/licenses/csteelnews-own`);
    assert.equal(out.entries.length, 3);
    assertEntriesAttributed(out.entries);
    const [full, bare] = out.entries;
    assert.deepEqual(full?.authors, ['李明、王芳']);
    assert.deepEqual(full?.contributors, ['张伟']);
    assert.equal(full?.published, '2019-07-12T01:30:00Z');
    assert.deepEqual(full?.source, { title: '河北日报', href: 'https://hbrb.example/' });
    assert.equal(full?.license, 'https://creativecommons.org/licenses/by-nc-nd/4.0/');
    assert.equal(bare?.published, null);
    assert.equal(bare?.updated, '2019-07-11T08:00:00Z');
  });
});
