import type { Item, SourceState } from '../model.js';

/** What one ingest run hands the store for one channel; applied as one write. */
export interface IngestBatch {
  /** Normalized items of the run, any order; several sources may contribute. */
  items: readonly Item[];
  /** The new state of every source that ran. */
  sourceStates: readonly SourceState[];
  /** Retention: only the newest maxItems items are kept after the merge. */
  maxItems: number;
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
  /** Items dropped by retention. */
  removed: number;
  /** Whether anything a reader can see changed (and so the channel's revision moved). */
  changed: boolean;
}

/**
 * The store the rest of the service uses. Implementations keep one document per channel so that a
 * write never rewrites other channels' items (lowdb rewrites a whole file on every write).
 */
export interface Store {
  /** The channel's items, newest first (publishedAt, else updatedAt). */
  items(channelId: string): readonly Item[];
  /** Moves whenever the channel's items change, in this process or another one sharing the data dir. */
  revision(channelId: string): number;
  sourceStates(channelId: string): readonly SourceState[];
  /**
   * Upserts by item id (a known id with the same contentHash is left untouched; a changed one keeps
   * its ingestedAt and gets a later updatedAt), records source states, applies retention — one write.
   */
  apply(channelId: string, batch: IngestBatch): Promise<ApplyResult>;
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

/** Newest first: publishedAt, else updatedAt; ties broken by id so the order is stable. */
export function compareItems(a: Item, b: Item): number {
  const ka = a.publishedAt ?? a.updatedAt;
  const kb = b.publishedAt ?? b.updatedAt;
  if (ka !== kb) return ka < kb ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
