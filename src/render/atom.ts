// Atom 1.0 (RFC 4287, license links per RFC 4946). `feed` generates the document but has no extension
// support in Atom, so everything it cannot write travels in the rights carrier: each entry's
// <rights> is replaced by rights, categories (feed cannot escape `<` in a term), the via and license
// links, <source> and the reprint elements; the feed's <rights> gains its license link the same way.

import { Feed, type Item as FeedItem } from 'feed';
import type { Channel, Item } from '../model.js';
import { GENERATOR, feedText } from './feed-input.js';
import type { Delivery, Format, RenderContext } from './types.js';
import { navigationLinks, withStylesheet } from './links.js';
import { ATOM_NS, FH_NS, REPRINT_NS } from './namespaces.js';
import { type EntryView, type FeedView, feedUrl, prepare } from './prepare.js';
import { reprintElements } from './reprint-xml.js';
import { AUTHOR_SEPARATOR, type SourceView } from './rights.js';
import { Slots, type Xml, el, escapeAttr } from './xml.js';

/**
 * atom:source (RFC 4287 §4.2.11). We do not keep the source feed's own updated time; the entry's is
 * the latest change of the source we know of, and a source without <updated> draws a validator warning.
 */
function sourceElement(source: SourceView, updated: Date): Xml {
  return el(
    'source',
    {},
    el('id', {}, source.id),
    el('title', {}, source.name),
    source.url === undefined ? undefined : el('link', { rel: 'alternate', href: source.url }),
    el('updated', {}, updated.toISOString()),
  );
}

/** What follows feed's own elements in an entry, starting with the <rights> the carrier replaces. */
function entryExtensions(e: EntryView, delivery: Delivery | undefined): Xml[] {
  const { rights } = e;
  // An entry without an alternate link gets no via link either: readers such as rss-parser take an
  // entry's first link of any rel as its address, and the outlet is still named in <source>.
  const via = e.link !== undefined && rights.source.url !== undefined && rights.source.url !== e.link ? rights.source.url : undefined;
  return [
    el('rights', {}, rights.license.statement),
    ...e.categories.map((term) => el('category', { term })),
    via === undefined ? undefined : el('link', { rel: 'via', href: via }),
    el('link', { rel: 'license', href: rights.license.url }),
    sourceElement(rights.source, e.updated),
    ...reprintElements(rights, delivery, e.publishedLocal),
  ].filter((x): x is Xml => x !== undefined);
}

function feedItem(e: EntryView, slots: Slots, delivery: Delivery | undefined): FeedItem {
  // feed types `link` as required; its Atom writer copes with none (see the removal in renderAtom).
  const entry: Omit<FeedItem, 'link'> & { link?: string } = {
    // feed writes Atom titles and summaries as type="html"; renderAtom relabels them type="text", so
    // readers show "A & B" as typed rather than an HTML-escaped "A &amp; B".
    title: slots.cdata(e.item.title),
    id: e.guid,
    // An item without a link gets no alternate link (RFC 4287 requires one only of an entry without
    // content); feed 6.0.0 still writes an empty <link/> for it, removed in renderAtom.
    ...(e.link !== undefined && { link: e.link }),
    date: e.updated,
    ...(e.published !== undefined && { published: e.published }),
    ...(e.summary !== undefined && { description: slots.cdata(e.summary) }),
    ...(e.contentHtml !== undefined && { content: slots.cdata(e.contentHtml) }),
    // One author element naming every author, for the reason given in rss.ts. An entry that names none
    // has no author element and inherits the feed's (RFC 4287 §4.2.1), never its source outlet.
    ...(e.rights.authors.length > 0 && { author: [{ name: feedText(e.rights.authors.join(AUTHOR_SEPARATOR)) }] }),
    ...(e.rights.editor !== undefined && { contributor: [{ name: feedText(e.rights.editor) }] }),
    copyright: slots.element(entryExtensions(e, delivery)),
  };
  return entry as FeedItem;
}

function renderAtom(channel: Channel, items: readonly Item[], ctx: RenderContext): string {
  const view: FeedView = prepare(channel, items, ctx);
  const slots = new Slots();
  const feed = new Feed({
    id: feedText(view.pageUrl),
    title: feedText(view.channel.title),
    description: feedText(view.channel.description),
    link: view.homeUrl,
    feed: feedUrl(view, atom.extension),
    updated: view.updated,
    generator: GENERATOR,
    // Atom requires an author on every entry or on the feed; the feed's is the channel that compiles
    // the entries, so an entry without its own author is not attributed to anyone's outlet.
    author: { name: feedText(view.channel.title) },
    copyright: slots.element([
      el('rights', {}, view.rights.statement),
      el('link', { rel: 'license', href: view.rights.url }),
      ...navigationLinks(view, 'link'),
    ]),
  });
  for (const e of view.entries) feed.addItem(feedItem(e, slots, view.delivery));
  const doc = feed
    .atom1()
    .replace(
      `<feed xmlns="${ATOM_NS}">`,
      `<feed xmlns="${ATOM_NS}" xmlns:fh="${FH_NS}" xmlns:reprint="${REPRINT_NS}" xml:lang="${escapeAttr(view.channel.language)}">`,
    )
    // feed writes each entry's link without rel (alternate by default); say so explicitly. Every other
    // link feed writes starts with rel, and user text is still escaped or tokenized at this point.
    .replace(/<link href="/g, '<link rel="alternate" href="')
    // …and an empty <link/> for an entry without a link: an entry with no alternate link has none.
    .replace(/\n[ \t]*<link\/>/g, '')
    // Titles and summaries are plain text in our model (see feedItem).
    .replace(/<(title|summary) type="html">/g, '<$1 type="text">');
  return withStylesheet(slots.fill(doc), view);
}

export const atom: Format = {
  id: 'atom',
  extension: 'atom',
  contentType: 'application/atom+xml; charset=utf-8',
  render: renderAtom,
};
