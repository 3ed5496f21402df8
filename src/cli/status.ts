// `syndicator status`: the report of http/status.ts as plain-text tables, with the per-partner reprint
// compliance that /status and /metrics show.

import type { ChannelStatus } from '../http/status.js';
import type { PartnerCompliance } from '../partners/compliance.js';

/**
 * The report as the CLI prints it: a table of sources, then a table of subscribers and one of reprint
 * compliance per partner (each only when it has rows).
 */
export function statusTables(report: { channels: ChannelStatus[]; reprints?: readonly PartnerCompliance[] }): string[][][] {
  const sources = [['CHANNEL', 'SOURCE', 'TYPE', 'ITEMS', 'LAST RUN', 'LAST SUCCESS', 'FAILURES', 'NEXT ATTEMPT', 'LAST ERROR']];
  const subscribers = [['CHANNEL', 'FORMAT', 'SUBSCRIBERS', 'HOSTED READERS', 'OTHER CLIENTS (7 DAYS)', 'BY READER']];
  for (const channel of report.channels) {
    for (const s of channel.sources) {
      sources.push([
        channel.id,
        s.sourceId,
        s.type,
        String(s.items),
        s.lastRunAt ?? 'never',
        s.lastSuccessAt ?? '-',
        String(s.consecutiveFailures ?? 0),
        s.disabled ? `DISABLED since ${s.disabled.at}` : (s.nextAttemptAt ?? 'next tick'),
        s.lastError ?? '',
      ]);
    }
    for (const c of channel.subscribers) {
      const by = Object.entries(c.byAggregator).map(([name, n]) => `${name} ${n}`).join(', ');
      subscribers.push([channel.id, c.format, String(c.total), String(c.hosted), String(c.direct), by]);
    }
  }
  const reprints = [['PARTNER', 'REPRINTS', 'PENDING', 'PASSING', 'FAILING', 'UNREACHABLE', 'FLAGGED', 'NEVER DELIVERED', 'GRANT ENDED', 'FAILING DUTIES']];
  for (const p of report.reprints ?? []) {
    const duties = Object.entries(p.failingDuties).map(([duty, n]) => `${duty} ${n}`).join(', ');
    reprints.push([p.partner, ...[p.reports, p.pending, p.passing, p.failing, p.unreachable, p.flagged, p.neverDelivered, p.grantEnded].map(String), duties]);
  }
  return [sources, ...(subscribers.length > 1 ? [subscribers] : []), ...(reprints.length > 1 ? [reprints] : [])];
}
