// Hostile documents for the fuzz suite (tests/fuzz/): feeds (RSS 2.0, RSS 1.0, Atom, JSON Feed) and
// article and list pages built from the pieces of fuzz.ts, with what each document holds recorded —
// whether it gives any date, link or person at all — so a property can tell an invented value from
// one that was read.

import fc from 'fast-check';
import { escapeMarkup } from '../../src/text.js';
import { attrs, BIDI, entity, htmlFragment, junk, longRun, markupEntity, word } from './fuzz.js';

/** What a generated document may give; when a flag is false, no element of that kind is written. */
export interface Holds {
  dates: boolean;
  links: boolean;
  people: boolean;
}

export interface FeedDocument extends Holds {
  kind: 'rss' | 'rdf' | 'atom' | 'json';
  text: string;
}

/** Date strings of every form, real and not. */
export const dateText = fc.oneof(
  fc.constantFrom(
    'Thu, 27 Jun 2019 15:30:00 +0800', '27 Jun 2019 15:30 GMT', 'Thu, 27 Jun 19 15:30:00 EST', '2019-06-28T08:30:00+08:00', '2019-06-28T08:30:00Z', '2019-06-28 16:42:00',
    '2024年3月5日 10:20', '2024年3月5日10时20分', '2024年03月05日 10：20：30', '2019/06/28', '2019.06.28', '发布时间：2024年3月5日 10:20', '2019-02-30 10:00', '2019-13-01',
    '0050-01-01', '9999-12-31T23:59:59-14:00', '2099-01-01T00:00:00Z', 'Tue, 05 Mar 2024 10:20:00 +2400', 'yesterday', '', 'NaN', '2019-06-28T08:30:00+08:00 (CST)',
  ),
  fc.string({ unit: fc.constantFrom(...'0123456789-/.:年月日时分秒 T+Z：GMTMonJan,'), maxLength: 40 }),
  longRun(400),
);

/** Author values: names, `mail (name)`, `name <mail>`, bare addresses, runs of `@` and brackets. */
export const personText = fc.oneof(
  word,
  fc.constantFrom('news@example.cn (孙丽)', '孙丽 <news@example.cn>', '"孙丽" <a@b.cn>', 'a@b.cn', '@', '()', 'x@y (', '(((((((', '<<<<', 'news@example.cn (\u202B孙丽\u202C)', '&lt;b&gt;孙丽&lt;/b&gt;', '<b>孙丽</b>', '<![CDATA[<img src=x onerror=alert(1)>]]>'),
  fc.tuple(fc.constantFrom('@', '(', ')', '<', '@ ', 'a@'), fc.integer({ min: 1, max: 3_000 })).map(([c, n]) => c.repeat(n)),
);

/** Plain text as a feed writes it: words with whitespace, bidi controls and references between them. */
const plainText = fc.array(fc.oneof({ arbitrary: word, weight: 5 }, { arbitrary: junk, weight: 1 }, { arbitrary: entity, weight: 1 }, { arbitrary: fc.constantFrom(...BIDI), weight: 1 }), { minLength: 1, maxLength: 12 }).map((p) => p.join(''));

/** The content of a text element, as feeds write it and as hostile feeds do. */
export const elementText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: plainText, weight: 5 },
  { arbitrary: htmlFragment(60).map((h) => `<![CDATA[${h}]]>`), weight: 3 },
  { arbitrary: htmlFragment(60).map((h) => escapeMarkup(h)), weight: 3 },
  { arbitrary: htmlFragment(60), weight: 2 },
  { arbitrary: fc.array(fc.oneof(plainText, markupEntity), { maxLength: 4 }).map((p) => p.join('')), weight: 2 },
  { arbitrary: longRun(1_000), weight: 1 },
  { arbitrary: fc.integer({ min: 150, max: 600 }).map((n) => `${'<b>'.repeat(n)}深层${'</b>'.repeat(n)}`), weight: 1 },
);

const xmlAttr = fc.constantFrom('', ' type="html"', ' type="text"', ' type="xhtml"', ' type="text/html"', ' type="application/octet-stream"', ' mode="escaped"', ' mode="base64"', ' xml:lang="zh"', ' xml:base="http://base.example/x/"', ' xmlns="http://www.w3.org/1999/xhtml"', ' src="http://a.example/"');

/** `<name attrs>content</name>`, sometimes left unclosed. */
const element = (name: string, content: fc.Arbitrary<string>, attrsOf: fc.Arbitrary<string> = xmlAttr) =>
  fc.tuple(attrsOf, content, fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 })).map(([a, c, closed]) => `<${name}${a}>${c}${closed ? `</${name}>` : ''}`);

