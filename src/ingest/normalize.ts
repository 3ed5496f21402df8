// Stage 4: ParsedFeed → Items of the shared model. Everything a reader will see is settled here:
// plain-text titles, absolute links, sanitized HTML, UTC dates, attribution and the license that
// governs reprinting.

import { createHash } from 'node:crypto';
import type { Attribution, Channel, Item, ListSource, PageSource, Source, SourceOutlet } from '../model.js';
import { parseDate } from './dates.js';
import type { ExtractedPage } from './page/extract-page.js';
import { canonicalLink, entryLink, itemGuid, itemId } from './ids.js';
import { chooseLicense } from './license-rules.js';
import { capRaw, FIELD_LIMITS, stripBidiControls } from './limits.js';
import { optional } from './optional.js';
import type { ParsedEntry, ParsedFeed } from './feed/parse-feed.js';
import { htmlToText, sanitizeHtml } from './sanitize.js';
import { collapseWhitespace, stripInvalidXmlChars, truncate } from './text.js';
import { findLabelledValue } from './page/page-labels.js';

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
  /** Told, in one line, why an entry of the document gives no item (a repeat of an earlier entry). */
  report?: (line: string) => void;
}

const SUMMARY_LENGTH = 200;
const FALLBACK_TITLE_LENGTH = 60;
// How Chinese articles name their author in running text when no author element is given.
/**
 * One Item per entry of `feed`, in feed order. Item ids depend only on the source and the entry's
 * identity, so the same entry gives the same id on every run. An entry's identity is its guid, else
 * its link, else its title and date; within one document:
 * - entries sharing a guid but not a link are different entries (as Miniflux and Universal Feed Parser
 *   read them): the first keeps the guid's id, each later one is keyed on guid and link;
 * - entries without a guid that share a link (or, without a link, title and date) but differ in what
 *   they say are different entries (several items pointing at one home page): each later one is keyed
 *   on a hash of its content;
 * - entries with neither guid nor link that say the same are kept too (the document lists several),
 *   each keyed on its rank among its equals;
 * - anything else sharing an identity (same guid and link, or same link without guid and the same
 *   content) is a repeat and is dropped, with a line to `ctx.report` saying which entry it repeats.
 */
export function normalizeFeed(feed: ParsedFeed, ctx: NormalizeContext): Item[] {
  const base = linkBase(feed, ctx);
  const feedHome = canonicalLink(feed.link, base);
  const outlet = defaultOutlet(feed, ctx, feedHome, base);
  const language = canonicalLanguage(feed.language) ?? ctx.channel.language;
  const seen = new Map<string, { position: number; entry: ParsedEntry; link: string | undefined }>();
  const items: Item[] = [];
  feed.entries.forEach((entry, index) => {
    const position = index + 1;
    let item = normalizeEntry(entry, { ctx, base, outlet, language, authorsFromText: true });
    const link = item.link;
    const earlier = seen.get(item.id);
    if (earlier) {
      const guid = entry.guid?.trim();
      const contentKey = `${link ?? upstreamKeyOf(entry, item.title)}\ncontent:${createHash('sha256').update(fingerprint(entry)).digest('hex')}`;
      let distinct =
        guid !== undefined && link !== undefined && link !== earlier.link
          ? `${guid}\n${link}`
          : guid === undefined && fingerprint(entry) !== fingerprint(earlier.entry)
            ? contentKey
            : undefined;
      // Nothing tells apart entries with neither guid nor link that say the same: the document lists
      // them as several, so they stay several, each keyed on its rank among its equals.
      for (let rank = 2; guid === undefined && link === undefined && (distinct === undefined || seen.has(itemId(ctx.source.id, distinct))); rank++) {
        distinct = `${contentKey}\nrank:${rank}`;
      }
      if (distinct === undefined || seen.has(itemId(ctx.source.id, distinct))) {
        const why = guid !== undefined ? `guid "${guid}"${link ? ` and link ${link}` : ''}` : link !== undefined ? `link ${link}` : 'title, date and content';
        ctx.report?.(`entry ${position} dropped: it repeats entry ${earlier.position} (same ${why})`);
        return;
      }
      const id = itemId(ctx.source.id, distinct);
      item = { ...item, id, guid: itemGuid(id) };
    }
    seen.set(item.id, { position, entry, link });
    items.push(item);
  });
  return items;
}

