// One report of how the service is doing, shared by `GET /status` (JSON) and `syndicator status`
// (tables, cli/status.ts): every source's ingest state and every feed's subscribers.

import type { SubscriberCounts } from './subscribers.js';
import type { Channel, SourceState } from '../model.js';
import type { Store } from '../store/store.js';

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
