import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPRINT_NS, attributionLine, formats } from '../../src/render/index.js';
import { ATOM_NS } from '../../src/render/namespaces.js';
import * as fx from '../helpers/render-fixtures.js';
import { type XmlElement, attr, childNamed, childrenNamed, only, parseXml, textOf } from '../helpers/xml.js';
import { assertEntriesAttributed, readWithFeedparser, readWithRssParser } from '../helpers/feed-clients.js';

const atom = formats.atom;

function render(items = fx.items()): string {
  return atom.render(fx.channel(), items, fx.ctx());
}

function entryOf(doc: string, guid: string): XmlElement {
  const found = childrenNamed(parseXml(doc), ATOM_NS, 'entry').find((e) => textOf(e, ATOM_NS, 'id') === guid);
  assert.ok(found, `no entry with id ${guid}`);
  return found;
}

/** The href of the one link with this rel (a link without rel is rel="alternate"). */
function linkHref(el: XmlElement, rel: string): string | undefined {
  const links = childrenNamed(el, ATOM_NS, 'link').filter((l) => (attr(l, 'rel') ?? 'alternate') === rel);
  assert.ok(links.length <= 1, `at most one ${rel} link`);
  return links[0] === undefined ? undefined : attr(links[0], 'href');
}

/** What a reader displays for a type="html" text construct holding escaped plain text. */
function htmlToText(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

const names = (el: XmlElement, local: 'author' | 'contributor'): string[] =>
  childrenNamed(el, ATOM_NS, local).map((p) => textOf(p, ATOM_NS, 'name'));

describe('Atom 1.0 renderer', () => {
  it('is registered with its extension and media type', () => {
    assert.equal(atom.id, 'atom');
    assert.equal(atom.extension, 'atom');
    assert.equal(atom.contentType, 'application/atom+xml; charset=utf-8');
  });

  it('produces strict, namespace-well-formed XML 1.0, including for the hostile item and for no items', () => {
    for (const items of [fx.items(), [fx.hostileItem()], []]) {
      const root = parseXml(render(items));
      assert.equal(root.uri, ATOM_NS);
      assert.equal(root.local, 'feed');
      assert.equal(root.attributes['xmlns:reprint']?.value, REPRINT_NS);
      assert.equal(root.attributes['xml:lang']?.value, 'zh-CN');
    }
  });

  it('describes the feed: id, title, subtitle, alternate and self links, generator', () => {
    const feed = parseXml(render());
    assert.equal(textOf(feed, ATOM_NS, 'id'), `${fx.BASE_URL}/channels/qiye-yaowen`);
    assert.equal(textOf(feed, ATOM_NS, 'title'), fx.channel().title);
    assert.equal(textOf(feed, ATOM_NS, 'subtitle'), fx.channel().description);
    assert.equal(linkHref(feed, 'alternate'), fx.channel().link);
    assert.equal(linkHref(feed, 'self'), `${fx.BASE_URL}/feeds/qiye-yaowen.atom`);
    assert.equal(textOf(feed, ATOM_NS, 'generator'), 'Syndicator');
  });

  it('states the default license on the feed: <rights> and link rel="license"', () => {
    const feed = parseXml(render());
    assert.equal(textOf(feed, ATOM_NS, 'rights'), fx.ownLicense().statement);
    assert.equal(linkHref(feed, 'license'), `${fx.BASE_URL}/licenses/csteelnews-own`);
  });

  it('dates the feed by its newest item, not by ctx.now; by ctx.now only when empty', () => {
    assert.equal(textOf(parseXml(render()), ATOM_NS, 'updated'), '2019-07-12T02:00:00.000Z');
    assert.equal(textOf(parseXml(render([])), ATOM_NS, 'updated'), fx.NOW);
  });

  it('keeps the given item order', () => {
    const ids = childrenNamed(parseXml(render()), ATOM_NS, 'entry').map((e) => textOf(e, ATOM_NS, 'id'));
    assert.deepEqual(
      ids,
      fx.items().map((i) => i.guid),
    );
  });

  it('maps id, title, dates, summary, content and categories', () => {
    const full = fx.fullItem();
    const el = entryOf(render(), full.guid);
    const title = only(el, ATOM_NS, 'title');
    assert.equal(attr(title, 'type'), 'text', 'plain-text titles are type="text", so "A & B" is not shown as "A &amp; B"');
    assert.equal(title.text, full.title);
    assert.equal(textOf(el, ATOM_NS, 'published'), full.publishedAt);
    assert.equal(textOf(el, ATOM_NS, 'updated'), full.updatedAt);
    assert.equal(textOf(el, ATOM_NS, 'summary'), full.summary);
    const content = only(el, ATOM_NS, 'content');
    assert.equal(attr(content, 'type'), 'html');
    assert.equal(content.text, full.contentHtml);
    assert.deepEqual(
      childrenNamed(el, ATOM_NS, 'category').map((c) => attr(c, 'term')),
      ['企业频道', '要闻精选'],
    );
  });

  it('maps the original URL to rel="alternate" and adds rel="via" for a differing source URL', () => {
    const full = fx.fullItem();
    const el = entryOf(render(), full.guid);
    assert.equal(linkHref(el, 'alternate'), full.link);
    assert.equal(linkHref(el, 'via'), 'https://hbrb.example/');
    assert.equal(linkHref(entryOf(render(), fx.bareItem().guid), 'via'), undefined);
    const same = fx.fullItem({ attribution: { ...full.attribution, source: { ...full.attribution.source, url: full.link } } });
    assert.equal(linkHref(entryOf(render([same]), same.guid), 'via'), undefined);
  });

  it('maps authors to author/name and the editor to contributor/name', () => {
    const el = entryOf(render(), fx.fullItem().guid);
    assert.deepEqual(names(el, 'author'), ['李明、王芳'], 'one author naming all: sfeed and rsstail show only the first of several');
    assert.deepEqual(names(el, 'contributor'), ['张伟']);
  });

  it('gives an item without authors no author (never the outlet): it inherits the feed-level author, the channel', () => {
    const doc = render();
    const el = entryOf(doc, fx.bareItem().guid);
    assert.deepEqual(names(el, 'author'), []);
    const feedAuthors = childrenNamed(parseXml(doc), ATOM_NS, 'author');
    assert.deepEqual(feedAuthors.map((a) => textOf(a, ATOM_NS, 'name')), [fx.channel().title]);
    assert.deepEqual(names(el, 'contributor'), []);
    assert.equal(childNamed(el, ATOM_NS, 'published'), undefined);
    assert.equal(textOf(el, ATOM_NS, 'updated'), fx.bareItem().updatedAt);
  });

  it('maps the source outlet to <source> with title, link and id', () => {
    const source = only(entryOf(render(), fx.fullItem().guid), ATOM_NS, 'source');
    assert.equal(textOf(source, ATOM_NS, 'title'), '河北日报');
    assert.equal(textOf(source, ATOM_NS, 'id'), 'https://hbrb.example/');
    assert.equal(linkHref(source, 'alternate'), 'https://hbrb.example/');
  });

  it('identifies an outlet without URL by a stable urn derived from its name', () => {
    const id = (doc: string): string => textOf(only(entryOf(doc, fx.bareItem().guid), ATOM_NS, 'source'), ATOM_NS, 'id');
    const first = id(render());
    assert.match(first, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(id(render([fx.bareItem()])), first);
    const renamed = fx.bareItem({ attribution: { authors: [], source: { name: '其他媒体', original: true } } });
    assert.notEqual(id(render([renamed])), first);
    assert.equal(linkHref(only(entryOf(render(), fx.bareItem().guid), ATOM_NS, 'source'), 'alternate'), undefined);
  });

  it('maps rights text, license link, reprint terms, attribution line and upstream rights', () => {
    const full = fx.fullItem();
    const el = entryOf(render(), full.guid);
    assert.equal(textOf(el, ATOM_NS, 'rights'), fx.reprintedLicense().statement);
    assert.equal(linkHref(el, 'license'), 'https://creativecommons.org/licenses/by-nc-nd/4.0/');
    const terms = only(el, REPRINT_NS, 'terms');
    assert.equal(attr(terms, 'permission'), 'attribution');
    assert.equal(attr(terms, 'publicContent'), 'full');
    assert.equal(attr(terms, 'license'), 'https://creativecommons.org/licenses/by-nc-nd/4.0/');
    assert.equal(attr(terms, 'licenseId'), 'csteelnews-reprinted');
    assert.equal(textOf(terms, REPRINT_NS, 'holder'), '原作者及原发媒体');
    assert.equal(textOf(el, REPRINT_NS, 'attribution'), attributionLine(full, fx.reprintedLicense(), 'Asia/Shanghai'));
    assert.equal(textOf(el, REPRINT_NS, 'upstreamRights'), '版权归河北日报所有');

    const bare = entryOf(render(), fx.bareItem().guid);
    assert.equal(linkHref(bare, 'license'), `${fx.BASE_URL}/licenses/csteelnews-own`);
    const bareTerms = only(bare, REPRINT_NS, 'terms');
    assert.equal(textOf(bareTerms, REPRINT_NS, 'contact'), 'copyright@csteelnews.example');
    assert.equal(textOf(bareTerms, REPRINT_NS, 'template'), fx.ownLicense().reprint.attributionTemplate);
    assert.equal(childNamed(bare, REPRINT_NS, 'upstreamRights'), undefined);
  });

  it('carries hostile text exactly, minus the characters XML 1.0 cannot hold', () => {
    const hostile = fx.hostileItem();
    const el = entryOf(render(), hostile.guid);
    assert.equal(textOf(el, ATOM_NS, 'title'), 'Bell & <tag> ]]> “quoted”  end');
    assert.equal(textOf(el, ATOM_NS, 'summary'), 'Summary with <b>not markup</b> &  control');
    assert.equal(
      textOf(el, ATOM_NS, 'content'),
      '<p>one ]]> two ]]> three &amp; <a href="https://x.example/?a=1&amp;b=2">link</a></p>',
    );
    assert.equal(linkHref(el, 'alternate'), 'https://www.csteelnews.example/a?x=1&y=2');
    assert.deepEqual(
      childrenNamed(el, ATOM_NS, 'category').map((c) => attr(c, 'term')),
      ['R&D <lab>', 'A&amp;B'],
    );
    assert.deepEqual(names(el, 'author'), ['Tom & <Jerry>']);
    assert.deepEqual(names(el, 'contributor'), ['Ed "itor"']);
    const source = only(el, ATOM_NS, 'source');
    assert.equal(textOf(source, ATOM_NS, 'title'), 'AT&T <News> ]]>');
    assert.equal(textOf(source, ATOM_NS, 'id'), 'https://news.example/path?a=1&b=%3C2%3E');
    assert.equal(linkHref(el, 'via'), 'https://news.example/path?a=1&b=%3C2%3E');
    assert.equal(linkHref(el, 'license'), 'https://licenses.example/terms?a=1&b=%3C2%3E');
    assert.equal(textOf(el, ATOM_NS, 'rights'), 'Reprint ]]> only with <b>permission</b> & credit');
    assert.equal(textOf(el, REPRINT_NS, 'upstreamRights'), '© AT&T <2019>');
  });

  it('reads back in rss-parser', async () => {
    const feed = await readWithRssParser(render());
    assert.equal(feed.items.length, 3);
    const [full, bare] = feed.items;
    assert.equal(full?.title, '中国宝武部署下半年扶贫工作');
    assert.equal(full?.link, fx.fullItem().link);
    assert.equal(full?.id, fx.fullItem().guid);
    assert.equal(full?.isoDate, fx.fullItem().publishedAt);
    assert.equal(full?.author, '李明、王芳');
    assert.equal(bare?.author, undefined);
  });

  it('reads back in feedparser: title, link, a date, rights, license and source on every item; every author, never the outlet', async () => {
    const out = await readWithFeedparser(render());
    assert.equal(out.bozo, false, out.bozoException ?? '');
    assert.equal(out.version, 'atom10');
    assert.equal(out.feed.rights, fx.ownLicense().statement);
    assert.equal(out.feed.license, `${fx.BASE_URL}/licenses/csteelnews-own`);
    assert.equal(out.entries.length, 3);
    assertEntriesAttributed(out.entries);
    const [full, bare, hostile] = out.entries;
    assert.deepEqual(full?.authors, ['李明、王芳']);
    assert.deepEqual(full?.contributors, ['张伟']);
    assert.equal(full?.published, '2019-07-12T01:30:00Z');
    assert.deepEqual(full?.source, { title: '河北日报', href: 'https://hbrb.example/' });
    assert.equal(full?.license, 'https://creativecommons.org/licenses/by-nc-nd/4.0/');
    assert.equal(bare?.published, null);
    assert.equal(bare?.updated, '2019-07-11T08:00:00Z');
    // feedparser does not copy the feed's author into entries: no entry reads as written by the outlet.
    assert.equal(out.feed.author, fx.channel().title);
    assert.deepEqual(bare?.authors, []);
    assert.deepEqual(hostile?.tags, ['R&D <lab>', 'A&amp;B']);
  });
});
