// The connection to PostgreSQL that every part of a process shares: one pg pool, the schema brought up
// to date on open (in one transaction, under an advisory lock, so that of several instances starting at
// once exactly one migrates and the others wait and find it done), and one LISTEN connection over which
// commits of other instances are announced (NOTIFY), with polling by the caller as the fallback.

import pg from 'pg';
import { SchemaVersionError, StoreError } from '../store.js';
import { MIGRATIONS, PG_SCHEMA_VERSION, TABLES } from './schema.js';

/** The NOTIFY channel on which a commit names what changed ("items:<channel>", "registry"). */
export const NOTIFY_CHANNEL = 'syndicator';

/** Key of the transaction-level advisory lock that migrations hold. */
const MIGRATION_LOCK = 7_361_501;

export interface DatabaseOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

/** A pool, a client or a Database: anything that runs one query. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A URL safe to print: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(DATABASE_URL is not a URL)';
  }
}

export class Database {
  readonly #listeners = new Set<(payload: string) => void>();
  #listener: pg.Client | undefined;
  #listening: Promise<void> | undefined;
  #closed = false;

  private constructor(
    readonly pool: pg.Pool,
    readonly url: string,
  ) {}

  /**
   * Connects, applies pending migrations and checks the schema. Rejects with one line (a StoreError)
   * when the server cannot be reached, when the database was written by a newer build
   * (SchemaVersionError: refused, never downgraded), or when a table this build needs is missing.
   */
  static async open(url: string, options: DatabaseOptions = {}): Promise<Database> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'syndicator',
      connectionTimeoutMillis: 10_000,
    });
    // An idle client that loses its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const db = new Database(pool, url);
    try {
      await db.#migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot open PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}; check DATABASE_URL and that the server is running`, { cause: err });
    }
    return db;
  }

  /** Runs fn in one transaction on one pooled client: COMMIT when it resolves, ROLLBACK when it throws. */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /**
   * Calls `onNotify` with the payload of every NOTIFY on NOTIFY_CHANNEL (from any instance, this one
   * included). Resolves once listening; a lost LISTEN connection is re-made by the next call to
   * `listen` or `ensureListening`. Returns the function that stops calling `onNotify`.
   */
  async listen(onNotify: (payload: string) => void): Promise<() => void> {
    this.#listeners.add(onNotify);
    await this.ensureListening().catch(() => undefined);
    return () => this.#listeners.delete(onNotify);
  }

  /** (Re)opens the LISTEN connection when there are listeners and none is open. */
  ensureListening(): Promise<void> {
    if (this.#closed || this.#listeners.size === 0) return Promise.resolve();
    this.#listening ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, application_name: 'syndicator-listen' });
      const lost = () => {
        if (this.#listener === client) this.#listener = undefined;
        this.#listening = undefined;
        client.end().catch(() => undefined);
      };
      client.on('error', lost);
      client.on('end', lost);
      client.on('notification', (msg) => {
        if (msg.channel !== NOTIFY_CHANNEL) return;
        for (const fn of this.#listeners) fn(msg.payload ?? '');
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      } catch (err) {
        lost();
        throw err;
      }
      this.#listener = client;
    })();
    return this.#listening;
  }

  /** Ends the LISTEN connection and the pool. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  async #migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      const applied = new Set(rows.map((r) => r.version));
      const newest = rows.length > 0 ? rows[rows.length - 1]!.version : 0;
      if (newest > PG_SCHEMA_VERSION) {
        throw new SchemaVersionError(
          `the database at ${redactUrl(this.url)} has schema version ${newest}; this build knows up to ${PG_SCHEMA_VERSION}. Run the newer build (a schema is never downgraded)`,
        );
      }
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      const present = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY($1)`,
        [TABLES],
      );
      const have = new Set(present.rows.map((r) => r.name));
      const missing = TABLES.filter((t) => !have.has(t));
      if (missing.length > 0) {
        throw new StoreError(
          `the database at ${redactUrl(this.url)} is damaged: table ${missing.join(', ')} is missing although schema version ${newest || PG_SCHEMA_VERSION} is recorded; restore it from a backup (pg_restore, or a base backup and WAL; see docs/deploy.md)`,
        );
      }
    });
  }
}

/** Sends NOTIFY within the caller's transaction: delivered to every listener when it commits, never before. */
export async function notifyOnCommit(client: Queryable, payload: string): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]);
}
