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
import { nextAttemptAt, type UpstreamHints } from '../schedule/next-attempt.js';

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
  /** Fetch sources whose nextAttemptAt (backoff, upstream hints) is still ahead; disabled ones stay skipped. */
  force?: boolean;
  /** [0, 1) source for the backoff jitter; Math.random by default. */
  random?: () => number;
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
  /** Set when the source was not fetched at all: "not due until …" or "disabled …". */
  skipped?: string;
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

  const hosts = opts.hosts ?? new HostPolicy({ userAgent: opts.userAgent, timeoutMs: opts.fetchTimeoutMs, maxBytes: opts.maxBodyBytes });

  const items: Item[] = [];
  const states: SourceState[] = [];
  const runs: { source: Source; started: number; result: SourceRun }[] = [];
  const skippedReports: SourceReport[] = [];
  for (const source of sources) {
    const state = previous.get(source.id);
    const skipped = skipReason(channel, source, state, now, opts.force === true);
    if (skipped !== undefined) {
      skippedReports.push({ sourceId: source.id, ok: true, notModified: false, fetched: 0, added: 0, updated: 0, unchanged: 0, skipped, durationMs: 0 });
      opts.log.info({ channel: channel.id, source: source.id, skipped }, 'ingest: source skipped');
      continue;
    }
    const started = performance.now();
    const result =
      source.type === 'feed'
        ? await runFeedSource(channel, source, state, { ...opts, hosts }, now)
        : await runArticleSource(channel, source, state, { ...opts, session, stored }, now);
    items.push(...result.items);
    states.push(result.state);
    runs.push({ source, started, result });
  }
  const kept = dedupeAcrossSources(items, store.items(channel.id));

  let applied: ApplyResult;
  try {
    applied = await store.apply(channel.id, {
      items: kept,
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
    // The run's summary line: new, updated, unchanged, failed and durationMs, always all five.
    const line = { channel: channel.id, source: source.id, new: report.added, failed: !report.ok, ...report };
    if (report.ok) opts.log.info(line, 'ingest: source done');
    else opts.log.warn(line, 'ingest: source failed');
    return report;
  });
  const order = new Map(sources.map((s, i) => [s.id, i]));
  const all = [...reports, ...skippedReports].sort((a, b) => order.get(a.sourceId)! - order.get(b.sourceId)!);
  return { channelId: channel.id, sources: all, removed: applied.removed, changed: applied.changed };
}

/** Why the source is not fetched in this run, or undefined when it is. */
function skipReason(channel: Channel, source: Source, state: SourceState | undefined, now: Date, force: boolean): string | undefined {
  if (state?.disabled) {
    return `disabled since ${state.disabled.at} (${state.disabled.reason}); run "syndicator source enable ${channel.id} ${source.id}" once it is back`;
  }
  if (!force && state?.nextAttemptAt !== undefined && Date.parse(state.nextAttemptAt) > now.getTime()) {
    return `not due until ${state.nextAttemptAt}`;
  }
  return undefined;
}

/**
 * One article, one item per channel. An entry whose canonical link is already held by another
 * source's item (stored, or earlier in this run in channel order) is dropped: the first source to
 * bring an article keeps it, so a stored item never changes hands. Within one source, an entry with
 * a new id but the link and title of a stored item of that source (an upstream that changed its
 * GUIDs) is dropped too. Entries of one source sharing a link but not a title are kept (some feeds
 * link every entry to their home page). An item without a link is never matched by link: two
 * entries that both lack one are not the same article.
 */
