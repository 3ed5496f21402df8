// Writes the conformance suite: small feed documents under tests/conformance/cases/, each with the
// values a reader must get beside it (NAME.expected.json). Run `npm run conformance:generate` after
// changing this file; the written cases are committed, so the suite is plain data to any other parser.
//
// The expected values are what the formats' specifications (and README "What is read from a feed")
// say a reader sees; they are written here by hand, never taken from our own output. `choices` names
// the fields where Universal Feed Parser reads differently by design, with the reason.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

export interface ExpectedEntry {
  title?: string;
  /** null: the entry has no link (none is invented). Absent: not checked by this case. */
  link?: string | null;
  /** The entry's date as a reader shows it: publishedAt, else updatedAt; null when the entry has none. */
  date?: string | null;
  publishedAt?: string | null;
  updatedAt?: string | null;
  authors?: string[];
}

export interface Expected {
  description: string;
  /** Where the document is served from: relative links resolve against it. */
  url: string;
  contentType?: string;
  count: number;
  entries: ExpectedEntry[];
  /** Field → why Universal Feed Parser is expected to read it differently. */
  choices?: Record<string, string>;
}

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cases');
export const BASE_URL = 'https://conformance.example/feeds/';

interface Case {
  name: string;
  ext: 'xml' | 'json';
  body: string | Buffer;
  expected: Omit<Expected, 'url'>;
}

const cases: Case[] = [];
function add(name: string, ext: Case['ext'], body: string | Buffer, expected: Omit<Expected, 'url'>): void {
  if (cases.some((c) => c.name === name)) throw new Error(`duplicate case ${name}`);
  cases.push({ name, ext, body, expected });
}

// ---- document templates -------------------------------------------------------------------------

const NS = {
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  atom: 'http://www.w3.org/2005/Atom',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
};
const XMLDECL = '<?xml version="1.0" encoding="utf-8"?>\n';
const NSATTRS = `xmlns:dc="${NS.dc}" xmlns:dcterms="${NS.dcterms}" xmlns:content="${NS.content}" xmlns:atom="${NS.atom}"`;

type RssFormat = 'rss090' | 'rss091' | 'rss092' | 'rss093' | 'rss094' | 'rss10' | 'rss20';
const RSS_FORMATS: RssFormat[] = ['rss090', 'rss091', 'rss092', 'rss093', 'rss094', 'rss10', 'rss20'];

/** An RSS-family document with `items` (each the inner XML of one item; `about` for RSS 1.0). */
function rssDoc(format: RssFormat, items: string[], opts: { channel?: string; decl?: string; rootAttrs?: string } = {}): string {
  const decl = opts.decl ?? XMLDECL;
  const channel = opts.channel ?? '<title>Conformance</title><link>https://conformance.example/</link><description>d</description>';
  const attrs = opts.rootAttrs ?? '';
  if (format === 'rss090' || format === 'rss10') {
    const ns = format === 'rss090' ? 'http://my.netscape.com/rdf/simple/0.9/' : 'http://purl.org/rss/1.0/';
    const abouts = items.map((_, i) => `https://conformance.example/about/${i + 1}`);
    const seq = format === 'rss10' ? `<items><rdf:Seq>${abouts.map((a) => `<rdf:li rdf:resource="${a}"/>`).join('')}</rdf:Seq></items>` : '';
    const about = format === 'rss10' ? ' rdf:about="https://conformance.example/"' : '';
    return `${decl}<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns="${ns}" ${NSATTRS} ${attrs}>\n<channel${about}>${channel}${seq}</channel>\n${items
      .map((it, i) => `<item${format === 'rss10' ? ` rdf:about="${abouts[i]}"` : ''}>${it}</item>`)
      .join('\n')}\n</rdf:RDF>\n`;
  }
  const version = { rss091: '0.91', rss092: '0.92', rss093: '0.93', rss094: '0.94', rss20: '2.0' }[format];
  return `${decl}<rss version="${version}" ${NSATTRS} ${attrs}>\n<channel>${channel}\n${items.map((it) => `<item>${it}</item>`).join('\n')}\n</channel>\n</rss>\n`;
}

type AtomFormat = 'atom03' | 'atom10';
function atomDoc(format: AtomFormat, entries: string[], opts: { feed?: string; decl?: string; rootAttrs?: string } = {}): string {
  const decl = opts.decl ?? XMLDECL;
  const head = format === 'atom10' ? `<feed xmlns="${NS.atom}" xmlns:dc="${NS.dc}" xmlns:dcterms="${NS.dcterms}" ${opts.rootAttrs ?? ''}>` : `<feed version="0.3" xmlns="http://purl.org/atom/ns#" xmlns:dc="${NS.dc}" xmlns:dcterms="${NS.dcterms}" ${opts.rootAttrs ?? ''}>`;
  const feed = opts.feed ?? (format === 'atom10' ? '<title>Conformance</title><id>urn:conformance</id><updated>2024-01-01T00:00:00Z</updated><link href="https://conformance.example/"/>' : '<title>Conformance</title><link rel="alternate" type="text/html" href="https://conformance.example/"/><modified>2024-01-01T00:00:00Z</modified>');
  return `${decl}${head}\n${feed}\n${entries.map((e) => `<entry>${e}</entry>`).join('\n')}\n</feed>\n`;
}

function jsonDoc(version: '1' | '1.1', items: object[], extra: object = {}): string {
  return `${JSON.stringify({ version: `https://jsonfeed.org/version/${version}`, title: 'Conformance', home_page_url: 'https://conformance.example/', ...extra, items }, null, 2)}\n`;
}

const link = (n: number | string) => `https://conformance.example/${n}`;
const atomLink = (n: number | string) => `<link rel="alternate" type="text/html" href="${link(n)}"/>`;

// ---- titles -------------------------------------------------------------------------------------