const optional = (arb: fc.Arbitrary<string>, when = true) => (when ? fc.option(arb, { nil: '' }) : fc.constant(''));
const many = (arb: fc.Arbitrary<string>, when = true, max = 3) => (when ? fc.array(arb, { maxLength: max }).map((a) => a.join('')) : fc.constant(''));

const linkText = fc.constantFrom('http://up.example/a/1.html', 'https://up.example/a/2.html?x=1&amp;y=2', '/a/3.html', 'a/4.html', '//cdn.example/5.html', 'javascript:alert(1)', ' http://up.example/a/6.html ', 'http://[bad', '');
/** Elements no reader looks for, and namespace declarations in odd places. */
const unknownElement = fc.tuple(fc.constantFrom('foo', 'x:bar', 'media:thumbnail', 'itunes:summary', 'dc:subject', 'wfw:comment'), attrs, plainText).map(([n, a, t]) => `<${n}${a.replace(/\s(?:xmlns|xml:base)[^=]*=("[^"]*"|'[^']*'|\S*)/g, '')}>${t}</${n}>`);

function rssItem(h: Holds, rdf: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(
      optional(element('title', elementText)),
      optional(element('link', linkText), h.links),
      optional(element('guid', fc.oneof(linkText, word), fc.constantFrom('', ' isPermaLink="false"', ' isPermaLink="true"')), h.links),
      optional(element('description', elementText)),
      optional(element('content:encoded', elementText)),
      many(element(rdf ? 'dc:date' : 'pubDate', dateText), h.dates, 2),
      many(element('dc:creator', personText), h.people),
      many(element('author', personText), h.people),
      many(element('category', plainText), true, 4),
      many(unknownElement, true, 2),
      fc.constantFrom('', ' rdf:about="http://up.example/about/1"', ' xml:base="http://base.example/"'),
    )
    .map(([title, link, guid, desc, content, date, creator, author, cats, unknown, about]) => {
      const itemAttrs = h.links ? about : '';
      return `<item${itemAttrs}>${title}${link}${guid}${desc}${content}${date}${creator}${author}${cats}${unknown}</item>`;
    });
}

function atomEntry(h: Holds): fc.Arbitrary<string> {
  const person = element('author', personText.map((p) => `<name>${p}</name>`), fc.constant(''));
  return fc
    .tuple(
      optional(element('title', elementText)),
      many(fc.tuple(linkText, fc.constantFrom('', ' rel="alternate"', ' rel="enclosure"', ' type="text/html"')).map(([href, rel]) => `<link href="${href.replace(/"/g, '')}"${rel}/>`), h.links, 2),
      fc.oneof(fc.constant(''), h.links ? element('id', linkText) : element('id', fc.constantFrom('urn:uuid:1', 'tag:up.example,2024:1'))),
      optional(element('summary', elementText)),
      optional(element('content', elementText)),
      many(element('published', dateText), h.dates, 2),
      many(element('updated', dateText), h.dates, 1),
      many(person, h.people),
      many(fc.tuple(plainText, plainText).map(([t, l]) => `<category term="${escapeMarkup(t, true)}" label="${escapeMarkup(l, true)}"/>`), true, 3),
      many(unknownElement, true, 2),
    )
    .map((parts) => `<entry>${parts.join('')}</entry>`);
}

const prolog = fc.constantFrom(
  '', '<?xml version="1.0" encoding="utf-8"?>', '\uFEFF<?xml version="1.0"?>', '  \n<?xml version="1.0" encoding="gb2312"?>', '<?xml version="1.0" encoding="big5"?>',
  '<!DOCTYPE rss>', '<!DOCTYPE rss [<!ENTITY x "y">]>', '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '<!-- comment -->', '<?xml-stylesheet href="x.xsl"?>', '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
);
const references = fc.constantFrom('', '&xxe;', '&x;', '&nbsp;', '&undefined;');

/** A JSON value of any shape, some hostile (long strings, deep arrays). */
const jsonJunk: fc.Arbitrary<unknown> = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), plainText, fc.array(word, { maxLength: 3 }), fc.dictionary(word, word, { maxKeys: 3 }));

