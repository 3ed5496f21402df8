import type { Logger } from '../log.js';
import type { Channel, FeedSource, Item, ListSource, PageSource, Source, SourceState } from '../model.js';
import type { ApplyResult, Store } from '../store/store.js';
import { parseMaxAge } from '../store/retention.js';
import { crawlList, type ListPage, type PageLink } from './crawl-list.js';
import { decodeDocument } from './decode.js';
import { FetchError, RobotsError } from './errors.js';
import { extractPage } from './extract-page.js';
import { fetchDocument, type FetchResult } from './fetcher.js';
import { canonicalLink, itemId } from './ids.js';
import { normalizeFeed, normalizePage } from './normalize.js';
import { parseFeed } from './parse-feed.js';
import { HostPolicy, type PoliteSession } from './polite.js';

export interface IngestOptions {
  feedsDir: string;
  fetchTimeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
  log: Logger;
  now?: () => Date;
  /** Per-host queues and the robots.txt cache, shared by every run of the process; a run without
   *  one gets its own. */
  hosts?: HostPolicy;
}

export interface SourceReport {
  sourceId: string;
  ok: boolean;
  notModified: boolean;
  fetched: number;
  added: number;
  updated: number;
  unchanged: number;
  error?: string;
  /** What the run skipped without failing (see SourceState.notes). */
  notes?: string[];
  durationMs: number;
}

export interface ChannelReport {
  channelId: string;
  sources: SourceReport[];
  removed: number;
  changed: boolean;
}

/**
 * The one place that knows the order of the ingest stages. Feeds:
 *   fetch → decode → parse → normalize (sanitize runs inside normalize, last on any HTML) → store.
 * List and page sources (every request through the host policy: robots.txt, one at a time per host):
 *   fetch → decode → crawl list (article links, next pages) → for each article not yet stored:
 *   fetch → decode → extract → normalize (sanitize inside, last) → store.
 * Every source of the channel runs even when others fail; the whole run is one store write.
 */
export async function refreshChannel(
  channel: Channel,
  store: Store,
  opts: IngestOptions,
  only?: { sourceId?: string },
): Promise<ChannelReport> {
  const now = (opts.now ?? (() => new Date()))();
  const previous = new Map(store.sourceStates(channel.id).map((s) => [s.sourceId, s]));
  const sources = channel.sources.filter((s) => !only?.sourceId || s.id === only.sourceId);
  const stored = new Set(store.items(channel.id).map((i) => i.id));
  const session = (opts.hosts ?? new HostPolicy({ userAgent: opts.userAgent, timeoutMs: opts.fetchTimeoutMs, maxBytes: opts.maxBodyBytes })).session();

  const items: Item[] = [];
  const states: SourceState[] = [];
  const runs: { source: Source; started: number; result: SourceRun }[] = [];
  for (const source of sources) {
    const started = performance.now();
    const result =
      source.type === 'feed'
        ? await runFeedSource(channel, source, previous.get(source.id), opts, now)
        : await runArticleSource(channel, source, previous.get(source.id), { ...opts, session, stored }, now);
    items.push(...result.items);
    states.push(result.state);
    runs.push({ source, started, result });
  }

  let applied: ApplyResult;
  try {
    applied = await store.apply(channel.id, {
      items,
      sourceStates: states,
      maxItems: channel.maxItems,
      ...(channel.maxAge !== undefined && { maxAgeMs: parseMaxAge(channel.maxAge) }),
      now,
    });
  } catch (err) {
    opts.log.error({ channel: channel.id, err: (err as Error).message }, 'ingest: store write failed');
    throw err;
  }

  const reports = runs.map(({ source, started, result }): SourceReport => {
    const counts = applied.bySource.get(source.id) ?? { added: 0, updated: 0, unchanged: 0 };
    const report: SourceReport = {
      sourceId: source.id,
      ok: result.error === undefined,
      notModified: result.notModified,
      fetched: result.items.length,
      ...counts,
      durationMs: Math.round(performance.now() - started),
      ...(result.error !== undefined && { error: result.error }),
      ...(result.state.notes !== undefined && { notes: result.state.notes }),
    };
    const line = { channel: channel.id, source: source.id, ...report };
    if (report.ok) opts.log.info(line, 'ingest: source done');
    else opts.log.warn(line, 'ingest: source failed');
    return report;
  });
  return { channelId: channel.id, sources: reports, removed: applied.removed, changed: applied.changed };
}