export function dedupeAcrossSources(items: readonly Item[], stored: readonly Item[]): Item[] {
  const owner = new Map<string, { sourceId: string; ids: Set<string>; titles: Set<string> }>();
  const claim = (item: Item) => {
    if (item.link === undefined) return;
    const entry = owner.get(item.link);
    if (!entry) owner.set(item.link, { sourceId: item.sourceId, ids: new Set([item.id]), titles: new Set([item.title]) });
    else if (entry.sourceId === item.sourceId) {
      entry.ids.add(item.id);
      entry.titles.add(item.title);
    }
  };
  for (const item of stored) claim(item);
  const storedIds = new Set(stored.map((i) => i.id));
  const kept: Item[] = [];
  for (const item of items) {
    const entry = item.link === undefined ? undefined : owner.get(item.link);
    if (entry && !entry.ids.has(item.id) && !storedIds.has(item.id)) {
      if (entry.sourceId !== item.sourceId) continue;
      if (entry.titles.has(item.title) && [...entry.ids].some((id) => storedIds.has(id))) continue;
    }
    claim(item);
    kept.push(item);
  }
  return kept;
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
  opts: IngestOptions & { hosts: HostPolicy },
  now: Date,
): Promise<SourceRun> {
  const base: SourceState = previous ?? { sourceId: source.id, consecutiveFailures: 0 };
  const lastRunAt = now.toISOString();
  const next = (hints: UpstreamHints) => optionalNext(nextAttemptAt({ ok: true, hints }, now, opts.random));
  try {
    // One request at a time per host, feeds included (no pause between two feed requests).
    const fetched = await opts.hosts.exclusive(source.url, () =>
      fetchDocument(source.url, {
        feedsDir: opts.feedsDir,
        timeoutMs: opts.fetchTimeoutMs,
        maxBytes: opts.maxBodyBytes,
        userAgent: opts.userAgent,
        ...(base.etag !== undefined && { etag: base.etag }),
        ...(base.lastModified !== undefined && { lastModified: base.lastModified }),
      }),
    );
    const headerHints = {
      ...(fetched.cacheControl !== undefined && { cacheControl: fetched.cacheControl }),
      ...(fetched.expires !== undefined && { expires: fetched.expires }),
      ...(fetched.date !== undefined && { date: fetched.date }),
    };
    if (fetched.kind === 'not-modified') {
      const { lastError: _e, nextAttemptAt: _n, ...rest } = base;
      return {
        items: [],
        notModified: true,
        state: { ...rest, lastRunAt, lastSuccessAt: lastRunAt, consecutiveFailures: 0, ...next(headerHints) },
      };
    }
    const { text } = decodeDocument(fetched.body, fetched.contentType);
    const parsed = await parseFeed(text);
    const items = normalizeFeed(parsed, { channel, source, documentUrl: fetched.url, fallbackBase: channel.link, now });
    const state: SourceState = {
      sourceId: source.id,
      lastRunAt,
      lastSuccessAt: lastRunAt,
      consecutiveFailures: 0,
      ...(fetched.etag !== undefined && { etag: fetched.etag }),
      ...(fetched.lastModified !== undefined && { lastModified: fetched.lastModified }),
      ...next({ ...headerHints, ...(parsed.ttlMinutes !== undefined && { ttlMinutes: parsed.ttlMinutes }) }),
    };
    return { items, notModified: false, state };
  } catch (err) {
    return failedRun(base, err, lastRunAt, now, opts.random);
  }
}

function optionalNext(at: string | undefined): { nextAttemptAt?: string } {
  return at === undefined ? {} : { nextAttemptAt: at };
}

/** The state after a failed run: backoff (or the upstream's Retry-After, when later); a 410 disables the source. */
function failedRun(base: SourceState, err: unknown, lastRunAt: string, now: Date, random?: () => number): SourceRun {
  const message = err instanceof Error ? err.message : String(err);
  const failures = base.consecutiveFailures + 1;
  const { nextAttemptAt: _n, ...rest } = withoutNotes(base);
  const fetchError = err instanceof FetchError ? err : undefined;
  const gone = fetchError?.status === 410;
  const hints = fetchError?.retryAfter !== undefined && (fetchError.status === 429 || fetchError.status === 503) ? { retryAfter: fetchError.retryAfter } : {};
  return {
    items: [],
    notModified: false,
    error: message,
    state: {
      ...rest,
      lastRunAt,
      lastError: message,
      consecutiveFailures: failures,
      ...(gone
        ? { disabled: { reason: `${message} (410 Gone: the upstream says the feed is gone for good)`, at: lastRunAt } }
        : optionalNext(nextAttemptAt({ ok: false, failures, hints }, now, random))),
    },
  };
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
      // The list itself was read: no backoff (it would hold back the articles that did work); the
      // failed articles, not stored, are simply tried again by the next run.
      const failed = failedRun(base, new Error(error), lastRunAt, now, opts.random);
      const { nextAttemptAt: _n, ...state } = failed.state;
      return { ...failed, items: run.items, state: { ...state, ...notes } };
    }
    return {
      items: run.items,
      notModified: false,
      state: { sourceId: source.id, lastRunAt, lastSuccessAt: lastRunAt, consecutiveFailures: 0, ...notes },
    };
  } catch (err) {
    return failedRun(base, err, lastRunAt, now, opts.random);
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
