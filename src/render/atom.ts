// Atom 1.0 (RFC 4287, license links per RFC 4946), written with the builder in xml.ts. Titles and
// summaries are plain text in our model, so they are type="text"; content is HTML.

import type { Channel, Item } from '../model.js';
import type { Delivery, Format, RenderContext } from './types.js';
import { GENERATOR, navigationLinks } from './links.js';
import { ATOM_NS, FH_NS, REPRINT_NS } from './namespaces.js';
import { type EntryView, type FeedView, feedUrl, prepare } from './prepare.js';
import { perLicense, reprintElements } from './reprint-xml.js';
import { AUTHOR_SEPARATOR, type SourceView } from './rights.js';
import { type Block, type Xml, type XmlDocument, block, cdata, el, xmlRenderers } from './xml.js';

/**
 * atom:source (RFC 4287 §4.2.11). We do not keep the source feed's own updated time; the entry's is
 * the latest change of the source we know of (`updated` is the entry's own <updated>), and a source
 * without <updated> draws a validator warning.
 */
function sourceElement(source: SourceView, updated: Xml): Xml {
  return el(
    'source',
    {},
    el('id', {}, source.id),
    el('title', {}, source.name),
    source.url === undefined ? undefined : el('link', { rel: 'alternate', href: source.url }),
    updated,
  );
}

/** A person construct (RFC 4287 §3.2): `<author>` or `<contributor>` with its name. */
function person(tag: 'author' | 'contributor', name: string): Block {
  return block(tag, {}, [el('name', {}, name)]);
}

/** Writes the entries of one document. The elements that depend only on an entry's license (rights,
 *  the license link, reprint:terms) or on the delivery are built once per document. */
function entryWriter(delivery: Delivery | undefined): (e: EntryView) => Block {
  const reprint = reprintElements(delivery);
  const licenseParts = perLicense((license) => ({
    rights: el('rights', {}, license.statement),
    link: el('link', { rel: 'license', href: license.url }),
  }));
  return (e) => {
    const { rights } = e;
    // An entry without an alternate link gets no via link either: readers such as rss-parser take an
    // entry's first link of any rel as its address, and the outlet is still named in <source>.
    const via = e.link !== undefined && rights.source.url !== undefined && rights.source.url !== e.link ? rights.source.url : undefined;
    const updated = el('updated', {}, e.updated.toISOString());
    const license = licenseParts(rights.license);
    return block('entry', {}, [
      el('title', { type: 'text' }, cdata(e.item.title)),
      el('id', {}, e.guid),
      // An item without a link gets no alternate link (RFC 4287 requires one only of an entry without content).
      e.link === undefined ? undefined : el('link', { rel: 'alternate', href: e.link }),
      updated,
      e.summary === undefined ? undefined : el('summary', { type: 'text' }, cdata(e.summary)),
      e.contentHtml === undefined ? undefined : el('content', { type: 'html' }, cdata(e.contentHtml)),
      // One author element naming every author, for the reason given in rss.ts. An entry that names none
      // has no author element and inherits the feed's (RFC 4287 §4.2.1), never its source outlet.
      rights.authors.length === 0 ? undefined : person('author', rights.authors.join(AUTHOR_SEPARATOR)),
      rights.editor === undefined ? undefined : person('contributor', rights.editor),
      e.published === undefined ? undefined : el('published', {}, e.published.toISOString()),
      license.rights,
      ...e.categories.map((term) => el('category', { term })),
      via === undefined ? undefined : el('link', { rel: 'via', href: via }),
      license.link,
      sourceElement(rights.source, updated),
      ...reprint(rights, e.publishedLocal),
    ]);
  };
}

function atomDocument(channel: Channel, items: readonly Item[], ctx: RenderContext): XmlDocument {
  const view: FeedView = prepare(channel, items, ctx);
  const { title, description, language } = view.channel;
  const root = block('feed', { xmlns: ATOM_NS, 'xmlns:fh': FH_NS, 'xmlns:reprint': REPRINT_NS, 'xml:lang': language }, [
    el('id', {}, view.pageUrl),
    el('title', {}, title),
    el('updated', {}, view.updated.toISOString()),
    el('generator', {}, GENERATOR),
    // Atom requires an author on every entry or on the feed; the feed's is the channel that compiles
    // the entries, so an entry without its own author is not attributed to anyone's outlet.
    person('author', title),
    el('link', { rel: 'alternate', href: view.homeUrl }),
    el('link', { rel: 'self', href: feedUrl(view, atom.extension) }),
    description === '' ? undefined : el('subtitle', {}, description),
    el('rights', {}, view.rights.statement),
    el('link', { rel: 'license', href: view.rights.url }),
    ...navigationLinks(view, 'link'),
    ...view.entries.map(entryWriter(view.delivery)),
  ]);
  return { root, stylesheet: view.links.stylesheet };
}

export const atom: Format = {
  id: 'atom',
  extension: 'atom',
  contentType: 'application/atom+xml; charset=utf-8',
  ...xmlRenderers(atomDocument),
};