// [name, title element content as written in XML, plain text a reader sees]
const RSS_TITLES: [string, string, string][] = [
  ['plain', 'Plain title', 'Plain title'],
  ['amp-entity', 'Tom &amp; Jerry', 'Tom & Jerry'],
  ['double-escaped-amp', 'AT&amp;amp;T', 'AT&T'],
  ['numeric-ref', 'It&#39;s here', "It's here"],
  ['hex-ref', 'Caf&#xE9; open', 'Café open'],
  ['double-escaped-numeric', '&amp;#39;Text&amp;#39;', "'Text'"],
  ['cdata-plain', '<![CDATA[Plain in CDATA]]>', 'Plain in CDATA'],
  ['cdata-markup', '<![CDATA[Test: <b>bold</b>]]>', 'Test: bold'],
  ['cdata-entity', '<![CDATA[Fish &amp; Chips]]>', 'Fish & Chips'],
  ['escaped-markup', 'Test: &lt;b&gt;bold&lt;/b&gt;', 'Test: bold'],
  ['naked-b', 'Test: <b>bold</b>', 'Test: bold'],
  ['naked-p', '<p>Item Title</p>', 'Item Title'],
  ['naked-em-middle', 'An <em>emphatic</em> word', 'An emphatic word'],
  ['html-entity-nbsp', 'Non&nbsp;breaking', 'Non breaking'],
  ['whitespace', '\n   Spread\n   over   lines\n ', 'Spread over lines'],
  ['cjk', '宝钢股份“十四五”规划编制启动', '宝钢股份“十四五”规划编制启动'],
  ['less-than-text', '3 &lt; 4', '3 < 4'],
];

for (const format of RSS_FORMATS) {
  for (const [name, xml, plain] of RSS_TITLES) {
    add(`title-${format}-${name}`, 'xml', rssDoc(format, [`<title>${xml}</title><link>${link(1)}</link>`]), {
      description: `${format}: item title written as ${name}`,
      count: 1,
      entries: [{ title: plain, link: link(1) }],
    });
  }
  add(`title-${format}-dc-title-only`, 'xml', rssDoc(format, [`<dc:title>Only a dc:title</dc:title><link>${link(1)}</link>`]), {
    description: `${format}: dc:title is the only title`,
    count: 1,
    entries: [{ title: 'Only a dc:title', link: link(1) }],
  });
}

// A tag in a title written as text is removed, as from every title (README "What is read from a feed"):
// a reader that renders titles as HTML would run it.
const TAG_IN_TEXT = 'a tag in a title written as text is removed (a reader that renders titles as HTML would run it); Universal Feed Parser keeps it as text';

// [name, attributes, content, plain, why feedparser reads it otherwise]
const ATOM10_TITLES: [string, string, string, string, string?][] = [
  ['text-default', '', 'Plain title', 'Plain title'],
  ['text-explicit', ' type="text"', 'Tom &amp; Jerry', 'Tom & Jerry'],
  ['text-with-lt', ' type="text"', 'if a &lt; b', 'if a < b'],
  ['text-with-escaped-tag', ' type="text"', 'Use &lt;b&gt; for bold', 'Use for bold', TAG_IN_TEXT],
  ['html-markup', ' type="html"', 'Test: &lt;b&gt;bold&lt;/b&gt;', 'Test: bold'],
  ['html-double-escaped', ' type="html"', 'AT&amp;amp;T', 'AT&T'],
  ['html-numeric', ' type="html"', '&amp;#39;Text&amp;#39;', "'Text'"],
  ['html-cdata', ' type="html"', '<![CDATA[A <em>CDATA</em> title]]>', 'A CDATA title'],
  ['xhtml', ' type="xhtml"', '<div xmlns="http://www.w3.org/1999/xhtml">This is <b>XHTML</b> content.</div>', 'This is XHTML content.'],
  ['xhtml-nested', ' type="xhtml"', '<div xmlns="http://www.w3.org/1999/xhtml"><span>One <i>two <b>three</b></i> four</span></div>', 'One two three four'],
  ['xhtml-prefixed', ' type="xhtml"', '<xh:div xmlns:xh="http://www.w3.org/1999/xhtml">Prefixed <xh:b>XHTML</xh:b> title</xh:div>', 'Prefixed XHTML title'],
  ['xhtml-entity', ' type="xhtml"', '<div xmlns="http://www.w3.org/1999/xhtml">Fish &amp; <b>Chips</b></div>', 'Fish & Chips'],
  ['naked-p-in-text', '', '<p>Item Title</p>', 'Item Title'],
  ['naked-b-in-text', '', 'Test: <b>bold</b>', 'Test: bold'],
  ['cjk', ' type="html"', '&lt;p&gt;钢铁&lt;/p&gt;', '钢铁'],
];
for (const [name, attrs, xml, plain, choice] of ATOM10_TITLES) {
  add(`title-atom10-${name}`, 'xml', atomDoc('atom10', [`<id>urn:e1</id><title${attrs}>${xml}</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated>`]), {
    description: `Atom 1.0 title: ${name}`,
    count: 1,
    entries: [{ title: plain, link: link(1) }],
    ...(choice !== undefined && { choices: { title: choice } }),
  });
}

const ATOM03_TITLES: [string, string, string, string][] = [
  ['default', '', 'Plain title', 'Plain title'],
  ['text-plain', ' type="text/plain"', 'Tom &amp; Jerry', 'Tom & Jerry'],
  ['escaped-html', ' type="text/html" mode="escaped"', 'Test: &lt;b&gt;bold&lt;/b&gt;', 'Test: bold'],
  ['escaped-double', ' type="text/html" mode="escaped"', 'AT&amp;amp;T', 'AT&T'],
  ['xml-mode', ' type="application/xhtml+xml" mode="xml"', '<div xmlns="http://www.w3.org/1999/xhtml">This is <b>XHTML</b> content.</div>', 'This is XHTML content.'],
  ['base64', ' type="text/plain" mode="base64"', Buffer.from('Base64 title').toString('base64'), 'Base64 title'],
  ['base64-html', ' type="text/html" mode="base64"', Buffer.from('Base64 <b>HTML</b> title').toString('base64'), 'Base64 HTML title'],
  ['cdata-escaped', ' mode="escaped" type="text/html"', '<![CDATA[A <em>CDATA</em> title]]>', 'A CDATA title'],
];
for (const [name, attrs, xml, plain] of ATOM03_TITLES) {
  add(`title-atom03-${name}`, 'xml', atomDoc('atom03', [`<id>urn:e1</id><title${attrs}>${xml}</title>${atomLink(1)}<modified>2024-01-01T00:00:00Z</modified>`]), {
    description: `Atom 0.3 title: ${name}`,
    count: 1,
    entries: [{ title: plain, link: link(1) }],
  });
}