function jsonItem(h: Holds): fc.Arbitrary<Record<string, unknown>> {
  const person = fc.oneof(fc.record({ name: fc.oneof(personText, jsonJunk) }, { requiredKeys: [] }), jsonJunk);
  return fc.record(
    {
      id: h.links ? fc.oneof(fc.constantFrom('http://up.example/j/1', 'urn:x:1'), fc.integer(), jsonJunk) : fc.oneof(fc.constantFrom('urn:x:1', 'j-1'), fc.integer()),
      url: h.links ? fc.oneof(linkText, jsonJunk) : fc.constant(undefined),
      external_url: h.links ? fc.oneof(linkText, jsonJunk) : fc.constant(undefined),
      title: fc.oneof(elementText, jsonJunk),
      content_html: fc.oneof(elementText, jsonJunk),
      content_text: fc.oneof(plainText, jsonJunk),
      summary: fc.oneof(elementText, jsonJunk),
      date_published: h.dates ? fc.oneof(dateText, jsonJunk) : fc.constant(undefined),
      date_modified: h.dates ? fc.oneof(dateText, jsonJunk) : fc.constant(undefined),
      authors: h.people ? fc.oneof(fc.array(person, { maxLength: 3 }), jsonJunk) : fc.constant(undefined),
      author: h.people ? person : fc.constant(undefined),
      tags: fc.oneof(fc.array(fc.oneof(plainText, jsonJunk), { maxLength: 4 }), jsonJunk),
    },
    { requiredKeys: [] },
  );
}

