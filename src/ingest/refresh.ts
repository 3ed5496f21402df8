import type { Logger } from '../log.js';
import type { Channel, Item, Source, SourceState } from '../model.js';
import type { ApplyResult, Store } from '../store/store.js';
import { decodeDocument } from './decode.js';
import { fetchDocument } from './fetcher.js';
import { normalizeFeed } from './normalize.js';
import { parseFeed } from './parse-feed.js';

export interface IngestOptions {
  feedsDir: string;
  fetchTimeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
  log: Logger;
  now?: () => Date;
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
  durationMs: number;
}

export interface ChannelReport {
  channelId: string;
  sources: SourceReport[];
  removed: number;
  changed: boolean;
}

/**
 * The one place that knows the order of the ingest stages:
 * fetch → decode → parse → normalize (sanitize runs inside normalize, last on any HTML) → store.
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

  const items: Item[] = [];
  const states: SourceState[] = [];
  const runs: { source: Source; started: number; result: SourceRun }[] = [];
  for (const source of sources) {
    const started = performance.now();
    const result = await runSource(channel, source, previous.get(source.id), opts, now);
    items.push(...result.items);
    states.push(result.state);
    runs.push({ source, started, result });
  }

  let applied: ApplyResult;
  try {
    applied = await store.apply(channel.id, { items, sourceStates: states, maxItems: channel.maxItems, now });
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

async function runSource(
  channel: Channel,
  source: Source,
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