for (const version of ['1', '1.1'] as const) {
  const titles: [string, string, string][] = [
    ['plain', 'Plain title', 'Plain title'],
    ['ampersand', 'Tom & Jerry', 'Tom & Jerry'],
    ['markup-is-text', 'Use <b> for bold', 'Use for bold'],
    ['cjk', '钢铁 新闻', '钢铁 新闻'],
  ];
  for (const [name, title, plain] of titles) {
    add(`title-json${version.replace('.', '')}-${name}`, 'json', jsonDoc(version, [{ id: '1', url: link(1), title, content_text: 'x' }]), {
      description: `JSON Feed ${version}: title ${name} (JSON Feed titles are plain text)`,
      count: 1,
      entries: [{ title: plain, link: link(1) }],
    });
  }
}

// ---- dates ----------------------------------------------------------------------------------------

const ZONE_CHOICE = 'a date without a zone is read in the channel\'s time zone (Asia/Shanghai here); Universal Feed Parser reads it as UTC';
// [name, value, ISO UTC or null, zone-less?]
const RFC822_DATES: [string, string, string | null, boolean][] = [
  ['gmt', 'Mon, 01 Jan 2024 08:00:00 GMT', '2024-01-01T08:00:00.000Z', false],
  ['offset', 'Mon, 01 Jan 2024 08:00:00 +0800', '2024-01-01T00:00:00.000Z', false],
  ['negative-offset', 'Mon, 01 Jan 2024 08:00:00 -0130', '2024-01-01T09:30:00.000Z', false],
  ['est', 'Mon, 01 Jan 2024 08:00:00 EST', '2024-01-01T13:00:00.000Z', false],
  ['pdt', 'Sat, 01 Jun 2024 08:00:00 PDT', '2024-06-01T15:00:00.000Z', false],
  ['no-weekday', '01 Jan 2024 08:00:00 GMT', '2024-01-01T08:00:00.000Z', false],
  ['no-seconds', 'Mon, 01 Jan 2024 08:00 GMT', '2024-01-01T08:00:00.000Z', false],
  ['two-digit-year', 'Tue, 02 Jan 24 08:00:00 GMT', '2024-01-02T08:00:00.000Z', false],
  ['single-digit-day', 'Tue, 2 Jan 2024 08:00:00 +0000', '2024-01-02T08:00:00.000Z', false],
  ['iso-in-pubdate', '2024-01-01T08:00:00Z', '2024-01-01T08:00:00.000Z', false],
  ['invalid', 'not a date at all', null, false],
  ['impossible-day', 'Fri, 31 Feb 2024 08:00:00 GMT', null, false],
];
const ISO_DATES: [string, string, string | null, boolean][] = [
  ['z', '2024-01-01T08:00:00Z', '2024-01-01T08:00:00.000Z', false],
  ['offset', '2024-01-01T08:00:00+08:00', '2024-01-01T00:00:00.000Z', false],
  ['negative-offset', '2024-01-01T08:00:00-05:00', '2024-01-01T13:00:00.000Z', false],
  ['fraction', '2024-01-01T08:00:00.250Z', '2024-01-01T08:00:00.250Z', false],
  ['no-seconds', '2024-01-01T08:00Z', '2024-01-01T08:00:00.000Z', false],
  ['date-only', '2024-01-02', '2024-01-01T16:00:00.000Z', true],
  ['naive-time', '2024-01-01T08:00:00', '2024-01-01T00:00:00.000Z', true],
  ['invalid', '2024-13-45T99:00:00Z', null, false],
];

const CREATED_CHOICE = 'Atom 0.3 created is the publish date when nothing else dates the entry; Universal Feed Parser keeps it apart (created_parsed)';
const IMPOSSIBLE_CHOICE = 'an impossible date (month 13, hour 99) is no date; Universal Feed Parser rolls it over into a later valid one';

function dateCase(name: string, description: string, body: string, iso: string | null, zoneless: boolean, published: boolean): void {
  const choice = zoneless ? ZONE_CHOICE : name.includes('-created-') ? CREATED_CHOICE : name.endsWith('-invalid') && name.includes('date') && !name.includes('pubdate') ? IMPOSSIBLE_CHOICE : undefined;
  add(name, name.includes('json') ? 'json' : 'xml', body, {
    description,
    count: 1,
    entries: [{ link: link(1), date: iso, ...(published ? { publishedAt: iso } : { updatedAt: iso }) }],
    ...(choice !== undefined && { choices: { date: choice } }),
  });
}

for (const format of ['rss091', 'rss092', 'rss20'] as const) {
  for (const [name, value, iso, zoneless] of RFC822_DATES) {
    dateCase(`date-${format}-pubdate-${name}`, `${format}: pubDate ${name}`, rssDoc(format, [`<title>t</title><link>${link(1)}</link><pubDate>${value}</pubDate>`]), iso, zoneless, true);
  }
}
for (const format of ['rss20', 'rss10', 'rss090'] as const) {
  for (const [name, value, iso, zoneless] of ISO_DATES) {
    dateCase(`date-${format}-dc-date-${name}`, `${format}: dc:date ${name}`, rssDoc(format, [`<title>t</title><link>${link(1)}</link><dc:date>${value}</dc:date>`]), iso, zoneless, true);
  }
}
for (const format of ['rss20', 'rss10'] as const) {
  for (const [name, value, iso, zoneless] of ISO_DATES.slice(0, 4)) {
    dateCase(`date-${format}-dcterms-issued-${name}`, `${format}: dcterms:issued ${name}`, rssDoc(format, [`<title>t</title><link>${link(1)}</link><dcterms:issued>${value}</dcterms:issued>`]), iso, zoneless, true);
    dateCase(`date-${format}-dcterms-modified-${name}`, `${format}: dcterms:modified ${name} (the only date: the entry's date)`, rssDoc(format, [`<title>t</title><link>${link(1)}</link><dcterms:modified>${value}</dcterms:modified>`]), iso, zoneless, false);
  }
}
for (const [name, value, iso, zoneless] of ISO_DATES) {
  dateCase(`date-atom10-published-${name}`, `Atom 1.0: published ${name}`, atomDoc('atom10', [`<id>urn:e1</id><title>t</title>${atomLink(1)}<published>${value}</published><updated>${value}</updated>`]), iso, zoneless, true);
  dateCase(`date-atom10-updated-only-${name}`, `Atom 1.0: updated ${name} is the only date`, atomDoc('atom10', [`<id>urn:e1</id><title>t</title>${atomLink(1)}<updated>${value}</updated>`]), iso, zoneless, false);
}
for (const el of ['issued', 'created'] as const) {
  for (const [name, value, iso, zoneless] of ISO_DATES.slice(0, 6)) {
    dateCase(`date-atom03-${el}-${name}`, `Atom 0.3: ${el} ${name}`, atomDoc('atom03', [`<id>urn:e1</id><title>t</title>${atomLink(1)}<${el}>${value}</${el}>`]), iso, zoneless, true);
  }
}
for (const [name, value, iso, zoneless] of ISO_DATES.slice(0, 6)) {
  dateCase(`date-atom03-modified-${name}`, `Atom 0.3: modified ${name} is the only date`, atomDoc('atom03', [`<id>urn:e1</id><title>t</title>${atomLink(1)}<modified>${value}</modified>`]), iso, zoneless, false);
}
for (const [name, value, iso, zoneless] of ISO_DATES.slice(0, 5)) {
  dateCase(`date-json11-published-${name}`, `JSON Feed 1.1: date_published ${name}`, jsonDoc('1.1', [{ id: '1', url: link(1), title: 't', content_text: 'x', date_published: value }]), iso, zoneless, true);
}

