// Stage 4: ParsedFeed → Items of the shared model. Everything a reader will see is settled here:
// plain-text titles, absolute links, sanitized HTML, UTC dates, attribution and the license that
// governs reprinting.

import { createHash } from 'node:crypto';
import type { Attribution, Channel, Item, ListSource, PageSource, Source, SourceOutlet } from '../model.js';
import { parseDate } from './dates.js';
import type { ExtractedPage } from './page/extract-page.js';
import { canonicalLink, entryLink, itemGuid, itemId } from './ids.js';
import { chooseLicense } from './license-rules.js';
import { optional } from './optional.js';
import type { ParsedEntry, ParsedFeed } from './feed/parse-feed.js';
import { htmlToText, sanitizeHtml } from './sanitize.js';
import { collapseWhitespace, findLabeledValue, truncate } from './text.js';

export interface NormalizeContext {
  channel: Channel;
  source: Source;
  /** Final fetch URL: the base for relative links (a file:// URL for local sources). */
  documentUrl: string;
  /**
   * For a document that is not at an http(s) URL (a local file): the base of last resort for
   * relative links, after the document's own channel link and the configured outlet. Ingest passes
   * the channel's link; a preview passes --base-url, or nothing, in which case relative links are
   * left as written.
   */
  fallbackBase?: string;
  now: Date;
}

const SUMMARY_LENGTH = 200;
const FALLBACK_TITLE_LENGTH = 60;
// How Chinese articles name their author in running text when no author element is given.
const AUTHOR_LABELS = ['作者', '记者'];

/**
 * One Item per entry of `feed`, in feed order; an entry repeating an earlier entry's id is dropped.
 * Item ids depend only on the source and the entry's guid, else its link, else its title and raw
 * date, so the same entry gives the same id on every run. An entry without a link gets none.
 */
export function normalizeFeed(feed: ParsedFeed, ctx: NormalizeContext): Item[] {
  const base = linkBase(feed, ctx);
  const feedHome = canonicalLink(feed.link, base);
  const outlet = defaultOutlet(feed, ctx, feedHome, base);
  const language = canonicalLanguage(feed.language) ?? ctx.channel.language;
  const seen = new Set<string>();
  const items: Item[] = [];
  for (const entry of feed.entries) {
    const item = normalizeEntry(entry, { ctx, base, outlet, language, authorsFromText: true });
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    items.push(item);
  }
  return items;
}

interface FeedFacts {
  ctx: NormalizeContext;
  /** Absolute http(s) URL that relative links are resolved against; undefined leaves them as written. */
  base: string | undefined;
  outlet: SourceOutlet;
  language: string;
  /** Whether an entry without named authors may take one from a 作者/记者 label in its text. */
  authorsFromText: boolean;
}

export interface PageNormalizeContext {
  channel: Channel;
  source: ListSource | PageSource;
  now: Date;
}

// How a 来源 names the site itself without naming it: 本网, 本站讯, 本报记者…, 原创.
const SELF_CREDIT = /^(?:本网|本站|本报|本刊|原创)/;

/**
 * The Item of an extracted article page, built by the same rules as a feed entry's. Its 来源 decides
 * whose work it is: absent, or naming the site itself (one of source.siteNames, the outlet, the page's
 * own site name — a substring either way — or 本网 / 本站 / 本报 / 原创) → the site's outlet, original;
 * any other outlet → that outlet (with its link when the 来源 is a link), original: false.
 */
export function normalizePage(page: ExtractedPage, ctx: PageNormalizeContext): Item {
  const { channel, source } = ctx;
  const base = canonicalLink(page.entry.link) ?? channel.link;
  const origin = `${new URL(base).origin}/`;
  const outlet: SourceOutlet = source.outlet
    ? { name: source.outlet.name, ...optional('url', source.outlet.url), original: true }
    : { name: page.siteName ?? new URL(base).hostname, url: origin, original: true };
  const credited = page.entry.source?.name.trim();
  const selfNames = [...(source.siteNames ?? []), source.outlet?.name, page.siteName];
  const ownWork = credited === undefined || SELF_CREDIT.test(credited) || selfNames.some((n) => n !== undefined && sameOutlet(n, credited));
  const { source: _credited, ...uncredited } = page.entry;
  return normalizeEntry(ownWork ? uncredited : page.entry, {
    ctx: { channel, source, documentUrl: base, now: ctx.now },
    base,
    outlet,
    language: canonicalLanguage(page.language) ?? channel.language,
    authorsFromText: false,
  });
}

