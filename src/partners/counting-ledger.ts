// The reprint ledger of a running service: every delivery it records is also counted in /metrics.

import type { Metrics } from '../metrics/metrics.js';
import { Ledger, type LedgerEntry } from './ledger.js';

/** A ledger that also counts each delivery it records (a delivery is on the ledger before it is sent). */
export class CountingLedger extends Ledger {
  constructor(
    dir: string,
    private readonly metrics: Pick<Metrics, 'partnerDeliveries'>,
  ) {
    super(dir);
  }

  override async append(entry: LedgerEntry): Promise<void> {
    await super.append(entry);
    this.metrics.partnerDeliveries.inc({ partner: entry.partner, channel: entry.channel });
  }
}
