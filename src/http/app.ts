import express from 'express';
import type { Express, Response } from 'express';
import type { Logger } from '../log.js';
import type { Channel, License } from '../model.js';
import type { Store } from '../store/store.js';
import { errorHandler, HttpError, methodNotAllowed, notFound } from './errors.js';
import { Cadence } from '../schedule/cadence.js';
import { collectStatus, relativePaths } from './status.js';
import { DEFAULT_LIMIT, splitExtension } from './feed-request.js';
import { OutputCache } from './output-cache.js';
import { channelPage, feedStylesheet, indexPage, namespaceDocument, opmlDocument } from './pages.js';
import { type PublishAnswer, PublicFeeds } from './public-feeds.js';
import type { SubscriberStats } from './subscribers.js';
import { type PartnerServices, partnerFeeds } from './partner-feeds.js';
import { requestLog } from './request-log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ReprintReport, ReprintStore } from '../store/reprints.js';
import type { AttributionChecker } from '../partners/attribution-check.js';
import { complianceSummary } from '../partners/compliance.js';
import { licenseDocuments } from './policies.js';
import { partnerRoutes } from './partner-reprints.js';
import { registerReprintMetrics } from './reprint-metrics.js';

export interface AppDeps {
  store: Store;
  channels: readonly Channel[];
  licenses: ReadonlyMap<string, License>;
  baseUrl: string;
  log: Logger;
  /** Partner feeds: the registry, the reprint ledger and the rate limiter. */
  partners: PartnerServices;
  /** WebSub hub announced in public feeds. */
  hubUrl?: string;
  /** Where public feed polls are counted. */
  subscribers?: SubscriberStats;
  /** Prometheus metrics: counts every request routed by Express and serves GET /metrics. */
  metrics?: Metrics;
  /** Problems found in FEEDS_DIR at startup (one line each; their channels are left out), shown by /status. */
  problems?: readonly string[];
  /** FEEDS_DIR and DATA_DIR: paths under them are shown relative to them, never absolute. */
  dirs?: readonly string[];
  /** Output cache budget in bytes (OUTPUT_CACHE_BYTES) and items per archive document (ARCHIVE_PAGE_ITEMS). */
  outputCacheBytes?: number;
  archivePageItems?: number;
  /** Reprint reports (POST/GET /partner/reprints, compliance in /status and /metrics, reprints on channel pages). */
  reprints?: ReprintStore;
  /** Checks a new report's page soon after it arrives. */
  checker?: Pick<AttributionChecker, 'kick'>;
  now?: () => Date;
  /** Hands answers of plain feed URLs on to the serving thread (public-feeds.ts). */
  publish?: PublishAnswer;
  /** Waits until counts gathered elsewhere (the serving thread's requests and polls) are in; /status and /metrics call it. */
  beforeRead?: () => Promise<void>;
}

