import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatProblems, loadFeeds } from './channels.js';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { refreshChannel } from './ingest/refresh.js';
import type { Logger } from './log.js';
import type { Channel } from './model.js';
import { Scheduler } from './schedule/scheduler.js';
import { LowdbStore } from './store/lowdb-store.js';

export interface Service {
  /** The origin the server actually listens on (useful with PORT=0). */
  url: string;
  server: Server;
  store: LowdbStore;
  scheduler: Scheduler;
  channels: readonly Channel[];
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
    throw new Error(`no valid channel in ${config.feedsDir}; run "syndicator check" for details`);
  }

  const store = await LowdbStore.open(config.dataDir, feeds.channels.map((c) => c.id));
  const app = createApp({ store, channels: feeds.channels, licenses: feeds.licenses, baseUrl: config.baseUrl, log });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, baseUrl: config.baseUrl, channels: feeds.channels.map((c) => c.id) }, 'serving');

  const ingestOptions = {
    feedsDir: config.feedsDir,
    fetchTimeoutMs: config.fetchTimeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    userAgent: config.userAgent,
    log,
  };
  const scheduler = new Scheduler(feeds.channels, (channel) => refreshChannel(channel, store, ingestOptions), log);
  scheduler.start();

  // Another process (the CLI) may write the same data directory; pick its changes up promptly.
  const syncTimer = setInterval(() => {
    store.sync().catch((err: unknown) => log.error({ err: (err as Error).message }, 'store: sync failed; serving the last good data'));
  }, 2000);
  syncTimer.unref();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(syncTimer);
      const finished = await scheduler.stop(config.shutdownTimeoutMs);
      if (!finished) log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown: an ingest was still running; stopping anyway');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      await store.close();
      log.info('stopped');
    })();
    return stopping;
  };

  return { url, server, store, scheduler, channels: feeds.channels, stop };
}