function sameOutlet(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  return x !== '' && y !== '' && (x.includes(y) || y.includes(x));
}

/** Clocks and time zones drift, but a date more than a day ahead is false: it is left out, as an
 *  unknown date is (an item dated 2099 would otherwise head the feed for ever). */
const FUTURE_SLACK_MS = 24 * 60 * 60 * 1000;
function notInFuture(iso: string | undefined, now: Date): string | undefined {
  return iso !== undefined && Date.parse(iso) > now.getTime() + FUTURE_SLACK_MS ? undefined : iso;
}

function normalizeEntry(entry: ParsedEntry, { ctx, base, outlet, language, authorsFromText }: FeedFacts): Item {
  const { channel, source, now } = ctx;
  const timeZone = source.timezone ?? channel.timezone;
  const entryBase = xmlBase(entry.base, base);
  const link = entryLink(entry.link, entryBase) ?? (entryBase === undefined ? relativeReference(entry.link) : undefined);
  const guid = entry.guid?.trim() || undefined;
  const publishedAt = firstDate(entry.publishedAll ?? [entry.published], timeZone, now);

  // Relative URLs inside the content are written relative to the article page.
  const rawHtml = entry.contentHtml ?? (entry.summary && looksLikeHtml(entry.summary) ? entry.summary : undefined);
  const contentHtml = rawHtml === undefined ? undefined : nonBlank(sanitizeHtml(rawHtml, link ?? entryBase ?? ''));
  const text = htmlToText(entry.summary ?? entry.contentHtml ?? '');
  const summary = nonBlank(truncate(text, SUMMARY_LENGTH));
  const title = entryTitle(entry) || truncate(text, FALLBACK_TITLE_LENGTH);

  // An entry with neither guid nor link has nothing stable to key on; its title and raw date are the
  // best available, so such an entry gets a new id whenever the upstream edits its title.
  const upstreamKey = guid ?? link ?? `title+published:${title}\n${entry.published ?? ''}`;
  const id = itemId(source.id, upstreamKey);

  const attribution: Attribution = {
    authors: entryAuthors(entry, authorsFromText),
    ...optional('editor', entry.contributors[0]?.trim() || undefined),
    source: entry.source
      ? { name: entry.source.name, ...optional('url', canonicalLink(entry.source.url, base)), original: false }
      : { ...outlet },
  };

  const content = {
    title,
    ...optional('link', link),
    ...optional('summary', summary),
    ...optional('contentHtml', contentHtml),
    ...optional('publishedAt', publishedAt),
    categories: unique(entry.categories.map(collapseWhitespace)),
    attribution,
    // Only the entry's own rights text: the feed-level rights are the upstream's terms for its feed,
    // and the license chosen below is what governs reprinting each item.
    ...optional('rights', entry.rights),
  };
  return {
    id,
    guid: itemGuid(id),
    channelIds: [channel.id],
    sourceId: source.id,
    ...content,
    updatedAt: firstDate(entry.updatedAll ?? [entry.updated], timeZone, now) ?? publishedAt ?? now.toISOString(),
    language,
    licenseId: chooseLicense(channel, { sourceId: source.id, source: attribution.source }),
    contentHash: hashContent(content),
    ingestedAt: now.toISOString(),
  };
}

/** The first of `raws` that is a readable date and not in the future (README "Dates"), as ISO UTC. */
function firstDate(raws: (string | undefined)[], timeZone: string, now: Date): string | undefined {
  for (const raw of raws) {
    const iso = notInFuture(parseDate(raw, timeZone), now);
    if (iso !== undefined) return iso;
  }
  return undefined;
}

