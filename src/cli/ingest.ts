// Operator commands about ingest: `item delete` (remove an item for good: a tombstone keeps the next
// ingest from adding it again) and `source enable` (fetch a source again after a 410 Gone disabled it).
// Both open only the named channel (files or database, as configured); a running service picks the change up on its next sync.

import type { Command } from 'commander';
import { EXIT, UsageError } from './support.js';
import type { Config } from '../config/env.js';
import type { Store } from '../store/store.js';

const CHANNEL_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ITEM_ID = /^[0-9a-f]{32}$/;

export function registerIngestCommands(program: Command, config: () => Promise<Readonly<Config>>): void {
  program
    .command('item')
    .description('manage stored items')
    .command('delete')
    .description('delete an item from a channel (live and archive) for good: the next ingest never adds it again')
    .argument('<channel>', 'the channel id')
    .argument('<id>', "the item's id (32 hex digits) or its published guid (urn:uuid:…)")
    .action(async (channel: string, id: string) => {
      const cfg = await config();
      const channelId = checkChannel(channel);
      const { openStore } = await import('../ingest/backend.js');
      const store = await openStore(cfg, [channelId]);
      try {
        const itemId = await resolveItemId(store, channelId, id);
        const deleted = await store.deleteItem(channelId, itemId, new Date());
        if (!deleted) {
          process.stderr.write(`syndicator: item delete: channel "${channelId}" has no item "${id}"\n`);
          process.exitCode = EXIT.failed;
          return;
        }
        process.stdout.write(`deleted ${channelId}/${itemId}; a tombstone keeps it from coming back\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('source')
    .description('manage the sources of a channel')
    .command('enable')
    .description('fetch a source again at the next run: clears a 410 Gone, the backoff and the failure count')
    .argument('<channel>', 'the channel id')
    .argument('<source>', 'the source id')
    .action(async (channel: string, source: string) => {
      const cfg = await config();
      const channelId = checkChannel(channel);
      const { loadFeeds } = await import('../config/channels.js');
      const feeds = await loadFeeds(cfg.feedsDir);
      const configured = feeds.channels.find((c) => c.id === channelId);
      if (configured && !configured.sources.some((s) => s.id === source)) {
        throw new UsageError(`source enable: channel "${channelId}" has no source "${source}"`);
      }
      const { openStore } = await import('../ingest/backend.js');
      const store = await openStore(cfg, [channelId]);
      let was: string | undefined;
      try {
        const found = await store.updateSourceState(channelId, source, (state) => {
          was = state.disabled ? `disabled since ${state.disabled.at}` : state.nextAttemptAt ? `not due until ${state.nextAttemptAt}` : 'already enabled';
          const { disabled: _d, nextAttemptAt: _n, ...rest } = state;
          return { ...rest, consecutiveFailures: 0 };
        });
        if (!found) {
          process.stdout.write(`${channelId}/${source} has not run yet; nothing to enable\n`);
          return;
        }
        process.stdout.write(`enabled ${channelId}/${source} (was ${was}); the next run fetches it\n`);
      } finally {
        await store.close();
      }
    });
}

function checkChannel(id: string): string {
  if (!CHANNEL_ID.test(id)) throw new UsageError(`"${id}" is not a channel id (a lowercase slug)`);
  return id;
}

/** An item id as given, or the id of the live or archived item with the given guid. */
async function resolveItemId(store: Store, channelId: string, given: string): Promise<string> {
  const value = given.trim().toLowerCase();
  if (ITEM_ID.test(value)) return value;
  if (!value.startsWith('urn:uuid:')) throw new UsageError(`item delete: "${given}" is neither an item id (32 hex digits) nor a guid (urn:uuid:…)`);
  const live = store.items(channelId).find((i) => i.guid === value);
  if (live) return live.id;
  for (const month of store.archiveMonths(channelId)) {
    const archived = (await store.archivedItems(channelId, month)).find((i) => i.guid === value);
    if (archived) return archived.id;
  }
  throw new UsageError(`item delete: channel "${channelId}" has no item with guid ${given}`);
}
