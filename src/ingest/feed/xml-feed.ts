// RSS 0.9x / 1.0 / 2.0 and Atom 0.3 / 1.0 documents → ParsedFeed, read from the ordered tree of
// xml-tree.ts. Text constructs (titles, summaries, content) are read with their type — text, html,
// xhtml, Atom 0.3 escaped/base64/xml — from the tree, which keeps mixed content in order.

import { htmlToText } from '../sanitize.js';
import { capRaw, FIELD_LIMITS } from '../limits.js';
import { collapseWhitespace } from '../text.js';
import type { ParsedEntry, ParsedFeed } from './parsed.js';
import { escapeMarkup } from '../../text.js';
import { attr, child, childrenNamed, hasElementChildren, innerHtml, isElement, textContent, type XmlElement } from './xml-tree.js';

/** A text construct read with its type: `html` values are HTML (xhtml is written back as HTML). */
export interface TypedText {
  type: 'text' | 'html';
  value: string;
}

/** An RSS (or RDF) document, whatever its version. Items are found anywhere outside another item:
 *  inside <channel>, beside it (RSS 1.0), or after it (RSS 0.91 documents that close <channel> early). */
export function readRss(root: XmlElement, kind: 'rss' | 'rdf'): ParsedFeed {
  const channel = child(root, 'channel') ?? root;
  const entries = collect(root, 'item').map(rssEntry);
  return {
    kind,
    ...opt('title', plainOf(rssText(child(channel, 'title', 'dc:title', 'atom:title')))),
    ...opt('link', trimmed(child(channel, 'link')) ?? alternateLink(childrenNamed(channel, 'atom:link'))),
    ...opt('language', trimmed(child(channel, 'language', 'dc:language'))),
    ...opt('rights', plainOf(rssText(child(channel, 'copyright', 'dc:rights')))),
    authors: names(childrenNamed(channel, 'dc:creator')),
    entries,
    ...ttl(trimmed(child(channel, 'ttl'))),
  };
}

