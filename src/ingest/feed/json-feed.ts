// JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) → ParsedFeed.

import { ParseError } from '../errors.js';
import type { ParsedEntry, ParsedFeed } from './parsed.js';
import { collapseWhitespace, stripInvalidXmlChars } from '../text.js';
import { escapeMarkup } from '../../text.js';
import { personName } from './xml-feed.js';

type Json = Record<string, unknown>;

/** Whether `text` is a JSON object naming a JSON Feed version (looked for in its first 4 KiB). */
export function looksLikeJsonFeed(text: string): boolean {
  let i = 0;
  while (i < text.length && (text[i] === '\uFEFF' || text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  return text[i] === '{' && text.slice(i, i + 4096).includes('jsonfeed.org/version');
}

/**
 * Reads a JSON Feed. Titles are plain text (the spec's), content_html is HTML, content_text is text;
 * `summary` is plain text. Rejects with a ParseError when the text is not JSON or has no `items` array.
 */
export function readJsonFeed(text: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ParseError(`malformed JSON Feed (${(err as Error).message})`, { cause: err });
  }
  if (!isRecord(doc) || !Array.isArray(doc.items)) throw new ParseError('malformed JSON Feed (no "items" array)');
  const authors = people(doc);
  return {
    kind: 'json',
    ...opt('title', str(doc.title) && collapseWhitespace(str(doc.title)!)),
    ...opt('link', str(doc.home_page_url)),
    ...opt('language', str(doc.language)),
    authors,
    entries: doc.items.filter(isRecord).map((item) => entry(item, authors)),
  };
}

function entry(item: Json, feedAuthors: string[]): ParsedEntry {
  const id = typeof item.id === 'number' ? String(item.id) : str(item.id);
  const authors = people(item);
  const contentHtml = str(item.content_html) ?? (str(item.content_text) !== undefined ? `<p>${escapeMarkup(str(item.content_text)!)}</p>` : undefined);
  const summary = str(item.summary);
  return {
    ...opt('guid', id),
    ...opt('link', str(item.url) ?? str(item.external_url)),
    ...opt('title', str(item.title)),
    titleIsHtml: false,
    ...opt('summary', summary === undefined ? undefined : escapeMarkup(summary)),
    ...opt('contentHtml', contentHtml),
    ...opt('published', str(item.date_published)),
    ...opt('updated', str(item.date_modified)),
    // JSON Feed 1.1: items without authors have the feed's.
    authors: authors.length > 0 ? authors : feedAuthors,
    contributors: [],
    categories: Array.isArray(item.tags) ? item.tags.map(str).filter((t): t is string => t !== undefined) : [],
  };
}

/** `authors` (1.1) or `author` (1.0): names, else nothing (a URL or avatar alone names no one). */
function people(holder: Json): string[] {
  const list = Array.isArray(holder.authors) ? holder.authors : isRecord(holder.author) ? [holder.author] : [];
  return list
    .filter(isRecord)
    .map((p) => str(p.name))
    .filter((n): n is string => n !== undefined)
    .map(personName)
    .filter((n): n is string => n !== undefined);
}

/** A non-blank string value, trimmed, without the characters XML 1.0 forbids. JSON escapes can spell
 *  what the decoded document could not hold (`\u0000`, a lone `\ud800`): such a character would make
 *  every rendered feed carry it and PostgreSQL's jsonb refuse the whole batch of items. */
function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = stripInvalidXmlChars(value).trim();
  return text !== '' ? text : undefined;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value !== undefined ? { [key]: value } : {}) as { [P in K]?: string };
}
