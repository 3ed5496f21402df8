import { readFile } from 'node:fs/promises';
import type { Channel, Item, License } from '../model.js';
import { attributionLine, licenseUrl } from '../render/rights.js';
import { escapeMarkup } from '../text.js';
import { page } from './html.js';
import { reprintList } from './reprint-list.js';
import type { ReprintReport } from '../store/reprints.js';

export interface PageContext {
  baseUrl: string;
  licenses: ReadonlyMap<string, License>;
  /** Known reprints of each item (by item id), listed under it on the channel page. */
  reprints?: ReadonlyMap<string, readonly ReprintReport[]>;
}

const FEED_TYPES = [
  { ext: 'rss', type: 'application/rss+xml', label: 'RSS' },
  { ext: 'atom', type: 'application/atom+xml', label: 'Atom' },
  { ext: 'json', type: 'application/feed+json', label: 'JSON Feed' },
] as const;

const PERMISSION_LABELS: Record<License['reprint']['permission'], string> = {
  free: 'free to reprint',
  attribution: 'reprint with attribution',
  'written-authorization': 'written authorization needed to reprint',
  prohibited: 'reprinting prohibited',
};

/** `/`: every channel with its feeds, and autodiscovery links for each feed. */
export function indexPage(channels: readonly Channel[], ctx: PageContext): string {
  const head = channels.flatMap((c) => discoveryLinks(c, ctx)).join('\n');
  const cards = channels
    .map(
      (c) => `<section class="card">
<h2><a href="/channels/${escapeMarkup(c.id)}">${escapeMarkup(c.title)}</a></h2>
<p>${escapeMarkup(c.description)}</p>
${feedButtons(c, ctx)}
</section>`,
    )
    .join('\n');
  return page({
    title: 'Syndicator — channels',
    lang: 'en',
    head: `${head}\n<link rel="alternate" type="text/x-opml" title="All channels (OPML)" href="${escapeMarkup(`${ctx.baseUrl}/opml.xml`)}">`,
    body: `<h1>Channels</h1>
<p class="meta">${channels.length} channel${channels.length === 1 ? '' : 's'} · <a href="/opml.xml">OPML of all feeds</a></p>
${cards || '<p>No channel is configured.</p>'}`,
  });
}

/** `/channels/:id`: the latest items with their attribution, the feeds, and the license summary. */
export function channelPage(channel: Channel, items: readonly Item[], ctx: PageContext): string {
  const license = ctx.licenses.get(channel.license);
  const list = items
    .map((item) => {
      const itemLicense = ctx.licenses.get(item.licenseId);
      const a = item.attribution;
      const byline = [
        a.authors.length ? `作者 ${a.authors.join('、')}` : '',
        a.editor ? `编辑 ${a.editor}` : '',
        `来源 ${a.source.name}${a.source.original ? '' : '(转载)'}`,
        item.publishedAt ? `<time datetime="${escapeMarkup(item.publishedAt)}">${escapeMarkup(item.publishedAt.slice(0, 16).replace('T', ' '))} UTC</time>` : '',
      ]
        .filter(Boolean)
        .map((part) => (part.startsWith('<time') ? part : escapeMarkup(part)))
        .join(' · ');
      return `<li class="card">
${item.link === undefined ? `<strong>${escapeMarkup(item.title)}</strong>` : `<a href="${escapeMarkup(item.link)}"><strong>${escapeMarkup(item.title)}</strong></a>`}
<div class="meta">${byline}</div>
${item.summary ? `<p>${escapeMarkup(item.summary)}</p>` : ''}
${itemLicense ? `<div class="meta">License: <a href="${escapeMarkup(licenseUrl(itemLicense, ctx.baseUrl))}">${escapeMarkup(itemLicense.title)}</a> · to reprint, print: <q>${escapeMarkup(attributionLine(item, itemLicense))}</q></div>` : ''}
${reprintList(ctx.reprints?.get(item.id) ?? [])}
</li>`;
    })
    .join('\n');
  return page({
    title: channel.title,
    lang: channel.language,
    head: discoveryLinks(channel, ctx).join('\n'),
    body: `<h1>${escapeMarkup(channel.title)}</h1>
<p>${escapeMarkup(channel.description)}</p>
<p class="meta">Publisher page: <a href="${escapeMarkup(channel.link)}">${escapeMarkup(channel.link)}</a></p>
${feedButtons(channel, ctx)}
${license ? `<div class="terms"><strong>${escapeMarkup(license.title)}</strong> — ${escapeMarkup(PERMISSION_LABELS[license.reprint.permission])}. <a href="/licenses/${escapeMarkup(license.id)}">Full terms</a></div>` : ''}
<h2>Latest items</h2>
${items.length ? `<ul class="items">${list}</ul>` : '<p>No items yet: the first ingest may still be running.</p>'}`,
  });
}