// Which element wins when several are given (README "Dates").
add('date-rss20-pubdate-before-dc-date', 'xml', rssDoc('rss20', [`<title>t</title><link>${link(1)}</link><dc:date>2024-02-02T00:00:00Z</dc:date><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>`]), {
  description: 'RSS 2.0: pubDate is the publish date even when dc:date comes first',
  count: 1,
  entries: [{ link: link(1), publishedAt: '2024-01-01T00:00:00.000Z', date: '2024-01-01T00:00:00.000Z' }],
});
add('date-rss20-unreadable-pubdate-then-dc-date', 'xml', rssDoc('rss20', [`<title>t</title><link>${link(1)}</link><pubDate>someday</pubDate><dc:date>2024-02-02T00:00:00Z</dc:date>`]), {
  description: 'RSS 2.0: an unreadable pubDate gives way to dc:date',
  count: 1,
  entries: [{ link: link(1), publishedAt: '2024-02-02T00:00:00.000Z', date: '2024-02-02T00:00:00.000Z' }],
});
add('date-atom03-issued-and-modified', 'xml', atomDoc('atom03', [`<id>urn:e1</id><title>t</title>${atomLink(1)}<issued>2024-01-01T00:00:00Z</issued><modified>2024-03-03T00:00:00Z</modified><created>2023-12-31T00:00:00Z</created>`]), {
  description: 'Atom 0.3: issued is the publish date, modified the update date',
  count: 1,
  entries: [{ link: link(1), publishedAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-03-03T00:00:00.000Z', date: '2024-01-01T00:00:00.000Z' }],
});
add('date-rss20-none', 'xml', rssDoc('rss20', [`<title>t</title><link>${link(1)}</link>`]), {
  description: 'RSS 2.0: an item without any date has none',
  count: 1,
  entries: [{ link: link(1), date: null, publishedAt: null, updatedAt: null }],
});
add('date-atom10-none', 'xml', atomDoc('atom10', [`<id>urn:e1</id><title>t</title>${atomLink(1)}`]), {
  description: 'Atom 1.0: an entry without any date (invalid Atom) has none',
  count: 1,
  entries: [{ link: link(1), date: null, publishedAt: null, updatedAt: null }],
});

// ---- links and xml:base -------------------------------------------------------------------------

const LINK_CASES: [string, string, string, string][] = [
  // [name, format, body, expected link]
  ['rss20-absolute', 'rss20', rssDoc('rss20', ['<title>t</title><link>https://other.example/a?x=1&amp;y=2</link>']), 'https://other.example/a?x=1&y=2'],
  ['rss20-relative', 'rss20', rssDoc('rss20', ['<title>t</title><link>/post/1</link>']), 'https://conformance.example/post/1'],
  ['rss20-relative-file', 'rss20', rssDoc('rss20', ['<title>t</title><link>post-1.html</link>']), `${BASE_URL}post-1.html`],
  ['rss20-whitespace', 'rss20', rssDoc('rss20', [`<title>t</title><link>\n  ${link(1)}\n</link>`]), link(1)],
  ['rss20-cdata', 'rss20', rssDoc('rss20', [`<title>t</title><link><![CDATA[${link('a?b=1&c=2')}]]></link>`]), link('a?b=1&c=2')],
  ['rss20-fragment', 'rss20', rssDoc('rss20', [`<title>t</title><link>${link('page')}#entry-2</link>`]), `${link('page')}#entry-2`],
  ['rss20-guid-permalink', 'rss20', rssDoc('rss20', [`<title>t</title><guid>${link('g')}</guid>`]), link('g')],
  ['rss20-guid-permalink-true', 'rss20', rssDoc('rss20', [`<title>t</title><guid isPermaLink="true">${link('g')}</guid>`]), link('g')],
  ['rss20-link-over-guid', 'rss20', rssDoc('rss20', [`<title>t</title><guid>${link('g')}</guid><link>${link('l')}</link>`]), link('l')],
  ['rss20-atom-link', 'rss20', rssDoc('rss20', [`<title>t</title><atom:link rel="alternate" href="${link('atom')}"/>`]), link('atom')],
  ['rss20-xml-base-channel', 'rss20', rssDoc('rss20', ['<title>t</title><link>post/1</link>'], { rootAttrs: 'xml:base="https://base.example/dir/"' }), 'https://base.example/dir/post/1'],
  ['rss20-xml-base-item', 'rss20', rssDoc('rss20', ['<title>t</title><link>post/1</link>']).replace('<item>', '<item xml:base="https://item.example/x/">'), 'https://item.example/x/post/1'],
  ['rss10-relative-link', 'rss10', rssDoc('rss10', ['<title>t</title><link>entry/1</link>']), `${BASE_URL}entry/1`],
  ['rss091-absolute', 'rss091', rssDoc('rss091', [`<title>t</title><link>${link(1)}</link>`]), link(1)],
  ['rss092-relative', 'rss092', rssDoc('rss092', ['<title>t</title><link>../top/1</link>']), 'https://conformance.example/top/1'],
  ['atom10-alternate-among-others', 'atom10', atomDoc('atom10', [`<id>urn:e1</id><title>t</title><link rel="self" href="${link('self')}"/><link rel="edit" href="${link('edit')}"/><link rel="alternate" type="text/html" href="${link('alt')}"/><updated>2024-01-01T00:00:00Z</updated>`]), link('alt')],
  ['atom10-no-rel', 'atom10', atomDoc('atom10', [`<id>urn:e1</id><title>t</title><link href="${link('norel')}"/><updated>2024-01-01T00:00:00Z</updated>`]), link('norel')],
  ['atom10-enclosure-first', 'atom10', atomDoc('atom10', [`<id>urn:e1</id><title>t</title><link rel="enclosure" href="${link('a.mp3')}"/><link href="${link('page')}"/><updated>2024-01-01T00:00:00Z</updated>`]), link('page')],
  ['atom10-relative', 'atom10', atomDoc('atom10', ['<id>urn:e1</id><title>t</title><link href="entries/1"/><updated>2024-01-01T00:00:00Z</updated>']), `${BASE_URL}entries/1`],
  ['atom10-xml-base-feed', 'atom10', atomDoc('atom10', ['<id>urn:e1</id><title>t</title><link href="entries/1"/><updated>2024-01-01T00:00:00Z</updated>'], { rootAttrs: 'xml:base="https://base.example/blog/"' }), 'https://base.example/blog/entries/1'],
  ['atom10-xml-base-entry', 'atom10', atomDoc('atom10', ['<id>urn:e1</id><title>t</title><link href="1"/><updated>2024-01-01T00:00:00Z</updated>']).replace('<entry>', '<entry xml:base="https://entry.example/e/">'), 'https://entry.example/e/1'],
  ['atom10-xml-base-nested-relative', 'atom10', atomDoc('atom10', ['<id>urn:e1</id><title>t</title><link href="1"/><updated>2024-01-01T00:00:00Z</updated>'], { rootAttrs: 'xml:base="https://base.example/root/"' }).replace('<entry>', '<entry xml:base="sub/">'), 'https://base.example/root/sub/1'],
  ['atom10-xml-base-on-link', 'atom10', atomDoc('atom10', ['<id>urn:e1</id><title>t</title><link xml:base="https://link.example/l/" href="1"/><updated>2024-01-01T00:00:00Z</updated>']), 'https://link.example/l/1'],
  ['atom10-xml-base-relative-to-document', 'atom10', atomDoc('atom10', ['<id>urn:e1</id><title>t</title><link href="1"/><updated>2024-01-01T00:00:00Z</updated>'], { rootAttrs: 'xml:base="archive/"' }), `${BASE_URL}archive/1`],
  ['atom03-alternate', 'atom03', atomDoc('atom03', [`<id>urn:e1</id><title>t</title><link rel="service.edit" type="application/x.atom+xml" href="${link('edit')}"/><link rel="alternate" type="text/html" href="${link('alt')}"/><issued>2024-01-01T00:00:00Z</issued>`]), link('alt')],
  ['atom03-relative-xml-base', 'atom03', atomDoc('atom03', ['<id>urn:e1</id><title>t</title><link rel="alternate" type="text/html" href="p/1"/><issued>2024-01-01T00:00:00Z</issued>'], { rootAttrs: 'xml:base="https://base.example/03/"' }), 'https://base.example/03/p/1'],
  ['json11-url', 'json', jsonDoc('1.1', [{ id: '1', url: link('json'), title: 't', content_text: 'x' }]), link('json')],
  ['json11-relative-url', 'json', jsonDoc('1.1', [{ id: '1', url: 'items/1', title: 't', content_text: 'x' }]), `${BASE_URL}items/1`],
  ['json10-external-url-only', 'json', jsonDoc('1', [{ id: '1', external_url: link('ext'), title: 't', content_text: 'x' }]), link('ext')],
];
for (const [name, format, body, expectedLink] of LINK_CASES) {
  add(`link-${name}`, format === 'json' ? 'json' : 'xml', body, {
    description: `${format}: link ${name}`,
    count: 1,
    entries: [{ link: expectedLink }],
  });
}
add('link-rss20-guid-not-permalink', 'xml', rssDoc('rss20', [`<title>Not a permalink</title><guid isPermaLink="false">${link('g')}</guid>`]), {
  description: 'RSS 2.0: a guid with isPermaLink="false" is not the link',
  count: 1,
  entries: [{ title: 'Not a permalink', link: null }],
});

// ---- entry identity, duplicates ----------------------------------------------------------------

const idItems = (format: RssFormat) => [
  `<title>A</title><guid isPermaLink="false">same</guid><link>${link('a')}</link>`,
  `<title>B</title><guid isPermaLink="false">same</guid><link>${link('b')}</link>`,
  `<title>C</title><guid isPermaLink="false">same</guid><link>${link('c')}</link>`,
].map((x) => (format === 'rss20' ? x : x.replace(/<guid[^>]*>same<\/guid>/, '')));
add('dup-rss20-same-guid-different-links', 'xml', rssDoc('rss20', idItems('rss20')), {
  description: 'RSS 2.0: three items share a guid but not a link: three entries',
  count: 3,
  entries: [{ title: 'A', link: link('a') }, { title: 'B', link: link('b') }, { title: 'C', link: link('c') }],
});
add('dup-atom10-same-id-different-links', 'xml', atomDoc('atom10', ['A', 'B'].map((t) => `<id>urn:same</id><title>${t}</title>${atomLink(t.toLowerCase())}<updated>2024-01-01T00:00:00Z</updated>`)), {
  description: 'Atom 1.0: two entries share an id but not a link: two entries',
  count: 2,
  entries: [{ title: 'A', link: link('a') }, { title: 'B', link: link('b') }],
});
add('dup-rss20-no-guid-no-link', 'xml', rssDoc('rss20', ['<title>Notice</title><description>first</description>', '<title>Notice</title><description>second</description>', '<title>Other</title><description>third</description>']), {
  description: 'RSS 2.0: items with neither guid nor link, two with the same title: three entries',
  count: 3,
  entries: [{ title: 'Notice', link: null }, { title: 'Notice', link: null }, { title: 'Other', link: null }],
});
add('dup-rss091-no-link', 'xml', rssDoc('rss091', ['<title>One</title><description>a</description>', '<title>Two</title><description>b</description>']), {
  description: 'RSS 0.91: items without links are kept',
  count: 2,
  entries: [{ title: 'One', link: null }, { title: 'Two', link: null }],
});
add('dup-atom10-no-link', 'xml', atomDoc('atom10', ['<id>urn:1</id><title>One</title><updated>2024-01-01T00:00:00Z</updated>', '<id>urn:2</id><title>Two</title><updated>2024-01-01T00:00:00Z</updated>']), {
  description: 'Atom 1.0: entries without links are kept, one per id',
  count: 2,
  entries: [{ title: 'One', link: null }, { title: 'Two', link: null }],
  choices: { link: 'an entry without a link has none (the README: no invented links); Universal Feed Parser gives the Atom id (urn:1) as the link' },
});
add('dup-rss20-exact-repeat', 'xml', rssDoc('rss20', [`<title>A</title><guid>${link('a')}</guid>`, `<title>A</title><guid>${link('a')}</guid>`]), {
  description: 'RSS 2.0: the same item twice (same guid, same link) is one entry',
  count: 1,
  entries: [{ title: 'A', link: link('a') }],
  choices: { count: 'a repeat of an entry (same guid, same link) is dropped, with a log line; Universal Feed Parser lists it twice' },
});
add('dup-json11-same-id-different-urls', 'json', jsonDoc('1.1', [{ id: 'x', url: link('a'), title: 'A', content_text: 'a' }, { id: 'x', url: link('b'), title: 'B', content_text: 'b' }]), {
  description: 'JSON Feed: two items share an id but not a url: two entries',
  count: 2,
  entries: [{ title: 'A', link: link('a') }, { title: 'B', link: link('b') }],
});
for (const format of ['rss091', 'rss092'] as const) {
  const body = `${XMLDECL}<rss version="${format === 'rss091' ? '0.91' : '0.92'}"><channel><title>c</title><link>https://conformance.example/</link><description>d</description><item><title>Inside</title><link>${link(0)}</link></item></channel><item><title>Outside one</title><link>${link(1)}</link></item><item><title>Outside two</title><link>${link(2)}</link></item></rss>\n`;
  add(`structure-${format}-items-outside-channel`, 'xml', body, {
    description: `${format}: items after </channel> are entries too`,
    count: 3,
    entries: [{ title: 'Inside', link: link(0) }, { title: 'Outside one', link: link(1) }, { title: 'Outside two', link: link(2) }],
  });
}
add('structure-rss20-many-items', 'xml', rssDoc('rss20', Array.from({ length: 12 }, (_, i) => `<title>Item ${i + 1}</title><link>${link(i + 1)}</link>`)), {
  description: 'RSS 2.0: twelve items in order',
  count: 12,
  entries: Array.from({ length: 12 }, (_, i) => ({ title: `Item ${i + 1}`, link: link(i + 1) })),
});
add('structure-rss20-empty', 'xml', rssDoc('rss20', []), { description: 'RSS 2.0: a channel without items', count: 0, entries: [] });
add('structure-atom10-empty', 'xml', atomDoc('atom10', []), { description: 'Atom 1.0: a feed without entries', count: 0, entries: [] });
add('structure-json11-empty', 'json', jsonDoc('1.1', []), { description: 'JSON Feed 1.1: no items', count: 0, entries: [] });

// ---- namespaces ---------------------------------------------------------------------------------

const NS_CASES: [string, string, ExpectedEntry][] = [
  ['dc-odd-prefix', `${XMLDECL}<rss version="2.0" xmlns:d="${NS.dc}"><channel><title>c</title><item><title>t</title><link>${link(1)}</link><d:date>2024-01-01T08:00:00Z</d:date><d:creator>Ann Writer</d:creator></item></channel></rss>\n`, { title: 't', link: link(1), date: '2024-01-01T08:00:00.000Z', authors: ['Ann Writer'] }],
  ['dc-undeclared-prefix', `${XMLDECL}<rss version="2.0"><channel><title>c</title><item><title>t</title><link>${link(1)}</link><dc:creator>Ann Writer</dc:creator></item></channel></rss>\n`, { title: 't', link: link(1), authors: ['Ann Writer'] }],
  ['atom-prefixed', `${XMLDECL}<a:feed xmlns:a="${NS.atom}"><a:title>c</a:title><a:id>urn:f</a:id><a:updated>2024-01-01T00:00:00Z</a:updated><a:entry><a:id>urn:1</a:id><a:title type="html">Prefixed &amp;amp; Atom</a:title><a:link href="${link(1)}"/><a:updated>2024-01-01T08:00:00Z</a:updated></a:entry></a:feed>\n`, { title: 'Prefixed & Atom', link: link(1), date: '2024-01-01T08:00:00.000Z' }],
  ['atom-no-namespace', `${XMLDECL}<feed><title>c</title><entry><id>urn:1</id><title>No namespace</title><link href="${link(1)}"/><updated>2024-01-01T08:00:00Z</updated></entry></feed>\n`, { title: 'No namespace', link: link(1), date: '2024-01-01T08:00:00.000Z' }],
  ['rss20-default-namespace', `${XMLDECL}<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>c</title><item><title>Namespaced RSS</title><link>${link(1)}</link></item></channel></rss>\n`, { title: 'Namespaced RSS', link: link(1) }],
  ['rss10-prefixed-rss', `${XMLDECL}<rdf:RDF xmlns:rdf="${NS.rdf}" xmlns:rss="http://purl.org/rss/1.0/"><rss:channel rdf:about="x"><rss:title>c</rss:title></rss:channel><rss:item rdf:about="${link(1)}"><rss:title>Prefixed RSS 1.0</rss:title><rss:link>${link(1)}</rss:link></rss:item></rdf:RDF>\n`, { title: 'Prefixed RSS 1.0', link: link(1) }],
  ['rss20-content-encoded', `${XMLDECL}<rss version="2.0" xmlns:c="${NS.content}"><channel><title>c</title><item><title>With content</title><link>${link(1)}</link><c:encoded><![CDATA[<p>Body</p>]]></c:encoded></item></channel></rss>\n`, { title: 'With content', link: link(1) }],
  ['rss20-foreign-elements', `${XMLDECL}<rss version="2.0" xmlns:x="urn:x"><channel><title>c</title><item><x:title>Not this</x:title><title>This one</title><link>${link(1)}</link><x:link>${link('x')}</x:link></item></channel></rss>\n`, { title: 'This one', link: link(1) }],
  ['rss20-dcterms-odd-prefix', `${XMLDECL}<rss version="2.0" xmlns:t="${NS.dcterms}"><channel><title>c</title><item><title>t</title><link>${link(1)}</link><t:issued>2024-01-01T08:00:00Z</t:issued></item></channel></rss>\n`, { title: 't', link: link(1), date: '2024-01-01T08:00:00.000Z' }],
  ['atom10-dc-creator', `${XMLDECL}<feed xmlns="${NS.atom}" xmlns:dc="${NS.dc}"><title>c</title><id>urn:f</id><updated>2024-01-01T00:00:00Z</updated><entry><id>urn:1</id><title>t</title><link href="${link(1)}"/><updated>2024-01-01T08:00:00Z</updated><dc:creator>Dee Creator</dc:creator></entry></feed>\n`, { title: 't', link: link(1), authors: ['Dee Creator'] }],
  ['rss20-xhtml-body', `${XMLDECL}<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>c</title><item><title>Body in XHTML</title><link>${link(1)}</link><xhtml:body><xhtml:p>Hi</xhtml:p></xhtml:body></item></channel></rss>\n`, { title: 'Body in XHTML', link: link(1) }],
  ['rss090-default-ns', rssDoc('rss090', [`<title>RSS 0.90 item</title><link>${link(1)}</link>`]), { title: 'RSS 0.90 item', link: link(1) }],
  ['rdf-prefixed-root', `${XMLDECL}<RDF:RDF xmlns:RDF="${NS.rdf}" xmlns="http://purl.org/rss/1.0/"><channel RDF:about="x"><title>c</title></channel><item RDF:about="${link(1)}"><title>Odd RDF prefix</title><link>${link(1)}</link></item></RDF:RDF>\n`, { title: 'Odd RDF prefix', link: link(1) }],
];
for (const [name, body, entry] of NS_CASES) {
  add(`ns-${name}`, 'xml', body, { description: `namespaces: ${name}`, count: 1, entries: [entry] });
}

// ---- authors --------------------------------------------------------------------------------------

const AUTHOR_CASES: [string, string, string[], string?][] = [
  ['rss20-email-paren', rssDoc('rss20', [`<title>t</title><link>${link(1)}</link><author>ann@example.com (Ann Writer)</author>`]), ['Ann Writer']],
  ['rss20-email-only', rssDoc('rss20', [`<title>t</title><link>${link(1)}</link><author>ann@example.com</author>`]), []],
  ['rss20-dc-creator', rssDoc('rss20', [`<title>t</title><link>${link(1)}</link><dc:creator>吴刚</dc:creator>`]), ['吴刚']],
  ['rss20-two-dc-creators', rssDoc('rss20', [`<title>t</title><link>${link(1)}</link><dc:creator>One</dc:creator><dc:creator>Two</dc:creator>`]), ['One', 'Two']],
  ['rss10-dc-creator', rssDoc('rss10', [`<title>t</title><link>${link(1)}</link><dc:creator>RDF Author</dc:creator>`]), ['RDF Author']],
  ['atom10-author', atomDoc('atom10', [`<id>urn:1</id><title>t</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated><author><name>Atom Author</name><email>a@example.com</email></author>`]), ['Atom Author']],
  ['atom10-two-authors', atomDoc('atom10', [`<id>urn:1</id><title>t</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated><author><name>First</name></author><author><name>Second</name></author>`]), ['First', 'Second']],
  ['atom10-feed-author-inherited', atomDoc('atom10', [`<id>urn:1</id><title>t</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated>`], { feed: '<title>c</title><id>urn:f</id><updated>2024-01-01T00:00:00Z</updated><author><name>Feed Author</name></author>' }), ['Feed Author'], 'RFC 4287 §4.2.1: an entry without an author has the feed\'s; Universal Feed Parser leaves the entry without'],
  ['atom03-author', atomDoc('atom03', [`<id>urn:1</id><title>t</title>${atomLink(1)}<issued>2024-01-01T00:00:00Z</issued><author><name>Old Atom</name></author>`]), ['Old Atom']],
  ['json11-authors', jsonDoc('1.1', [{ id: '1', url: link(1), title: 't', content_text: 'x', authors: [{ name: 'Jay Son' }, { name: 'Jo Son' }] }]), ['Jay Son', 'Jo Son']],
  ['json10-author', jsonDoc('1', [{ id: '1', url: link(1), title: 't', content_text: 'x', author: { name: 'Old Json' } }]), ['Old Json']],
];
for (const [name, body, authors, choice] of AUTHOR_CASES) {
  add(`author-${name}`, name.startsWith('json') ? 'json' : 'xml', body, {
    description: `authors: ${name}`,
    count: 1,
    entries: [{ link: link(1), authors }],
    ...(choice && { choices: { authors: choice } }),
  });
}

// ---- encodings ------------------------------------------------------------------------------------

const ENC_TITLE = 'Café “quoted” — naïve';
function encoded(format: 'rss20' | 'atom10', label: string, bytes: (doc: string) => Buffer, title = ENC_TITLE): Buffer {
  const decl = label === '' ? '' : `<?xml version="1.0" encoding="${label}"?>\n`;
  const doc = format === 'rss20' ? rssDoc('rss20', [`<title>${title}</title><link>${link(1)}</link>`], { decl }) : atomDoc('atom10', [`<id>urn:1</id><title>${title}</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated>`], { decl });
  return bytes(doc);
}
for (const format of ['rss20', 'atom10'] as const) {
  const enc: [string, Buffer, string, string?, Record<string, string>?][] = [
    ['utf8', encoded(format, 'utf-8', (d) => Buffer.from(d, 'utf8')), ENC_TITLE],
    ['utf8-bom', encoded(format, 'utf-8', (d) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(d, 'utf8')])), ENC_TITLE],
    ['utf8-undeclared', encoded(format, '', (d) => Buffer.from(d, 'utf8')), ENC_TITLE],
    ['utf16le-bom', encoded(format, 'utf-16', (d) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(d, 'utf16le')])), ENC_TITLE],
    ['windows-1252', encoded(format, 'windows-1252', (d) => iconv.encode(d, 'windows-1252')), ENC_TITLE],
    ['iso-8859-1-real', encoded(format, 'ISO-8859-1', (d) => iconv.encode(d, 'latin1'), 'Café naïve'), 'Café naïve'],
    ['iso-8859-1-with-1252-quotes', encoded(format, 'ISO-8859-1', (d) => iconv.encode(d, 'windows-1252')), ENC_TITLE],
    ['iso-8859-1-declared-utf8-bytes', encoded(format, 'ISO-8859-1', (d) => Buffer.from(d, 'utf8')), ENC_TITLE],
    ['gbk', encoded(format, 'GBK', (d) => iconv.encode(d, 'gbk'), '钢铁新闻 宝钢'), '钢铁新闻 宝钢'],
    ['gb2312-label-gbk-bytes', encoded(format, 'gb2312', (d) => iconv.encode(d, 'gbk'), '镕钢铁'), '镕钢铁'],
    ['shift-jis', encoded(format, 'Shift_JIS', (d) => iconv.encode(d, 'shift_jis'), '鉄鋼ニュース'), '鉄鋼ニュース'],
    ['koi8-r', encoded(format, 'KOI8-R', (d) => iconv.encode(d, 'koi8-r'), 'Новости стали'), 'Новости стали'],
    ['shift-jis-declared-utf8-bytes', encoded(format, 'Shift_JIS', (d) => Buffer.from(d, 'utf8'), '钢铁 — ü'), '钢铁 — ü'],
  ];
  for (const [name, body, title, , choices] of enc) {
    add(`encoding-${format}-${name}`, 'xml', body, {
      description: `${format}: ${name}`,
      count: 1,
      entries: [{ title, link: link(1) }],
      ...(choices && { choices }),
    });
  }
  add(`encoding-${format}-http-charset`, 'xml', encoded(format, '', (d) => iconv.encode(d, 'windows-1252')), {
    description: `${format}: charset given only by HTTP Content-Type`,
    contentType: 'application/xml; charset=windows-1252',
    count: 1,
    entries: [{ title: ENC_TITLE, link: link(1) }],
  });
}

