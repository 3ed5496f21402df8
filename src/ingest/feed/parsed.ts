// The intermediate, format-neutral result of stage 3: what a feed (RSS, Atom, JSON Feed) or an article
// page (page/extract-page.ts) gives, before normalize.ts turns it into Items. A module of its own so that
// the format readers and parse-feed.ts do not import each other.

export interface ParsedEntry {
  guid?: string;
  /** As given: may be relative (to `base`, else to the document). */
  link?: string;
  /** The xml:base in scope of the entry (XML Base), absolute or relative to the document; links and
   *  content are relative to it. */
  base?: string;
  /** As given; HTML when titleIsHtml (Atom type="html"/"xhtml", Atom 0.3 mode="escaped", an RSS title
   *  with markup or entity references), plain text otherwise. normalize makes it plain text, once. */
  title?: string;
  titleIsHtml: boolean;
  /** HTML: the RSS description, or the Atom summary (a type="text" summary arrives HTML-escaped). */
  summary?: string;
  /** HTML: content:encoded, or the Atom content (type="text" arrives HTML-escaped). */
  contentHtml?: string;
  /** Raw date strings, as given (see dates.ts): the first publication-date element and the first
   *  modification-date element, in the order of README "Dates". */
  published?: string;
  updated?: string;
  /** Every publication / modification date given, in that order, when there is more than one (a later
   *  one is used when an earlier one cannot be read). */
  publishedAll?: string[];
  updatedAll?: string[];
  /** Person names; e-mail addresses are never reported as names. */
  authors: string[];
  contributors: string[];
  categories: string[];
  /** The outlet the entry was taken from (RSS <source>, Atom <source>). */
  source?: { name: string; url?: string };
  /** The entry's own rights statement, as plain text. */
  rights?: string;
}

export interface ParsedFeed {
  kind: 'rss' | 'atom' | 'rdf' | 'json';
  /** Plain text. */
  title?: string;
  link?: string;
  language?: string;
  /** The feed-level rights statement (RSS <copyright>, dc:rights, Atom <rights>), plain text. */
  rights?: string;
  authors: string[];
  entries: ParsedEntry[];
  /** RSS <ttl>: minutes the feed may be cached; a positive whole number when given. */
  ttlMinutes?: number;
}
