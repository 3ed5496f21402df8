import express from 'express';
import type { Express, Response } from 'express';
import type { Logger } from '../log.js';
import type { Channel, License } from '../model.js';
import type { Store } from '../store/store.js';
import { errorHandler, HttpError, notFound } from './errors.js';
import { Cadence } from '../schedule/cadence.js';
import { collectStatus } from './status.js';
import { DEFAULT_LIMIT, splitExtension } from './feed-request.js';
import { OutputCache } from './output-cache.js';
import { channelPage, feedStylesheet, indexPage, licensePage, namespaceDocument, opmlDocument } from './pages.js';
import { PublicFeeds } from './public-feeds.js';
import type { SubscriberStats } from './subscribers.js';
import { type PartnerServices, partnerFeeds } from './partner-feeds.js';
import { requestLog } from './request-log.js';
import type { Metrics } from '../metrics/metrics.js';

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
  now?: () => Date;
}

/** The Express application (no listen): every route of README.md (/metrics when given a Metrics). */
export function createApp(deps: AppDeps): Express & { outputCache: OutputCache; publicFeeds: PublicFeeds } {
  const now = deps.now ?? (() => new Date());
  const channels = new Map(deps.channels.map((c) => [c.id, c]));
  const cache = new OutputCache({
    store: deps.store,
    licenses: deps.licenses,
    baseUrl: deps.baseUrl,
    now,
    ...(deps.hubUrl !== undefined && { hubUrl: deps.hubUrl }),
  });
  const publicFeeds = new PublicFeeds({
    cache,
    channels,
    cadences: new Map(deps.channels.map((c) => [c.id, new Cadence(c.schedule, c.timezone)])),
    baseUrl: deps.baseUrl,
    now,
    ...(deps.hubUrl !== undefined && { hubUrl: deps.hubUrl }),
    ...(deps.subscribers !== undefined && { subscribers: deps.subscribers }),
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.log));
  if (deps.metrics) app.use(deps.metrics.middleware());

  const channelOr404 = (id: string): Channel => {
    const channel = channels.get(id);
    if (!channel) throw new HttpError(404, `no channel "${id}"`);
    return channel;
  };
  const licenseOr404 = (id: string): License => {
    const license = deps.licenses.get(id);
    if (!license) throw new HttpError(404, `no license "${id}"`);
    return license;
  };
  const ctx = { baseUrl: deps.baseUrl, licenses: deps.licenses };

  app.get('/healthz', (_req, res) => {
    res.type('text/plain; charset=utf-8').set('Cache-Control', 'no-store').send('ok\n');
  });

  app.get('/', (_req, res) => {
    sendHtml(res, indexPage([...channels.values()], ctx));
  });

  app.get('/channels/:id', (req, res) => {
    const channel = channelOr404(req.params.id);
    sendHtml(res, channelPage(channel, deps.store.items(channel.id).slice(0, DEFAULT_LIMIT), ctx));
  });

  app.get('/feeds/:file', publicFeeds.route);

  app.get('/status', (_req, res) => {
    const report = { ...collectStatus(deps.channels, deps.store, deps.subscribers?.counts(now().getTime()) ?? []), problems: deps.problems ?? [] };
    res.type('application/json; charset=utf-8').set('Cache-Control', 'no-store').send(`${JSON.stringify(report, null, 2)}\n`);
  });

  const metrics = deps.metrics;
  if (metrics) {
    metrics.attach({ outputCache: cache, itemCounts: () => deps.channels.map((c) => [c.id, deps.store.items(c.id).length] as const) });
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.contentType).set('Cache-Control', 'no-store').send(await metrics.text());
    });
  }

  app.get('/assets/feed.xsl', async (_req, res) => {
    res.type('text/xsl; charset=utf-8').set('Cache-Control', 'public, max-age=86400').send(await feedStylesheet());
  });

  app.use('/partner/feeds', partnerFeeds({ ...deps.partners, channels, cache, now }));

  app.get('/opml.xml', (_req, res) => {
    res.type('text/x-opml; charset=utf-8').send(opmlDocument([...channels.values()], ctx, now()));
  });

  app.get('/licenses/:file', (req, res) => {
    const { id, ext } = splitExtension(req.params.file);
    const license = licenseOr404(id);
    if (ext === 'json') {
      res.type('application/json; charset=utf-8').send(`${JSON.stringify(license, null, 2)}\n`);
      return;
    }
    if (ext !== undefined) throw new HttpError(404, `unknown license format "${ext}"; use /licenses/${id} or /licenses/${id}.json`);
    sendHtml(res, licensePage(license, ctx));
  });

  app.get('/ns/reprint/1.0', async (_req, res) => {
    res.type('text/plain; charset=utf-8').send(await namespaceDocument());
  });

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return Object.assign(app, { outputCache: cache, publicFeeds });
}

function sendHtml(res: Response, html: string): void {
  res.type('text/html; charset=utf-8').set('X-Content-Type-Options', 'nosniff').send(html);
}

