// The reprint ledger of a running service: every delivery it records is also counted in /metrics.

import type { Metrics } from '../metrics/metrics.js';
import type { LedgerEntry } from './ledger.js';

/**
 * A ledger (the files' or the database's) that also counts each delivery it records, once it is
 * recorded (a delivery is on the ledger before it is sent).
 */
export class CountingLedger {
  constructor(
    private readonly ledger: { append(entry: LedgerEntry): Promise<void> },
    private readonly metrics: Pick<Metrics, 'partnerDeliveries'>,
  ) {}

  async append(entry: LedgerEntry): Promise<void> {
    await this.ledger.append(entry);
    this.metrics.partnerDeliveries.inc({ partner: entry.partner, channel: entry.channel });
  }
}
