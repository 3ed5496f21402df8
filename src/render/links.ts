// What the XML formats share at feed level: the generator name, the WebSub hub (rel="hub") and RFC 5005
// archive navigation (prev-archive, next-archive, current, and fh:archive on an archive document).
// The stylesheet processing instruction is written by the document writer (xml.ts).

import type { FeedView } from './prepare.js';
import { type Xml, el } from './xml.js';

/** Generator name both XML formats announce. */
export const GENERATOR = 'Syndicator';

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