/** The Express application (no listen): every route of README.md (/metrics when given a Metrics). */
export function createApp(deps: AppDeps): Express & { publicFeeds: PublicFeeds } {
  const now = deps.now ?? (() => new Date());
  const channels = new Map(deps.channels.map((c) => [c.id, c]));
  const cache = new OutputCache({
    store: deps.store,
    licenses: deps.licenses,
    baseUrl: deps.baseUrl,
    now,
    ...(deps.hubUrl !== undefined && { hubUrl: deps.hubUrl }),
    ...(deps.outputCacheBytes !== undefined && { maxBytes: deps.outputCacheBytes }),
    ...(deps.archivePageItems !== undefined && { archivePageItems: deps.archivePageItems }),
  });
  const publicFeeds = new PublicFeeds({
    cache,
    channels,
    cadences: new Map(deps.channels.map((c) => [c.id, new Cadence(c.schedule, c.timezone)])),
    baseUrl: deps.baseUrl,
    now,
    // The real clock: a poll reads it without making a Date.
    ...(deps.now === undefined && { nowMs: Date.now }),
    ...(deps.hubUrl !== undefined && { hubUrl: deps.hubUrl }),
    ...(deps.subscribers !== undefined && { subscribers: deps.subscribers }),
    ...(deps.publish !== undefined && { publish: deps.publish }),
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Every response, errors included, is read as the type it declares (no MIME sniffing).
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(requestLog(deps.log));
  if (deps.metrics) app.use(deps.metrics.middleware());

  const channelOr404 = (id: string): Channel => {
    const channel = channels.get(id);
    if (!channel) throw new HttpError(404, `no channel "${id}"`);
    return channel;
  };

  const ctx = { baseUrl: deps.baseUrl, licenses: deps.licenses };

  app.get('/healthz', (_req, res) => {
    res.type('text/plain; charset=utf-8').set('Cache-Control', 'no-store').send('ok\n');
  });

  app.get('/', (_req, res) => {
    sendHtml(res, indexPage([...channels.values()], ctx));
  });

  app.get('/channels/:id', async (req, res) => {
    const channel = channelOr404(req.params.id);
    const reprints = deps.reprints === undefined ? undefined : reprintsByItem(await deps.reprints.list());
    sendHtml(res, channelPage(channel, deps.store.items(channel.id).slice(0, DEFAULT_LIMIT), { ...ctx, ...(reprints !== undefined && { reprints }) }));
  });

  app.get('/feeds/:file', publicFeeds.route);

  app.get('/status', async (_req, res) => {
    await deps.beforeRead?.();
    const report = {
      ...collectStatus(deps.channels, deps.store, deps.subscribers?.counts(now().getTime()) ?? []),
      problems: deps.problems ?? [],
      ...(deps.reprints !== undefined && { reprints: complianceSummary(await deps.reprints.list()) }),
    };
    res.type('application/json; charset=utf-8').set('Cache-Control', 'no-store').send(`${relativePaths(JSON.stringify(report, null, 2), deps.dirs ?? [])}\n`);
  });

  const metrics = deps.metrics;
  if (metrics) {
    const reprints = deps.reprints;
    if (reprints !== undefined) registerReprintMetrics(metrics.registry, async () => complianceSummary(await reprints.list()));
    metrics.attach({ outputCache: cache, itemCounts: () => deps.channels.map((c) => [c.id, deps.store.items(c.id).length] as const) });
    app.get('/metrics', async (_req, res) => {
      await deps.beforeRead?.();
      res.type(metrics.contentType).set('Cache-Control', 'no-store').send(await metrics.text());
    });
  }

  app.get('/assets/feed.xsl', async (_req, res) => {
    res.type('text/xsl; charset=utf-8').set('Cache-Control', 'public, max-age=86400').send(await feedStylesheet());
  });

  app.use('/partner/feeds', partnerFeeds({ ...deps.partners, channels, cache, now }));
  if (deps.reprints !== undefined) {
    const routes = partnerRoutes({
      ...deps.partners,
      channels: deps.channels,
      licenses: deps.licenses,
      store: deps.store,
      reprints: deps.reprints,
      ...(deps.checker !== undefined && { checker: deps.checker }),
      baseUrl: deps.baseUrl,
      now,
    });
    app.use('/partner/grants', routes.grants);
    app.use('/partner/reprints', routes.reprints);
  }

  app.get('/opml.xml', (_req, res) => {
    res.type('text/x-opml; charset=utf-8').send(opmlDocument([...channels.values()], ctx, now()));
  });

  app.get('/licenses/:file', licenseDocuments({ licenses: deps.licenses, channels: deps.channels, store: deps.store, baseUrl: deps.baseUrl }));

  app.get('/ns/reprint/1.0', async (_req, res) => {
    res.type('text/plain; charset=utf-8').send(await namespaceDocument());
  });

  app.all(ROUTES, methodNotAllowed);
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return Object.assign(app, { publicFeeds });
}

/** Every path the routes above serve with GET and HEAD only: any other method on them is a 405. */
const ROUTES = [
  '/',
  '/healthz',
  '/channels/:id',
  '/feeds/:file',
  '/status',
  '/metrics',
  '/assets/feed.xsl',
  '/partner/feeds/:file',
  '/partner/grants/:file',
  '/opml.xml',
  '/licenses/:file',
  '/ns/reprint/1.0',
];

function reprintsByItem(reports: readonly ReprintReport[]): Map<string, ReprintReport[]> {
  const by = new Map<string, ReprintReport[]>();
  for (const r of reports) by.set(r.itemId, [...(by.get(r.itemId) ?? []), r]);
  return by;
}

function sendHtml(res: Response, html: string): void {
  res.type('text/html; charset=utf-8').set('X-Content-Type-Options', 'nosniff').send(html);
}

