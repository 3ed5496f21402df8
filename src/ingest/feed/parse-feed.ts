// Stage 3: feed text → a format-neutral ParsedFeed. XML feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) are
// read from an ordered tree (feed/xml-tree.ts) that keeps mixed content in document order, so titles
// and content keep every word where it was; JSON Feed 1.0/1.1 is read by feed/json-feed.ts.

import { ParseError } from '../errors.js';
import { readJsonFeed, looksLikeJsonFeed } from './json-feed.js';
import { readAtom, readRss } from './xml-feed.js';
import { readXmlTree, XmlSyntaxError } from './xml-tree.js';
import { collapseWhitespace } from '../text.js';
import type { ParsedFeed } from './parsed.js';

export type { ParsedEntry, ParsedFeed } from './parsed.js';

const ROOTS = new Map<string, ParsedFeed['kind']>([['rss', 'rss'], ['feed', 'atom'], ['rdf:RDF', 'rdf'], ['RDF', 'rdf']]);

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
 * Parses an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed document. Rejects with a ParseError
 * ("parse-feed: …") when the text is not a feed at all (an HTML page, an empty body), has no root
 * element, is not well-formed XML, or is JSON that is not a JSON Feed. Three common slips are read
 * as their authors meant and not refused: a bare `&` (`AT&T`), HTML's named entities (`&nbsp;`) and
 * a namespace prefix used without its declaration.
 */
export async function parseFeed(xml: string): Promise<ParsedFeed> {
  if (looksLikeJsonFeed(xml)) return readJsonFeed(xml);
  const root = rootElementName(xml);
  const kind = feedKind(xml);
  if (!kind) {
    const what = xml.trim() === '' ? 'empty document' : root ? `root element <${root}>` : `starts with "${collapseWhitespace(xml).slice(0, 40)}"`;
    throw new ParseError(`not an RSS, Atom or JSON Feed document (${what})`);
  }

  // saxes never fetches external entities nor expands declared ones, but a DOCTYPE declaring
  // entities is only ever an XXE probe or an expansion bomb in a feed: refuse it by name.
  if (usesDeclaredEntities(xml)) {
    throw new ParseError('refusing a DOCTYPE that declares entities (external entities and entity expansion are never processed)');
  }

  const malformed = (reason: string, cause?: unknown) =>
    new ParseError(`malformed ${kind === 'atom' ? 'Atom' : 'RSS'} document (${reason})`, { cause });
  let tree;
  try {
    tree = readXmlTree(xml);
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    throw malformed(err.message, err);
  }
  if (tree.errors.length > 0) throw malformed(tree.errors[0]!);
  return kind === 'atom' ? readAtom(tree.root) : readRss(tree.root, kind === 'json' ? 'rss' : kind);
}

/** The feed format a document announces: its root element (<rss>, <feed>, <rdf:RDF>), or a JSON Feed
 *  version; undefined for any other document. */
export function feedKind(text: string): ParsedFeed['kind'] | undefined {
  if (looksLikeJsonFeed(text)) return 'json';
  const root = rootElementName(text);
  if (root === undefined) return undefined;
  // A prefixed root (<atom:feed>, <RDF:RDF>) is the same element.
  return ROOTS.get(root) ?? ROOTS.get(root.slice(root.indexOf(':') + 1));
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

