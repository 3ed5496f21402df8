// The partner registry, reprint ledger and rate limiter of the configured backend: partners.json, the
// ledger directory and an in-memory limiter under DATA_DIR; or, given the database, its tables and a
// limiter shared by every instance. Likewise the reprint reports (openReprints).

import { ReprintFileStore } from '../store/files/reprint-file-store.js';
import type { Database } from '../store/postgres/database.js';
import type { ReprintStore } from '../store/reprints.js';
import { Ledger, type LedgerEntry, type LedgerFilter, type LedgerProblem, ledgerDir } from './ledger.js';
import { type Limiter, RateLimiter } from './rate-limit.js';
import { type PartnerRegistry, PartnerStore } from './registry.js';

/** The reprint ledger of either backend: append a delivery, read entries back. */
export interface LedgerBook {
  append(entry: LedgerEntry): Promise<void>;
  entries(filter?: LedgerFilter, onProblem?: (problem: LedgerProblem) => void): AsyncGenerator<LedgerEntry>;
}

export interface PartnerBackend {
  registry: PartnerRegistry;
  ledger: LedgerBook;
  limiter: Limiter;
}

/** `db` given: the database's tables; otherwise the files under dataDir. */
export async function openPartners(opts: { dataDir: string; partnerRatePerMinute: number }, db?: Database): Promise<PartnerBackend> {
  if (db === undefined) {
    return { registry: await PartnerStore.open(opts.dataDir), ledger: new Ledger(ledgerDir(opts.dataDir)), limiter: new RateLimiter(opts.partnerRatePerMinute) };
  }
  // Loaded only when used: a process on the files never loads pg.
  const [{ PgLedger }, { SharedRateLimiter }, { openPgPartners }] = await Promise.all([import('./pg-ledger.js'), import('./pg-rate-limit.js'), import('./pg-registry.js')]);
  return { registry: await openPgPartners(db), ledger: new PgLedger(db), limiter: new SharedRateLimiter(db, opts.partnerRatePerMinute) };
}

/**
 * The reprint reports of the configured backend: `db` given, its reprint_reports table (the caller
 * closes the database); otherwise DATA_DIR/reprints.json. Every process that files, checks or lists
 * reprints opens them here, so the server and the CLI always share one set.
 */
export async function openReprints(opts: { dataDir: string }, db?: Database): Promise<ReprintStore> {
  if (db === undefined) return ReprintFileStore.open(opts.dataDir);
  const { PgReprintStore } = await import('../store/postgres/pg-reprints.js');
  return new PgReprintStore(db);
}

/**
 * Runs fn with the database of `databaseUrl` (opened for fn only, closed after it), or with undefined
 * when there is none: a CLI command's view of the configured backend.
 */
export async function withDatabase<T>(databaseUrl: string | undefined, fn: (db: Database | undefined) => Promise<T>): Promise<T> {
  if (databaseUrl === undefined) return fn(undefined);
  const { Database: Db } = await import('../store/postgres/database.js');
  const db = await Db.open(databaseUrl, { max: 4 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
