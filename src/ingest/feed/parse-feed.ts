// Stage 3: feed text → a format-neutral ParsedFeed. rss-parser (xml2js underneath) finds the channel
// and its items in RSS 0.9x/1.0/2.0 and Atom; what it drops or flattens (every dc:creator, Atom
// contributors and rights, title types, link relations, RSS <source url>) is read from its raw
// `keepArray` custom fields, which hand back xml2js nodes: a string, or `{ _: text, $: attributes }`,
// or an object of child arrays.

import Parser from 'rss-parser';
import { ParseError } from '../errors.js';
import { htmlToText } from '../sanitize.js';
import { optional } from '../optional.js';
import { collapseWhitespace } from '../text.js';

export interface ParsedEntry {
  guid?: string;
  /** As given: may be relative. */
  link?: string;
  /** As given; HTML when titleIsHtml (Atom type="html"), plain text otherwise. */
  title?: string;
  titleIsHtml: boolean;
  /** HTML: the RSS description, or the Atom summary (a type="text" summary arrives HTML-escaped). */
  summary?: string;
  /** HTML: content:encoded, or the Atom content (type="text" arrives HTML-escaped). */
  contentHtml?: string;
  /** Raw date strings, as given (see dates.ts). */
  published?: string;
  updated?: string;
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
  kind: 'rss' | 'atom' | 'rdf';
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

type Raw = Record<string, unknown>;

const ROOTS = new Map<string, ParsedFeed['kind']>([['rss', 'rss'], ['feed', 'atom'], ['rdf:RDF', 'rdf']]);

// rss-parser turns Atom <published>/<updated> into Dates with `new Date(x).toISOString()`, which
// throws on any non-ISO value and so rejects the whole feed for one odd date. Renaming the two tags
// while xml2js reads them keeps rss-parser away from them; they are read raw below instead.
const PUBLISHED = 'syndicator-published';
const UPDATED = 'syndicator-updated';
const renameAtomDates = (name: string): string => (name === 'published' ? PUBLISHED : name === 'updated' ? UPDATED : name);

const ITEM_FIELDS = [
  'author', 'category', 'content', 'content:encoded', 'contributor', 'dc:contributor', 'dc:creator', 'dc:date',
  'dc:rights', 'dc:subject', 'description', 'guid', 'link', 'pubDate', 'rights', 'source', 'summary', 'title',
  PUBLISHED, UPDATED,
];
const FEED_FIELDS = ['$', 'author', 'copyright', 'dc:creator', 'dc:language', 'dc:rights', 'language', 'link', 'rights', 'title', 'ttl'];

/** rss-parser's custom-field form that keeps every occurrence of `name`, untouched, under `raw:name`. */
function rawField(name: string): [string, string, { keepArray: true }] {
  return [name, `raw:${name}`, { keepArray: true }];
}

/** A DOCTYPE with an internal subset, before the root element; group 1 is the subset. */
const INTERNAL_SUBSET = /^\uFEFF?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--[\s\S]*?-->|<\?[^>]*>)\s*)*<!DOCTYPE[^[>]*\[([^\]]*)\]/i;

/** Whether the document declares entities in its DOCTYPE and refers to one of them (a declaration alone is
 *  harmless: sax ignores it). */
