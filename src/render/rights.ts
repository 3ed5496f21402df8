// The rights mapping, in one place: from an item and its License to the values every format shows
// (license terms and URL, attribution line, who to credit, the source outlet). Renderers only place
// these values; none of them decides anything about rights. Inputs are expected to be cleaned already
// (see prepare.ts), so values come out ready to escape and place.

import { createHash } from 'node:crypto';
import type { Item, License, Permission } from '../model.js';
import { REPRINT_NS } from './namespaces.js';

/** A license as every format shows it, with its URL resolved. */
export interface LicenseTerms {
  id: string;
  title: string;
  holder: string;
  statement: string;
  url: string;
  permission: Permission;
  attributionTemplate?: string;
  contact?: string;
  publicContent: License['publicContent'];
}

export interface SourceView {
  name: string;
  /** Only when the configured URL is absolute; normalized (e.g. `<` percent-encoded). */
  url?: string;
  original: boolean;
  /** An IRI naming the outlet: its URL, else a name-based urn:uuid (stable for a stable name). */
  id: string;
}

/** Everything a renderer needs to credit an item and state its terms. */
export interface ItemRights {
  license: LicenseTerms;
  /** The attribution line a reprinting partner must print. */
  line: string;
  /** The upstream's own rights text, verbatim. */
  upstreamRights?: string;
  /** The real authors, possibly none: an item that names no author is credited to nobody, never to
   *  its source outlet (the outlet is the source, not the author). */
  authors: readonly string[];
  editor?: string;
  source: SourceView;
}

export const DEFAULT_ATTRIBUTION_TEMPLATE = '{source} · {authors} · {link}';

/** How several authors are written as one name list: in the attribution line, and in the single
 *  RSS dc:creator / Atom author that every reader shows whole (see README, "Authors"). */
export const AUTHOR_SEPARATOR = '、';

/** The license's own URL when it has one (resolved against baseUrl if relative), else the page the
 *  service serves for it. */
export function licenseUrl(license: License, baseUrl: string): string {
  if (license.url === undefined) return `${baseUrl}/licenses/${encodeURIComponent(license.id)}`;
  try {
    return new URL(license.url, `${baseUrl}/`).href;
  } catch {
    throw new Error(`render: license "${license.id}" has an unusable url "${license.url}"`);
  }
}

export function licenseTerms(license: License, baseUrl: string): LicenseTerms {
  return {
    id: license.id,
    title: license.title,
    holder: license.holder,
    statement: license.statement,
    url: licenseUrl(license, baseUrl),
    permission: license.reprint.permission,
    ...(license.reprint.attributionTemplate !== undefined && { attributionTemplate: license.reprint.attributionTemplate }),
    ...(license.reprint.contact !== undefined && { contact: license.reprint.contact }),
    publicContent: license.publicContent,
  };
}

/**
 * What a public (keyless) feed may carry of an item: all of it when its license allows full public
 * content, else everything but the full text — the summary, the link, the attribution and the terms
 * stay, so a reader knows where to read it and a medium knows how to ask for it.
 */
export function publicItem(item: Item, licenses: ReadonlyMap<string, License>): Item {
  if (licenseFor(item, licenses).publicContent === 'full' || item.contentHtml === undefined) return item;
  const { contentHtml: _fullText, ...excerpt } = item;
  return excerpt;
}

/** The license governing `item`; throws naming the item and the license id when it is not loaded. */
export function licenseFor(item: Item, licenses: ReadonlyMap<string, License>): License {
  const license = licenses.get(item.licenseId);
  if (license === undefined) throw new Error(`render: item "${item.id}" names license "${item.licenseId}", which is not loaded`);
  return license;
}

/** The item's authors with blank entries dropped: an empty name credits nobody. */
function namedAuthors(item: Item): string[] {
  return item.attribution.authors.map((a) => a.trim()).filter((a) => a !== '');
}

// Building an Intl.DateTimeFormat costs far more than using one; keep one per time zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

// MM/DD/YYYY: what format() writes with the options below.
const FORMATTED_DATE = /^(\d{2})\/(\d{2})\/(\d+)$/;

