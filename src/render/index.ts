// The format registry. A format is a pure function from a channel, its items (newest first, rendered
// in the given order) and a context to a document; adding one is a renderer module plus one line in
// `formats`.

import type { Format, FormatId } from './types.js';
import { atom } from './atom.js';
import { json } from './json.js';
import { rss } from './rss.js';

export type { Delivery, FeedLinks, Format, FormatId, RenderContext } from './types.js';

export const formats: Readonly<Record<FormatId, Format>> = Object.freeze({ rss, atom, json });

export function isFormatId(s: string): s is FormatId {
  return Object.prototype.hasOwnProperty.call(formats, s);
}

export { REPRINT_NS } from './namespaces.js';
export { attributionLine, licenseUrl, publicItem } from './rights.js';
