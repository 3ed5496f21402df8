// The reprint ledger of a running service: every delivery it records is also counted in /metrics.

import type { Metrics } from '../metrics/metrics.js';
import type { LedgerBook } from './backend.js';
import type { LedgerEntry } from './ledger.js';

/**
 * A ledger (the files' or the database's) that also counts each delivery it records, once it is
 * recorded (a delivery is on the ledger before it is sent).
 */
export class CountingLedger implements LedgerBook {
  constructor(
    private readonly ledger: LedgerBook,
    private readonly metrics: Pick<Metrics, 'partnerDeliveries'>,
  ) {}

  entries(...args: Parameters<LedgerBook['entries']>): ReturnType<LedgerBook['entries']> {
    return this.ledger.entries(...args);
  }

  async append(entry: LedgerEntry): Promise<void> {
    await this.ledger.append(entry);
    this.metrics.partnerDeliveries.inc({ partner: entry.partner, channel: entry.channel });
  }
}
