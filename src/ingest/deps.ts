// The one factory of how an ingest fetches — the host policy and the fetch settings — so that the
// server, `syndicator ingest` and `syndicator preview` fetch with the same limits. What they store into
// is made by backend.ts.

import type { Config } from '../config/env.js';
import type { Logger } from '../log.js';
import { HostPolicy, type SharedHosts } from './fetch/polite.js';
import type { FetchSettings } from './pipeline.js';
import type { IngestOptions } from './refresh.js';

/** The fetch settings of the configuration. */
export function fetchSettings(cfg: Readonly<Config>): FetchSettings {
  return { feedsDir: cfg.feedsDir, fetchTimeoutMs: cfg.fetchTimeoutMs, maxBodyBytes: cfg.maxBodyBytes, userAgent: cfg.userAgent };
}

/** Per-host queues and the robots.txt cache; one per process, shared by every run (and, given `shared`, by every instance). */
export function hostPolicy(cfg: Readonly<Config>, shared?: SharedHosts): HostPolicy {
  return new HostPolicy({ userAgent: cfg.userAgent, timeoutMs: cfg.fetchTimeoutMs, maxBytes: cfg.maxBodyBytes, ...(shared && { shared }) });
}

/** The options of refreshChannel for this configuration, with a host policy of their own. */
export function ingestOptions(cfg: Readonly<Config>, log: Logger, shared?: SharedHosts): IngestOptions & { hosts: HostPolicy } {
  return { ...fetchSettings(cfg), log, hosts: hostPolicy(cfg, shared) };
}
