// The ingest pipeline, stage by stage: fetch → decode → parse (feeds) or crawl and extract (pages)
// → normalize. refresh.ts runs it for each source and stores the result; `syndicator preview` runs
// the same stages and stores nothing, so a preview fetches and reads a document as an ingest does.

import type { Channel, FeedSource, Item, ListSource, PageSource } from '../model.js';
import { FetchError, RobotsError } from './errors.js';
import { type ParsedFeed, parseFeed } from './feed/parse-feed.js';
import { decodeDocument } from './fetch/decode.js';
import { fetchDocument, localLocation, type FetchOptions, type FetchResult } from './fetch/fetcher.js';
import { canonicalLink } from './ids.js';
import { normalizeFeed, normalizePage } from './normalize.js';
import { optional } from './optional.js';
import type { UpstreamHints } from './source-state.js';
import { crawlList, type ListPage, type PageLink } from './page/crawl-list.js';
import { readArticle } from './page/article-pages.js';
import type { Explanation } from './page/extract-page.js';

/** Accept header of every article and list page request. */
export const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

/** What fetching needs from the configuration. */
export interface FetchSettings {
  feedsDir: string;
  fetchTimeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
}

/** Stage 1 for a feed: the document at `location` with the configured limits (and a conditional request when given). */
export function fetchFeed(location: string, settings: FetchSettings, conditional: Pick<FetchOptions, 'etag' | 'lastModified'> = {}): Promise<FetchResult> {
  return fetchDocument(location, {
    feedsDir: settings.feedsDir,
    timeoutMs: settings.fetchTimeoutMs,
    maxBytes: settings.maxBodyBytes,
    userAgent: settings.userAgent,
    ...conditional,
  });
}

/** Stages 2–4 for a feed: decode → parse → normalize, from a fetched document. Relative links resolve
 *  against `documentUrl` (the fetched URL by default), then the feed's own link, then `fallbackBase`. */
export async function readFeed(
  fetched: { body: Buffer; contentType?: string; url: string },
  ctx: { channel: Channel; source: FeedSource; now: Date; documentUrl?: string; fallbackBase?: string },
): Promise<{ parsed: ParsedFeed; items: Item[]; charsetNote?: string }> {
  const { text, note } = decodeDocument(fetched.body, fetched.contentType);
  const parsed = await parseFeed(text);
  const items = normalizeFeed(parsed, {
    channel: ctx.channel,
    source: ctx.source,
    documentUrl: ctx.documentUrl ?? fetched.url,
    ...optional('fallbackBase', ctx.fallbackBase),
    now: ctx.now,
  });
  return { parsed, items, ...optional('charsetNote', note) };
}

/** A fetched and decoded document. */
export interface LoadedDocument {
  /** The fetched URL: http(s), or file: for a document under feeds/. */
  url: string;
  text: string;
}

export interface ArticleDeps {
  /** Fetches a location (an http(s) URL or a path relative to feedsDir), politely; with `held`, conditionally. */
  fetch: (location: string, held?: ListValidators) => Promise<FetchResult>;
  /** The validators each list page (by public URL) answered with last time. */
  listPages?: Readonly<Record<string, ListValidators>>;
  feedsDir: string;
  /** Whether an article, by public URL, still has to be fetched. */
  isNew: (url: string) => boolean;
  now: Date;
  /** The source's own document when the caller already has it (preview); else it is fetched. */
  first?: LoadedDocument;
}

export interface ArticleRun {
  items: Item[];
  /** Skipped without failing: a next page not found, a URL robots.txt disallows. */
  notes: string[];
  /** One line per article that failed: its URL and the stage error. */
  failures: string[];
  /** How many articles were fetched or tried. */
  attempted: number;
  /** Per item (by id), which rule found each field (`syndicator preview --explain`). */
  explanations: Map<string, Explanation>;
  /** The source's first list page answered not-modified: nothing was crawled. */
  notModified: boolean;
  /** Validators of the list pages read (or found unchanged) in this run, by public URL. */
  listPages: Record<string, ListValidators>;
  /** The crawl stopped at maxNewArticles (see CrawlResult.capped). */
  capped: boolean;
  /** Caching headers of the source's first document, for its nextAttemptAt. */
  hints: UpstreamHints;
}

export interface ListValidators {
  etag?: string;
  lastModified?: string;
}

/**
 * The items of a list or page source: the stages after the first fetch for article pages. A page
 * source whose article is already stored (and not refetched) gives nothing; one failing article
 * of a list never stops the others. Throws when the source's own document cannot be read.
 */
