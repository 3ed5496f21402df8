import type { Item, SourceState } from '../model.js';

/** What one ingest run hands the store for one channel; applied as one write. */
export interface IngestBatch {
  /** Normalized items of the run, any order; several sources may contribute. */
  items: readonly Item[];
  /** The new state of every source that ran. */
  sourceStates: readonly SourceState[];
  /** Retention: only the newest maxItems items stay live; older ones move to the monthly archive. */
  maxItems: number;
  /** Retention: items whose publishedAt (else updatedAt) is older than now − maxAgeMs move to the archive. */
  maxAgeMs?: number;
  now: Date;
}

export interface SourceCounts {
  added: number;
  updated: number;
  unchanged: number;
}

export interface ApplyResult {
  /** Counts per source id, for the items of this batch. */
  bySource: Map<string, SourceCounts>;
  /** Items that retention moved to the archive (live before, or new in this batch but already too old); an
   *  archived item that an upstream still lists, unchanged, is counted as unchanged, not here. */
  removed: number;
  /** Items written to the monthly archive in this batch (new there, or changed). */
  archived: number;
  /** Whether anything a reader can see changed (and so the channel's revision moved). */
  changed: boolean;
}

/**
 * The store the rest of the service uses. docs/scaling.md states this contract for other implementations
 * (a PostgreSQL one for several instances); in short:
 *
 * - reads (items, revision, sourceStates, archiveMonths) are synchronous and come from memory: they never
 *   fail and never wait; they show what this process committed (a batch may show a moment before its
 *   apply() resolves, and goes away again if that commit fails) and, after sync(), what others committed;
 * - apply() is the only write of an ingest run: the items and the source states of one batch are
 *   committed together or not at all, and its promise resolves only once they are durable (they survive
 *   a crash of the process or of the machine);
 * - nothing committed is ever lost: retention copies an item to the channel's monthly archive before it
 *   leaves the live set (a crash in between leaves it in both; archivedItems() hides such a duplicate and
 *   the next apply() finishes the move);
 * - a store that cannot be read stops open() with a StoreError naming what is damaged and how to restore
 *   it; it is never silently replaced by an empty one.
 *
 * The lowdb implementation keeps one document per channel (a write never rewrites other channels' items),
 * with the source states inside it, so that an upstream's ETag can never be saved without the items it
 * validated; archives are one document per channel and month.
 */
export interface Store {
  /** The channel's live items, newest first (publishedAt, else updatedAt). */
  items(channelId: string): readonly Item[];
  /**
   * Moves whenever the channel's items change — live or archived — in this process or another one sharing
   * the data (picked up by sync()). Output caches key on it.
   */
  revision(channelId: string): number;
  sourceStates(channelId: string): readonly SourceState[];
  /**
   * Upserts by item id (a known id with the same contentHash is left untouched; a changed one keeps
   * its ingestedAt and gets a later updatedAt), records source states, applies retention (maxItems,
   * maxAgeMs: the items it removes go to the monthly archive first) — one commit, durable on resolve.
   */
  apply(channelId: string, batch: IngestBatch): Promise<ApplyResult>;
  /** Months ("YYYY-MM", UTC, oldest first) for which the channel has archived items. */
  archiveMonths(channelId: string): readonly string[];
  /**
   * The channel's archived items of one month (by publishedAt, else updatedAt), newest first; empty for
   * a month without an archive. Items that are live again are left out, so an item is never in both.
   */
  archivedItems(channelId: string, month: string): Promise<readonly Item[]>;
  /**
   * Deletes an item for good: it leaves the live set (and its archive month) and its id is remembered
   * (a tombstone) so that no later apply() adds it again. Resolves false when the channel has no live
   * or archived item with that id and no tombstone for it.
   */
  deleteItem(channelId: string, itemId: string, now: Date): Promise<boolean>;
  /** Changes one source's state (e.g. re-enables a source disabled by a 410); false when it has none. */
  updateSourceState(channelId: string, sourceId: string, change: (state: SourceState) => SourceState): Promise<boolean>;
  /** Picks up writes made by another process (e.g. the CLI) since the last look. */
  sync(): Promise<void>;
  /** Waits for pending writes and releases resources. */
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`store: ${message}`, options);
    this.name = 'StoreError';
  }
}

/** A file written by a newer build (a schema version this build does not know): refused, never downgraded. */
export class SchemaVersionError extends StoreError {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}
