// The ingest pipeline, stage by stage: fetch → decode → parse (feeds) or crawl and extract (pages)
// → normalize. refresh.ts runs it for each source and stores the result; `syndicator preview` runs
// the same stages and stores nothing, so a preview fetches and reads a document as an ingest does.

import type { Channel, FeedSource, Item, ListSource, PageSource } from '../model.js';
import { FetchError, RobotsError } from './errors.js';
import { type ParsedFeed, parseFeed } from './feed/parse-feed.js';
import { decodeDocument } from './fetch/decode.js';
import { fetchDocument, type FetchOptions, type FetchResult } from './fetch/fetcher.js';
import { canonicalLink } from './ids.js';
import { normalizeFeed, normalizePage } from './normalize.js';
import { optional } from './optional.js';
import { crawlList, type ListPage, type PageLink } from './page/crawl-list.js';
import { extractPage } from './page/extract-page.js';

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
): Promise<{ parsed: ParsedFeed; items: Item[] }> {
  const { text } = decodeDocument(fetched.body, fetched.contentType);
  const parsed = await parseFeed(text);
  const items = normalizeFeed(parsed, {
    channel: ctx.channel,
    source: ctx.source,
    documentUrl: ctx.documentUrl ?? fetched.url,
    ...optional('fallbackBase', ctx.fallbackBase),
    now: ctx.now,
  });
  return { parsed, items };
}

/** A fetched and decoded document. */
export interface LoadedDocument {
  /** The fetched URL: http(s), or file: for a document under feeds/. */
  url: string;
  text: string;
}

export interface ArticleDeps {
  /** Fetches a location (an http(s) URL or a path relative to feedsDir), politely. */
  fetch: (location: string) => Promise<FetchResult>;
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
}

/**
 * The items of a list or page source: the stages after the first fetch for article pages. A page
 * source whose article is already stored (and not refetched) gives nothing; one failing article
 * of a list never stops the others. Throws when the source's own document cannot be read.
 */
export async function collectArticles(channel: Channel, source: ListSource | PageSource, deps: ArticleDeps): Promise<ArticleRun> {
  const publicUrl = publicAddress(channel, source);
  const load = async (link: PageLink): Promise<LoadedDocument> => {
    const fetched = await deps.fetch(link.location);
    if (fetched.kind !== 'ok') throw new FetchError(`${link.location} answered 304 Not Modified to an unconditional request`);
    return { url: fetched.url, text: decodeDocument(fetched.body, fetched.contentType).text };
  };
  const article = async (link: PageLink, doc?: LoadedDocument): Promise<Item> => {
    const { text } = doc ?? (await load(link));
    const page = extractPage(text, { url: link.url, ...(source.selectors && { selectors: source.selectors }), ...(source.siteNames && { siteNames: source.siteNames }) });
    return normalizePage(page, { channel, source, now: deps.now });
  };

  if (source.type === 'page') {
    if (!deps.isNew(publicUrl)) return { items: [], notes: [], failures: [], attempted: 0 };
    return { items: [await article({ location: source.url, url: publicUrl }, deps.first)], notes: [], failures: [], attempted: 1 };
  }

  const toListPage = (doc: LoadedDocument, link: PageLink): ListPage => ({
    fetchedUrl: doc.url,
    publicUrl: canonicalLink(doc.url) ?? link.url,
    html: doc.text,
  });
  const firstLink = { location: source.url, url: publicUrl };
  const crawl = await crawlList(toListPage(deps.first ?? (await load(firstLink)), firstLink), {
    ...(source.linkSelector && { linkSelector: source.linkSelector }),
    ...(source.nextSelector && { nextSelector: source.nextSelector }),
    maxPages: source.maxPages,
    maxNewArticles: source.maxNewArticles,
    isNew: deps.isNew,
    feedsDir: deps.feedsDir,
    loadPage: async (link) => toListPage(await load(link), link),
  });

  const run: ArticleRun = { items: [], notes: [...crawl.notes], failures: [], attempted: 0 };
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

/**
 * The public http(s) address of a source's own document: its URL when it is one; for a local
 * document, the configured baseUrl, else the channel's link (the page its documents were saved from).
 */
export function publicAddress(channel: Channel, source: ListSource | PageSource): string {
  return canonicalLink(source.url) ?? canonicalLink(source.baseUrl) ?? channel.link;
}