// ---- entities, CDATA, markup in content -------------------------------------------------------------

const CONTENT_CASES: [string, string, string][] = [
  ['rss20-bare-ampersand-title', rssDoc('rss20', [`<title>AT&T and R&D</title><link>${link(1)}</link>`]), 'AT&T and R&D'],
  ['rss20-bare-ampersand-link', rssDoc('rss20', [`<title>t</title><link>${link('a?x=1&y=2')}</link>`]), 't'],
  ['rss20-eacute-entity', rssDoc('rss20', [`<title>Caf&eacute;</title><link>${link(1)}</link>`]), 'Café'],
  ['rss20-description-cdata', rssDoc('rss20', [`<title>Has CDATA body</title><link>${link(1)}</link><description><![CDATA[<p>Para &amp; more</p>]]></description>`]), 'Has CDATA body'],
  ['rss20-description-naked-html', rssDoc('rss20', [`<title>Naked body</title><link>${link(1)}</link><description><p>Para <b>bold</b></p></description>`]), 'Naked body'],
  ['rss20-comment-in-title', rssDoc('rss20', [`<title>Before<!-- hidden --> after</title><link>${link(1)}</link>`]), 'Before after'],
  ['rss20-split-cdata', rssDoc('rss20', [`<title>One <![CDATA[two]]> three</title><link>${link(1)}</link>`]), 'One two three'],
  ['rss20-gt-in-text', rssDoc('rss20', [`<title>a > b</title><link>${link(1)}</link>`]), 'a > b'],
  ['rss20-quote-entities', rssDoc('rss20', [`<title>&quot;Quoted&quot; &apos;text&apos;</title><link>${link(1)}</link>`]), '"Quoted" \'text\''],
  ['rss20-astral-char-ref', rssDoc('rss20', [`<title>Smile &#x1F600;</title><link>${link(1)}</link>`]), 'Smile 😀'],
  ['atom10-content-xhtml', atomDoc('atom10', [`<id>urn:1</id><title>XHTML content</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body</p></div></content>`]), 'XHTML content'],
  ['atom10-summary-html', atomDoc('atom10', [`<id>urn:1</id><title>HTML summary</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated><summary type="html">&lt;p&gt;Sum&lt;/p&gt;</summary>`]), 'HTML summary'],
  ['atom10-content-out-of-line', atomDoc('atom10', [`<id>urn:1</id><title>Out of line</title>${atomLink(1)}<updated>2024-01-01T00:00:00Z</updated><content src="${link('c')}" type="text/html"/>`]), 'Out of line'],
  ['atom03-content-escaped', atomDoc('atom03', [`<id>urn:1</id><title>Escaped content</title>${atomLink(1)}<issued>2024-01-01T00:00:00Z</issued><content type="text/html" mode="escaped">&lt;p&gt;Body&lt;/p&gt;</content>`]), 'Escaped content'],
  ['atom03-content-multipart', atomDoc('atom03', [`<id>urn:1</id><title>Multipart</title>${atomLink(1)}<issued>2024-01-01T00:00:00Z</issued><content type="multipart/alternative"><content type="text/plain">Plain</content></content>`]), 'Multipart'],
];
for (const [name, body, title] of CONTENT_CASES) {
  const choices: Record<string, string> = {};
  if (name === 'rss20-bare-ampersand-title') choices.title = 'a bare & (not well-formed XML) is read as the ampersand its author meant; Universal Feed Parser\'s loose parser makes "AT&T;" of it';
  add(`content-${name}`, 'xml', body, {
    description: `entities, CDATA and markup: ${name}`,
    count: 1,
    entries: [{ title, link: name === 'rss20-bare-ampersand-link' ? link('a?x=1&y=2') : link(1) }],
    ...(Object.keys(choices).length > 0 && { choices }),
  });
}

// ---- write --------------------------------------------------------------------------------------

export function writeCases(): number {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (const c of cases) {
    const file = `${c.name}.${c.ext}`;
    const { description, ...rest } = c.expected;
    const expected: Expected = { description, url: `${BASE_URL}${file}`, ...rest };
    writeFileSync(path.join(OUT, file), c.body);
    writeFileSync(path.join(OUT, `${c.name}.expected.json`), `${JSON.stringify(expected, null, 2)}\n`);
  }
  return readdirSync(OUT).filter((f) => !f.endsWith('.expected.json')).length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(`conformance: wrote ${writeCases()} documents to ${path.relative(process.cwd(), OUT)}\n`);
}