interface SourceRun {
  items: Item[];
  state: SourceState;
  notModified: boolean;
  error?: string;
}

async function runFeedSource(
  channel: Channel,
  source: FeedSource,
  previous: SourceState | undefined,
  opts: IngestOptions,
  now: Date,
): Promise<SourceRun> {
  const base: SourceState = previous ?? { sourceId: source.id, consecutiveFailures: 0 };
  const lastRunAt = now.toISOString();
  try {
    const fetched = await fetchDocument(source.url, {
      feedsDir: opts.feedsDir,
      timeoutMs: opts.fetchTimeoutMs,
      maxBytes: opts.maxBodyBytes,
      userAgent: opts.userAgent,
      ...(base.etag !== undefined && { etag: base.etag }),
      ...(base.lastModified !== undefined && { lastModified: base.lastModified }),
    });
    if (fetched.kind === 'not-modified') {
      return {
        items: [],
        notModified: true,
        state: { ...base, lastRunAt, lastSuccessAt: lastRunAt, consecutiveFailures: 0, lastError: undefined },
      };
    }
    const { text } = decodeDocument(fetched.body, fetched.contentType);
    const parsed = await parseFeed(text);
    const items = normalizeFeed(parsed, { channel, source, documentUrl: fetched.url, now });
    const state: SourceState = {
      sourceId: source.id,
      lastRunAt,
      lastSuccessAt: lastRunAt,
      consecutiveFailures: 0,
      ...(fetched.etag !== undefined && { etag: fetched.etag }),
      ...(fetched.lastModified !== undefined && { lastModified: fetched.lastModified }),
    };
    return { items, notModified: false, state };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      items: [],
      notModified: false,
      error: message,
      state: { ...base, lastRunAt, lastError: message, consecutiveFailures: base.consecutiveFailures + 1 },
    };
  }
}

const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';
const DEFAULT_DELAY_MS = 1000;
/** A source's lastError names at most this many failed articles. */
const MAX_FAILURES_SHOWN = 3;

async function runArticleSource(
  channel: Channel,
  source: ListSource | PageSource,
  previous: SourceState | undefined,
  opts: IngestOptions & { session: PoliteSession; stored: ReadonlySet<string> },
  now: Date,
): Promise<SourceRun> {
  const base: SourceState = previous ?? { sourceId: source.id, consecutiveFailures: 0 };
  const lastRunAt = now.toISOString();
  const delayMs = source.delayMs ?? DEFAULT_DELAY_MS;
  try {
    const run = await collectArticles(channel, source, {
      fetch: (location) => opts.session.fetch(location, { feedsDir: opts.feedsDir, delayMs, accept: HTML_ACCEPT }),
      feedsDir: opts.feedsDir,
      isNew: (url) => source.refetch === true || !opts.stored.has(itemId(source.id, url)),
      now,
    });
    const notes = run.notes.length > 0 ? { notes: run.notes } : {};
    if (run.failures.length > 0) {
      const shown = run.failures.slice(0, MAX_FAILURES_SHOWN).join('; ');
      const more = run.failures.length > MAX_FAILURES_SHOWN ? '; …' : '';
      const error = `crawl-list: ${run.failures.length} of ${run.attempted} articles failed (${shown}${more})`;
      return {
        items: run.items,
        notModified: false,
        error,
        state: { ...withoutNotes(base), lastRunAt, lastError: error, consecutiveFailures: base.consecutiveFailures + 1, ...notes },
      };
    }
    return {
      items: run.items,
      notModified: false,
      state: { sourceId: source.id, lastRunAt, lastSuccessAt: lastRunAt, consecutiveFailures: 0, ...notes },
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      items: [],
      notModified: false,
      error: message,
      state: { ...withoutNotes(base), lastRunAt, lastError: message, consecutiveFailures: base.consecutiveFailures + 1 },
    };
  }
}

function withoutNotes(state: SourceState): SourceState {
  const { notes: _notes, ...rest } = state;
  return rest;
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
