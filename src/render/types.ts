// The types every renderer shares: what a format is and the context a document is rendered in. A
// module of its own so that the format registry (index.ts) and the renderers do not import each other.

import type { Channel, GrantContent, Item, License } from '../model.js';

export type FormatId = 'rss' | 'atom' | 'json';

export interface RenderContext {
  /** Public origin, no trailing slash, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** Used only as the feed's date when there are no items; renderers never read the clock. */
  now: Date;
  licenses: ReadonlyMap<string, License>;
  /** Set for a partner feed only: whom it is delivered to, under which grant. Absent, the public feed is rendered. */
  delivery?: Delivery;
  /** Links the document carries besides self and alternate. */
  links?: FeedLinks;
  /** Set when the document is an RFC 5005 archive of one calendar month (YYYY-MM); its self link carries ?page=. */
  page?: string;
  /** With `page`: which of the month's archive documents this is (1, the newest, when absent); from 2
   *  on, its self link carries &part=N, the address it is served at. */
  part?: number;
}

/** Discovery and navigation links of a feed document (absolute URLs; the stylesheet may be root-relative). */
export interface FeedLinks {
  /** WebSub hub readers may subscribe at (rel="hub"). */
  hub?: string;
  /** XSL stylesheet that lets a browser show an RSS or Atom document as a page. */
  stylesheet?: string;
  /** RFC 5005: the newest archive document older than this one. */
  prevArchive?: string;
  /** RFC 5005, on archive documents: the next newer archive. */
  nextArchive?: string;
  /** RFC 5005, on archive documents: the current (subscription) document. */
  current?: string;
}

/** A partner delivery: every item then names the grant (reprint:grant, `_grant`) and self links point at /partner/feeds. */
export interface Delivery {
  /** Partner id. */
  partner: string;
  grantId: string;
  content: GrantContent;
  /** ISO 8601 UTC instant at which the grant ends. */
  until?: string;
}

export interface Format {
  id: FormatId;
  extension: string;
  contentType: string;
  /** Same input, same bytes. Throws `render: …` naming the item or channel and field it cannot render. */
  render(channel: Channel, items: readonly Item[], ctx: RenderContext): string;
  /** render's document as UTF-8 (the same bytes as Buffer.from(render(…))), which is what is served and
   *  cached; the XML formats write it without making the text first (xml.ts). */
  renderBytes(channel: Channel, items: readonly Item[], ctx: RenderContext): Buffer;
}
