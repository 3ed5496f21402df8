// `syndicator status`: the report of http/status.ts as plain-text tables.

import type { ChannelStatus } from '../http/status.js';

/** The report as the CLI prints it: a table of sources, then a table of subscribers. */
export function statusTables(report: { channels: ChannelStatus[] }): string[][][] {
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
  return subscribers.length > 1 ? [sources, subscribers] : [sources];
}