/** The base of an entry's links: its xml:base (resolved against the document's base), else the document's. */
function xmlBase(entryBase: string | undefined, documentBase: string | undefined): string | undefined {
  if (entryBase === undefined) return documentBase;
  try {
    return new URL(entryBase, documentBase).href;
  } catch {
    return documentBase;
  }
}

/** The entry's named authors, deduplicated; else, when allowed, a name labelled 作者/记者 in its text. */
function entryAuthors(entry: ParsedEntry, fromText: boolean): string[] {
  const named = unique(entry.authors.map(collapseWhitespace));
  if (named.length > 0 || !fromText) return named;
  const labeled = findLabeledValue(htmlToText(`${entry.summary ?? ''} ${entry.contentHtml ?? ''}`), AUTHOR_LABELS);
  return labeled ? [labeled] : [];
}

/** The fields of an item that a reader sees; hashContent covers exactly these. */
export type ItemContent = Pick<Item, 'title' | 'link' | 'summary' | 'contentHtml' | 'publishedAt' | 'categories' | 'attribution' | 'rights'>;

/**
 * sha256 (hex) over what a reader sees of an item: title, link, summary, content, authors, editor,
 * source outlet, categories, rights, publication date. Equal hashes mean nothing visible changed, so
 * the store keeps the old updatedAt; ids, dates of ingestion and the license are not part of it.
 */
export function hashContent(item: ItemContent): string {
  const { authors, editor, source } = item.attribution;
  const visible = [
    item.title,
    item.link ?? null,
    item.summary ?? null,
    item.contentHtml ?? null,
    authors,
    editor ?? null,
    [source.name, source.url ?? null, source.original],
    item.categories,
    item.rights ?? null,
    item.publishedAt ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(visible)).digest('hex');
}

function entryTitle(entry: ParsedEntry): string {
  if (entry.title === undefined) return '';
  return entry.titleIsHtml ? htmlToText(entry.title) : collapseWhitespace(entry.title);
}

/**
 * The base for relative links: the document's own URL when it was fetched over http(s); for a local
 * file, the upstream's channel link (the page the documents' relative links were written against),
 * else the configured outlet, else ctx.fallbackBase; undefined when none is an http(s) URL.
 */
function linkBase(feed: ParsedFeed, ctx: NormalizeContext): string | undefined {
  return (
    canonicalLink(ctx.documentUrl) ??
    canonicalLink(feed.link) ??
    canonicalLink(ctx.source.outlet?.url) ??
    canonicalLink(ctx.fallbackBase)
  );
}

/**
 * A relative reference as the upstream wrote it (trimmed), for a document with no base to resolve it
 * against; undefined for an empty value or one with a scheme (javascript:, file:, …), which is never
 * an article address.
 */
function relativeReference(link: string | undefined): string | undefined {
  const value = link?.trim();
  if (!value || /^[a-z][a-z0-9+.-]*:/i.test(value)) return undefined;
  return value;
}

/** Who published entries that name no other source: the configured outlet, else the upstream feed
 *  (its title, else the host it is at, else the source's address as configured). */
function defaultOutlet(feed: ParsedFeed, ctx: NormalizeContext, feedHome: string | undefined, base: string | undefined): SourceOutlet {
  const configured = ctx.source.outlet;
  if (configured) return { name: configured.name, ...optional('url', configured.url), original: true };
  const name = feed.title ? collapseWhitespace(feed.title) : '';
  return { name: name || (base === undefined ? ctx.source.url : new URL(base).hostname), ...optional('url', feedHome), original: true };
}

/** BCP 47 in canonical case (`zh-cn` → `zh-CN`); undefined for a missing or malformed tag. */
function canonicalLanguage(tag: string | undefined): string | undefined {
  if (!tag?.trim()) return undefined;
  try {
    return Intl.getCanonicalLocales(tag.trim())[0];
  } catch {
    return undefined;
  }
}

function looksLikeHtml(text: string): boolean {
  return /<[a-z][^>]*>/i.test(text);
}

function nonBlank(value: string): string | undefined {
  return value.trim() === '' ? undefined : value;
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