/** YYYY-MM-DD of an instant as seen in `timeZone`. */
function calendarDate(iso: string, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const date = new Date(iso);
  // format() is formatToParts() joined, at a third of the cost; any other shape (e.g. a year with an
  // era) is read from the parts instead.
  const m = FORMATTED_DATE.exec(format.format(date));
  if (m !== null) return `${m[3]}-${m[1]}-${m[2]}`;
  const parts = format.formatToParts(date);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const PLACEHOLDER = /\{(source|authors|editor|title|link|published)\}/;
// Separators between values, and the brackets that may enclose one (an opening one maps to its closer).
const SEPARATOR = '\\s·•|,，、;；/\\-–—';
const LEADING_SEPARATORS = new RegExp(`^[${SEPARATOR}]*`);
const TRAILING_SEPARATORS = new RegExp(`[${SEPARATOR}]*$`);
const BRACKETS: Readonly<Record<string, string>> = {
  '(': ')',
  '（': '）',
  '[': ']',
  '【': '】',
  '「': '」',
  '《': '》',
  '“': '”',
};
// A label that introduces a value, e.g. "编辑:" or "Editor: ", dropped along with an empty value.
const LABEL_BEFORE_VALUE = /[^\s·•|,，、;；:：()（）[\]【】「」《》“”]*[:：]\s*$/;

interface Token {
  text: string;
  literal: boolean;
  /** A literal next to a value that dropped out; only these are tidied. */
  touched?: boolean;
}

/**
 * The attribution line to print with a reprint of `item`: the license's template (or
 * DEFAULT_ATTRIBUTION_TEMPLATE) with {source}, {authors} (joined with 、; empty when there are none,
 * so the line names the source and editor only and never presents the outlet as the author), {editor},
 * {title}, {link} (empty for an item without a link) and {published} (YYYY-MM-DD in `timeZone`) filled in. An empty
 * value takes its label ("编辑:") and enclosing brackets with it, the separators around it collapse to
 * one and none is left at either end, so no line reads "A ·  · B" or "作者: · B". Unknown
 * placeholders are left as written.
 */
export function attributionLine(item: Item, license: License, timeZone = 'UTC'): string {
  const { editor, source } = item.attribution;
  const authors = namedAuthors(item);
  const template = license.reprint.attributionTemplate ?? DEFAULT_ATTRIBUTION_TEMPLATE;
  const values: Readonly<Record<string, string>> = {
    source: source.name,
    authors: authors.join(AUTHOR_SEPARATOR),
    editor: editor ?? '',
    title: item.title,
    link: item.link ?? '',
    // Formatting a date in a zone is the costly part of a line; done only for templates that show it.
    published: item.publishedAt === undefined || !template.includes('{published}') ? '' : calendarDate(item.publishedAt, timeZone),
  };
  // split() with a capturing group alternates literal text (even indexes) and placeholder names (odd).
  const parts = template.split(PLACEHOLDER);
  const tokens: Token[] = [];
  parts.forEach((part, i) => {
    const last = tokens[tokens.length - 1];
    if (i % 2 === 0) {
      // Two literals meet only where a value dropped out between them.
      if (last?.literal) last.text = joinAroundGap(last.text, part);
      else tokens.push({ text: part, literal: true });
      return;
    }
    const value = (values[part] ?? '').trim();
    if (value !== '') tokens.push({ text: value, literal: false });
    else if (last !== undefined) {
      // `last` is the literal right before this placeholder (split() always yields one).
      last.text = last.text.replace(LABEL_BEFORE_VALUE, '');
      last.touched = true;
    }
  });
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (first?.touched) first.text = first.text.replace(LEADING_SEPARATORS, '');
  if (last?.touched) last.text = last.text.replace(TRAILING_SEPARATORS, '');
  return tokens
    .map((t) => t.text)
    .join('')
    .trim();
}

/** Joins the literal text on both sides of a value that dropped out: brackets that enclosed it go,
 *  and where separators meet only the first survives (whitespace collapsed). */
function joinAroundGap(before: string, after: string): string {
  const opener = before.slice(-1);
  const closer = BRACKETS[opener];
  if (closer !== undefined && after.startsWith(closer)) return joinAroundGap(before.slice(0, -1), after.slice(closer.length));
  const tail = TRAILING_SEPARATORS.exec(before)?.[0] ?? '';
  const head = LEADING_SEPARATORS.exec(after)?.[0] ?? '';
  const junction = tail.trim() !== '' && head.trim() !== '' ? tail : `${tail}${head}`.replace(/\s+/g, ' ');
  return `${before.slice(0, before.length - tail.length)}${junction}${after.slice(head.length)}`;
}

// RFC 4122 name-based UUID (version 5, SHA-1) in the URL namespace.
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
function uuidV5(name: string): string {
  const hash = createHash('sha1').update(URL_NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const h = hash.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The URL as a normalized absolute http(s) URL, or undefined when it is not one. */
function absoluteHttpUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function sourceView(item: Item): SourceView {
  const { name, url, original } = item.attribution.source;
  const absolute = absoluteHttpUrl(url);
  return {
    name,
    ...(absolute !== undefined && { url: absolute }),
    original,
    id: absolute ?? `urn:uuid:${uuidV5(`${REPRINT_NS}/source/${encodeURIComponent(name)}`)}`,
  };
}

/** What a renderer shows to credit `item` and state its terms. `terms` is licenseTerms(license, baseUrl),
 *  passed in by a caller that already has it (a document shows each license's terms once resolved). */
export function itemRights(
  item: Item,
  license: License,
  baseUrl: string,
  timeZone: string,
  terms: LicenseTerms = licenseTerms(license, baseUrl),
): ItemRights {
  const { editor } = item.attribution;
  const authors = namedAuthors(item);
  const source = sourceView(item);
  return {
    license: terms,
    line: attributionLine(item, license, timeZone),
    ...(item.rights !== undefined && item.rights.trim() !== '' && { upstreamRights: item.rights }),
    authors,
    ...(editor !== undefined && editor.trim() !== '' && { editor }),
    source,
  };
}
