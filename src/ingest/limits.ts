// The bounds every ingested document is held to, in one place. Upstreams are not trusted: a title of
// 10 MB or an author of 60,000 characters would otherwise be stored, rendered into every feed and
// cached per query variant. Raw fields are cut at the parse boundary (capEntry, before any pattern
// runs on them); normalize.ts cuts the plain text it makes to the reader-facing lengths.

import type { ParsedEntry } from './feed/parsed.js';

/** Reader-facing lengths, in characters (graphemes), of the plain text normalize.ts stores. */
export const FIELD_LIMITS = {
  title: 1_000,
  author: 200,
  category: 100,
  sourceName: 200,
  /** The entry's own rights statement (plain text): a line or two in practice. */
  rights: 1_000,
  /** A link longer than this is dropped, never cut (a cut link leads somewhere else). */
  link: 2_048,
  /** At most this many authors, contributors and categories per entry. */
  listLength: 50,
} as const;

/**
 * The HTML of an item's content and of its summary, in UTF-16 units: 256 Ki, about 85,000 Chinese
 * characters with their markup, several times the longest article. Cut before sanitizing, so
 * sanitize-html closes what the cut left open. Without it, one item as large as the fetch size limit
 * (15 MB) is sanitized, sent back from the worker, written to the channel file and rendered into every
 * format whole, each a long stretch of the serving thread (an item of 12 MB of content held it for 85 ms
 * at once; cut at 1 Mi, still for 20 ms).
 */
export const MAX_CONTENT_CHARS = 256 * 1024;

/** Raw fields may carry markup and entities that shrink to the plain text above: they are cut at this
 *  multiple of the plain-text limit before anything reads them. */
const RAW_FACTOR = 8;

/** How deep element trees (feed XML, article HTML) are walked; deeper elements are flattened into
 *  their ancestor at this depth (XML) or refused for that entry (HTML). Real documents stay below 100. */
export const MAX_TREE_DEPTH = 512;

/** At most this many distinct article links are read from one list page (the first, in page order).
 *  A list page shows tens; the cap bounds what the worker hands back for the serving thread to
 *  resolve, whatever a page holds (110,000 links were tried). */
export const MAX_LIST_LINKS = 5_000;

/** At most this many entries of one feed document become items: the newest (publishedAt, else
 *  updatedAt). A feed lists tens; a full-history feed a few thousand. The cap bounds what the serving
 *  thread merges and archives from one document (a feed of 20,000 entries held it in garbage collection
 *  of 6–20 ms at a time, docs/benchmarks.md, "Hostile input"), whatever a document holds. */
export const MAX_FEED_ENTRIES = 5_000;

/** Cuts a raw string to `max` UTF-16 units without splitting a surrogate pair. */
export function capRaw(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value[max - 1] ?? '') ? max - 1 : max;
  return value.slice(0, end);
}

const cap = (v: string | undefined, limit: number) => (v === undefined ? undefined : capRaw(v, limit * RAW_FACTOR));
const capList = (vs: string[], limit: number) => vs.slice(0, FIELD_LIMITS.listLength).map((v) => capRaw(v, limit * RAW_FACTOR));

/** The entry with every short field bounded (see FIELD_LIMITS), and its content and summary HTML cut at
 *  MAX_CONTENT_CHARS. A link over the limit is removed. */
export function capEntry(entry: ParsedEntry): ParsedEntry {
  const out: ParsedEntry = {
    ...entry,
    authors: capList(entry.authors, FIELD_LIMITS.author),
    contributors: capList(entry.contributors, FIELD_LIMITS.author),
    categories: capList(entry.categories, FIELD_LIMITS.category),
  };
  if (entry.title !== undefined) out.title = cap(entry.title, FIELD_LIMITS.title)!;
  if (entry.contentHtml !== undefined) out.contentHtml = capRaw(entry.contentHtml, MAX_CONTENT_CHARS);
  if (entry.summary !== undefined) out.summary = capRaw(entry.summary, MAX_CONTENT_CHARS);
  if (entry.link !== undefined && entry.link.length > FIELD_LIMITS.link) delete out.link;
  if (entry.guid !== undefined) out.guid = cap(entry.guid, FIELD_LIMITS.link)!;
  if (entry.rights !== undefined) out.rights = cap(entry.rights, FIELD_LIMITS.rights)!;
  if (entry.source) {
    out.source = { name: cap(entry.source.name, FIELD_LIMITS.sourceName)!, ...(entry.source.url !== undefined && entry.source.url.length <= FIELD_LIMITS.link && { url: entry.source.url }) };
  }
  return out;
}

// Bidirectional formatting characters: LRE/RLE/PDF/LRO/RLO (U+202A–U+202E), the isolates
// (U+2066–U+2069) and the LRM/RLM marks (U+200E/U+200F). In a title or a name they reorder what the
// reader sees (Unicode Bidirectional Algorithm, UAX #9; the "Trojan Source" display attack).
const BIDI_CONTROLS = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** `text` without bidi control characters. */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
