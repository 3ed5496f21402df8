// The ingest pipeline, stage by stage: fetch → decode → parse (feeds) or crawl and extract (pages)
// → normalize. refresh.ts runs it for each source and stores the result; `syndicator preview` runs
// the same stages and stores nothing, so a preview fetches and reads a document as an ingest does.

import type { Channel, FeedSource, Item, ListSource, PageSource } from '../model.js';
import { FetchError, RobotsError } from './errors.js';
import { localLocation, type FetchOptions, type FetchResult } from './fetch/fetcher.js';
import { canonicalLink } from './ids.js';
import { optional } from './optional.js';
import type { UpstreamHints } from './source-state.js';
import { crawlList, type ListPage, type PageLink } from './page/crawl-list.js';
import { fetchOffThread } from './worker/fetch-pool.js';
import { runInWorker } from './worker/pool.js';
import type { FeedHead, PageContent } from './worker/tasks.js';
import { joinArticle } from './page/article-pages.js';
import type { ExtractedPage, Explanation, PageExtractOptions } from './page/extract-page.js';

/** Accept header of every article and list page request. */
export const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

/** What fetching needs from the configuration. */
export interface FetchSettings {
  feedsDir: string;
  fetchTimeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
}

/**
 * Stage 1 for a feed: the document at `location` with the configured limits (and a conditional request
 * when given), fetched in the fetch thread (worker/fetch-pool.ts).
 */
export function fetchFeed(location: string, settings: FetchSettings, conditional: Pick<FetchOptions, 'etag' | 'lastModified'> = {}): Promise<FetchResult> {
  return fetchOffThread(location, {
    feedsDir: settings.feedsDir,
    timeoutMs: settings.fetchTimeoutMs,
    maxBytes: settings.maxBodyBytes,
    userAgent: settings.userAgent,
    ...conditional,
  });
}

/**
 * Stages 2–4 for a feed: decode → parse → normalize, from a fetched document. Relative links resolve
 * against `documentUrl` (the fetched URL by default), then the feed's own link, then `fallbackBase`.
 * `notes` says, one line each, what the reader would otherwise not know: a charset declaration
 * overruled, a document read around its XML errors, an entry dropped as a repeat of another. The body's
 * bytes are moved to the worker, not copied: `fetched.body` is empty afterwards.
 */
export async function readFeed(
  fetched: { body: Buffer; contentType?: string; url: string },
  ctx: { channel: Channel; source: FeedSource; now: Date; documentUrl?: string; fallbackBase?: string },
): Promise<{ feed: FeedHead; items: Item[]; notes: string[] }> {
  // Decoding, parsing and normalizing run in a worker thread within the document budget (worker/pool.ts).
  const { body } = fetched;
  // A body with an ArrayBuffer of its own moves; one in Buffer's shared pool (a few KB) is copied.
  const movable = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
  const { feed, items, notes } = await runInWorker(
    {
      kind: 'feed',
      body,
      ...optional('contentType', fetched.contentType),
      url: fetched.url,
      channel: ctx.channel,
      source: ctx.source,
      now: ctx.now.toISOString(),
      documentUrl: ctx.documentUrl ?? fetched.url,
      ...optional('fallbackBase', ctx.fallbackBase),
    },
    movable ? { transfer: [body.buffer] } : {},
  );
  return { feed, items, notes };
}

