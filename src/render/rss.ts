// RSS 2.0. `feed` generates the document; what it lacks or gets wrong is added through Slots:
// credits (one dc:creator naming every author, never <author>), dc:contributor, <source>, dc:rights,
// creativeCommons:license, dcterms:modified and the reprint elements go in one carrier element per
// item, the channel's license next to <copyright>, and every CDATA payload is split by us.

import { Feed, type Item as FeedItem } from 'feed';
import type { Channel, Item } from '../model.js';
import { GENERATOR, feedText } from './feed-input.js';
import type { Delivery, Format, RenderContext } from './types.js';
import { RSS_NAMESPACES } from './namespaces.js';
import { type EntryView, type FeedView, feedUrl, prepare } from './prepare.js';
import { navigationLinks, withStylesheet } from './links.js';
import { reprintElements } from './reprint-xml.js';
import { AUTHOR_SEPARATOR } from './rights.js';
import { htmlEscape } from '../text.js';
import { Slots, type Xml, el, escapeAttr } from './xml.js';

const RSS_DOCS = 'https://www.rssboard.org/rss-specification';

// The carrier's name never reaches the output: Slots replaces the whole element.
const CARRIER = 'reprint:carrier';

/** Credits, rights and terms of one item, in the order they appear after feed's own elements. */
function itemExtensions(e: EntryView, delivery: Delivery | undefined): Xml[] {
  const { rights } = e;
  const sourceUrl = rights.source.url ?? e.link;
  return [
    // One dc:creator with every name: newsboat keeps only the last of several, sfeed only the first,
    // feedparser's `author` the last; a joined list is shown whole by all of them. No author, no element.
    rights.authors.length === 0 ? undefined : el('dc:creator', {}, rights.authors.join(AUTHOR_SEPARATOR)),
    rights.editor === undefined ? undefined : el('dc:contributor', {}, rights.editor),
    // RSS requires <source url>; without an outlet URL the item's own link is the best available, and
    // without either there is no <source> (the attribution line still names the outlet).
    sourceUrl === undefined ? undefined : el('source', { url: sourceUrl }, rights.source.name),
    el('dc:rights', {}, rights.license.statement),
    el('creativeCommons:license', {}, rights.license.url),
    // Readers get a date even for items whose publication date is unknown (which have no pubDate).
    el('dcterms:modified', {}, e.updated.toISOString()),
    ...reprintElements(rights, delivery, e.publishedLocal),
  ].filter((x): x is Xml => x !== undefined);
}

function feedItem(e: EntryView, slots: Slots, delivery: Delivery | undefined): FeedItem {
  // feed 6.0.0 writes pubDate from `published`, else from `date`, and only when one is set; leaving
  // both out for an undated item is how pubDate is omitted rather than invented. `date` is typed as
  // required but read by the RSS writer only through that guard, hence the cast below. `link` is
  // typed as required too, and likewise written only when set.
  const entry: Omit<FeedItem, 'date' | 'link'> & { date?: Date; link?: string } = {
    title: slots.cdata(e.item.title),
    // No <link> for an item without one (feed writes <link> only when set); RSS needs title or description.
    ...(e.link !== undefined && { link: e.link }),
    guid: feedText(e.guid),
    ...(e.published !== undefined && { date: e.published, published: e.published }),
    // RSS readers treat description as HTML; the escaped plain text displays as written.
    ...(e.summary !== undefined && { description: slots.cdata(htmlEscape(e.summary)) }),
    ...(e.contentHtml !== undefined && { content: slots.cdata(e.contentHtml) }),
    category: e.categories.map((name) => ({ name: feedText(name) })),
    extensions: [{ name: CARRIER, objects: { _text: slots.element(itemExtensions(e, delivery)) } }],
  };
  return entry as FeedItem;
}

function rssRootTag(): string {
  const declarations = Object.entries(RSS_NAMESPACES)
    .map(([prefix, uri]) => ` xmlns:${prefix}="${escapeAttr(uri)}"`)
    .join('');
  return `<rss version="2.0"${declarations}>`;
}

function renderRss(channel: Channel, items: readonly Item[], ctx: RenderContext): string {
  const view: FeedView = prepare(channel, items, ctx);
  const slots = new Slots();
  const feed = new Feed({
    title: feedText(view.channel.title),
    description: feedText(view.channel.description),
    link: view.homeUrl,
    language: feedText(view.channel.language),
    updated: view.updated,
    generator: GENERATOR,
    docs: RSS_DOCS,
    feedLinks: { rss: feedUrl(view, rss.extension) },
    copyright: slots.element([
      el('copyright', {}, view.rights.statement),
      el('creativeCommons:license', {}, view.rights.url),
      ...navigationLinks(view, 'atom:link'),
    ]),
  });
  for (const e of view.entries) feed.addItem(feedItem(e, slots, view.delivery));
  // feed declares only the namespaces it uses itself, and only sometimes; declare ours once, on the root.
  const doc = feed.rss2().replace(/<rss\b[^>]*>/, rssRootTag());
  return withStylesheet(slots.fill(doc), view);
}

export const rss: Format = {
  id: 'rss',
  extension: 'rss',
  contentType: 'application/rss+xml; charset=utf-8',
  render: renderRss,
};