export async function collectArticles(channel: Channel, source: ListSource | PageSource, deps: ArticleDeps): Promise<ArticleRun> {
  const publicUrl = publicAddress(channel, source);
  const decodeNotes: string[] = [];
  const explanations = new Map<string, Explanation>();
  const load = async (link: PageLink): Promise<LoadedDocument> => {
    const fetched = await deps.fetch(link.location);
    if (fetched.kind !== 'ok') throw new FetchError(`${link.location} answered 304 Not Modified to an unconditional request`);
    const decoded = decodeDocument(fetched.body, fetched.contentType);
    if (decoded.note !== undefined) decodeNotes.push(`decode: ${link.url}: ${decoded.note}`);
    return { url: fetched.url, text: decoded.text };
  };
  const article = async (link: PageLink, doc?: LoadedDocument): Promise<Item> => {
    const first = doc ?? (await load(link));
    const opts = { url: link.url, now: deps.now, ...(source.selectors && { selectors: source.selectors }), ...(source.siteNames && { siteNames: source.siteNames }) };
    // Continuation pages (7001_2.html) are fetched where the first page was fetched from.
    const { page, notes } = await readArticle(first.text, opts, async (href) => {
      const more = await continuationLink(href, first.url, link.url, deps.feedsDir);
      return (await load(more)).text;
    });
    decodeNotes.push(...notes);
    const item = normalizePage(page, { channel, source, now: deps.now });
    if (page.explain) explanations.set(item.id, page.explain);
    return item;
  };

  const empty = { failures: [], notModified: false, listPages: {}, capped: false, hints: {}, explanations };
  if (source.type === 'page') {
    if (!deps.isNew(publicUrl)) return { ...empty, items: [], notes: [], attempted: 0 };
    const item = await article({ location: source.url, url: publicUrl }, deps.first);
    return { ...empty, items: [item], notes: decodeNotes, attempted: 1 };
  }

  const toListPage = (doc: LoadedDocument, link: PageLink): ListPage => ({
    fetchedUrl: doc.url,
    publicUrl: canonicalLink(doc.url) ?? link.url,
    html: doc.text,
  });
  // List pages are asked for conditionally: an unchanged page answers 304 and has nothing new.
  const listPages: Record<string, ListValidators> = {};
  let hints: UpstreamHints = {};
  const loadList = async (link: PageLink, first: boolean): Promise<LoadedDocument | undefined> => {
    const held = deps.listPages?.[link.url];
    const fetched = await deps.fetch(link.location, held);
    if (first) hints = cachingHints(fetched);
    if (fetched.kind === 'not-modified') {
      if (held) listPages[link.url] = held;
      return undefined;
    }
    const validators = { ...(fetched.etag !== undefined && { etag: fetched.etag }), ...(fetched.lastModified !== undefined && { lastModified: fetched.lastModified }) };
    if (Object.keys(validators).length > 0) listPages[link.url] = validators;
    const decoded = decodeDocument(fetched.body, fetched.contentType);
    if (decoded.note !== undefined) decodeNotes.push(`decode: ${link.url}: ${decoded.note}`);
    return { url: fetched.url, text: decoded.text };
  };
  const firstLink = { location: source.url, url: publicUrl };
  const firstDoc = deps.first ?? (await loadList(firstLink, true));
  if (firstDoc === undefined) return { ...empty, items: [], notes: [], attempted: 0, notModified: true, listPages, hints };
  const crawl = await crawlList(toListPage(firstDoc, firstLink), {
    ...(source.linkSelector && { linkSelector: source.linkSelector }),
    ...(source.nextSelector && { nextSelector: source.nextSelector }),
    maxPages: source.maxPages,
    maxNewArticles: source.maxNewArticles,
    isNew: deps.isNew,
    feedsDir: deps.feedsDir,
    loadPage: async (link) => {
      const doc = await loadList(link, false);
      return doc && toListPage(doc, link);
    },
  });

  const run: ArticleRun = { ...empty, items: [], notes: decodeNotes, attempted: 0, listPages, capped: crawl.capped, hints };
  decodeNotes.unshift(...crawl.notes);
  for (const link of crawl.articles) {
    try {
      run.attempted += 1;
      run.items.push(await article(link));
    } catch (err) {
      if (err instanceof RobotsError && err.disallowed) {
        run.attempted -= 1;
        run.notes.push(err.message);
      } else {
        run.failures.push(`${link.url}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return run;
}

/** The caching headers of an answer (see schedule/next-attempt.ts). */
function cachingHints(fetched: FetchResult): UpstreamHints {
  return {
    ...(fetched.cacheControl !== undefined && { cacheControl: fetched.cacheControl }),
    ...(fetched.expires !== undefined && { expires: fetched.expires }),
    ...(fetched.date !== undefined && { date: fetched.date }),
  };
}

/** Where a continuation page's href leads: fetched beside the first page, public beside its public address. */
async function continuationLink(href: string, fetchedUrl: string, publicUrl: string, feedsDir: string): Promise<PageLink> {
  const url = canonicalLink(href, publicUrl);
  if (!url) throw new FetchError(`continuation link "${href}" is not an http(s) address`);
  if (!fetchedUrl.startsWith('file:')) return { location: canonicalLink(href, fetchedUrl) ?? url, url };
  const location = await localLocation(new URL(href, fetchedUrl).href, feedsDir);
  if (location === undefined) throw new FetchError(`continuation link "${href}" leads outside the feeds directory`);
  return { location, url };
}

/**
 * The public http(s) address of a source's own document: its URL when it is one; for a local
 * document, the configured baseUrl, else the channel's link (the page its documents were saved from).
 */
export function publicAddress(channel: Channel, source: ListSource | PageSource): string {
  return canonicalLink(source.url) ?? canonicalLink(source.baseUrl) ?? channel.link;
}
