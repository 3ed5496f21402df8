// The file backend's document for one channel: its shape, the empty document, and the check a
// document read from disk must pass (after migrations.ts has brought it to SCHEMA_VERSION).

import type { Item, SourceState } from '../../model.js';
import { checkItems } from './archive.js';
import { SCHEMA_VERSION } from './migrations.js';

/**
 * The document kept per channel at <dataDir>/channels/<id>.json. The source states live here, beside the
 * items, rather than in a separate state file: an upstream's ETag and Last-Modified must never be saved
 * without the items they validated (the next conditional GET would answer 304 and those items would be
 * lost for good), and one document per run keeps that atomic with one write.
 */
export interface ChannelDocument {
  schemaVersion: number;
  kind: 'channel';
  channelId: string;
  /** A new random token whenever the items (live or archived) change, so every process can tell (and caches can key on it). */
  itemsVersion: string;
  items: Item[];
  sources: Record<string, SourceState>;
  /** Items an operator deleted (id → ISO 8601 deletedAt): the merge (store/merge.ts) never adds them again. The newest
   *  MAX_TOMBSTONES are kept. */
  tombstones: Record<string, string>;
}

/** Tombstones kept per channel; the oldest go first (an upstream rarely lists an entry for that long). */
export const MAX_TOMBSTONES = 10_000;

export function emptyDocument(channelId: string): ChannelDocument {
  return { schemaVersion: SCHEMA_VERSION, kind: 'channel', channelId, itemsVersion: '', items: [], sources: {}, tombstones: {} };
}

export function checkChannel(doc: Record<string, unknown>, channelId: string): ChannelDocument {
  if (doc.kind !== 'channel') throw new Error(`not a channel document (kind ${JSON.stringify(doc.kind) ?? 'missing'})`);
  if (typeof doc.channelId === 'string' && doc.channelId !== channelId) {
    throw new Error(`holds channel "${doc.channelId}", not "${channelId}"`);
  }
  checkItems(doc.items);
  if (typeof doc.sources !== 'object' || doc.sources === null || Array.isArray(doc.sources)) {
    throw new Error('not a channel document (expected "sources" to be an object)');
  }
  if (typeof doc.itemsVersion !== 'string') throw new Error('not a channel document ("itemsVersion" is not a string)');
  if (typeof doc.tombstones !== 'object' || doc.tombstones === null || Array.isArray(doc.tombstones)) {
    throw new Error('not a channel document (expected "tombstones" to be an object)');
  }
  return { ...(doc as unknown as ChannelDocument), channelId };
}

