// Prometheus metrics (GET /metrics, text format 0.0.4), on a Registry of the service's own.
//
// HTTP requests are counted by route *template* (`/feeds/:file`, never the raw URL, so the number of
// series stays bounded) and status. The hot path — feed polls answered before Express — records each
// request with one Map lookup and a few number increments: no label objects, no strings, no
// allocation. The series are built only when /metrics is scraped. Items per channel and the output
// cache's hits and renders are read on scrape, too.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metric } from 'prom-client';
import { HTTP_BUCKETS, bucketIndex } from './buckets.js';

/** What an ingest run reports to the metrics: one line per source (ingest/refresh.ts's ChannelReport
 *  has this shape; declared here so that metrics depend on nothing of ingest). */
export interface IngestRunReport {
  channelId: string;
  sources: readonly { sourceId: string; ok: boolean; notModified?: boolean; skipped?: string; durationMs: number }[];
}

/** What ingest reports to: a run's report, or a run that failed as a whole. */
export interface IngestMetrics {
  recordIngest(report: IngestRunReport): void;
  recordIngestFailure(channel: string, sources: readonly string[]): void;
}

/** What http reports to: one answered request, by route template. */
export interface RequestMetrics {
  recordRequest(route: string, status: number, seconds: number): void;
}

export { HTTP_BUCKETS } from './buckets.js';

/** Route label of requests no route matched (404s, scanners): one series, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

interface RouteStats {
  /** Requests by status code. */
  readonly statuses: Map<number, number>;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** What /metrics reads on scrape: the store's item counts and the output cache's counters. */
export interface MetricsSources {
  itemCounts?: () => Iterable<readonly [channel: string, items: number]>;
  outputCache?: { readonly hits: number; readonly renders: number; readonly size: number; readonly bytes: number };
  /** The serving thread: how many requests it passed to the main thread rather than answering them itself. */
  serving?: { readonly passed: number };
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

export class Metrics implements IngestMetrics, RequestMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  readonly #routes = new Map<string, RouteStats>();
  #sources: MetricsSources = {};

