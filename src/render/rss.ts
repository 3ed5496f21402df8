// RSS 2.0 (https://www.rssboard.org/rss-specification), written with the builder in xml.ts. Besides
// the core elements each item carries its credits (one dc:creator naming every author, never
// <author>), dc:contributor, <source>, dc:rights, creativeCommons:license, dcterms:modified and the
// reprint elements; the channel carries its license next to <copyright> and the feed-level links.

import type { Channel, Item } from '../model.js';
import type { Delivery, Format, RenderContext } from './types.js';
import { RSS_NAMESPACES } from './namespaces.js';
import { type EntryView, type FeedView, feedUrl, prepare } from './prepare.js';
import { GENERATOR, navigationLinks } from './links.js';
import { perLicense, reprintElements } from './reprint-xml.js';
import { AUTHOR_SEPARATOR } from './rights.js';
import { escapeMarkup } from '../text.js';
import { type Block, type Xml, type XmlDocument, block, cdata, el, xmlRenderers } from './xml.js';

const RSS_DOCS = 'https://www.rssboard.org/rss-specification';

/** Writes the items of one document. The elements that depend only on an item's license (dc:rights,
 *  creativeCommons:license, reprint:terms) or on the delivery are built once per document. */
function itemWriter(delivery: Delivery | undefined): (e: EntryView) => Block {
  const reprint = reprintElements(delivery);
  const licenseParts = perLicense((license) => ({
    rights: el('dc:rights', {}, license.statement),
    url: el('creativeCommons:license', {}, license.url),
  }));
  return (e) => {
    const { rights } = e;
    const sourceUrl = rights.source.url ?? e.link;
    const license = licenseParts(rights.license);
    return block('item', {}, [
      el('title', {}, cdata(e.item.title)),
      // No <link> for an item without one; RSS needs only a title or a description.
      e.link === undefined ? undefined : el('link', {}, e.link),
      el('guid', { isPermaLink: 'false' }, e.guid),
      // An item whose publication date is unknown has no pubDate rather than an invented one.
      e.published === undefined ? undefined : el('pubDate', {}, e.published.toUTCString()),
      // RSS readers treat description as HTML; the escaped plain text displays as written.
      e.summary === undefined ? undefined : el('description', {}, cdata(escapeMarkup(e.summary))),
      e.contentHtml === undefined ? undefined : el('content:encoded', {}, cdata(e.contentHtml)),
      ...e.categories.map((name) => el('category', {}, name)),
      // One dc:creator with every name: newsboat keeps only the last of several, sfeed only the first,
      // feedparser's `author` the last; a joined list is shown whole by all of them. No author, no element.
      rights.authors.length === 0 ? undefined : el('dc:creator', {}, rights.authors.join(AUTHOR_SEPARATOR)),
      rights.editor === undefined ? undefined : el('dc:contributor', {}, rights.editor),
      // RSS requires <source url>; without an outlet URL the item's own link is the best available, and
      // without either there is no <source> (the attribution line still names the outlet).
      sourceUrl === undefined ? undefined : el('source', { url: sourceUrl }, rights.source.name),
      license.rights,
      license.url,
      // Readers get a date even for items whose publication date is unknown (which have no pubDate).
      el('dcterms:modified', {}, e.updated.toISOString()),
      ...reprint(rights, e.publishedLocal),
    ]);
  };
}

function rssDocument(channel: Channel, items: readonly Item[], ctx: RenderContext): XmlDocument {
  const view: FeedView = prepare(channel, items, ctx);
  const { title, description, language } = view.channel;
  const channelChildren: Array<Xml | Block | undefined> = [
    el('title', {}, title),
    el('link', {}, view.homeUrl),
    el('description', {}, description),
    el('lastBuildDate', {}, view.updated.toUTCString()),
    el('docs', {}, RSS_DOCS),
    el('generator', {}, GENERATOR),
    language === '' ? undefined : el('language', {}, language),
    el('copyright', {}, view.rights.statement),
    el('creativeCommons:license', {}, view.rights.url),
    ...navigationLinks(view, 'atom:link'),
    el('atom:link', { href: feedUrl(view, rss.extension), rel: 'self', type: 'application/rss+xml' }),
    ...view.entries.map(itemWriter(view.delivery)),
  ];
  // Every namespace is declared once, on the root, whether or not this document uses it.
  const namespaces = Object.fromEntries(Object.entries(RSS_NAMESPACES).map(([prefix, uri]) => [`xmlns:${prefix}`, uri]));
  const root = block('rss', { version: '2.0', ...namespaces }, [block('channel', {}, channelChildren)]);
  return { root, stylesheet: view.links.stylesheet };
}

export const rss: Format = {
  id: 'rss',
  extension: 'rss',
  contentType: 'application/rss+xml; charset=utf-8',
  ...xmlRenderers(rssDocument),
};
