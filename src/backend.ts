// Where a process keeps its data, chosen by DATABASE_URL: the files under DATA_DIR (the default, no set-up;
// one machine), or PostgreSQL (several instances behind a load balancer; docs/scaling.md). Both give the
// same parts — the store, the partner registry, the ledger, the rate limiter, subscriber statistics — and
// PostgreSQL adds what only matters with several instances: ingest leases and per-host politeness shared
// between them. The server (main.ts) and the CLI open their data here.

import type { Config } from './config.js';
import { openPgSubscriberStats } from './http/pg-subscribers.js';
import { openSubscriberStats, type SubscriberStats } from './http/subscribers.js';
import type { SharedHosts } from './ingest/polite.js';
import { Ledger, type LedgerEntry, type LedgerFilter, type LedgerProblem, ledgerDir } from './partners/ledger.js';
import { PgLedger } from './partners/pg-ledger.js';
import { SharedRateLimiter } from './partners/pg-rate-limit.js';
import { openPgPartners } from './partners/pg-registry.js';
import { type Limiter, RateLimiter } from './partners/rate-limit.js';
import { PartnerStore, type PartnerRegistry } from './partners/registry.js';
import { LowdbStore } from './store/lowdb-store.js';
import { Database } from './store/postgres/database.js';
import { SharedHostGate } from './store/postgres/host-gate.js';
import { IngestLeases, type LeaseOptions } from './store/postgres/leases.js';
import { PostgresStore } from './store/postgres/pg-store.js';
import type { Store } from './store/store.js';

/** The reprint ledger of either backend: append a delivery, read entries back. */
export interface LedgerBook {
  append(entry: LedgerEntry): Promise<void>;
  entries(filter?: LedgerFilter, onProblem?: (problem: LedgerProblem) => void): AsyncGenerator<LedgerEntry>;
}

export interface Backend {
  kind: 'files' | 'postgres';
  /** Where the data is, for messages (DATA_DIR, or the database URL without its password). */
  where: string;
  /** The database when kind is postgres. */
  db?: Database;
  store: Store;
  /** Shared by several instances with PostgreSQL: an ingest of a channel runs on one instance at a time. */
  leases?: IngestLeases;
  /** Shared by several instances with PostgreSQL: per-host politeness across them. */
  sharedHosts?: SharedHosts;
  /** Waits for pending writes, releases connections. */
  close(): Promise<void>;
}

export interface PartnerBackend {
  registry: PartnerRegistry;
  ledger: LedgerBook;
  limiter: Limiter;
}

/** Opens the store of the given channels on the configured backend (migrating a database first). */
export async function openBackend(config: Readonly<Config>, channelIds: readonly string[], leaseOptions: LeaseOptions = {}): Promise<Backend> {
  if (config.databaseUrl === undefined) {
    const store = await LowdbStore.open(config.dataDir, channelIds);
    return { kind: 'files', where: config.dataDir, store, close: () => store.close() };
  }
  const db = await Database.open(config.databaseUrl, { max: 20 });
  try {
    const store = await PostgresStore.open(db, channelIds);
    return {
      kind: 'postgres',
      where: redacted(config.databaseUrl),
      db,
      store,
      leases: new IngestLeases(db, { ttlMs: config.ingestLeaseMs, ...leaseOptions }),
      sharedHosts: new SharedHostGate(db),
      close: async () => {
        await store.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The partner registry, ledger and rate limiter of the backend (`db` given: PostgreSQL). */
export async function openPartners(config: Readonly<Config>, db?: Database): Promise<PartnerBackend> {
  if (db === undefined) {
    return { registry: await PartnerStore.open(config.dataDir), ledger: new Ledger(ledgerDir(config.dataDir)), limiter: new RateLimiter(config.partnerRatePerMinute) };
  }
  return { registry: await openPgPartners(db), ledger: new PgLedger(db), limiter: new SharedRateLimiter(db, config.partnerRatePerMinute) };
}

/** Subscriber statistics of the backend; save() records what this process saw since the last save. */
export function openSubscribers(config: Readonly<Config>, db?: Database): Promise<{ stats: SubscriberStats; save: (now: number) => Promise<void> }> {
  return db === undefined ? openSubscriberStats(config.dataDir) : openPgSubscriberStats(db);
}

/**
 * A CLI command's view of the data: the backend of the configuration, the database (if any) opened only
 * for the command and closed after it.
 */
export async function withDatabase<T>(config: Readonly<Config>, fn: (db: Database | undefined) => Promise<T>): Promise<T> {
  if (config.databaseUrl === undefined) return fn(undefined);
  const db = await Database.open(config.databaseUrl, { max: 4 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
