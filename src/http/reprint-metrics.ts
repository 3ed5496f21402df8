// /metrics series for reprint compliance, read on scrape from the reprint reports.

import { Gauge, type Registry } from 'prom-client';
import type { PartnerCompliance } from '../partners/compliance.js';

/** Registers syndicator_reprints{partner,state} and syndicator_reprints_flagged{partner}. */
export function registerReprintMetrics(registry: Registry, summary: () => Promise<PartnerCompliance[]>): void {
  // One read of the reports per scrape, shared by both gauges.
  let pending: Promise<PartnerCompliance[]> | undefined;
  const read = (): Promise<PartnerCompliance[]> => {
    pending ??= summary().finally(() => {
      setImmediate(() => {
        pending = undefined;
      });
    });
    return pending;
  };
  new Gauge({
    name: 'syndicator_reprints',
    help: 'Reported reprints by partner and state of their newest attribution check (pending, passing, failing, unreachable)',
    labelNames: ['partner', 'state'] as const,
    registers: [registry],
    async collect() {
      const rows = await read();
      this.reset();
      for (const s of rows) for (const state of ['pending', 'passing', 'failing', 'unreachable'] as const) this.set({ partner: s.partner, state }, s[state]);
    },
  });
  new Gauge({
    name: 'syndicator_reprints_flagged',
    help: 'Reported reprints that lost their attribution after a passing check, by partner',
    labelNames: ['partner'] as const,
    registers: [registry],
    async collect() {
      const rows = await read();
      this.reset();
      for (const s of rows) this.set({ partner: s.partner }, s.flagged);
    },
  });
}
