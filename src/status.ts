// One report of how the service is doing, shared by `GET /status` (JSON) and `syndicator status` (tables):
// every source's ingest state and every feed's subscribers.

import type { SubscriberCounts } from './http/subscribers.js';
import type { Channel, SourceState } from './model.js';
import type { Store } from './store/store.js';

export interface SourceStatus extends Partial<SourceState> {
  sourceId: string;
  type: string;
  /** Live items in the store that came from this source. */
  items: number;
}

export interface ChannelStatus {
  id: string;
  items: number;
  sources: SourceStatus[];
  subscribers: SubscriberCounts[];
}

export function collectStatus(channels: readonly Channel[], store: Store, subscribers: readonly SubscriberCounts[]): { channels: ChannelStatus[] } {
  return {
    channels: channels.map((channel) => {
      const items = store.items(channel.id);
      const states = new Map(store.sourceStates(channel.id).map((s) => [s.sourceId, s]));
      return {
        id: channel.id,
        items: items.length,
        sources: channel.sources.map((source) => ({
          ...states.get(source.id),
          sourceId: source.id,
          type: source.type,
          items: items.filter((i) => i.sourceId === source.id).length,
        })),
        subscribers: subscribers.filter((s) => s.channel === channel.id),
      };
    }),
  };
}

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
