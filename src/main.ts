import type { Server } from 'node:http';
import { formatProblems, loadFeeds } from './config/channels.js';
import { type Config, ConfigError } from './config/env.js';
import { createApp } from './http/app.js';
import { createFeedServer } from './http/server.js';
import { Metrics } from './metrics/metrics.js';
import { keepThreadPriority, lowerBackgroundThreads } from './thread-priority.js';
import { ServingThread, watchRevisions } from './http/serving-thread.js';
import { CountingLedger } from './partners/counting-ledger.js';
import { openPartners, openReprints } from './partners/backend.js';
import { openSubscribers } from './http/pg-subscribers.js';
import { MAX_AGENT_LENGTH } from './http/subscribers.js';
import { type Backend, openBackend } from './ingest/backend.js';
import { type Logger, accessLineFormat, writeLines } from './log.js';
import type { Channel } from './model.js';
import type { AttributionChecker } from './partners/attribution-check.js';
import type { Scheduler } from './schedule/scheduler.js';
import type { Store } from './store/store.js';
import type { ReprintStore } from './store/reprints.js';

export interface Service {
  /** The origin the server actually listens on (useful with PORT=0). */
  url: string;
  /** The thread that owns the public address and answers published feed polls itself. */
  serving: ServingThread;
  /** The main thread's server (Express and the output cache), listening nowhere: `serving` passes requests to it. */
  server: Server;
  app: ReturnType<typeof createApp>;
  store: Store;
  /** Where the data is kept: files under DATA_DIR, or PostgreSQL (DATABASE_URL). */
  backend: Backend;
  scheduler: Scheduler;
  channels: readonly Channel[];
  /** What GET /metrics serves. */
  metrics: Metrics;
  /** Reprint reports (in the backend's files or tables), and the checker that reads the reprinted pages. */
  reprints: ReprintStore;
  checker: AttributionChecker;
  /** Stops the scheduler (waiting, bounded, for a running ingest), closes the server, flushes the store. */
  stop(): Promise<void>;
}

/**
 * Composition root: config → channels → store → HTTP server, then scheduler. A channel file that fails
 * validation is logged with its file and field and left out; the others are served. The ingest side
 * (fetching, parsing, the page extractors, the attribution checker) is loaded after the server listens:
 * feeds are served from the store at once, and the first ingest runs in the background.
 */
