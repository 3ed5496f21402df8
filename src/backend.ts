// Where a process keeps its data, chosen by DATABASE_URL: the files under DATA_DIR (the default, no set-up;
// one machine), or PostgreSQL (several instances behind a load balancer; docs/scaling.md). Both give the
// same Store; PostgreSQL adds what only matters with several instances: ingest leases and per-host
// politeness shared between them. The server (main.ts) and the CLI open their store here; the partner
// parts (partners/backend.ts) and subscriber statistics (http/pg-subscribers.ts) take the database from it.

import type { Config } from './config.js';
import type { SharedHosts } from './ingest/polite.js';
import { LowdbStore } from './store/lowdb-store.js';
import type { Database } from './store/postgres/database.js';
import type { IngestLeases, LeaseOptions } from './store/postgres/leases.js';
import type { Store } from './store/store.js';

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

/** Opens the store of the given channels on the configured backend (migrating a database first). */
export async function openBackend(config: Readonly<Config>, channelIds: readonly string[], leaseOptions: LeaseOptions = {}): Promise<Backend> {
  if (config.databaseUrl === undefined) {
    const store = await LowdbStore.open(config.dataDir, channelIds);
    return { kind: 'files', where: config.dataDir, store, close: () => store.close() };
  }
  // Loaded only when used: a process on the files never loads pg.
  const [{ Database, redactUrl }, { SharedHostGate }, { IngestLeases }, { PostgresStore }] = await Promise.all([
    import('./store/postgres/database.js'),
    import('./store/postgres/host-gate.js'),
    import('./store/postgres/leases.js'),
    import('./store/postgres/pg-store.js'),
  ]);
  const db = await Database.open(config.databaseUrl, { max: 20 });
  try {
    const store = await PostgresStore.open(db, channelIds);
    return {
      kind: 'postgres',
      where: redactUrl(config.databaseUrl),
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

/**
 * A CLI command's view of the data: the backend of the configuration, the database (if any) opened only
 * for the command and closed after it.
 */
export async function withDatabase<T>(config: Readonly<Config>, fn: (db: Database | undefined) => Promise<T>): Promise<T> {
  if (config.databaseUrl === undefined) return fn(undefined);
  const { Database } = await import('./store/postgres/database.js');
  const db = await Database.open(config.databaseUrl, { max: 4 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