/** `/licenses/:id`: the license document as a person reads it. */
export function licensePage(license: License, ctx: PageContext): string {
  const rows: [string, string][] = [
    ['Holder', license.holder],
    ['Reprinting', PERMISSION_LABELS[license.reprint.permission]],
    ['Public feeds carry', license.publicContent === 'full' ? 'the full text' : 'an excerpt, the link and these terms'],
  ];
  if (license.reprint.attributionTemplate) rows.push(['Attribution to print', license.reprint.attributionTemplate]);
  if (license.reprint.contact) rows.push(['Contact', license.reprint.contact]);
  if (license.url) rows.push(['License URL', license.url]);
  return page({
    title: license.title,
    lang: 'zh-CN',
    head: `<link rel="alternate" type="application/json" href="${escapeMarkup(`${ctx.baseUrl}/licenses/${license.id}.json`)}">\n<link rel="alternate" type="application/ld+json" href="${escapeMarkup(`${ctx.baseUrl}/licenses/${license.id}.jsonld`)}">`,
    body: `<h1>${escapeMarkup(license.title)}</h1>
<blockquote class="terms">${escapeMarkup(license.statement)}</blockquote>
<table>${rows.map(([k, v]) => `<tr><th align="left">${escapeMarkup(k)}</th><td>${escapeMarkup(v)}</td></tr>`).join('')}</table>
<p class="meta">Machine-readable terms: <a href="/licenses/${escapeMarkup(license.id)}.json">/licenses/${escapeMarkup(license.id)}.json</a> · as an ODRL 2.2 policy (JSON-LD): <a href="/licenses/${escapeMarkup(license.id)}.jsonld">/licenses/${escapeMarkup(license.id)}.jsonld</a></p>`,
  });
}

/** `/opml.xml`: OPML 2.0 listing every channel's RSS feed (and its other formats as extra outlines). */
export function opmlDocument(channels: readonly Channel[], ctx: PageContext, now: Date): string {
  const outlines = channels
    .map((c) => {
      const attrs = (ext: string, type: string) =>
        `type="${type}" text="${escapeMarkup(c.title, true)}" title="${escapeMarkup(c.title, true)}" description="${escapeMarkup(c.description, true)}" language="${escapeMarkup(c.language, true)}" htmlUrl="${escapeMarkup(`${ctx.baseUrl}/channels/${c.id}`, true)}" xmlUrl="${escapeMarkup(`${ctx.baseUrl}/feeds/${c.id}.${ext}`, true)}"`;
      return `    <outline ${attrs('rss', 'rss')}/>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>Syndicator channels</title>
    <dateCreated>${now.toUTCString()}</dateCreated>
    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
${outlines}
  </body>
</opml>
`;
}

let namespaceText: Promise<string> | undefined;
let stylesheetText: Promise<string> | undefined;

/** The documentation of our reprint namespace, served at its URI path. */
export function namespaceDocument(): Promise<string> {
  namespaceText ??= readFile(new URL('../../docs/reprint-namespace.md', import.meta.url), 'utf8');
  return namespaceText;
}

/** The XSL stylesheet RSS and Atom documents name, so a browser shows them as a page. */
export function feedStylesheet(): Promise<string> {
  stylesheetText ??= readFile(new URL('../../assets/feed.xsl', import.meta.url), 'utf8');
  return stylesheetText;
}

function discoveryLinks(channel: Channel, ctx: PageContext): string[] {
  return FEED_TYPES.map(
    (f) =>
      `<link rel="alternate" type="${f.type}" title="${escapeMarkup(`${channel.title} (${f.label})`)}" href="${escapeMarkup(`${ctx.baseUrl}/feeds/${channel.id}.${f.ext}`)}">`,
  );
}

function feedButtons(channel: Channel, ctx: PageContext): string {
  return `<p class="feeds">${FEED_TYPES.map((f) => `<a href="${escapeMarkup(`${ctx.baseUrl}/feeds/${channel.id}.${f.ext}`)}">${f.label}</a>`).join('')}</p>`;
}
