// The reprint ledger as the `ledger` table: one row per partner delivery, inserted (and committed) before
// the delivery is sent. The table is insert-only (see store/postgres/schema.ts): rows from every instance
// land in the one table, and reports read it with SQL.

import type { Database } from '../store/postgres/database.js';
import type { LedgerEntry, LedgerFilter, LedgerProblem } from './ledger.js';

interface LedgerRow {
  at: Date;
  partner_id: string;
  channel_id: string;
  format: string;
  grant_id: string;
  item_ids: string[];
  content_level: 'full' | 'excerpt';
}

/** Rows read per query when listing entries, so a long ledger is never held in memory at once. */
const PAGE = 1000;

export class PgLedger {
  constructor(private readonly db: Database) {}

  /** Inserts the entry; resolves once it is committed, rejects when it could not be recorded. */
  async append(entry: LedgerEntry): Promise<void> {
    const time = new Date(entry.time);
    if (Number.isNaN(time.getTime())) throw new RangeError(`ledger: time "${entry.time}" is not a date`);
    await this.db.query(
      'INSERT INTO ledger (at, partner_id, channel_id, format, grant_id, item_ids, content_level) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [time, entry.partner, entry.channel, entry.format, entry.grant, entry.items, entry.contentLevel],
    );
  }

  /** The entries that pass the filter, in the order they were recorded. */
  async *entries(filter: LedgerFilter = {}, _onProblem: (problem: LedgerProblem) => void = () => undefined): AsyncGenerator<LedgerEntry> {
    let after = 0n;
    for (;;) {
      const { rows } = await this.db.query<LedgerRow & { id: string }>(
        `SELECT id, at, partner_id, channel_id, format, grant_id, item_ids, content_level FROM ledger
         WHERE id > $1 AND ($2::text IS NULL OR partner_id = $2) AND ($3::timestamptz IS NULL OR at >= $3)
         ORDER BY id LIMIT ${PAGE}`,
        [after.toString(), filter.partner ?? null, filter.since ?? null],
      );
      for (const r of rows) {
        yield {
          time: r.at.toISOString(),
          partner: r.partner_id,
          channel: r.channel_id,
          format: r.format,
          grant: r.grant_id,
          items: r.item_ids,
          contentLevel: r.content_level,
        };
      }
      if (rows.length < PAGE) return;
      after = BigInt(rows[rows.length - 1]!.id);
    }
  }
}