  readonly ingestRuns = new Counter({
    name: 'syndicator_ingest_runs_total',
    help: 'Ingest runs of a source, by outcome: ok, not_modified (the upstream answered 304), failed, or skipped (backoff, disabled)',
    labelNames: ['channel', 'source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestDuration = new Histogram({
    name: 'syndicator_ingest_duration_seconds',
    help: 'Duration of one source\'s ingest run',
    labelNames: ['channel', 'source'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  readonly partnerDeliveries = new Counter({
    name: 'syndicator_partner_deliveries_total',
    help: 'Partner feed deliveries written to the reprint ledger',
    labelNames: ['partner', 'channel'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const self = this;
    new Gauge({
      name: 'syndicator_items',
      help: 'Live items in each channel\'s feed (archived items not counted)',
      labelNames: ['channel'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [channel, items] of self.#sources.itemCounts?.() ?? []) this.set({ channel }, items);
      },
    });
    // Counters kept elsewhere, read on scrape.
    const readCounter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    readCounter('syndicator_output_cache_hits_total', 'Feed documents served from the output cache without a render', () => self.#sources.outputCache?.hits ?? 0);
    readCounter('syndicator_output_cache_renders_total', 'Feed documents rendered (once per change of a channel, per representation)', () => self.#sources.outputCache?.renders ?? 0);
    readCounter(
      'syndicator_serving_passed_total',
      'Requests the serving thread passed to the main thread: all but repeat polls of a feed URL within the second its answer was published',
      () => self.#sources.serving?.passed ?? 0,
    );
    new Gauge({
      name: 'syndicator_output_cache_documents',
      help: 'Rendered documents the output cache holds now',
      registers: [this.registry],
      collect() {
        this.set(self.#sources.outputCache?.size ?? 0);
      },
    });
    new Gauge({
      name: 'syndicator_output_cache_bytes',
      help: 'Bytes the output cache holds now, as counted against OUTPUT_CACHE_BYTES',
      registers: [this.registry],
      collect() {
        this.set(self.#sources.outputCache?.bytes ?? 0);
      },
    });
    // Event-loop delay, sampled every 10 ms: how long a ready callback (a request) waited for the
    // thread. Each scrape reports the window since the previous scrape, then starts a new one.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    new Gauge({
      name: 'syndicator_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape: p50, p99 and max (quantile="1")',
      labelNames: ['quantile'] as const,
      registers: [this.registry],
      collect() {
        const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
        this.set({ quantile: '0.5' }, seconds(loop.percentile(50)));
        this.set({ quantile: '0.99' }, seconds(loop.percentile(99)));
        this.set({ quantile: '1' }, seconds(loop.max));
        loop.reset();
      },
    });
    this.registry.registerMetric(this.#custom('syndicator_http_requests_total', 'HTTP requests by route template and status', 'counter', () => this.#requestValues()));
    this.registry.registerMetric(
      this.#custom('syndicator_http_request_duration_seconds', 'Time to answer an HTTP request, by route template', 'histogram', () => this.#durationValues()),
    );
  }

  /** Where the scrape-time gauges read from (set once the store and the output cache exist). */
  attach(sources: MetricsSources): void {
    this.#sources = { ...this.#sources, ...sources };
  }

  /**
   * Counts one HTTP request. `route` must be a template from a fixed set (a literal in the code, or an
   * Express route path), never a URL. Allocation-free once the route has been seen.
   */
  recordRequest(route: string, status: number, seconds: number): void {
    const stats = this.#route(route);
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    stats.buckets[bucketIndex(seconds)]! += 1;
    stats.sum += seconds;
    stats.count += 1;
  }

  /**
   * Requests counted elsewhere (the serving thread) and added here in one go: counts per status,
   * non-cumulative counts per bucket of HTTP_BUCKETS (the last +Inf), the sum of their durations.
   */
  addRequests(route: string, counts: { statuses: readonly (readonly [number, number])[]; buckets: readonly number[]; sum: number; count: number }): void {
    const stats = this.#route(route);
    for (const [status, n] of counts.statuses) stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + n);
    for (let i = 0; i < stats.buckets.length; i += 1) stats.buckets[i]! += counts.buckets[i] ?? 0;
    stats.sum += counts.sum;
    stats.count += counts.count;
  }

  #route(route: string): RouteStats {
    let stats = this.#routes.get(route);
    if (stats === undefined) {
      stats = { statuses: new Map(), buckets: new Float64Array(HTTP_BUCKETS.length + 1), sum: 0, count: 0 };
      this.#routes.set(route, stats);
    }
    return stats;
  }

  /** Express middleware: counts each request under its matched route (`req.baseUrl + req.route.path`). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        const path = (req.route as { path?: unknown } | undefined)?.path;
        const route = typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED_ROUTE;
        this.recordRequest(route, res.statusCode, (performance.now() - started) / 1000);
      });
      next();
    };
  }

  /** Counts an ingest run's report: one run per source, with its outcome and duration. */
  recordIngest(report: IngestRunReport): void {
    for (const s of report.sources) {
      // A source skipped by its backoff or disabled was not run: it counts under outcome "skipped".
      if (s.skipped !== undefined) {
        this.ingestRuns.inc({ channel: report.channelId, source: s.sourceId, outcome: 'skipped' });
        continue;
      }
      const outcome = !s.ok ? 'failed' : s.notModified ? 'not_modified' : 'ok';
      this.ingestRuns.inc({ channel: report.channelId, source: s.sourceId, outcome });
      this.ingestDuration.observe({ channel: report.channelId, source: s.sourceId }, s.durationMs / 1000);
    }
  }

  /** Counts a run that failed as a whole (its store write): every source of the channel failed. */
  recordIngestFailure(channel: string, sources: readonly string[]): void {
    for (const source of sources) this.ingestRuns.inc({ channel, source, outcome: 'failed' });
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  #requestValues(): MetricValue[] {
    const values: MetricValue[] = [];
    for (const [route, stats] of this.#routes) {
      for (const [status, n] of stats.statuses) values.push({ value: n, labels: { route, status } });
    }
    return values;
  }

  #durationValues(): MetricValue[] {
    const name = 'syndicator_http_request_duration_seconds';
    const values: MetricValue[] = [];
    for (const [route, stats] of this.#routes) {
      let cumulative = 0;
      HTTP_BUCKETS.forEach((le, i) => {
        cumulative += stats.buckets[i]!;
        values.push({ metricName: `${name}_bucket`, value: cumulative, labels: { le, route } });
      });
      values.push({ metricName: `${name}_bucket`, value: stats.count, labels: { le: '+Inf', route } });
      values.push({ metricName: `${name}_sum`, value: stats.sum, labels: { route } });
      values.push({ metricName: `${name}_count`, value: stats.count, labels: { route } });
    }
    return values;
  }

  /** A metric whose values are computed on scrape from our own counters (prom-client's Metric shape). */
  #custom(name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[]): Metric {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => this.#routes.clear(),
    };
    return metric as unknown as Metric;
  }
}
