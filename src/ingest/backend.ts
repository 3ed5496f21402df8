// The one factory of the configured backend — the files under DATA_DIR, or PostgreSQL when
// DATABASE_URL is set (several instances: docs/scaling.md); with PostgreSQL a server also gets ingest
// leases and per-host politeness shared by the instances. Apart from deps.ts (fetching), so that the
// commands that only read data (`status`, `reprints`) load no fetcher or charset detector.

import type { Config } from '../config/env.js';
import { FileStore } from '../store/files/file-store.js';
import type { Database } from '../store/postgres/database.js';
import type { IngestLeases, LeaseOptions } from '../store/postgres/leases.js';
import type { Store } from '../store/store.js';
import type { SharedHosts } from './fetch/polite.js';

/** The store of the configuration holding these channels: the data directory's, or the database's (closed with the store). */
export async function openStore(cfg: Readonly<Config>, channelIds: readonly string[]): Promise<Store> {
  if (cfg.databaseUrl === undefined) return FileStore.open(cfg.dataDir, channelIds);
  // Loaded only when used: a process on the files never loads pg.
  const { PostgresStore } = await import('../store/postgres/pg-store.js');
  return PostgresStore.connect(cfg.databaseUrl, channelIds);
}

/** What a server process keeps its data in. */
export interface Backend {
  kind: 'files' | 'postgres';
  /** Where the data is, for messages (DATA_DIR, or the database URL without its password). */
  where: string;
  /** The database when kind is postgres (the partner registry, ledger and statistics use it too). */
  db?: Database;
  store: Store;
  /** With PostgreSQL: an ingest of a channel runs on one instance at a time. */
  leases?: IngestLeases;
  /** With PostgreSQL: per-host politeness across instances. */
  sharedHosts?: SharedHosts;
  /** Waits for pending writes, releases connections. */
  close(): Promise<void>;
}

/** The server's backend: the store of these channels and, with PostgreSQL, the database, leases and shared host gate. */
export async function openBackend(cfg: Readonly<Config>, channelIds: readonly string[], leaseOptions: LeaseOptions = {}): Promise<Backend> {
  if (cfg.databaseUrl === undefined) {
    const store = await FileStore.open(cfg.dataDir, channelIds);
    return { kind: 'files', where: cfg.dataDir, store, close: () => store.close() };
  }
  // Loaded only when used: a process on the files never loads pg.
  const [{ Database, redactUrl }, { SharedHostGate }, { IngestLeases }, { PostgresStore }] = await Promise.all([
    import('../store/postgres/database.js'),
    import('../store/postgres/host-gate.js'),
    import('../store/postgres/leases.js'),
    import('../store/postgres/pg-store.js'),
  ]);
  const db = await Database.open(cfg.databaseUrl, { max: 20 });
  try {
    const store = await PostgresStore.open(db, channelIds);
    return {
      kind: 'postgres',
      where: redactUrl(cfg.databaseUrl),
      db,
      store,
      leases: new IngestLeases(db, { ttlMs: cfg.ingestLeaseMs, ...leaseOptions }),
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
