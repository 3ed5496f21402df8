import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatProblems, loadFeeds } from './config/channels.js';
import { type Config, ConfigError } from './config/env.js';
import { createApp } from './http/app.js';
import { createFeedServer } from './http/server.js';
import { Metrics } from './metrics/metrics.js';
import { CountingLedger } from './partners/counting-ledger.js';
import { openSubscriberStats } from './http/subscribers.js';
import { ingestOptions, openStore } from './ingest/deps.js';
import { refreshChannel } from './ingest/refresh.js';
import type { Logger } from './log.js';
import type { Channel } from './model.js';
import { ledgerDir } from './partners/ledger.js';
import { RateLimiter } from './partners/rate-limit.js';
import { PartnerStore } from './partners/registry.js';
import { WebSubPublisher } from './publish/websub.js';
import { Scheduler } from './schedule/scheduler.js';
import { LowdbStore } from './store/files/file-store.js';
import { ReprintFileStore } from './store/files/reprint-file-store.js';
import { AttributionChecker } from './partners/attribution-check.js';

export interface Service {
  /** The origin the server actually listens on (useful with PORT=0). */
  url: string;
  server: Server;
  app: ReturnType<typeof createApp>;
  store: LowdbStore;
  scheduler: Scheduler;
  channels: readonly Channel[];
  /** What GET /metrics serves. */
  metrics: Metrics;
  /** Reprint reports, and the checker that reads the reprinted pages. */
  reprints: ReprintFileStore;
  checker: AttributionChecker;
  /** Stops the scheduler (waiting, bounded, for a running ingest), closes the server, flushes the store. */
  stop(): Promise<void>;
}

/**
 * Composition root: config → channels → store → HTTP server + scheduler. A channel file that fails
 * validation is logged with its file and field and left out; the others are served.
 */
export async function startService(config: Readonly<Config>, log: Logger): Promise<Service> {
  const feeds = await loadFeeds(config.feedsDir);
  for (const line of formatProblems(feeds.problems)) log.error(`config: ${line}`);
  if (feeds.channels.length === 0) {
    // A configuration problem (exit code 2): restarting will not fix it.
    throw new ConfigError([`FEEDS_DIR: no valid channel in ${config.feedsDir}; run "syndicator check" for details`]);
  }

  const store = await openStore(config, feeds.channels.map((c) => c.id));
  const metrics = new Metrics();
  const partners = {
    registry: await PartnerStore.open(config.dataDir),
    ledger: new CountingLedger(ledgerDir(config.dataDir), metrics),
    limiter: new RateLimiter(config.partnerRatePerMinute),
  };
  const subscribers = await openSubscriberStats(config.dataDir);
  // One host policy per process: every channel's crawls and the reprint checks share the per-host
  // queues and the robots.txt cache.
  const ingest = ingestOptions(config, log);
  const reprints = await ReprintFileStore.open(config.dataDir);
  const checker = new AttributionChecker({ reprints, store, channels: feeds.channels, hosts: ingest.hosts, log });
  const app = createApp({
    reprints,
    checker,
    store,
    channels: feeds.channels,
    licenses: feeds.licenses,
    baseUrl: config.baseUrl,
    log,
    partners,
    subscribers: subscribers.stats,
    metrics,
    problems: formatProblems(feeds.problems),
    ...(config.websubHubUrl !== undefined && { hubUrl: config.websubHubUrl }),
  });
  const server = createFeedServer(app, metrics, log);
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, baseUrl: config.baseUrl, channels: feeds.channels.map((c) => c.id) }, 'serving');

  const hub =
    config.websubHubUrl === undefined ? undefined : new WebSubPublisher({ hubUrl: config.websubHubUrl, userAgent: config.userAgent, log });
  const scheduler = new Scheduler(
    feeds.channels,
    async (channel) => {
      let report;
      try {
        report = await refreshChannel(channel, store, ingest);
      } catch (err) {
        metrics.recordIngestFailure(channel.id, channel.sources.map((s) => s.id));
        throw err;
      }
      metrics.recordIngest(report);
      if (report.changed) hub?.publish(['rss', 'atom', 'json'].map((ext) => `${config.baseUrl}/feeds/${channel.id}.${ext}`));
      return report;
    },
    log,
  );
  scheduler.start();
  checker.start();

  // Another process (the CLI) may write the same data directory; pick its changes up promptly.
  const syncTimer = setInterval(() => {
    store.sync().catch((err: unknown) => log.error({ err: (err as Error).message }, 'store: sync failed; serving the last good data'));
  }, 2000);
  syncTimer.unref();
  const saveSubscribers = () =>
    subscribers.save(Date.now()).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'subscribers: could not save statistics'));
  const statsTimer = setInterval(saveSubscribers, 60_000);
  statsTimer.unref();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(syncTimer);
      clearInterval(statsTimer);
      hub?.stop();
      const finished = await scheduler.stop(config.shutdownTimeoutMs);
      if (!finished) log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown: an ingest was still running; stopping anyway');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      await saveSubscribers();
      await checker.stop();
      await reprints.close();
      await store.close();
      log.info('stopped');
    })();
    return stopping;
  };

  return { url, server, app, store, scheduler, channels: feeds.channels, metrics, reprints, checker, stop };
}