function usesDeclaredEntities(xml: string): boolean {
  const subset = INTERNAL_SUBSET.exec(xml);
  if (!subset) return false;
  const names = [...subset[1]!.matchAll(/<!ENTITY\s+(?:%\s+)?([^\s"'>]+)/gi)].map((m) => m[1]!);
  if (names.length === 0) return false;
  const rest = xml.slice(subset.index + subset[0].length);
  return names.some((name) => rest.includes(`&${name};`) || subset[1]!.includes(`%${name};`));
}

/**
 * Parses an RSS 0.9x/1.0/2.0 or Atom 1.0 document. Rejects with a ParseError ("parse-feed: …") when
 * the text is not a feed at all (an HTML page, an empty body) or is not well-formed XML.
 */
export async function parseFeed(xml: string): Promise<ParsedFeed> {
  const root = rootElementName(xml);
  const kind = feedKind(xml);
  if (!kind) {
    const what = xml.trim() === '' ? 'empty document' : root ? `root element <${root}>` : `starts with "${collapseWhitespace(xml).slice(0, 40)}"`;
    throw new ParseError(`not an RSS or Atom document (${what})`);
  }

  // sax (under xml2js) never fetches external entities and refuses undeclared ones, but a DOCTYPE
  // declaring entities is only ever an XXE probe or an expansion bomb in a feed: refuse it by name.
  if (usesDeclaredEntities(xml)) {
    throw new ParseError('refusing a DOCTYPE that declares entities (external entities and entity expansion are never processed)');
  }

  const parser = new Parser<Raw, Raw>({
    // <rss> without a version attribute is read as RSS 2.0 rather than refused.
    defaultRSS: 2,
    xml2js: { tagNameProcessors: [renameAtomDates] },
    // rss-parser's typings only admit plain names for feed fields, but it reads them with the same
    // code as item fields, which accepts the [from, to, options] form.
    customFields: { feed: FEED_FIELDS.map(rawField) as unknown as string[], item: ITEM_FIELDS.map(rawField) },
  });
  let out: Raw & { items: Raw[] };
  try {
    out = await parser.parseString(xml);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n').join(', ') : String(err);
    throw new ParseError(`malformed ${kind === 'atom' ? 'Atom' : 'RSS'} document (${reason})`, { cause: err });
  }
  return kind === 'atom' ? atomFeed(out) : rssFeed(out, kind);
}

function rssFeed(out: Raw & { items: Raw[] }, kind: 'rss' | 'rdf'): ParsedFeed {
  return {
    kind,
    ...optional('title', text(first(out, 'title'))),
    ...optional('link', text(first(out, 'link'))),
    ...optional('language', text(first(out, 'language')) ?? text(first(out, 'dc:language'))),
    ...optional('rights', text(first(out, 'copyright')) ?? text(first(out, 'dc:rights'))),
    authors: names(all(out, 'dc:creator')),
    entries: out.items.map(rssEntry),
    ...ttl(text(first(out, 'ttl'))),
  };
}

function ttl(value: string | undefined): { ttlMinutes?: number } {
  const minutes = value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : 0;
  return minutes > 0 ? { ttlMinutes: minutes } : {};
}

function rssEntry(item: Raw): ParsedEntry {
  const guidNode = first(item, 'guid');
  const guid = text(guidNode) ?? stringValue(item['rdf:about']);
  let link = text(first(item, 'link'));
  // RSS 2.0: a guid is a permalink unless isPermaLink="false", so it can stand in for a missing link.
  if (!link && guid && attr(guidNode, 'isPermaLink') !== 'false' && /^https?:\/\//i.test(guid)) link = guid;
  const creators = names(all(item, 'dc:creator'));
  const source = first(item, 'source');
  const sourceName = text(source);
  return {
    ...optional('guid', guid),
    ...optional('link', link),
    ...optional('title', text(first(item, 'title'))),
    titleIsHtml: false,
    ...optional('summary', text(first(item, 'description'))),
    ...optional('contentHtml', text(first(item, 'content:encoded'))),
    ...optional('published', text(first(item, 'pubDate')) ?? text(first(item, 'dc:date'))),
    authors: creators.length > 0 ? creators : names(all(item, 'author')),
    contributors: names(all(item, 'dc:contributor')),
    categories: [...all(item, 'category'), ...all(item, 'dc:subject')].map(text).filter(isString),
    ...(sourceName && { source: { name: collapseWhitespace(sourceName), ...optional('url', attr(source, 'url')) } }),
    ...optional('rights', text(first(item, 'dc:rights'))),
  };
}

function atomFeed(out: Raw & { items: Raw[] }): ParsedFeed {
  const authors = atomPeople(all(out, 'author'));
  const title = atomText(first(out, 'title'));
  const attributes = out['raw:$'];
  return {
    kind: 'atom',
    ...optional('title', title && plain(title)),
    ...optional('link', alternateLink(all(out, 'link'))),
    ...optional('language', isRecord(attributes) ? stringValue(attributes['xml:lang']) : undefined),
    ...optional('rights', plainAtomText(first(out, 'rights'))),
    authors,
    entries: out.items.map((entry) => atomEntry(entry, authors)),
  };
}

function atomEntry(entry: Raw, feedAuthors: string[]): ParsedEntry {
  const title = atomText(first(entry, 'title'));
  const authors = atomPeople(all(entry, 'author'));
  const source = first(entry, 'source');
  const sourceTitle = isRecord(source) ? plainAtomText(first(source, 'title', '')) : undefined;
  return {
    ...optional('guid', text(entry.id)),
    ...optional('link', alternateLink(all(entry, 'link'))),
    ...optional('title', title?.value),
    titleIsHtml: title?.type === 'html',
    ...optional('summary', atomHtml(first(entry, 'summary'))),
    ...optional('contentHtml', atomHtml(first(entry, 'content'), stringValue(entry.content))),
    ...optional('published', text(first(entry, PUBLISHED))),
    ...optional('updated', text(first(entry, UPDATED))),
    // RFC 4287 §4.2.1: an entry without an author has the feed's authors.
    authors: authors.length > 0 ? authors : feedAuthors,
    contributors: atomPeople(all(entry, 'contributor')),
    categories: all(entry, 'category').map((c) => attr(c, 'label') ?? attr(c, 'term')).filter(isString),
    ...(sourceTitle && isRecord(source) && {
      source: { name: sourceTitle, ...optional('url', alternateLink(all(source, 'link', ''))) },
    }),
    ...optional('rights', plainAtomText(first(entry, 'rights'))),
  };
}

interface AtomText {
  type: 'text' | 'html' | 'xhtml';
  value: string;
}

/** An Atom text construct (RFC 4287 §3.1). xhtml is reduced to its text (xml2js keeps no order). */
function atomText(node: unknown): AtomText | undefined {
  const type = attr(node, 'type');
  if (type === 'xhtml') {
    const value = stringValue(deepText(node));
    return value === undefined ? undefined : { type, value };
  }
  const value = text(node);
  return value === undefined ? undefined : { type: type === 'html' ? 'html' : 'text', value };
}

function plain(t: AtomText): string {
  return t.type === 'html' ? htmlToText(t.value) : collapseWhitespace(t.value);
}

function plainAtomText(node: unknown): string | undefined {
  const t = atomText(node);
  return t && plain(t);
}

/**
 * The HTML of an Atom summary or content. `rebuilt` is rss-parser's serialization of the node, the
 * only form that keeps xhtml markup. Out-of-line content (src=) and non-text media types give nothing.
 */
function atomHtml(node: unknown, rebuilt?: string): string | undefined {
  if (node === undefined || attr(node, 'src') !== undefined) return undefined;
  const type = (attr(node, 'type') ?? 'text').toLowerCase();
  if (type === 'html' || type === 'text/html') return text(node);
  if (type === 'xhtml' || type === 'application/xhtml+xml') return rebuilt;
  if (type === 'text' || type.startsWith('text/')) {
    const value = text(node);
    return value === undefined ? undefined : escapeHtml(value);
  }
  return undefined;
}

function atomPeople(nodes: unknown[]): string[] {
  return nodes
    .map((person) => (isRecord(person) ? text(first(person, 'name', '')) : undefined))
    .filter(isString)
    .map(collapseWhitespace);
}

/** RFC 4287 §4.2.7.2: a link without rel is rel="alternate". Other relations are never the article. */
function alternateLink(links: unknown[]): string | undefined {
  const alternate = links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  return attr(alternate, 'href');
}

/**
 * Names from RSS <author> / dc:creator values: `news@example.cn (孙丽)` and `孙丽 <news@example.cn>`
 * give 孙丽, a bare e-mail address gives nothing, anything else is taken as the name.
 */
function names(nodes: unknown[]): string[] {
  return nodes.map(text).filter(isString).map(personName).filter(isString);
}

function personName(value: string): string | undefined {
  const v = collapseWhitespace(value);
  const parenthesized = /^\S+@\S+\s*\((.*)\)$/.exec(v);
  if (parenthesized) return parenthesized[1]!.trim() || undefined;
  const angled = /^(.*?)\s*<[^<>]*@[^<>]*>$/.exec(v);
  if (angled) return angled[1]!.replace(/^"(.*)"$/, '$1').trim() || undefined;
  return /^\S+@\S+$/.test(v) ? undefined : v || undefined;
}

/** The feed format a document's root element announces (<rss>, <feed>, <rdf:RDF>); undefined for any other document. */
export function feedKind(text: string): ParsedFeed['kind'] | undefined {
  const root = rootElementName(text);
  return root === undefined ? undefined : ROOTS.get(root);
}

/**
 * The name of the first element of the document, skipping the XML declaration, processing
 * instructions, comments and the doctype; undefined when there is none.
 */
function rootElementName(xml: string): string | undefined {
  let i = 0;
  for (;;) {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
    if (xml.startsWith('<?', i)) i = after(xml, '?>', i + 2);
    else if (xml.startsWith('<!--', i)) i = after(xml, '-->', i + 4);
    else if (xml.startsWith('<!', i)) {
      const gt = xml.indexOf('>', i);
      const subset = xml.indexOf('[', i);
      i = subset >= 0 && subset < gt ? after(xml, '>', after(xml, ']', subset)) : after(xml, '>', i);
    } else return /^<([A-Za-z_][\w.:-]*)/.exec(xml.slice(i, i + 256))?.[1];
    if (i < 0) return undefined;
  }
}

function after(xml: string, token: string, from: number): number {
  if (from < 0) return -1;
  const at = xml.indexOf(token, from);
  return at < 0 ? -1 : at + token.length;
}

// ---- reading xml2js nodes -------------------------------------------------------------------------

/** Every node of a raw custom field; `prefix` is '' for children of a raw node. */
function all(holder: Raw, name: string, prefix = 'raw:'): unknown[] {
  const value = holder[`${prefix}${name}`];
  return Array.isArray(value) ? value : [];
}

function first(holder: Raw, name: string, prefix = 'raw:'): unknown {
  return all(holder, name, prefix)[0];
}

/** The trimmed text of a node (a string, or the `_` of an element with attributes); undefined when blank. */
function text(node: unknown): string | undefined {
  return typeof node === 'string' ? stringValue(node) : isRecord(node) ? stringValue(node._) : undefined;
}

/** All text below a node, attributes excluded. */
function deepText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(deepText).join('');
  if (!isRecord(node)) return '';
  return Object.entries(node)
    .filter(([key]) => key !== '$')
    .map(([, value]) => deepText(value))
    .join('');
}

function attr(node: unknown, name: string): string | undefined {
  if (!isRecord(node) || !isRecord(node.$)) return undefined;
  return stringValue(node.$[name]);
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