/** A fetched page: where from, and its bytes as fetched (or its text, when the caller had it decoded). */
interface FetchedPage {
  url: string;
  content: PageContent;
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
  // Pages are fetched here; their bytes are decoded and read in a worker (readArticle, readListPage).
  const load = async (link: PageLink): Promise<FetchedPage> => {
    const fetched = await deps.fetch(link.location);
    if (fetched.kind !== 'ok') throw new FetchError(`${link.location} answered 304 Not Modified to an unconditional request`);
    return { url: fetched.url, content: { body: fetched.body, ...optional('contentType', fetched.contentType) } };
  };
  const given: FetchedPage | undefined = deps.first && { url: deps.first.url, content: { html: deps.first.text } };
  const article = async (link: PageLink, doc?: FetchedPage): Promise<Item> => {
    const first = doc ?? (await load(link));
    const opts = { url: link.url, now: deps.now, ...(source.selectors && { selectors: source.selectors }), ...(source.siteNames && { siteNames: source.siteNames }) };
    // Continuation pages (7001_2.html) are fetched where the first page was fetched from.
    const { page, notes } = await readArticle(first.content, opts, async (href) => {
      const more = await continuationLink(href, first.url, link.url, deps.feedsDir);
      return (await load(more)).content;
    });
    decodeNotes.push(...notes);
    const { item } = await runInWorker({ kind: 'page-item', page, channel, source, now: deps.now.toISOString() });
    if (page.explain) explanations.set(item.id, page.explain);
    return item;
  };

  const empty = { failures: [], notModified: false, listPages: {}, capped: false, hints: {}, explanations };
  if (source.type === 'page') {
    if (!deps.isNew(publicUrl)) return { ...empty, items: [], notes: [], attempted: 0 };
    const item = await article({ location: source.url, url: publicUrl }, given);
    return { ...empty, items: [item], notes: decodeNotes, attempted: 1 };
  }

  const toListPage = (doc: FetchedPage, link: PageLink): ListPage => ({
    fetchedUrl: doc.url,
    publicUrl: canonicalLink(doc.url) ?? link.url,
    ...doc.content,
  });
  // List pages are asked for conditionally: an unchanged page answers 304 and has nothing new.
  const listPages: Record<string, ListValidators> = {};
  let hints: UpstreamHints = {};
  const loadList = async (link: PageLink, first: boolean): Promise<FetchedPage | undefined> => {
    const held = deps.listPages?.[link.url];
    const fetched = await deps.fetch(link.location, held);
    if (first) hints = cachingHints(fetched);
    if (fetched.kind === 'not-modified') {
      if (held) listPages[link.url] = held;
      return undefined;
    }
    const validators = { ...(fetched.etag !== undefined && { etag: fetched.etag }), ...(fetched.lastModified !== undefined && { lastModified: fetched.lastModified }) };
    if (Object.keys(validators).length > 0) listPages[link.url] = validators;
    return { url: fetched.url, content: { body: fetched.body, ...optional('contentType', fetched.contentType) } };
  };
  const firstLink = { location: source.url, url: publicUrl };
  const firstDoc = given ?? (await loadList(firstLink, true));
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

/**
 * The article at `opts.url`: its first page and the continuation pages it links to (loaded with
 * `loadMore`, given the href as written), joined (see page/article-pages.ts). Each page is decoded and
 * extracted in an ingest worker within the document budget; the first page failing fails the article
 * (an ExtractError), a continuation page failing ends it there. `notes`: charsets guessed, continuation
 * pages not joined.
 */
export async function readArticle(
  first: PageContent,
  opts: PageExtractOptions,
  loadMore: (href: string) => Promise<PageContent>,
): Promise<{ page: ExtractedPage; notes: string[] }> {
  const decodeNotes: string[] = [];
  const read = async (content: PageContent, url: string, isFirst: boolean) => {
    const done = await runInWorker({
      kind: 'article',
      content,
      url,
      ...(opts.selectors !== undefined && { selectors: opts.selectors }),
      ...(opts.siteNames !== undefined && { siteNames: opts.siteNames }),
      ...(opts.now !== undefined && { now: opts.now.toISOString() }),
      first: isFirst,
    });
    if (done.decodeNote !== undefined) decodeNotes.push(`decode: ${url}: ${done.decodeNote}`);
    return { page: done.page, hrefs: done.hrefs };
  };
  const { page, notes } = await joinArticle(first, opts.url, read, loadMore);
  return { page, notes: [...decodeNotes, ...notes] };
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