/** What an entry says, for telling apart entries that have no guid. */
function fingerprint(entry: ParsedEntry): string {
  return JSON.stringify([entry.title ?? null, entry.published ?? null, entry.updated ?? null, entry.summary ?? null, entry.contentHtml ?? null, entry.authors, entry.categories]);
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
    : { name: (page.siteName && plainName(page.siteName, FIELD_LIMITS.sourceName)) || new URL(base).hostname, url: origin, original: true };
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
  const title = entryTitle(entry) || plainName(text, FALLBACK_TITLE_LENGTH);

  // An entry with neither guid nor link has nothing stable to key on; its title and raw date are the
  // best available, so such an entry gets a new id whenever the upstream edits its title.
  const id = itemId(source.id, guid ?? link ?? upstreamKeyOf(entry, title));

  const attribution: Attribution = {
    authors: entryAuthors(entry, authorsFromText),
    ...optional('editor', plainName(entry.contributors[0] ?? '', FIELD_LIMITS.author) || undefined),
    source: entry.source
      ? { name: plainName(entry.source.name, FIELD_LIMITS.sourceName), ...optional('url', canonicalLink(entry.source.url, base)), original: false }
      : { ...outlet },
  };

  const content = {
    title,
    ...optional('link', link),
    ...optional('summary', summary),
    ...optional('contentHtml', contentHtml),
    ...optional('publishedAt', publishedAt),
    categories: unique(entry.categories.map((c) => plainName(c, FIELD_LIMITS.category))),
    attribution,
    // Only the entry's own rights text: the feed-level rights are the upstream's terms for its feed,
    // and the license chosen below is what governs reprinting each item. Verbatim, but for a statement
    // far past any real one, which ends in "…" at FIELD_LIMITS.rights characters.
    ...optional('rights', entry.rights === undefined ? undefined : truncate(entry.rights, FIELD_LIMITS.rights)),
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

/** The identity of an entry with neither guid nor link: its plain title and its raw date. */
function upstreamKeyOf(entry: ParsedEntry, title: string): string {
  return `title+published:${title}\n${entry.published ?? ''}`;
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

/** The entry's named authors, deduplicated; else, when allowed, a name labelled in its text (作者:, 作　者：,
 *  记者, 文/…, read as article pages read them: see page/page-labels.ts). */
function entryAuthors(entry: ParsedEntry, fromText: boolean): string[] {
  const named = unique(entry.authors.map((a) => plainName(a, FIELD_LIMITS.author)));
  if (named.length > 0 || !fromText) return named;
  const labeled = findLabelledValue(htmlToText(`${entry.summary ?? ''} ${entry.contentHtml ?? ''}`), 'authors');
  return labeled ? [plainName(labeled, FIELD_LIMITS.author)] : [];
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

/** The entry's title as plain text: markup removed and entities decoded when it is HTML, bidi
 *  controls stripped, whitespace collapsed, at most FIELD_LIMITS.title characters. */
function entryTitle(entry: ParsedEntry): string {
  if (entry.title === undefined) return '';
  return plainName(entry.titleIsHtml ? htmlToText(entry.title) : entry.title, FIELD_LIMITS.title);
}

/** A name or title as readers see it: no markup, no bidi controls nor characters XML forbids (a
 *  decoded `&#x1;`), whitespace collapsed, cut to `max` characters. The one place titles, authors,
 *  editors, categories and outlet names are made safe to show. */
function plainName(text: string, max: number): string {
  return truncate(collapseWhitespace(plainText(capRaw(text, max * 8))), max);
}

// `<` then a letter, `/`, `!` or `?` is where an HTML parser starts a tag, an end tag, a comment or a
// processing instruction (HTML Living Standard, 13.2.5.6 "Tag open state"); any other `<` is text.
const TAG_OPEN = /<[A-Za-z/!?]/;

const withoutControls = (text: string) => stripInvalidXmlChars(stripBidiControls(text));

/**
 * `text` without bidi controls, characters XML forbids, or anything an HTML parser would take for
 * markup. Plain text can still hold a tag: an RSS title in CDATA (`<img src=x onerror=…>`, read as
 * text because nothing closes it), or markup escaped twice, which reads `<script>` once decoded; a
 * reader that renders titles as HTML would run it. Such text is read as HTML, as often as it still
 * holds a tag (three times at most; decoding may spell new controls, removed each time), and if a tag
 * is left after that, every `<` goes. Text without a tag only loses its controls.
 */
function plainText(text: string): string {
  let out = withoutControls(text);
  for (let pass = 0; pass < 3 && TAG_OPEN.test(out); pass += 1) out = withoutControls(htmlToText(out));
  return TAG_OPEN.test(out) ? out.replace(/</g, '') : out;
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
  const name = feed.title ? plainName(feed.title, FIELD_LIMITS.sourceName) : '';
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

