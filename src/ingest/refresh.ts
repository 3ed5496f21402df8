import type { Logger } from '../log.js';
import type { Channel, FeedSource, Item, ListSource, PageSource, Source, SourceState } from '../model.js';
import type { ApplyResult, Store } from '../store/store.js';
import { dedupeAcrossSources } from './dedupe.js';
import { HostPolicy, type PoliteSession } from './fetch/polite.js';
import { itemId } from './ids.js';
import { collectArticles, fetchFeed, HTML_ACCEPT, readFeed } from './pipeline.js';
import { failedRun, nextAttemptAt, optionalNext, skipReason, type SourceRun, type UpstreamHints } from './source-state.js';

export { dedupeAcrossSources } from './dedupe.js';

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

/** Delay between two requests to one host when the source sets none. */
const DEFAULT_DELAY_MS = 1000;
/** A source's lastError names at most this many failed articles. */
const MAX_FAILURES_SHOWN = 3;

/**
 * The one place that knows the order of the ingest stages (each stage is in pipeline.ts). Feeds:
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
    // One by one: spreading tens of thousands of items into push() would overflow the call stack.
    for (const item of result.items) items.push(item);
    states.push(result.state);
    runs.push({ source, started, result });
  }
  const kept = await dedupeAcrossSources(items, store.items(channel.id));

  let applied: ApplyResult;
  try {
    applied = await store.apply(channel.id, {
      items: kept,
      sourceStates: states,
      maxItems: channel.maxItems,
      ...(channel.maxAgeMs !== undefined && { maxAgeMs: channel.maxAgeMs }),
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
      fetchFeed(source.url, opts, {
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
    const { feed, items, notes } = await readFeed(fetched, { channel, source, fallbackBase: channel.link, now });
    for (const note of notes) opts.log.info({ channel: channel.id, source: source.id, note }, 'ingest: feed read');
    const state: SourceState = {
      sourceId: source.id,
      lastRunAt,
      lastSuccessAt: lastRunAt,
      consecutiveFailures: 0,
      ...(fetched.etag !== undefined && { etag: fetched.etag }),
      ...(fetched.lastModified !== undefined && { lastModified: fetched.lastModified }),
      ...next({ ...headerHints, ...(feed.ttlMinutes !== undefined && { ttlMinutes: feed.ttlMinutes }) }),
    };
    return { items, notModified: false, state };
  } catch (err) {
    return failedRun(base, err, lastRunAt, now, opts.random);
  }
}

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
    const seen = new Set(base.seenArticles ?? []);
    const run = await collectArticles(channel, source, {
      fetch: (location, held) => opts.session.fetch(location, { feedsDir: opts.feedsDir, delayMs, accept: HTML_ACCEPT, ...held }),
      feedsDir: opts.feedsDir,
      // Not stored live, and not made an item before (retention may have archived it since).
      isNew: (url) => source.refetch === true || (!opts.stored.has(itemId(source.id, url)) && !seen.has(url)),
      now,
      ...(base.listPages !== undefined && { listPages: base.listPages }),
    });
    const notes = run.notes.length > 0 ? { notes: run.notes } : {};
    const seenArticles = rememberSeen(base.seenArticles, run.items.flatMap((i) => (i.link === undefined ? [] : [i.link])));
    const remembered = seenArticles.length > 0 ? { seenArticles } : {};
    if (run.failures.length > 0) {
      const shown = run.failures.slice(0, MAX_FAILURES_SHOWN).join('; ');
      const more = run.failures.length > MAX_FAILURES_SHOWN ? '; …' : '';
      const error = `crawl-list: ${run.failures.length} of ${run.attempted} articles failed (${shown}${more})`;
      // The list itself was read: no backoff (it would hold back the articles that did work); the
      // failed articles, not stored, are simply tried again by the next run — which therefore asks
      // for the list unconditionally (no validators kept), lest a 304 hide them.
      const failed = failedRun(base, new Error(error), lastRunAt, now, opts.random);
      const { nextAttemptAt: _n, listPages: _l, ...state } = failed.state;
      return { ...failed, items: run.items, state: { ...state, ...notes, ...remembered } };
    }
    const hinted = optionalNext(nextAttemptAt({ ok: true, hints: run.hints }, now, opts.random));
    // A crawl cut short at maxNewArticles left new articles on the list: the next run must see it again.
    const validators = run.capped ? {} : nonEmptyRecord(run.listPages);
    return {
      items: run.items,
      notModified: run.notModified,
      state: { sourceId: source.id, lastRunAt, lastSuccessAt: lastRunAt, consecutiveFailures: 0, ...notes, ...remembered, ...validators, ...hinted },
    };
  } catch (err) {
    return failedRun(base, err, lastRunAt, now, opts.random);
  }
}

/** A source remembers at most this many articles it made items of. */
const MAX_SEEN_ARTICLES = 500;

/** `previous` with `urls` added (moved to the end when already there), the oldest dropped past the cap. */
function rememberSeen(previous: readonly string[] | undefined, urls: readonly string[]): string[] {
  const added = new Set(urls);
  return [...(previous ?? []).filter((u) => !added.has(u)), ...added].slice(-MAX_SEEN_ARTICLES);
}

function nonEmptyRecord(pages: Record<string, { etag?: string; lastModified?: string }>): { listPages?: Record<string, { etag?: string; lastModified?: string }> } {
  return Object.keys(pages).length > 0 ? { listPages: pages } : {};
}

