// The PostgreSQL backend of ReprintStore: one row per report in reprint_reports, the whole report (its
// newest REPRINT_CHECKS_KEPT checks included) as a jsonb document, with the columns the filters use
// beside it. A report is always read and rewritten whole (withCheck computes the next one), its checks
// are bounded, and nothing queries across checks: one document per report keeps recordCheck one
// row lock and one UPDATE, where a child table of checks would need ordered inserts and pruning deletes.

import { StoreError } from '../store.js';
import { type AttributionCheck, type ReprintFilter, type ReprintReport, type ReprintStore, withCheck } from '../reprints.js';
import { type Database, redactUrl } from './database.js';

/** PostgreSQL's SQLSTATE for a unique_violation. */
const UNIQUE_VIOLATION = '23505';

export class PgReprintStore implements ReprintStore {
  /** Uses `db` (its pool); the caller that opened the database closes it. */
  constructor(private readonly db: Database) {}

  async add(report: ReprintReport): Promise<ReprintReport> {
    try {
      await this.db.query(
        'INSERT INTO reprint_reports (id, partner_id, item_id, reported_at, next_check_at, doc) VALUES ($1, $2, $3, $4, $5, $6)',
        [report.id, report.partnerId, report.itemId, timestamp(report.reportedAt, 'reportedAt'), timestamp(report.nextCheckAt, 'nextCheckAt'), JSON.stringify(report)],
      );
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new Error(`reprints: report id "${report.id}" is taken`, { cause: err });
      throw err;
    }
    return structuredClone(report);
  }

  async list(filter: ReprintFilter = {}): Promise<ReprintReport[]> {
    const { rows } = await this.db.query<{ id: string; doc: unknown }>(
      `SELECT id, doc FROM reprint_reports
       WHERE ($1::text IS NULL OR partner_id = $1) AND ($2::text IS NULL OR item_id = $2) AND ($3::timestamptz IS NULL OR next_check_at <= $3)
       ORDER BY reported_at, seq`,
      [filter.partnerId ?? null, filter.itemId ?? null, filter.dueBy ?? null],
    );
    return rows.map((r) => this.#report(r.id, r.doc));
  }

  /**
   * One transaction: the row is locked (SELECT … FOR UPDATE), the next report computed by withCheck
   * from what is committed, and written back; a second instance recording a check of the same report
   * waits for the lock and appends to this one's result, so no check is lost.
   */
  async recordCheck(id: string, check: AttributionCheck, nextCheckAt: Date): Promise<ReprintReport | undefined> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM reprint_reports WHERE id = $1 FOR UPDATE', [id]);
      const row = rows[0];
      if (row === undefined) return undefined;
      const next = withCheck(this.#report(id, row.doc), check, nextCheckAt);
      await client.query('UPDATE reprint_reports SET next_check_at = $2, doc = $3 WHERE id = $1', [id, nextCheckAt, JSON.stringify(next)]);
      return next;
    });
  }

  /** Nothing to flush: every write was committed before its promise resolved. */
  async close(): Promise<void> {}

  /** The row's document as a report; a row that is not one is damage, named with its id. */
  #report(id: string, doc: unknown): ReprintReport {
    const r = doc as Partial<ReprintReport> | null;
    if (typeof r !== 'object' || r === null || r.id !== id || typeof r.partnerId !== 'string' || typeof r.reprintUrl !== 'string' || !Array.isArray(r.checks)) {
      throw new StoreError(
        `the database at ${redactUrl(this.db.url)} is damaged: reprint_reports row "${id}" is not a reprint report (it lacks an id, a partnerId, a reprintUrl or its checks); restore it from a backup (see docs/deploy.md)`,
      );
    }
    return r as ReprintReport;
  }
}

function timestamp(iso: string, field: string): Date {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) throw new RangeError(`reprints: ${field} "${iso}" is not an ISO 8601 time`);
  return t;
}
