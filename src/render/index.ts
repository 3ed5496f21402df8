// The format registry. A format is a pure function from a channel, its items (newest first, rendered
// in the given order) and a context to a document; adding one is a renderer module plus one line in
// `formats`.

import type { Channel, Item, License } from '../model.js';
import { atom } from './atom.js';
import { json } from './json.js';
import { rss } from './rss.js';

export type FormatId = 'rss' | 'atom' | 'json';

export interface RenderContext {
  /** Public origin, no trailing slash, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** Used only as the feed's date when there are no items; renderers never read the clock. */
  now: Date;
  licenses: ReadonlyMap<string, License>;
}

export interface Format {
  id: FormatId;
  extension: string;
  contentType: string;
  /** Same input, same bytes. Throws `render: …` naming the item or channel and field it cannot render. */
  render(channel: Channel, items: readonly Item[], ctx: RenderContext): string;
}

export const formats: Readonly<Record<FormatId, Format>> = Object.freeze({ rss, atom, json });

export function isFormatId(s: string): s is FormatId {
  return Object.prototype.hasOwnProperty.call(formats, s);
}

export { REPRINT_NS } from './namespaces.js';
export { attributionLine, licenseUrl, publicItem } from './rights.js';