export async function startService(config: Readonly<Config>, log: Logger): Promise<Service> {
  // Everything but the thread that serves runs behind it when cores are short (thread-priority.ts).
  const stopLowering = lowerBackgroundThreads();
  const feeds = await loadFeeds(config.feedsDir);
  for (const line of formatProblems(feeds.problems)) log.error(`config: ${line}`);
  if (feeds.channels.length === 0) {
    // A configuration problem (exit code 2): restarting will not fix it.
    throw new ConfigError([`FEEDS_DIR: no valid channel in ${config.feedsDir}; run "syndicator check" for details`]);
  }

  const backend = await openBackend(config, feeds.channels.map((c) => c.id), {
    onLost: (channel, reason) => log.warn({ channel, reason }, 'ingest: lease lost while running'),
  });
  // The serving thread answers with what it was given for a channel until the channel changes.
  let serving: ServingThread | undefined;
  const store = watchRevisions(backend.store, feeds.channels.map((c) => c.id), (id) => serving?.changed(id));
  log.info({ backend: backend.kind, where: backend.where }, 'store opened');
  const metrics = new Metrics();
  const opened = await openPartners(config, backend.db);
  const partners = { ...opened, ledger: new CountingLedger(opened.ledger, metrics) };
  const subscribers = await openSubscribers(config.dataDir, backend.db);
  const reprints = await openReprints(config, backend.db);
  // Created once the ingest side is loaded (below); a report that arrives before only waits for its schedule.
  let startedChecker: AttributionChecker | undefined;
  const app = createApp({
    reprints,
    checker: { kick: () => startedChecker?.kick() },
    store,
    channels: feeds.channels,
    licenses: feeds.licenses,
    baseUrl: config.baseUrl,
    log,
    partners,
    subscribers: subscribers.stats,
    metrics,
    problems: formatProblems(feeds.problems, config.feedsDir),
    dirs: [config.feedsDir, config.dataDir],
    outputCacheBytes: config.outputCacheBytes,
    archivePageItems: config.archivePageItems,
    ...(config.websubHubUrl !== undefined && { hubUrl: config.websubHubUrl }),
    publish: (...answer) => serving?.publish(...answer),
    beforeRead: () => serving?.flush() ?? Promise.resolve(),
  });
  // The serving thread owns the public address (http/serving-worker.ts says why); what it does not
  // answer itself it passes to the main thread's server, which listens nowhere.
  const server = createFeedServer(app, metrics, log, { behindServingThread: true });
  serving = await ServingThread.start(
    {
      host: config.host,
      port: config.port,
      server,
      channels: feeds.channels.map((c) => c.id),
      agentLength: MAX_AGENT_LENGTH,
      keepAliveMs: config.keepAliveTimeoutMs,
      ...(accessLineFormat(log) !== undefined && { accessLog: accessLineFormat(log)! }),
    },
    {
      log: (lines, written) => writeLines(log, lines, written),
      requests: (counts) => {
        metrics.addRequests('/feeds/:file', counts);
        app.publicFeeds.servedElsewhere(counts.count);
      },
      polls: (polls) => {
        for (const [channel, format, agent, address, seenAt] of polls) subscribers.stats.record(channel, format, agent, address, seenAt);
      },
      failed: (request, reason) => log.error({ request, reason }, 'http: no answer to a request (502 sent)'),
    },
  );
  metrics.attach({ serving });
  const keepServing = serving.tid === undefined ? () => undefined : keepThreadPriority(serving.tid);
  const { address } = serving;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  // The serving thread's task id tells it apart in `top -H` (every thread of a Node process is "node").
  log.info({ url, baseUrl: config.baseUrl, channels: feeds.channels.map((c) => c.id), servingThread: serving.tid }, 'serving');

  const [{ ingestOptions }, { refreshChannel }, { WebSubPublisher }, { Scheduler }, { AttributionChecker }] = await Promise.all([
    import('./ingest/deps.js'),
    import('./ingest/refresh.js'),
    import('./publish/websub.js'),
    import('./schedule/scheduler.js'),
    import('./partners/attribution-check.js'),
  ]);
  // One host policy per process: every channel's crawls and the reprint checks share the per-host
  // queues and the robots.txt cache (and, on a database, the per-host rules of every instance).
  const ingest = ingestOptions(config, log, backend.sharedHosts);
  const checker = new AttributionChecker({ reprints, store, channels: feeds.channels, hosts: ingest.hosts, log });
  startedChecker = checker;
  const hub =
    config.websubHubUrl === undefined ? undefined : new WebSubPublisher({ hubUrl: config.websubHubUrl, userAgent: config.userAgent, log });
  const scheduler = new Scheduler(
    feeds.channels,
    async (channel, tick) => {
      // Several instances on one database: the run happens on the one that claims it.
      const lease = await backend.leases?.claim(channel.id, tick);
      if (backend.leases && !lease) {
        log.debug({ channel: channel.id }, 'ingest: another instance runs this channel now');
        return undefined;
      }
      let report;
      try {
        // Start from what the other instances committed (source states: ETags, backoff).
        if (lease) await store.sync();
        report = await refreshChannel(channel, store, ingest);
      } catch (err) {
        metrics.recordIngestFailure(channel.id, channel.sources.map((s) => s.id));
        throw err;
      } finally {
        await lease?.release().catch((err: unknown) => log.warn({ channel: channel.id, err: (err as Error).message }, 'ingest: could not release the lease'));
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
      stopLowering();
      hub?.stop();
      const finished = await scheduler.stop(config.shutdownTimeoutMs);
      if (!finished) log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown: an ingest was still running; stopping anyway');
      // Open connections finish what they are answering (2 s at most), the main thread's part included.
      await serving!.stop();
      keepServing();
      await saveSubscribers();
      await checker.stop();
      await reprints.close();
      await backend.close();
      log.info('stopped');
    })();
    return stopping;
  };

  return { url, serving, server, app, store, backend, scheduler, channels: feeds.channels, metrics, reprints, checker, stop };
}