function rssEntry(item: XmlElement): ParsedEntry {
  const guidEl = child(item, 'guid');
  const guid = trimmed(guidEl) ?? attr(item, 'rdf:about')?.trim();
  let link = trimmed(child(item, 'link')) ?? alternateLink(childrenNamed(item, 'atom:link'));
  // RSS 2.0: a guid is the permalink unless isPermaLink="false", so it stands in for a missing link.
  if (!link && guidEl && guid && attr(guidEl, 'isPermaLink')?.trim() !== 'false' && /^https?:\/\//i.test(guid)) link = guid;
  const title = rssText(child(item, 'title', 'dc:title', 'atom:title', 'media:title'));
  const description = child(item, 'description', 'dc:description', 'atom:summary');
  const content = child(item, 'content:encoded');
  const body = child(item, 'xhtml:body', 'atom:content');
  const creators = names(childrenNamed(item, 'dc:creator'));
  const source = child(item, 'source');
  const sourceName = source && trimmed(source);
  return {
    ...opt('guid', guid),
    ...opt('link', link),
    ...opt('base', item.base),
    ...(title && { title: title.value }),
    titleIsHtml: title?.type === 'html',
    ...opt('summary', description && htmlOf(rssBody(description))),
    ...opt('contentHtml', content ? htmlOf(rssBody(content)) : body && (body.name === 'xhtml:body' ? nonBlank(innerHtml(body)) : atomHtml(body))),
    ...dates(item, PUBLISHED_RSS, UPDATED_RSS),
    authors: creators.length > 0 ? creators : names(childrenNamed(item, 'author', 'dc:author')),
    contributors: names(childrenNamed(item, 'dc:contributor')),
    categories: childrenNamed(item, 'category', 'dc:subject').map(trimmed).filter(isString),
    ...(sourceName && { source: { name: collapseWhitespace(sourceName), ...opt('url', attr(source, 'url')?.trim()) } }),
    ...opt('rights', plainOf(rssText(child(item, 'dc:rights')))),
  };
}

/** An Atom 1.0 or 0.3 document. */
export function readAtom(root: XmlElement): ParsedFeed {
  const authors = people(childrenNamed(root, 'atom:author'));
  return {
    kind: 'atom',
    ...opt('title', plainOf(atomText(child(root, 'atom:title')))),
    ...opt('link', alternateLink(childrenNamed(root, 'atom:link'))),
    ...opt('language', attr(root, 'xml:lang')?.trim() || undefined),
    ...opt('rights', plainOf(atomText(child(root, 'atom:rights', 'atom:copyright')))),
    authors,
    // Early Atom 0.3 feeds called their entries <item>.
    entries: collect(root, 'atom:entry', 'atom:item').map((entry) => atomEntry(entry, authors)),
  };
}

function atomEntry(entry: XmlElement, feedAuthors: string[]): ParsedEntry {
  const title = atomText(child(entry, 'atom:title', 'dc:title', 'media:title'));
  const authors = people(childrenNamed(entry, 'atom:author'));
  const source = child(entry, 'atom:source');
  const sourceTitle = source && plainOf(atomText(child(source, 'atom:title')));
  const summary = child(entry, 'atom:summary');
  const content = child(entry, 'atom:content');
  const creators = names(childrenNamed(entry, 'dc:creator'));
  const id = trimmed(child(entry, 'atom:id'));
  return {
    ...opt('guid', id),
    // An id that is a web address is the entry's address when no link gives one (Universal Feed
    // Parser reads it so; WordPress ids are permalinks).
    ...opt('link', alternateLink(childrenNamed(entry, 'atom:link')) ?? (id !== undefined && /^https?:\/\//i.test(id) ? id : undefined)),
    ...opt('base', entry.base),
    ...(title && { title: title.value }),
    titleIsHtml: title?.type === 'html',
    ...opt('summary', summary && atomHtml(summary)),
    ...opt('contentHtml', content && atomHtml(content)),
    ...dates(entry, PUBLISHED_ATOM, UPDATED_ATOM),
    // RFC 4287 §4.2.1: an entry without an author has the feed's authors.
    authors: authors.length > 0 ? authors : creators.length > 0 ? creators : feedAuthors,
    contributors: people(childrenNamed(entry, 'atom:contributor')),
    categories: childrenNamed(entry, 'atom:category', 'dc:subject')
      .map((c) => (c.name === 'dc:subject' ? trimmed(c) : (attr(c, 'label') ?? attr(c, 'term'))?.trim() || undefined))
      .filter(isString),
    ...(sourceTitle && source && { source: { name: sourceTitle, ...opt('url', alternateLink(childrenNamed(source, 'atom:link'))) } }),
    ...opt('rights', plainOf(atomText(child(entry, 'atom:rights', 'atom:copyright')))),
  };
}

// ---- dates ----------------------------------------------------------------------------------------

// Which element gives the publish date, in order of preference (README, "Dates"): the formats' own
// publication elements first, then Dublin Core's, then creation. dc:date is the date of the item in
// RSS 1.0 and in RSS 2.0 feeds that use it instead of pubDate.
const PUBLISHED_RSS = ['pubDate', 'atom:published', 'dcterms:issued', 'dc:date', 'dcterms:created', 'dcterms:date'];
const UPDATED_RSS = ['atom:updated', 'dcterms:modified'];
const PUBLISHED_ATOM = ['atom:published', 'atom:issued', 'dcterms:issued', 'dc:date', 'atom:created', 'dcterms:created'];
const UPDATED_ATOM = ['atom:updated', 'atom:modified', 'dcterms:modified'];

function dates(el: XmlElement, published: string[], updated: string[]): Pick<ParsedEntry, 'published' | 'updated' | 'publishedAll' | 'updatedAll'> {
  const p = published.flatMap((name) => childrenNamed(el, name).map(trimmed)).filter(isString);
  const u = updated.flatMap((name) => childrenNamed(el, name).map(trimmed)).filter(isString);
  return {
    ...opt('published', p[0]),
    ...opt('updated', u[0]),
    ...(p.length > 1 && { publishedAll: p }),
    ...(u.length > 1 && { updatedAll: u }),
  };
}

// ---- text constructs --------------------------------------------------------------------------------

/**
 * An RSS text element (title, copyright). RSS says nothing of markup in titles, so, as Universal Feed
 * Parser does, a value with a closing tag or an entity reference is HTML (`AT&amp;T`, `&#39;x&#39;`,
 * `Test: &lt;b&gt;bold&lt;/b&gt;`), and so is one written with elements (`<title><p>Item</p></title>`).
 */
export function rssText(el: XmlElement | undefined): TypedText | undefined {
  if (!el) return undefined;
  if (hasElementChildren(el)) return nonBlankTyped({ type: 'html', value: innerHtml(el) });
  const value = textContent(el);
  return nonBlankTyped({ type: looksLikeHtml(value) ? 'html' : 'text', value });
}

/** An RSS description or content:encoded: HTML, escaped or written as elements. */
function rssBody(el: XmlElement): TypedText {
  return { type: 'html', value: hasElementChildren(el) ? innerHtml(el) : textContent(el) };
}

/**
 * An Atom text construct (RFC 4287 §3.1) or Atom 0.3 content construct: type text (the default),
 * html, xhtml (the children of its div, written back as HTML), or a media type; Atom 0.3 mode
 * escaped (HTML), base64 (decoded) or xml. A text value written with elements (markup left
 * unescaped) is read as the HTML it is.
 */
export function atomText(el: XmlElement | undefined): TypedText | undefined {
  if (!el || attr(el, 'src') !== undefined) return undefined;
  const type = attr(el, 'type')?.trim().toLowerCase() || 'text';
  const mode = attr(el, 'mode')?.trim().toLowerCase();
  const html = type === 'html' || type === 'text/html';
  const xhtml = type === 'xhtml' || type === 'application/xhtml+xml' || mode === 'xml';
  // RFC 4287 §4.1.3.3: content of any other media type that is not XML is Base64-encoded.
  const binary = !html && !xhtml && type !== 'text' && !type.startsWith('text/') && !type.endsWith('xml') && mode !== 'escaped';
  if (mode === 'base64' || (binary && !hasElementChildren(el))) {
    const decoded = Buffer.from(textContent(el).replace(/\s+/g, ''), 'base64').toString('utf8');
    return nonBlankTyped({ type: html || xhtml ? 'html' : 'text', value: decoded });
  }
  if (xhtml || hasElementChildren(el)) {
    const div = el.children.filter(isElement).length === 1 ? child(el, 'xhtml:div', 'div', 'atom:div') : undefined;
    const onlyDiv = div && el.children.every((c) => c === div || (typeof c === 'string' && c.trim() === ''));
    return nonBlankTyped({ type: 'html', value: innerHtml(onlyDiv ? div : el) });
  }
  if (html || mode === 'escaped') return nonBlankTyped({ type: 'html', value: textContent(el) });
  return nonBlankTyped({ type: 'text', value: textContent(el) });
}

/** The HTML of an Atom summary or content; undefined for out-of-line or non-text content. */
function atomHtml(el: XmlElement): string | undefined {
  const t = atomText(el);
  return t && htmlOf(t);
}

function htmlOf(t: TypedText): string | undefined {
  return nonBlank(t.type === 'html' ? t.value : escapeMarkup(t.value));
}

/** A typed text as plain text: the one conversion, tags dropped, entities decoded, words in order. */
export function plainOf(t: TypedText | undefined): string | undefined {
  if (!t) return undefined;
  return nonBlank(t.type === 'html' ? htmlToText(t.value) : collapseWhitespace(t.value));
}

// Universal Feed Parser's test (feedparser.mixin lookslikehtml): a closing tag or an entity reference.
const CLOSING_TAG = /<\/[A-Za-z][A-Za-z0-9]*\s*>/;
const REFERENCE = /&(?:#[0-9]{1,8}|#x[0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});/;

export function looksLikeHtml(value: string): boolean {
  return CLOSING_TAG.test(value) || REFERENCE.test(value);
}

// ---- links and people --------------------------------------------------------------------------

/** RFC 4287 §4.2.7.2: a link without rel is rel="alternate"; Atom 0.3 links are typed too. Another
 *  relation is never the article. A link written as text rather than in href (a common mistake) is
 *  read as its address, as Universal Feed Parser reads it. */
function alternateLink(links: XmlElement[]): string | undefined {
  const href = (l: XmlElement) => attr(l, 'href')?.trim() || (hasElementChildren(l) ? undefined : textContent(l).trim() || undefined);
  const alternates = links.filter((l) => (attr(l, 'rel')?.trim() || 'alternate') === 'alternate' && href(l));
  const html = alternates.find((l) => /html/i.test(attr(l, 'type') ?? 'text/html'));
  const chosen = html ?? alternates[0];
  return chosen && resolveAgainst(href(chosen)!, chosen.base);
}

/** `href` against the xml:base in scope, when that base is absolute; relative bases are left to normalize. */
function resolveAgainst(href: string, base: string | undefined): string {
  if (base === undefined) return href;
  try {
    return new URL(href, base).href;
  } catch {
    return href;
  }
}

/** Atom person constructs: their names (read as personName reads them, so an address is no name). */
function people(nodes: XmlElement[]): string[] {
  return nodes
    .map((person) => {
      const name = child(person, 'atom:name');
      return name ? trimmed(name) : hasElementChildren(person) ? undefined : trimmed(person);
    })
    .filter(isString)
    .map(personName)
    .filter(isString);
}

/**
 * Names from RSS <author> / dc:creator values: `news@example.cn (孙丽)` and `孙丽 <news@example.cn>`
 * give 孙丽, a bare e-mail address gives nothing, anything else is taken as the name.
 */
function names(nodes: XmlElement[]): string[] {
  return nodes
    .map((n) => (child(n, 'atom:name', 'name') ? trimmed(child(n, 'atom:name', 'name')!) : trimmed(n)))
    .filter(isString)
    .map(personName)
    .filter(isString);
}

/** Linear in the length of `value` (string scans only, no backtracking pattern): an author of
 *  60,000 `@` characters is read in one pass. The value is cut to FIELD_LIMITS first. */
export function personName(value: string): string | undefined {
  const v = collapseWhitespace(capRaw(value, FIELD_LIMITS.author * 8));
  // `mail@host (Name)`: one word holding an @ (not first, not last), then `(`…`)` to the end.
  const open = v.endsWith(')') ? v.indexOf('(') : -1;
  if (open > 0) {
    const address = v.slice(0, open).trimEnd();
    if (isAddress(address)) return v.slice(open + 1, -1).trim() || undefined;
  }
  const lt = v.lastIndexOf('<');
  if (lt >= 0 && v.endsWith('>') && v.slice(lt).includes('@')) {
    const name = v.slice(0, lt).trim();
    const unquoted = name.length >= 2 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name;
    return unquoted.trim() || undefined;
  }
  return isAddress(v) ? undefined : v || undefined;
}

/** One whitespace-free word with an @ that has characters before and after it. */
function isAddress(word: string): boolean {
  if (word === '' || /\s/.test(word)) return false;
  const at = word.indexOf('@');
  return at > 0 && at < word.length - 1;
}

// ---- helpers ----------------------------------------------------------------------------------------

/**
 * Every element named `name` below `root` that is not inside another such element, in document order;
 * one the document ended inside (a download cut short) is left out: its text may be cut mid-word.
 */
function collect(root: XmlElement, ...names: string[]): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (el: XmlElement) => {
    for (const c of el.children) {
      if (!isElement(c)) continue;
      if (names.includes(c.name)) {
        if (c.closed) found.push(c);
      } else walk(c);
    }
  };
  walk(root);
  return found;
}

function ttl(value: string | undefined): { ttlMinutes?: number } {
  const minutes = value !== undefined && /^\d+$/.test(value) ? Number(value) : 0;
  return minutes > 0 ? { ttlMinutes: minutes } : {};
}

function trimmed(el: XmlElement | undefined): string | undefined {
  return el ? textContent(el).trim() || undefined : undefined;
}

function nonBlank(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function nonBlankTyped(t: TypedText): TypedText | undefined {
  return t.value.trim() === '' ? undefined : t;
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value !== undefined ? { [key]: value } : {}) as { [P in K]?: string };
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}
