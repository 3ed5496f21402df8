// The feed-level links every XML format carries the same way: the WebSub hub (rel="hub"), RFC 5005
// archive navigation (prev-archive, next-archive, current, and fh:archive on an archive document),
// and the stylesheet processing instruction browsers use to show a feed as a page.

import type { FeedView } from './prepare.js';
import { type Xml, el, escapeAttr } from './xml.js';

/** Feed-level link elements, written as `tag` (`atom:link` inside RSS, `link` in Atom). */
export function navigationLinks(view: FeedView, tag: 'atom:link' | 'link'): Xml[] {
  const { hub, prevArchive, nextArchive, current } = view.links;
  return [
    hub === undefined ? undefined : el(tag, { rel: 'hub', href: hub }),
    current === undefined ? undefined : el(tag, { rel: 'current', href: current }),
    prevArchive === undefined ? undefined : el(tag, { rel: 'prev-archive', href: prevArchive }),
    nextArchive === undefined ? undefined : el(tag, { rel: 'next-archive', href: nextArchive }),
    view.page === undefined ? undefined : el('fh:archive'),
  ].filter((x): x is Xml => x !== undefined);
}

/** The document with an xml-stylesheet processing instruction after its XML declaration, when one is set. */
export function withStylesheet(doc: string, view: FeedView): string {
  const href = view.links.stylesheet;
  if (href === undefined) return doc;
  return doc.replace(/^<\?xml[^?]*\?>/, (declaration) => `${declaration}\n<?xml-stylesheet type="text/xsl" href="${escapeAttr(href)}"?>`);
}
