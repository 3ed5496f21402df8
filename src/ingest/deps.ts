// The one factory of what an ingest needs — the store, the host policy and the fetch settings — so
// that the server, `syndicator ingest` and `syndicator preview` fetch with the same limits.

import type { Config } from '../config/env.js';
import type { Logger } from '../log.js';
import { LowdbStore } from '../store/files/file-store.js';
import { HostPolicy } from './fetch/polite.js';
import type { FetchSettings } from './pipeline.js';
import type { IngestOptions } from './refresh.js';

/** The fetch settings of the configuration. */
export function fetchSettings(cfg: Readonly<Config>): FetchSettings {
  return { feedsDir: cfg.feedsDir, fetchTimeoutMs: cfg.fetchTimeoutMs, maxBodyBytes: cfg.maxBodyBytes, userAgent: cfg.userAgent };
}

/** Per-host queues and the robots.txt cache; one per process, shared by every run. */
export function hostPolicy(cfg: Readonly<Config>): HostPolicy {
  return new HostPolicy({ userAgent: cfg.userAgent, timeoutMs: cfg.fetchTimeoutMs, maxBytes: cfg.maxBodyBytes });
}

/** The options of refreshChannel for this configuration, with a host policy of their own. */
export function ingestOptions(cfg: Readonly<Config>, log: Logger): IngestOptions & { hosts: HostPolicy } {
  return { ...fetchSettings(cfg), log, hosts: hostPolicy(cfg) };
}

/** The store of the data directory, holding these channels. */
export function openStore(cfg: Readonly<Config>, channelIds: readonly string[]): Promise<LowdbStore> {
  return LowdbStore.open(cfg.dataDir, channelIds);
}