/** A feed document of `kind` holding what `h` allows, sometimes cut short (a download ended early). */
export function feedDocument(): fc.Arbitrary<FeedDocument> {
  return fc
    .record({ kind: fc.constantFrom<FeedDocument['kind']>('rss', 'rdf', 'atom', 'json'), dates: fc.boolean(), links: fc.boolean(), people: fc.boolean() })
    .chain((h) => {
      const cut = fc.oneof({ arbitrary: fc.constant(1), weight: 6 }, { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 1 });
      let body: fc.Arbitrary<string>;
      if (h.kind === 'json') {
        body = fc
          .tuple(fc.array(jsonItem(h), { maxLength: 5 }), fc.oneof(plainText, jsonJunk), fc.constantFrom('https://jsonfeed.org/version/1.1', 'https://jsonfeed.org/version/1'), fc.boolean())
          .map(([items, title, version, feedAuthor]) =>
            JSON.stringify({ version, title, ...(h.links && { home_page_url: 'http://up.example/' }), ...(h.people && feedAuthor && { authors: [{ name: '孙丽' }] }), items }),
          );
      } else if (h.kind === 'atom') {
        body = fc
          .tuple(prolog, optional(element('title', elementText)), fc.array(atomEntry(h), { maxLength: 5 }), references)
          .map(([p, title, entries, ref]) => `${p}<feed xmlns="http://www.w3.org/2005/Atom">${title}${h.links ? '<link href="http://up.example/"/>' : ''}${ref}${entries.join('')}</feed>`);
      } else {
        const rdf = h.kind === 'rdf';
        body = fc
          .tuple(prolog, optional(element('title', elementText)), fc.array(rssItem(h, rdf), { maxLength: 5 }), references, fc.constantFrom('', ' xmlns:dc="http://purl.org/dc/elements/1.1/"', ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'))
          .map(([p, title, items, ref, ns]) => {
            const channel = `<channel>${title}${h.links ? '<link>http://up.example/</link>' : ''}${ref}${rdf ? '</channel>' : ''}`;
            return rdf
              ? `${p}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"${ns}>${channel}${items.join('')}</rdf:RDF>`
              : `${p}<rss version="2.0"${ns}>${channel}${items.join('')}</channel></rss>`;
          });
      }
      return fc.tuple(body, cut).map(([text, c]) => ({ ...h, text: c >= 1 ? text : text.slice(0, Math.floor(text.length * c)) }));
    });
}

// ---- pages ----------------------------------------------------------------------------------------------

const infoLine = fc.tuple(
  fc.constantFrom('发布时间：', '时间:', '日期 ', '', '【发布日期】'),
  dateText,
  fc.constantFrom(' 来源：', ' 来源:', ' | 来源：', ''),
  fc.oneof(word, longRun(2_000)),
  fc.constantFrom(' 作者：', ' 编辑:', ' 记者 ', ''),
  personText,
).map(([dl, d, sl, s, al, a]) => `${dl}${d}${sl}${s}${al}${a}`);

const meta = fc.oneof(
  fc.tuple(fc.constantFrom('og:title', 'article:published_time', 'author', 'og:site_name', 'article:section', 'pubdate', 'source', 'og:locale', 'description'), fc.oneof(plainText, dateText, personText)).map(
    ([n, v]) => `<meta property="${n}" content="${escapeMarkup(v, true)}">`,
  ),
  fc.constantFrom('<meta charset="utf-8">', '<meta http-equiv="content-language" content="zh-CN">', '<base href="javascript:alert(1)//">', '<link rel="next" href="/list_2.html">'),
);

/** JSON-LD blocks, well-formed or not. */
const jsonLd = fc.oneof(
  fc.record({ '@context': fc.constant('https://schema.org'), '@type': fc.constantFrom('NewsArticle', 'Article', 'BreadcrumbList', 'WebPage', ['NewsArticle']), headline: fc.oneof(plainText, jsonJunk), datePublished: fc.oneof(dateText, jsonJunk), author: fc.oneof(fc.record({ name: personText }), personText, jsonJunk), articleBody: fc.oneof(plainText, jsonJunk) }, { requiredKeys: ['@type'] }).map((o) => JSON.stringify(o).replace(/</g, '\\u003c')),
  fc.constantFrom('{', '[[[[[[[[', '{"@type": "NewsArticle", "headline": "</script><script>alert(1)</script>"}', 'null', '{"@graph": [{"@type": "NewsArticle"}]}'),
).map((j) => `<script type="application/ld+json">${j}</script>`);

/** An article page: head with title and metas, a heading, an info line, a body of hostile pieces, page furniture. */
export const articlePage: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(plainText, elementText),
    fc.array(meta, { maxLength: 5 }),
    optional(jsonLd),
    fc.constantFrom('h1', 'h2', 'div class="title"', 'td'),
    optional(infoLine),
    fc.array(fc.oneof({ arbitrary: htmlFragment(200), weight: 2 }, { arbitrary: plainText.map((t) => `<p>${t}${'钢铁企业新闻正文内容。'.repeat(8)}</p>`), weight: 3 }), { maxLength: 6 }),
    fc.constantFrom('', '<div class="breadcrumb">首页 > 企业频道 > 要闻</div>', '<div class="position">当前位置：首页 &gt; 新闻</div>', '<div>版权声明：本网所有作品，版权均属本网。</div>', '<ul><li><a href="/a/1.html">相关新闻标题一二三</a></li></ul>'),
    fc.constantFrom('<!DOCTYPE html><html lang="zh-CN">', '<html>', '', '<!doctype html>', '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="zh">'),
    fc.oneof({ arbitrary: fc.constant(0), weight: 5 }, { arbitrary: fc.integer({ min: 1, max: 700 }), weight: 1 }),
  )
  .map(([title, metas, ld, heading, info, body, furniture, open, nest]) => {
    const tag = heading.split(' ')[0]!;
    return `${open}<head><title>${title}_钢铁新闻网</title>${metas.join('')}${ld}</head><body>${furniture}<${heading}>${title}</${tag}><div class="info">${info}</div>${'<div>'.repeat(nest)}<div class="article-content">${body.join('')}</div>${'</div>'.repeat(nest)}${furniture}</body></html>`;
  });

const href = fc.oneof(
  fc.integer({ min: 1, max: 9_999 }).map((n) => `/news/2024/${n}.html`),
  linkText,
  fc.constantFrom('javascript:void(0)', '#top', 'mailto:a@b.cn', 'http://other.example/a/1.html', '/list_2.html', 'index.html', '/page/2/', 'data:text/html,x', 'http://up.example/a/%ZZ.html', 'http://up.example:99999/a/1.html', '\u202Ehttp://up.example/a/7.html'),
);

/** A list page: links with titles, a next-page link, nested lists, furniture. */
export const listPage: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.tuple(href, fc.oneof(plainText, fc.constant('钢铁企业要闻标题'), longRun(300)), attrs), { maxLength: 30 }),
    fc.constantFrom('', '<a href="/list_2.html">下一页</a>', '<a rel="next" href="?page=2">»</a>', '<link rel="next" href="/list_3.html">', '<a href="javascript:next()">下一页</a>'),
    fc.oneof({ arbitrary: fc.constant(0), weight: 5 }, { arbitrary: fc.integer({ min: 1, max: 700 }), weight: 1 }),
    htmlFragment(50),
  )
  .map(([links, next, nest, junkHtml]) => {
    const lis = links.map(([h, t, a]) => `<li><a href="${escapeMarkup(h, true)}"${a.replace(/\shref=("[^"]*"|'[^']*'|\S*)/g, '')}>${t}</a><span>2024-03-05</span></li>`).join('');
    return `<html><head>${next.startsWith('<link') ? next : ''}</head><body>${'<div>'.repeat(nest)}<ul class="list">${lis}</ul>${'</div>'.repeat(nest)}${junkHtml}${next.startsWith('<a') ? next : ''}</body></html>`;
  });

export { jsonJunk };
